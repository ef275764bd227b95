//! The JavaScript edge (wasm32 only): the exported `Clc` class over the pure core.
//!
//! This is the only code that touches `JsValue`, `fetch`, timers and `AbortSignal`. Data flows one way:
//! JS arguments -> `convert` (checks, through `object`'s guarded reads) -> `crate::request` -> `transport`
//! (fetch) -> `crate::response` -> plain JS objects; failures become `ClcError`s at one boundary, `errors`'s
//! `From<Error> for JsValue`.
//!
//! Why not gloo-net: it cannot use a caller-supplied `fetch`, needs `window` or a worker scope (Node 18 has
//! neither), and hits `unreachable!` (killing the instance) on a non-Error abort reason. `fetch` is called
//! directly instead, with an `AbortController` only the SDK aborts ([`stop`]).

// The chain, each module using only those above it: object access, callbacks -> convert, errors -> stop, transport ->
// sender -> session -> wait loop, listing -> calls -> client (the exported classes). Nothing but this file names `client`.
mod callback;
mod join;
mod object;

mod convert;
mod errors;

mod timer;

mod stop;
mod transport;

mod line;

mod sender;
mod session;

mod listing;
mod wait_loop;

mod calls;

mod client;

mod types;

pub use client::{Clc, ClcRequests, METHODS};

/// The allocator: talc rather than the default dlmalloc, for size (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
