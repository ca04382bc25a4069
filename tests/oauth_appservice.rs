//! Application services on an OAuth-delegated server (spec v1.17), on the
//! rig's `oauth` variant, which has an application service owning
//! `@mxregbot_*`: registration works with `inhibit_login` only (without it
//! Synapse answers `M_APPSERVICE_LOGIN_UNSUPPORTED`), so mxreg sends it for
//! every application service, whatever the request says.

mod support;

use mxreg::api::register::RegisterRequest;
use mxreg::secret::Secret;

use support::rig::{client, register_patiently, unique_username};

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
fn an_appservice_request_without_inhibit_login_still_registers() {
    let client = client("OAUTH");
    let request = appservice_request(false);
    let account =
        register_patiently(&client, &request, None).expect("mxreg inhibits the login by itself");
    let username = request.username.as_deref().unwrap();
    assert_eq!(account.user_id, format!("@{username}:localhost"));
    assert!(account.access_token.is_none() && account.device_id.is_none());
}
