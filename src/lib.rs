//! clc-wasm: a CenturyLink Cloud (CLC) API v2 client, as a pure Rust core with a thin WebAssembly edge.
//!
//! The core decides everything that needs no I/O and is tested natively: [`validate`] checks inputs,
//! [`request`] builds each request, [`response`] decodes each answer or error body, [`wait`] is the polling
//! policy with time passed in. The session policies are pure too: [`queue`] (`maxConcurrent`, with
//! [`retry_after`] pauses), [`refresh`] (single-flight token refresh), [`redact`] (secrets out of error text),
//! [`jwt`] (a token's expiry) and [`order`] (batch results in request order). The `js` module (wasm32 only)
//! sends requests with `fetch` and exposes the `Clc` class to JavaScript.
//!
//! ```
//! use clc_wasm::{model::Token, request::Requests, validate::*};
//! let requests = Requests::new(
//!     BaseUrl::parse("https://api.ctl.io/")?,
//!     Token::new("token from login".into()),
//!     AccountAlias::parse("ALIAS")?,
//! );
//! let req = requests.shut_down_server(&ServerIds::parse(["WA1ALIASWB01"])?);
//! assert_eq!(req.url, "https://api.ctl.io/v2/operations/ALIAS/servers/shutDown");
//! # Ok::<(), clc_wasm::Error>(())
//! ```

// The shipped wasm leaves std out (see the `std` feature in Cargo.toml); the code uses `core` and `alloc` paths,
// which mean the same with or without it.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]
// Items only the crate uses say so (`pub(crate)`), so the public surface is exactly what is exported.
#![warn(unreachable_pub, missing_docs)]

extern crate alloc;

pub mod error;
pub mod json;
pub mod jwt;
pub mod listing;
pub mod model;
pub mod order;
pub mod parsed;
pub mod queue;
pub mod redact;
pub mod refresh;
pub mod request;
pub mod response;
pub mod retry_after;
pub mod shape;
pub mod sorted;
mod text;
pub mod validate;
pub mod wait;

pub use error::{Error, ErrorData, ErrorKind, FieldError};

/// The parts of std's prelude the code uses, from `alloc`: the same items, so the no_std wasm build compiles too.
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::string::String;
    pub(crate) use alloc::vec;
    pub(crate) use alloc::vec::Vec;
}

/// The JavaScript edge: the `Clc` class exported by wasm-bindgen (wasm32 only). Public so the wasm tests in
/// `tests/` can reach it; JavaScript users see only the generated bindings.
#[cfg(target_arch = "wasm32")]
pub mod js;

/// Without std, a panic traps: the instance dies, as it would with std's `panic = "abort"`, but without
/// formatting a message first. Nothing here should panic (decoding and validation return errors), so this only
/// decides what a bug costs in bytes.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
