#!/usr/bin/env bash
# Runs the memory benchmark (see bench/README.md). Options go to MemoryBenchmark, e.g.
#   bench/run-memory.sh                 # full run: 10,000 runners (~6-8 min), writes the ## Memory section of BENCHMARKS.md
#   bench/run-memory.sh --quick         # 500 runners, prints only
#   bench/run-memory.sh --env=RUNNERGUARD_SERVICE_HEAP=192m --no-write
# Starts its own stack with ./runnerguard on free ports and a temporary RUNNERGUARD_HOME (never the default ports)
# and stops it with ./runnerguard down on every path. Only the orchestrator's dry-run provider is used (no sandbox is
# started); the local-sandbox provider is configured as ./runnerguard starts it, which is what the other stack
# benchmarks run as root.
# Set BENCH_BUILD=0 to skip the build (the services and the launcher must be packaged and bench compiled already).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "$(id -u)" != 0 ]]; then
  echo "warning: not root; the orchestrator's local-sandbox provider (unused here) may be unavailable" >&2
fi
MVN=(./mvnw -q -B)
[[ "${BENCH_OFFLINE:-1}" == 1 ]] && MVN+=(-o)
if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
  "${MVN[@]}" -pl launcher,webhook-gateway,token-service,runner-orchestrator,policy-service,audit-ingest,github-sim,bench -am install -DskipTests
fi
for m in webhook-gateway token-service runner-orchestrator policy-service audit-ingest github-sim; do
  if [[ ! -f "$m/target/quarkus-app/quarkus-run.jar" ]]; then
    echo "$m/target/quarkus-app/quarkus-run.jar is missing: ./mvnw -pl $m -am install -DskipTests" >&2
    exit 1
  fi
done
"${MVN[@]}" -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xms256m -Xmx1g -XX:+UseParallelGC \
  -Drunnerguard.bench.command="bench/run-memory.sh${*:+ $*}" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.runnerguard.bench.MemoryBenchmark "$@"
