//! The transport's own connector interface: what a connection is, in the
//! project's terms, so that the TCP and TLS layers do not depend on the HTTP
//! library's (unstable) transport API. `ureq_adapter` is the one place that
//! plugs these into ureq.
//!
//! A connection is a byte stream with deadlines: `send` may hold bytes back
//! until the next `receive` (one write per request), `receive` waits for
//! bytes until its deadline, and `is_open` says whether an idle connection
//! can carry the next request. Whatever a layer keeps of a request or an
//! answer is wiped before it is freed.

use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use super::stale::ResetWatch;

/// A bidirectional byte stream: TCP, or TLS over one.
///
/// Errors are `io::Error`s: `TimedOut` when a deadline passed, a
/// `StaleConnection` inside one when a pooled connection turns out closed
/// (see `stale`), a `rustls::Error` inside one when TLS failed.
pub(crate) trait Connection: fmt::Debug + Send + Sync + 'static {
    /// Send all of `bytes` before `deadline`. They may be held back and sent
    /// with the next `receive` (a request then leaves in one write).
    fn send(&mut self, bytes: &[u8], deadline: Deadline) -> io::Result<()>;

    /// Send what is held, then read what arrives into `into`, waiting until
    /// `deadline` at most. `Ok(0)`: the peer closed the stream.
    fn receive(&mut self, into: &mut [u8], deadline: Deadline) -> io::Result<usize>;

    /// Whether the connection can carry another request: asked as it is
    /// pooled after an answer and as it is taken from the pool.
    fn is_open(&mut self) -> bool;

    /// Whether the stream is encrypted (an https URL needs it).
    fn is_tls(&self) -> bool {
        false
    }

    /// For a layer above TCP: how to tell whether the server reset the
    /// socket after the end of the stream (`stale`). `None` when there is
    /// no socket of ours underneath.
    fn reset_watch(&self) -> Option<ResetWatch> {
        None
    }
}

impl Connection for Box<dyn Connection> {
    fn send(&mut self, bytes: &[u8], deadline: Deadline) -> io::Result<()> {
        (**self).send(bytes, deadline)
    }

    fn receive(&mut self, into: &mut [u8], deadline: Deadline) -> io::Result<usize> {
        (**self).receive(into, deadline)
    }

    fn is_open(&mut self) -> bool {
        (**self).is_open()
    }

    fn is_tls(&self) -> bool {
        (**self).is_tls()
    }

    fn reset_watch(&self) -> Option<ResetWatch> {
        (**self).reset_watch()
    }
}

/// When a wait must end; `never()` for no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    pub(crate) fn never() -> Self {
        Deadline(None)
    }

    pub(crate) fn at(instant: Instant) -> Self {
        Deadline(Some(instant))
    }

    /// `limit` from now (`None`: never).
    pub(crate) fn after(limit: Option<Duration>) -> Self {
        Deadline(limit.map(|limit| Instant::now() + limit))
    }

    /// What is left of the wait (`None`: no limit); a `TimedOut` error
    /// when nothing is.
    pub(crate) fn left(self) -> io::Result<Option<Duration>> {
        let Some(at) = self.0 else {
            return Ok(None);
        };
        let left = at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        Ok(Some(left))
    }
}

/// The error every layer returns when a deadline passes.
pub(crate) fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "deadline passed")
}

/// Whether an I/O error is a wait that ran out (a socket timeout reports
/// `WouldBlock` on some systems).
pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// A connection as `std::io` streams, each read and write bounded by the
/// deadline set last: what rustls runs over.
#[derive(Debug)]
pub(crate) struct DeadlineStream<C: Connection> {
    pub(crate) inner: C,
    pub(crate) deadline: Deadline,
}

impl<C: Connection> io::Read for DeadlineStream<C> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.receive(buf, self.deadline)
    }
}

impl<C: Connection> io::Write for DeadlineStream<C> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.send(buf, self.deadline)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A connected loopback TCP pair (client, server), for the layers' tests.
#[cfg(test)]
pub(crate) fn loopback_pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_gives_what_is_left_then_times_out() {
        assert_eq!(Deadline::never().left().unwrap(), None);
        let left = Deadline::after(Some(Duration::from_secs(5)))
            .left()
            .unwrap()
            .unwrap();
        assert!(left <= Duration::from_secs(5) && left > Duration::from_secs(4));
        let passed = Deadline::at(Instant::now()).left().unwrap_err();
        assert!(is_timeout(&passed));
        assert!(Deadline::after(Some(Duration::ZERO)).left().is_err());
    }
}
