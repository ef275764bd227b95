#!/usr/bin/env bash
# Installs what the build and the tests need, idempotently: each step checks before it installs.
# Usage: scripts/setup.sh [wasm] [chromium] [firefox] [webkit] [node]   (no argument: all of them)
set -euo pipefail
cd "$(dirname "$0")/.."

steps=("$@"); [ ${#steps[@]} -eq 0 ] && steps=(wasm chromium firefox webkit node)

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock, or the glue it writes will not match.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock
}

setup_wasm() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "setup: adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  [ -f Cargo.lock ] || cargo generate-lockfile
  local want_version have_version
  want_version=$(wasm_bindgen_version)
  have_version=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have_version" != "$want_version" ]; then
    echo "setup: installing wasm-bindgen-cli $want_version (have: ${have_version:-none}); this takes a few minutes once"
    # --locked can name a dependency version the registry no longer serves; then let cargo resolve afresh.
    cargo install wasm-bindgen-cli --version "$want_version" --locked \
      || cargo install wasm-bindgen-cli --version "$want_version"
  fi
}

# Debian packages, installed only when one of them is missing. Other people may be installing at the same time:
# wait for dpkg's lock instead of failing.
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing Debian's ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! command -v apt-get >/dev/null || { [ -n "$sudo" ] && ! command -v sudo >/dev/null; }; then
    echo "setup: cannot install here: install Debian's ${missing[*]}" >&2
    return 1
  fi
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}"
}

setup_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return 0; fi
  apt_install chromium chromium-driver
}

# Firefox ESR (Debian's), driven by geckodriver: a crate, built once into ~/.cargo/bin (pinned, so every machine
# drives Firefox the same way). Never a driver or browser downloaded at run time.
GECKODRIVER_VERSION=0.37.1
setup_firefox() {
  [ -x /usr/bin/firefox-esr ] || apt_install firefox-esr
  local have
  have=$(geckodriver --version 2>/dev/null | awk 'NR == 1 {print $2}' || true)
  if [ "$have" != "$GECKODRIVER_VERSION" ]; then
    echo "setup: building geckodriver $GECKODRIVER_VERSION (have: ${have:-none}); this takes a few minutes once"
    # --debug: a test driver needs no optimised build, and it compiles in a fraction of the time (a release build
    # took 30 minutes on a busy 2-core machine).
    cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked --debug
  fi
}

# WebKitGTK (the engine of Safari): its WebDriver, WebKitWebDriver, starts the MiniBrowser, which has no headless
# mode and so runs on a virtual X display (xvfb-run).
setup_webkit() {
  if [ -x /usr/bin/WebKitWebDriver ] && command -v xvfb-run >/dev/null && command -v xauth >/dev/null; then return 0; fi
  apt_install webkit2gtk-driver xvfb xauth
}

setup_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "setup: Node.js 18+ and npm are needed" >&2
    return 1
  fi
  # npm ci is exact; the stamp (a copy of the lockfile it installed) makes a second run free.
  if ! cmp -s package-lock.json node_modules/.clc-stamp 2>/dev/null; then
    echo "setup: installing the npm dev tools (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.clc-stamp
  fi
}

for step in "${steps[@]}"; do
  case "$step" in
    wasm) setup_wasm ;;
    chromium) setup_chromium ;;
    firefox) setup_firefox ;;
    webkit) setup_webkit ;;
    node) setup_node ;;
    *) echo "setup: unknown step $step" >&2; exit 2 ;;
  esac
done
