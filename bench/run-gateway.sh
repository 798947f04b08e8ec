#!/usr/bin/env bash
# Runs the webhook gateway benchmark (see bench/README.md). Options go to GatewayBenchmark, e.g.
#   bench/run-gateway.sh              # the full run (~5 min), writes BENCHMARKS.md
#   bench/run-gateway.sh --quick      # a ~40 s smoke run, prints only
# Set BENCH_BUILD=0 to skip the build (the gateway must be packaged and bench compiled already).
# BENCH_JVM_GC replaces the load generator's heap and collector flags. The default is ZGC: its pauses stay
# under a millisecond, while the parallel collector's young pauses (45-67 ms, measured 2026-11-29) landed
# in the measured latency of every send scheduled during them.
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=(./mvnw -q -B)
[[ "${BENCH_OFFLINE:-1}" == 1 ]] && MVN+=(-o)
if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
  "${MVN[@]}" -pl bench -am install -DskipTests
fi
if [[ ! -f webhook-gateway/target/quarkus-app/quarkus-run.jar ]]; then
  echo "webhook-gateway/target/quarkus-app/quarkus-run.jar is missing: ./mvnw -pl webhook-gateway -am install -DskipTests" >&2
  exit 1
fi
"${MVN[@]}" -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" ${BENCH_JVM_GC:--Xms2g -Xmx2g -XX:+UseZGC} \
  -Drunnerguard.bench.command="bench/run-gateway.sh${*:+ $*}" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.runnerguard.bench.GatewayBenchmark "$@"
