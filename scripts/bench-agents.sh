#!/usr/bin/env bash
# The agent doors, same machine, same run:
#  1. the Claude Code hook, start to answer (`rampart hook claude-code` on a
#     recorded Bash call; audit on, and audit off), against the floor of any
#     hook: `cat` copying the same input to stdout (a process that starts,
#     reads stdin and answers);
#  2. `check` over the daemon's socket with 1, 8 and 64 concurrent clients:
#     requests per second, p50 and p99 latency;
#  3. the daemon's RSS idle (after start) and loaded (during 64 clients).
#
#   scripts/bench-agents.sh            # RUNS=500 hook runs, SECS=10 per load
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-500}
SECS=${SECS:-10}

cargo build --release --locked -q -p rampart -p rampart-server --example socket-bench --example spawn-bench
RAMPART=$PWD/target/release/rampart
LOAD=$PWD/target/release/examples/socket-bench
SPAWN=$PWD/target/release/examples/spawn-bench

OUT=$(mktemp -d)
DAEMON=""
trap '[ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null; rm -rf "$OUT"' EXIT
mkdir -p "$OUT/ws" "$OUT/run" "$OUT/home"
chmod 700 "$OUT/run"
export HOME="$OUT/home" XDG_CONFIG_HOME="$OUT/xdg" XDG_STATE_HOME="$OUT/state" XDG_RUNTIME_DIR="$OUT/run"
sed -e "s#{WS}#$OUT/ws#g" -e "s#{HOME}#$OUT/home#g" crates/cli/tests/hook/bash_allowed.json > "$OUT/input.json"
cd "$OUT/ws"

echo "== hook start to answer (runs=$RUNS; spawn, write stdin, read stdout to EOF, wait)"
"$SPAWN" "$RUNS" "$OUT/input.json" "$RAMPART" hook claude-code
printf '[audit]\nenabled = false\n' > "$OUT/noaudit.toml"
"$SPAWN" "$RUNS" "$OUT/input.json" "$RAMPART" --config "$OUT/noaudit.toml" hook claude-code
"$SPAWN" "$RUNS" "$OUT/input.json" cat

"$RAMPART" -q serve &
DAEMON=$!
SOCK="$OUT/run/rampart/rampart.sock"
for _ in $(seq 200); do [ -S "$SOCK" ] && break; sleep 0.05; done
sleep 1
rss() { awk '/VmRSS/ {print $2}' "/proc/$DAEMON/status"; }
echo "== daemon RSS idle: $(rss) kB"
echo "== check over the socket (${SECS}s each)"
for c in 1 8 64; do
  SAMPLER=""
  if [ "$c" = 64 ]; then
    ( sleep $((SECS / 2)); echo "   RSS loaded (64 clients): $(rss) kB" >&2 ) &
    SAMPLER=$!
  fi
  "$LOAD" "$SOCK" "$c" "$SECS"
  [ -z "$SAMPLER" ] || wait "$SAMPLER"
done
echo "== daemon RSS after load: $(rss) kB"
