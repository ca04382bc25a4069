//! The OAuth 2.0 API in C, for homeservers that delegate authentication
//! (matrix.org and every server behind the Matrix Authentication Service):
//! `mxreg_oauth_server` (the checked server metadata), client registration,
//! `mxreg_oauth_authorization` (start, save, restore, complete), token
//! refresh and revocation.
//!
//! mxreg never opens a browser: the app opens the authorization URL, waits
//! for the redirect to its redirect URI, and hands that URL back.

use std::ffi::{CString, c_char};
use std::sync::Arc;

use crate::error::Error;
use crate::ffi::client::{ClientHandle, mxreg_client};
use crate::ffi::error::mxreg_error;
use crate::ffi::registration::{RegistrationHandle, mxreg_registration};
use crate::ffi::tokens::{TokensHandle, mxreg_tokens};
use crate::ffi::{
    Handle, arc_clone, c_string, document_arg, ffi_call, ffi_value, free_box, into_box_ptr,
    opt_ptr, opt_str_arg, out_arg, read_handle, read_request_struct, str_arg,
};
use crate::oauth::{
    ApplicationType, AuthMetadata, AuthorizationRequest, ClientMetadata, Intent,
    PendingAuthorization, RegisteredClient, ResponseMode, complete_authorization, discover,
    refresh, register_client, revoke, start_authorization,
};
use crate::result::mxreg_result;
use crate::secret::wipe_vec;

/// At most this many redirect URIs in one registration.
const MAX_REDIRECT_URIS: usize = 64;

/// What the server handle shares with the authorizations it starts, so that
/// they stay usable after the server handle is freed.
pub(crate) struct ServerContext {
    pub(crate) client: Arc<ClientHandle>,
    pub(crate) metadata: AuthMetadata,
}

/// A homeserver's OAuth 2.0 authorization server, as discovered and checked
/// by `mxreg_oauth_server_discover`.
///
/// Caller owns it; free it with `mxreg_oauth_server_free`. Immutable and
/// thread-safe: any number of calls on any threads may share one server
/// (it keeps its `mxreg_client` alive). Authorizations started from it stay
/// valid after it is freed.
pub struct mxreg_oauth_server {
    _private: [u8; 0],
}

pub struct ServerHandle {
    pub(crate) context: Arc<ServerContext>,
    issuer: CString,
    authorization_endpoint: CString,
    token_endpoint: CString,
    registration_endpoint: Option<CString>,
    revocation_endpoint: Option<CString>,
    account_management_uri: Option<CString>,
    metadata_json: CString,
}

impl Handle for mxreg_oauth_server {
    type Inner = ServerHandle;
}

fn opt_c_string(value: &Option<String>, what: &str) -> Result<Option<CString>, Error> {
    value.as_deref().map(|v| c_string(v, what)).transpose()
}

impl ServerHandle {
    fn new(client: Arc<ClientHandle>, metadata: AuthMetadata) -> Result<Self, Error> {
        Ok(ServerHandle {
            issuer: c_string(&metadata.issuer, "issuer")?,
            authorization_endpoint: c_string(
                &metadata.authorization_endpoint,
                "authorization_endpoint",
            )?,
            token_endpoint: c_string(&metadata.token_endpoint, "token_endpoint")?,
            registration_endpoint: opt_c_string(
                &metadata.registration_endpoint,
                "registration_endpoint",
            )?,
            revocation_endpoint: opt_c_string(
                &metadata.revocation_endpoint,
                "revocation_endpoint",
            )?,
            account_management_uri: opt_c_string(
                &metadata.account_management_uri,
                "account_management_uri",
            )?,
            metadata_json: c_string(&metadata.raw.to_string(), "auth metadata")?,
            context: Arc::new(ServerContext { client, metadata }),
        })
    }
}

/// # Safety
/// `server` is NULL or a live server handle.
pub(crate) unsafe fn server_ref<'a>(
    server: *const mxreg_oauth_server,
) -> Result<&'a ServerHandle, Error> {
    // SAFETY: per this function's contract.
    unsafe { server.cast::<ServerHandle>().as_ref() }.ok_or(Error::NullArgument("server"))
}

/// Fetch the homeserver's OAuth 2.0 server metadata
/// (`GET /_matrix/client/v1/auth_metadata`, then the MSC2965 unstable
/// path) and check it: issuer and endpoints (plain http only to loopback
/// unless the client allows it), the `code` response type, PKCE `S256`.
/// A homeserver with legacy authentication only gives
/// `MXREG_RESULT_OAUTH_UNSUPPORTED`. Blocks.
///
/// On success writes a new server to `*server_out`: caller owns it; free it
/// with `mxreg_oauth_server_free`. It keeps a reference to `client`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_discover(
    client: *const mxreg_client,
    server_out: *mut *mut mxreg_oauth_server,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { arc_clone(client) }.ok_or(Error::NullArgument("client"))?;
        let out = unsafe { out_arg(server_out, "server_out") }?;
        let metadata = discover(&client.client)?;
        *out = into_box_ptr(ServerHandle::new(client, metadata)?);
        Ok(())
    })
}

/// Whether the server lets users create accounts (`create` in
/// `prompt_values_supported`). False for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_supports_sign_up(server: *const mxreg_oauth_server) -> bool {
    read_handle(server, false, |s| s.context.metadata.supports_sign_up())
}

/// Whether the server offers the device authorization grant (RFC 8628: a
/// `device_authorization_endpoint` and the device code grant type), for
/// apps without a browser. False for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_supports_device_authorization(
    server: *const mxreg_oauth_server,
) -> bool {
    read_handle(server, false, |s| {
        s.context.metadata.supports_device_authorization()
    })
}

/// The issuer identifier. Borrowed; valid until `server` is freed. NULL for
/// NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_issuer(server: *const mxreg_oauth_server) -> *const c_char {
    read_handle(server, std::ptr::null(), |s| s.issuer.as_ptr())
}

/// The authorization endpoint. Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_authorization_endpoint(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_handle(server, std::ptr::null(), |s| {
        s.authorization_endpoint.as_ptr()
    })
}

/// The token endpoint. Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_token_endpoint(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_handle(server, std::ptr::null(), |s| s.token_endpoint.as_ptr())
}

/// The dynamic client registration endpoint, or NULL when the server has
/// none (the app then needs a client ID from the server's operator).
/// Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_registration_endpoint(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_handle(server, std::ptr::null(), |s| {
        opt_ptr(&s.registration_endpoint)
    })
}

/// The token revocation endpoint, or NULL. Borrowed; valid until `server`
/// is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_revocation_endpoint(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_handle(server, std::ptr::null(), |s| {
        opt_ptr(&s.revocation_endpoint)
    })
}

/// Where the user manages their account (to link to from the app), or
/// NULL. Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_account_management_uri(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_handle(server, std::ptr::null(), |s| {
        opt_ptr(&s.account_management_uri)
    })
}

/// The whole metadata document as JSON text, unknown fields included.
/// Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_metadata_json(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_handle(server, std::ptr::null(), |s| s.metadata_json.as_ptr())
}

/// Free a server handle. Authorizations started from it stay valid. NULL is
/// a no-op. Call once, when no other thread uses it.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_free(server: *mut mxreg_oauth_server) {
    ffi_value((), || {
        // SAFETY: NULL or a live handle, freed once.
        unsafe { free_box(server) }
    })
}

/// The kind of app registering (`application_type`), which decides the
/// redirect URIs the server accepts.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_oauth_application_type {
    /// Desktop or mobile app (the default): loopback
    /// `http://127.0.0.1:<port>/...` or private-use scheme
    /// (`com.example.app:/callback`) redirect URIs.
    Native = 0,
    /// Web app: https redirect URIs on the host of `client_uri`.
    Web = 1,
}

/// The app's description for dynamic client registration (RFC 7591).
/// Initialise with `mxreg_oauth_client_metadata_init`, then set fields.
/// Read during the call only: the library keeps no pointer into it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mxreg_oauth_client_metadata {
    /// `sizeof(mxreg_oauth_client_metadata)`; set by the init function.
    pub struct_size: usize,
    /// The name users see on the consent page; may be NULL.
    pub client_name: *const c_char,
    /// Required: the app's web page, https. Other URIs share its host.
    pub client_uri: *const c_char,
    /// Required: an array of `redirect_uri_count` redirect URIs.
    pub redirect_uris: *const *const c_char,
    /// How many entries `redirect_uris` has: 1 to 64.
    pub redirect_uri_count: usize,
    /// An `mxreg_oauth_application_type` value (default native).
    pub application_type: u32,
    /// The app's logo (https); may be NULL.
    pub logo_uri: *const c_char,
    /// The app's privacy policy (https); may be NULL.
    pub policy_uri: *const c_char,
    /// The app's terms of service (https); may be NULL.
    pub tos_uri: *const c_char,
}

impl Default for mxreg_oauth_client_metadata {
    fn default() -> Self {
        mxreg_oauth_client_metadata {
            struct_size: size_of::<Self>(),
            client_name: std::ptr::null(),
            client_uri: std::ptr::null(),
            redirect_uris: std::ptr::null(),
            redirect_uri_count: 0,
            application_type: mxreg_oauth_application_type::Native as u32,
            logo_uri: std::ptr::null(),
            policy_uri: std::ptr::null(),
            tos_uri: std::ptr::null(),
        }
    }
}

impl mxreg_oauth_client_metadata {
    /// # Safety
    /// Every string pointer is NULL or NUL-terminated; `redirect_uris` is
    /// NULL or points to `redirect_uri_count` such pointers.
    unsafe fn to_metadata(self) -> Result<ClientMetadata, Error> {
        // SAFETY: forwarded to the caller.
        let text = |ptr, name| unsafe { opt_str_arg(ptr, name) }.map(|s| s.map(str::to_owned));
        let count = self.redirect_uri_count;
        if count == 0 || count > MAX_REDIRECT_URIS {
            return Err(Error::invalid_argument(
                "metadata.redirect_uri_count",
                format!("must be 1 to {MAX_REDIRECT_URIS}"),
            ));
        }
        if self.redirect_uris.is_null() {
            return Err(Error::NullArgument("metadata.redirect_uris"));
        }
        // SAFETY: non-NULL, and `count` entries per the contract.
        let pointers = unsafe { std::slice::from_raw_parts(self.redirect_uris, count) };
        let redirect_uris = pointers
            .iter()
            // SAFETY: each entry is NULL or NUL-terminated per the contract.
            .map(|ptr| unsafe { str_arg(*ptr, "metadata.redirect_uris[i]") }.map(str::to_owned))
            .collect::<Result<_, _>>()?;
        let application_type = match self.application_type {
            t if t == mxreg_oauth_application_type::Native as u32 => ApplicationType::Native,
            t if t == mxreg_oauth_application_type::Web as u32 => ApplicationType::Web,
            other => {
                return Err(Error::invalid_argument(
                    "metadata.application_type",
                    format!("{other} is not an mxreg_oauth_application_type"),
                ));
            }
        };
        Ok(ClientMetadata {
            client_name: text(self.client_name, "metadata.client_name")?,
            client_uri: text(self.client_uri, "metadata.client_uri")?
                .ok_or(Error::NullArgument("metadata.client_uri"))?,
            redirect_uris,
            application_type,
            logo_uri: text(self.logo_uri, "metadata.logo_uri")?,
            policy_uri: text(self.policy_uri, "metadata.policy_uri")?,
            tos_uri: text(self.tos_uri, "metadata.tos_uri")?,
        })
    }
}

/// Fill `metadata` with the defaults (native app, everything else absent)
/// and its `struct_size`. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_client_metadata_init(metadata: *mut mxreg_oauth_client_metadata) {
    ffi_value((), || {
        if !metadata.is_null() {
            // SAFETY: non-NULL and, per the contract, a writable struct.
            unsafe { metadata.write(mxreg_oauth_client_metadata::default()) };
        }
    })
}

/// `sizeof(mxreg_oauth_client_metadata)` as this library was built.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_client_metadata_size() -> usize {
    size_of::<mxreg_oauth_client_metadata>()
}

/// A client registered with the authorization server: its client ID, to
/// store and reuse for every later authorization of this app on this server.
///
/// Caller owns it; free it with `mxreg_oauth_registered_client_free`.
/// Immutable: safe to read from several threads.
pub struct mxreg_oauth_registered_client {
    _private: [u8; 0],
}

pub struct RegisteredClientHandle {
    client_id: CString,
    metadata_json: CString,
}

impl Handle for mxreg_oauth_registered_client {
    type Inner = RegisteredClientHandle;
}

impl RegisteredClientHandle {
    fn new(registered: &RegisteredClient) -> Result<Self, Error> {
        Ok(RegisteredClientHandle {
            client_id: c_string(&registered.client_id, "client_id")?,
            metadata_json: c_string(&registered.metadata.to_string(), "client metadata")?,
        })
    }
}

/// Register the app as a public client (dynamic client registration,
/// RFC 7591; `token_endpoint_auth_method: none`). Call it at the start of
/// each authorization flow, as the spec says, and keep the client ID with
/// that flow's tokens. Loopback redirect URIs (`http://127.0.0.1:<port>/…`,
/// `[::1]`, `localhost`) are registered without their port: the server
/// accepts any port in the authorization request (RFC 8252 §7.3). Servers without dynamic
/// registration give `MXREG_RESULT_OAUTH_UNSUPPORTED`: use a client ID from
/// their operator instead. Bad metadata is `MXREG_RESULT_INVALID_ARGUMENT`
/// (checked before any request) or the server's `invalid_redirect_uri` /
/// `invalid_client_metadata` as `MXREG_RESULT_OAUTH_ERROR`. Blocks;
/// thread-safe.
///
/// On success writes the registration to `*registered_out`: caller owns it;
/// free it with `mxreg_oauth_registered_client_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_register_client(
    server: *const mxreg_oauth_server,
    metadata: *const mxreg_oauth_client_metadata,
    registered_out: *mut *mut mxreg_oauth_registered_client,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { server_ref(server) }?;
        let metadata = unsafe { read_request_struct(metadata, "metadata") }?;
        let out = unsafe { out_arg(registered_out, "registered_out") }?;
        let app = unsafe { metadata.to_metadata() }?;
        let context = &server.context;
        let registered = register_client(&context.client.client, &context.metadata, &app)?;
        *out = into_box_ptr(RegisteredClientHandle::new(&registered)?);
        Ok(())
    })
}

/// The client ID. Borrowed; valid until `registered` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_registered_client_client_id(
    registered: *const mxreg_oauth_registered_client,
) -> *const c_char {
    read_handle(registered, std::ptr::null(), |r| r.client_id.as_ptr())
}

/// The registration the server answered, as JSON text, without the secrets
/// it may hold (`registration_access_token`). Borrowed; valid until
/// `registered` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_registered_client_metadata_json(
    registered: *const mxreg_oauth_registered_client,
) -> *const c_char {
    read_handle(registered, std::ptr::null(), |r| r.metadata_json.as_ptr())
}

/// Free a registered client. NULL is a no-op. Call once.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_registered_client_free(
    registered: *mut mxreg_oauth_registered_client,
) {
    ffi_value((), || {
        // SAFETY: NULL or a live handle, freed once.
        unsafe { free_box(registered) }
    })
}

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

impl mxreg_oauth_authorization_request {
    /// # Safety
    /// Every string pointer is NULL or NUL-terminated.
    unsafe fn to_request(self) -> Result<AuthorizationRequest, Error> {
        // SAFETY: forwarded to the caller.
        let text = |ptr, name| unsafe { opt_str_arg(ptr, name) }.map(|s| s.map(str::to_owned));
        let intent = match self.intent {
            i if i == mxreg_oauth_intent::SignUp as u32 => Intent::SignUp,
            i if i == mxreg_oauth_intent::Login as u32 => Intent::Login,
            other => {
                return Err(Error::invalid_argument(
                    "request.intent",
                    format!("{other} is not an mxreg_oauth_intent"),
                ));
            }
        };
        let response_mode = match self.response_mode {
            m if m == mxreg_oauth_response_mode::Query as u32 => ResponseMode::Query,
            m if m == mxreg_oauth_response_mode::Fragment as u32 => ResponseMode::Fragment,
            other => {
                return Err(Error::invalid_argument(
                    "request.response_mode",
                    format!("{other} is not an mxreg_oauth_response_mode"),
                ));
            }
        };
        Ok(AuthorizationRequest {
            client_id: text(self.client_id, "request.client_id")?
                .ok_or(Error::NullArgument("request.client_id"))?,
            redirect_uri: text(self.redirect_uri, "request.redirect_uri")?
                .ok_or(Error::NullArgument("request.redirect_uri"))?,
            device_id: text(self.device_id, "request.device_id")?,
            login_hint: text(self.login_hint, "request.login_hint")?,
            intent,
            response_mode,
        })
    }
}

/// Fill `request` with the defaults (sign-up, query response mode,
/// generated device ID) and its `struct_size`. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_request_init(
    request: *mut mxreg_oauth_authorization_request,
) {
    ffi_value((), || {
        if !request.is_null() {
            // SAFETY: non-NULL and, per the contract, a writable struct.
            unsafe { request.write(mxreg_oauth_authorization_request::default()) };
        }
    })
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
        let server = unsafe { server_ref(server) }?;
        let request = unsafe { read_request_struct(request, "request") }?;
        let out = unsafe { out_arg(authorization_out, "authorization_out") }?;
        let request = unsafe { request.to_request() }?;
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
        let authorization = unsafe { authorization_ref(authorization) }?;
        let out = unsafe { out_arg(saved_out, "saved_out") }?;
        let saved = authorization.pending.to_json()?;
        let mut bytes = Vec::with_capacity(saved.expose().len() + 1);
        bytes.extend_from_slice(saved.expose().as_bytes());
        match CString::new(bytes) {
            Ok(c_saved) => *out = c_saved.into_raw(),
            Err(err) => {
                wipe_vec(&mut err.into_vec());
                return Err(Error::InvalidState("the saved form has a NUL byte".into()));
            }
        }
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
        let server = unsafe { server_ref(server) }?;
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
unsafe fn authorization_ref<'a>(
    authorization: *const mxreg_oauth_authorization,
) -> Result<&'a AuthorizationHandle, Error> {
    // SAFETY: per this function's contract.
    unsafe { authorization.cast::<AuthorizationHandle>().as_ref() }
        .ok_or(Error::NullArgument("authorization"))
}

/// The URL to open in the user's browser. Borrowed; valid until
/// `authorization` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_url(
    authorization: *const mxreg_oauth_authorization,
) -> *const c_char {
    read_handle(authorization, std::ptr::null(), |a| a.url.as_ptr())
}

/// The device ID the new session will have. Borrowed; valid until
/// `authorization` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_device_id(
    authorization: *const mxreg_oauth_authorization,
) -> *const c_char {
    read_handle(authorization, std::ptr::null(), |a| a.device_id.as_ptr())
}

/// The `state` value, to tell which authorization a redirect belongs to
/// when the app runs several. Borrowed; valid until `authorization` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_authorization_state(
    authorization: *const mxreg_oauth_authorization,
) -> *const c_char {
    read_handle(authorization, std::ptr::null(), |a| a.state.as_ptr())
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
        let authorization = unsafe { authorization_ref(authorization) }?;
        let redirect_url = unsafe { str_arg(redirect_url, "redirect_url") }?;
        let out = unsafe { out_arg(registration_out, "registration_out") }?;
        let context = &authorization.context;
        let registration = complete_authorization(
            &context.client.client,
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
    ffi_value((), || {
        // SAFETY: NULL or a live handle, freed once.
        unsafe { free_box(authorization) }
    })
}

/// Exchange a refresh token at the token endpoint (refresh token grant).
/// The server rotates refresh tokens: keep the new one from `*tokens_out`;
/// the old one, or a revoked one, is `MXREG_RESULT_OAUTH_INVALID_GRANT`.
/// Blocks; thread-safe.
///
/// On success writes the new tokens to `*tokens_out`: caller owns them;
/// free them with `mxreg_tokens_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_refresh_token(
    server: *const mxreg_oauth_server,
    client_id: *const c_char,
    refresh_token: *const c_char,
    tokens_out: *mut *mut mxreg_tokens,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { server_ref(server) }?;
        let client_id = unsafe { str_arg(client_id, "client_id") }?;
        let refresh_token = unsafe { str_arg(refresh_token, "refresh_token") }?;
        let out = unsafe { out_arg(tokens_out, "tokens_out") }?;
        let context = &server.context;
        let pair = refresh(
            &context.client.client,
            &context.metadata,
            client_id,
            refresh_token,
        )?;
        *out = into_box_ptr(TokensHandle::new(&pair)?);
        Ok(())
    })
}

/// Revoke an access or refresh token (RFC 7009): on Matrix servers this
/// logs the device out (both tokens stop working). Revoking a token the
/// server does not know succeeds. Blocks; thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_revoke_token(
    server: *const mxreg_oauth_server,
    client_id: *const c_char,
    token: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { server_ref(server) }?;
        let client_id = unsafe { str_arg(client_id, "client_id") }?;
        let token = unsafe { str_arg(token, "token") }?;
        let context = &server.context;
        revoke(
            &context.client.client,
            &context.metadata,
            client_id,
            token,
            None,
        )
    })
}
