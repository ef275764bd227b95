#!/usr/bin/env bash
# `make pack`: the release artifact, target/pack/clc-wasm-<version>.tgz, packed from pkg/ by npm (what
# `npm publish` would upload). Every package test installs this very file. Builds pkg/ first unless PACK_NO_BUILD=1
# (test.sh has just built it).
set -euo pipefail
cd "$(dirname "$0")/.."

[ "${PACK_NO_BUILD:-0}" = 1 ] || bash scripts/build.sh
mkdir -p target/pack
# One packer at a time, and the tarball replaced in one rename: a package test never installs half a file.
exec 9>target/pack/.lock
flock 9
tmp=$(mktemp -d target/pack/.tmp.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
name=$(npm pack ./pkg --pack-destination "$tmp" --json --loglevel=error | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)[0].filename));')
mv "$tmp/$name" "target/pack/$name"
# Only the current version's tarball is left, so `target/pack/clc-wasm-*.tgz` names one file.
for old in target/pack/clc-wasm-*.tgz; do [ "$old" = "target/pack/$name" ] || rm -f "$old"; done
echo "pack: target/pack/$name ($(wc -c <"target/pack/$name") B, sha256 $(sha256sum "target/pack/$name" | cut -c1-16)...)"
