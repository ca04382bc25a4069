//! A loopback fault server: a test tool that answers mxreg's HTTP requests
//! with scripted misbehaviour (malformed answers, stalls, resets, oversized
//! or trickling bodies, redirects). Plain std TCP on 127.0.0.1 with an
//! ephemeral port; every thread it starts checks a stop flag and a deadline,
//! so a test that forgets it cannot hang the suite.
//!
//! It also records what it saw: each request (method, target, headers,
//! body), and whether the client closed each connection, which the tests use
//! to prove that mxreg released its sockets.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// No server outlives this, whatever the test does.
const SERVER_LIFETIME: Duration = Duration::from_secs(120);
/// How often blocked threads look at the stop flag.
const POLL: Duration = Duration::from_millis(20);
/// Request heads larger than this are refused (the server is a test tool).
const MAX_HEAD_BYTES: usize = 1024 * 1024;

/// One scripted behaviour for one request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// A complete HTTP/1.1 answer; the connection stays open for more.
    Reply(Reply),
    /// These bytes as they are, then close.
    Raw(Vec<u8>),
    /// A `status` answer whose body is `total` bytes of filler, sent as fast
    /// as the client reads: with a `Content-Length` when `declared`, else
    /// chunked.
    Huge {
        status: u16,
        total: u64,
        declared: bool,
    },
    /// Headers with the full `Content-Length`, then the body one byte every
    /// `interval`.
    Trickle { body: Vec<u8>, interval: Duration },
    /// Read the request, then say nothing for `duration`, then close.
    StallBeforeHeaders(Duration),
    /// Read the request, wait `delay`, then answer normally.
    ReplyAfter { delay: Duration, reply: Reply },
    /// Send these bytes (a partial answer), then say nothing for `stall`,
    /// then close.
    PartialThenStall { bytes: Vec<u8>, stall: Duration },
    /// Reset (RST) the connection right after accepting it, before reading.
    ResetOnAccept,
    /// Write these bytes right after accepting, before reading, then close
    /// (a plain-http server answering a TLS handshake with an HTTP error).
    RawOnAccept(Vec<u8>),
    /// Read the whole request, then reset without answering.
    ResetAfterRequest,
    /// Read the whole request, then close cleanly (FIN) without answering.
    CloseAfterRequest,
    /// Send the head with `Content-Length: declared`, then `sent` body bytes,
    /// then close.
    CloseMidBody {
        status: u16,
        declared: usize,
        sent: Vec<u8>,
    },
    /// Answer `status` with a Matrix error whose text repeats the request
    /// (head and body): a server that echoes credentials back.
    Echo { status: u16 },
    /// Answer without `Connection: close`, then, `idle` later, close the
    /// kept-alive connection without reading what came meanwhile, as a
    /// server's idle timeout does: the client's next request, sent before
    /// the close, is never read. With `fin_first`, a half-close goes ahead
    /// of the close, so the client sees the end of stream before the reset.
    ReplyThenIdleClose {
        reply: Reply,
        idle: Duration,
        fin_first: bool,
    },
    /// Answer, then `after` later write `stray` on the idle kept-alive
    /// connection (bytes nobody asked for), and keep it open.
    ReplyThenStray {
        reply: Reply,
        stray: Vec<u8>,
        after: Duration,
    },
}

/// A whole HTTP answer. `Content-Length` is added unless a header sets the
/// framing itself.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Reply::new(status, "application/json", body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status)).into_bytes();
        let framed = self.headers.iter().any(|(name, _)| {
            name.eq_ignore_ascii_case("content-length")
                || name.eq_ignore_ascii_case("transfer-encoding")
        });
        for (name, value) in &self.headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if !framed {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

impl From<Reply> for Fault {
    fn from(reply: Reply) -> Self {
        Fault::Reply(reply)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Whatever",
    }
}

/// A request as the server read it.
#[derive(Clone, Debug, Default)]
pub struct SeenRequest {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl SeenRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Log {
    requests: Vec<SeenRequest>,
    connections: usize,
    /// Connections on which the client hung up (EOF or reset seen).
    closed_by_client: usize,
    /// Faults handed out so far (the script position).
    served: usize,
    /// Requests read and not answered yet, and the most there ever were.
    in_flight: usize,
    max_in_flight: usize,
}

struct Shared {
    stop: AtomicBool,
    deadline: Instant,
    script: Vec<Fault>,
    /// Requests whose target starts with a route's prefix get its fault,
    /// whatever their order (the probe sends its requests at once).
    routes: Vec<(String, Fault)>,
    log: Mutex<Log>,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || Instant::now() >= self.deadline
    }

    /// The fault for the next request: the script in order, the last one
    /// repeating. `take` moves the script on.
    fn fault(&self, take: bool) -> Fault {
        let mut log = self.log.lock().unwrap();
        let index = log.served.min(self.script.len() - 1);
        if take {
            log.served += 1;
        }
        self.script[index].clone()
    }

    /// The fault for a request just read: its route's, else the script's.
    fn fault_for(&self, request: &SeenRequest) -> Fault {
        let routed = self
            .routes
            .iter()
            .find(|(prefix, _)| request.target.starts_with(prefix.as_str()));
        match routed {
            Some((_, fault)) => fault.clone(),
            None => self.fault(true),
        }
    }

    /// Wait up to `duration` while watching `stream`: true when the client
    /// hung up meanwhile (what it sends is discarded).
    fn pause_watching(&self, stream: &mut TcpStream, duration: Duration) -> bool {
        discard_until_hangup(stream, self, Some(Instant::now() + duration))
    }

    /// Sleep up to `duration`, waking early when the server stops.
    fn pause(&self, duration: Duration) {
        let end = Instant::now() + duration;
        while !self.stopping() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            thread::sleep(left.min(POLL));
        }
    }
}

/// A running fault server. Dropping it stops and joins every thread.
pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl FaultServer {
    /// Every request gets `fault`.
    pub fn start(fault: impl Into<Fault>) -> Self {
        Self::scripted(vec![fault.into()])
    }

    /// The n-th request gets `script[n]`; the last entry repeats.
    pub fn scripted(script: Vec<Fault>) -> Self {
        Self::scripted_for(|_| script)
    }

    /// As `scripted`, with a script that needs the server's own URL (OAuth
    /// metadata pointing its endpoints back here).
    pub fn scripted_for(script: impl FnOnce(&str) -> Vec<Fault>) -> Self {
        Self::routed_for(|url| (Vec::new(), script(url)))
    }

    /// Requests to a route's path prefix get its fault; the others follow
    /// the script. Both may need the server's URL.
    pub fn routed_for(
        routes_and_script: impl FnOnce(&str) -> (Vec<(String, Fault)>, Vec<Fault>),
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local address");
        let (routes, script) = routes_and_script(&format!("http://{addr}"));
        assert!(!script.is_empty(), "a fault server needs a script");
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            deadline: Instant::now() + SERVER_LIFETIME,
            script,
            routes,
            log: Mutex::new(Log::default()),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("fault-server-accept".into())
                .spawn(move || accept_loop(listener, shared))
                .expect("spawn the accept thread")
        };
        FaultServer {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.log.lock().unwrap().requests.clone()
    }

    pub fn connections(&self) -> usize {
        self.shared.log.lock().unwrap().connections
    }

    /// How many requests were waiting for their answers at the same time,
    /// at most.
    pub fn max_in_flight(&self) -> usize {
        self.shared.log.lock().unwrap().max_in_flight
    }

    /// The requests whose target starts with `prefix`.
    pub fn requests_to(&self, prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.target.starts_with(prefix))
            .count()
    }

    /// Wait until the client has hung up every connection it opened; false
    /// when some are still open after `timeout`.
    pub fn wait_all_closed_by_client(&self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            {
                let log = self.shared.log.lock().unwrap();
                if log.closed_by_client == log.connections {
                    return true;
                }
            }
            if Instant::now() >= end {
                return false;
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut workers = Vec::new();
    while !shared.stopping() {
        match listener.accept() {
            Ok((stream, _)) => {
                shared.log.lock().unwrap().connections += 1;
                let shared = Arc::clone(&shared);
                workers.push(thread::spawn(move || serve_connection(stream, &shared)));
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => thread::sleep(POLL / 4),
            Err(_) => thread::sleep(POLL),
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
}

fn serve_connection(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_nodelay(true);
    let mut buffered = Vec::new();
    let mut closed_by_client = false;
    loop {
        match shared.fault(false) {
            Fault::ResetOnAccept => {
                shared.fault(true);
                reset(stream);
                mark_closed(shared);
                return;
            }
            Fault::RawOnAccept(bytes) => {
                shared.fault(true);
                let _ = stream.write_all(&bytes);
                break;
            }
            _ => {}
        }
        let Some((request, rest)) = read_head(&mut stream, &mut buffered, shared) else {
            // The client hung up (or the server is stopping) between requests.
            closed_by_client = !shared.stopping();
            break;
        };
        let fault = shared.fault_for(&request);
        let Some(request) = read_body(&mut stream, request, rest, &mut buffered, shared) else {
            closed_by_client = !shared.stopping();
            break;
        };
        {
            let mut log = shared.log.lock().unwrap();
            log.requests.push(request.clone());
            log.in_flight += 1;
            log.max_in_flight = log.max_in_flight.max(log.in_flight);
        }
        let after = act(&mut stream, &fault, &request, shared);
        shared.log.lock().unwrap().in_flight -= 1;
        match after {
            After::KeepAlive => continue,
            After::Close => break,
            After::HungUp => {
                closed_by_client = true;
                break;
            }
            After::Reset => {
                reset(stream);
                mark_closed(shared);
                return;
            }
            After::Dropped => {
                mark_closed(shared);
                return;
            }
        }
    }
    if !closed_by_client {
        // Answered and closing: half-close, then wait for the client's FIN or
        // reset to prove it released the socket.
        let _ = stream.shutdown(std::net::Shutdown::Write);
        closed_by_client = discard_until_hangup(&mut stream, shared, None);
    }
    if closed_by_client {
        mark_closed(shared);
    }
}

fn mark_closed(shared: &Shared) {
    shared.log.lock().unwrap().closed_by_client += 1;
}

/// Read and discard until the client hangs up; false when the server stops
/// (or `end` passes) first.
fn discard_until_hangup(stream: &mut TcpStream, shared: &Shared, end: Option<Instant>) -> bool {
    let mut sink = [0u8; 64 * 1024];
    while !shared.stopping() && end.is_none_or(|end| Instant::now() < end) {
        match stream.read(&mut sink) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(err) if is_timeout(&err) => {}
            Err(_) => return true,
        }
    }
    false
}

enum After {
    KeepAlive,
    Close,
    Reset,
    /// The client hung up while the fault was playing out.
    HungUp,
    /// The fault closed the connection itself.
    Dropped,
}

fn act(stream: &mut TcpStream, fault: &Fault, request: &SeenRequest, shared: &Shared) -> After {
    match fault {
        Fault::Reply(reply) => reply_then(stream, reply, |_| {
            let closes = reply
                .headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.contains("close"));
            if closes {
                After::Close
            } else {
                After::KeepAlive
            }
        }),
        Fault::Raw(bytes) => {
            let _ = stream.write_all(bytes);
            After::Close
        }
        Fault::Huge {
            status,
            total,
            declared,
        } => {
            send_huge(stream, *status, *total, *declared, shared);
            After::Close
        }
        Fault::Trickle { body, interval } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            if stream.write_all(head.as_bytes()).is_ok() {
                for byte in body {
                    if shared.stopping() || stream.write_all(&[*byte]).is_err() {
                        break;
                    }
                    if shared.pause_watching(stream, *interval) {
                        return After::HungUp;
                    }
                }
            }
            After::Close
        }
        Fault::StallBeforeHeaders(duration) => {
            if shared.pause_watching(stream, *duration) {
                return After::HungUp;
            }
            After::Close
        }
        Fault::ReplyAfter { delay, reply } => {
            if shared.pause_watching(stream, *delay) {
                return After::HungUp;
            }
            act(stream, &Fault::Reply(reply.clone()), request, shared)
        }
        Fault::PartialThenStall { bytes, stall } => {
            let _ = stream.write_all(bytes);
            if shared.pause_watching(stream, *stall) {
                return After::HungUp;
            }
            After::Close
        }
        Fault::ResetAfterRequest => After::Reset,
        Fault::CloseAfterRequest => After::Close,
        Fault::CloseMidBody {
            status,
            declared,
            sent,
        } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n",
                reason(*status)
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(sent);
            After::Close
        }
        Fault::Echo { status } => {
            let mut echoed = format!("{} {}\n", request.method, request.target);
            for (name, value) in &request.headers {
                echoed.push_str(&format!("{name}: {value}\n"));
            }
            echoed.push_str(&String::from_utf8_lossy(&request.body));
            let body = serde_json::json!({ "errcode": "M_UNKNOWN", "error": echoed });
            let reply = Reply::json(*status, body.to_string());
            reply_then(stream, &reply, |_| After::KeepAlive)
        }
        Fault::ReplyThenIdleClose {
            reply,
            idle,
            fin_first,
        } => reply_then(stream, reply, |stream| {
            // Not reading: what arrives now stays unread, so the close resets.
            shared.pause(*idle);
            if *fin_first {
                let _ = stream.shutdown(std::net::Shutdown::Write);
            }
            After::Dropped
        }),
        Fault::ReplyThenStray {
            reply,
            stray,
            after,
        } => reply_then(stream, reply, |stream| {
            if shared.pause_watching(stream, *after) {
                return After::HungUp;
            }
            let _ = stream.write_all(stray);
            After::KeepAlive
        }),
        // Reached through a route (chosen once the request is read): the
        // nearest thing after reading.
        Fault::ResetOnAccept => After::Reset,
        Fault::RawOnAccept(bytes) => {
            let _ = stream.write_all(bytes);
            After::Close
        }
    }
}

/// Writes `reply`, then does `then`; a client gone before the reply is
/// written ends the connection.
fn reply_then(
    stream: &mut TcpStream,
    reply: &Reply,
    then: impl FnOnce(&mut TcpStream) -> After,
) -> After {
    if stream.write_all(&reply.to_bytes()).is_err() {
        return After::Close;
    }
    then(stream)
}

fn send_huge(stream: &mut TcpStream, status: u16, total: u64, declared: bool, shared: &Shared) {
    let framing = if declared {
        format!("Content-Length: {total}")
    } else {
        "Transfer-Encoding: chunked".to_owned()
    };
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n",
        reason(status)
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let filler = vec![b' '; 64 * 1024];
    let mut left = total;
    while left > 0 && !shared.stopping() {
        let n = left.min(filler.len() as u64) as usize;
        let written = if declared {
            stream.write_all(&filler[..n])
        } else {
            stream
                .write_all(format!("{n:x}\r\n").as_bytes())
                .and_then(|()| stream.write_all(&filler[..n]))
                .and_then(|()| stream.write_all(b"\r\n"))
        };
        if written.is_err() {
            return;
        }
        left -= n as u64;
    }
    if !declared {
        let _ = stream.write_all(b"0\r\n\r\n");
    }
}

/// Close with RST instead of FIN (SO_LINGER with a zero timeout).
fn reset(stream: TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a correctly sized option value.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    drop(stream);
}

fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Read until the end of a request head. Returns the parsed head and the
/// bytes after it; `None` when the client hung up or the server stops.
fn read_head(
    stream: &mut TcpStream,
    buffered: &mut Vec<u8>,
    shared: &Shared,
) -> Option<(SeenRequest, Vec<u8>)> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = find(buffered, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffered[..end]).into_owned();
            let rest = buffered[end + 4..].to_vec();
            buffered.clear();
            return Some((parse_head(&head), rest));
        }
        if buffered.len() > MAX_HEAD_BYTES || shared.stopping() {
            return None;
        }
        read_some(stream, &mut chunk, buffered)?;
    }
}

/// One read from the client, appended to `into`; `None` when the client
/// closed the connection or the read failed (a timeout is neither).
fn read_some(stream: &mut TcpStream, chunk: &mut [u8], into: &mut Vec<u8>) -> Option<()> {
    match stream.read(chunk) {
        Ok(0) => None,
        Ok(n) => {
            into.extend_from_slice(&chunk[..n]);
            Some(())
        }
        Err(err) if is_timeout(&err) => Some(()),
        Err(_) => None,
    }
}

/// The request line and headers of a request head (without its body).
pub(super) fn parse_head(head: &str) -> SeenRequest {
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or_default().split(' ');
    SeenRequest {
        method: start.next().unwrap_or_default().to_owned(),
        target: start.next().unwrap_or_default().to_owned(),
        headers: lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect(),
        body: Vec::new(),
    }
}

/// Read the `Content-Length` body (mxreg never sends chunked requests); bytes
/// past it stay in `buffered` for the next request on the connection.
fn read_body(
    stream: &mut TcpStream,
    mut request: SeenRequest,
    mut rest: Vec<u8>,
    buffered: &mut Vec<u8>,
    shared: &Shared,
) -> Option<SeenRequest> {
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut chunk = [0u8; 64 * 1024];
    while rest.len() < length {
        if shared.stopping() {
            return None;
        }
        read_some(stream, &mut chunk, &mut rest)?;
    }
    buffered.extend_from_slice(&rest[length..]);
    rest.truncate(length);
    request.body = rest;
    Some(request)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// A loopback listener whose accept queue is full, so that a new connection
/// attempt gets no answer at all (Linux drops the SYN): a connect stall.
/// Keep the returned value alive while the test runs.
pub struct FullBacklog {
    pub port: u16,
    _listener: std::os::fd::OwnedFd,
    _queued: Vec<std::net::TcpStream>,
}

pub fn full_backlog() -> FullBacklog {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: plain socket calls on a descriptor this function owns; every
    // pointer passed is to a correctly sized local value.
    let (listener, port) = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "socket()");
        let owned = OwnedFd::from_raw_fd(fd);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
        let len = size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), len),
            0
        );
        assert_eq!(libc::listen(fd, 0), 0);
        let mut bound: libc::sockaddr_in = std::mem::zeroed();
        let mut bound_len = len;
        libc::getsockname(
            fd,
            (&mut bound as *mut libc::sockaddr_in).cast(),
            &mut bound_len,
        );
        (owned, u16::from_be(bound.sin_port))
    };
    // Fill the queue: connections that complete but are never accepted.
    let target = SocketAddr::from(([127, 0, 0, 1], port));
    let queued = (0..2)
        .filter_map(|_| TcpStream::connect_timeout(&target, Duration::from_millis(300)).ok())
        .collect();
    FullBacklog {
        port,
        _listener: listener,
        _queued: queued,
    }
}
