//! The platform's trust store is the default: with no `ca_pem`, https
//! trusts what the operating system trusts. On Linux that is the system
//! store as rustls-native-certs finds it, which `SSL_CERT_FILE` replaces when
//! set (as it does for OpenSSL): the test puts a CA it made there instead of
//! touching the machine's real store, which stays as it is. The server is
//! rustls on loopback (tests/support/tls_server.rs).
//!
//! One test function: the environment is process-wide, so the steps run in
//! order in this binary of their own, each with a new client (the store is
//! read when a client makes its first https connection).

mod support;

use std::path::Path;

use mxreg::mxreg_result as R;

use support::c_api::{CClient, Options, Outcome, Registration};
use support::certs::{LOOPBACK_NAMES, TestCa};
use support::fault_server::Reply;
use support::tls_server::TlsServer;

const CREATED: &str =
    r#"{"user_id":"@alice:example.org","access_token":"syt_store","device_id":"STORE"}"#;

fn register(url: &str, options: &Options) -> Outcome {
    let client = CClient::new(url, options).unwrap_or_else(|o| panic!("client: {o:#?}"));
    client.register(&Registration {
        username: Some("alice".into()),
        password: Some("store-Passw0rd".into()),
        ..Registration::default()
    })
}

/// The system store is `file` alone from now on (`None`: the real one).
fn system_store(file: Option<&Path>) {
    // SAFETY: this binary's only test sets the variables between steps;
    // nothing else reads or writes the environment meanwhile.
    unsafe {
        std::env::remove_var("SSL_CERT_DIR");
        match file {
            Some(file) => std::env::set_var("SSL_CERT_FILE", file),
            None => std::env::remove_var("SSL_CERT_FILE"),
        }
    }
}

#[test]
fn the_system_store_decides_unless_the_caller_pins_roots() {
    let dir = std::env::temp_dir().join(format!("mxreg-trust-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = TestCa::new("mxreg system-store test CA");
    let store = dir.join("ca.pem");
    std::fs::write(&store, &ca.pem).unwrap();

    let server = TlsServer::start(ca.issue(LOOPBACK_NAMES), Reply::json(200, CREATED));

    // The machine's own store does not know the test's CA.
    system_store(None);
    let outcome = register(&server.url(), &Options::default());
    assert_eq!(outcome.code(), R::Tls, "{outcome:#?}");
    assert!(
        server.requests().is_empty(),
        "nothing is sent without trust"
    );

    // Added to the system store, it is trusted with no ca_pem.
    system_store(Some(&store));
    let outcome = register(&server.url(), &Options::default());
    assert_eq!(outcome.code(), R::Ok, "{outcome:#?}");
    assert_eq!(outcome.user_id.as_deref(), Some("@alice:example.org"));
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.handshakes(), 1, "only the trusting client completes");
    assert!(server.failed_handshakes() >= 1);

    // Pinned roots replace the system store: another CA given as ca_pem
    // does not trust this server, though the system would.
    let other = TestCa::new("some other CA");
    let pinned = Options {
        ca_pem: Some(other.pem.clone()),
        ..Options::default()
    };
    let outcome = register(&server.url(), &pinned);
    assert_eq!(outcome.code(), R::Tls, "{outcome:#?}");

    // A trusted CA does not make an expired certificate or another host's
    // certificate acceptable.
    let expired = TlsServer::start(ca.issue_expired(), Reply::json(200, CREATED));
    let outcome = register(&expired.url(), &Options::default());
    assert_eq!(outcome.code(), R::Tls, "{outcome:#?}");
    assert!(expired.requests().is_empty());
    let elsewhere = TlsServer::start(ca.issue(&["matrix.example.org"]), Reply::json(200, CREATED));
    let outcome = register(&elsewhere.url(), &Options::default());
    assert_eq!(outcome.code(), R::Tls, "{outcome:#?}");
    assert!(elsewhere.requests().is_empty());

    // A store with no usable certificate is a TLS failure, not a crash.
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    system_store(Some(&empty));
    let outcome = register(&server.url(), &Options::default());
    assert_eq!(outcome.code(), R::Tls, "{outcome:#?}");

    std::fs::remove_dir_all(&dir).unwrap();
}
