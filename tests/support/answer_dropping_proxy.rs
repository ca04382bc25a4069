//! A loopback proxy in front of a real server that forwards every request
//! and, for the requests a test picks, drops the answer: the server has
//! acted, the client sees the connection close. This is how an answer is
//! lost in the wild (a mobile network gone, a proxy timing out).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// Picks, from the request line and body, the requests whose answer is lost.
pub type DropRule = dyn Fn(&str, &str) -> bool + Send + Sync;

pub struct AnswerDroppingProxy {
    pub url: String,
    dropped: Arc<AtomicUsize>,
}

impl AnswerDroppingProxy {
    /// Forward to `upstream` (`http://host:port`), holding each request
    /// `delay` before forwarding it, and drop the answers `rule` picks.
    pub fn start(upstream: &str, delay: Duration, rule: Box<DropRule>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let dropped = Arc::new(AtomicUsize::new(0));
        let rule: Arc<DropRule> = Arc::from(rule);
        let counter = Arc::clone(&dropped);
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, rule, counter) =
                    (upstream.clone(), Arc::clone(&rule), Arc::clone(&counter));
                thread::spawn(move || relay(client, &upstream, delay, &*rule, &counter));
            }
        });
        AnswerDroppingProxy { url, dropped }
    }

    /// How many answers were dropped so far.
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }
}

/// Serve one client connection, one request at a time, each over its own
/// upstream connection (`Connection: close` both ways keeps it simple).
fn relay(
    client: TcpStream,
    upstream: &str,
    delay: Duration,
    rule: &DropRule,
    dropped: &AtomicUsize,
) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut client = client;
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut head = request_line.clone();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header.trim().is_empty() {
            break;
        }
        let name = header
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if name == "content-length" {
            length = header.split(':').nth(1).unwrap().trim().parse().unwrap();
        }
        if name != "connection" {
            head.push_str(&header);
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    thread::sleep(delay);

    let mut server = TcpStream::connect(upstream).expect("connect upstream");
    server.write_all(head.as_bytes()).unwrap();
    server.write_all(&body).unwrap();
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).unwrap();

    if rule(request_line.trim(), &String::from_utf8_lossy(&body)) {
        dropped.fetch_add(1, Ordering::SeqCst);
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let _ = client.write_all(&answer);
}
