//! `mxreg_oauth_server`: a homeserver's authorization server, discovered
//! and checked, shared by every OAuth call.

use std::ffi::{CString, c_char};
use std::sync::Arc;

use crate::error::Error;
use crate::ffi::client::{ClientHandle, client_arg, mxreg_client};
use crate::ffi::error::mxreg_error;
use crate::ffi::{
    Boxed, Handle, c_string, ffi_call, free_box, handle_arg, into_box_ptr, opt_c_string, out_arg,
    read_handle, read_str,
};
use crate::oauth::AuthMetadata;
use crate::result::mxreg_result;

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
    type Ownership = Boxed;
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
                metadata.registration_endpoint.as_deref(),
                "registration_endpoint",
            )?,
            revocation_endpoint: opt_c_string(
                metadata.revocation_endpoint.as_deref(),
                "revocation_endpoint",
            )?,
            account_management_uri: opt_c_string(
                metadata.account_management_uri.as_deref(),
                "account_management_uri",
            )?,
            metadata_json: c_string(&metadata.raw.to_string(), "auth metadata")?,
            context: Arc::new(ServerContext { client, metadata }),
        })
    }
}

/// The handle behind a required `server` argument.
///
/// # Safety
/// `server` is NULL or a live server handle.
pub(crate) unsafe fn server_arg<'a>(
    server: *const mxreg_oauth_server,
) -> Result<&'a ServerHandle, Error> {
    // SAFETY: forwarded.
    unsafe { handle_arg(server, "server") }
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
        let client = unsafe { client_arg(client) }?;
        let out = unsafe { out_arg(server_out, "server_out") }?;
        let metadata = client.client.oauth_discover()?;
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
    read_str(server, |s| &s.issuer)
}

/// The authorization endpoint. Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_authorization_endpoint(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_str(server, |s| &s.authorization_endpoint)
}

/// The token endpoint. Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_token_endpoint(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_str(server, |s| &s.token_endpoint)
}

/// The dynamic client registration endpoint, or NULL when the server has
/// none (the app then needs a client ID from the server's operator).
/// Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_registration_endpoint(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_str(server, |s| &s.registration_endpoint)
}

/// The token revocation endpoint, or NULL. Borrowed; valid until `server`
/// is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_revocation_endpoint(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_str(server, |s| &s.revocation_endpoint)
}

/// Where the user manages their account (to link to from the app), or
/// NULL. Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_account_management_uri(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_str(server, |s| &s.account_management_uri)
}

/// The whole metadata document as JSON text, unknown fields included.
/// Borrowed; valid until `server` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_metadata_json(
    server: *const mxreg_oauth_server,
) -> *const c_char {
    read_str(server, |s| &s.metadata_json)
}

/// Free a server handle. Authorizations started from it stay valid. NULL is
/// a no-op. Call once, when no other thread uses it.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_free(server: *mut mxreg_oauth_server) {
    free_box(server)
}
