//! Single sign-on against the rig's `sso` variant (`MXREG_HS_SSO`): Synapse
//! with the rig's OAuth server as upstream OpenID Connect provider. mxreg
//! builds the SSO URL, the test plays the browser (tests/support/browser.rs)
//! up to the app's redirect URL, and mxreg redeems its `loginToken`.

mod support;

use mxreg::api::sso::SsoAction;
use mxreg::{Registration, mxreg_result};
use support::browser::{Action, Browser};

use support::rig::{PASSWORD, client, homeserver, unique_username};

/// Never opened: the browser stops at the redirect to it (the rig's
/// Synapse lets it through without a confirmation page).
const REDIRECT_URL: &str = "http://127.0.0.1:9/mxreg-sso";
const IDP: &str = "oidc-rig";

/// Open `url` in a fresh browser as `username` and return the redirect the
/// app receives.
fn through_browser(url: &str, username: &str, action: Action) -> String {
    Browser::new().authorize(url, REDIRECT_URL, username, PASSWORD, action)
}

fn sign_up(username: &str) -> Registration {
    let client = client("SSO");
    let url = client
        .sso_url(Some(IDP), REDIRECT_URL, SsoAction::Register)
        .expect("SSO URL");
    let received = through_browser(&url, username, Action::SignUp);
    client.sso_complete(&received).expect("SSO sign-up")
}

#[test]
fn the_url_names_the_provider_the_redirect_and_the_action() {
    let client = client("SSO");
    let url = client
        .sso_url(Some(IDP), REDIRECT_URL, SsoAction::Register)
        .unwrap();
    assert_eq!(
        url,
        format!(
            "{}/_matrix/client/v3/login/sso/redirect/oidc-rig?redirectUrl=http%3A%2F%2F127.0.0.1%3A9%2Fmxreg-sso&action=register",
            homeserver("SSO")
        )
    );
    let url = client
        .sso_url(None, REDIRECT_URL, SsoAction::Login)
        .unwrap();
    assert!(
        url.ends_with(
            "/login/sso/redirect?redirectUrl=http%3A%2F%2F127.0.0.1%3A9%2Fmxreg-sso&action=login"
        ),
        "{url}"
    );
}

#[test]
fn first_sign_in_creates_the_account_and_the_second_logs_into_it() {
    let username = unique_username("sso");
    let account = sign_up(&username);
    assert_eq!(account.user_id, format!("@{username}:localhost"));
    let first_device = account.device_id.clone().expect("device ID");
    assert!(account.access_token.is_some());

    // The same upstream user again, signing in this time: the same account,
    // a new device.
    let client = client("SSO");
    let url = client
        .sso_url(None, REDIRECT_URL, SsoAction::Login)
        .unwrap();
    let received = through_browser(&url, &username, Action::Login);
    let again = client.sso_complete(&received).expect("SSO login");
    assert_eq!(again.user_id, account.user_id);
    assert_ne!(again.device_id.as_deref(), Some(first_device.as_str()));
}

#[test]
fn a_login_token_is_redeemed_once() {
    let username = unique_username("ssotwice");
    let client = client("SSO");
    let url = client
        .sso_url(Some(IDP), REDIRECT_URL, SsoAction::Register)
        .unwrap();
    let received = through_browser(&url, &username, Action::SignUp);
    client.sso_complete(&received).expect("first redemption");
    let err = client.sso_complete(&received).unwrap_err();
    assert_eq!(err.code(), mxreg_result::Forbidden, "{err}");
    let token = received.split("loginToken=").nth(1).unwrap();
    assert!(!err.to_string().contains(token), "the token leaks: {err}");
}

#[test]
fn an_unknown_provider_is_refused_before_any_browser() {
    let err = client("SSO")
        .sso_url(Some("oidc-nowhere"), REDIRECT_URL, SsoAction::Register)
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidArgument);
    assert!(err.to_string().contains("oidc-rig"), "{err}");
}

#[test]
fn a_relative_redirect_url_is_an_invalid_argument() {
    let err = client("SSO")
        .sso_url(None, "/mxreg-sso", SsoAction::Register)
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidArgument);
}

#[test]
fn a_server_without_sso_is_an_unsupported_flow() {
    // The open variant offers passwords and tokens, no m.login.sso.
    let err = client("OPEN")
        .sso_url(None, REDIRECT_URL, SsoAction::Register)
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::UnsupportedFlow, "{err}");
}

#[test]
fn a_redirect_without_a_token_is_an_invalid_argument() {
    let err = client("SSO")
        .sso_complete(&format!("{REDIRECT_URL}?error=denied"))
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidArgument);
}
