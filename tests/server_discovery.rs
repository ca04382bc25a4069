//! Server discovery from a server name with a port (spec, client-server API,
//! "Server Discovery"): `example.org:8448` is looked up at
//! `https://example.org/.well-known/matrix/client`, the hostname alone.
//!
//! A replay on loopback, since no local Synapse serves `.well-known` on
//! port 443: the server name is `127.0.0.1:<port>`, one TLS server on
//! 127.0.0.1:443 answers the spec's example `.well-known` document (its
//! `base_url` pointed at the loopback homeserver), another on the given port
//! answers the spec's example `/versions` body. Binding 443 needs root, as
//! `.ci/run` has.

mod support;

use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use mxreg::ClientConfig;
use mxreg::probe::probe;

use support::certs::{LOOPBACK_NAMES, TestCa};
use support::fault_server::Reply;
use support::tls_server::TlsServer;

/// The spec's example `GET /_matrix/client/versions` answer.
const SPEC_VERSIONS: &str =
    r#"{"unstable_features":{"org.example.my_feature":true},"versions":["r0.0.1","v1.1"]}"#;

/// The spec's example `.well-known/matrix/client`, with both base URLs on
/// loopback (discovery checks the identity server too, and no test traffic
/// leaves the machine).
fn spec_well_known(base_url: &str) -> String {
    format!(
        r#"{{"m.homeserver":{{"base_url":"{base_url}"}},"m.identity_server":{{"base_url":"{base_url}"}},"org.example.custom.property":{{"app_url":"https://custom.app.example.org"}}}}"#
    )
}

const WELL_KNOWN_TARGET: &str = "/.well-known/matrix/client";

/// Both tests hold port 443.
static PORT_443: Mutex<()> = Mutex::new(());

/// A TLS server on 127.0.0.1:443, waiting a little if another process holds it.
fn start_on_443(ca: &TestCa, reply: Reply) -> TlsServer {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if std::net::TcpListener::bind("127.0.0.1:443").is_ok() || Instant::now() > deadline {
            return TlsServer::start_at("127.0.0.1:443", ca.issue(LOOPBACK_NAMES), reply);
        }
        thread::sleep(Duration::from_millis(200));
    }
}

fn trusting(ca: &TestCa) -> ClientConfig {
    let mut config = ClientConfig::default();
    config.transport.ca_pem = Some(ca.pem.clone());
    config
}

fn well_known_requests(server: &TlsServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.target == WELL_KNOWN_TARGET)
        .count()
}

#[test]
fn a_server_name_with_a_port_is_discovered_on_its_hostname() {
    let _serial = PORT_443.lock().unwrap_or_else(|e| e.into_inner());
    let ca = TestCa::new("mxreg discovery CA");
    let homeserver = TlsServer::start(ca.issue(LOOPBACK_NAMES), Reply::json(200, SPEC_VERSIONS));
    let hostname = start_on_443(&ca, Reply::json(200, spec_well_known(&homeserver.url())));
    let server_name = homeserver.url().trim_start_matches("https://").to_owned();

    let found = probe(&server_name, &trusting(&ca), false)
        .unwrap_or_else(|err| panic!("probe {server_name}: {err}"));
    assert_eq!(
        well_known_requests(&hostname),
        1,
        "the hostname without the port"
    );
    assert_eq!(well_known_requests(&homeserver), 0, "not at the port given");
    assert!(found.discovered_by_well_known);
    assert_eq!(found.homeserver_url, homeserver.url());
    assert_eq!(found.versions, ["r0.0.1", "v1.1"]);
}

#[test]
fn without_a_document_on_the_hostname_the_server_name_is_used_as_given() {
    let _serial = PORT_443.lock().unwrap_or_else(|e| e.into_inner());
    let ca = TestCa::new("mxreg discovery CA");
    let homeserver = TlsServer::start(ca.issue(LOOPBACK_NAMES), Reply::json(200, SPEC_VERSIONS));
    let hostname = start_on_443(
        &ca,
        Reply::json(404, r#"{"errcode":"M_NOT_FOUND","error":"Not found"}"#),
    );
    let server_name = homeserver.url().trim_start_matches("https://").to_owned();

    let found = probe(&server_name, &trusting(&ca), false)
        .unwrap_or_else(|err| panic!("probe {server_name}: {err}"));
    assert_eq!(well_known_requests(&hostname), 1);
    assert!(!found.discovered_by_well_known);
    assert_eq!(found.homeserver_url, homeserver.url());
}
