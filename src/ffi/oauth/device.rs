//! `mxreg_oauth_device_authorization`: the device authorization grant
//! (RFC 8628) in C, for apps without a browser. Start, show the user code
//! and the verification URI, then poll (one request per call, the app
//! waits) or wait (mxreg polls until the user decides or the code expires).

use std::ffi::{CString, c_char};
use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::SystemTime;

use crate::error::Error;
use crate::ffi::error::mxreg_error;
use crate::ffi::oauth::server::{ServerContext, mxreg_oauth_server, server_arg};
use crate::ffi::registration::{RegistrationHandle, mxreg_registration};
use crate::ffi::{
    Boxed, Handle, c_string, ffi_call, free_box, handle_arg, into_box_ptr, millis, opt_c_string,
    opt_str_arg, out_arg, read_handle, read_str, str_arg,
};
use crate::oauth::{DeviceAuthorization, OAuthErrorResponse};
use crate::registration::Registration;
use crate::result::mxreg_result;

/// A started device authorization: the user code to show, the URI where
/// the user enters it, and the device code mxreg polls with.
///
/// Caller owns it; free it with `mxreg_oauth_device_authorization_free`,
/// which wipes the device code. Thread-safe: polls from several threads
/// run one at a time. It stays usable after its server handle is freed.
pub struct mxreg_oauth_device_authorization {
    _private: [u8; 0],
}

pub struct DeviceAuthorizationHandle {
    context: Arc<ServerContext>,
    user_code: CString,
    verification_uri: CString,
    verification_uri_complete: Option<CString>,
    device_id: CString,
    expires_at_ms: u64,
    /// The poll state (the interval grows on `slow_down`).
    state: Mutex<DeviceAuthorization>,
}

impl Handle for mxreg_oauth_device_authorization {
    type Inner = DeviceAuthorizationHandle;
    type Ownership = Boxed;
}

impl DeviceAuthorizationHandle {
    fn new(context: Arc<ServerContext>, started: DeviceAuthorization) -> Result<Self, Error> {
        Ok(DeviceAuthorizationHandle {
            user_code: c_string(&started.user_code, "user_code")?,
            verification_uri: c_string(&started.verification_uri, "verification_uri")?,
            verification_uri_complete: opt_c_string(
                started.verification_uri_complete.as_deref(),
                "verification_uri_complete",
            )?,
            device_id: c_string(&started.device_id, "device_id")?,
            expires_at_ms: started.expires_at_ms,
            state: Mutex::new(started),
            context,
        })
    }

    fn poll(&self) -> Result<Registration, Error> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.context
            .client
            .client
            .oauth_poll_device_authorization(&self.context.metadata, &mut state)
    }

    /// Poll until the user decides or the code expires.
    fn wait(&self) -> Result<Registration, Error> {
        loop {
            match self.poll() {
                Err(err) if err.code() == mxreg_result::OauthAuthorizationPending => {
                    if self.is_expired() {
                        return Err(Error::OAuth(OAuthErrorResponse {
                            status: None,
                            error: "expired_token".into(),
                            description: Some(
                                "the user code expired before the user decided".into(),
                            ),
                            body: None,
                        }));
                    }
                    sleep(self.interval());
                }
                other => return other,
            }
        }
    }

    fn interval(&self) -> std::time::Duration {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .interval
    }

    fn is_expired(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_expired(SystemTime::now())
    }
}

/// The body of `_poll` and `_wait`: the account `obtain` gets, written to
/// `registration_out`.
fn obtain_account(
    authorization: *const mxreg_oauth_device_authorization,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
    obtain: fn(&DeviceAuthorizationHandle) -> Result<Registration, Error>,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: the argument contracts of the extern functions.
        let authorization = unsafe { handle_arg(authorization, "authorization") }?;
        let out = unsafe { out_arg(registration_out, "registration_out") }?;
        let account = obtain(authorization)?;
        *out = into_box_ptr(RegistrationHandle::new(&account)?);
        Ok(())
    })
}

/// Start a device authorization for the app `client_id` (from
/// `mxreg_oauth_server_register_client`, which asks for the device grant
/// when the server offers it) and the device `device_id` (NULL: a new one).
/// Then show the user `mxreg_oauth_device_authorization_user_code` and
/// `_verification_uri` (or `_verification_uri_complete` as a QR code), and
/// call `mxreg_oauth_device_authorization_poll` or `_wait`.
///
/// A server without the grant (`mxreg_oauth_server_supports_device_authorization`
/// is false) gives `MXREG_RESULT_OAUTH_UNSUPPORTED`. Blocks; thread-safe.
///
/// On success writes the authorization to `*authorization_out`: caller owns
/// it; free it with `mxreg_oauth_device_authorization_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_start(
    server: *const mxreg_oauth_server,
    client_id: *const c_char,
    device_id: *const c_char,
    authorization_out: *mut *mut mxreg_oauth_device_authorization,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { server_arg(server) }?;
        let client_id = unsafe { str_arg(client_id, "client_id") }?;
        let device_id = unsafe { opt_str_arg(device_id, "device_id") }?;
        let out = unsafe { out_arg(authorization_out, "authorization_out") }?;
        let context = &server.context;
        let started = context.client.client.oauth_start_device_authorization(
            &context.metadata,
            client_id,
            device_id,
        )?;
        *out = into_box_ptr(DeviceAuthorizationHandle::new(
            Arc::clone(context),
            started,
        )?);
        Ok(())
    })
}

/// The code the user enters at the verification URI. Borrowed; valid
/// until `authorization` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_user_code(
    authorization: *const mxreg_oauth_device_authorization,
) -> *const c_char {
    read_str(authorization, |a| &a.user_code)
}

/// Where the user enters the code (on a phone or computer). Borrowed; valid
/// until `authorization` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_verification_uri(
    authorization: *const mxreg_oauth_device_authorization,
) -> *const c_char {
    read_str(authorization, |a| &a.verification_uri)
}

/// The verification URI with the user code in it (for a QR code), or NULL
/// when the server gives none. Borrowed; valid until `authorization` is
/// freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_verification_uri_complete(
    authorization: *const mxreg_oauth_device_authorization,
) -> *const c_char {
    read_str(authorization, |a| &a.verification_uri_complete)
}

/// The Matrix device ID the tokens will be for. Borrowed; valid until
/// `authorization` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_device_id(
    authorization: *const mxreg_oauth_device_authorization,
) -> *const c_char {
    read_str(authorization, |a| &a.device_id)
}

/// When the user code expires, in ms since the Unix epoch. -1 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_expires_at_ms(
    authorization: *const mxreg_oauth_device_authorization,
) -> i64 {
    read_handle(authorization, -1, |a| millis(Some(a.expires_at_ms)))
}

/// How long to wait between polls, in ms: the server's interval (5 s when
/// it gives none), 5 s longer after each `slow_down`. -1 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_interval_ms(
    authorization: *const mxreg_oauth_device_authorization,
) -> i64 {
    read_handle(authorization, -1, |a| {
        millis(Some(
            u64::try_from(a.interval().as_millis()).unwrap_or(u64::MAX),
        ))
    })
}

/// Ask the token endpoint once whether the user has decided. Blocks for
/// one request; the app waits `mxreg_oauth_device_authorization_interval_ms`
/// between calls.
///
/// - `MXREG_RESULT_OAUTH_AUTHORIZATION_PENDING`: not yet (the errcode is
///   `authorization_pending`, or `slow_down`, after which the interval is
///   longer): poll again later.
/// - `MXREG_RESULT_OAUTH_ACCESS_DENIED`: the user refused.
/// - `MXREG_RESULT_OAUTH_EXPIRED_TOKEN`: the code expired: start anew.
/// - `MXREG_RESULT_OK`: approved; the account (user ID from `whoami`,
///   device ID, access and refresh tokens, expiry) is written to
///   `*registration_out`: caller owns it; free it with
///   `mxreg_registration_free`. The device code is then used up.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_poll(
    authorization: *const mxreg_oauth_device_authorization,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    obtain_account(
        authorization,
        registration_out,
        error_out,
        DeviceAuthorizationHandle::poll,
    )
}

/// Poll until the user approves or denies, or the code expires, waiting the
/// interval between polls (longer after `slow_down`). Blocks up to the
/// code's expiry (`mxreg_oauth_device_authorization_expires_at_ms`); there
/// is no way to cancel it: apps that must stop earlier call `_poll`
/// themselves. The results are those of `_poll`, except that it never
/// returns `MXREG_RESULT_OAUTH_AUTHORIZATION_PENDING`: after the expiry
/// without an answer it gives `MXREG_RESULT_OAUTH_EXPIRED_TOKEN`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_wait(
    authorization: *const mxreg_oauth_device_authorization,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    obtain_account(
        authorization,
        registration_out,
        error_out,
        DeviceAuthorizationHandle::wait,
    )
}

/// Free a device authorization and wipe its device code. NULL is a no-op.
/// Call once, when no other thread uses it.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_device_authorization_free(
    authorization: *mut mxreg_oauth_device_authorization,
) {
    free_box(authorization)
}
