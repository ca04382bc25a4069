//! Matrix errcodes with their own result codes and payloads, from the real
//! Synapse where it produces them on demand (the rig's variants); the
//! errcodes it never sends for these endpoints are in `tests/dialects.rs`.

mod support;

use mxreg::mxreg_result;
use mxreg::signup::{SignupSession, StageSet};
use support::rig::{client, guest_request, unique_username, user_request};

#[test]
fn a_disabled_server_refuses_with_a_resource_limit_and_its_admin_contact() {
    let client = client("LIMITED");
    let err = support::rig::register_with_dummy(&client, &user_request(&unique_username("rlim")))
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::ResourceLimitExceeded, "{err}");
    assert_eq!(err.errcode(), Some("M_RESOURCE_LIMIT_EXCEEDED"));
    assert_eq!(
        err.body_text("admin_contact"),
        Some("mailto:admin@localhost")
    );
    assert_eq!(err.http_status(), Some(403));
}

#[test]
fn guests_on_a_server_without_guest_access_are_forbidden() {
    let request = guest_request();
    let err = support::rig::register_patiently(&client("TOKEN"), &request, None).unwrap_err();
    assert_eq!(err.code(), mxreg_result::GuestAccessForbidden, "{err}");
    // Synapse says it with 403 M_UNKNOWN "Guest access is disabled"; the
    // errcode stays what the server sent (api::dialects).
    assert_eq!(err.errcode(), Some("M_UNKNOWN"));
    assert_eq!(err.http_status(), Some(403));
}

#[test]
fn a_name_in_an_appservice_namespace_is_exclusive() {
    // The open variant's application service owns @mxregbot_*.
    let name = unique_username("mxregbot_");
    let client = client("OPEN");
    let err = support::rig::register_with_dummy(&client, &user_request(&name)).unwrap_err();
    assert_eq!(err.code(), mxreg_result::Exclusive, "{err}");
    assert_eq!(err.errcode(), Some("M_EXCLUSIVE"));
    let err = client.username_available(&name).unwrap_err();
    assert_eq!(err.code(), mxreg_result::Exclusive, "{err}");
}

#[test]
fn an_email_address_outside_the_allowed_domains_is_denied() {
    let client = client("EMAIL");
    let mut session = SignupSession::new(
        client.homeserver().as_str(),
        user_request(&unique_username("deny")),
        StageSet(StageSet::EMAIL),
    );
    client.signup_start(&mut session).unwrap();
    let err = client
        .signup_request_email_token(&mut session, "someone@denied.example.com", None)
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::ThreepidDenied, "{err}");
    assert_eq!(err.errcode(), Some("M_THREEPID_DENIED"));
    // The session goes on: another address may be allowed.
    assert_eq!(session.next_stage(), Some("m.login.email.identity"));
}
