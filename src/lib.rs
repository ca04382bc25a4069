//! mxreg creates Matrix accounts: `POST /register` with user-interactive
//! authentication, behind a C ABI (see `include/mxreg.h`) and usable from
//! Rust directly.
//!
//! Layout: `api` mirrors the Matrix spec without I/O, `transport` is the only
//! network code, `client` puts them together, and `ffi` is the C ABI, which
//! only converts arguments and delegates. Only `ffi` and `result` make the
//! C header: the other modules are marked `cbindgen:ignore`.

/// cbindgen:ignore
pub mod api;
/// cbindgen:ignore
pub mod client;
/// cbindgen:ignore
pub mod error;
pub mod ffi;
/// cbindgen:ignore
pub mod form;
/// cbindgen:ignore
pub mod homeserver_url;
/// cbindgen:ignore
pub mod oauth;
/// cbindgen:ignore
pub mod probe;
/// cbindgen:ignore
pub mod random;
/// cbindgen:ignore
pub mod registration;
pub mod result;
/// cbindgen:ignore
pub mod secret;
/// cbindgen:ignore
pub mod signup;
/// cbindgen:ignore
pub mod transport;

pub use client::{Client, ClientConfig};
pub use error::{Error, ServerError};
pub use registration::{Registration, TokenPair};
pub use result::mxreg_result;
