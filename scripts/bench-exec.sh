#!/usr/bin/env bash
# Wall time of `rampart exec` against a bare spawn and bubblewrap, same
# machine, same run. Prints medians and p95 in milliseconds and the ratios.
#
#   scripts/bench-exec.sh            # 300 runs each (RUNS=N to change;
#                                    # BASELINE=old/rampart to compare)
#
# bubblewrap gets a comparable workspace-write, no-network policy: the
# host root read-only, the workspace and /tmp writable, fresh /dev, /proc
# and /dev/shm, every namespace unshared. (bubblewrap adds no Landlock or
# seccomp layer here; rampart does both, plus cgroup limits.)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-300}

for tool in bwrap hyperfine python3; do
  if ! command -v "$tool" >/dev/null; then
    pkg=$tool; [ "$tool" = bwrap ] && pkg=bubblewrap
    echo "installing $pkg" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg"
  fi
done

cargo build --release --locked -q -p rampart
RAMPART=$PWD/target/release/rampart
WS=$(mktemp -d "$PWD/target/bench-ws.XXXXXX")
trap 'rm -rf "$WS"' EXIT
OUT=$(mktemp -d)
export XDG_CONFIG_HOME="$OUT/xdg"   # built-in defaults, no user config
export XDG_STATE_HOME="$OUT/state"  # a throw-away audit trail (auditing is on, as by default)

BWRAP=(bwrap --ro-bind / / --bind "$WS" "$WS" --bind /tmp /tmp --dev /dev --proc /proc
       --tmpfs /dev/shm --unshare-all --die-with-parent --chdir "$WS" --)
WORK=(sh -c 'for i in 1 2 3 4 5 6 7 8; do ls -la /usr/bin >/dev/null; done; echo x > out.txt; cat out.txt >/dev/null')

run() { # name, command...
  local name=$1; shift
  hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$OUT/$name.json" -- "$(printf '%q ' "$@")" >/dev/null
}

cd "$WS"
run bare-true true
run bwrap-true "${BWRAP[@]}" true
run rampart-true "$RAMPART" exec -- true
run rampart-nolimits-true "$RAMPART" exec --memory 0 --max-procs 0 -- true
run bare-work "${WORK[@]}"
run bwrap-work "${BWRAP[@]}" "${WORK[@]}"
run rampart-work "$RAMPART" exec -- "${WORK[@]}"
run rampart-nolimits-work "$RAMPART" exec --memory 0 --max-procs 0 -- "${WORK[@]}"
# BASELINE=/path/to/an/older/rampart adds its rows, same run, same workspace.
if [ -n "${BASELINE:-}" ]; then
  run baseline-true "$BASELINE" exec -- true
  run baseline-work "$BASELINE" exec -- "${WORK[@]}"
fi

python3 - "$OUT" <<'PY'
import json, sys, statistics, platform, os
out = sys.argv[1]
def stats(name):
    t = sorted(json.load(open(f"{out}/{name}.json"))["results"][0]["times"])
    p95 = t[min(len(t) - 1, int(round(0.95 * (len(t) - 1))))]
    return statistics.median(t) * 1e3, p95 * 1e3
print(f"host: {platform.node()} {platform.release()}, {os.cpu_count()} cores, runs={len(json.load(open(f'{out}/bare-true.json'))['results'][0]['times'])}")
print(f"{'command':<24}{'median ms':>11}{'p95 ms':>9}")
rows = {}
for w in ("true", "work"):
    for tool in ("bare", "bwrap", "rampart", "rampart-nolimits"):
        rows[(tool, w)] = stats(f"{tool}-{w}")
        m, p = rows[(tool, w)]
        print(f"{tool + ' ' + w:<24}{m:>11.2f}{p:>9.2f}")
if os.path.exists(f"{out}/baseline-true.json"):
    for w in ("true", "work"):
        rows[("baseline", w)] = stats(f"baseline-{w}")
        m, p = rows[("baseline", w)]
        print(f"{'baseline ' + w:<24}{m:>11.2f}{p:>9.2f}")
        print(f"{w}: rampart/baseline median ratio {rows[('rampart', w)][0] / m:.2f}")
for w in ("true", "work"):
    b, bare = rows[("bwrap", w)][0], rows[("bare", w)][0]
    for tool in ("rampart", "rampart-nolimits"):
        r = rows[(tool, w)][0]
        print(f"{w}: {tool}/bwrap median ratio {r / b:.2f}, {tool} - bare {r - bare:+.2f} ms")
PY
