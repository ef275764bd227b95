#!/usr/bin/env bash
# `make test`: every check, each as a stage; a summary line at the end; non-zero exit if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

passed=0; failed=0; failures=()
stage() {
  local name=$1; shift
  echo
  echo "==> $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "<== $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "<== $name: FAILED ($((SECONDS - start)) s)"
  fi
}

stage "setup" bash scripts/setup.sh
stage "rustfmt" cargo fmt --all -- --check
stage "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
stage "core tests (native)" cargo test -p clc-wasm
# sandbox stage (issue 3)
# wasm stages (issue 4)
# package stages (issue 5)
# demo stage (issue 6)

echo
[ ${#failures[@]} -eq 0 ] || echo "failed stages: ${failures[*]}"
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
