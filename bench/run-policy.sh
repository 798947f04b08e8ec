#!/usr/bin/env bash
# Runs the policy-service benchmark (see bench/README.md). Options go to PolicyBenchmark, e.g.
#   bench/run-policy.sh               # the full run (~3 min), writes the ## policy-service section of BENCHMARKS.md
#   bench/run-policy.sh --quick       # a ~1 min smoke run, prints only
# Set BENCH_BUILD=0 to skip the build (policy-service must be packaged and bench compiled already).
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=(./mvnw -q -B)
[[ "${BENCH_OFFLINE:-1}" == 1 ]] && MVN+=(-o)
if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
  "${MVN[@]}" -pl policy-service,bench -am install -DskipTests
fi
if [[ ! -f policy-service/target/quarkus-app/quarkus-run.jar ]]; then
  echo "policy-service/target/quarkus-app/quarkus-run.jar is missing: ./mvnw -pl policy-service -am install -DskipTests" >&2
  exit 1
fi
"${MVN[@]}" -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xms512m -Xmx1g -XX:+UseParallelGC \
  -Drunnerguard.bench.command="bench/run-policy.sh${*:+ $*}" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.runnerguard.bench.PolicyBenchmark "$@"
