#!/bin/bash
# Runner program for OrchestratorStreamsIT: stands in for a GitHub runner inside the real sandbox.
# Behaviour per job comes from jobs/<RUNNERGUARD_JOB_ID>.env next to this script (MODE, PORT).
# Never prints the JIT config.
set -u
[ -n "${ACTIONS_RUNNER_INPUT_JITCONFIG:-}" ] || { echo "no JIT config" >&2; exit 3; }
here=$(dirname "$0")
MODE=work
PORT=0
[ -f "$here/jobs/${RUNNERGUARD_JOB_ID:-none}.env" ] && . "$here/jobs/${RUNNERGUARD_JOB_ID}.env"
echo "job ${RUNNERGUARD_JOB_ID:-?} as $(id -u) in $(pwd)" > "$HOME/job.txt"
case "$MODE" in
  exfiltrate)
    # Try to reach a listener outside the allowlist until the network is cut.
    while :; do
      timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null && echo connected >> "$HOME/job.txt"
      sleep 0.2
    done
    ;;
  *)
    while :; do sleep 1; done
    ;;
esac
