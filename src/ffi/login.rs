//! `mxreg_login_request` and `mxreg_client_login`: `POST /login` with a
//! password or a login token.

use std::ffi::c_char;

use crate::api::login::{LoginCredential, LoginRequest};
use crate::error::Error;
use crate::ffi::client::{client_arg, mxreg_client};
use crate::ffi::error::mxreg_error;
use crate::ffi::registration::{RegistrationHandle, mxreg_registration};
use crate::ffi::{
    RequestStruct, ffi_call, init_request, into_box_ptr, opt_string_arg, out_arg, request_arg,
};
use crate::result::mxreg_result;
use crate::secret::Secret;

/// How to log in. Initialise with `mxreg_login_request_init`, then set
/// either `user` and `password` (`m.login.password`) or `login_token`
/// (`m.login.token`), not both. Read during the call only: the library keeps
/// no pointer into it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mxreg_login_request {
    /// `sizeof(mxreg_login_request)`; set by `mxreg_login_request_init`.
    pub struct_size: usize,
    /// With `password`: the localpart (`alice`) or the full user ID
    /// (`@alice:example.org`). NULL with `login_token`.
    pub user: *const c_char,
    /// The password (a secret), or NULL to log in with `login_token`.
    pub password: *const c_char,
    /// A single-use login token (a secret), e.g. the `loginToken` of an SSO
    /// redirect, or NULL to log in with `password`.
    pub login_token: *const c_char,
    /// A device ID to reuse (its old tokens are replaced); NULL lets the
    /// server generate one.
    pub device_id: *const c_char,
    /// Display name of a new device; ignored for an existing `device_id`.
    pub initial_device_display_name: *const c_char,
    /// Ask for a refresh token (default true).
    pub refresh_token: bool,
}

impl Default for mxreg_login_request {
    fn default() -> Self {
        mxreg_login_request {
            struct_size: size_of::<Self>(),
            user: std::ptr::null(),
            password: std::ptr::null(),
            login_token: std::ptr::null(),
            device_id: std::ptr::null(),
            initial_device_display_name: std::ptr::null(),
            refresh_token: true,
        }
    }
}

impl RequestStruct for mxreg_login_request {
    type Output = LoginRequest;

    unsafe fn convert(self) -> Result<LoginRequest, Error> {
        // SAFETY: every string field is NULL or NUL-terminated (the struct's contract).
        let text = |ptr, name| unsafe { opt_string_arg(ptr, name) };
        let user = text(self.user, "request.user")?;
        let password = text(self.password, "request.password")?.map(Secret::new);
        let token = text(self.login_token, "request.login_token")?.map(Secret::new);
        let credential = match (user, password, token) {
            (Some(user), Some(password), None) => LoginCredential::Password { user, password },
            (None, None, Some(token)) => LoginCredential::Token { token },
            (None, Some(_), None) => return Err(Error::NullArgument("request.user")),
            (_, None, None) => {
                return Err(Error::invalid_argument(
                    "request",
                    "set either password (with user) or login_token",
                ));
            }
            _ => {
                return Err(Error::invalid_argument(
                    "request.login_token",
                    "a token login takes neither user nor password",
                ));
            }
        };
        Ok(LoginRequest {
            credential,
            device_id: text(self.device_id, "request.device_id")?,
            initial_device_display_name: text(
                self.initial_device_display_name,
                "request.initial_device_display_name",
            )?,
            refresh_token: self.refresh_token,
        })
    }
}

/// Fill `request` with the defaults (refresh token requested, everything
/// else absent) and its `struct_size`. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_login_request_init(request: *mut mxreg_login_request) {
    init_request(request)
}

/// `sizeof(mxreg_login_request)` as this library was built.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_login_request_size() -> usize {
    size_of::<mxreg_login_request>()
}

/// Log in to an existing account (`POST /_matrix/client/v3/login`): after a
/// registration with `inhibit_login`, after `MXREG_RESULT_OUTCOME_UNKNOWN`,
/// or to redeem an SSO `loginToken`.
///
/// On success writes the account to `*registration_out`, the same handle a
/// registration gives (user ID, device ID, access and refresh tokens,
/// expiry): caller owns it; free it with `mxreg_registration_free`.
///
/// A wrong password or an unknown user is `MXREG_RESULT_FORBIDDEN` (servers
/// do not say which); so is a used or expired login token. A token login
/// whose answer is lost is `MXREG_RESULT_OUTCOME_UNKNOWN`: the token may be
/// spent. Blocks until the answer or the client's timeouts. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_login(
    client: *const mxreg_client,
    request: *const mxreg_login_request,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { client_arg(client) }?;
        let request = unsafe { request_arg(request, "request") }?;
        let out = unsafe { out_arg(registration_out, "registration_out") }?;
        let account = client.client.login(&request)?;
        *out = into_box_ptr(RegistrationHandle::new(&account)?);
        Ok(())
    })
}
