//! clc-wasm: a CenturyLink Cloud (CLC) API v2 client, as a pure Rust core with a thin WebAssembly edge.
