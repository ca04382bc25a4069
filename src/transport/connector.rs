//! How a connection is opened: TCP to the first resolved address that
//! answers, then TLS over it for https, all before one deadline (the
//! connect timeout runs from the start, as in ureq). The addresses come from
//! `resolver`; a pooled connection that turns out closed is `stale`'s.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Weak;

use super::connection::{Connection, Deadline};
use super::tcp::TcpConnection;
use super::tls::TlsConnector;

/// Where to connect, and by when.
pub(crate) struct Target<'a> {
    /// The URL's host, as TLS verifies it.
    pub(crate) host: &'a str,
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
}

impl Connector {
    pub(crate) fn new(tls: TlsConnector) -> Self {
        Connector { tls }
    }

    /// Open a connection to `target`. `on_socket` is given the TCP socket as
    /// soon as it exists, before TLS (so that a shutdown can interrupt the
    /// handshake); its error ends the attempt.
    pub(crate) fn open(
        &self,
        target: &Target<'_>,
        on_socket: impl FnOnce(Weak<TcpStream>) -> io::Result<()>,
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
