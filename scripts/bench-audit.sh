#!/usr/bin/env bash
# The audit trail's costs, same machine, same run:
#  1. events per second appended (batched x1000 with one fsync per batch;
#     one at a time with an fsync each; one at a time handed to the kernel),
#     JSON lines + SQLite, redaction on;
#  2. what auditing adds to `rampart exec -- true`: audit on (the default)
#     against `[audit] enabled = false`, medians and p95 over RUNS runs.
#
#   scripts/bench-audit.sh            # RUNS=300, N=100000 events
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-300}
N=${N:-100000}

command -v hyperfine >/dev/null || {
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq hyperfine
}
cargo build --release --locked -q -p rampart -p rampart-audit --example append-bench
echo "== appends (N=$N)"
./target/release/examples/append-bench "$N"

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export XDG_CONFIG_HOME="$OUT/xdg" XDG_STATE_HOME="$OUT/state"
printf '[audit]\nenabled = true\n' > "$OUT/on.toml"
printf '[audit]\nenabled = false\n' > "$OUT/off.toml"
RAMPART=$PWD/target/release/rampart
cd "$OUT"
for mode in on off; do
  hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$OUT/$mode.json" \
    -- "$RAMPART --config $OUT/$mode.toml -q exec -- true" >/dev/null 2>&1
done
echo "== rampart exec -- true, audit on vs off (runs=$RUNS)"
python3 - "$OUT" <<'PY'
import json, sys, statistics
out = sys.argv[1]
def stats(name):
    t = sorted(json.load(open(f"{out}/{name}.json"))["results"][0]["times"])
    return statistics.median(t) * 1e3, t[int(round(0.95 * (len(t) - 1)))] * 1e3
on, off = stats("on"), stats("off")
print(f"audit on : median {on[0]:.2f} ms, p95 {on[1]:.2f} ms")
print(f"audit off: median {off[0]:.2f} ms, p95 {off[1]:.2f} ms")
print(f"added by auditing: {on[0] - off[0]:+.2f} ms at the median ({on[0] / off[0]:.2f}x)")
PY
