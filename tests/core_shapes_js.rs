//! `src/js/accepted.js` holds the answer shapes as a JS table and one check written out; they must be what
//! `shape::shapes_js` writes
//! from `src/shape.rs`. `CLC_BLESS=1 cargo test --test core_shapes_js` rewrites them.
#![cfg(not(target_arch = "wasm32"))]

use clc_wasm::shape::shapes_js;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/js/accepted.js");

#[test]
fn the_js_table_is_the_one_shape_rs_writes() {
    let text = std::fs::read_to_string(FILE).unwrap();
    let generated = shapes_js();
    let end = generated
        .lines()
        .last()
        .expect("shapes_js ends with a line that says so");
    let start = text
        .find("const SHAPES = ")
        .expect("accepted.js has a `const SHAPES = ` line");
    let stop = text[start..]
        .find(end)
        .map(|at| start + at + end.len())
        .expect("accepted.js has the line that ends the generated code");
    let found = &text[start..stop];
    if found != generated && std::env::var_os("CLC_BLESS").is_some() {
        std::fs::write(FILE, text.replace(found, &generated)).unwrap();
        return;
    }
    assert_eq!(
        found, generated,
        "src/js/accepted.js's generated code is stale: run CLC_BLESS=1 cargo test --test core_shapes_js"
    );
}
