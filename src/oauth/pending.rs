//! A pending authorization: what mxreg must remember between building the
//! authorization URL and receiving the redirect (PKCE verifier, `state`,
//! device ID, ...). It serialises to a JSON string so that an app killed
//! while the browser is open can restore it and finish.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::oauth::metadata::{AuthMetadata, ResponseMode};
use crate::oauth::scope::{check_device_id, is_unreserved};
use crate::secret::Secret;

/// Room for the serialised JSON, so that the verifier is not left behind in
/// a reallocated buffer.
const SERIALISED_CAPACITY: usize = 16 * 1024;

/// What the user is asked to do in the browser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Create an account (`prompt=create`).
    #[default]
    SignUp,
    /// Sign in to an existing account (no `prompt`).
    Login,
}

/// A PKCE code verifier: 43 to 128 unreserved characters (RFC 7636 §4.1).
pub fn check_verifier(verifier: &str) -> Result<(), Error> {
    if (43..=128).contains(&verifier.len()) && verifier.chars().all(is_unreserved) {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            "code_verifier",
            "is not a PKCE code verifier",
        ))
    }
}

/// One authorization in progress. `Debug` redacts the verifier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingAuthorization {
    #[serde(rename = "mxreg_oauth_pending")]
    pub version: u32,
    /// The authorization server this belongs to (from the metadata).
    pub issuer: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub intent: Intent,
    pub device_id: String,
    pub state: String,
    pub code_verifier: Secret,
    pub login_hint: Option<String>,
    /// When the authorization started, in ms since the Unix epoch.
    pub created_at_ms: u64,
}

impl PendingAuthorization {
    /// The version of the serialised form; restoring another one fails.
    pub const FORMAT_VERSION: u32 = 1;

    /// The JSON text to store (a secret: it holds the PKCE verifier).
    pub fn to_json(&self) -> Result<Secret, Error> {
        let mut buffer = Vec::with_capacity(SERIALISED_CAPACITY);
        serde_json::to_writer(&mut buffer, self)
            .map_err(|err| Error::InvalidState(format!("cannot serialise: {err}")))?;
        String::from_utf8(buffer)
            .map(Secret::new)
            .map_err(|_| Error::InvalidState("serialised form is not UTF-8".into()))
    }

    /// Restore what `to_json` gave, for the server described by `metadata`.
    pub fn from_json(text: &str, metadata: &AuthMetadata) -> Result<Self, Error> {
        let invalid = |reason: String| Error::invalid_argument("serialized", reason);
        let pending: PendingAuthorization = serde_json::from_str(text)
            .map_err(|_| invalid("not a saved mxreg OAuth authorization".into()))?;
        if pending.version != Self::FORMAT_VERSION {
            return Err(invalid(format!(
                "saved in format {}; this mxreg reads format {}",
                pending.version,
                Self::FORMAT_VERSION
            )));
        }
        if pending.issuer != metadata.issuer {
            return Err(invalid(format!(
                "belongs to the authorization server `{}`, not `{}`",
                pending.issuer, metadata.issuer
            )));
        }
        if pending.state.is_empty() || pending.client_id.is_empty() {
            return Err(invalid("empty `state` or `client_id`".into()));
        }
        check_device_id(&pending.device_id)?;
        check_verifier(pending.code_verifier.expose())?;
        Ok(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::test_data::{captured_metadata as metadata, captured_pending as pending};
    use crate::result::mxreg_result;

    #[test]
    fn round_trips_through_json() {
        let original = pending();
        let saved = original.to_json().unwrap();
        let restored = PendingAuthorization::from_json(saved.expose(), &metadata()).unwrap();
        assert_eq!(restored, original);
        assert!(saved.expose().contains("\"mxreg_oauth_pending\":1"));
    }

    #[test]
    fn debug_hides_the_verifier() {
        assert!(!format!("{:?}", pending()).contains("LwYfGDxh"));
    }

    #[test]
    fn another_server_or_version_is_refused() {
        let mut other = pending();
        other.issuer = "https://auth.example.org/".into();
        let text = other.to_json().unwrap();
        let err = PendingAuthorization::from_json(text.expose(), &metadata()).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidArgument);
        assert!(err.to_string().contains("auth.example.org"), "{err}");
        let mut future = pending();
        future.version = 2;
        let text = future.to_json().unwrap();
        let err = PendingAuthorization::from_json(text.expose(), &metadata()).unwrap_err();
        assert!(err.to_string().contains("format 2"), "{err}");
    }

    #[test]
    fn garbage_and_tampering_are_invalid_arguments() {
        let good = pending().to_json().unwrap();
        let cases = [
            "".to_owned(),
            "{}".to_owned(),
            "[1]".to_owned(),
            good.expose().replace("E2EG6PEAYMOEW", "bad device"),
            good.expose().replace("LwYfGDxh", "short\""),
            good.expose().replace("\"state\"", "\"extra\":1,\"state\""),
        ];
        for text in cases {
            let err = PendingAuthorization::from_json(&text, &metadata()).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidArgument, "{text}");
            assert!(!err.to_string().contains("LwYfGDxh"), "{err}");
        }
    }
}
