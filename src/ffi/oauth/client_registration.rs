//! Dynamic client registration (RFC 7591) in C: `mxreg_oauth_client_metadata`
//! describes the app, `mxreg_oauth_registered_client` is the answer.

use std::ffi::{CString, c_char};

use crate::error::Error;
use crate::ffi::error::mxreg_error;
use crate::ffi::oauth::server::{mxreg_oauth_server, server_arg};
use crate::ffi::{
    Boxed, Handle, RequestStruct, c_string, enum_arg, ffi_call, free_box, init_request,
    into_box_ptr, opt_string_arg, out_arg, read_str, request_arg, string_arg,
};
use crate::oauth::{ApplicationType, ClientMetadata, RegisteredClient};
use crate::result::mxreg_result;

/// At most this many redirect URIs in one registration.
const MAX_REDIRECT_URIS: usize = 64;

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

/// `redirect_uris` is NULL or points to `redirect_uri_count` string pointers.
impl RequestStruct for mxreg_oauth_client_metadata {
    type Output = ClientMetadata;

    unsafe fn convert(self) -> Result<ClientMetadata, Error> {
        // SAFETY: every string field is NULL or NUL-terminated (the struct's contract).
        let text = |ptr, name| unsafe { opt_string_arg(ptr, name) };
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
            .map(|ptr| unsafe { string_arg(*ptr, "metadata.redirect_uris[i]") })
            .collect::<Result<_, _>>()?;
        let application_type = enum_arg(
            self.application_type,
            "metadata.application_type",
            "mxreg_oauth_application_type",
            &[
                (
                    mxreg_oauth_application_type::Native as u32,
                    ApplicationType::Native,
                ),
                (
                    mxreg_oauth_application_type::Web as u32,
                    ApplicationType::Web,
                ),
            ],
        )?;
        Ok(ClientMetadata {
            client_name: text(self.client_name, "metadata.client_name")?,
            // SAFETY: as above.
            client_uri: unsafe { string_arg(self.client_uri, "metadata.client_uri") }?,
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
    init_request(metadata)
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
    type Ownership = Boxed;
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
        let server = unsafe { server_arg(server) }?;
        let app = unsafe { request_arg(metadata, "metadata") }?;
        let out = unsafe { out_arg(registered_out, "registered_out") }?;
        let context = &server.context;
        let registered = context
            .client
            .client
            .oauth_register_client(&context.metadata, &app)?;
        *out = into_box_ptr(RegisteredClientHandle::new(&registered)?);
        Ok(())
    })
}

/// The client ID. Borrowed; valid until `registered` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_registered_client_client_id(
    registered: *const mxreg_oauth_registered_client,
) -> *const c_char {
    read_str(registered, |r| &r.client_id)
}

/// The registration the server answered, as JSON text, without the secrets
/// it may hold (`registration_access_token`). Borrowed; valid until
/// `registered` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_registered_client_metadata_json(
    registered: *const mxreg_oauth_registered_client,
) -> *const c_char {
    read_str(registered, |r| &r.metadata_json)
}

/// Free a registered client. NULL is a no-op. Call once.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_registered_client_free(
    registered: *mut mxreg_oauth_registered_client,
) {
    free_box(registered)
}
