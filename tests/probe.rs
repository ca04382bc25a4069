//! The server probe against real Synapse variants.

mod support;

use mxreg::probe::{methods, probe};
use mxreg::{ClientConfig, mxreg_result};
use support::rig::homeserver;

fn run(variant: &str, check_guest: bool) -> mxreg::probe::Probe {
    probe(&homeserver(variant), &ClientConfig::default(), check_guest)
        .unwrap_or_else(|err| panic!("probe {variant}: {err}"))
}

#[test]
fn open_server_offers_legacy_registration_with_its_flows_and_guests() {
    let found = run("OPEN", true);
    assert_eq!(found.signup_methods, methods::LEGACY | methods::GUEST);
    assert_eq!(found.guest_access, Some(true));
    let flows = &found.registration.as_ref().unwrap().flows;
    assert_eq!(flows[0].stages, ["m.login.dummy"]);
    assert!(
        found.versions.iter().any(|v| v == "v1.11"),
        "{:?}",
        found.versions
    );
    assert!(found.login_types.iter().any(|t| t == "m.login.password"));
    assert!(!found.oauth_device_authorization && found.sso_identity_providers.is_empty());
    // Synapse serves .well-known with public_baseurl: discovery followed it.
    assert!(found.discovered_by_well_known);
    assert_eq!(found.homeserver_url, homeserver("OPEN"));
}

#[test]
fn token_server_lists_the_token_stage_and_no_guests() {
    let found = run("TOKEN", true);
    assert_eq!(found.signup_methods, methods::LEGACY);
    assert_eq!(found.guest_access, Some(false));
    let stages = &found.registration.as_ref().unwrap().flows[0].stages;
    assert!(stages.iter().any(|s| s == "m.login.registration_token"));
}

#[test]
fn closed_server_reports_no_sign_up_and_why() {
    let found = run("CLOSED", false);
    assert_eq!(found.signup_methods, 0);
    assert!(found.registration.is_none());
    let json: serde_json::Value = serde_json::from_str(&found.to_json()).unwrap();
    assert_eq!(json["signup_methods"], 0);
    let why = found.registration_refused.clone().unwrap();
    assert!(why.contains("M_FORBIDDEN"), "{why}");
}

#[test]
fn sso_server_offers_sso_sign_up_with_its_identity_provider() {
    let found = run("SSO", false);
    assert_eq!(found.signup_methods, methods::SSO);
    assert!(found.login_types.iter().any(|t| t == "m.login.sso"));
    let [idp] = found.sso_identity_providers.as_slice() else {
        panic!("one identity provider: {:?}", found.sso_identity_providers);
    };
    assert_eq!((idp.id.as_str(), idp.icon.as_deref()), ("oidc-rig", None));
    assert_eq!(idp.name, "mxreg rig OAuth server");
    assert!(!found.oauth_aware_preferred);
}

#[test]
fn nothing_listening_is_a_connect_error() {
    // A loopback port nobody serves: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = probe(
        &format!("http://127.0.0.1:{port}"),
        &ClientConfig::default(),
        false,
    )
    .unwrap_err();
    assert_eq!(err.code(), mxreg_result::Connect, "{err}");
}

#[test]
fn plain_http_server_names_off_loopback_are_refused_without_a_request() {
    let err = probe("http://matrix.example.org", &ClientConfig::default(), false).unwrap_err();
    assert_eq!(err.code(), mxreg_result::InsecureUrl);
}

#[test]
fn oauth_delegated_server_offers_oauth_sign_up_and_no_legacy_registration() {
    let found = run("OAUTH", false);
    assert_eq!(found.signup_methods, methods::OAUTH | methods::OAUTH_CREATE);
    assert!(found.registration.is_none());
    let why = found.registration_refused.clone().unwrap();
    assert!(why.contains("M_FORBIDDEN"), "{why}");
    assert!(found.oauth_issuer.is_some());
    assert!(found.oauth_registration_endpoint.is_some());
    // The rig's OAuth server offers the device grant; Synapse, delegating,
    // has no GET /login (so no SSO and no oauth_aware_preferred there).
    assert!(found.oauth_device_authorization);
    assert!(found.sso_identity_providers.is_empty());
    assert!(!found.oauth_aware_preferred);
    let json: serde_json::Value = serde_json::from_str(&found.to_json()).unwrap();
    assert_eq!(json["oauth_device_authorization"], true);
}
