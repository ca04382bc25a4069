//! `mxreg_register_request` and `mxreg_client_register`: one `POST /register`.

use std::ffi::c_char;

use crate::api::register::{AccountKind, RegisterRequest};
use crate::client::Client;
use crate::error::Error;
use crate::ffi::client::{client_arg, mxreg_client};
use crate::ffi::error::mxreg_error;
use crate::ffi::registration::{RegistrationHandle, mxreg_registration};
use crate::ffi::{
    RequestStruct, enum_arg, ffi_call, init_request, into_box_ptr, opt_json_arg, opt_string_arg,
    out_arg, request_arg,
};
use crate::registration::Registration;
use crate::result::mxreg_result;
use crate::secret::Secret;

/// The `kind` of account to register.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_account_kind {
    /// A normal user account (the default).
    User = 0,
    /// A guest account (`kind=guest`): no username or password.
    Guest = 1,
}

/// What to register. Initialise with `mxreg_register_request_init`, then set
/// what you need; every string may be NULL (absent). Read during the call
/// only: the library keeps no pointer into it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mxreg_register_request {
    /// `sizeof(mxreg_register_request)`; set by `mxreg_register_request_init`.
    pub struct_size: usize,
    /// The desired localpart (`alice` for `@alice:server`); NULL lets the
    /// server choose.
    pub username: *const c_char,
    /// The password (a secret). Send it in the first request: Synapse keeps
    /// it for the rest of the UIA session.
    pub password: *const c_char,
    /// A device ID to use; NULL lets mxreg choose one for the attempt (the
    /// registration, or an `MXREG_RESULT_OUTCOME_UNKNOWN` error's
    /// `mxreg_error_device_id`, gives it back).
    pub device_id: *const c_char,
    /// Display name of the new device.
    pub initial_device_display_name: *const c_char,
    /// Upgrade a guest: the guest's access token (with its localpart as
    /// `username`).
    pub guest_access_token: *const c_char,
    /// Register as an application service: its `as_token`. Sends
    /// `type: m.login.application_service` and always `inhibit_login: true`
    /// (application service API v1.17): no access token or device comes back.
    pub appservice_token: *const c_char,
    /// The `auth` object for this attempt, as JSON text (e.g.
    /// `{"type":"m.login.dummy","session":"..."}`); NULL for the first request.
    pub auth_json: *const c_char,
    /// An `mxreg_account_kind` value.
    pub kind: u32,
    /// Create the account without logging in: no access token or device.
    pub inhibit_login: bool,
    /// Ask for a refresh token (default true).
    pub refresh_token: bool,
}

impl Default for mxreg_register_request {
    fn default() -> Self {
        mxreg_register_request {
            struct_size: size_of::<Self>(),
            username: std::ptr::null(),
            password: std::ptr::null(),
            device_id: std::ptr::null(),
            initial_device_display_name: std::ptr::null(),
            guest_access_token: std::ptr::null(),
            appservice_token: std::ptr::null(),
            auth_json: std::ptr::null(),
            kind: mxreg_account_kind::User as u32,
            inhibit_login: false,
            refresh_token: true,
        }
    }
}

/// The Rust request, plus the `auth` dict of this attempt.
impl RequestStruct for mxreg_register_request {
    type Output = (RegisterRequest, Option<serde_json::Value>);

    unsafe fn convert(self) -> Result<Self::Output, Error> {
        // SAFETY: every string field is NULL or NUL-terminated (the struct's contract).
        let text = |ptr, name| unsafe { opt_string_arg(ptr, name) };
        let secret = |ptr, name| text(ptr, name).map(|s| s.map(Secret::new));
        let kind = enum_arg(
            self.kind,
            "request.kind",
            "mxreg_account_kind",
            &[
                (mxreg_account_kind::User as u32, AccountKind::User),
                (mxreg_account_kind::Guest as u32, AccountKind::Guest),
            ],
        )?;
        let request = RegisterRequest {
            kind,
            username: text(self.username, "request.username")?,
            password: secret(self.password, "request.password")?,
            device_id: text(self.device_id, "request.device_id")?,
            initial_device_display_name: text(
                self.initial_device_display_name,
                "request.initial_device_display_name",
            )?,
            inhibit_login: self.inhibit_login,
            refresh_token: self.refresh_token,
            guest_access_token: secret(self.guest_access_token, "request.guest_access_token")?,
            appservice_token: secret(self.appservice_token, "request.appservice_token")?,
        };
        // SAFETY: as above.
        let auth = unsafe { opt_json_arg(self.auth_json, "request.auth_json") }?;
        Ok((request, auth))
    }
}

/// Fill `request` with the defaults (user account, refresh token requested,
/// everything else absent) and its `struct_size`. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_register_request_init(request: *mut mxreg_register_request) {
    init_request(request)
}

/// `sizeof(mxreg_register_request)` as this library was built.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_register_request_size() -> usize {
    size_of::<mxreg_register_request>()
}

/// The body of the calls that send a registration request and answer with
/// the account.
fn register_call(
    client: *const mxreg_client,
    request: *const mxreg_register_request,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
    send: fn(&Client, &RegisterRequest, Option<&serde_json::Value>) -> Result<Registration, Error>,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: the argument contracts of the extern functions.
        let client = unsafe { client_arg(client) }?;
        let (request, auth) = unsafe { request_arg(request, "request") }?;
        let out = unsafe { out_arg(registration_out, "registration_out") }?;
        let registration = send(&client.client, &request, auth.as_ref())?;
        *out = into_box_ptr(RegistrationHandle::new(&registration)?);
        Ok(())
    })
}

/// Send one `POST /_matrix/client/v3/register` and wait for the answer.
///
/// On success writes a new registration to `*registration_out`: caller owns
/// it; free it with `mxreg_registration_free`.
///
/// When the server wants user-interactive authentication the result is
/// `MXREG_RESULT_AUTH_REQUIRED` and `mxreg_error_auth_info` on the error gives
/// the flows, params and session: complete a stage by calling again with
/// `auth_json` set (e.g. `{"type":"m.login.dummy","session":"<session>"}`).
/// A failed stage is also `MXREG_RESULT_AUTH_REQUIRED`, with the stage's
/// `errcode` on the error.
///
/// Every attempt that logs in names a device: `request.device_id`, or one
/// mxreg chooses. When the answer is lost (`MXREG_RESULT_OUTCOME_UNKNOWN`),
/// call `mxreg_client_recover_registration` with the same request and that
/// device ID: do not simply register again.
///
/// Blocks until the answer or the client's timeouts. Thread-safe: any number
/// of calls may share one client; a second call for the same username and
/// device ID while one runs gets `MXREG_RESULT_INVALID_STATE`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_register(
    client: *const mxreg_client,
    request: *const mxreg_register_request,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    register_call(
        client,
        request,
        registration_out,
        error_out,
        Client::register,
    )
}

/// After `MXREG_RESULT_OUTCOME_UNKNOWN` from `mxreg_client_register`: end
/// with the account and the device the lost attempt named. Pass the same
/// request (same `auth_json`) with `device_id` set to the app's device ID or
/// to `mxreg_error_device_id` of the lost attempt's error (NULL is
/// `MXREG_RESULT_INVALID_ARGUMENT`). mxreg sends the attempt again; when the
/// server no longer knows it (a session dropped on success, a name now
/// taken), it logs in with `username` and `password` onto that device. The
/// server's answer to the re-sent attempt is returned when neither gives the
/// account (`MXREG_RESULT_AUTH_REQUIRED`: the lost attempt had not finished
/// registration; go on with the stages).
///
/// On success writes the registration to `*registration_out`: caller owns
/// it; free it with `mxreg_registration_free`. Its device ID is the
/// request's. Blocks. A second call for the same username and device while
/// one runs gets `MXREG_RESULT_INVALID_STATE`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_recover_registration(
    client: *const mxreg_client,
    request: *const mxreg_register_request,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    register_call(
        client,
        request,
        registration_out,
        error_out,
        Client::recover_registration,
    )
}
