#!/usr/bin/env bash
# `make bench`: release package, release sandbox (no injected latency), then bench/run.mjs in headless Chromium.
# Prints a Markdown table and writes bench/results.json. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
# Jobs default to 4 s in the sandbox; the wait phase sets each job's duration itself (PUT /sandbox/faults jobMs).
# The sandbox stops by itself after 10 minutes even if this script is killed.
SANDBOX_PROFILE=release SANDBOX_LIFETIME=600 \
  scripts/with-sandbox.sh --www bench --pkg pkg --job-ms 4000 -- node bench/run.mjs
