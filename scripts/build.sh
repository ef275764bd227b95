#!/usr/bin/env bash
# `make build`: the npm package in pkg/ (release wasm -> wasm-bindgen --target web -> wasm-opt -Oz -> pkg-template/).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh wasm node

# Several test stages (and people) may build at once: one build at a time, and pkg/ is replaced in one rename
# so a reader never sees it half-written.
mkdir -p target
exec 9>target/.build.lock
flock 9

cargo build -q -p clc-wasm --lib --target wasm32-unknown-unknown --release
out=target/pkg-build
rm -rf "$out"
wasm-bindgen target/wasm32-unknown-unknown/release/clc_wasm.wasm \
  --target web --out-dir "$out" --out-name clc_wasm
node scripts/finish-dts.mjs "$out"
# The features rustc enables by default for wasm32; wasm-opt must be told it may keep them.
node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/clc_wasm_bg.wasm" -o "$out/clc_wasm_bg.wasm"

cp -R pkg-template/. "$out"/
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
node -e '
  const fs = require("fs");
  const file = process.argv[1] + "/package.json";
  const p = JSON.parse(fs.readFileSync(file, "utf8"));
  p.version = process.argv[2];
  fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n");
' "$out" "$version"

rm -rf target/pkg-old
[ -d pkg ] && mv pkg target/pkg-old
mv "$out" pkg
rm -rf target/pkg-old

wasm_gz=$(gzip -9 -c pkg/clc_wasm_bg.wasm | wc -c)
js_gz=$(cat pkg/index.js pkg/clc_wasm.js pkg/errors.js | gzip -9 -c | wc -c)
echo "build: pkg/ ready (clc-wasm $version): wasm $(wc -c <pkg/clc_wasm_bg.wasm) B raw, $wasm_gz B gzip -9; browser JS $js_gz B gzip -9"
