#!/usr/bin/env bash
# Runs the audit-ingest benchmark (see bench/README.md). Options go to AuditBenchmark, e.g.
#   bench/run-audit.sh                # the full run (400,000 events, ~3-4 min), writes BENCHMARKS.md
#   bench/run-audit.sh --quick        # 20,000 events, prints only
# Set BENCH_BUILD=0 to skip the build (audit-ingest must be packaged and bench compiled already).
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=(./mvnw -q -B)
[[ "${BENCH_OFFLINE:-1}" == 1 ]] && MVN+=(-o)
if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
  "${MVN[@]}" -pl bench -am install -DskipTests
fi
if [[ ! -f audit-ingest/target/quarkus-app/quarkus-run.jar ]]; then
  echo "audit-ingest/target/quarkus-app/quarkus-run.jar is missing: ./mvnw -pl audit-ingest -am install -DskipTests" >&2
  exit 1
fi
"${MVN[@]}" -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xms256m -Xmx1g -XX:+UseParallelGC \
  -Drunnerguard.bench.command="bench/run-audit.sh${*:+ $*}" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.runnerguard.bench.AuditBenchmark "$@"
