//! Application services on an OAuth-delegated server (spec v1.17), on the
//! rig's `oauth` variant, which has an application service owning
//! `@mxregbot_*`: registration works with `inhibit_login` only; without it
//! Synapse answers `M_APPSERVICE_LOGIN_UNSUPPORTED`, which mxreg types.

mod common;

use mxreg::api::register::RegisterRequest;
use mxreg::mxreg_result;
use mxreg::secret::Secret;

use common::{client, register_patiently, unique_username};

fn appservice_request(inhibit_login: bool) -> RegisterRequest {
    let token = std::env::var("MXREG_HS_OAUTH_APPSERVICE_TOKEN")
        .expect("MXREG_HS_OAUTH_APPSERVICE_TOKEN: run through `make test-rust`");
    RegisterRequest {
        username: Some(unique_username("mxregbot_o")),
        appservice_token: Some(Secret::new(token)),
        inhibit_login,
        ..RegisterRequest::default()
    }
}

#[test]
fn an_appservice_registers_with_inhibit_login() {
    let client = client("OAUTH");
    let request = appservice_request(true);
    let account = register_patiently(&client, &request, None).expect("appservice registration");
    let username = request.username.as_deref().unwrap();
    assert_eq!(account.user_id, format!("@{username}:localhost"));
    assert!(account.access_token.is_none() && account.device_id.is_none());
}

#[test]
fn a_login_with_the_registration_is_appservice_login_unsupported() {
    let client = client("OAUTH");
    let err = register_patiently(&client, &appservice_request(false), None)
        .expect_err("no login on an OAuth-delegated server");
    assert_eq!(
        err.code(),
        mxreg_result::AppserviceLoginUnsupported,
        "{err}"
    );
    assert_eq!(err.errcode(), Some("M_APPSERVICE_LOGIN_UNSUPPORTED"));
    assert_eq!(err.http_status(), Some(400));
}
