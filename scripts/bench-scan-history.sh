#!/usr/bin/env bash
# Speed of `rampart scan --history` on a long history:
#
#   scripts/bench-scan-history.sh                  # 10 000 commits, 100 files
#   COMMITS=50000 FILES=500 RUNS=5 scripts/bench-scan-history.sh
#
# The repository is written by `git fast-import` from the stream of the
# rampart-scan example `history_repo` (each commit rewrites one ~4 KiB
# file; a fake GitHub token, made at run time, is planted every
# PLANT_EVERY commits and removed by a later commit). The run checks that
# every planted token is reported exactly once, then times the scan with
# hyperfine (RUNS runs after one warm-up), release build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COMMITS=${COMMITS:-10000}
FILES=${FILES:-100}
PLANT_EVERY=${PLANT_EVERY:-250}
RUNS=${RUNS:-5}
OUT=$ROOT/target/bench-scan-history
REPO=$OUT/repo-$COMMITS

cargo build --release --locked -q -p rampart --bins
cargo build --release --locked -q -p rampart-scan --example history_repo
RAMPART=$ROOT/target/release/rampart

mkdir -p "$OUT"
if [ ! -d "$REPO/.git" ]; then
  rm -rf "$REPO.tmp" && mkdir -p "$REPO.tmp"
  git -C "$REPO.tmp" init -q -b main
  "$ROOT/target/release/examples/history_repo" "$COMMITS" "$FILES" "$PLANT_EVERY" 2>"$OUT/planted" \
    | git -C "$REPO.tmp" fast-import --quiet
  git -C "$REPO.tmp" checkout -q main
  mv "$REPO.tmp" "$REPO"
fi
[ -s "$OUT/planted" ] || "$ROOT/target/release/examples/history_repo" "$COMMITS" "$FILES" "$PLANT_EVERY" 2>"$OUT/planted" >/dev/null
PLANTED=$(awk '{print $2}' "$OUT/planted")

# A user config of its own, so the machine's config does not change the scan.
export XDG_CONFIG_HOME=$OUT/config
mkdir -p "$XDG_CONFIG_HOME"
FOUND=$(cd "$REPO" && "$RAMPART" scan --history --json --exit-code 0 \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len({(f["commit"],f["fingerprint"]) for f in d["findings"]}), d["stats"]["files"])')
read -r FINDINGS SCANNED <<<"$FOUND"
echo "commits scanned: $SCANNED, findings: $FINDINGS, planted: $PLANTED" >&2
[ "$SCANNED" -eq "$COMMITS" ] || { echo "FAIL: $SCANNED commits scanned, expected $COMMITS" >&2; exit 1; }
[ "$FINDINGS" -eq "$PLANTED" ] || { echo "FAIL: $FINDINGS findings, expected $PLANTED" >&2; exit 1; }

(cd "$REPO" && hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/result.json" \
  "$RAMPART scan --history --exit-code 0 -q")
python3 - "$OUT/result.json" "$COMMITS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
n = int(sys.argv[2])
print(f"rampart scan --history, {n} commits: median {r['median']:.2f} s, "
      f"mean {r['mean']:.2f} s ± {r['stddev']:.2f}, {n / r['median']:.0f} commits/s")
PY
