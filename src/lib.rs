//! clc-wasm: a CenturyLink Cloud (CLC) API v2 client, as a pure Rust core with a thin WebAssembly edge.
//!
//! The core decides everything that needs no I/O and is tested natively: [`validate`] checks inputs,
//! [`request`] builds each request, [`response`] decodes each answer or error body, [`wait`] is the polling
//! policy with time passed in. The `js` module (wasm32 only) sends requests with `fetch` and exposes the
//! `Clc` class to JavaScript.
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

pub mod error;
pub mod json;
pub mod model;
pub mod request;
pub mod response;
pub mod shape;
pub mod validate;
pub mod wait;

pub use error::{Error, ErrorKind, FieldError};

/// The JavaScript edge: the `Clc` class exported by wasm-bindgen (wasm32 only). Public so the wasm tests in
/// `tests/` can reach it; JavaScript users see only the generated bindings.
#[cfg(target_arch = "wasm32")]
pub mod js;
