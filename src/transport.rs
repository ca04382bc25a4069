//! The only module that does network I/O: `ureq` agents with timeouts
//! always set, error statuses returned as answers (the Matrix error body
//! matters), a cap on body size, no redirects, and the plain-http policy.
//!
//! How a request is sent is this file, top to bottom:
//! [`Transport::send_as`](crate::transport::Transport::send_as) checks the
//! URL (plain http only where allowed), builds the request (method, URL,
//! `Authorization` in a wiped buffer, body, what is left of the call's
//! deadline), sends it on the calling thread's agent, sends it once more when
//! a pooled connection proves stale, wipes the body, reads the answer into a
//! buffer that is wiped when it regrows, and maps ureq's errors onto ours.
//! Underneath, one concept per file:
//!
//! - `agents`: one ureq agent per CPU, each thread always on the same one;
//! - `ureq_adapter`: the only file using ureq's unversioned transport API:
//!   it plugs the pieces below into the agents;
//! - `connection`: the interface they share: a byte stream with deadlines;
//! - `connector`: how a connection is opened: `tcp`, then `tls` for https;
//! - `resolver`: names looked up once a minute, IP literals never;
//! - `buffers`: what ureq reads and writes through, wiped when freed;
//! - `stale`: telling a pooled connection the server closed from a lost
//!   answer.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rustls::pki_types::CertificateDer;
use ureq::Agent;
use ureq::config::Config;
use ureq::http::uri::Scheme;
use ureq::http::{HeaderValue, Uri};
use ureq::tls::{PemItem, parse_pem};

use crate::api::answer::Answer;
use crate::api::retry_after;
use crate::error::Error;
use crate::homeserver_url::check_plain_http;
use crate::secret::{wipe, wipe_vec};
use stale::StaleConnection;

mod agents;
mod buffers;
mod connection;
mod connector;
mod crypto_provider;
mod preconnect;
mod resolver;
mod stale;
mod tcp;
mod tls;
mod ureq_adapter;

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Matrix answers are small JSON; 1 MiB leaves room for large `params`.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
/// Kept-alive connections per client (ureq keeps 3 per host by default).
const MAX_IDLE_CONNECTIONS: usize = 16;
/// How long a kept-alive connection may sit unused and still be sent on:
/// under Node.js's default idle close (5 s), the shortest common one, which
/// an OAuth device grant's 5 s polling interval would otherwise meet head
/// on, the server closing the connection as the next poll (a request that
/// must not be sent twice) goes out on it.
const MAX_IDLE_AGE: Duration = Duration::from_secs(4);

pub fn default_user_agent() -> String {
    format!("mxreg/{}", env!("CARGO_PKG_VERSION"))
}

/// How the transport behaves. Zero durations are not allowed: every request
/// has a deadline.
#[derive(Clone, Debug)]
pub struct TransportConfig {
    /// DNS resolution plus TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Sending the request and receiving the whole answer.
    pub request_timeout: Duration,
    pub user_agent: String,
    pub max_response_bytes: u64,
    pub allow_insecure_http: bool,
    /// PEM certificates to trust for https instead of the platform's
    /// verifier and trust store (a private CA, a pinned self-signed server).
    /// `None`: the platform's.
    pub ca_pem: Option<String>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: default_user_agent(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
            ca_pem: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// How a POST body is encoded (its `Content-Type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ContentType {
    /// `application/json`: every Matrix endpoint.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`: OAuth 2.0 token and revocation
    /// endpoints.
    Form,
}

impl ContentType {
    fn header_value(self) -> &'static str {
        match self {
            ContentType::Json => "application/json",
            ContentType::Form => "application/x-www-form-urlencoded",
        }
    }
}

/// One request. `body` is wiped after sending (it may hold a password).
pub struct Request<'a> {
    pub method: Method,
    pub url: &'a str,
    pub body: Option<Vec<u8>>,
    pub bearer: Option<&'a str>,
    /// The request changes server state (creates an account): a failure after
    /// it was sent means the outcome is unknown.
    pub creates_state: bool,
    /// The end of the whole call this request belongs to: the request gets
    /// at most what is left (`None`: only its own timeouts).
    pub deadline: Option<Instant>,
}

/// An answer, whatever its status. The body is wiped when it is dropped
/// (it may hold tokens).
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// The `Retry-After` delay, from seconds or an HTTP date.
    pub retry_after_secs: Option<u64>,
    /// The `Location` of a 3xx answer.
    pub location: Option<String>,
    pub body: Vec<u8>,
}

impl Drop for Response {
    fn drop(&mut self) {
        wipe_vec(&mut self.body);
    }
}

/// `read_to_end`, except that when `body` must grow (a chunked answer has
/// no Content-Length to size it), the old buffer is wiped before it is
/// freed: a `Vec` regrowing by reallocation leaves the bytes so far, tokens
/// included, in freed memory.
fn read_body_wiping(reader: &mut impl Read, body: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 8 * 1024];
    // Only the bytes a read wrote need wiping: a whole-chunk wipe (volatile,
    // byte by byte) cost more than the rest of a request (`make bench`).
    let mut used = 0;
    let outcome = loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => break Err(err),
        };
        used = used.max(n);
        if body.capacity() - body.len() < n {
            let mut bigger = Vec::with_capacity((body.capacity() * 2).max(body.len() + n));
            bigger.extend_from_slice(body);
            wipe_vec(body);
            *body = bigger;
        }
        body.extend_from_slice(&chunk[..n]);
    };
    wipe(&mut chunk[..used]);
    outcome
}

/// A buffer that wipes itself when dropped.
struct WipedOnDrop(Vec<u8>);

impl AsRef<[u8]> for WipedOnDrop {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for WipedOnDrop {
    fn drop(&mut self) {
        wipe_vec(&mut self.0);
    }
}

/// `Authorization: Bearer <token>` in one buffer that every copy of the
/// header shares (no copy inside `http`) and that is wiped when the last
/// of them is dropped.
fn bearer_header(token: &str) -> Result<HeaderValue, Error> {
    let mut value = Vec::with_capacity("Bearer ".len() + token.len());
    value.extend_from_slice(b"Bearer ");
    value.extend_from_slice(token.as_bytes());
    HeaderValue::from_maybe_shared(Bytes::from_owner(WipedOnDrop(value)))
        .map_err(|_| Error::invalid_argument("token", "not usable in an HTTP header"))
}

impl Response {
    pub fn answer(&self) -> Answer<'_> {
        Answer {
            status: self.status,
            retry_after_secs: self.retry_after_secs,
            body: &self.body,
        }
    }
}

pub struct Transport {
    agents: agents::Agents,
    /// The agents' bound on one request (connect plus request timeout).
    request_budget: Duration,
    max_response_bytes: u64,
    allow_insecure_http: bool,
}

impl Transport {
    pub fn new(config: &TransportConfig) -> Result<Self, Error> {
        if config.connect_timeout.is_zero() || config.request_timeout.is_zero() {
            return Err(Error::invalid_argument(
                "timeout",
                "timeouts must be positive",
            ));
        }
        if config.max_response_bytes == 0 {
            return Err(Error::invalid_argument(
                "max_response_bytes",
                "must be positive",
            ));
        }
        let connect = Some(config.connect_timeout);
        let request = Some(config.request_timeout);
        let request_budget = config.connect_timeout + config.request_timeout;
        let agent_config: Config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(config.user_agent.as_str())
            .accept("application/json")
            .timeout_global(Some(request_budget))
            .timeout_resolve(connect)
            .timeout_connect(connect)
            .timeout_send_request(request)
            .timeout_send_body(request)
            .timeout_recv_response(request)
            .timeout_recv_body(request)
            // Threads sharing a client each keep their connection.
            .max_idle_connections(MAX_IDLE_CONNECTIONS)
            .max_idle_connections_per_host(MAX_IDLE_CONNECTIONS)
            .max_idle_age(MAX_IDLE_AGE)
            .build();
        let tls = tls_connector(config.ca_pem.as_deref())?;
        Ok(Transport {
            agents: agents::Agents::new(agent_config, tls),
            request_budget,
            max_response_bytes: config.max_response_bytes,
            allow_insecure_http: config.allow_insecure_http,
        })
    }

    /// Whether plain http is allowed to hosts other than loopback.
    pub(crate) fn allow_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// Send a request; a POST body is JSON.
    pub fn send(&self, request: Request<'_>) -> Result<Response, Error> {
        self.send_as(request, ContentType::Json)
    }

    /// One request through ureq (the calling thread's agent).
    fn call(
        &self,
        uri: Uri,
        method: Method,
        body: &[u8],
        content_type: ContentType,
        authorization: Option<&HeaderValue>,
        left: Option<Duration>,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let agent = self.agents.for_this_thread();
        match method {
            Method::Get => {
                let mut builder = agent.get(uri);
                if let Some(value) = authorization {
                    builder = builder.header("Authorization", value);
                }
                if let Some(left) = left {
                    builder = builder.config().timeout_global(Some(left)).build();
                }
                builder.call()
            }
            Method::Post => {
                let mut builder = agent
                    .post(uri)
                    .header("Content-Type", content_type.header_value());
                if let Some(value) = authorization {
                    builder = builder.header("Authorization", value);
                }
                if let Some(left) = left {
                    builder = builder.config().timeout_global(Some(left)).build();
                }
                builder.send(body)
            }
        }
    }

    /// Send a request whose POST body is encoded as `content_type`.
    pub fn send_as(
        &self,
        mut request: Request<'_>,
        content_type: ContentType,
    ) -> Result<Response, Error> {
        let uri = request_uri(request.url, self.allow_insecure_http)?;
        let creates_state = request.creates_state;
        let left = match request.deadline {
            Some(deadline) => Some(time_left(deadline)?.min(self.request_budget)),
            None => None,
        };
        let authorization = request.bearer.map(bearer_header).transpose()?;
        let body = request.body.as_deref().unwrap_or(b"{}");
        let call = |uri: Uri| {
            self.call(
                uri,
                request.method,
                body,
                content_type,
                authorization.as_ref(),
                left,
            )
        };
        let mut result = call(uri.clone());
        // A pooled connection the server had closed under the request: once
        // more where that is safe, on another connection (that one was
        // dropped).
        let get = request.method == Method::Get;
        if let Err(err) = &result
            && StaleConnection::of(err).is_some_and(|stale| stale.retry(get))
        {
            result = call(uri);
        }
        if let Some(body) = request.body.as_mut() {
            wipe_vec(body);
        }
        drop(authorization);
        let mut response = result.map_err(|err| map_error(err, creates_state))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after_secs = header("retry-after")
            .and_then(|value| retry_after::delay_secs(&value, std::time::SystemTime::now()));
        // Kept for the redirects server discovery may follow; API calls
        // never follow them.
        let location = (300..400)
            .contains(&status)
            .then(|| header("location"))
            .flatten();
        // Sized from Content-Length up front: no regrowing, fewer reads.
        let expected = response.body().content_length().unwrap_or(0);
        let mut body = Vec::with_capacity(expected.min(self.max_response_bytes) as usize);
        let mut reader = response
            .body_mut()
            .with_config()
            .limit(self.max_response_bytes)
            .reader();
        read_body_wiping(&mut reader, &mut body).map_err(|err| {
            // What arrived of a broken answer may hold tokens too.
            wipe_vec(&mut body);
            map_error(err.into(), creates_state)
        })?;
        Ok(Response {
            status,
            retry_after_secs,
            location,
            body,
        })
    }
}

/// What is left until a call's deadline (shorter than the request's own
/// timeouts or not: ureq keeps the tighter one); none left is a timeout
/// before anything is sent.
fn time_left(deadline: Instant) -> Result<Duration, Error> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Error::Timeout("the call's overall deadline passed".into()));
    }
    Ok(left)
}

/// Parse a request URL once (ureq takes it parsed): absolute, http or https,
/// with a host and no credentials; plain http only where the policy allows.
fn request_uri(url: &str, allow_insecure_http: bool) -> Result<Uri, Error> {
    let invalid = || Error::invalid_argument("url", "not an absolute http(s) URL");
    let uri: Uri = url.parse().map_err(|_| invalid())?;
    let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
        return Err(invalid());
    };
    let host = authority.host();
    if host.is_empty() || authority.as_str().contains('@') {
        return Err(invalid());
    }
    if *scheme == Scheme::HTTP {
        check_plain_http(&host.to_ascii_lowercase(), allow_insecure_http)?;
    } else if *scheme != Scheme::HTTPS {
        return Err(invalid());
    }
    Ok(uri)
}

/// Certificate verification is always on; `ca_pem`, when given, replaces
/// the platform's trust store. (ureq's own TLS settings go unused: our TLS layer
/// replaces its connector.)
fn tls_connector(ca_pem: Option<&str>) -> Result<tls::TlsConnector, Error> {
    let Some(pem) = ca_pem else {
        return tls::TlsConnector::new(None).map_err(|err| Error::Tls(err.to_string()));
    };
    let invalid = |reason: &str| Error::invalid_argument("ca_pem", reason);
    let mut roots = Vec::new();
    for item in parse_pem(pem.as_bytes()) {
        match item.map_err(|_| invalid("not valid PEM"))? {
            PemItem::Certificate(cert) => roots.push(CertificateDer::from(cert.der().to_vec())),
            _ => return Err(invalid("holds something other than certificates")),
        }
    }
    if roots.is_empty() {
        return Err(invalid("holds no PEM certificate"));
    }
    tls::TlsConnector::new(Some(&roots)).map_err(|_| invalid("holds no usable certificate"))
}

/// Translate a ureq error into ours. `creates_state` turns failures that may
/// have happened after the server got the request into `OutcomeUnknown`.
fn map_error(err: ureq::Error, creates_state: bool) -> Error {
    use ureq::Timeout as T;
    let after_send = |what: String| {
        if creates_state {
            Error::OutcomeUnknown {
                message: what,
                device_id: None,
            }
        } else {
            Error::Io(what)
        }
    };
    if StaleConnection::of(&err) == Some(StaleConnection::Unread) {
        // Not read by the server's application, so not "outcome unknown".
        return Error::Io(format!("connection error: {err}"));
    }
    match err {
        ureq::Error::HostNotFound => Error::Dns("host not found".into()),
        ureq::Error::ConnectionFailed => Error::Connect("connection failed".into()),
        ureq::Error::Timeout(phase) => match phase {
            T::Resolve | T::Connect | T::SendRequest | T::SendBody | T::Await100 => {
                Error::Timeout(format!("{phase:?}"))
            }
            _ if creates_state => Error::OutcomeUnknown {
                message: format!("timed out waiting for the answer ({phase:?})"),
                device_id: None,
            },
            _ => Error::Timeout(format!("{phase:?}")),
        },
        ureq::Error::Io(io_err) => match io_err.kind() {
            io::ErrorKind::ConnectionRefused | io::ErrorKind::AddrNotAvailable => {
                Error::Connect(io_err.to_string())
            }
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock if !creates_state => {
                Error::Timeout(io_err.to_string())
            }
            _ => after_send(format!("connection error: {io_err}")),
        },
        ureq::Error::BodyStalled => after_send("the answer stalled".into()),
        ureq::Error::Tls(what) => Error::Tls(what.to_owned()),
        ureq::Error::Rustls(tls) => Error::Tls(tls.to_string()),
        ureq::Error::Pem(pem) => Error::Tls(pem.to_string()),
        ureq::Error::BodyExceedsLimit(limit) => Error::BodyTooLarge(limit),
        ureq::Error::Protocol(proto) => Error::InvalidResponse(format!("HTTP protocol: {proto}")),
        ureq::Error::LargeResponseHeader(_, limit) => {
            Error::InvalidResponse(format!("response headers exceed {limit} bytes"))
        }
        ureq::Error::RequireHttpsOnly(_) | ureq::Error::TlsRequired => {
            Error::InsecureUrl("(redirect target)".into())
        }
        ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => {
            Error::Redirect { status: 0 }
        }
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            Error::invalid_argument("url", "the request URL is not valid")
        }
        other => Error::Io(other.to_string()),
    }
}
