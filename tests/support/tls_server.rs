//! A loopback TLS server for the transport-policy tests: rustls on
//! 127.0.0.1 with an ephemeral port and a certificate the test made, giving
//! one canned answer per request. It records completed handshakes (and
//! which of them resumed an earlier session), failed ones and the requests
//! it read. Bounded like the fault server: a stop flag,
//! socket timeouts and a lifetime.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{HandshakeKind, ServerConfig, ServerConnection, StreamOwned};

use super::fault_server::{Reply, SeenRequest, parse_head};

const LIFETIME: Duration = Duration::from_secs(60);
const IO_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Log {
    handshakes: usize,
    /// Handshakes that resumed a session (an abbreviated handshake).
    resumed_handshakes: usize,
    failed_handshakes: usize,
    requests: Vec<SeenRequest>,
}

/// A certificate chain and its key, as the server presents them.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

pub struct TlsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Log>>,
    acceptor: Option<JoinHandle<()>>,
}

impl TlsServer {
    /// One request per connection, answered with `Connection: close`.
    pub fn start(identity: Identity, reply: Reply) -> Self {
        Self::start_at("127.0.0.1:0", identity, reply)
    }

    /// The same on a given loopback address (a fixed port such as 443).
    pub fn start_at(address: &str, identity: Identity, reply: Reply) -> Self {
        Self::start_with(address, identity, reply, None)
    }

    /// One request per connection, answered as if the connection stayed
    /// open; `idle` later the server closes it (close_notify, then the
    /// socket) without reading what came meanwhile, as an idle timeout does.
    pub fn start_closing_when_idle(identity: Identity, reply: Reply, idle: Duration) -> Self {
        Self::start_with("127.0.0.1:0", identity, reply, Some(idle))
    }

    fn start_with(
        address: &str,
        identity: Identity,
        reply: Reply,
        idle_close: Option<Duration>,
    ) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(identity.chain, identity.key)
            .expect("a usable certificate and key");
        let config = Arc::new(config);
        let listener =
            TcpListener::bind(address).unwrap_or_else(|err| panic!("bind {address}: {err}"));
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Log::default()));
        let acceptor = {
            let (stop, log) = (Arc::clone(&stop), Arc::clone(&log));
            thread::spawn(move || {
                let deadline = Instant::now() + LIFETIME;
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    match listener.accept() {
                        // A connection of its own each: a client may open
                        // several at once (the probe opens them ahead).
                        Ok((tcp, _)) => {
                            let (config, reply, log) =
                                (Arc::clone(&config), reply.clone(), Arc::clone(&log));
                            thread::spawn(move || serve(tcp, &config, &reply, idle_close, &log));
                        }
                        Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                            thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => thread::sleep(Duration::from_millis(20)),
                    }
                }
            })
        };
        TlsServer {
            addr,
            stop,
            log,
            acceptor: Some(acceptor),
        }
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn handshakes(&self) -> usize {
        self.log.lock().unwrap().handshakes
    }

    pub fn resumed_handshakes(&self) -> usize {
        self.log.lock().unwrap().resumed_handshakes
    }

    pub fn failed_handshakes(&self) -> usize {
        self.log.lock().unwrap().failed_handshakes
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.log.lock().unwrap().requests.clone()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// One connection, one request, one answer; then close (after `idle_close`
/// when set).
fn serve(
    tcp: TcpStream,
    config: &Arc<ServerConfig>,
    reply: &Reply,
    idle_close: Option<Duration>,
    log: &Mutex<Log>,
) {
    let _ = tcp.set_nonblocking(false);
    let _ = tcp.set_read_timeout(Some(IO_TIMEOUT));
    let _ = tcp.set_write_timeout(Some(IO_TIMEOUT));
    let Ok(connection) = ServerConnection::new(Arc::clone(config)) else {
        return;
    };
    let mut tls = StreamOwned::new(connection, tcp);
    // Drive the handshake to its end before reading the request.
    while tls.conn.is_handshaking() {
        if tls.conn.complete_io(&mut tls.sock).is_err() {
            log.lock().unwrap().failed_handshakes += 1;
            return;
        }
    }
    {
        let mut log = log.lock().unwrap();
        log.handshakes += 1;
        if tls.conn.handshake_kind() == Some(HandshakeKind::Resumed) {
            log.resumed_handshakes += 1;
        }
    }
    let Some(request) = read_request(&mut tls) else {
        return;
    };
    log.lock().unwrap().requests.push(request);
    let answer = match idle_close {
        Some(_) => reply.clone(),
        None => reply.clone().header("Connection", "close"),
    };
    let _ = tls.write_all(&answer.to_bytes());
    let _ = tls.flush();
    if let Some(idle) = idle_close {
        thread::sleep(idle);
    }
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn read_request(tls: &mut impl Read) -> Option<SeenRequest> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut request = parse_head(&head);
    request.body = buffer[head_end + 4..].to_vec();
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while request.body.len() < length {
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => request.body.extend_from_slice(&chunk[..n]),
        }
    }
    Some(request)
}
