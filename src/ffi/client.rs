//! `mxreg_client`: a homeserver URL plus connection settings, shared by
//! every call.

use std::ffi::{CString, c_char};
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Client, ClientConfig, DEFAULT_CALL_TIMEOUT};
use crate::error::Error;
use crate::ffi::error::mxreg_error;
use crate::ffi::{
    Handle, RequestStruct, Shared, arc_clone, ffi_call, ffi_value, free_arc, init_request,
    into_arc_ptr, opt_request_arg, opt_str_arg, out_arg, read_str, str_arg,
};
use crate::result::mxreg_result;
use crate::transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_TIMEOUT, TransportConfig,
    default_user_agent,
};

/// A client for one homeserver.
///
/// Immutable and thread-safe: share one client between threads and calls;
/// connections are pooled and reused. Reference-counted: each pointer from
/// `mxreg_client_new` or `mxreg_client_clone` is freed once with
/// `mxreg_client_free`; a call in progress keeps the client alive, so a free
/// on another thread takes effect when that call returns. Never free the last
/// reference while another thread may still be *starting* a call with it.
pub struct mxreg_client {
    _private: [u8; 0],
}

pub struct ClientHandle {
    pub(crate) client: Client,
    homeserver_url: CString,
}

#[cfg(test)]
impl ClientHandle {
    pub(crate) fn for_tests(client: Client) -> Self {
        let homeserver_url = CString::new(client.homeserver().as_str()).unwrap();
        ClientHandle {
            client,
            homeserver_url,
        }
    }
}

impl Handle for mxreg_client {
    type Inner = ClientHandle;
    type Ownership = Shared;
}

/// The client behind a required `client` argument, as one more reference
/// (so that a free on another thread waits for the call).
///
/// # Safety
/// `client` is NULL or a live client reference.
pub(crate) unsafe fn client_arg(client: *const mxreg_client) -> Result<Arc<ClientHandle>, Error> {
    // SAFETY: forwarded.
    unsafe { arc_clone(client) }.ok_or(Error::NullArgument("client"))
}

/// Connection settings for `mxreg_client_new`. Initialise with
/// `mxreg_client_options_init`, then change what you need.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mxreg_client_options {
    /// `sizeof(mxreg_client_options)`; set by `mxreg_client_options_init`.
    pub struct_size: usize,
    /// `User-Agent` header; NULL means `"mxreg/<version>"`. Copied.
    pub user_agent: *const c_char,
    /// Cap on a response body; larger answers fail with
    /// `MXREG_RESULT_BODY_TOO_LARGE`. 0 means the default (1 MiB).
    pub max_response_bytes: u64,
    /// DNS plus connection (and TLS handshake) timeout in ms; 0 means the
    /// default (10 000). Timeouts always exist.
    pub connect_timeout_ms: u32,
    /// Timeout for sending a request and receiving the whole answer, in ms;
    /// 0 means the default (30 000).
    pub request_timeout_ms: u32,
    /// Allow `http://` to hosts other than loopback. Off by default: plain
    /// http is only allowed to 127.0.0.0/8, ::1 and localhost.
    pub allow_insecure_http: bool,
    /// When the server rate-limits a call (HTTP 429), wait as it asks and
    /// retry, as long as the total wait stays within this many ms. 0 (the
    /// default) returns `MXREG_RESULT_RATE_LIMITED` at once.
    pub rate_limit_max_wait_ms: u32,
    /// Which certificates https trusts. NULL (the default): the operating
    /// system's, through its own verifier: the system trust store on Linux
    /// (read when the client makes its first https connection; `SSL_CERT_FILE`
    /// and `SSL_CERT_DIR` replace it when set), the platform verifier on
    /// Android (after its initialisation; see the Kotlin guide), Apple
    /// platforms and Windows, so a CA the user or an administrator installed
    /// is trusted. Set: PEM text of the only certificates to trust, pinned
    /// *instead of* the system's (a private CA, or a self-signed server's own
    /// certificate). Verification is never turned off. Copied; at most 64 KiB.
    pub ca_pem: *const c_char,
    /// The bound on a whole call in ms, however many requests it sends (the
    /// probe's five or so, OAuth discovery and completion, a call retried
    /// on rate limits); waits for rate limits (`rate_limit_max_wait_ms`)
    /// add to it. Each request still has its own timeouts. 0 means the
    /// default (60 000). A call past it fails with `MXREG_RESULT_TIMEOUT`
    /// (or `MXREG_RESULT_OUTCOME_UNKNOWN` for a request that creates an
    /// account and was sent).
    pub call_timeout_ms: u32,
}

impl Default for mxreg_client_options {
    fn default() -> Self {
        mxreg_client_options {
            struct_size: size_of::<Self>(),
            user_agent: std::ptr::null(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            connect_timeout_ms: DEFAULT_CONNECT_TIMEOUT.as_millis() as u32,
            request_timeout_ms: DEFAULT_REQUEST_TIMEOUT.as_millis() as u32,
            allow_insecure_http: false,
            rate_limit_max_wait_ms: 0,
            ca_pem: std::ptr::null(),
            call_timeout_ms: DEFAULT_CALL_TIMEOUT.as_millis() as u32,
        }
    }
}

impl RequestStruct for mxreg_client_options {
    type Output = ClientConfig;

    unsafe fn convert(self) -> Result<ClientConfig, Error> {
        let millis_or = |ms: u32, default: Duration| {
            if ms == 0 {
                default
            } else {
                Duration::from_millis(ms.into())
            }
        };
        // SAFETY: a C string or NULL, per the struct's documentation.
        let user_agent = unsafe { opt_str_arg(self.user_agent, "options.user_agent") }?;
        // SAFETY: as above.
        let ca_pem = unsafe { opt_str_arg(self.ca_pem, "options.ca_pem") }?;
        Ok(ClientConfig {
            transport: TransportConfig {
                connect_timeout: millis_or(self.connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT),
                request_timeout: millis_or(self.request_timeout_ms, DEFAULT_REQUEST_TIMEOUT),
                user_agent: user_agent.map_or_else(default_user_agent, str::to_owned),
                max_response_bytes: match self.max_response_bytes {
                    0 => DEFAULT_MAX_RESPONSE_BYTES,
                    n => n,
                },
                allow_insecure_http: self.allow_insecure_http,
                ca_pem: ca_pem.map(str::to_owned),
            },
            rate_limit_max_wait: Duration::from_millis(self.rate_limit_max_wait_ms.into()),
            call_timeout: Some(millis_or(self.call_timeout_ms, DEFAULT_CALL_TIMEOUT)),
        })
    }
}

/// Fill `options` with the defaults (and its `struct_size`). NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_options_init(options: *mut mxreg_client_options) {
    init_request(options)
}

/// `sizeof(mxreg_client_options)` as this library was built: bindings that
/// mirror the struct compare it with their own at load.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_options_size() -> usize {
    size_of::<mxreg_client_options>()
}

/// Create a client for the homeserver at `homeserver_url` (e.g.
/// `"https://matrix.example.org"`; a path prefix is kept). `options` may be
/// NULL for the defaults; it is read during the call only. Does no I/O.
///
/// On success writes a new client to `*client_out`: caller owns it; free it
/// with `mxreg_client_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_new(
    homeserver_url: *const c_char,
    options: *const mxreg_client_options,
    client_out: *mut *const mxreg_client,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let url = unsafe { str_arg(homeserver_url, "homeserver_url") }?;
        let out = unsafe { out_arg(client_out, "client_out") }?;
        let config = unsafe { opt_request_arg(options, "options") }?;
        let client = Client::new(url, &config)?;
        let homeserver_url = CString::new(client.homeserver().as_str())
            .map_err(|_| Error::invalid_argument("homeserver_url", "contains a NUL byte"))?;
        *out = into_arc_ptr(Arc::new(ClientHandle {
            client,
            homeserver_url,
        }));
        Ok(())
    })
}

/// Another reference to the same client (for handing to another thread that
/// frees it itself). Returns NULL for NULL. Free each reference once.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_clone(client: *const mxreg_client) -> *const mxreg_client {
    ffi_value(std::ptr::null(), || {
        // SAFETY: NULL or a live client reference.
        unsafe { arc_clone(client) }.map_or(std::ptr::null(), into_arc_ptr)
    })
}

/// The normalised homeserver base URL (no trailing slash). Borrowed; valid
/// until this reference of `client` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_homeserver_url(client: *const mxreg_client) -> *const c_char {
    read_str(client, |c| &c.homeserver_url)
}

/// Drop one reference to a client. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_free(client: *const mxreg_client) {
    free_arc(client)
}
