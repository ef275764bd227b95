#!/usr/bin/env bash
# `make docs`: the API reference. typedoc reads the package's .d.ts (what users import) into target/docs/js;
# cargo doc documents the Rust crate into target/doc. Builds pkg/ first when there is none (a fresh clone).
# typedoc lives in scripts/docs/ with its own lockfile: it needs TypeScript's JS compiler API (TypeScript 6), while
# the repository's type checks use TypeScript 7.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh node
[ -f pkg/index.d.ts ] && [ -f pkg/clc_wasm.d.ts ] || bash scripts/build.sh
if ! cmp -s scripts/docs/package-lock.json scripts/docs/node_modules/.clc-stamp 2>/dev/null; then
  echo "docs: installing typedoc (npm ci in scripts/docs)"
  (cd scripts/docs && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.clc-stamp)
fi

rm -rf target/docs/js
(cd scripts/docs && node_modules/.bin/typedoc --options typedoc.json --logLevel Warn)
echo "docs: target/docs/js/index.html (typedoc, from pkg/*.d.ts)"

cargo doc -q -p clc-wasm --no-deps
echo "docs: target/doc/clc_wasm/index.html (cargo doc)"
