#![cfg(target_arch = "wasm32")]
//! The wasm suite in a page of headless Chromium (see `tests/wasm_common/mod.rs`).
//! Run: `scripts/with-sandbox.sh --job-ms 300 -- cargo test --target wasm32-unknown-unknown --test browser`.

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm_common/mod.rs"]
mod common;
