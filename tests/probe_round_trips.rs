//! What the probe costs in round trips, seen from a loopback server that
//! notes when each connection was accepted and when each request arrived
//! and was answered, and answers every request [`DELAY`] late (a slow
//! link): `.well-known` first, then every other request at once, each on a
//! connection opened while `.well-known` was in flight; both OAuth metadata
//! endpoints asked together; the guest registration only after `/versions`
//! answered; connections opened ahead to an origin that turns out not to be
//! the homeserver's closed unused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use mxreg::ClientConfig;
use mxreg::probe::probe;

/// How late every answer is.
const DELAY: Duration = Duration::from_millis(200);

const WELL_KNOWN: &str = "/.well-known/matrix/client";
const VERSIONS: &str = "/_matrix/client/versions";
const STABLE_METADATA: &str = "/_matrix/client/v1/auth_metadata";
const UNSTABLE_METADATA: &str = "/_matrix/client/unstable/org.matrix.msc2965/auth_metadata";
const GUEST: &str = "/_matrix/client/v3/register?kind=guest";

/// One request: on which connection, when it arrived, when it was answered.
#[derive(Clone, Debug)]
struct Seen {
    target: String,
    connection: usize,
    arrived: Instant,
    answered: Instant,
}

#[derive(Default)]
struct Log {
    /// When each connection was accepted, and when the client closed it.
    connections: Vec<(Instant, Option<Instant>)>,
    requests: Vec<Seen>,
}

struct Server {
    url: String,
    log: Arc<Mutex<Log>>,
}

impl Server {
    /// A homeserver with open legacy registration and no OAuth; its
    /// `.well-known` names `homeserver` (itself when `None`).
    fn start(homeserver: Option<String>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Log::default()));
        let base = homeserver.unwrap_or_else(|| url.clone());
        let shared = Arc::clone(&log);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&shared);
                let base = base.clone();
                let connection = {
                    let mut log = log.lock().unwrap();
                    log.connections.push((Instant::now(), None));
                    log.connections.len() - 1
                };
                thread::spawn(move || serve(stream, connection, &log, &base));
            }
        });
        Server { url, log }
    }

    fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().requests.clone()
    }

    fn request(&self, target: &str) -> Seen {
        self.requests()
            .into_iter()
            .find(|seen| seen.target == target)
            .unwrap_or_else(|| panic!("{target} was not asked: {:#?}", self.requests()))
    }

    fn connections(&self) -> Vec<(Instant, Option<Instant>)> {
        self.log.lock().unwrap().connections.clone()
    }

    /// Whether the client closed every connection within `timeout`.
    fn all_closed(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if self
                .connections()
                .iter()
                .all(|(_, closed)| closed.is_some())
            {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

/// Keep-alive HTTP/1.1: each request answered [`DELAY`] after it arrived.
fn serve(stream: TcpStream, connection: usize, log: &Mutex<Log>, base: &str) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let arrived = Instant::now();
        let target = line.split(' ').nth(1).unwrap_or("").to_owned();
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            break;
        }
        let (status, answer) = answer(&target, base);
        thread::sleep(DELAY);
        let answered = Instant::now();
        log.lock().unwrap().requests.push(Seen {
            target,
            connection,
            arrived,
            answered,
        });
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            answer.len()
        );
        if writer
            .write_all(format!("{head}{answer}").as_bytes())
            .is_err()
        {
            break;
        }
    }
    log.lock().unwrap().connections[connection].1 = Some(Instant::now());
}

fn answer(target: &str, base: &str) -> (u16, String) {
    match target {
        WELL_KNOWN => (
            200,
            format!(r#"{{"m.homeserver":{{"base_url":"{base}"}}}}"#),
        ),
        VERSIONS => (200, r#"{"versions":["v1.11"]}"#.into()),
        "/_matrix/client/v3/login" => (200, r#"{"flows":[{"type":"m.login.password"}]}"#.into()),
        "/_matrix/client/v3/register" => (
            401,
            r#"{"session":"s","flows":[{"stages":["m.login.dummy"]}],"params":{}}"#.into(),
        ),
        GUEST => (
            403,
            r#"{"errcode":"M_FORBIDDEN","error":"no guests"}"#.into(),
        ),
        _ => (404, r#"{"errcode":"M_UNRECOGNIZED","error":"no"}"#.into()),
    }
}

fn run(url: &str, check_guest: bool) -> mxreg::probe::Probe {
    let config = ClientConfig::default();
    probe(url, &config, check_guest).unwrap_or_else(|err| panic!("probe {url}: {err}"))
}

#[test]
fn after_well_known_every_request_goes_out_at_once_on_a_connection_opened_ahead() {
    let server = Server::start(None);
    let found = run(&server.url, false);
    assert!(found.discovered_by_well_known);
    assert_eq!(found.signup_methods, mxreg::probe::methods::LEGACY);
    let well_known = server.request(WELL_KNOWN);
    let rest: Vec<Seen> = server
        .requests()
        .into_iter()
        .filter(|seen| seen.target != WELL_KNOWN)
        .collect();
    // versions, login, both metadata endpoints, the empty registration.
    assert_eq!(rest.len(), 5, "{rest:#?}");
    let first_answer = rest.iter().map(|seen| seen.answered).min().unwrap();
    for seen in &rest {
        // Sent before any of them was answered: together, not in turn.
        assert!(
            seen.arrived > well_known.answered && seen.arrived < first_answer,
            "{seen:#?} not sent with the others: {rest:#?}"
        );
    }
    // Every connection was open before `.well-known` was answered: none of
    // the requests after it waited for a connection of its own.
    let connections = server.connections();
    assert_eq!(connections.len(), 5, "{connections:#?}");
    assert!(
        connections
            .iter()
            .all(|(accepted, _)| *accepted < well_known.answered),
        "a connection opened after .well-known answered"
    );
    let mut used: Vec<usize> = rest.iter().map(|seen| seen.connection).collect();
    used.sort_unstable();
    used.dedup();
    assert_eq!(used.len(), 5, "each request on a connection of its own");
    assert!(server.all_closed(Duration::from_secs(5)));
}

#[test]
fn both_metadata_endpoints_are_asked_at_once() {
    let server = Server::start(None);
    run(&server.url, false);
    let stable = server.request(STABLE_METADATA);
    let unstable = server.request(UNSTABLE_METADATA);
    assert!(
        unstable.arrived < stable.answered && stable.arrived < unstable.answered,
        "one metadata endpoint waited for the other: {stable:#?} {unstable:#?}"
    );
}

#[test]
fn the_guest_registration_waits_for_versions() {
    let server = Server::start(None);
    let found = run(&server.url, true);
    assert_eq!(found.guest_access, Some(false));
    let versions = server.request(VERSIONS);
    let guest = server.request(GUEST);
    assert!(
        guest.arrived >= versions.answered,
        "a guest account asked for before /versions answered"
    );
    // It finds a connection free again: none opened for it.
    assert_eq!(server.connections().len(), 5);
}

#[test]
fn connections_opened_ahead_to_another_origin_are_closed_unused() {
    let homeserver = Server::start(None);
    let delegating = Server::start(Some(homeserver.url.clone()));
    let found = run(&delegating.url, false);
    assert_eq!(found.homeserver_url, homeserver.url);
    // Only `.well-known` was asked there; the connections opened ahead for
    // the rest carried nothing and were closed when the probe returned.
    let asked: Vec<String> = delegating
        .requests()
        .into_iter()
        .map(|seen| seen.target)
        .collect();
    assert_eq!(asked, [WELL_KNOWN]);
    assert_eq!(delegating.connections().len(), 5);
    assert!(delegating.all_closed(Duration::from_secs(5)));
    // The homeserver got the requests, each on a connection of its own.
    assert_eq!(homeserver.requests().len(), 5);
}
