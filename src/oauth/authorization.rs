//! The start of the authorization code grant (MSC2964): PKCE S256
//! (RFC 7636), `state`, the Matrix scope for one device (MSC2967) and the
//! authorization URL the app opens in a browser, with `prompt=create` for a
//! sign-up.

use std::time::SystemTime;

use ring::digest::{SHA256, digest};

use crate::clock::unix_ms;
use crate::error::Error;
use crate::form;
use crate::oauth::base64url;
use crate::oauth::metadata::{AuthMetadata, ResponseMode};
use crate::oauth::pending::{Intent, PendingAuthorization};
use crate::oauth::scope::{device_id_or_new, scope_for};
use crate::oauth::url::check_redirect_uri;
use crate::random::Randomness;
use crate::secret::Secret;

/// 64 characters from 62: about 381 bits.
const VERIFIER_LEN: usize = 64;
const STATE_LEN: usize = 22;

/// What the app asks for.
#[derive(Clone, Debug, Default)]
pub struct AuthorizationRequest {
    /// From dynamic registration, or given by the server's operator.
    pub client_id: String,
    /// One of the client's registered redirect URIs.
    pub redirect_uri: String,
    /// The device to create; `None` generates one.
    pub device_id: Option<String>,
    pub intent: Intent,
    pub response_mode: ResponseMode,
    /// A hint for the server's form, e.g. `mxid:@alice:example.org`.
    pub login_hint: Option<String>,
}

/// PKCE S256: `base64url(SHA-256(verifier))`.
pub fn code_challenge(verifier: &str) -> String {
    base64url::encode(digest(&SHA256, verifier.as_bytes()).as_ref())
}

/// Check the request against the server's metadata and create the pending
/// authorization, started at `now`, with a verifier and `state` (and device
/// ID when the app gave none) drawn from `random`. Does no I/O.
pub fn start(
    metadata: &AuthMetadata,
    request: &AuthorizationRequest,
    now: SystemTime,
    random: &dyn Randomness,
) -> Result<PendingAuthorization, Error> {
    if request.client_id.is_empty() {
        return Err(Error::invalid_argument("client_id", "must not be empty"));
    }
    check_redirect_uri("redirect_uri", &request.redirect_uri)?;
    if let Some(hint) = &request.login_hint {
        if hint.chars().any(char::is_control) {
            return Err(Error::invalid_argument(
                "login_hint",
                "contains control characters",
            ));
        }
    }
    if request.intent == Intent::SignUp && !metadata.supports_sign_up() {
        return Err(Error::OAuthUnsupported(
            "the server does not offer account creation (`create` is not in \
             prompt_values_supported); sign in instead"
                .into(),
        ));
    }
    if !metadata.supports_response_mode(request.response_mode) {
        return Err(Error::OAuthUnsupported(format!(
            "the server does not offer response_mode `{}`",
            request.response_mode.as_str()
        )));
    }
    let device_id = device_id_or_new(request.device_id.as_deref(), random)?;
    Ok(PendingAuthorization {
        version: PendingAuthorization::FORMAT_VERSION,
        issuer: metadata.issuer.clone(),
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        response_mode: request.response_mode,
        intent: request.intent,
        device_id,
        state: random.alphanumeric(STATE_LEN)?,
        code_verifier: Secret::new(random.alphanumeric(VERIFIER_LEN)?),
        login_hint: request.login_hint.clone(),
        created_at_ms: unix_ms(now),
    })
}

impl PendingAuthorization {
    /// The URL the app opens in a browser.
    pub fn authorization_url(&self, metadata: &AuthMetadata) -> String {
        let scope = scope_for(&self.device_id);
        let challenge = code_challenge(self.code_verifier.expose());
        let mut pairs = vec![
            ("response_type", "code"),
            ("response_mode", self.response_mode.as_str()),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", scope.as_str()),
            ("state", self.state.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        if self.intent == Intent::SignUp {
            pairs.push(("prompt", "create"));
        }
        if let Some(hint) = &self.login_hint {
            pairs.push(("login_hint", hint));
        }
        let query = String::from_utf8(form::encode(&pairs)).expect("percent-encoding is ASCII");
        let endpoint = &metadata.authorization_endpoint;
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        format!("{endpoint}{separator}{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::pending::check_verifier;
    use crate::oauth::test_data::captured_metadata as metadata;
    use crate::oauth::test_data::{request_field, request_url};
    use crate::random::{CountingRandomness, SystemRandomness};
    use crate::result::mxreg_result;

    /// A start at a fixed time with fixed randomness.
    fn start(
        metadata: &AuthMetadata,
        request: &AuthorizationRequest,
    ) -> Result<PendingAuthorization, Error> {
        super::start(
            metadata,
            request,
            at_ms(1_700_000_000_123),
            &CountingRandomness::new(),
        )
    }

    fn at_ms(ms: u64) -> SystemTime {
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms)
    }

    fn request() -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "YYjRpw6UB316QDUTmD_jqeDDLZk2YrFQI9O_ME2kKRk".into(),
            redirect_uri: "http://127.0.0.1:8499/callback".into(),
            device_id: Some("E2EG6PEAYMOEW".into()),
            ..AuthorizationRequest::default()
        }
    }

    fn query_pairs(url: &str) -> Vec<(String, String)> {
        form::decode(url.split_once('?').unwrap().1, "url").unwrap()
    }

    #[test]
    fn rfc_7636_appendix_b_challenge() {
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_captured_verifier_matches_the_captured_challenge() {
        let verifier = request_field("12_token_authorization_code.json", "code_verifier");
        let url = request_url("07_authorize_prompt_create.json");
        let sent = query_pairs(&url);
        let challenge = sent.iter().find(|(k, _)| k == "code_challenge").unwrap();
        assert_eq!(code_challenge(&verifier), challenge.1);
    }

    #[test]
    fn the_url_has_the_parameters_of_the_captured_sign_up() {
        let mut pending = start(&metadata(), &request()).unwrap();
        // The captured run's random values, so that the URLs can be compared.
        pending.state = "vsMafM-FgVulbi-uGVY3WQ".into();
        pending.code_verifier = Secret::new(request_field(
            "12_token_authorization_code.json",
            "code_verifier",
        ));
        let ours = pending.authorization_url(&metadata());
        let captured = request_url("07_authorize_prompt_create.json");
        assert!(
            ours.starts_with("http://127.0.0.1:8410/authorize?"),
            "{ours}"
        );
        assert_eq!(query_pairs(&ours), query_pairs(&captured));
    }

    #[test]
    fn login_has_no_prompt_and_keeps_the_hint() {
        let request = AuthorizationRequest {
            intent: Intent::Login,
            login_hint: Some("mxid:@alice:localhost".into()),
            response_mode: ResponseMode::Fragment,
            ..request()
        };
        let url = start(&metadata(), &request)
            .unwrap()
            .authorization_url(&metadata());
        let pairs = query_pairs(&url);
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("prompt"), None);
        assert_eq!(get("login_hint"), Some("mxid:@alice:localhost"));
        assert_eq!(get("response_mode"), Some("fragment"));
    }

    #[test]
    fn each_start_draws_fresh_secrets_and_a_device_when_none_is_given() {
        let request = AuthorizationRequest {
            device_id: None,
            ..request()
        };
        let now = SystemTime::now();
        let a = super::start(&metadata(), &request, now, &SystemRandomness).unwrap();
        let b = super::start(&metadata(), &request, now, &SystemRandomness).unwrap();
        assert_ne!(a.state, b.state);
        assert_ne!(a.code_verifier, b.code_verifier);
        assert_ne!(a.device_id, b.device_id);
        assert_eq!(a.device_id.len(), 10);
        check_verifier(a.code_verifier.expose()).unwrap();
        crate::oauth::scope::check_device_id(&a.device_id).unwrap();
    }

    #[test]
    fn the_clock_and_randomness_are_inputs() {
        let request = AuthorizationRequest {
            device_id: None,
            ..request()
        };
        let pending = start(&metadata(), &request).unwrap();
        assert_eq!(pending.created_at_ms, 1_700_000_000_123);
        // Draws in order from the counting source, 64 bytes per fill: the
        // device ID, then `state`, then the verifier.
        assert_eq!(pending.device_id, "ABCDEFGHIJ");
        assert_eq!(pending.state, "CDEFGHIJKLMNOPQRSTUVWX");
        assert_eq!(
            pending.code_verifier.expose(),
            "EFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEF"
        );
        let again = start(&metadata(), &request).unwrap();
        assert_eq!(again, pending);
    }

    #[test]
    fn sign_up_needs_the_create_prompt() {
        let mut doc: serde_json::Value = metadata().raw;
        doc["prompt_values_supported"] = serde_json::json!(["consent"]);
        let metadata = AuthMetadata::parse(doc.to_string().as_bytes(), false).unwrap();
        let err = start(&metadata, &request()).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthUnsupported);
        let login = AuthorizationRequest {
            intent: Intent::Login,
            ..request()
        };
        assert!(start(&metadata, &login).is_ok());
    }

    #[test]
    fn bad_requests_are_invalid_arguments() {
        let cases = [
            AuthorizationRequest {
                client_id: String::new(),
                ..request()
            },
            AuthorizationRequest {
                redirect_uri: "callback".into(),
                ..request()
            },
            AuthorizationRequest {
                device_id: Some("has space".into()),
                ..request()
            },
            AuthorizationRequest {
                device_id: Some(String::new()),
                ..request()
            },
            AuthorizationRequest {
                device_id: Some("x".repeat(256)),
                ..request()
            },
            AuthorizationRequest {
                login_hint: Some("a\nb".into()),
                ..request()
            },
        ];
        for case in cases {
            let err = start(&metadata(), &case).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidArgument, "{case:?}");
        }
    }
}
