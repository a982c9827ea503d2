#!/usr/bin/env bash
# Every check CI runs: formatting, lints, the build, all tests (unit,
# integration, the sandbox attack suite, doctests) and the docs.
# Works on a fresh Debian machine with a Rust toolchain; installs what the
# tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

need_pkgs=()
command -v git >/dev/null || need_pkgs+=(git)
command -v sleep >/dev/null || need_pkgs+=(coreutils)
# Node: its WHATWG `URL` is the second parser of the URL differential test.
command -v node >/dev/null || need_pkgs+=(nodejs)
if ((${#need_pkgs[@]})); then
  step "installing ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}"
fi

step "SARIF 2.1.0 schema (npm registry) and jsonschema (PyPI) for the SARIF test"
SARIF_DIR=$(mktemp -d)
(cd "$SARIF_DIR" && npm pack -q @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null \
  && tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json)
export RAMPART_SARIF_SCHEMA="$SARIF_DIR/package/lib/schemas/sarif-2.1.0-rtm.5.json"
python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q jsonschema
python3 -c 'import jsonschema' || { echo "jsonschema is needed for the SARIF test"; exit 1; }

step "the OCSF 1.3.0 schema (PyPI ocsf-json-schema, pinned) for the audit event validation test"
python3 -c 'import importlib.metadata as m; assert m.version("ocsf-json-schema") == "1.2.0"' 2>/dev/null \
  || python3 -m pip install -q ocsf-json-schema==1.2.0
python3 -c 'import ocsf_json_schema' || { echo "ocsf-json-schema is needed for the OCSF test"; exit 1; }
export RAMPART_REQUIRE_OCSF=1

step "the official Python MCP SDK (PyPI) for the MCP client tests"
python3 -c 'import mcp' 2>/dev/null || python3 -m pip install -q mcp
python3 -c 'import mcp' || { echo "the Python MCP SDK is needed for the MCP tests"; exit 1; }
RAMPART_TEST_PYTHON=$(python3 -c 'import sys; print(sys.executable)')
export RAMPART_TEST_PYTHON RAMPART_REQUIRE_MCP=1

step "PostgreSQL for the audit tests (Debian package, initialised in a temp dir)"
eval "$(scripts/pg-test-server.sh)"
trap '"$RAMPART_TEST_PG_CTL" destroy' EXIT
export RAMPART_REQUIRE_PG=1

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "build (the attack suite runs the real binaries)"
cargo build --workspace --bins --locked

step "pre-commit try-repo: the hooks install and run (pip: pre-commit, pinned)"
scripts/test-pre-commit.sh

step "tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi

step "doctests"
cargo test --workspace --doc --locked

step "cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "fuzz targets build and pass their seeds (scripts/fuzz.sh fuzzes for real)"
cargo build --manifest-path fuzz/Cargo.toml --locked --bins
for t in shell_parser config detect ipc inline glob url hook; do
  ./fuzz/target/debug/$t -runs=0 fuzz/corpus/$t >/dev/null 2>&1 || { echo "fuzz target $t fails on its seed corpus"; exit 1; }
done

step "rampart doctor (what this host enforces)"
./target/debug/rampart doctor --no-trial || true

echo
echo "all checks passed"
