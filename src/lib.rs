//! mxreg creates Matrix accounts: `POST /register` with user-interactive
//! authentication, behind a C ABI (see `include/mxreg.h`) and usable from
//! Rust directly.
//!
//! Layout: `api` mirrors the Matrix spec without I/O, `transport` is the only
//! network code, `client` puts them together, and `ffi` is the C ABI, which
//! only converts arguments and delegates.

pub mod api;
pub mod client;
pub mod error;
pub mod ffi;
pub mod homeserver_url;
pub mod registration;
pub mod result;
pub mod secret;
pub mod transport;

pub use client::{Client, ClientConfig};
pub use error::{Error, ServerError};
pub use registration::Registration;
pub use result::mxreg_result;
