//! mxreg creates Matrix accounts: `POST /register` with user-interactive
//! authentication, behind a C ABI (see `include/mxreg.h`) and usable from
//! Rust directly.
//!
//! Layers, lowest first; a module imports only from the layers below it:
//!
//! 1. `result` (the C result codes), `secret`, `error` (the one error type,
//!    with the server answers it carries: Matrix error, UIA body, OAuth
//!    error).
//! 2. `form` (percent-encoding), `clock` (ms since the epoch), `random` (a
//!    [`random::Randomness`] input), `homeserver_url`.
//! 3. `api`: the Matrix client-server API without I/O, bodies in, typed
//!    values out.
//! 4. `registration`: what a successful registration or refresh gives.
//! 5. `oauth` (all but `oauth::server`) and `signup` (all but
//!    `signup::driver`): the state machines, without I/O. They take the
//!    clock and randomness as arguments.
//! 6. `transport`: the only network code.
//! 7. `client`, then the drivers that send what the sans-I/O code says, all
//!    as methods of [`client::Client`]: its own calls in `client`, the
//!    signup session's in `signup::driver`, OAuth's in `oauth::server`.
//!    `probe` is the one entry that starts from a server name, before there
//!    is a client. They read the clock and the system random number
//!    generator.
//! 8. `ffi`: the C ABI; it only converts arguments and delegates.
//!
//! Only `ffi` and `result` make the C header: the other modules are marked
//! `cbindgen:ignore`.

/// cbindgen:ignore
pub mod api;
/// cbindgen:ignore
pub mod client;
/// cbindgen:ignore
pub mod clock;
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
