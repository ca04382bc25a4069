//! The TLS layer: rustls over a connection (ours, TCP), in place of ureq's
//! rustls connector, for two reasons.
//!
//! - The plaintext of each exchange (the request with its password or token,
//!   the answer with its tokens) sits in the connection's buffers until the
//!   next one; ureq's transport frees them unwiped, ours are
//!   `WipedBuffers`.
//! - The handshake is completed while connecting, before any request byte
//!   is written. A failure there (an untrusted or expired certificate, a
//!   plain-http server) comes out of rustls as an `io::Error` wrapping the
//!   rustls error, indistinguishable from a connection lost after the
//!   request was sent. `ureq_adapter` unwraps it into `ureq::Error::Rustls`:
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
use std::io::{self, Read, Write};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::client::ClientConnection;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore, StreamOwned};
use rustls_platform_verifier::BuilderVerifierExt;

use super::connection::{Connection, Deadline, DeadlineStream};
use super::stale::{ResetWatch, StaleConnection};

/// Wraps connections in TLS for https URLs.
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

impl TlsConnector {
    /// Run the TLS handshake over `inner` with the server named `host` (a
    /// URL's host), before `deadline`.
    pub(crate) fn wrap<C: Connection>(
        &self,
        inner: C,
        host: &str,
        deadline: Deadline,
    ) -> io::Result<TlsConnection<C>> {
        let reset_watch = inner.reset_watch();
        let name = server_name(host)?;
        let config = self.config().map_err(tls_error)?;
        let mut tls = ClientConnection::new(config, name).map_err(tls_error)?;
        let mut sock = DeadlineStream { inner, deadline };
        tls.complete_io(&mut sock)?;
        Ok(TlsConnection {
            stream: StreamOwned::new(tls, sock),
            reset_watch,
            pooled: false,
            answer_started: false,
        })
    }
}

/// A rustls error as the connection layers return errors.
fn tls_error(err: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, err)
}

/// A URL's host that cannot name a TLS server.
#[derive(Debug)]
pub(crate) struct InvalidServerName;

impl InvalidServerName {
    pub(crate) const MESSAGE: &str = "the host is not a valid TLS server name";
}

impl fmt::Display for InvalidServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for InvalidServerName {}

/// The URL's host (an IPv6 literal without its brackets) as rustls names
/// the server it verifies.
fn server_name(host: &str) -> io::Result<ServerName<'static>> {
    let bare = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(bare)
        .map(|name| name.to_owned())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, InvalidServerName))
}

/// A TLS session over a connection. Plaintext is read into the caller's
/// buffers only (`WipedBuffers`); what rustls keeps is described above.
pub(crate) struct TlsConnection<C: Connection> {
    stream: StreamOwned<ClientConnection, DeadlineStream<C>>,
    /// Over our TCP layer: whether the server reset the connection after
    /// its TLS close (`stale`).
    reset_watch: Option<ResetWatch>,
    /// As in the TCP layer: the connection has been pooled, and whether any
    /// plaintext arrived since the latest request.
    pooled: bool,
    answer_started: bool,
}

impl<C: Connection> Connection for TlsConnection<C> {
    fn send(&mut self, bytes: &[u8], deadline: Deadline) -> io::Result<()> {
        self.answer_started = false;
        self.stream.sock.deadline = deadline;
        self.stream.write_all(bytes)
    }

    fn receive(&mut self, into: &mut [u8], deadline: Deadline) -> io::Result<usize> {
        self.stream.sock.deadline = deadline;
        let amount = self.stream.read(into)?;
        if amount == 0 && self.pooled && !self.answer_started {
            // The server's TLS close came instead of an answer: the TCP
            // reset behind it proves the request unread.
            let limit = deadline.left().unwrap_or(Some(Duration::ZERO));
            if let Some(watch) = &self.reset_watch
                && watch.reset_follows(limit)
            {
                return Err(StaleConnection::Unread.into_io());
            }
        }
        self.answer_started |= amount > 0;
        Ok(amount)
    }

    fn is_open(&mut self) -> bool {
        self.pooled = true;
        self.stream.sock.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

/// What the connection is wrapped around, not what it carries.
impl<C: Connection> fmt::Debug for TlsConnection<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnection")
            .field("over", &self.stream.sock.inner)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_are_host_names_or_bare_ip_addresses() {
        assert_eq!(
            server_name("matrix.example.org").unwrap(),
            ServerName::try_from("matrix.example.org").unwrap()
        );
        assert!(matches!(
            server_name("127.0.0.1").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            server_name("[::1]").unwrap(),
            ServerName::IpAddress(_)
        ));
        let bad = server_name("bad_name!").unwrap_err();
        assert!(
            bad.get_ref()
                .is_some_and(|inner| inner.is::<InvalidServerName>())
        );
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
