//! A loopback HTTP/1.1 server whose answers a test scripts: a stand-in for
//! what no local server does on demand (other homeservers' dialects, stages
//! that need Google or a phone company). Keep-alive, one thread per
//! connection; every request goes to `answer`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use serde_json::Value;

/// One request as the script sees it.
pub struct Request<'a> {
    pub method: &'a str,
    /// Path and query.
    pub target: &'a str,
    /// The JSON body (`Null` when there is none or it is not JSON).
    pub body: &'a Value,
    /// This server's own base URL, for answers that point back to it.
    pub base: &'a str,
}

impl Request<'_> {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// What the script answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

pub type Script = dyn Fn(&Request<'_>) -> Reply + Send + Sync;

/// Start serving; returns the base URL (`http://127.0.0.1:port`).
pub fn start(script: impl Fn(&Request<'_>) -> Reply + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let script: Arc<Script> = Arc::new(script);
    let url = base.clone();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (script, url) = (Arc::clone(&script), url.clone());
            thread::spawn(move || serve(stream, &*script, &url));
        }
    });
    base
}

/// Answer requests on one keep-alive connection until the client closes it.
fn serve(stream: TcpStream, script: &Script, base: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut words = request_line.split_whitespace();
        let method = words.next().unwrap_or("").to_owned();
        let target = words.next().unwrap_or("").to_owned();
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let reply = script(&Request {
            method: &method,
            target: &target,
            body: &body,
            base,
        });
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if writer
            .write_all(head.as_bytes())
            .and_then(|()| writer.write_all(reply.body.as_bytes()))
            .is_err()
        {
            return;
        }
    }
}
