//! `mxreg_error`: the detail behind a failed call.

use std::ffi::{CString, c_char};

use crate::error::Error;
use crate::ffi::auth_info::{AuthInfo, mxreg_auth_info};
use crate::ffi::{Boxed, Handle, borrowed_ptr, free_box, millis, read_handle, read_str};
use crate::result::mxreg_result;

/// What went wrong: the result code, a message, and what the server said.
///
/// Returned through the optional `mxreg_error **error_out` last parameter of
/// fallible calls. Caller owns it; free it with `mxreg_error_free`.
/// Immutable: safe to read from several threads.
pub struct mxreg_error {
    _private: [u8; 0],
}

impl Handle for mxreg_error {
    type Inner = ErrorDetails;
    type Ownership = Boxed;
}

#[derive(Debug)]
pub struct ErrorDetails {
    code: mxreg_result,
    message: CString,
    errcode: Option<CString>,
    http_status: u16,
    retry_after_ms: Option<u64>,
    body_json: Option<CString>,
    auth_info: Option<AuthInfo>,
    admin_contact: Option<CString>,
    info_uri: Option<CString>,
    can_upgrade: bool,
    consent_uri: Option<CString>,
    device_id: Option<CString>,
}

/// A C string from any text, dropping NUL bytes rather than failing.
fn lossy_c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "")).unwrap_or_default()
}

impl ErrorDetails {
    pub fn from_error(err: &Error) -> Self {
        let body_json = match err {
            Error::Server(server) => server.body.as_ref().map(|b| lossy_c_string(&b.to_string())),
            Error::AuthRequired(uia) => serde_json::to_string(uia).ok().map(|b| lossy_c_string(&b)),
            Error::OAuth(oauth) => oauth.body.as_ref().map(|b| lossy_c_string(&b.to_string())),
            _ => None,
        };
        let auth_info = match err {
            Error::AuthRequired(uia) => AuthInfo::new(uia).ok(),
            _ => None,
        };
        ErrorDetails {
            code: err.code(),
            message: lossy_c_string(&err.to_string()),
            errcode: err.errcode().map(lossy_c_string),
            http_status: err.http_status().unwrap_or(0),
            retry_after_ms: err.retry_after_ms(),
            body_json,
            auth_info,
            admin_contact: err.body_text("admin_contact").map(lossy_c_string),
            info_uri: err.body_text("info_uri").map(lossy_c_string),
            can_upgrade: err.can_upgrade().unwrap_or(false),
            consent_uri: err.body_text("consent_uri").map(lossy_c_string),
            device_id: err.device_id().map(lossy_c_string),
        }
    }
}

/// The result code of the failed call. `MXREG_RESULT_NULL_ARGUMENT` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_code(error: *const mxreg_error) -> mxreg_result {
    read_handle(error, mxreg_result::NullArgument, |e| e.code)
}

/// A human-readable message (never contains passwords or tokens).
/// Borrowed; valid until `error` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_message(error: *const mxreg_error) -> *const c_char {
    read_str(error, |e| &e.message)
}

/// The Matrix `errcode` (e.g. `"M_USER_IN_USE"`), or NULL when the server gave
/// none. Borrowed; valid until `error` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_errcode(error: *const mxreg_error) -> *const c_char {
    read_str(error, |e| &e.errcode)
}

/// The HTTP status of the server's answer, or 0 when there was no answer.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_http_status(error: *const mxreg_error) -> u16 {
    read_handle(error, 0, |e| e.http_status)
}

/// How long the server asked to wait before retrying, in milliseconds
/// (`retry_after_ms` in the body, else the `Retry-After` header); -1 when it
/// gave no delay.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_retry_after_ms(error: *const mxreg_error) -> i64 {
    read_handle(error, -1, |e| millis(e.retry_after_ms))
}

/// The server's JSON error body, unknown fields included, or NULL when the
/// answer had no JSON body. Borrowed; valid until `error` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_body_json(error: *const mxreg_error) -> *const c_char {
    read_str(error, |e| &e.body_json)
}

/// For `MXREG_RESULT_AUTH_REQUIRED`: the flows, params and session the server
/// sent. NULL for any other error. Borrowed; valid until `error` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_auth_info(error: *const mxreg_error) -> *const mxreg_auth_info {
    read_handle(error, std::ptr::null(), |e| {
        borrowed_ptr(e.auth_info.as_ref())
    })
}

/// For `MXREG_RESULT_RESOURCE_LIMIT_EXCEEDED`: the server's `admin_contact`
/// (a URI such as `mailto:admin@example.org`), or NULL when it gave none.
/// Borrowed; valid until `error` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_admin_contact(error: *const mxreg_error) -> *const c_char {
    read_str(error, |e| &e.admin_contact)
}

/// For `MXREG_RESULT_USER_LIMIT_EXCEEDED`: the server's `info_uri` (a page
/// about the limit and plans), or NULL when it gave none. Borrowed; valid
/// until `error` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_info_uri(error: *const mxreg_error) -> *const c_char {
    read_str(error, |e| &e.info_uri)
}

/// For `MXREG_RESULT_USER_LIMIT_EXCEEDED`: the server's `can_upgrade`
/// (whether a plan upgrade lifts the limit); false when it said nothing,
/// and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_can_upgrade(error: *const mxreg_error) -> bool {
    read_handle(error, false, |e| e.can_upgrade)
}

/// For `MXREG_RESULT_CONSENT_NOT_GIVEN`: the server's `consent_uri`, the
/// page where the user reads and accepts the policy, or NULL when it gave
/// none. Borrowed; valid until `error` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_consent_uri(error: *const mxreg_error) -> *const c_char {
    read_str(error, |e| &e.consent_uri)
}

/// For `MXREG_RESULT_OUTCOME_UNKNOWN` after a registration: the device ID
/// that attempt named (the app's, or the one mxreg chose when the request
/// had none). Put it in `request.device_id` and call
/// `mxreg_client_recover_registration` to end with that account and device.
/// NULL for other errors. Borrowed; valid until `error` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_device_id(error: *const mxreg_error) -> *const c_char {
    read_str(error, |e| &e.device_id)
}

/// Free an error. NULL is a no-op. Call once per error.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_error_free(error: *mut mxreg_error) {
    free_box(error)
}
