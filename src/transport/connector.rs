//! How a connection is opened: a warm one when `preconnect` has one ready,
//! else TCP to the first resolved address that answers, then TLS over it
//! for https, all before one deadline (the connect timeout runs from the
//! start, as in ureq). The addresses come from `resolver`; a pooled
//! connection that turns out closed is `stale`'s.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Weak};

use super::connection::{Connection, Deadline};
use super::preconnect::WarmConnections;
use super::tcp::TcpConnection;
use super::tls::TlsConnector;

/// Told of each new TCP socket as soon as it exists, before TLS (so that a
/// shutdown can interrupt the handshake); its error ends the attempt.
pub(crate) type OnSocket = Arc<dyn Fn(Weak<TcpStream>) -> io::Result<()> + Send + Sync>;

/// Where to connect, and by when.
pub(crate) struct Target<'a> {
    /// The URL's host, as TLS verifies it.
    pub(crate) host: &'a str,
    /// The URL's port (the scheme's when it has none).
    pub(crate) port: u16,
    pub(crate) addrs: &'a [SocketAddr],
    pub(crate) https: bool,
    pub(crate) deadline: Deadline,
    /// Disable Nagle's algorithm (the request already leaves in one write).
    pub(crate) no_delay: bool,
}

/// Opens connections for one client; every connection shares its TLS
/// configuration (and so its session cache: reconnections resume).
#[derive(Debug)]
pub(crate) struct Connector {
    tls: TlsConnector,
    pub(super) warm: Arc<WarmConnections>,
}

impl Connector {
    pub(crate) fn new(tls: TlsConnector) -> Self {
        Connector {
            tls,
            warm: Arc::default(),
        }
    }

    pub(crate) fn warm_connections(&self) -> Arc<WarmConnections> {
        Arc::clone(&self.warm)
    }

    /// A connection to `target`: a warm one if ready, else a new one.
    pub(crate) fn open(
        self: &Arc<Self>,
        target: &Target<'_>,
        on_socket: &OnSocket,
    ) -> io::Result<Box<dyn Connection>> {
        if let Some(warm) = self.warm_or_open_ahead(target, on_socket) {
            return Ok(warm);
        }
        self.open_now(target, on_socket)
    }

    /// Open a new connection to `target`.
    pub(super) fn open_now(
        &self,
        target: &Target<'_>,
        on_socket: &OnSocket,
    ) -> io::Result<Box<dyn Connection>> {
        let tcp = TcpConnection::open(target.addrs, target.deadline, target.no_delay)?;
        on_socket(tcp.socket())?;
        if !target.https {
            return Ok(Box::new(tcp));
        }
        self.secure(tcp, target.host, target.deadline)
    }

    /// TLS over a connection opened elsewhere (through a proxy's tunnel).
    pub(crate) fn secure<C: Connection>(
        &self,
        inner: C,
        host: &str,
        deadline: Deadline,
    ) -> io::Result<Box<dyn Connection>> {
        Ok(Box::new(self.tls.wrap(inner, host, deadline)?))
    }
}
