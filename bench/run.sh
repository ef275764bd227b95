#!/usr/bin/env bash
# `make bench`: release package, release sandbox (no injected latency), then bench/run.mjs in headless Chromium.
# Prints a Markdown table and writes bench/results.json. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
# Jobs last 10 minutes by default, so a started server keeps queuing shutDowns for the whole call-overhead phase
# (a shutDown stops the server only when its job ends); the wait phase sets each job's duration (PUT jobMs).
# The sandbox stops by itself after 10 minutes even if this script is killed.
BENCH_PROFILE=${BENCH_PROFILE:-0} SANDBOX_PROFILE=release SANDBOX_LIFETIME=600 \
  scripts/with-sandbox.sh --www bench --pkg pkg --isolate --job-ms 600000 -- node bench/run.mjs
