//! `mxreg::Client::register` against the real local Synapse servers
//! (`make test-rust` starts them; see `tests/support/rig.rs`).

mod support;

use mxreg::api::register::RegisterRequest;
use mxreg::api::uia::AuthFlow;
use mxreg::secret::Secret;
use mxreg::{Client, ClientConfig, Error, Registration, mxreg_result};
use serde_json::json;

use support::rig::{
    assert_refused, client, fetch_device, guest_request, homeserver, now_ms, register_patiently,
    register_with_dummy, unique_username, user_request,
};

#[test]
fn dummy_stage_registration_takes_two_requests() {
    let client = client("OPEN");
    let username = unique_username("rdummy");
    let request = user_request(&username);

    let challenge = match register_patiently(&client, &request, None) {
        Err(Error::AuthRequired(uia)) => uia,
        other => panic!("expected AuthRequired, got {other:?}"),
    };
    assert_eq!(
        challenge.flows,
        vec![AuthFlow {
            stages: vec!["m.login.dummy".to_owned()]
        }]
    );
    assert!(challenge.completed.is_empty());
    assert_eq!(challenge.errcode, None);
    let session = challenge.session.expect("a UIA session");
    assert!(!session.is_empty());

    let auth = json!({"type": "m.login.dummy", "session": session});
    let registration = register_patiently(&client, &request, Some(&auth))
        .unwrap_or_else(|err| panic!("dummy stage: {err}"));
    assert_eq!(registration.user_id, format!("@{username}:localhost"));
    assert!(registration.device_id.is_some_and(|d| !d.is_empty()));
    assert!(
        registration
            .access_token
            .is_some_and(|t| !t.expose().is_empty())
    );
}

#[test]
fn a_taken_username_is_user_in_use() {
    let client = client("OPEN");
    let username = unique_username("rtaken");
    register_with_dummy(&client, &user_request(&username)).expect("first registration");

    let err = register_with_dummy(&client, &user_request(&username)).expect_err("taken");
    assert_refused(&err, mxreg_result::UserInUse, "M_USER_IN_USE", 400);
    assert!(matches!(err, Error::Server(_)));
}

#[test]
fn an_invalid_username_is_refused() {
    let client = client("OPEN");
    let err = register_with_dummy(&client, &user_request("bad name!")).expect_err("invalid");
    assert_refused(
        &err,
        mxreg_result::InvalidUsername,
        "M_INVALID_USERNAME",
        400,
    );
}

#[test]
fn a_weak_password_is_refused() {
    let client = client("OPEN");
    for (password, errcode) in [
        ("sh0rt", "M_PASSWORD_TOO_SHORT"),
        ("no-digits-at-all", "M_PASSWORD_NO_DIGIT"),
    ] {
        let request = RegisterRequest {
            password: Some(Secret::new(password)),
            ..user_request(&unique_username("rweak"))
        };
        let err = register_with_dummy(&client, &request).expect_err("weak password");
        assert_refused(&err, mxreg_result::WeakPassword, errcode, 400);
        assert!(
            !err.to_string().contains(password),
            "the password leaked into the message: {err}"
        );
    }
}

/// A new account on the open server (a fresh name starting with `prefix`),
/// with `refresh_token` in the request.
fn register_asking_for_a_refresh_token(prefix: &str, refresh_token: bool) -> Registration {
    let request = RegisterRequest {
        refresh_token,
        ..user_request(&unique_username(prefix))
    };
    register_with_dummy(&client("OPEN"), &request).expect("registration")
}

#[test]
fn refresh_tokens_come_with_an_expiry() {
    let before = now_ms();
    let registration = register_asking_for_a_refresh_token("rrefresh", true);
    let after = now_ms();

    assert!(
        registration
            .refresh_token
            .as_ref()
            .is_some_and(|t| !t.expose().is_empty())
    );
    let lifetime = registration.expires_in_ms.expect("expires_in_ms");
    assert!(lifetime > 0);
    let expires_at = registration.expires_at_ms.expect("expires_at_ms");
    assert!(
        (before + lifetime..=after + lifetime).contains(&expires_at),
        "expires_at_ms {expires_at} not within [{}, {}]",
        before + lifetime,
        after + lifetime
    );
}

#[test]
fn no_refresh_token_unless_asked() {
    let registration = register_asking_for_a_refresh_token("rnorefresh", false);
    assert!(registration.access_token.is_some());
    assert!(registration.refresh_token.is_none());
    assert_eq!(registration.expires_in_ms, None);
    assert_eq!(registration.expires_at_ms, None);
}

#[test]
fn inhibit_login_creates_the_account_without_logging_in() {
    let client = client("OPEN");
    let username = unique_username("rinhibit");
    let request = RegisterRequest {
        inhibit_login: true,
        refresh_token: true,
        ..user_request(&username)
    };
    let registration = register_with_dummy(&client, &request).expect("registration");
    assert_eq!(registration.user_id, format!("@{username}:localhost"));
    assert!(registration.access_token.is_none());
    assert!(registration.device_id.is_none());
    assert!(registration.refresh_token.is_none());

    // The account exists: the name is now taken.
    let err = register_with_dummy(&client, &user_request(&username)).expect_err("taken");
    assert_eq!(err.code(), mxreg_result::UserInUse, "{err}");
}

#[test]
fn a_guest_gets_a_numeric_user_id() {
    let client = client("OPEN");
    let request = guest_request();
    let registration = register_patiently(&client, &request, None).expect("guest");
    let localpart = registration
        .user_id
        .strip_prefix('@')
        .and_then(|id| id.strip_suffix(":localhost"))
        .unwrap_or_else(|| panic!("user id {}", registration.user_id));
    assert!(
        !localpart.is_empty() && localpart.bytes().all(|b| b.is_ascii_digit()),
        "guest localpart {localpart}"
    );
    assert!(registration.access_token.is_some());
    assert!(registration.device_id.is_some());
}

#[test]
fn a_custom_device_id_and_display_name_are_used() {
    let client = client("OPEN");
    let username = unique_username("rdevice");
    let device_id = format!("MXREG{}", username.to_ascii_uppercase());
    let display_name = format!("mxreg test device {username}");
    let request = RegisterRequest {
        device_id: Some(device_id.clone()),
        initial_device_display_name: Some(display_name.clone()),
        ..user_request(&username)
    };
    let registration = register_with_dummy(&client, &request).expect("registration");
    assert_eq!(registration.device_id.as_deref(), Some(device_id.as_str()));

    let token = registration.access_token.expect("access token");
    let device = fetch_device(&homeserver("OPEN"), token.expose(), &device_id);
    assert_eq!(device["device_id"], device_id.as_str());
    assert_eq!(device["display_name"], display_name.as_str());
}

#[test]
fn a_closed_server_forbids_registration() {
    let client = client("CLOSED");
    let err = register_with_dummy(&client, &user_request(&unique_username("rclosed")))
        .expect_err("closed");
    assert_refused(&err, mxreg_result::Forbidden, "M_FORBIDDEN", 403);
}

#[test]
fn the_rate_limited_server_says_how_long_to_wait() {
    // burst_count 2 per IP: at most three completed registrations in a row
    // before a 429, fewer when another suite used the server just before.
    let client = client("RATELIMIT");
    let dummy = json!({"type": "m.login.dummy"});
    for _ in 0..4 {
        let request = user_request(&unique_username("rlimit"));
        match client.register(&request, Some(&dummy)) {
            Ok(_) => continue,
            Err(err) => {
                assert_refused(&err, mxreg_result::RateLimited, "M_LIMIT_EXCEEDED", 429);
                let delay = err.retry_after_ms().expect("a retry delay");
                assert!(delay > 0 && delay <= 60_000, "delay {delay} ms");
                return;
            }
        }
    }
    panic!("four quick registrations were never rate limited");
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    for url in [
        "http://matrix.example.org",
        "http://10.1.2.3:8008",
        "http://[2001:db8::1]:8008",
    ] {
        let err = Client::new(url, &ClientConfig::default())
            .err()
            .unwrap_or_else(|| panic!("{url} accepted"));
        assert_eq!(err.code(), mxreg_result::InsecureUrl, "{url}: {err}");
        assert!(matches!(err, Error::InsecureUrl(_)));
    }
    let mut allowed = ClientConfig::default();
    allowed.transport.allow_insecure_http = true;
    assert!(Client::new("http://matrix.example.org", &allowed).is_ok());
    assert!(Client::new("http://127.0.0.1:18101", &ClientConfig::default()).is_ok());
}
