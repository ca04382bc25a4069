//! What the spec says an answer holds must be there, in its grammar: the
//! spec's example bodies are accepted, and the same bodies with a required
//! field missing or malformed are protocol errors (`InvalidResponse`), not
//! success. Replayed by the fault server on loopback (no real server sends
//! them on demand).

mod support;

use mxreg::api::register::RegisterRequest;
use mxreg::secret::Secret;
use mxreg::signup::{SignupSession, StageSet};
use mxreg::{Client, ClientConfig, Error, mxreg_result};
use serde_json::{Value, json};

use support::fault_server::{Fault, FaultServer, Reply};

/// The spec's example `POST /register` 200 answer.
fn spec_registered() -> Value {
    json!({"access_token": "abc123", "device_id": "GHTYAJCE", "user_id": "@cheeky_monkey:matrix.org"})
}

/// The spec's example `GET /auth_metadata` answer.
fn spec_auth_metadata() -> Value {
    json!({
        "authorization_endpoint": "https://account.example.com/oauth2/auth",
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "issuer": "https://account.example.com/",
        "prompt_values_supported": ["create"],
        "registration_endpoint": "https://account.example.com/oauth2/clients/register",
        "response_modes_supported": ["query", "fragment"],
        "response_types_supported": ["code"],
        "revocation_endpoint": "https://account.example.com/oauth2/revoke",
        "token_endpoint": "https://account.example.com/oauth2/token"
    })
}

fn client_of(server: &FaultServer) -> Client {
    Client::new(&server.url(), &ClientConfig::default()).unwrap()
}

fn register_against(body: &Value, request: &RegisterRequest) -> Result<mxreg::Registration, Error> {
    let server = FaultServer::start(Reply::json(200, body.to_string()));
    client_of(&server).register(request, None)
}

fn user() -> RegisterRequest {
    RegisterRequest {
        username: Some("cheeky_monkey".into()),
        password: Some(Secret::new("ilovebananas")),
        ..RegisterRequest::default()
    }
}

#[test]
fn a_registration_without_access_token_is_invalid_unless_login_was_inhibited() {
    let registered = register_against(&spec_registered(), &user()).unwrap();
    assert_eq!(registered.user_id, "@cheeky_monkey:matrix.org");

    let mut no_token = spec_registered();
    no_token.as_object_mut().unwrap().remove("access_token");
    let err = register_against(&no_token, &user()).unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidResponse, "{err}");
    assert!(
        err.to_string().contains("@cheeky_monkey:matrix.org"),
        "{err}"
    );

    let inhibited = RegisterRequest {
        inhibit_login: true,
        ..user()
    };
    let only_user_id = json!({"user_id": "@cheeky_monkey:matrix.org"});
    assert!(register_against(&only_user_id, &inhibited).is_ok());
}

#[test]
fn a_user_id_that_is_not_a_user_id_is_invalid() {
    for bad in [
        "cheeky_monkey",
        "@cheeky_monkey",
        "@:matrix.org",
        "@cheeky monkey:matrix.org",
    ] {
        let mut body = spec_registered();
        body["user_id"] = json!(bad);
        let err = register_against(&body, &user()).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidResponse, "{bad}: {err}");
    }
}

#[test]
fn a_sid_outside_its_grammar_is_invalid() {
    let uia = r#"{"flows":[{"stages":["m.login.email.identity"]}],"session":"s"}"#;
    // The spec's example requestToken answer, then the same with bad sids.
    for (sid, accepted) in [
        ("123abc", true),
        ("123 abc", false),
        ("", false),
        ("a/b", false),
    ] {
        let server = FaultServer::scripted(vec![
            Reply::json(401, uia).into(),
            Fault::from(Reply::json(
                200,
                json!({"sid": sid, "submit_url": "https://example.org/path/to/submitToken"})
                    .to_string(),
            )),
        ]);
        let client = client_of(&server);
        let mut session = SignupSession::new(
            client.homeserver().as_str(),
            user(),
            StageSet(StageSet::EMAIL),
        );
        client.signup_start(&mut session).unwrap();
        let result = client.signup_request_email_token(&mut session, "alice@example.org", None);
        match result {
            Ok(()) => assert!(accepted, "{sid:?} accepted"),
            Err(err) => {
                assert!(!accepted, "{sid:?}: {err}");
                assert_eq!(err.code(), mxreg_result::InvalidResponse, "{sid:?}: {err}");
            }
        }
    }
}

fn discover_against(metadata: &Value) -> Result<mxreg::oauth::AuthMetadata, Error> {
    let server = FaultServer::start(Reply::json(200, metadata.to_string()));
    (client_of(&server)).oauth_discover()
}

#[test]
fn oauth_metadata_lacking_what_the_spec_requires_is_invalid() {
    let metadata = discover_against(&spec_auth_metadata()).unwrap();
    assert!(metadata.supports_sign_up());
    for field in ["registration_endpoint", "revocation_endpoint"] {
        let mut doc = spec_auth_metadata();
        doc.as_object_mut().unwrap().remove(field);
        let err = discover_against(&doc).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidResponse, "{field}: {err}");
        assert!(err.to_string().contains(field), "{err}");
    }
    let mut doc = spec_auth_metadata();
    doc["grant_types_supported"] = json!(["authorization_code"]);
    let err = discover_against(&doc).unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidResponse, "{err}");
}
