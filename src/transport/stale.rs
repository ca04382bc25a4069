//! A kept-alive connection the server closed while it sat in the pool.
//!
//! A server closes an idle connection when it likes (an idle timeout). When
//! its close crosses our next request on the wire, the request goes out on a
//! connection the server no longer reads, and the answer is an end of stream
//! or a reset before a single byte of it. TCP tells what happened, on a
//! connection taken from the pool when nothing of the answer came:
//!
//! - the server's close (FIN, or TLS's close_notify) and then a reset: the
//!   server had closed the connection before our request arrived (a socket
//!   closed with unread input resets instead of closing), and its kernel
//!   reset on receiving the request: it was not read. The reset follows the
//!   close by about a round trip and is awaited that long;
//! - a reset before the request was written: it was not sent;
//! - a reset alone: the server closed with the request unread, or read it
//!   and then aborted the connection; the two look the same;
//! - a close and no reset: the server may have read the request and acted.
//!
//! The transport sends the request once more, on another connection, in the
//! first two cases, and in the third for a GET ([`StaleConnection::retry`]).

use std::fmt;
use std::io;
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long beyond two round trips an end of stream waits for the reset.
const RESET_SLACK: Duration = Duration::from_millis(50);

/// A pooled connection that failed under a request before any byte of the
/// answer, as the TCP or TLS layer reports it (inside an `io::Error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StaleConnection {
    /// Closed by the server before the request arrived, or reset before it
    /// was written: the request was not read.
    Unread,
    /// Reset, nothing else known: the request may have been read.
    ResetOnly,
}

impl fmt::Display for StaleConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StaleConnection::Unread => {
                "the server had closed the kept-alive connection; the request was not read"
            }
            StaleConnection::ResetOnly => "the server reset the kept-alive connection",
        })
    }
}

impl std::error::Error for StaleConnection {}

impl StaleConnection {
    /// As the TCP or TLS layer returns it.
    pub(crate) fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::ConnectionReset, self)
    }

    /// The kind inside `err`, when the TCP or TLS layer returned one.
    pub(crate) fn of(err: &ureq::Error) -> Option<StaleConnection> {
        match err {
            ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<StaleConnection>().copied(),
            _ => None,
        }
    }

    /// Whether the request may be sent again: it was not read, or it is a
    /// GET (which changes nothing on the server).
    pub(crate) fn retry(self, get: bool) -> bool {
        self == StaleConnection::Unread || get
    }
}

/// Whether an I/O error is the peer's reset.
pub(crate) fn is_reset(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
    )
}

/// What a layer above TCP (TLS) needs to tell, after the end of its stream,
/// whether the server's kernel reset the connection.
#[derive(Clone, Debug)]
pub(crate) struct ResetWatch {
    stream: Arc<TcpStream>,
    /// The TCP handshake's duration: one round trip.
    round_trip: Duration,
}

impl ResetWatch {
    pub(crate) fn new(stream: Arc<TcpStream>, round_trip: Duration) -> Self {
        ResetWatch { stream, round_trip }
    }

    /// After an end of stream: wait for the server's reset for two round
    /// trips and a slack, at most `limit`; true when it came.
    pub(crate) fn reset_follows(&self, limit: Option<Duration>) -> bool {
        let mut wait = 2 * self.round_trip + RESET_SLACK;
        if let Some(limit) = limit {
            wait = wait.min(limit);
        }
        hung_up_within(&self.stream, wait)
    }
}

/// Wait up to `wait` for the socket to be closed by a reset. With no events
/// asked, `poll` reports only POLLHUP and POLLERR: a mere end of stream
/// (the peer's FIN) does not end the wait; the reset that follows does.
fn hung_up_within(stream: &TcpStream, wait: Duration) -> bool {
    let end = Instant::now() + wait;
    let mut watched = libc::pollfd {
        fd: stream.as_raw_fd(),
        events: 0,
        revents: 0,
    };
    loop {
        let left = end.saturating_duration_since(Instant::now());
        // Rounded up: poll never waits less than asked.
        let millis = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as libc::c_int;
        // SAFETY: one valid pollfd, and the descriptor is open while
        // `stream` is borrowed.
        let ready = unsafe { libc::poll(&mut watched, 1, millis) };
        if ready > 0 {
            return watched.revents & (libc::POLLHUP | libc::POLLERR) != 0;
        }
        if ready == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::connection::loopback_pair;
    use std::io::{Read, Write};

    fn watch(client: TcpStream) -> ResetWatch {
        ResetWatch::new(Arc::new(client), Duration::from_millis(1))
    }

    #[test]
    fn a_request_the_server_never_read_brings_a_reset() {
        let (mut client, server) = loopback_pair();
        server.shutdown(std::net::Shutdown::Write).unwrap();
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        // Closed with our request unread: its kernel resets.
        drop(server);
        assert_eq!(client.read(&mut [0u8; 16]).unwrap(), 0, "the FIN first");
        assert!(watch(client).reset_follows(None));
    }

    #[test]
    fn a_request_the_server_read_brings_no_reset() {
        let (mut client, mut server) = loopback_pair();
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        let mut request = [0u8; 18];
        server.read_exact(&mut request).unwrap();
        drop(server);
        assert_eq!(client.read(&mut [0u8; 16]).unwrap(), 0);
        let started = Instant::now();
        assert!(!watch(client).reset_follows(Some(Duration::from_millis(30))));
        assert!(started.elapsed() >= Duration::from_millis(30), "it waited");
    }

    #[test]
    fn the_marker_survives_the_trip_through_ureq_errors() {
        let err = ureq::Error::from(StaleConnection::Unread.into_io());
        assert_eq!(StaleConnection::of(&err), Some(StaleConnection::Unread));
        // ureq may hand it up wrapped in an io::Error and back.
        let round_trip = ureq::Error::from(err.into_io());
        assert_eq!(
            StaleConnection::of(&round_trip),
            Some(StaleConnection::Unread)
        );
        let other = ureq::Error::Io(io::ErrorKind::ConnectionReset.into());
        assert_eq!(StaleConnection::of(&other), None);
    }

    #[test]
    fn only_an_unread_request_or_a_get_is_sent_again() {
        assert!(StaleConnection::Unread.retry(false));
        assert!(StaleConnection::ResetOnly.retry(true));
        assert!(!StaleConnection::ResetOnly.retry(false));
    }
}
