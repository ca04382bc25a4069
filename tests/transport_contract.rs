//! What the transport promises, whatever HTTP library is under it: the
//! contract a ureq upgrade must pass (Cargo.toml points here from the ureq
//! line). `src/transport/ureq_adapter.rs` is the only file that uses ureq's
//! unversioned transport API; if an upgrade changes it, that file changes,
//! and every check listed below must still pass.
//!
//! Tested here, against loopback servers through `mxreg::transport`:
//! - a read deadline is honoured (a stalled server: a timeout, in time);
//! - a call's overall deadline is honoured;
//! - plain http is refused off loopback unless allowed, before any I/O;
//! - a redirect is returned as an answer, never followed;
//! - consecutive requests reuse one connection;
//! - no thread is spawned per call (name lookups are cached);
//! - a connection idle past 4 s is not sent on again.
//!
//! Tested elsewhere (run them too):
//! - buffers wiped when freed, http and https: `tests/secrets.rs`
//!   (`freeing_the_client_leaves_no_copy_of_the_last_exchange`,
//!   `a_chunked_answer_leaves_no_copy_of_the_tokens_behind`,
//!   `an_https_exchange_leaves_no_copy_of_the_{request,answer}_behind`);
//!   the held request bytes: `transport::tcp` unit tests;
//! - connect deadline: `tests/hostile_server.rs` `connect_stall_is_a_timeout`;
//! - redirects to plain http or elsewhere not followed: `tests/tls.rs`
//!   `a_redirect_to_plain_http_is_not_followed` and neighbours,
//!   `tests/hostile_server.rs` `redirect_*`;
//! - plain http through the C API: `tests/tls.rs`
//!   `plain_http_is_refused_off_loopback_unless_allowed`;
//! - TLS sessions resumed on reconnection, from any thread: `tests/tls.rs`
//!   `reconnections_resume_the_tls_session_from_any_thread`;
//! - a kept-alive connection the server closed under a request is retried
//!   once (a GET also after a bare reset): `tests/hostile_server.rs`
//!   `a_server_closing_an_idle_connection_under_the_next_request_fails_no_call`,
//!   `a_reset_alone_is_sent_again_only_for_a_get`, and over TLS `tests/tls.rs`
//!   `a_kept_alive_tls_connection_closed_by_the_server_fails_no_call`;
//! - TLS failures while connecting are TLS errors, never "outcome unknown":
//!   `tests/tls.rs` `https_to_a_plain_http_server_is_a_tls_error`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mxreg::Error;
use mxreg::transport::{Method, Request, Response, Transport, TransportConfig};

/// The thread count check needs the process to itself: these tests run one
/// at a time.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The process's thread count, from the kernel.
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|count| count.trim().parse().ok())
        .expect("a Threads line")
}

/// What the server does with each request it reads.
#[derive(Clone, Copy)]
enum Behaviour {
    /// `200 {}`, and the connection kept alive.
    Answer,
    /// Read the request and never answer.
    Stall,
    /// A 302 to a plain-http URL.
    Redirect,
}

/// A loopback HTTP/1.1 server that counts connections and requests.
struct Server {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    _accepting: JoinHandle<()>,
}

impl Server {
    fn start(behaviour: Behaviour) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (count, served) = (Arc::clone(&connections), Arc::clone(&requests));
        let accepting = std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let served = Arc::clone(&served);
                std::thread::spawn(move || serve(stream, behaviour, &served));
            }
        });
        // Both server threads exist before any test counts threads.
        std::thread::sleep(Duration::from_millis(20));
        Server {
            port,
            connections,
            requests,
            _accepting: accepting,
        }
    }

    fn url(&self, host: &str) -> String {
        format!("http://{host}:{}/_matrix/client/versions", self.port)
    }
}

fn serve(mut stream: TcpStream, behaviour: Behaviour, served: &AtomicUsize) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        head.clear();
        while !head.ends_with(b"\r\n\r\n") {
            match stream.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        served.fetch_add(1, Ordering::SeqCst);
        let reply: &[u8] = match behaviour {
            Behaviour::Answer => b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
            Behaviour::Stall => {
                std::thread::sleep(Duration::from_secs(5));
                return;
            }
            Behaviour::Redirect => {
                b"HTTP/1.1 302 Found\r\nlocation: http://example.org/\r\ncontent-length: 0\r\n\r\n"
            }
        };
        if stream.write_all(reply).is_err() {
            return;
        }
    }
}

/// One test's server and transport, the test alone in the process.
struct Rig {
    server: Server,
    transport: Transport,
    _alone: MutexGuard<'static, ()>,
}

fn rig(behaviour: Behaviour, config: TransportConfig) -> Rig {
    let alone = one_at_a_time();
    Rig {
        server: Server::start(behaviour),
        transport: Transport::new(&config).unwrap(),
        _alone: alone,
    }
}

fn get(transport: &Transport, url: &str, deadline: Option<Instant>) -> Result<Response, Error> {
    transport.send(Request {
        method: Method::Get,
        url,
        body: None,
        bearer: None,
        creates_state: false,
        deadline,
    })
}

/// A stalled server: a timeout, at the request timeout or the call's
/// deadline, whichever comes first, and not much later.
#[test]
fn a_stalled_answer_is_a_timeout_in_time() {
    let timeout = Duration::from_millis(300);
    let Rig {
        server, transport, ..
    } = &rig(
        Behaviour::Stall,
        TransportConfig {
            request_timeout: timeout,
            ..TransportConfig::default()
        },
    );
    let url = server.url("127.0.0.1");
    let late = Duration::from_millis(700);
    for (deadline, expected) in [(None, timeout), (Some(timeout / 2), timeout / 2)] {
        let started = Instant::now();
        let result = get(transport, &url, deadline.map(|after| started + after));
        let elapsed = started.elapsed();
        assert!(matches!(result, Err(Error::Timeout(_))), "{result:?}");
        assert!(
            elapsed >= expected - Duration::from_millis(50) && elapsed < expected + late,
            "expected {expected:?}, took {elapsed:?}"
        );
    }
    let passed = get(transport, &url, Some(Instant::now()));
    assert!(matches!(passed, Err(Error::Timeout(_))), "{passed:?}");
}

#[test]
fn plain_http_is_refused_off_loopback_unless_allowed() {
    let _alone = one_at_a_time();
    let strict = Transport::new(&TransportConfig::default()).unwrap();
    // An address no test network answers (TEST-NET-1): refused before any
    // connection attempt, so the answer is immediate.
    let started = Instant::now();
    let refused = get(&strict, "http://192.0.2.1/x", None);
    assert!(matches!(refused, Err(Error::InsecureUrl(_))), "{refused:?}");
    assert!(started.elapsed() < Duration::from_millis(500));
    let server = Server::start(Behaviour::Answer);
    let loopback = get(&strict, &server.url("127.0.0.1"), None).unwrap();
    assert_eq!(loopback.status, 200, "loopback is allowed");
    let lenient = Transport::new(&TransportConfig {
        allow_insecure_http: true,
        connect_timeout: Duration::from_millis(100),
        ..TransportConfig::default()
    })
    .unwrap();
    let attempted = get(&lenient, "http://192.0.2.1/x", None);
    assert!(
        !matches!(attempted, Err(Error::InsecureUrl(_))),
        "allowed: {attempted:?}"
    );
}

#[test]
fn a_redirect_is_an_answer_and_is_not_followed() {
    let Rig {
        server, transport, ..
    } = &rig(Behaviour::Redirect, TransportConfig::default());
    let answer = get(transport, &server.url("127.0.0.1"), None).unwrap();
    assert_eq!(answer.status, 302);
    assert_eq!(answer.location.as_deref(), Some("http://example.org/"));
    assert_eq!(server.requests.load(Ordering::SeqCst), 1, "one request");
}

#[test]
fn requests_reuse_one_connection_and_spawn_no_thread() {
    let Rig {
        server, transport, ..
    } = &rig(Behaviour::Answer, TransportConfig::default());
    // A host name, so that name resolution is part of every call.
    let url = server.url("localhost");
    assert_eq!(get(transport, &url, None).unwrap().status, 200);
    // A thread per call (ureq's resolver spawns one per lookup) lives for
    // a lookup only: a sampler polls the count for the whole run.
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = Arc::clone(&sampling);
        std::thread::spawn(move || {
            let mut most = 0;
            while sampling.load(Ordering::SeqCst) {
                most = most.max(threads());
            }
            most
        })
    };
    // The first call's lookup thread, if any, is gone or going.
    std::thread::sleep(Duration::from_millis(50));
    let idle = threads();
    let calls = 200;
    for _ in 0..calls {
        assert_eq!(get(transport, &url, None).unwrap().status, 200);
    }
    sampling.store(false, Ordering::SeqCst);
    let most = sampler.join().unwrap();
    assert!(
        most <= idle,
        "{idle} threads when idle, {most} during the calls"
    );
    assert_eq!(server.requests.load(Ordering::SeqCst), calls + 1);
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

/// A connection idle longer than the servers' shortest idle close is not
/// sent on again (the device grant polls every 5 s, Node.js closes idle
/// connections after 5 s); one used within it is.
#[test]
fn a_connection_idle_past_four_seconds_is_not_reused() {
    let Rig {
        server, transport, ..
    } = &rig(Behaviour::Answer, TransportConfig::default());
    let url = server.url("127.0.0.1");
    assert_eq!(get(transport, &url, None).unwrap().status, 200);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(get(transport, &url, None).unwrap().status, 200);
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    std::thread::sleep(Duration::from_millis(4500));
    assert_eq!(get(transport, &url, None).unwrap().status, 200);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}
