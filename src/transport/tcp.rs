//! The TCP connection (under TLS for https), built to cost as few
//! syscalls per request on a kept-alive connection as HTTP allows: one write
//! for the request, one read for a small answer, one look at an idle
//! connection before it is reused.
//!
//! ureq's own TCP transport writes the head and the body separately, sets the
//! socket timeouts before every read and write (they differ by microseconds
//! each time), and checks a pooled connection with three syscalls. Here:
//!
//! - output is held until the answer is awaited (or [`UNSENT_CAPACITY`] fills
//!   up), so a request leaves in one `write`, and the held bytes, which may
//!   hold a password, are wiped once sent;
//! - a socket timeout is only changed when the wanted one is shorter than the
//!   one set, or longer by more than [`TIMEOUT_SLACK`]: a timeout may fire up
//!   to that much late, never early;
//! - liveness is one non-blocking `recv(MSG_PEEK)`, made when a connection
//!   is taken from the pool. ureq also asks right after an answer, as it
//!   returns the connection to the pool; that first question is answered
//!   without a syscall, since the take that follows asks the socket anyway.
//!
//! The request bytes it holds are wiped once written (the buffers ureq
//! reads and writes through are `WipedBuffers`, owned by `ureq_adapter`). A
//! pooled connection the server closed under our request is told apart from
//! a lost answer as `stale` explains.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::connection::{Connection, Deadline, is_timeout, timed_out};
use super::stale::{ResetWatch, StaleConnection, is_reset};
use crate::secret::wipe;

/// Request bytes held back per connection. Matrix requests are far smaller;
/// a larger one goes out in several writes.
pub(crate) const UNSENT_CAPACITY: usize = 16 * 1024;

/// How late a socket timeout may fire, so that it need not be reset for the
/// microseconds between one request and the next.
pub(crate) const TIMEOUT_SLACK: Duration = Duration::from_millis(20);

/// Try each address in turn before `deadline`; the ones left share what
/// remains of it equally.
fn connect_any(addrs: &[SocketAddr], deadline: Deadline) -> io::Result<TcpStream> {
    let mut last_error = None;
    for (index, addr) in addrs.iter().enumerate() {
        let budget = deadline
            .left()?
            .map(|left| left / (addrs.len() - index) as u32);
        match connect_one(addr, budget) {
            Ok(stream) => return Ok(stream),
            Err(err) if is_timeout(&err) => last_error = Some(timed_out()),
            Err(err) if concerns_only_this_address(&err) => last_error = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::ConnectionRefused, "no address to connect to")
    }))
}

fn connect_one(addr: &SocketAddr, budget: Option<Duration>) -> io::Result<TcpStream> {
    match budget {
        Some(budget) => TcpStream::connect_timeout(addr, budget.max(Duration::from_millis(10))),
        None => TcpStream::connect(addr),
    }
}

/// Failures after which another address of the same host may still work.
fn concerns_only_this_address(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

/// The timeout currently set on one direction of a socket.
#[derive(Debug, Default)]
struct SocketTimeout {
    /// `None` until first set; then what the socket has.
    current: Option<Option<Duration>>,
}

impl SocketTimeout {
    /// Make sure the socket waits at least `wanted` (`None`: forever) and at
    /// most `TIMEOUT_SLACK` longer; set it only when that is not already so.
    fn ensure(
        &mut self,
        wanted: Option<Duration>,
        set: impl FnOnce(Option<Duration>) -> io::Result<()>,
    ) -> io::Result<()> {
        let good_enough = match (self.current, wanted) {
            (Some(None), None) => true,
            (Some(Some(current)), Some(wanted)) => {
                current >= wanted && current - wanted <= TIMEOUT_SLACK
            }
            _ => false,
        };
        if good_enough {
            return Ok(());
        }
        // Half the slack on top, so the next request's (a few microseconds
        // longer) timeout still fits.
        let value = wanted.map(|wanted| wanted + TIMEOUT_SLACK / 2);
        set(value)?;
        self.current = Some(value);
        Ok(())
    }
}

pub(crate) struct TcpConnection {
    /// In an `Arc` so that the agent's shutdown handle can reach the socket.
    stream: Arc<TcpStream>,
    /// Output not yet written; allocated on first use, never grown past
    /// `UNSENT_CAPACITY` (so no stray copy of a request is left on the heap).
    unsent: Vec<u8>,
    /// The deadline given with the latest held output.
    unsent_deadline: Deadline,
    read_timeout: SocketTimeout,
    write_timeout: SocketTimeout,
    /// Whether `is_open` was asked since the last read or write.
    answered_since_io: bool,
    /// Whether the connection has been in the pool: the request now on it
    /// is not its first.
    pooled: bool,
    /// Whether a byte arrived since the latest request went out.
    answer_started: bool,
    /// The TCP handshake's duration (see `stale`).
    round_trip: Duration,
}

/// The socket and sizes: the held output is a request.
impl fmt::Debug for TcpConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpConnection")
            .field("stream", &self.stream)
            .field("unsent", &self.unsent.len())
            .finish_non_exhaustive()
    }
}

/// Output still held (a request that failed before its answer was awaited)
/// goes with the connection: wiped first.
impl Drop for TcpConnection {
    fn drop(&mut self) {
        wipe(&mut self.unsent);
    }
}

impl TcpConnection {
    /// Connect to the first of `addrs` that answers before `deadline`.
    pub(crate) fn open(
        addrs: &[SocketAddr],
        deadline: Deadline,
        no_delay: bool,
    ) -> io::Result<Self> {
        let started = Instant::now();
        let stream = connect_any(addrs, deadline)?;
        let round_trip = started.elapsed();
        if no_delay {
            stream.set_nodelay(true)?;
        }
        Ok(Self::over(stream, round_trip))
    }

    fn over(stream: TcpStream, round_trip: Duration) -> Self {
        TcpConnection {
            stream: Arc::new(stream),
            unsent: Vec::new(),
            unsent_deadline: Deadline::never(),
            read_timeout: SocketTimeout::default(),
            write_timeout: SocketTimeout::default(),
            answered_since_io: false,
            pooled: false,
            answer_started: false,
            round_trip,
        }
    }

    /// The socket, for shutting it down from another thread
    /// (`Agent::shutdown`).
    pub(crate) fn socket(&self) -> Weak<TcpStream> {
        Arc::downgrade(&self.stream)
    }

    /// A pooled connection with nothing of the answer yet: a failure may be
    /// the server's idle close (`stale`).
    fn may_be_stale(&self) -> bool {
        self.pooled && !self.answer_started
    }

    /// Write the held output, then wipe it.
    fn flush_unsent(&mut self) -> io::Result<()> {
        if self.unsent.is_empty() {
            return Ok(());
        }
        self.answer_started = false;
        let result = write_by(
            &self.stream,
            &mut self.write_timeout,
            &self.unsent,
            self.unsent_deadline,
        );
        wipe(&mut self.unsent);
        self.unsent.clear();
        match result {
            // Reset before the request went out: the server closed first.
            Err(err) if is_reset(&err) && self.may_be_stale() => {
                Err(StaleConnection::Unread.into_io())
            }
            other => other,
        }
    }
}

/// Write all of `bytes` before `deadline`.
fn write_by(
    stream: &TcpStream,
    timeout: &mut SocketTimeout,
    bytes: &[u8],
    deadline: Deadline,
) -> io::Result<()> {
    let left = deadline.left()?;
    timeout.ensure(left, |value| stream.set_write_timeout(value))?;
    let mut stream = stream;
    stream
        .write_all(bytes)
        .map_err(|err| if is_timeout(&err) { timed_out() } else { err })
}

impl Connection for TcpConnection {
    fn send(&mut self, bytes: &[u8], deadline: Deadline) -> io::Result<()> {
        deadline.left()?;
        if self.unsent.len() + bytes.len() > UNSENT_CAPACITY {
            self.flush_unsent()?;
        }
        if bytes.len() > UNSENT_CAPACITY {
            return write_by(&self.stream, &mut self.write_timeout, bytes, deadline);
        }
        if self.unsent.capacity() == 0 {
            self.unsent.reserve_exact(UNSENT_CAPACITY);
        }
        self.unsent.extend_from_slice(bytes);
        self.unsent_deadline = deadline;
        Ok(())
    }

    fn receive(&mut self, into: &mut [u8], deadline: Deadline) -> io::Result<usize> {
        self.flush_unsent()?;
        loop {
            let wanted = deadline.left()?;
            let stream = &self.stream;
            self.read_timeout
                .ensure(wanted, |value| stream.set_read_timeout(value))?;
            match (&*self.stream).read(into) {
                Ok(0) if self.may_be_stale() && self.reset_watch_now().reset_follows(wanted) => {
                    return Err(StaleConnection::Unread.into_io());
                }
                Ok(amount) => {
                    self.answered_since_io = false;
                    self.answer_started |= amount > 0;
                    return Ok(amount);
                }
                // A signal: read again with what is left of the deadline.
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) if is_reset(&err) && self.may_be_stale() => {
                    return Err(StaleConnection::ResetOnly.into_io());
                }
                Err(err) if is_timeout(&err) => return Err(timed_out()),
                Err(err) => return Err(err),
            }
        }
    }

    /// ureq asks as it pools the connection after an answer (after checking
    /// that no unread input is left), then again when it takes the connection
    /// for the next request; only the second question needs the socket.
    fn is_open(&mut self) -> bool {
        self.pooled = true;
        if !self.unsent.is_empty() {
            return false;
        }
        if !self.answered_since_io {
            self.answered_since_io = true;
            return true;
        }
        peer_is_quiet(&self.stream)
    }

    /// For the TLS layer, which sees the end of its stream first.
    fn reset_watch(&self) -> Option<ResetWatch> {
        Some(self.reset_watch_now())
    }
}

impl TcpConnection {
    fn reset_watch_now(&self) -> ResetWatch {
        ResetWatch::new(Arc::clone(&self.stream), self.round_trip)
    }
}

/// An idle connection is usable when reading would block: no end of stream,
/// no error, no bytes the server should not have sent.
fn peer_is_quiet(stream: &TcpStream) -> bool {
    let mut byte = 0u8;
    loop {
        // SAFETY: the descriptor is open for as long as `stream` is borrowed,
        // and the buffer is one valid, writable byte.
        let got = unsafe {
            libc::recv(
                stream.as_raw_fd(),
                (&mut byte as *mut u8).cast(),
                1,
                libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        if got >= 0 {
            return false;
        }
        match io::Error::last_os_error().kind() {
            io::ErrorKind::Interrupted => continue,
            io::ErrorKind::WouldBlock => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::connection::loopback_pair;
    use std::net::TcpListener;

    #[test]
    fn quiet_peer_is_open_until_it_speaks_or_closes() {
        let (client, mut server) = loopback_pair();
        assert!(peer_is_quiet(&client));
        server.write_all(b"x").unwrap();
        server.flush().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        assert!(!peer_is_quiet(&client), "unexpected bytes make it unusable");

        let (client, server) = loopback_pair();
        drop(server);
        std::thread::sleep(Duration::from_millis(20));
        assert!(!peer_is_quiet(&client), "a closed peer makes it unusable");
    }

    fn soon() -> Deadline {
        Deadline::after(Some(Duration::from_secs(5)))
    }

    #[test]
    fn a_request_leaves_in_one_write_when_the_answer_is_awaited() {
        let (client, mut server) = loopback_pair();
        let mut connection = TcpConnection::over(client, Duration::ZERO);
        for part in [
            &b"POST / HTTP/1.1\r\ncontent-length: 7\r\n\r\n"[..],
            b"secret!",
        ] {
            connection.send(part, soon()).unwrap();
        }
        server.set_nonblocking(true).unwrap();
        let mut buffer = [0u8; 256];
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            server.read(&mut buffer).unwrap_err().kind(),
            io::ErrorKind::WouldBlock,
            "nothing is sent before the answer is awaited"
        );
        server.write_all(b"HTTP/1.1 200 OK\r\n").unwrap();
        assert!(connection.receive(&mut [0u8; 64], soon()).unwrap() > 0);
        assert!(connection.unsent.is_empty());
        server.set_nonblocking(false).unwrap();
        let got = server.read(&mut buffer).unwrap();
        assert_eq!(
            &buffer[..got],
            b"POST / HTTP/1.1\r\ncontent-length: 7\r\n\r\nsecret!"
        );
        // The held copy of the request (a password, often) is wiped.
        // SAFETY: the capacity was allocated and the first bytes written.
        let held = unsafe { std::slice::from_raw_parts(connection.unsent.as_ptr(), 16) };
        assert!(held.iter().all(|byte| *byte == 0));
    }

    #[test]
    fn a_read_past_its_deadline_times_out() {
        let (client, _server) = loopback_pair();
        let mut connection = TcpConnection::over(client, Duration::ZERO);
        let started = Instant::now();
        let deadline = Deadline::after(Some(Duration::from_millis(50)));
        let err = connection.receive(&mut [0u8; 16], deadline).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_millis(50) + 2 * TIMEOUT_SLACK);
    }

    #[test]
    fn only_the_question_before_reuse_asks_the_socket() {
        let (client, mut server) = loopback_pair();
        let mut connection = TcpConnection::over(client, Duration::ZERO);
        server.write_all(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        assert!(connection.receive(&mut [0u8; 64], soon()).unwrap() > 0);
        drop(server);
        std::thread::sleep(Duration::from_millis(20));
        assert!(connection.is_open(), "pooling right after the answer");
        assert!(
            !connection.is_open(),
            "taking it from the pool sees the close"
        );
    }

    /// A server that answers one request per connection, then closes it
    /// without saying so (no `Connection: close`), as an idle timeout would.
    fn one_answer_per_connection_server() -> (String, std::thread::JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let mut connections = 0;
            for stream in listener.incoming().take(2) {
                let mut stream = stream.unwrap();
                connections += 1;
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
                    head.push(byte[0]);
                }
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                    .unwrap();
            }
            connections
        });
        (url, server)
    }

    #[test]
    fn a_connection_the_server_closed_is_not_reused() {
        let (url, server) = one_answer_per_connection_server();
        let transport = crate::transport::Transport::new(&Default::default()).unwrap();
        for attempt in 0..2 {
            let response = transport
                .send(crate::transport::Request {
                    method: crate::transport::Method::Get,
                    url: &url,
                    body: None,
                    bearer: None,
                    creates_state: true,
                    deadline: None,
                })
                .unwrap_or_else(|err| panic!("request {attempt}: {err}"));
            assert_eq!(response.status, 200);
            // Let the server's close reach us while the connection is idle.
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(server.join().unwrap(), 2, "the second request reconnected");
    }

    #[test]
    fn timeouts_are_set_only_when_they_must_change() {
        let mut timeout = SocketTimeout::default();
        // What `ensure` sets, or `None` when it leaves the socket alone.
        let mut ensure = |wanted| {
            let mut set_to = None;
            timeout
                .ensure(wanted, |value| {
                    set_to = Some(value);
                    Ok(())
                })
                .unwrap();
            set_to
        };
        let thirty = Duration::from_secs(30);
        assert_eq!(ensure(Some(thirty)), Some(Some(thirty + TIMEOUT_SLACK / 2)));
        // Slightly shorter or slightly longer: the socket keeps its value.
        assert_eq!(ensure(Some(thirty - Duration::from_micros(5))), None);
        assert_eq!(ensure(Some(thirty + Duration::from_micros(5))), None);
        assert_eq!(ensure(Some(thirty - TIMEOUT_SLACK / 4)), None);
        // Longer than the socket waits: set, so it never fires early.
        let longer = thirty + TIMEOUT_SLACK;
        assert_eq!(ensure(Some(longer)), Some(Some(longer + TIMEOUT_SLACK / 2)));
        // Much shorter: set, so it never fires later than the slack allows.
        let short = Duration::from_secs(1);
        assert_eq!(ensure(Some(short)), Some(Some(short + TIMEOUT_SLACK / 2)));
        assert_eq!(ensure(None), Some(None));
        assert_eq!(ensure(None), None);
    }

    #[test]
    fn a_failed_set_is_not_remembered() {
        let mut timeout = SocketTimeout::default();
        let failed = timeout.ensure(Some(Duration::from_secs(5)), |_| {
            Err(io::ErrorKind::InvalidInput.into())
        });
        assert!(failed.is_err());
        let mut called = false;
        timeout
            .ensure(Some(Duration::from_secs(5)), |_| {
                called = true;
                Ok(())
            })
            .unwrap();
        assert!(called, "the next request tries again");
    }
}
