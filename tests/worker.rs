#![cfg(target_arch = "wasm32")]
//! The wasm suite in a dedicated Web Worker of headless Chromium: no `window`, no DOM (see
//! `tests/wasm_common/mod.rs`).
//! Run: `scripts/with-sandbox.sh --job-ms 300 -- cargo test --target wasm32-unknown-unknown --test worker`.

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[path = "wasm_common/mod.rs"]
mod common;
