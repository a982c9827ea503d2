#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that see untrusted bytes, on the
# stable toolchain: libFuzzer (libfuzzer-sys) with LLVM sanitizer-coverage
# instrumentation switched on through stable `-C passes`/`-C llvm-args`.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     # default 60
#
# Targets: shell_parser (tree-sitter-bash analysis + decide), inline (interpreter code:
# tree-sitter Python/JavaScript, awk, Vim), glob and url (globs, host patterns, the
# WHATWG URL parser and host normalisation), config (TOML
# layers; an untrusted project never loosens), detect, ipc (daemon frames
# and JSON-RPC requests: no panic, cap held, round trip, allowlist only), hook (a Claude
# Code call through plan and Gate::judge_with: never looser than the policy, recorded
# as answered). Seeds live in fuzz/corpus;
# new inputs go to a scratch copy, crashes to fuzz/artifacts.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS=${1:-60}
TARGET=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
cargo build --release --locked --target "$TARGET" --target-dir target/cov
mkdir -p artifacts
for t in shell_parser config detect ipc inline glob url hook; do
  work=$(mktemp -d)
  cp -r "corpus/$t/." "$work/"
  echo "==> $t for ${SECS}s"
  "target/cov/$TARGET/release/$t" "$work" -max_total_time="$SECS" -max_len=4096 \
    -artifact_prefix="artifacts/$t-" 2>&1 | grep -E "DONE|ERROR|deadly|panicked" || true
  rm -rf "$work"
done
ls artifacts | grep -q . && { echo "crashes found in fuzz/artifacts"; exit 1; }
echo "no crashes"
