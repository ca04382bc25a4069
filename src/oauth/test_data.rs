//! The captured OAuth run in `tests/data/oauth/` (see its README), for the
//! unit tests of this module.

use serde_json::Value;

use crate::oauth::metadata::{AuthMetadata, ResponseMode};
use crate::oauth::pending::Intent;
use crate::oauth::pending::PendingAuthorization;
use crate::secret::Secret;

/// The authorization server's metadata in the captured run.
pub fn captured_metadata() -> AuthMetadata {
    let (_, body) = response_of("03_hs_auth_metadata.json");
    AuthMetadata::parse(&body, false).unwrap()
}

/// The authorization the captured run started.
pub fn captured_pending() -> PendingAuthorization {
    PendingAuthorization {
        version: PendingAuthorization::FORMAT_VERSION,
        issuer: "http://127.0.0.1:8410/".into(),
        client_id: "YYjRpw6UB316QDUTmD_jqeDDLZk2YrFQI9O_ME2kKRk".into(),
        redirect_uri: "http://127.0.0.1:8499/callback".into(),
        response_mode: ResponseMode::Query,
        intent: Intent::SignUp,
        device_id: "E2EG6PEAYMOEW".into(),
        state: "vsMafM-FgVulbi-uGVY3WQ".into(),
        code_verifier: Secret::new("LwYfGDxhQqVFhze6OA2SoAReHJmnRIItwPJbKpTv89I"),
        login_hint: None,
        created_at_ms: 0,
    }
}

/// The exchanges of one capture file (a file holds one, or a list of them).
pub fn exchanges(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/oauth/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    match serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}")) {
        Value::Array(list) => list,
        one => vec![one],
    }
}

/// Status and body bytes of the last answer in a capture file.
pub fn response_of(name: &str) -> (u16, Vec<u8>) {
    let last = exchanges(name).pop().expect("at least one exchange");
    let response = &last["response"];
    let status = response["status"].as_u64().expect("status") as u16;
    let body = match &response["body"] {
        Value::Null => Vec::new(),
        Value::String(text) => text.clone().into_bytes(),
        json => json.to_string().into_bytes(),
    };
    (status, body)
}

/// The URL of the first request in a capture file.
pub fn request_url(name: &str) -> String {
    exchanges(name)[0]["request"]["url"]
        .as_str()
        .expect("url")
        .to_owned()
}

/// A field of the first request's (JSON or form) body.
pub fn request_field(name: &str, field: &str) -> String {
    exchanges(name)[0]["request"]["body"][field]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: no request field {field}"))
        .to_owned()
}

/// The `Location` header of the last answer in a capture file.
pub fn location_of(name: &str) -> String {
    let last = exchanges(name).pop().expect("at least one exchange");
    last["response"]["headers"]["Location"]
        .as_str()
        .expect("Location")
        .to_owned()
}
