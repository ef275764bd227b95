//! `src/js/accepted.js` holds the answer shapes as a JS table; it must be the one `shape::shapes_js` writes
//! from `src/shape.rs`. `CLC_BLESS=1 cargo test --test core_shapes_js` rewrites the file's table.
#![cfg(not(target_arch = "wasm32"))]

use clc_wasm::shape::shapes_js;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/js/accepted.js");

#[test]
fn the_js_table_is_the_one_shape_rs_writes() {
    let text = std::fs::read_to_string(FILE).unwrap();
    let line = text
        .lines()
        .find(|line| line.starts_with("const SHAPES = "))
        .expect("accepted.js has a `const SHAPES = ` line");
    let table = shapes_js();
    if line != table && std::env::var_os("CLC_BLESS").is_some() {
        std::fs::write(FILE, text.replace(line, &table)).unwrap();
        return;
    }
    assert_eq!(
        line, table,
        "src/js/accepted.js's table is stale: run CLC_BLESS=1 cargo test --test core_shapes_js"
    );
}
