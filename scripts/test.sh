#!/usr/bin/env bash
# `make test`: every check, each as a stage; a summary line at the end; non-zero exit if any stage failed.
# Each stage that needs a sandbox starts its own (scripts/with-sandbox.sh: an OS-picked 127.0.0.1 port, a bounded
# lifetime, stopped when the stage ends), so stages never share state and parallel runs never collide.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
# A browser stage that hangs must not eat CI's budget: each sandbox (and so each stage using one) ends by then.
export SANDBOX_LIFETIME=${SANDBOX_LIFETIME:-900}

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

# The wasm build must not carry serde_json (a large parser and deserializer): it reads answers with the few KB of
# src/parsed.rs (DESIGN.md).
no_serde_json_in_wasm() {
  if cargo tree -p clc-wasm --target wasm32-unknown-unknown -e normal | grep -q serde_json; then
    echo "serde_json is in the wasm dependency tree:" >&2
    cargo tree -p clc-wasm --target wasm32-unknown-unknown -e normal -i serde_json >&2
    return 1
  fi
  echo "no serde_json in the wasm build"
}

# The public TypeScript API: tests/ts/api.ts uses all of it under --strict, and no declaration says `any`.
typescript_api() {
  node_modules/.bin/tsc -p tests/ts/tsconfig.json && echo "tests/ts/api.ts type-checks (--strict)" &&
    node tests/ts/no-any.mjs pkg
}

# The wasm as tested (with std: wasm-bindgen-test needs it) and as shipped (no_std, see Cargo.toml's features).
clippy_wasm() {
  cargo clippy -p clc-wasm --target wasm32-unknown-unknown --all-targets -- -D warnings &&
    cargo clippy -p clc-wasm --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
}

wasm_suite() {
  scripts/with-sandbox.sh --job-ms 300 -- \
    cargo test -p clc-wasm --target wasm32-unknown-unknown --test "$1"
}

# Firefox ESR through geckodriver (wasm-bindgen-test-runner adds -headless); the binary and prefs come from
# scripts/webdriver-firefox.json. GECKODRIVER wins over CHROMEDRIVER in the runner's choice of driver.
wasm_suite_firefox() {
  GECKODRIVER=$(command -v geckodriver) GECKODRIVER_ARGS="--websocket-port 0" \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON=scripts/webdriver-firefox.json scripts/in-group.sh \
    scripts/with-sandbox.sh --job-ms 300 -- cargo test -p clc-wasm --target wasm32-unknown-unknown --test "$1"
}

# WebKitGTK through WebKitWebDriver, which the runner drives as it drives safaridriver (SAFARIDRIVER, chosen before
# CHROMEDRIVER): the session starts WebKitGTK's MiniBrowser, which has no headless mode, on a virtual X display.
wasm_suite_webkit() {
  SAFARIDRIVER=/usr/bin/WebKitWebDriver scripts/in-group.sh xvfb-run -a -s "-screen 0 1280x1024x24" \
    scripts/with-sandbox.sh --job-ms 300 -- cargo test -p clc-wasm --target wasm32-unknown-unknown --test "$1"
}

demo_walk() {
  local wrap=()
  [ "$1" = webkit ] && wrap=(xvfb-run -a -s "-screen 0 1280x1024x24")
  scripts/in-group.sh "${wrap[@]+"${wrap[@]}"}" \
    scripts/with-sandbox.sh --www www --pkg pkg --job-ms 1500 -- node tests/browsers/demo-walk.mjs "$1"
}

stage "setup" bash scripts/setup.sh
stage "rustfmt" cargo fmt --all -- --check
stage "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
stage "clippy (wasm32)" clippy_wasm
stage "core tests (native)" cargo test -p clc-wasm
stage "sandbox tests" cargo test -p clc-sandbox
stage "JS fast path of answers vs the core (tests/accepted, 20,000 random texts)" node tests/accepted/run.mjs 20000
stage "no serde_json in wasm" no_serde_json_in_wasm
stage "the build's panic-formatting drop (tests/build)" node tests/build/drop-panic-messages.mjs
stage "the build's panic-location zeroing (tests/build)" node tests/build/zero-panic-locations.mjs
stage "the build's function order (tests/build)" node tests/build/order-functions.mjs
stage "the wasm reader and the size breakdown (tests/build)" node tests/build/wasm-sections.mjs
stage "package build" bash scripts/build.sh
stage "TypeScript API" typescript_api
stage "wasm tests (page, headless Chromium)" wasm_suite browser
stage "wasm tests (dedicated worker, headless Chromium)" wasm_suite worker
stage "wasm tests (page, headless Firefox)" wasm_suite_firefox browser
stage "wasm tests (dedicated worker, headless Firefox)" wasm_suite_firefox worker
stage "wasm tests (page, WebKit MiniBrowser on Xvfb)" wasm_suite_webkit browser
stage "wasm tests (dedicated worker, WebKit MiniBrowser on Xvfb)" wasm_suite_webkit worker
stage "make pack (target/pack/clc-wasm-<version>.tgz)" env PACK_NO_BUILD=1 bash scripts/pack.sh
stage "package tests (the make pack tarball; Node, Deno, Bun, workerd, Vite 7 and 8, webpack, page, TypeScript, publint, attw)" \
  scripts/in-group.sh scripts/with-sandbox.sh --job-ms 300 -- node tests/package/run.mjs
stage "demo page end to end (headless Chromium)" \
  scripts/with-sandbox.sh --www www --pkg pkg --job-ms 1500 -- node tests/e2e/demo.mjs
stage "demo walk (headless Firefox, WebDriver BiDi)" demo_walk firefox
stage "demo walk (WebKit MiniBrowser on Xvfb, WebDriver)" demo_walk webkit

echo
[ ${#failures[@]} -eq 0 ] || echo "failed stages: ${failures[*]}"
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
