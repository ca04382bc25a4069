//! Transport policy: https verifies certificates by default and trusts a
//! caller-supplied CA (`mxreg_client_options.ca_pem`) instead when given;
//! plain http is refused off loopback unless explicitly allowed; a redirect
//! never carries credentials to another origin. The TLS server is rustls on
//! loopback with certificates made at run time (tests/support/certs.rs).

mod support;

use std::time::Duration;

use mxreg::mxreg_result as R;

use support::c_api::{CClient, Options, Outcome, Registration};
use support::certs::{LOOPBACK_NAMES, TestCa};
use support::fault_server::{Fault, FaultServer, Reply};
use support::tls_server::{Identity, TlsServer};

const CREATED: &str =
    r#"{"user_id":"@alice:example.org","access_token":"syt_tls","device_id":"TLS"}"#;
const PASSWORD: &str = "tls-Passw0rd-never-redirected";
const APPSERVICE_TOKEN: &str = "as_token_never_redirected";

fn created() -> Reply {
    Reply::json(200, CREATED)
}

fn options_trusting(pem: &str) -> Options {
    Options {
        ca_pem: Some(pem.to_owned()),
        ..Options::default()
    }
}

/// A client trusting `trusted_pem` refuses the server's certificate: the
/// call fails with `Tls` and no request reaches the server.
fn assert_refused_by_tls(identity: Identity, trusted_pem: &str) {
    let server = TlsServer::start(identity, created());
    let outcome = register(&server.url(), &options_trusting(trusted_pem));
    assert_eq!(outcome.code(), R::Tls, "{outcome:#?}");
    assert!(server.requests().is_empty());
}

fn register(url: &str, options: &Options) -> Outcome {
    let client = CClient::new(url, options).unwrap_or_else(|o| panic!("client: {o:#?}"));
    client.register(&Registration {
        username: Some("alice".into()),
        password: Some(PASSWORD.into()),
        ..Registration::default()
    })
}

fn client_creation_code(url: &str, options: &Options) -> R {
    match CClient::new(url, options) {
        Ok(_) => R::Ok,
        Err(outcome) => outcome.code(),
    }
}

#[test]
fn a_self_signed_certificate_is_refused_by_default() {
    let (identity, _) = support::certs::self_signed();
    let server = TlsServer::start(identity, created());
    let outcome = register(&server.url(), &Options::default());
    assert_eq!(outcome.code(), R::Tls, "{outcome:#?}");
    assert!(
        server.requests().is_empty(),
        "nothing is sent without trust"
    );
}

#[test]
fn a_self_signed_certificate_is_accepted_when_the_caller_pins_it() {
    let (identity, pem) = support::certs::self_signed();
    let server = TlsServer::start(identity, created());
    let outcome = register(&server.url(), &options_trusting(&pem));
    assert_eq!(outcome.code(), R::Ok, "{outcome:#?}");
    assert_eq!(outcome.user_id.as_deref(), Some("@alice:example.org"));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn reconnections_resume_the_tls_session_from_any_thread() {
    // The server closes after each answer: every call reconnects. The first
    // handshake is a full one; the client's session cache, shared by every
    // thread's connections, makes the others abbreviated.
    let (identity, pem) = support::certs::self_signed();
    let server = TlsServer::start(identity, created());
    let client = CClient::new(&server.url(), &options_trusting(&pem)).expect("client");
    let register = || {
        client.register(&Registration {
            username: Some("alice".into()),
            password: Some(PASSWORD.into()),
            ..Registration::default()
        })
    };
    assert_eq!(register().code(), R::Ok);
    assert_eq!(register().code(), R::Ok);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let outcome = scope.spawn(register).join().unwrap();
            assert_eq!(outcome.code(), R::Ok, "{outcome:#?}");
        }
    });
    assert_eq!(server.handshakes(), 4);
    assert_eq!(server.resumed_handshakes(), 3, "every reconnection resumed");
}

#[test]
fn a_kept_alive_tls_connection_closed_by_the_server_fails_no_call() {
    // Each later call goes out on the kept-alive connection the server is
    // about to close unread: TLS close, then the reset. Retried on a new
    // connection, each call succeeds and each request is read once.
    let (identity, pem) = support::certs::self_signed();
    let server =
        TlsServer::start_closing_when_idle(identity, created(), Duration::from_millis(300));
    let client = CClient::new(&server.url(), &options_trusting(&pem)).expect("client");
    for call in 0..3 {
        let outcome = client.register(&Registration {
            username: Some("alice".into()),
            password: Some(PASSWORD.into()),
            ..Registration::default()
        });
        assert_eq!(outcome.code(), R::Ok, "call {call}: {outcome:#?}");
    }
    assert_eq!(server.requests().len(), 3);
    assert_eq!(server.handshakes(), 3);
}

#[test]
fn a_private_ca_is_refused_by_default_and_accepted_when_supplied() {
    let ca = TestCa::new("mxreg test CA");
    let server = TlsServer::start(ca.issue(LOOPBACK_NAMES), created());
    let refused = register(&server.url(), &Options::default());
    assert_eq!(refused.code(), R::Tls, "{refused:#?}");
    let accepted = register(&server.url(), &options_trusting(&ca.pem));
    assert_eq!(accepted.code(), R::Ok, "{accepted:#?}");
    assert_eq!(server.handshakes(), 1, "only the trusting client completes");
    assert!(server.failed_handshakes() >= 1);
    let sent = server.requests();
    assert!(String::from_utf8_lossy(&sent[0].body).contains(PASSWORD));
}

#[test]
fn trusting_another_ca_does_not_help() {
    let ca = TestCa::new("the server's CA");
    let other = TestCa::new("some other CA");
    assert_refused_by_tls(ca.issue(LOOPBACK_NAMES), &other.pem);
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let ca = TestCa::new("mxreg test CA");
    assert_refused_by_tls(ca.issue(&["matrix.example.org"]), &ca.pem);
}

#[test]
fn an_expired_certificate_is_refused() {
    let ca = TestCa::new("mxreg test CA");
    assert_refused_by_tls(ca.issue_expired(), &ca.pem);
}

#[test]
fn https_to_a_plain_http_server_is_a_tls_error() {
    let server = FaultServer::start(Fault::RawOnAccept(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec(),
    ));
    let url = format!("https://{}", server.addr());
    let outcome = register(&url, &Options::default());
    assert_eq!(outcome.code(), R::Tls, "{outcome:#?}");
}

#[test]
fn https_to_a_silent_server_times_out_while_connecting() {
    let server = FaultServer::start(Fault::StallBeforeHeaders(Duration::from_secs(8)));
    let url = format!("https://{}", server.addr());
    let outcome = register(&url, &Options::default());
    // The handshake never finished: nothing was sent, so not "unknown".
    assert_eq!(outcome.code(), R::Timeout, "{outcome:#?}");
    assert!(server.requests().is_empty());
}

#[test]
fn unusable_ca_pem_is_an_invalid_argument() {
    let url = "https://127.0.0.1:8448";
    let (_, cert_pem) = support::certs::self_signed();
    let key_only = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIB5KE6XRa4qTXDnUd5bGVBlqs3pL7M8m3vEvHjPyZsfE\n-----END PRIVATE KEY-----\n";
    for (what, pem) in [
        ("empty", String::new()),
        ("not PEM", "certainly not a certificate".to_owned()),
        ("a private key", key_only.to_owned()),
        ("corrupt base64", cert_pem.replace('M', "!")),
        (
            "over 64 KiB",
            cert_pem.repeat(64 * 1024 / cert_pem.len() + 1),
        ),
    ] {
        let code = client_creation_code(url, &options_trusting(&pem));
        assert_eq!(code, R::InvalidArgument, "{what}");
    }
    // A bundle of several certificates is fine.
    let bundle = format!("{cert_pem}{}", TestCa::new("second").pem);
    assert_eq!(client_creation_code(url, &options_trusting(&bundle)), R::Ok);
}

#[test]
fn plain_http_is_refused_off_loopback_unless_allowed() {
    for url in [
        "http://matrix.example.org",
        "http://192.0.2.10:8008",
        "http://[2001:db8::1]:8008",
        "http://localhost.example.org",
    ] {
        assert_eq!(
            client_creation_code(url, &Options::default()),
            R::InsecureUrl,
            "{url}"
        );
        let allowed = Options {
            allow_insecure_http: true,
            ..Options::default()
        };
        assert_eq!(client_creation_code(url, &allowed), R::Ok, "{url}");
    }
    for url in [
        "http://127.0.0.1:8008",
        "http://127.1.2.3:8008",
        "http://localhost:8008",
        "http://[::1]:8008",
        "https://matrix.example.org",
    ] {
        assert_eq!(
            client_creation_code(url, &Options::default()),
            R::Ok,
            "{url}"
        );
    }
}

/// An https server redirects to `location(other)`, where `other` is a plain
/// loopback server that must never see the password or the token.
fn redirect_keeps_credentials_home(status: u16, location: fn(&FaultServer) -> String) {
    let ca = TestCa::new("mxreg test CA");
    let other = FaultServer::start(created());
    let redirect = Reply::json(status, "{}").header("Location", &location(&other));
    let server = TlsServer::start(ca.issue(LOOPBACK_NAMES), redirect);
    let client = CClient::new(&server.url(), &options_trusting(&ca.pem)).expect("client");
    let outcome = client.register(&Registration {
        username: Some("alice".into()),
        password: Some(PASSWORD.into()),
        appservice_token: Some(APPSERVICE_TOKEN.into()),
        ..Registration::default()
    });
    assert_eq!(outcome.code(), R::Redirect, "{outcome:#?}");
    assert_eq!(outcome.http_status, status);
    assert_eq!(other.connections(), 0, "the redirect was followed");
    // The credentials did go to the configured origin, and only there.
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].header("authorization"),
        Some(format!("Bearer {APPSERVICE_TOKEN}").as_str())
    );
    let text = outcome.message.unwrap_or_default() + &outcome.body_json.unwrap_or_default();
    assert!(!text.contains(PASSWORD) && !text.contains(APPSERVICE_TOKEN));
}

#[test]
fn a_redirect_to_plain_http_is_not_followed() {
    redirect_keeps_credentials_home(307, |other| {
        format!("{}/_matrix/client/v3/register", other.url())
    });
}

#[test]
fn a_redirect_to_another_https_origin_is_not_followed() {
    redirect_keeps_credentials_home(308, |other| {
        format!(
            "https://localhost:{}/_matrix/client/v3/register",
            other.addr().port()
        )
    });
}

#[test]
fn a_redirect_on_the_same_origin_is_not_followed_either() {
    redirect_keeps_credentials_home(302, |_| "/_matrix/client/v3/register?again=1".to_owned());
}
