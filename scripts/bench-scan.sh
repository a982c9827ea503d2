#!/usr/bin/env bash
# Speed, memory and accuracy of `rampart scan` against the secret scanners
# people use, side by side on this machine in the same run:
#   detect-secrets (pip), secretlint with its recommended preset (npm),
#   ripsecrets (cargo install).
#
#   scripts/bench-scan.sh                 # everything (peers installed on first use)
#   RUNS=5 PEER_TIMEOUT=1800 scripts/bench-scan.sh
#
# Speed corpus: a copy of the local cargo registry sources and the Python
# standard library (real code no one here wrote), nested .gitignore files
# removed so that every tool sees the same files. The page cache is warmed
# first; each tool's wall time and peak RSS come from /usr/bin/time.
# rampart runs RUNS times (median); peers run once (they take minutes).
#
# Redaction: `rampart redact` pinned to one core over a 200 MB stream made
# from the same corpus.
#
# Accuracy: the labeled corpus of rampart_detect::corpus (fake credentials
# of every built-in type planted in realistic files among hard negatives),
# generated now from SEED, scored per line by scripts/accuracy.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
PEER_TIMEOUT=${PEER_TIMEOUT:-1800}
SEED=${SEED:-$(date +%s)}
PEERS=${PEERS:-$ROOT/target/peers}
CORPUS=${CORPUS:-$ROOT/target/bench-corpus}
OUT=$ROOT/target/bench-scan
mkdir -p "$PEERS" "$CORPUS" "$OUT"

need_pkg() { # command package
  command -v "$1" >/dev/null && return
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$2"
}
need_pkg python3 python3
need_pkg npm npm
[ -x /usr/bin/time ] || need_pkg /usr/bin/time time
command -v taskset >/dev/null || need_pkg taskset util-linux
python3 -c 'import venv, ensurepip' 2>/dev/null || need_pkg /nonexistent python3-venv

if [ ! -x "$PEERS/venv/bin/detect-secrets" ]; then
  echo "installing detect-secrets (pip)" >&2
  python3 -m venv "$PEERS/venv" && "$PEERS/venv/bin/pip" install -q detect-secrets
fi
if [ ! -x "$PEERS/node/node_modules/.bin/secretlint" ]; then
  echo "installing secretlint and its recommended preset (npm)" >&2
  mkdir -p "$PEERS/node"
  (cd "$PEERS/node" && npm init -y >/dev/null &&
     npm install --silent secretlint @secretlint/secretlint-rule-preset-recommend)
fi
if [ ! -x "$PEERS/cargo/bin/ripsecrets" ]; then
  echo "installing ripsecrets (cargo install)" >&2
  cargo install -q --locked ripsecrets --root "$PEERS/cargo"
fi
DS=$PEERS/venv/bin/detect-secrets
SL=$PEERS/node/node_modules/.bin/secretlint
RS=$PEERS/cargo/bin/ripsecrets
SLRC=$OUT/secretlintrc.json
printf '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}\n' > "$SLRC"

cargo build --release --locked -q -p rampart
cargo build --release --locked -q -p rampart-detect --features testgen --example corpus
RAMPART=$ROOT/target/release/rampart
export XDG_CONFIG_HOME=$OUT/xdg   # built-in defaults, no user config

# --- the speed corpus --------------------------------------------------
SRC=$CORPUS/src
if [ ! -d "$SRC" ]; then
  echo "building the corpus in $SRC" >&2
  mkdir -p "$SRC.tmp"
  cp -rP "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ "$SRC.tmp/cargo-registry"
  cp -rP "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" "$SRC.tmp/python-stdlib"
  # Sources only: no installed packages, compiled objects or byte code.
  rm -rf "$SRC.tmp"/python-stdlib/{site-packages,dist-packages,config-*,lib-dynload}
  find "$SRC.tmp" \( -name .gitignore -o -name .ignore -o -name .secretsignore \
     -o -name '*.pyc' -o -name '*.so' -o -name '*.a' -o -type l \) -delete
  mv "$SRC.tmp" "$SRC"
fi
BYTES=$(du -sb "$SRC" | cut -f1)
FILES=$(find "$SRC" -type f | wc -l)
MB=$(python3 -c "print(round($BYTES/1e6, 1))")
echo "corpus: $FILES files, $MB MB" >&2
find "$SRC" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache

# time_one NAME LOGFILE COMMAND...: appends "seconds peak_kb exit" to NAME.times
time_one() {
  local name=$1 log=$2; shift 2
  local t rc=0
  t=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$t" timeout "$PEER_TIMEOUT" "$@" > "$log" 2>"$log.err" || rc=$?
  echo "$(tail -1 "$t") $rc" >> "$OUT/$name.times"
  rm -f "$t"
}
rm -f "$OUT"/*.times
cd "$SRC"
for _ in $(seq "$RUNS"); do
  time_one rampart "$OUT/rampart.speed.json" "$RAMPART" scan --json .
done
echo "rampart done; peers next (each may take minutes)" >&2
time_one ripsecrets "$OUT/ripsecrets.speed.txt" "$RS" .
time_one detect-secrets "$OUT/detect-secrets.speed.json" "$DS" scan --all-files .
time_one secretlint "$OUT/secretlint.speed.json" "$SL" --secretlintrc "$SLRC" --format json "**/*"

# --- redaction on one core ----------------------------------------------
STREAM=$CORPUS/stream.txt
if [ ! -f "$STREAM" ]; then
  find "$SRC" -type f \( -name '*.rs' -o -name '*.py' -o -name '*.toml' -o -name '*.md' \) -print0 |
    xargs -0 cat | head -c 200000000 > "$STREAM"
fi
STREAM_BYTES=$(stat -c %s "$STREAM")
for _ in $(seq "$RUNS"); do
  t=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$t" taskset -c 0 "$RAMPART" redact < "$STREAM" > /dev/null
  echo "$(tail -1 "$t") 0" >> "$OUT/redact.times"
  rm -f "$t"
done

# --- accuracy -------------------------------------------------------------
ACC=$CORPUS/accuracy-$SEED
rm -rf "$ACC"
"$ROOT/target/release/examples/corpus" "$ACC" "$SEED" 3 >&2
cd "$ACC/files"
"$RAMPART" scan --json . > "$ACC/rampart.json" || true
"$RS" . > "$ACC/ripsecrets.txt" || true
"$DS" scan --all-files . > "$ACC/detect-secrets.json"
"$SL" --secretlintrc "$SLRC" --format json "**/*" > "$ACC/secretlint.json" || true
COMMON=aws-access-key-id,aws-secret-access-key,github-pat,github-oauth-token,gitlab-pat,slack-bot-token,slack-webhook-url,stripe-secret-key,sendgrid-api-key,twilio-api-key,npm-access-token,pypi-upload-token,openai-api-key,rsa-private-key,openssh-private-key,ec-private-key,jwt,postgres-url-password,discord-bot-token,mailchimp-api-key
for t in rampart:rampart.json ripsecrets:ripsecrets.txt detect-secrets:detect-secrets.json secretlint:secretlint.json; do
  tool=${t%%:*}; file=${t#*:}
  python3 "$ROOT/scripts/accuracy.py" "$ACC/labels.json" "$ACC/files" "$tool" "$ACC/$file" > "$OUT/$tool.acc.json"
  ACC_ONLY=$COMMON python3 "$ROOT/scripts/accuracy.py" "$ACC/labels.json" "$ACC/files" "$tool" "$ACC/$file" > "$OUT/$tool.common.json"
done

# --- report -----------------------------------------------------------------
python3 - "$OUT" "$BYTES" "$FILES" "$STREAM_BYTES" "$SEED" "$PEER_TIMEOUT" <<'EOF'
import json, statistics, sys, os
out, total, files, stream, seed, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
def times(name):
    rows = [l.split() for l in open(os.path.join(out, name + ".times"))]
    return [(float(s), int(kb), int(rc)) for s, kb, rc in rows]
print(f"speed corpus: {files} files, {total/1e6:.1f} MB (cargo registry sources + Python stdlib), page cache warm, {os.cpu_count()} cores")
print()
print("| tool | wall (median) | MB/s | peak RSS | vs rampart |")
print("| --- | --- | --- | --- | --- |")
base = statistics.median(t[0] for t in times("rampart"))
for name in ["rampart", "ripsecrets", "detect-secrets", "secretlint"]:
    ts = times(name)
    wall = statistics.median(t[0] for t in ts)
    rss = max(t[1] for t in ts) / 1024
    rc = ts[0][2]
    if rc == 124:
        print(f"| {name} | > {limit} s (timed out) | < {total/1e6/float(limit):.2f} | {rss:.0f} MB | > {float(limit)/base:.0f}x slower |")
    else:
        ratio = "1" if name == "rampart" else f"{wall/base:.1f}x slower"
        print(f"| {name} | {wall:.2f} s | {total/1e6/wall:.1f} | {rss:.0f} MB | {ratio} |")
r = times("redact")
w = statistics.median(t[0] for t in r)
print()
print(f"rampart redact, one core (taskset -c 0), {stream/1e6:.0f} MB stream: median {w:.2f} s = {stream/1e6/w:.0f} MB/s, peak RSS {max(t[1] for t in r)/1024:.0f} MB")
print()
print(f"accuracy corpus (seed {seed}):")
print()
print("| tool | recall | precision | TP | FP | FN | recall, 20 common types |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for name in ["rampart", "ripsecrets", "detect-secrets", "secretlint"]:
    a = json.load(open(os.path.join(out, name + ".acc.json")))
    c = json.load(open(os.path.join(out, name + ".common.json")))
    print(f"| {name} | {a['recall']:.3f} | {a['precision']:.3f} | {a['true_positives']} | {a['false_positives']} | {a['false_negatives']} | {c['recall']:.3f} |")
EOF
