//! Capability documents: `/versions` and `GET /login`. The `.well-known`
//! discovery steps are `api::server_discovery`, the OAuth 2.0 metadata
//! `oauth::metadata`.

use serde::Deserialize;
use serde_json::{Map, Value};

pub const WELL_KNOWN_PATH: &str = "/.well-known/matrix/client";
pub const VERSIONS_PATH: &str = "/_matrix/client/versions";
pub const LOGIN_PATH: &str = "/_matrix/client/v3/login";

#[derive(Debug, Deserialize)]
pub struct Versions {
    pub versions: Vec<String>,
    #[serde(default)]
    pub unstable_features: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
pub struct LoginFlows {
    pub flows: Vec<LoginFlow>,
}

#[derive(Debug, Deserialize)]
pub struct LoginFlow {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub identity_providers: Vec<Value>,
}
