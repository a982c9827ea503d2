#!/usr/bin/env bash
# The pre-commit framework installs and runs this repository's hooks
# (.pre-commit-hooks.yaml): `pre-commit try-repo` in throwaway repositories,
# each hook once with a fake private key staged (it must fail, naming the
# rule) and once clean (it must pass). The hooks use `language: system`, so
# the rampart built here is put first on PATH (RAMPART_BIN overrides it).
#
#   scripts/test-pre-commit.sh          # after `cargo build -p rampart --bins`
#
# Network: pip, once, for pre-commit (pinned) into target/pre-commit-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PRE_COMMIT_VERSION=4.7.0
RAMPART_BIN=${RAMPART_BIN:-$ROOT/target/debug/rampart}
VENV=$ROOT/target/pre-commit-venv
[ -x "$RAMPART_BIN" ] || { echo "no $RAMPART_BIN: build it first (cargo build -p rampart --bins)" >&2; exit 1; }
if ! "$VENV/bin/pre-commit" --version 2>/dev/null | grep -qF "$PRE_COMMIT_VERSION"; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
  fi
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "pre-commit==$PRE_COMMIT_VERSION"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BIN=$WORK/bin
mkdir -p "$BIN"
ln -s "$RAMPART_BIN" "$BIN/rampart"
export PATH="$BIN:$VENV/bin:$PATH" PRE_COMMIT_HOME=$WORK/cache XDG_CONFIG_HOME=$WORK/config
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
fail() { echo "FAIL: $*" >&2; cat "$WORK/out" >&2 || true; exit 1; }

for id in $(python3 -c 'import re,sys; print(" ".join(re.findall(r"^- id: (\S+)", open(sys.argv[1]).read(), re.M)))' .pre-commit-hooks.yaml); do
  repo=$WORK/$id
  mkdir -p "$repo"
  git -C "$repo" init -q
  echo 'x = 1' >"$repo/app.py"
  git -C "$repo" add app.py
  (cd "$repo" && pre-commit try-repo "$ROOT" "$id" --all-files) >"$WORK/out" 2>&1 \
    || fail "$id: a clean repository was refused"
  # A fake key, made now: a PEM block around random bytes.
  { echo "-----BEGIN RSA PRIVATE KEY-----"; head -c 600 /dev/urandom | base64 -w 64; echo "-----END RSA PRIVATE KEY-----"; } >"$repo/id_rsa"
  git -C "$repo" add id_rsa
  if (cd "$repo" && pre-commit try-repo "$ROOT" "$id" --all-files) >"$WORK/out" 2>&1; then
    fail "$id: a staged private key passed the hook"
  fi
  grep -q 'id_rsa:1:1: rsa-private-key' "$WORK/out" || fail "$id: the finding is not in the hook's output"
  echo "ok: $id (clean passes, a staged key is refused)"
done
