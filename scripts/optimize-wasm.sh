#!/usr/bin/env bash
# The wasm-opt steps of scripts/build.sh, shared with bench/run.mjs's named build so that its size breakdown and
# profiles are of the code the package ships.
# Usage: scripts/optimize-wasm.sh <in.wasm> <out.wasm> [--keep-names]   (in and out may be the same file)
# --keep-names keeps the name section (wasm-opt -g), for the bench; the package's module has none.
set -euo pipefail
in=$(realpath "$1") out=$(realpath -m "$2")
cd "$(dirname "$0")/.."
names=(--strip-debug)
[ "${3:-}" = --keep-names ] && names=(-g)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -Os, not -Oz: for this module -Os gives the smaller *gzipped* file (about 330 B less; -Oz wins only raw),
# and faster code. --converge repeats the passes while they still gain; the producers and target_features
# sections are metadata no runtime reads. The --enable flags are the features rustc turns on for wasm32.
# --low-memory-unused (-576 B gzip) lets constant offsets fold into loads and stores: rustc's wasm32 layout puts
# the 1 MiB stack first, growing down to address 0, so the low 1 KiB is only reached by a stack about to overflow.
# --one-caller-inline-max-function-size=20 (-2,325 B gzip): binaryen inlines a function called from one place
# whatever its size by default, and every such copy, fused into its caller, is a byte pattern gzip meets once;
# kept apart, the callee's code compresses against its like. Limits 5 to 30 all gave 63.5-63.7 KB before short
# names (unlimited 66.0 KB, 0 63.9 KB, 100 64.7 KB); in Chromium, three alternating BENCH_ONLY=calls runs each,
# one call 1.091-1.103 before and 1.093-1.107 after, the batches alike (noise).
features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
optimize=(node_modules/.bin/wasm-opt -Os --converge --low-memory-unused --one-caller-inline-max-function-size=20 $features)
# --flatten --rereloop between two -Os runs of the first pass (-419 B gzip): the Relooper rebuilds each function's
# control flow from its basic blocks, in shapes that compress better here; a second round of the two gained 71 B
# more, not kept. Side by side with the plain first pass, three alternating BENCH_ONLY=calls runs each: one call
# 1.067-1.071 against 1.060-1.097, hot_us 8.7-9.9 against 9.7-12 (noise).
# First with the names kept (-g), for scripts/drop-panic-messages.mjs (-1,106 B gzip: the panic messages' formatting
# code, which the trapping panic handler never runs; -786 B more: core's panic functions made to trap at once, so
# their callers stop passing them messages and locations; the script says why it is safe), then again to drop what that
# left uncalled, the metadata and (unless --keep-names) the names.
"${optimize[@]}" --flatten --rereloop -Os -g "$in" -o "$tmp/named.wasm"
node_modules/.bin/wasm-dis $features "$tmp/named.wasm" -o "$tmp/named.wat"
node scripts/drop-panic-messages.mjs "$tmp/named.wat"
node_modules/.bin/wasm-as $features -g "$tmp/named.wat" -o "$tmp/named.wasm"
# The functions in the order gzip codes best (-670 B gzip; the script says how, and why it is safe): worked out on the
# module this pass makes, and applied before it, as the pass keeps the functions' order.
"${optimize[@]}" -g --strip-producers --strip-target-features "$tmp/named.wasm" -o "$tmp/measured.wasm"
node scripts/order-functions.mjs "$tmp/measured.wasm" "$tmp/named.wasm" "$tmp/ordered.wasm"
"${optimize[@]}" "${names[@]}" --strip-producers --strip-target-features "$tmp/ordered.wasm" -o "$out"
# Last, the panic locations that code no longer names are zeroed in the data (-742 B gzip; the script says why).
node scripts/zero-panic-locations.mjs "$out"
