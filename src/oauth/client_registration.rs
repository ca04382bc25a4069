//! Dynamic client registration (RFC 7591, MSC2966): the app describes
//! itself and gets a `client_id`. mxreg registers public clients only
//! (`token_endpoint_auth_method: none`): an app on a user's device cannot
//! keep a client secret, and PKCE protects the code instead.

use serde::Serialize;
use serde_json::{Value, json};

use crate::api::server_values::check_client_id;
use crate::error::Error;
use crate::oauth::url::{check_https_uri, check_redirect_uri};
use crate::secret::Secret;

/// What kind of app is registering; it decides which redirect URIs the
/// server accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationType {
    /// A desktop or mobile app: loopback `http://127.0.0.1/...` or a
    /// private-use scheme (`com.example.app:/callback`) redirect URIs.
    #[default]
    Native,
    /// A web app: `https` redirect URIs on the host of `client_uri`.
    Web,
}

/// The app's client metadata.
#[derive(Clone, Debug, Default)]
pub struct ClientMetadata {
    pub client_name: Option<String>,
    /// The app's web page (https); the other URIs share its host.
    pub client_uri: String,
    pub redirect_uris: Vec<String>,
    pub application_type: ApplicationType,
    pub logo_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
}

/// What the server registered, with the secrets it may have returned
/// (`registration_access_token`, `client_secret`) left out.
#[derive(Clone, Debug)]
pub struct RegisteredClient {
    pub client_id: String,
    pub metadata: Value,
}

/// Fields of a registration answer that are credentials.
const SECRET_FIELDS: [&str; 2] = ["registration_access_token", "client_secret"];

impl ClientMetadata {
    pub fn validate(&self) -> Result<(), Error> {
        check_https_uri("client_uri", &self.client_uri)?;
        for (name, uri) in [
            ("logo_uri", &self.logo_uri),
            ("policy_uri", &self.policy_uri),
            ("tos_uri", &self.tos_uri),
        ] {
            if let Some(uri) = uri {
                check_https_uri(name, uri)?;
            }
        }
        if self.redirect_uris.is_empty() {
            return Err(Error::invalid_argument(
                "redirect_uris",
                "at least one redirect URI is needed",
            ));
        }
        for uri in &self.redirect_uris {
            check_redirect_uri("redirect_uris", uri)?;
        }
        Ok(())
    }

    /// The registration request body. Loopback redirect URIs are registered
    /// without their port: the server accepts any port in the authorization
    /// request (RFC 8252 §7.3, the Matrix spec's client registration), so
    /// the app listens on whatever port is free for each flow.
    /// `device_grant`: the server offers the device authorization grant, so
    /// the client asks for it too.
    pub fn body(&self, device_grant: bool) -> Value {
        let redirect_uris: Vec<String> = self
            .redirect_uris
            .iter()
            .map(|uri| without_loopback_port(uri))
            .collect();
        let mut body = json!({
            "client_uri": self.client_uri,
            "redirect_uris": redirect_uris,
            "application_type": self.application_type,
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        });
        if device_grant {
            body["grant_types"] = json!([
                "authorization_code",
                "refresh_token",
                crate::oauth::device::DEVICE_CODE_GRANT
            ]);
        }
        for (key, value) in [
            ("client_name", &self.client_name),
            ("logo_uri", &self.logo_uri),
            ("policy_uri", &self.policy_uri),
            ("tos_uri", &self.tos_uri),
        ] {
            if let Some(value) = value {
                body[key] = json!(value);
            }
        }
        body
    }
}

/// Loopback hosts whose port is chosen per authorization request.
const LOOPBACK_ORIGINS: [&str; 3] = ["http://127.0.0.1:", "http://[::1]:", "http://localhost:"];

/// `http://127.0.0.1:8765/callback` → `http://127.0.0.1/callback`; any
/// other URI as it is.
fn without_loopback_port(uri: &str) -> String {
    for origin in LOOPBACK_ORIGINS {
        if let Some(rest) = uri.strip_prefix(origin) {
            let port_len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if port_len > 0 {
                let host = &origin[..origin.len() - 1];
                return format!("{host}{}", &rest[port_len..]);
            }
        }
    }
    uri.to_owned()
}

impl RegisteredClient {
    /// Read a successful registration answer.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let invalid = |what: String| Error::InvalidResponse(format!("client registration: {what}"));
        let mut metadata: Value =
            serde_json::from_slice(body).map_err(|e| invalid(e.to_string()))?;
        let map = metadata
            .as_object_mut()
            .ok_or_else(|| invalid("not a JSON object".into()))?;
        for field in SECRET_FIELDS {
            if let Some(Value::String(secret)) = map.remove(field) {
                // Wiped as it is dropped.
                drop(Secret::new(secret));
            }
        }
        let client_id = match map.get("client_id") {
            Some(Value::String(id)) => id.clone(),
            _ => return Err(invalid("no `client_id`".into())),
        };
        check_client_id(&client_id)?;
        match map.get("token_endpoint_auth_method") {
            None => {}
            Some(Value::String(method)) if method == "none" => {}
            Some(Value::String(method)) => {
                return Err(Error::OAuthUnsupported(format!(
                    "the server registered a confidential client (`{method}`); mxreg registers \
                     public clients only"
                )));
            }
            Some(_) => {
                return Err(invalid(
                    "`token_endpoint_auth_method` is not a string".into(),
                ));
            }
        }
        Ok(RegisteredClient {
            client_id,
            metadata,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::test_data::{exchanges, response_of};
    use crate::result::mxreg_result;

    fn app() -> ClientMetadata {
        ClientMetadata {
            client_name: Some("E2E OAuth Test Client".into()),
            client_uri: "https://client.e2e.invalid/".into(),
            redirect_uris: vec!["http://127.0.0.1:8499/callback".into()],
            application_type: ApplicationType::Native,
            ..ClientMetadata::default()
        }
    }

    #[test]
    fn the_body_is_what_the_captured_registration_sent_without_the_loopback_port() {
        let mut sent = exchanges("06_dcr_register_client.json")[0]["request"]["body"].clone();
        assert_eq!(sent["redirect_uris"][0], "http://127.0.0.1:8499/callback");
        sent["redirect_uris"] = json!(["http://127.0.0.1/callback"]);
        let metadata = app();
        metadata.validate().unwrap();
        assert_eq!(metadata.body(false), sent);
    }

    #[test]
    fn only_loopback_redirect_uris_lose_their_port() {
        let cases = [
            (
                "http://127.0.0.1:8765/callback",
                "http://127.0.0.1/callback",
            ),
            ("http://[::1]:61023/cb", "http://[::1]/cb"),
            ("http://localhost:80", "http://localhost"),
            ("http://127.0.0.1/callback", "http://127.0.0.1/callback"),
            (
                "https://app.example.org:8443/cb",
                "https://app.example.org:8443/cb",
            ),
            (
                "http://127.0.0.1.example.org:80/cb",
                "http://127.0.0.1.example.org:80/cb",
            ),
            ("com.example.app:/callback", "com.example.app:/callback"),
        ];
        for (given, registered) in cases {
            assert_eq!(without_loopback_port(given), registered, "{given}");
        }
    }

    #[test]
    fn optional_uris_are_sent_when_given() {
        let metadata = ClientMetadata {
            logo_uri: Some("https://client.e2e.invalid/logo.png".into()),
            tos_uri: Some("https://client.e2e.invalid/tos".into()),
            application_type: ApplicationType::Web,
            ..app()
        };
        let body = metadata.body(false);
        assert_eq!(body["logo_uri"], "https://client.e2e.invalid/logo.png");
        assert_eq!(body["tos_uri"], "https://client.e2e.invalid/tos");
        assert_eq!(body["application_type"], "web");
        assert!(body.get("policy_uri").is_none());
    }

    #[test]
    fn the_captured_answer_gives_the_client_id_without_secrets() {
        let (status, body) = response_of("06_dcr_register_client.json");
        assert_eq!(status, 201);
        let client = RegisteredClient::parse(&body).unwrap();
        assert_eq!(
            client.client_id,
            "YYjRpw6UB316QDUTmD_jqeDDLZk2YrFQI9O_ME2kKRk"
        );
        assert!(client.metadata.get("registration_access_token").is_none());
        assert_eq!(client.metadata["client_name"], "E2E OAuth Test Client");
        assert!(!format!("{client:?}").contains("yLZTlHzyWDvWN19VI3i"));
    }

    #[test]
    fn a_confidential_client_is_unsupported() {
        let body = br#"{"client_id":"c","client_secret":"s","token_endpoint_auth_method":"client_secret_basic"}"#;
        let err = RegisteredClient::parse(body).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthUnsupported);
        assert!(!err.to_string().contains("\"s\""));
    }

    #[test]
    fn an_answer_without_client_id_is_invalid() {
        for body in [&b"{}"[..], br#"{"client_id":""}"#, b"[]", b"nope"] {
            let err = RegisteredClient::parse(body).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidResponse);
        }
    }

    #[test]
    fn bad_metadata_is_an_invalid_argument() {
        let cases = [
            ClientMetadata {
                client_uri: "http://client.e2e.invalid/".into(),
                ..app()
            },
            ClientMetadata {
                redirect_uris: vec![],
                ..app()
            },
            ClientMetadata {
                redirect_uris: vec!["callback".into()],
                ..app()
            },
            ClientMetadata {
                policy_uri: Some("ftp://x/".into()),
                ..app()
            },
        ];
        for metadata in cases {
            assert_eq!(
                metadata.validate().unwrap_err().code(),
                mxreg_result::InvalidArgument,
                "{metadata:?}"
            );
        }
    }
}
