//! The TLS layer: rustls over the TCP layer, in place of ureq's rustls
//! connector, for two reasons.
//!
//! - The plaintext of each exchange (the request with its password or token,
//!   the answer with its tokens) sits in the connection's buffers until the
//!   next one; ureq's transport frees them unwiped, ours are
//!   [`WipedBuffers`].
//! - The handshake is completed while connecting, before any request byte
//!   is written. A failure there (an untrusted or expired certificate, a
//!   plain-http server) comes out of rustls as an `io::Error` wrapping the
//!   rustls error, indistinguishable from a connection lost after the
//!   request was sent. Unwrapped here, it becomes `ureq::Error::Rustls`:
//!   `MXREG_RESULT_TLS`, never "outcome unknown".
//!
//! What stays out of reach is inside rustls. It encrypts what we send in
//! place, so no plaintext of a request is left behind. But it decrypts each
//! record it receives in place in a buffer of its own (resized by
//! reallocation, freed with the connection) and copies the plaintext into a
//! vector per record that it frees once read: an answer, tokens included, is
//! left in memory rustls frees without wiping. Its unbuffered API would not
//! help: it too hands out each record from a vector of its own.
//!
//! The configuration is ureq's (ring, or the process-wide rustls provider
//! when one is installed; TLS 1.2 and 1.3; SNI), built once per client, on
//! its first https connection. Certificates are verified by the operating
//! system's verifier and trust store (rustls-platform-verifier), or only
//! against the caller's roots when it pins some.

use std::fmt;
use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

use rustls::client::ClientConnection;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore, StreamOwned};
use rustls_platform_verifier::BuilderVerifierExt;
use ureq::Error;
use ureq::http::Uri;
use ureq::unversioned::transport::time::{Duration, Instant};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, NextTimeout, Transport, TransportAdapter,
};

use super::buffers::WipedBuffers;
use super::stale::{ResetWatch, StaleConnection};
use super::tcp::LeanTcpTransport;

/// Wraps the chained transport in TLS for https URLs.
pub(crate) struct TlsConnector {
    /// `None`: the platform's verifier and trust store (on Linux the
    /// system store, read when the configuration is built).
    roots: Option<RootCertStore>,
    /// Built on the first https connection, as ureq does (a client of a
    /// plain-http server never needs it), then shared with its session
    /// cache by every connection.
    config: OnceLock<Arc<ClientConfig>>,
}

impl TlsConnector {
    /// Verify servers against `roots` only, or with the platform's verifier
    /// when `None`.
    /// `Err` when none of the given roots is usable.
    pub(crate) fn new(roots: Option<&[CertificateDer<'static>]>) -> Result<Self, rustls::Error> {
        let roots = match roots {
            None => None,
            Some(certs) => {
                let mut store = RootCertStore::empty();
                let (added, _) = store.add_parsable_certificates(certs.iter().cloned());
                if added == 0 {
                    return Err(rustls::Error::General("no usable root certificate".into()));
                }
                Some(store)
            }
        };
        Ok(TlsConnector {
            roots,
            config: OnceLock::new(),
        })
    }

    fn config(&self) -> Result<Arc<ClientConfig>, rustls::Error> {
        if let Some(config) = self.config.get() {
            return Ok(Arc::clone(config));
        }
        let provider = CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(super::crypto_provider::client_provider()));
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(rustls::ALL_VERSIONS)?;
        let config = match &self.roots {
            Some(pinned) => builder.with_root_certificates(pinned.clone()),
            // Fails when the system has no usable root at all.
            None => builder.with_platform_verifier()?,
        }
        .with_no_client_auth();
        // Threads racing here build one each; the first one set is kept.
        Ok(Arc::clone(self.config.get_or_init(|| Arc::new(config))))
    }
}

impl fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnector").finish_non_exhaustive()
    }
}

/// Over our TCP layer (or a proxy's transport, `A`).
impl<A: Transport> Connector<Either<A, LeanTcpTransport>> for TlsConnector {
    type Out = Either<Either<A, LeanTcpTransport>, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<Either<A, LeanTcpTransport>>,
    ) -> Result<Option<Self::Out>, Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let reset_watch = match &transport {
            Either::B(tcp) => Some(tcp.reset_watch()),
            Either::A(_) => None,
        };
        let name = server_name(details.uri)?;
        let mut conn = ClientConnection::new(self.config()?, name)?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        let now = (details.current_time)();
        sock.set_timeout(time_left(details.timeout, details.now, now));
        conn.complete_io(&mut sock)
            .map_err(|err| unwrap_rustls(err.into()))?;
        let buffers = WipedBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TlsTransport {
            buffers,
            stream: StreamOwned::new(conn, sock),
            reset_watch,
            pooled: false,
            answer_started: false,
        })))
    }
}

/// The URL's host (an IPv6 literal without its brackets) as rustls names
/// the server it verifies.
fn server_name(uri: &Uri) -> Result<ServerName<'static>, Error> {
    let host = uri.host().unwrap_or_default();
    let bare = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(bare)
        .map(|name| name.to_owned())
        .map_err(|_| Error::Tls("the host is not a valid TLS server name"))
}

/// What is left at `now` of `timeout`, set at `started`: the connect
/// timeout runs from the start of the connection (as in ureq), so what the
/// TCP connection used is gone.
fn time_left(mut timeout: NextTimeout, started: Instant, now: Instant) -> NextTimeout {
    if let (Duration::Exact(limit), Instant::Exact(started), Instant::Exact(now)) =
        (timeout.after, started, now)
    {
        timeout.after =
            Duration::Exact(limit.saturating_sub(now.saturating_duration_since(started)));
    }
    timeout
}

fn unwrap_rustls(err: Error) -> Error {
    match err {
        Error::Io(io)
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>()) =>
        {
            match io
                .into_inner()
                .map(|inner| inner.downcast::<rustls::Error>())
            {
                Some(Ok(tls)) => Error::Rustls(*tls),
                _ => Error::Tls("TLS handshake failed"),
            }
        }
        other => other,
    }
}

pub(crate) struct TlsTransport {
    /// Plaintext: the last request and answer, wiped when the connection is
    /// freed.
    buffers: WipedBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
    /// Over our TCP layer: whether the server reset the connection after
    /// its TLS close (`stale`).
    reset_watch: Option<ResetWatch>,
    /// As in the TCP layer: the connection has been pooled, and whether any
    /// plaintext arrived since the latest request.
    pooled: bool,
    answer_started: bool,
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.answer_started = false;
        self.stream.get_mut().set_timeout(timeout);
        self.stream.write_all(&self.buffers.output()[..amount])?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.stream.get_mut().set_timeout(timeout);
        let amount = self.stream.read(self.buffers.input_append_buf())?;
        if amount == 0 && self.pooled && !self.answer_started {
            // The server's TLS close came instead of an answer: the TCP
            // reset behind it proves the request unread.
            let limit = timeout.not_zero().map(|after| *after);
            if let Some(watch) = &self.reset_watch
                && watch.reset_follows(limit)
            {
                return Err(StaleConnection::Unread.into_ureq());
            }
        }
        self.answer_started |= amount > 0;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.pooled = true;
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

/// What the transport is wrapped around, not what it carries.
impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTransport")
            .field("chained", &self.stream.sock.get_ref())
            .field("buffers", &self.buffers)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn a_wrapped_rustls_error_is_unwrapped() {
        let wrapped = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::NoCertificatesPresented,
        );
        assert!(matches!(
            unwrap_rustls(Error::Io(wrapped)),
            Error::Rustls(rustls::Error::NoCertificatesPresented)
        ));
    }

    #[test]
    fn other_io_errors_pass_through() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(matches!(unwrap_rustls(Error::Io(refused)), Error::Io(_)));
    }

    #[test]
    fn server_names_are_host_names_or_bare_ip_addresses() {
        let name = |url: &str| server_name(&url.parse().unwrap());
        assert_eq!(
            name("https://matrix.example.org:8448/x").unwrap(),
            ServerName::try_from("matrix.example.org").unwrap()
        );
        assert!(matches!(
            name("https://127.0.0.1:8448").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            name("https://[::1]:8448").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(name("https://bad_name!/"), Err(Error::Tls(_))));
    }

    #[test]
    fn the_handshake_gets_what_is_left_of_the_connect_timeout() {
        let started = std::time::Instant::now();
        let timeout = NextTimeout {
            after: Duration::from_secs(10),
            reason: ureq::Timeout::Connect,
            ..NextTimeout::default()
        };
        let at = |elapsed| Instant::Exact(started + std::time::Duration::from_secs(elapsed));
        let left = time_left(timeout, Instant::Exact(started), at(3));
        assert_eq!(left.after, Duration::from_secs(7));
        assert_eq!(left.reason, ureq::Timeout::Connect);
        let spent = time_left(timeout, Instant::Exact(started), at(12));
        assert_eq!(spent.after, Duration::from_secs(0));
        let never = NextTimeout::default();
        assert_eq!(time_left(never, Instant::Exact(started), at(3)), never);
    }

    #[test]
    fn roots_are_the_given_ones_or_the_platforms() {
        let built_in = TlsConnector::new(None).unwrap();
        assert!(built_in.roots.is_none(), "the platform verifier");
        let config = built_in.config().unwrap();
        assert!(
            Arc::ptr_eq(&config, &built_in.config().unwrap()),
            "built once, shared"
        );
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .unwrap()
            .cert;
        let pinned = TlsConnector::new(Some(&[cert.der().clone()])).unwrap();
        assert_eq!(pinned.roots.as_ref().map(RootCertStore::len), Some(1));
        assert!(pinned.config().is_ok());
        assert!(TlsConnector::new(Some(&[])).is_err());
        let garbage = CertificateDer::from(b"not DER".to_vec());
        assert!(TlsConnector::new(Some(&[garbage])).is_err());
    }
}
