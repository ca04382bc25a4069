//! The OAuth 2.0 API in C, for homeservers that delegate authentication
//! (matrix.org and every server behind the Matrix Authentication Service),
//! split as `crate::oauth` is: `mxreg_oauth_server` (the checked server
//! metadata), client registration, `mxreg_oauth_authorization` (start,
//! save, restore, complete), the device authorization grant, and token
//! refresh and revocation.
//!
//! mxreg never opens a browser: the app opens the authorization URL, waits
//! for the redirect to its redirect URI, and hands that URL back.

pub mod authorization;
pub mod client_registration;
pub mod device;
pub mod server;
pub mod token;

// One flat `mxreg::ffi::oauth` for Rust callers (the tests), as before the
// split.
pub use authorization::*;
pub use client_registration::*;
pub use server::*;
pub use token::*;
