#!/usr/bin/env bash
# Runs the runner-orchestrator benchmarks (see bench/README.md). Options go to OrchestratorBenchmark, e.g.
#   bench/run-orchestrator.sh                     # full run (~6 min), writes the ## runner-orchestrator section of BENCHMARKS.md
#   bench/run-orchestrator.sh --quick             # a ~2-3 min smoke run, prints only
#   bench/run-orchestrator.sh --phase=quarantine --runs=40 --no-write
# Must run as root (the local sandbox). Starts its own stack with ./runnerguard on free ports and a temporary
# RUNNERGUARD_HOME (never the default ports) and stops it with ./runnerguard down on every path.
# Set BENCH_BUILD=0 to skip the build (the services and the launcher must be packaged and bench compiled already).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "$(id -u)" != 0 ]]; then
  echo "run-orchestrator.sh must run as root (the local-sandbox provider creates namespaces, veths, nftables, cgroups)" >&2
  exit 1
fi
MVN=(./mvnw -q -B)
[[ "${BENCH_OFFLINE:-1}" == 1 ]] && MVN+=(-o)
if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
  "${MVN[@]}" -pl launcher,webhook-gateway,token-service,runner-orchestrator,policy-service,github-sim,bench -am install -DskipTests
fi
for m in webhook-gateway token-service runner-orchestrator policy-service github-sim; do
  if [[ ! -f "$m/target/quarkus-app/quarkus-run.jar" ]]; then
    echo "$m/target/quarkus-app/quarkus-run.jar is missing: ./mvnw -pl $m -am install -DskipTests" >&2
    exit 1
  fi
done
"${MVN[@]}" -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xms512m -Xmx1g -XX:+UseParallelGC \
  -Drunnerguard.bench.command="bench/run-orchestrator.sh${*:+ $*}" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.runnerguard.bench.OrchestratorBenchmark "$@"
