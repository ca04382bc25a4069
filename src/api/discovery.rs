//! Server discovery and capability documents: `.well-known/matrix/client`,
//! `/versions` and `GET /login` (the OAuth 2.0 metadata is `oauth::metadata`).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::Error;

pub const WELL_KNOWN_PATH: &str = "/.well-known/matrix/client";
pub const VERSIONS_PATH: &str = "/_matrix/client/versions";
pub const LOGIN_PATH: &str = "/_matrix/client/v3/login";

/// The `m.homeserver.base_url` of a `.well-known/matrix/client` document,
/// validated as the spec's discovery steps say: the document must be a JSON
/// object whose `m.homeserver` has a string `base_url`.
pub fn well_known_base_url(body: &[u8]) -> Result<String, Error> {
    let invalid = |what: &str| Error::InvalidResponse(format!(".well-known/matrix/client: {what}"));
    let document: Value = serde_json::from_slice(body).map_err(|_| invalid("not JSON"))?;
    let base_url = document
        .as_object()
        .ok_or_else(|| invalid("not a JSON object"))?
        .get("m.homeserver")
        .ok_or_else(|| invalid("no m.homeserver"))?
        .get("base_url")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("m.homeserver.base_url is missing or not a string"))?;
    Ok(base_url.to_owned())
}

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
    /// On `m.login.sso` (Matrix v1.15): the server prefers OAuth-aware
    /// clients to use its OAuth 2.0 API instead.
    #[serde(default)]
    pub oauth_aware_preferred: bool,
}

/// One identity provider of `m.login.sso`, as the app shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IdentityProvider {
    pub id: String,
    pub name: String,
    /// An `mxc://` URI, when the server gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

impl LoginFlow {
    /// The flow's identity providers; entries without a string `id` and
    /// `name` (which the spec requires) are left out.
    pub fn identity_providers(&self) -> Vec<IdentityProvider> {
        self.identity_providers
            .iter()
            .filter_map(|idp| {
                let text = |key: &str| idp.get(key).and_then(Value::as_str).map(str::to_owned);
                Some(IdentityProvider {
                    id: text("id")?,
                    name: text("name")?,
                    icon: text("icon"),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of the spec's `GET /login` example for SSO (v1.18).
    #[test]
    fn sso_flows_give_their_identity_providers() {
        let body = br#"{"flows":[{"type":"m.login.sso","oauth_aware_preferred":true,
            "identity_providers":[{"id":"oidc-github","name":"GitHub","icon":"mxc://example.org/gh","brand":"github"},
            {"id":"oidc-x","name":"X"},{"name":"no id"}]},{"type":"m.login.token"}]}"#;
        let flows: LoginFlows = serde_json::from_slice(body).unwrap();
        let sso = &flows.flows[0];
        assert!(sso.oauth_aware_preferred);
        assert_eq!(
            sso.identity_providers(),
            [
                IdentityProvider {
                    id: "oidc-github".into(),
                    name: "GitHub".into(),
                    icon: Some("mxc://example.org/gh".into())
                },
                IdentityProvider {
                    id: "oidc-x".into(),
                    name: "X".into(),
                    icon: None
                },
            ]
        );
        assert!(!flows.flows[1].oauth_aware_preferred);
    }

    #[test]
    fn well_known_is_validated() {
        let good = br#"{"m.homeserver":{"base_url":"https://matrix-client.example.org"}}"#;
        assert_eq!(
            well_known_base_url(good).unwrap(),
            "https://matrix-client.example.org"
        );
        for bad in [
            &b"nope"[..],
            b"[]",
            b"{}",
            br#"{"m.homeserver":{"base_url":5}}"#,
        ] {
            assert!(well_known_base_url(bad).is_err());
        }
    }
}
