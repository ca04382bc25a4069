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
}
