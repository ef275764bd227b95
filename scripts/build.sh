#!/usr/bin/env bash
# `make build`: the npm package in pkg/ (release wasm -> wasm-bindgen --target web -> wasm-opt -> pkg-template/).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh wasm node

# Several test stages (and people) may build at once: one build at a time, and pkg/ is replaced in one rename
# so a reader never sees it half-written.
mkdir -p target
exec 9>target/.build.lock
flock 9

# The crates' paths in panic locations (their data, which nothing reads: the panic handler traps) written short:
# `js-sys-0.3.107/src/...` instead of `$CARGO_HOME/registry/src/index.crates.io-<hash>/js-sys-0.3.107/src/...`.
registry=$(cd "${CARGO_HOME:-$HOME/.cargo}" && pwd)/registry/src
for index in "$registry"/*/; do
  [ -d "$index" ] && RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$index="
done
export RUSTFLAGS="${RUSTFLAGS:-}"
cargo build -q -p clc-wasm --lib --target wasm32-unknown-unknown --release --no-default-features
out=target/pkg-build
rm -rf "$out"
wasm-bindgen target/wasm32-unknown-unknown/release/clc_wasm.wasm \
  --target web --out-dir "$out" --out-name clc_wasm
node scripts/inline-snippets.mjs "$out"
# The nine server operations try the JS fast path first (the script says how; src/js/session.rs says why).
node scripts/fast-methods.mjs "$out/clc_wasm.js"
node scripts/finish-dts.mjs "$out"
# wasm-opt, twice, with the panic messages' formatting code dropped in between (the script says why).
bash scripts/optimize-wasm.sh "$out/clc_wasm_bg.wasm" "$out/clc_wasm_bg.wasm"
# Short names for the imports and exports (all but memory), in the module and the glue: wasm-bindgen's names, many
# with a hash that does not compress, cost about 2.7 KB gzip (the script says more).
node scripts/short-names.mjs "$out/clc_wasm_bg.wasm" "$out/clc_wasm.js"

cp -R pkg-template/. "$out"/
cp LICENSE-MIT LICENSE-APACHE "$out"/
# The browser downloads the glue and errors.js; their doc comments live in the .d.ts files. The glue is minified
# (scripts/minify-glue.mjs says what it keeps); errors.js, small and hand-written, only loses comments and
# indentation, so its names stay as written.
node scripts/guard-glue.mjs "$out/clc_wasm.js"
node scripts/glue-strings.mjs "$out/clc_wasm.js"
node scripts/minify-glue.mjs "$out/clc_wasm.js"
node_modules/.bin/esbuild "$out/errors.js" --minify-whitespace --legal-comments=none --format=esm \
  --log-level=warning --outfile="$out/errors.min.js"
mv "$out/errors.min.js" "$out/errors.js"
# The browser entry is one module: pkg-template/index.js with its two imports (the glue, errors.js) inlined, so the
# wasm's fetch starts as soon as the entry arrives, not after a second round of fetches (entry -> glue -> wasm, three
# in a row). A plain join, not a bundler: esbuild would turn `export class Clc` into `var Clc = class _Clc`, which
# renames the class. init.js and node.js keep importing the glue file.
node -e '
  const fs = require("fs");
  const dir = process.argv[1];
  const read = (f) => fs.readFileSync(dir + "/" + f, "utf8");
  const once = (text, from, to) => {
    const n = text.split(from).length - 1;
    if (n !== 1) throw new Error("build: inlining index.js: " + JSON.stringify(from) + " found " + n + " times, not once");
    return text.replace(from, () => to);
  };
  const glue = once(read("clc_wasm.js"), "export{initSync,__wbg_init as default};", "export{initSync};");
  const errors = read("errors.js");
  if (/\b(?:class|function|const|let|var)\s+(ClcError|isClcError|__clc_init)\b/.test(glue)) throw new Error("build: inlining index.js: a glue name collides");
  let entry = read("index.js").split("\n").filter((l) => !l.startsWith("//")).join("\n");
  entry = once(entry, "import init from \"./clc_wasm.js\";\n", "");
  entry = once(entry, "export * from \"./clc_wasm.js\";\n", "");
  entry = once(entry, "export { ClcError, isClcError } from \"./errors.js\";\n", "");
  entry = once(entry, "await init(", "await __wbg_init(");
  fs.writeFileSync(dir + "/index.js", glue.trimEnd() + "\n" + errors.trimEnd() + "\n" + entry.trim() + "\n");
' "$out"
# CommonJS copies for node.cjs (Node versions that cannot require() an ES module). The glue's only ESM-only
# part, import.meta.url, serves init()'s default wasm path, which node.cjs never takes: it passes the bytes.
for module in clc_wasm errors; do
  node_modules/.bin/esbuild "$out/$module.js" --format=cjs --minify-whitespace --legal-comments=none \
    --log-level=error --outfile="$out/$module.cjs"
done
# Their declarations, read as CommonJS (index.d.cts and init.d.cts import these): the same text, no imports to rewrite.
for module in clc_wasm errors; do cp "$out/$module.d.ts" "$out/$module.d.cts"; done
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

wasm_gz=$(gzip -9 -c <pkg/clc_wasm_bg.wasm | wc -c)
js_gz=$(gzip -9 -c <pkg/index.js | wc -c) # the browser entry is one file (see above)
echo "build: pkg/ ready (clc-wasm $version): wasm $(wc -c <pkg/clc_wasm_bg.wasm) B raw, $wasm_gz B gzip -9; browser JS $js_gz B gzip -9"
