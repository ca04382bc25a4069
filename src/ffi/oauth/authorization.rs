//! `mxreg_oauth_authorization`: the authorization code flow with PKCE in
//! C. Start (the URL to open), save and restore across an app restart,
//! complete with the redirect the app received.

use std::ffi::{CString, c_char};
use std::sync::Arc;

use crate::error::Error;
use crate::ffi::error::mxreg_error;
use crate::ffi::oauth::server::{ServerContext, mxreg_oauth_server, server_arg};
use crate::ffi::registration::{RegistrationHandle, mxreg_registration};
use crate::ffi::string::owned_secret_string;
use crate::ffi::{
    Boxed, Handle, RequestStruct, c_string, document_arg, enum_arg, ffi_call, free_box, handle_arg,
    init_request, into_box_ptr, opt_string_arg, out_arg, read_handle, read_str, request_arg,
    str_arg, string_arg,
};
use crate::oauth::{
    AuthorizationRequest, Intent, PendingAuthorization, ResponseMode, start_authorization,
};
use crate::result::mxreg_result;

/// What the user is asked to do in the browser.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_oauth_intent {
    /// Create an account (`prompt=create`; the default).
    SignUp = 0,
    /// Sign in to an existing account.
    Login = 1,
}

/// Where the server puts the result in the redirect.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_oauth_response_mode {
    /// The query string (`?code=...`; the default).
    Query = 0,
    /// The fragment (`#code=...`).
    Fragment = 1,
}

/// What to authorize. Initialise with
/// `mxreg_oauth_authorization_request_init`, then set fields. Read during
/// the call only.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mxreg_oauth_authorization_request {
    /// `sizeof(mxreg_oauth_authorization_request)`; set by the init function.
    pub struct_size: usize,
    /// Required: from the `mxreg_oauth_server_register_client` call that
    /// started this flow, or given by the server's operator.
    pub client_id: *const c_char,
    /// Required: one of the client's registered redirect URIs.
    pub redirect_uri: *const c_char,
    /// The device to create (A-Z a-z 0-9 - . _ ~); NULL generates one.
    pub device_id: *const c_char,
    /// A hint for the server's form, e.g. `"mxid:@alice:example.org"`; may
    /// be NULL.
    pub login_hint: *const c_char,
    /// An `mxreg_oauth_intent` value (default sign-up).
    pub intent: u32,
    /// An `mxreg_oauth_response_mode` value (default query).
    pub response_mode: u32,
}

impl Default for mxreg_oauth_authorization_request {
    fn default() -> Self {
        mxreg_oauth_authorization_request {
            struct_size: size_of::<Self>(),
            client_id: std::ptr::null(),
            redirect_uri: std::ptr::null(),
            device_id: std::ptr::null(),
            login_hint: std::ptr::null(),
            intent: mxreg_oauth_intent::SignUp as u32,
            response_mode: mxreg_oauth_response_mode::Query as u32,
        }
    }
}

/// The C and Rust values of `mxreg_oauth_intent`.
const INTENTS: [(u32, Intent); 2] = [
    (mxreg_oauth_intent::SignUp as u32, Intent::SignUp),
    (mxreg_oauth_intent::Login as u32, Intent::Login),
];

impl RequestStruct for mxreg_oauth_authorization_request {
    type Output = AuthorizationRequest;

    unsafe fn convert(self) -> Result<AuthorizationRequest, Error> {
        let intent = enum_arg(
            self.intent,
            "request.intent",
            "mxreg_oauth_intent",
            &INTENTS,
        )?;
        let response_mode = enum_arg(
            self.response_mode,
            "request.response_mode",
            "mxreg_oauth_response_mode",
            &[
                (mxreg_oauth_response_mode::Query as u32, ResponseMode::Query),
                (
                    mxreg_oauth_response_mode::Fragment as u32,
                    ResponseMode::Fragment,
                ),
            ],
        )?;
        // SAFETY: every string field is NULL or NUL-terminated (the struct's contract).
        Ok(unsafe {
            AuthorizationRequest {
                client_id: string_arg(self.client_id, "request.client_id")?,
                redirect_uri: string_arg(self.redirect_uri, "request.redirect_uri")?,
                device_id: opt_string_arg(self.device_id, "request.device_id")?,
                login_hint: opt_string_arg(self.login_hint, "request.login_hint")?,
                intent,
                response_mode,
            }
        })
    }
}

/// Fill `request` with the defaults (sign-up, query response mode,
/// generated device ID) and its `struct_size`. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_request_init(
    request: *mut mxreg_oauth_authorization_request,
) {
    init_request(request)
}

/// `sizeof(mxreg_oauth_authorization_request)` as this library was built.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_request_size() -> usize {
    size_of::<mxreg_oauth_authorization_request>()
}

/// An authorization in progress: the URL to open, and what mxreg needs to
/// check and redeem the redirect (PKCE verifier, `state`, device ID).
///
/// Caller owns it; free it with `mxreg_oauth_authorization_free`, which
/// wipes the verifier. Immutable: safe to read, and to complete, from
/// several threads (the server accepts the code once).
pub struct mxreg_oauth_authorization {
    _private: [u8; 0],
}

pub struct AuthorizationHandle {
    context: Arc<ServerContext>,
    pending: PendingAuthorization,
    url: CString,
    device_id: CString,
    state: CString,
}

impl Handle for mxreg_oauth_authorization {
    type Inner = AuthorizationHandle;
    type Ownership = Boxed;
}

impl AuthorizationHandle {
    fn new(context: Arc<ServerContext>, pending: PendingAuthorization) -> Result<Self, Error> {
        Ok(AuthorizationHandle {
            url: c_string(&pending.authorization_url(&context.metadata), "url")?,
            device_id: c_string(&pending.device_id, "device_id")?,
            state: c_string(&pending.state, "state")?,
            pending,
            context,
        })
    }
}

/// Start an authorization: fresh PKCE verifier and `state`, the device
/// scope, and for a sign-up `prompt=create`. Does no I/O: open
/// `mxreg_oauth_authorization_url` in the user's browser, then pass the
/// redirect to `mxreg_oauth_authorization_complete`.
///
/// A sign-up on a server without `prompt=create` is
/// `MXREG_RESULT_OAUTH_UNSUPPORTED` (offer a login instead).
///
/// On success writes the authorization to `*authorization_out`: caller owns
/// it; free it with `mxreg_oauth_authorization_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_start(
    server: *const mxreg_oauth_server,
    request: *const mxreg_oauth_authorization_request,
    authorization_out: *mut *mut mxreg_oauth_authorization,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { server_arg(server) }?;
        let request = unsafe { request_arg(request, "request") }?;
        let out = unsafe { out_arg(authorization_out, "authorization_out") }?;
        let pending = start_authorization(&server.context.metadata, &request)?;
        *out = into_box_ptr(AuthorizationHandle::new(
            Arc::clone(&server.context),
            pending,
        )?);
        Ok(())
    })
}

/// Save the authorization as a JSON string, so that an app killed while
/// the browser is open can finish it with `mxreg_oauth_authorization_restore`.
/// The string holds the PKCE verifier: store it as you would a token.
///
/// On success writes the string to `*saved_out`: caller owns it; free it
/// with `mxreg_string_free` (which wipes it).
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_save(
    authorization: *const mxreg_oauth_authorization,
    saved_out: *mut *mut c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let authorization = unsafe { authorization_arg(authorization) }?;
        let out = unsafe { out_arg(saved_out, "saved_out") }?;
        let saved = authorization.pending.to_json()?;
        *out = owned_secret_string(&saved, "the saved form")?;
        Ok(())
    })
}

/// Restore an authorization saved with `mxreg_oauth_authorization_save`,
/// for the same authorization server as `server` (discover it again after
/// a restart). Does no I/O. Text that is not a saved authorization, or one
/// for another server, is `MXREG_RESULT_INVALID_ARGUMENT`.
///
/// On success writes the authorization to `*authorization_out`: caller owns
/// it; free it with `mxreg_oauth_authorization_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_restore(
    server: *const mxreg_oauth_server,
    saved: *const c_char,
    authorization_out: *mut *mut mxreg_oauth_authorization,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { server_arg(server) }?;
        let saved = unsafe { document_arg(saved, "saved") }?;
        let out = unsafe { out_arg(authorization_out, "authorization_out") }?;
        let pending = PendingAuthorization::from_json(saved, &server.context.metadata)?;
        *out = into_box_ptr(AuthorizationHandle::new(
            Arc::clone(&server.context),
            pending,
        )?);
        Ok(())
    })
}

/// # Safety
/// `authorization` is NULL or a live authorization handle.
unsafe fn authorization_arg<'a>(
    authorization: *const mxreg_oauth_authorization,
) -> Result<&'a AuthorizationHandle, Error> {
    // SAFETY: forwarded.
    unsafe { handle_arg(authorization, "authorization") }
}

/// The URL to open in the user's browser. Borrowed; valid until
/// `authorization` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_url(
    authorization: *const mxreg_oauth_authorization,
) -> *const c_char {
    read_str(authorization, |a| &a.url)
}

/// The device ID the new session will have. Borrowed; valid until
/// `authorization` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_device_id(
    authorization: *const mxreg_oauth_authorization,
) -> *const c_char {
    read_str(authorization, |a| &a.device_id)
}

/// The `state` value, to tell which authorization a redirect belongs to
/// when the app runs several. Borrowed; valid until `authorization` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_state(
    authorization: *const mxreg_oauth_authorization,
) -> *const c_char {
    read_str(authorization, |a| &a.state)
}

/// Whether this is a sign-up or a login (`MXREG_OAUTH_INTENT_SIGN_UP` for
/// NULL).
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_intent(
    authorization: *const mxreg_oauth_authorization,
) -> mxreg_oauth_intent {
    read_handle(authorization, mxreg_oauth_intent::SignUp, |a| {
        match a.pending.intent {
            Intent::SignUp => mxreg_oauth_intent::SignUp,
            Intent::Login => mxreg_oauth_intent::Login,
        }
    })
}

/// Finish the authorization with the redirect URL the app received (the
/// full URL, with its query or fragment). mxreg checks `state` and `iss`
/// (`MXREG_RESULT_OAUTH_STATE_MISMATCH`: ignore that redirect), turns an
/// error from the server into its code (`MXREG_RESULT_OAUTH_ACCESS_DENIED`
/// when the user refused, `MXREG_RESULT_OAUTH_ERROR` otherwise, with the
/// OAuth `error` as the errcode), exchanges the code with the PKCE verifier
/// (a used or expired code, or a wrong verifier, is
/// `MXREG_RESULT_OAUTH_INVALID_GRANT`), and asks the homeserver who the
/// account is (`whoami`). Blocks; thread-safe.
///
/// On success writes the new session to `*registration_out` (user ID,
/// device ID, access and refresh tokens, expiry): caller owns it; free it
/// with `mxreg_registration_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_complete(
    authorization: *const mxreg_oauth_authorization,
    redirect_url: *const c_char,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let authorization = unsafe { authorization_arg(authorization) }?;
        let redirect_url = unsafe { str_arg(redirect_url, "redirect_url") }?;
        let out = unsafe { out_arg(registration_out, "registration_out") }?;
        let context = &authorization.context;
        let registration = context.client.client.oauth_complete_authorization(
            &context.metadata,
            &authorization.pending,
            redirect_url,
        )?;
        *out = into_box_ptr(RegistrationHandle::new(&registration)?);
        Ok(())
    })
}

/// Free an authorization and wipe its verifier. NULL is a no-op. Call once,
/// when no other thread uses it.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_free(authorization: *mut mxreg_oauth_authorization) {
    free_box(authorization)
}
