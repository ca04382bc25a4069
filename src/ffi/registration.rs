//! `mxreg_registration`: a created account.

use std::ffi::{CString, c_char};

use crate::error::Error;
use crate::ffi::{
    Boxed, Handle, c_string, free_box, millis, opt_c_string, opt_secret_c_string, read_handle,
    read_str,
};
use crate::registration::Registration;
use crate::secret::SecretCString;

/// A newly created account: user ID, device ID and tokens.
///
/// Caller owns it; free it with `mxreg_registration_free`, which also wipes
/// the tokens from memory. Immutable: safe to read from several threads.
pub struct mxreg_registration {
    _private: [u8; 0],
}

impl Handle for mxreg_registration {
    type Inner = RegistrationHandle;
    type Ownership = Boxed;
}

#[derive(Debug)]
pub struct RegistrationHandle {
    user_id: CString,
    device_id: Option<CString>,
    access_token: Option<SecretCString>,
    refresh_token: Option<SecretCString>,
    expires_in_ms: Option<u64>,
    expires_at_ms: Option<u64>,
}

impl RegistrationHandle {
    pub fn new(registration: &Registration) -> Result<Self, Error> {
        Ok(RegistrationHandle {
            user_id: c_string(&registration.user_id, "user_id")?,
            device_id: opt_c_string(registration.device_id.as_deref(), "device_id")?,
            access_token: opt_secret_c_string(registration.access_token.as_ref(), "access_token")?,
            refresh_token: opt_secret_c_string(
                registration.refresh_token.as_ref(),
                "refresh_token",
            )?,
            expires_in_ms: registration.expires_in_ms,
            expires_at_ms: registration.expires_at_ms,
        })
    }
}

/// The full user ID, e.g. `"@alice:example.org"`. Never NULL for a valid
/// handle. Borrowed; valid until `registration` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_registration_user_id(
    registration: *const mxreg_registration,
) -> *const c_char {
    read_str(registration, |r| &r.user_id)
}

/// The device ID, or NULL with `inhibit_login`. Borrowed; valid until
/// `registration` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_registration_device_id(
    registration: *const mxreg_registration,
) -> *const c_char {
    read_str(registration, |r| &r.device_id)
}

/// The access token (a secret: never log it), or NULL with `inhibit_login`.
/// Borrowed; valid until `registration` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_registration_access_token(
    registration: *const mxreg_registration,
) -> *const c_char {
    read_str(registration, |r| &r.access_token)
}

/// The refresh token (a secret), or NULL when none was requested or the
/// server does not issue them. Borrowed; valid until `registration` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_registration_refresh_token(
    registration: *const mxreg_registration,
) -> *const c_char {
    read_str(registration, |r| &r.refresh_token)
}

/// Lifetime of the access token in ms as the server gave it, or -1 when the
/// token does not expire.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_registration_expires_in_ms(registration: *const mxreg_registration) -> i64 {
    read_handle(registration, -1, |r| millis(r.expires_in_ms))
}

/// When the access token expires, in ms since the Unix epoch (computed when
/// the answer arrived), or -1 when it does not expire.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_registration_expires_at_ms(registration: *const mxreg_registration) -> i64 {
    read_handle(registration, -1, |r| millis(r.expires_at_ms))
}

/// Free a registration and wipe its tokens. NULL is a no-op. Call once.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_registration_free(registration: *mut mxreg_registration) {
    free_box(registration)
}
