//! Account creation through OAuth 2.0 (`prompt=create`) on the rig's
//! OAuth-delegated Synapse (`MXREG_HS_OAUTH`), end to end through the Rust
//! API, with the browser played over HTTP (`support/browser.rs`). The new
//! tokens are checked on Synapse directly with ureq, not through mxreg.

mod support;

use mxreg::oauth::{self, AuthorizationRequest, Intent, PendingAuthorization, TokenKind};
use mxreg::{Registration, mxreg_result};
use support::browser::{Action, Browser};
use support::oauth_app::{OAuthApp, PASSWORD, register_app, whoami};
use support::rig::{client, unique_username};

/// Discover the OAuth server and register a client, as an app does at the
/// start of each authorization flow.
fn server() -> OAuthApp {
    OAuthApp::register("mxreg oauth tests")
}

fn access_token(registration: &Registration) -> &str {
    registration
        .access_token
        .as_ref()
        .expect("access token")
        .expose()
}

#[test]
fn the_server_offers_sign_up_and_refuses_legacy_registration() {
    let server = server();
    assert!(server.metadata.supports_sign_up());
    assert!(server.metadata.registration_endpoint.is_some());
    let legacy = support::rig::register_patiently(
        &server.client,
        &support::rig::user_request(&unique_username("legacy")),
        None,
    )
    .expect_err("legacy registration must be refused");
    assert_eq!(legacy.code(), mxreg_result::Forbidden, "{legacy}");
}

#[test]
fn a_legacy_homeserver_has_no_oauth() {
    let err = (client("OPEN"))
        .oauth_discover()
        .expect_err("the open server uses legacy auth");
    assert_eq!(err.code(), mxreg_result::OauthUnsupported, "{err}");
}

#[test]
fn sign_up_creates_an_account_that_works_on_synapse() {
    let server = server();
    let username = unique_username("oa");
    let (pending, redirect) = server.sign_up_in_browser(&username, Action::SignUp);
    let registration = server
        .complete(&pending, &redirect)
        .expect("sign-up completes");
    assert_eq!(registration.user_id, format!("@{username}:localhost"));
    assert_eq!(
        registration.device_id.as_deref(),
        Some(pending.device_id.as_str())
    );
    assert!(registration.refresh_token.is_some());
    assert_eq!(registration.expires_in_ms, Some(300_000));
    let (status, body) = whoami(access_token(&registration));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], registration.user_id.as_str());
    assert_eq!(body["device_id"], pending.device_id.as_str());
}

/// The loopback redirect URI is registered without its port (RFC 8252 §7.3,
/// the spec's client registration): each flow registers a new client and
/// listens on whatever port it got, which the server accepts.
#[test]
fn each_flow_registers_a_client_and_may_use_any_loopback_port() {
    let client = client("OAUTH");
    let metadata = client.oauth_discover().expect("auth metadata");
    for port in [18197, 18198] {
        let registered = register_app(&client, &metadata, "mxreg oauth tests");
        assert_eq!(
            registered.metadata["redirect_uris"],
            serde_json::json!(["http://127.0.0.1/callback"])
        );
        let redirect_uri = format!("http://127.0.0.1:{port}/callback");
        let request = AuthorizationRequest {
            client_id: registered.client_id,
            redirect_uri: redirect_uri.clone(),
            intent: Intent::SignUp,
            ..AuthorizationRequest::default()
        };
        let pending = oauth::start_authorization(&metadata, &request).expect("start");
        let username = unique_username("op");
        let url = pending.authorization_url(&metadata);
        let redirect =
            Browser::new().authorize(&url, &redirect_uri, &username, PASSWORD, Action::SignUp);
        assert!(redirect.starts_with(&redirect_uri), "{redirect}");
        let registration = client
            .oauth_complete_authorization(&metadata, &pending, &redirect)
            .unwrap_or_else(|err| panic!("port {port}: {err}"));
        assert_eq!(registration.user_id, format!("@{username}:localhost"));
    }
}

#[test]
fn the_same_user_logs_in_on_a_second_device() {
    let server = server();
    let username = unique_username("ob");
    let first = server.sign_up(&username);
    let pending = server.start(Intent::Login);
    let redirect = server.browse(&pending, &username, Action::Login);
    let second = server
        .complete(&pending, &redirect)
        .expect("login completes");
    assert_eq!(second.user_id, first.user_id);
    assert_ne!(second.device_id, first.device_id);
    let (status, body) = whoami(access_token(&second));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["device_id"], pending.device_id.as_str());
}

#[test]
fn a_redirect_for_another_authorization_is_a_state_mismatch() {
    let server = server();
    let username = unique_username("oc");
    let mine = server.start(Intent::SignUp);
    let other = server.start(Intent::SignUp);
    let redirect = server.browse(&other, &username, Action::SignUp);
    let err = server
        .complete(&mine, &redirect)
        .expect_err("state differs");
    assert_eq!(err.code(), mxreg_result::OauthStateMismatch, "{err}");
    // Nothing was sent: the redirect still completes its own authorization.
    server
        .complete(&other, &redirect)
        .expect("the right authorization completes");
}

#[test]
fn a_replayed_code_is_an_invalid_grant() {
    let server = server();
    let (pending, redirect) = server.sign_up_in_browser(&unique_username("od"), Action::SignUp);
    server.complete(&pending, &redirect).expect("first use");
    let err = server
        .complete(&pending, &redirect)
        .expect_err("second use");
    assert_eq!(err.code(), mxreg_result::OauthInvalidGrant, "{err}");
    assert_eq!(err.errcode(), Some("invalid_grant"));
}

#[test]
fn a_wrong_verifier_is_an_invalid_grant_and_keeps_the_code() {
    let server = server();
    let (pending, redirect) = server.sign_up_in_browser(&unique_username("oe"), Action::SignUp);
    let mut tampered = pending.clone();
    tampered.code_verifier = mxreg::secret::Secret::new("x".repeat(64));
    let err = server
        .complete(&tampered, &redirect)
        .expect_err("wrong verifier");
    assert_eq!(err.code(), mxreg_result::OauthInvalidGrant, "{err}");
    server
        .complete(&pending, &redirect)
        .expect("the right verifier still works");
}

#[test]
fn a_denied_consent_is_access_denied() {
    let server = server();
    let (pending, redirect) =
        server.sign_up_in_browser(&unique_username("of"), Action::SignUpAndDeny);
    let err = server.complete(&pending, &redirect).expect_err("denied");
    assert_eq!(err.code(), mxreg_result::OauthAccessDenied, "{err}");
}

#[test]
fn refresh_rotates_and_the_old_refresh_token_is_refused() {
    let server = server();
    let registration = server.sign_up(&unique_username("og"));
    let old_refresh = registration
        .refresh_token
        .as_ref()
        .expect("refresh token")
        .expose();
    let pair = server
        .client
        .oauth_refresh(&server.metadata, server.client_id(), old_refresh)
        .expect("refresh");
    assert_ne!(pair.access_token.expose(), access_token(&registration));
    let new_refresh = pair.refresh_token.as_ref().expect("rotated refresh token");
    assert_ne!(new_refresh.expose(), old_refresh);
    assert!(pair.expires_at_ms.is_some());
    let (status, body) = whoami(pair.access_token.expose());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], registration.user_id.as_str());
    let err = server
        .client
        .oauth_refresh(&server.metadata, server.client_id(), old_refresh)
        .expect_err("replayed refresh token");
    assert_eq!(err.code(), mxreg_result::OauthInvalidGrant, "{err}");
}

#[test]
fn revoking_logs_the_device_out() {
    let server = server();
    let registration = server.sign_up(&unique_username("oh"));
    let token = access_token(&registration);
    assert_eq!(whoami(token).0, 200);
    server
        .client
        .oauth_revoke(
            &server.metadata,
            server.client_id(),
            token,
            Some(TokenKind::AccessToken),
        )
        .expect("revoke");
    let (status, body) = whoami(token);
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["errcode"], "M_UNKNOWN_TOKEN");
    let refresh_token = registration
        .refresh_token
        .as_ref()
        .expect("refresh token")
        .expose();
    let err = server
        .client
        .oauth_refresh(&server.metadata, server.client_id(), refresh_token)
        .expect_err("the session is over");
    assert_eq!(err.code(), mxreg_result::OauthInvalidGrant, "{err}");
}

#[test]
fn a_saved_authorization_completes_after_a_restart() {
    let username = unique_username("oi");
    let (saved, redirect, device_id) = {
        let server = server();
        let pending = server.start(Intent::SignUp);
        let saved = pending.to_json().expect("save");
        let redirect = server.browse(&pending, &username, Action::SignUp);
        (saved, redirect, pending.device_id.clone())
        // The client, metadata and pending authorization are dropped here.
    };
    let client = client("OAUTH");
    let metadata = client.oauth_discover().expect("discover again");
    let restored = PendingAuthorization::from_json(saved.expose(), &metadata).expect("restore");
    let registration = client
        .oauth_complete_authorization(&metadata, &restored, &redirect)
        .expect("complete after restore");
    assert_eq!(registration.user_id, format!("@{username}:localhost"));
    assert_eq!(registration.device_id.as_deref(), Some(device_id.as_str()));
    assert_eq!(whoami(access_token(&registration)).0, 200);
}
