//! The OAuth 2.0 device authorization grant (RFC 8628) on the rig's
//! OAuth-delegated Synapse (`MXREG_HS_OAUTH`), end to end through the Rust
//! API. The user's part runs in `tests/oauth/browser.py --device`, as the
//! C and Python suites run it; the tokens are checked on Synapse with ureq.

mod support;

use std::thread::sleep;
use std::time::Duration;

use mxreg::oauth::{self, DeviceAuthorization};
use mxreg::{Registration, mxreg_result};
use support::oauth_app::{OAuthApp, PASSWORD, whoami};
use support::rig::{now_ms, python, unique_username};

/// The rig's OAuth server gives clients with this in their name device
/// codes that expire after 3 s (scripts/oauth/provider.mjs).
const SHORT_LIVED: &str = "(short-lived device codes)";

/// An app registered for the device grant.
fn server(client_name: &str) -> OAuthApp {
    let app = OAuthApp::register(client_name);
    assert!(app.metadata.supports_device_authorization());
    let grants = &app.registered.metadata["grant_types"];
    assert!(
        grants
            .as_array()
            .is_some_and(|g| g.iter().any(|t| t == oauth::device::DEVICE_CODE_GRANT)),
        "the client asked for the device grant: {grants}"
    );
    app
}

fn start(app: &OAuthApp) -> DeviceAuthorization {
    app.client
        .oauth_start_device_authorization(&app.metadata, app.client_id(), None)
        .expect("device authorization")
}

fn poll(app: &OAuthApp, started: &mut DeviceAuthorization) -> Result<Registration, mxreg::Error> {
    app.client
        .oauth_poll_device_authorization(&app.metadata, started)
}

/// The user, on another device: open the verification URI with the code,
/// then sign in and consent (`login`), or abort (`deny`). Returns what the
/// browser saw at the end.
fn user_visits(started: &DeviceAuthorization, username: &str, action: &str) -> String {
    let uri = started
        .verification_uri_complete
        .as_deref()
        .expect("the rig gives verification_uri_complete");
    python(&[
        "tests/oauth/browser.py",
        "--device",
        uri,
        "--username",
        username,
        "--password",
        PASSWORD,
        "--action",
        action,
    ])
}

#[test]
fn approved_on_another_device_gives_the_account() {
    let server = server("mxreg device tests");
    let mut started = start(&server);
    assert!(!started.user_code.is_empty());
    assert!(started.verification_uri.ends_with("/device"));
    assert!(started.expires_at_ms > now_ms());

    let pending = poll(&server, &mut started).expect_err("not approved yet");
    assert_eq!(pending.code(), mxreg_result::OauthAuthorizationPending);
    assert_eq!(pending.errcode(), Some("authorization_pending"));

    let username = unique_username("dev");
    server.sign_up(&username);
    assert_eq!(user_visits(&started, &username, "login"), "approved");
    let account = poll(&server, &mut started).expect("approved");
    assert_eq!(account.user_id, format!("@{username}:localhost"));
    assert_eq!(
        account.device_id.as_deref(),
        Some(started.device_id.as_str())
    );
    assert!(account.refresh_token.is_some());
    let (status, who) = whoami(account.access_token.as_ref().unwrap().expose());
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["user_id"], account.user_id.as_str());
    assert_eq!(who["device_id"], started.device_id.as_str());

    // The device code is spent.
    let again = poll(&server, &mut started).expect_err("a used device code");
    assert_eq!(again.code(), mxreg_result::OauthInvalidGrant, "{again}");
}

#[test]
fn denied_on_the_confirmation_page_is_access_denied() {
    let server = server("mxreg device tests");
    let mut started = start(&server);
    assert_eq!(
        user_visits(&started, &unique_username("devdeny"), "deny"),
        "denied"
    );
    let err = poll(&server, &mut started).expect_err("denied");
    assert_eq!(err.code(), mxreg_result::OauthAccessDenied, "{err}");
    assert_eq!(err.errcode(), Some("access_denied"));
}

#[test]
fn a_code_left_to_expire_is_expired_token() {
    let server = server(&format!("mxreg device tests {SHORT_LIVED}"));
    let mut started = start(&server);
    let left = started.expires_at_ms.saturating_sub(now_ms());
    assert!(
        left <= 3_000,
        "the rig's short-lived codes last 3 s, not {left} ms"
    );
    sleep(Duration::from_millis(left + 1_000));
    let err = poll(&server, &mut started).expect_err("expired");
    assert_eq!(err.code(), mxreg_result::OauthExpiredToken, "{err}");
}

#[test]
fn a_server_without_the_grant_is_unsupported() {
    let server = server("mxreg device tests");
    let mut metadata = server.metadata.clone();
    metadata.device_authorization_endpoint = None;
    let err = server
        .client
        .oauth_start_device_authorization(&metadata, server.client_id(), None)
        .expect_err("no endpoint");
    assert_eq!(err.code(), mxreg_result::OauthUnsupported);
}
