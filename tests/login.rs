//! `mxreg::Client::login` (`POST /login`, password and login token) against
//! the real local Synapse (`MXREG_HS_OPEN`). The new tokens are checked on
//! Synapse directly with ureq, not through mxreg.

mod support;

use mxreg::api::login::{LoginCredential, LoginRequest};
use mxreg::api::register::RegisterRequest;
use mxreg::secret::Secret;
use mxreg::{Client, Registration, mxreg_result};
use serde_json::Value;

use support::rig::{
    PASSWORD, assert_refused, client, fetch_device, homeserver, now_ms, register_with_dummy,
    unique_username, user_request,
};

/// A fresh account created with `inhibit_login`: it has no device yet.
fn account_without_device(client: &Client, prefix: &str) -> String {
    let username = unique_username(prefix);
    let request = RegisterRequest {
        inhibit_login: true,
        ..user_request(&username)
    };
    let registration = register_with_dummy(client, &request).expect("inhibit_login registration");
    assert!(registration.access_token.is_none() && registration.device_id.is_none());
    username
}

fn password_login(user: &str, password: &str) -> LoginRequest {
    LoginRequest::new(LoginCredential::Password {
        user: user.to_owned(),
        password: Secret::new(password),
    })
}

/// `POST /_matrix/client/v1/login/get_token` with an access token, through
/// ureq: the rig's open server hands out `m.login.token` tokens this way.
fn login_token_for(access_token: &str) -> String {
    let url = format!("{}/_matrix/client/v1/login/get_token", homeserver("OPEN"));
    let mut response = ureq::post(&url)
        .header("Authorization", &format!("Bearer {access_token}"))
        .header("Content-Type", "application/json")
        .send("{}")
        .unwrap_or_else(|err| panic!("POST {url}: {err}"));
    let text = response
        .body_mut()
        .read_to_string()
        .expect("get_token body");
    let body: Value = serde_json::from_str(&text).expect("get_token JSON");
    body["login_token"]
        .as_str()
        .expect("login_token string")
        .to_owned()
}

fn assert_logged_in(account: &Registration, user_id: &str) {
    assert_eq!(account.user_id, user_id);
    let device_id = account.device_id.as_deref().expect("device ID");
    let access_token = account.access_token.as_ref().expect("access token");
    let device = fetch_device(&homeserver("OPEN"), access_token.expose(), device_id);
    assert_eq!(device["device_id"], device_id);
}

#[test]
fn password_login_after_an_inhibit_login_registration() {
    let client = client("OPEN");
    let username = account_without_device(&client, "lpass");
    let mut request = password_login(&username, PASSWORD);
    request.device_id = Some("MXREGLOGIN".into());
    request.initial_device_display_name = Some("mxreg login test".into());

    let before = now_ms();
    let account = client.login(&request).expect("password login");
    assert_logged_in(&account, &format!("@{username}:localhost"));
    assert_eq!(account.device_id.as_deref(), Some("MXREGLOGIN"));
    let device = fetch_device(
        &homeserver("OPEN"),
        account.access_token.as_ref().unwrap().expose(),
        "MXREGLOGIN",
    );
    assert_eq!(device["display_name"], "mxreg login test");
    // Refresh tokens are requested by default and Synapse grants them.
    assert!(account.refresh_token.is_some());
    let expires_at = account.expires_at_ms.expect("an expiring access token");
    assert!(expires_at >= before + account.expires_in_ms.unwrap());
}

#[test]
fn a_full_user_id_logs_in_too_and_no_refresh_token_when_not_asked() {
    let client = client("OPEN");
    let username = account_without_device(&client, "lfull");
    let user_id = format!("@{username}:localhost");
    let mut request = password_login(&user_id, PASSWORD);
    request.refresh_token = false;
    let account = client.login(&request).expect("login with the full user ID");
    assert_logged_in(&account, &user_id);
    assert!(account.refresh_token.is_none());
    assert!(account.expires_in_ms.is_none());
}

#[test]
fn a_wrong_password_is_forbidden_and_not_echoed() {
    let client = client("OPEN");
    let username = account_without_device(&client, "lwrong");
    let err = client
        .login(&password_login(&username, "not-the-Passw0rd"))
        .expect_err("wrong password");
    assert_refused(&err, mxreg_result::Forbidden, "M_FORBIDDEN", 403);
    assert!(!format!("{err} {err:?}").contains("not-the-Passw0rd"));
}

#[test]
fn an_unknown_user_is_forbidden() {
    let client = client("OPEN");
    let err = client
        .login(&password_login(&unique_username("lnobody"), PASSWORD))
        .expect_err("unknown user");
    assert_eq!(err.code(), mxreg_result::Forbidden, "{err}");
    assert_eq!(err.errcode(), Some("M_FORBIDDEN"));
}

#[test]
fn a_login_token_logs_in_once() {
    let client = client("OPEN");
    let username = unique_username("ltoken");
    let registered = register_with_dummy(&client, &user_request(&username)).expect("register");
    let token = login_token_for(registered.access_token.as_ref().unwrap().expose());
    let request = LoginRequest::new(LoginCredential::Token {
        token: Secret::new(token.clone()),
    });

    let account = client.login(&request).expect("token login");
    assert_logged_in(&account, &registered.user_id);
    assert_ne!(account.device_id, registered.device_id, "a new device");

    let err = client.login(&request).expect_err("a used token");
    assert_eq!(err.code(), mxreg_result::Forbidden, "{err}");
    assert_eq!(err.errcode(), Some("M_FORBIDDEN"));
    assert!(!format!("{err} {err:?}").contains(&token));
}

#[test]
fn an_unknown_login_token_is_forbidden() {
    let client = client("OPEN");
    let request = LoginRequest::new(LoginCredential::Token {
        token: Secret::new("syl_not_a_real_token"),
    });
    let err = client.login(&request).expect_err("unknown token");
    assert_eq!(err.code(), mxreg_result::Forbidden, "{err}");
}
