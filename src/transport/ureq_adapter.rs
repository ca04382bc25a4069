//! The one file that speaks ureq's unversioned transport API
//! (`ureq::unversioned`, which may change in any ureq release): it plugs the
//! transport's own pieces into a ureq `Agent`.
//!
//! - [`UreqConnector`]: our `Connector` (TCP, then TLS) as the last link of
//!   ureq's connector chain, after its HTTP CONNECT proxy support.
//! - [`Adapted`]: a `Connection` with its `WipedBuffers` as a ureq
//!   `Transport`: ureq's timeouts become deadlines, and our errors become
//!   ureq's (a passed deadline is the timeout ureq asked for).
//! - [`Tunnel`]: a proxy's transport as a `Connection`, for TLS to run over.
//! - [`UreqResolver`]: our name cache in front of ureq's lookup.
//!
//! What a ureq upgrade must keep working is checked by
//! `tests/transport_contract.rs` (its module comment lists where each part
//! of the contract is tested).

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Weak};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::time::{Duration as UreqDuration, Instant as UreqInstant};
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector as UreqConnectorTrait, Either,
    NextTimeout, ShutdownHandle, Transport, TransportAdapter,
};
use ureq::{Agent, Error, Timeout};

use super::buffers::WipedBuffers;
use super::connection::{Connection, Deadline, is_timeout};
use super::connector::{Connector, OnSocket, Target};
use super::resolver::{CachingResolver, default_port};
use super::tls::InvalidServerName;

/// What a `ResolvedSocketAddrs` holds (ureq's lookup keeps as many).
const MAX_ADDRS: usize = 16;

/// An agent whose connections come from `connector` and whose names from
/// `resolver` (both shared with the client's other agents).
pub(crate) fn agent(
    config: Config,
    connector: &Arc<Connector>,
    resolver: &Arc<CachingResolver>,
) -> Agent {
    let chain =
        ().chain(ConnectProxyConnector::default())
            .chain(UreqConnector(Arc::clone(connector)));
    let resolver = UreqResolver {
        cache: Arc::clone(resolver),
        lookup: DefaultResolver::default(),
    };
    Agent::with_parts(config, chain, resolver)
}

/// Our connector as ureq's; a proxy's transport (`In`) passes through, or
/// gets TLS over it for https.
#[derive(Debug)]
struct UreqConnector(Arc<Connector>);

impl<In: Transport> UreqConnectorTrait<In> for UreqConnector {
    type Out = Either<In, Adapted>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        let host = details.uri.host().unwrap_or_default();
        let deadline = connect_deadline(details);
        let opened = match chained {
            Some(tunnel) if !details.needs_tls() || tunnel.is_tls() => {
                return Ok(Some(Either::A(tunnel)));
            }
            Some(tunnel) => self.0.secure(Tunnel::new(tunnel, details), host, deadline),
            None => {
                let target = Target {
                    host,
                    port: port_of(details.uri),
                    addrs: &details.addrs,
                    https: details.needs_tls(),
                    deadline,
                    no_delay: details.config.no_delay(),
                };
                let register = Arc::clone(&details.register_shutdown);
                let on_socket: OnSocket = Arc::new(move |socket| {
                    register(socket as Weak<dyn ShutdownHandle>).map_err(Error::into_io)
                });
                self.0.open(&target, &on_socket)
            }
        };
        let connection = opened.map_err(|err| connect_error(err, details.timeout.reason))?;
        let buffers = WipedBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(Adapted {
            connection,
            buffers,
        })))
    }
}

/// The URL's port, or its scheme's.
fn port_of(uri: &Uri) -> u16 {
    uri.port_u16()
        .or_else(|| uri.scheme().and_then(default_port))
        .unwrap_or(0)
}

/// The connect timeout runs from the start of the connection (as in ureq):
/// TCP and TLS share it.
fn connect_deadline(details: &ConnectionDetails) -> Deadline {
    match (details.timeout.after, details.now) {
        (UreqDuration::Exact(limit), UreqInstant::Exact(started)) => Deadline::at(started + limit),
        (UreqDuration::Exact(limit), _) => Deadline::after(Some(limit)),
        (UreqDuration::NotHappening, _) => Deadline::never(),
    }
}

/// The deadline for one read or write; a timeout with nothing left is an
/// error straight away.
fn deadline(timeout: NextTimeout) -> Result<Deadline, Error> {
    match timeout.after {
        UreqDuration::NotHappening => Ok(Deadline::never()),
        UreqDuration::Exact(left) if left.is_zero() => Err(Error::Timeout(timeout.reason)),
        UreqDuration::Exact(left) => Ok(Deadline::after(Some(left))),
    }
}

/// A connection's error as ureq's: a passed deadline is the timeout ureq
/// gave (`reason`); a proxy's own error comes back out of its wrapping.
fn io_error(err: io::Error, reason: Timeout) -> Error {
    if is_timeout(&err) {
        Error::Timeout(reason)
    } else {
        Error::from(err)
    }
}

/// As `io_error`, and a TLS failure while connecting (before any request
/// byte was written) is a TLS error, not a lost connection.
fn connect_error(err: io::Error, reason: Timeout) -> Error {
    let Some(inner) = err.get_ref() else {
        return io_error(err, reason);
    };
    if inner.is::<InvalidServerName>() {
        return Error::Tls(InvalidServerName::MESSAGE);
    }
    if !inner.is::<rustls::Error>() {
        return io_error(err, reason);
    }
    match err
        .into_inner()
        .map(|inner| inner.downcast::<rustls::Error>())
    {
        Some(Ok(tls)) => Error::Rustls(*tls),
        _ => Error::Tls("TLS handshake failed"),
    }
}

/// A connection and the buffers ureq reads and writes through.
#[derive(Debug)]
pub(crate) struct Adapted {
    connection: Box<dyn Connection>,
    buffers: WipedBuffers,
}

impl Transport for Adapted {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        let by = deadline(timeout)?;
        let output = &self.buffers.output()[..amount];
        self.connection
            .send(output, by)
            .map_err(|err| io_error(err, timeout.reason))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let timeout = timeout.for_read();
        let by = deadline(timeout)?;
        let amount = self
            .connection
            .receive(self.buffers.input_append_buf(), by)
            .map_err(|err| io_error(err, timeout.reason))?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.connection.is_open()
    }

    fn is_tls(&self) -> bool {
        self.connection.is_tls()
    }
}

impl Buffers for WipedBuffers {
    fn output(&mut self) -> &mut [u8] {
        WipedBuffers::output(self)
    }

    fn input(&self) -> &[u8] {
        WipedBuffers::input(self)
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        WipedBuffers::input_append_buf(self)
    }

    fn input_appended(&mut self, amount: usize) {
        WipedBuffers::input_appended(self, amount);
    }

    fn input_consume(&mut self, amount: usize) {
        WipedBuffers::input_consume(self, amount);
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        WipedBuffers::tmp_and_output(self)
    }

    fn can_use_input(&self) -> bool {
        WipedBuffers::can_use_input(self)
    }
}

/// A proxy's tunnel (a ureq transport) as a connection. Its timeouts are
/// reported as `Global`: which phase ran out is not known down here.
struct Tunnel<T: Transport> {
    adapter: TransportAdapter<T>,
}

impl<T: Transport> Tunnel<T> {
    fn new(transport: T, details: &ConnectionDetails) -> Self {
        Tunnel {
            adapter: TransportAdapter::new(transport, details.current_time.clone()),
        }
    }

    fn set_deadline(&mut self, deadline: Deadline) {
        let after = match deadline.left() {
            Ok(None) => UreqDuration::NotHappening,
            Ok(Some(left)) => UreqDuration::Exact(left),
            Err(_) => UreqDuration::Exact(std::time::Duration::ZERO),
        };
        self.adapter.set_timeout(NextTimeout {
            after,
            ..NextTimeout::default()
        });
    }
}

impl<T: Transport> std::fmt::Debug for Tunnel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tunnel")
            .field("over", &self.adapter.get_ref())
            .finish()
    }
}

impl<T: Transport> Connection for Tunnel<T> {
    fn send(&mut self, bytes: &[u8], deadline: Deadline) -> io::Result<()> {
        self.set_deadline(deadline);
        self.adapter.write_all(bytes)
    }

    fn receive(&mut self, into: &mut [u8], deadline: Deadline) -> io::Result<usize> {
        self.set_deadline(deadline);
        self.adapter.read(into)
    }

    fn is_open(&mut self) -> bool {
        self.adapter.get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        self.adapter.get_ref().is_tls()
    }
}

/// Our name cache, with ureq's lookup behind it.
#[derive(Debug)]
struct UreqResolver {
    cache: Arc<CachingResolver>,
    lookup: DefaultResolver,
}

impl Resolver for UreqResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let Some(port) = authority.port_u16().or_else(|| default_port(scheme)) else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let addrs = self.cache.resolve(authority.host(), port, || {
            let found = self.lookup.resolve(uri, config, timeout)?;
            Ok::<_, Error>(found.iter().copied().collect::<Vec<SocketAddr>>())
        })?;
        let mut wanted = self.empty();
        for addr in config
            .ip_family()
            .keep_wanted(addrs.into_iter())
            .take(MAX_ADDRS)
        {
            wanted.push(addr);
        }
        if wanted.is_empty() {
            return Err(Error::HostNotFound);
        }
        Ok(wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls_failure_while_connecting_is_a_tls_error() {
        let wrapped = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::NoCertificatesPresented,
        );
        assert!(matches!(
            connect_error(wrapped, Timeout::Connect),
            Error::Rustls(rustls::Error::NoCertificatesPresented)
        ));
        let name = io::Error::new(io::ErrorKind::InvalidInput, InvalidServerName);
        assert!(matches!(
            connect_error(name, Timeout::Connect),
            Error::Tls(InvalidServerName::MESSAGE)
        ));
    }

    #[test]
    fn after_connecting_a_tls_failure_is_a_lost_connection() {
        // The request may have been read: "outcome unknown", not "TLS".
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, rustls::Error::DecryptError);
        assert!(matches!(
            io_error(wrapped, Timeout::RecvResponse),
            Error::Io(_)
        ));
    }

    #[test]
    fn a_passed_deadline_is_the_timeout_ureq_gave() {
        let timed_out = io::Error::from(io::ErrorKind::TimedOut);
        assert!(matches!(
            connect_error(timed_out, Timeout::Connect),
            Error::Timeout(Timeout::Connect)
        ));
        let would_block = io::Error::from(io::ErrorKind::WouldBlock);
        assert!(matches!(
            io_error(would_block, Timeout::RecvBody),
            Error::Timeout(Timeout::RecvBody)
        ));
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(matches!(
            connect_error(refused, Timeout::Connect),
            Error::Io(_)
        ));
        // A proxy's own error comes back as it was.
        let proxied = Error::Timeout(Timeout::SendRequest).into_io();
        assert!(matches!(
            io_error(proxied, Timeout::Global),
            Error::Timeout(Timeout::SendRequest)
        ));
    }

    #[test]
    fn no_time_left_fails_before_any_io() {
        let spent = NextTimeout {
            after: UreqDuration::Exact(std::time::Duration::ZERO),
            reason: Timeout::SendBody,
            ..NextTimeout::default()
        };
        assert!(matches!(
            deadline(spent),
            Err(Error::Timeout(Timeout::SendBody))
        ));
        assert_eq!(deadline(NextTimeout::default()).unwrap(), Deadline::never());
        let some = NextTimeout {
            after: UreqDuration::Exact(std::time::Duration::from_secs(5)),
            ..NextTimeout::default()
        };
        assert!(deadline(some).unwrap().left().unwrap().is_some());
    }
}
