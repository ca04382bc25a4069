//! The authorization server metadata (RFC 8414) a homeserver serves at
//! `GET /_matrix/client/v1/auth_metadata` (MSC2965), and the checks that
//! make it usable: the endpoints, `code` + PKCE `S256`, the grant types, and
//! whether `prompt=create` (sign-up) is offered.

use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::oauth::url::check_endpoint;

pub const AUTH_METADATA_PATH: &str = "/_matrix/client/v1/auth_metadata";
/// The same before Matrix v1.15 (Synapse and MAS served it for a while).
pub const UNSTABLE_AUTH_METADATA_PATH: &str =
    "/_matrix/client/unstable/org.matrix.msc2965/auth_metadata";

/// How the authorization server returns the result to the redirect URI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseMode {
    /// In the query string (`?code=...`): what a native app's HTTP listener or
    /// custom-scheme handler sees.
    #[default]
    Query,
    /// In the fragment (`#code=...`): never sent to a web server.
    Fragment,
}

impl ResponseMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::Fragment => "fragment",
        }
    }
}

/// Validated server metadata. Unknown fields stay in `raw`.
#[derive(Clone, Debug)]
pub struct AuthMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// Dynamic client registration. Required by the spec, so always set
    /// once parsed (an `Option` for the C accessor's sake).
    pub registration_endpoint: Option<String>,
    /// Logging out (revoking tokens). Required, so always set once parsed.
    pub revocation_endpoint: Option<String>,
    pub account_management_uri: Option<String>,
    /// RFC 8628: where a device authorization starts.
    pub device_authorization_endpoint: Option<String>,
    pub grant_types_supported: Vec<String>,
    pub response_modes_supported: Vec<String>,
    pub prompt_values_supported: Vec<String>,
    /// RFC 9207: the server puts `iss` in every authorization response.
    pub iss_parameter_supported: bool,
    /// The whole document as the server sent it.
    pub raw: Value,
}

#[derive(Deserialize)]
struct Wire {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    registration_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    account_management_uri: Option<String>,
    device_authorization_endpoint: Option<String>,
    response_types_supported: Vec<String>,
    // RFC 8414 defaults for absent lists.
    #[serde(default = "default_grant_types")]
    grant_types_supported: Vec<String>,
    #[serde(default = "default_response_modes")]
    response_modes_supported: Vec<String>,
    #[serde(default)]
    code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    prompt_values_supported: Vec<String>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

fn default_grant_types() -> Vec<String> {
    vec!["authorization_code".into(), "implicit".into()]
}

fn default_response_modes() -> Vec<String> {
    vec!["query".into(), "fragment".into()]
}

fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|item| item == value)
}

impl AuthMetadata {
    /// Parse and check a metadata document. `allow_insecure_http` is the
    /// client's plain-http policy, applied to every endpoint.
    pub fn parse(body: &[u8], allow_insecure_http: bool) -> Result<Self, Error> {
        let raw: Value = serde_json::from_slice(body)
            .map_err(|err| Error::InvalidResponse(format!("auth metadata: {err}")))?;
        let wire: Wire = serde_json::from_value(raw.clone())
            .map_err(|err| Error::InvalidResponse(format!("auth metadata: {err}")))?;
        let endpoint = |what: &str, url: &str, query_allowed: bool| {
            check_endpoint(what, url, allow_insecure_http, query_allowed)
        };
        endpoint("issuer", &wire.issuer, false)?;
        endpoint("authorization_endpoint", &wire.authorization_endpoint, true)?;
        endpoint("token_endpoint", &wire.token_endpoint, false)?;
        // The spec's server metadata requires both endpoints and the
        // refresh_token grant: a Matrix client registers itself dynamically
        // (spec, "Client registration"), refreshes and revokes its tokens.
        let required = |what: &str| {
            Error::InvalidResponse(format!(
                "auth metadata: {what} is missing, which the Matrix spec requires"
            ))
        };
        let registration_endpoint = wire
            .registration_endpoint
            .as_deref()
            .ok_or_else(|| required("registration_endpoint"))?;
        endpoint("registration_endpoint", registration_endpoint, false)?;
        let revocation_endpoint = wire
            .revocation_endpoint
            .as_deref()
            .ok_or_else(|| required("revocation_endpoint"))?;
        endpoint("revocation_endpoint", revocation_endpoint, false)?;
        if let Some(url) = &wire.device_authorization_endpoint {
            endpoint("device_authorization_endpoint", url, false)?;
        }
        // Apps open it in a browser: no `javascript:` or `data:` URL.
        if let Some(url) = &wire.account_management_uri {
            endpoint("account_management_uri", url, true)?;
        }
        let unsupported = |what: &str| {
            Err(Error::OAuthUnsupported(format!(
                "the authorization server does not offer {what}"
            )))
        };
        if !has(&wire.response_types_supported, "code") {
            return unsupported("the `code` response type");
        }
        if !has(&wire.grant_types_supported, "authorization_code") {
            return unsupported("the authorization code grant");
        }
        if !has(&wire.code_challenge_methods_supported, "S256") {
            return unsupported("PKCE with S256");
        }
        if !has(&wire.response_modes_supported, "query")
            && !has(&wire.response_modes_supported, "fragment")
        {
            return unsupported("the `query` or `fragment` response mode");
        }
        if !has(&wire.grant_types_supported, "refresh_token") {
            return Err(required("the refresh_token grant (grant_types_supported)"));
        }
        Ok(AuthMetadata {
            issuer: wire.issuer,
            authorization_endpoint: wire.authorization_endpoint,
            token_endpoint: wire.token_endpoint,
            registration_endpoint: wire.registration_endpoint,
            revocation_endpoint: wire.revocation_endpoint,
            account_management_uri: wire.account_management_uri,
            device_authorization_endpoint: wire.device_authorization_endpoint,
            grant_types_supported: wire.grant_types_supported,
            response_modes_supported: wire.response_modes_supported,
            prompt_values_supported: wire.prompt_values_supported,
            iss_parameter_supported: wire.authorization_response_iss_parameter_supported,
            raw,
        })
    }

    /// The server lets users create accounts through `prompt=create`.
    pub fn supports_sign_up(&self) -> bool {
        has(&self.prompt_values_supported, "create")
    }

    pub fn supports_response_mode(&self, mode: ResponseMode) -> bool {
        has(&self.response_modes_supported, mode.as_str())
    }

    /// The device authorization grant (RFC 8628): its endpoint and grant type.
    pub fn supports_device_authorization(&self) -> bool {
        self.device_authorization_endpoint.is_some()
            && has(
                &self.grant_types_supported,
                crate::oauth::device::DEVICE_CODE_GRANT,
            )
    }

    /// Refresh tokens can be exchanged at the token endpoint.
    pub fn supports_refresh(&self) -> bool {
        has(&self.grant_types_supported, "refresh_token")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::test_data::response_of;
    use crate::result::mxreg_result;
    use serde_json::json;

    fn captured() -> Value {
        let (_, body) = response_of("03_hs_auth_metadata.json");
        serde_json::from_slice(&body).unwrap()
    }

    fn parse(doc: &Value) -> Result<AuthMetadata, Error> {
        AuthMetadata::parse(doc.to_string().as_bytes(), false)
    }

    #[test]
    fn the_captured_metadata_offers_sign_up() {
        let metadata = parse(&captured()).unwrap();
        assert_eq!(metadata.issuer, "http://127.0.0.1:8410/");
        assert_eq!(
            metadata.token_endpoint,
            "http://127.0.0.1:8410/oauth2/token"
        );
        assert_eq!(
            metadata.registration_endpoint.as_deref(),
            Some("http://127.0.0.1:8410/oauth2/registration")
        );
        assert_eq!(
            metadata.revocation_endpoint.as_deref(),
            Some("http://127.0.0.1:8410/oauth2/revoke")
        );
        assert!(metadata.supports_sign_up());
        assert!(metadata.supports_refresh());
        assert!(metadata.iss_parameter_supported);
        assert!(metadata.supports_response_mode(ResponseMode::Fragment));
        assert_eq!(
            metadata.raw["jwks_uri"],
            "http://127.0.0.1:8410/oauth2/keys.json"
        );
    }

    /// The captured document with `field` set to `value` (`None` removes it).
    fn edited(field: &str, value: Option<Value>) -> Value {
        let mut doc = captured();
        match value {
            Some(value) => doc[field] = value,
            None => _ = doc.as_object_mut().unwrap().remove(field),
        }
        doc
    }

    #[test]
    fn no_create_prompt_means_no_sign_up() {
        for value in [Some(json!(["none", "login", "consent"])), None] {
            let doc = edited("prompt_values_supported", value);
            assert!(!parse(&doc).unwrap().supports_sign_up());
        }
    }

    fn refused(field: &str, value: Option<Value>) -> Error {
        parse(&edited(field, value)).unwrap_err()
    }

    #[test]
    fn missing_capabilities_are_unsupported() {
        let cases = [
            ("code_challenge_methods_supported", Some(json!(["plain"]))),
            ("code_challenge_methods_supported", None),
            ("response_types_supported", Some(json!(["id_token"]))),
            ("grant_types_supported", Some(json!(["implicit"]))),
        ];
        for (field, value) in cases {
            let code = refused(field, value).code();
            assert_eq!(code, mxreg_result::OauthUnsupported, "{field}");
        }
    }

    /// The endpoints must be URLs; the spec requires the registration and
    /// revocation endpoints and the refresh_token grant too. The message
    /// names what is missing.
    #[test]
    fn missing_or_bad_required_fields_are_invalid_responses() {
        let mut cases = vec![
            ("registration_endpoint", None, "registration_endpoint"),
            ("revocation_endpoint", None, "revocation_endpoint"),
            (
                "grant_types_supported",
                Some(json!(["authorization_code"])),
                "refresh_token",
            ),
        ];
        for field in ["issuer", "authorization_endpoint", "token_endpoint"] {
            cases.push((field, None, ""));
            cases.push((field, Some(json!("not a url")), ""));
        }
        for (field, value, named) in cases {
            let err = refused(field, value);
            assert_eq!(err.code(), mxreg_result::InvalidResponse, "{field}");
            assert!(err.to_string().contains(named), "{err}");
        }
        assert_eq!(
            AuthMetadata::parse(b"<html>", false).unwrap_err().code(),
            mxreg_result::InvalidResponse
        );
    }

    #[test]
    fn plain_http_endpoints_elsewhere_than_loopback_are_refused() {
        let mut doc = captured();
        doc["token_endpoint"] = json!("http://auth.example.org/oauth2/token");
        assert_eq!(parse(&doc).unwrap_err().code(), mxreg_result::InsecureUrl);
        assert!(AuthMetadata::parse(doc.to_string().as_bytes(), true).is_ok());
    }
}
