#!/bin/bash
# Test runner for LocalSandboxProviderIT / HostSensorIT: behaves as $PROBE says. Never prints the
# JIT config (only its SHA-256, to prove it arrived through the environment).
set -u
ws=$HOME
log() { printf 'test-runner: %s\n' "$*" >&2; }

try_connect() { # host port -> 0 when connected
  timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

case "${PROBE:-info}" in
  info)
    {
      echo "uid=$(id -u) gid=$(id -g)"
      grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
      echo "hostname=$(hostname)"
      echo "pid=$$"
      echo "pwd=$(pwd)"
      if [ -n "${ACTIONS_RUNNER_INPUT_JITCONFIG:-}" ]; then echo "jit=present"; else echo "jit=absent"; fi
      touch /usr/rg-probe 2>/dev/null && echo "rootfs=writable" || echo "rootfs=readonly"
      ls "${STATE_DIR_PROBE:-/nonexistent}" 2>/dev/null | grep -q . && echo "state=visible" || echo "state=hidden"
      [ -e /var/run/docker.sock ] || [ -e /run/docker.sock ] && echo "docker=visible" || echo "docker=absent"
      echo "tmp=$(stat -c %a /tmp)"
      echo "procs=$(ls /proc | grep -c '^[0-9]')"
      echo "ipv6off=$(cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6 2>/dev/null || echo none)"
    } > "$ws/info.txt"
    printf '%s' "${ACTIONS_RUNNER_INPUT_JITCONFIG:-}" | sha256sum | cut -d' ' -f1 > "$ws/jit.sha"
    echo "hello evidence" > /tmp/tmpfile.txt
    mkdir -p "$ws/sub" && printf 'abc' > "$ws/sub/abc.txt"
    log "info written"
    exec sleep 600
    ;;
  connect)
    # deny probes first, then hold an echo connection to the allowed port
    for t in ${DENY_TARGETS:-}; do
      if try_connect "${t%:*}" "${t##*:}"; then echo "$t=connected" >> "$ws/deny.txt"; else echo "$t=refused" >> "$ws/deny.txt"; fi
    done
    exec 3<>"/dev/tcp/127.0.0.1/$ALLOWED_PORT" || { echo failed > "$ws/connect.txt"; exec sleep 600; }
    echo connected > "$ws/connect.txt"
    while IFS= read -r line <&3; do
      echo "echo:$line" >&3 || break
      echo "$line" >> "$ws/received.txt"
    done
    echo closed >> "$ws/connect.txt"
    exec sleep 600
    ;;
  count)
    i=0
    while :; do i=$((i + 1)); echo "$i" > "$ws/counter.tmp" && mv "$ws/counter.tmp" "$ws/counter"; sleep 0.05; done
    ;;
  survivor)
    (exec sleep 300) </dev/null >/dev/null 2>&1 &
    log "left a sleeper behind"
    exit 0
    ;;
  nested)
    mkdir -p "$ws/actions-runner/bin"
    printf '#!/bin/sh\nsleep 300\n' > "$ws/actions-runner/bin/Runner.Listener"
    sh "$ws/actions-runner/bin/Runner.Listener" config.sh --url https://github.com/acme/app </dev/null >/dev/null 2>&1 &
    exec sleep 600
    ;;
  burn)
    while :; do :; done
    ;;
  exit)
    exit "${EXIT_CODE:-0}"
    ;;
esac
