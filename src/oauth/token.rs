//! The token endpoint (RFC 6749 §4.1.3, §6) and revocation (RFC 7009):
//! form-encoded request bodies for a public client, and the token answer
//! checked against the Matrix scope that was asked for.

use std::time::SystemTime;

use serde::Deserialize;

use crate::api::answer::parse_body;
use crate::api::refresh::RefreshResponse;
use crate::api::server_values::check_tokens;
use crate::error::Error;
use crate::form;
use crate::oauth::pending::PendingAuthorization;
use crate::oauth::scope::{API_SCOPE, DEVICE_SCOPE_PREFIX};
use crate::registration::TokenPair;
use crate::secret::Secret;

/// The scopes of MSC2967 before they were in the spec (some servers still
/// answer with them).
const UNSTABLE_API_SCOPE: &str = "urn:matrix:org.matrix.msc2967.client:api:*";
const UNSTABLE_DEVICE_SCOPE_PREFIX: &str = "urn:matrix:org.matrix.msc2967.client:device:";

/// Which token a revocation names (`token_type_hint`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    AccessToken,
    RefreshToken,
}

/// Exchange the authorization code (with the PKCE verifier).
pub fn authorization_code_body(pending: &PendingAuthorization, code: &Secret) -> Vec<u8> {
    form::encode(&[
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("redirect_uri", &pending.redirect_uri),
        ("client_id", &pending.client_id),
        ("code_verifier", pending.code_verifier.expose()),
    ])
}

/// Exchange a refresh token.
pub fn refresh_body(client_id: &str, refresh_token: &str) -> Vec<u8> {
    form::encode(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", client_id),
    ])
}

/// Revoke a token (and, on Matrix servers, end its session).
pub fn revocation_body(client_id: &str, token: &str, kind: Option<TokenKind>) -> Vec<u8> {
    let mut pairs = vec![("token", token)];
    match kind {
        Some(TokenKind::AccessToken) => pairs.push(("token_type_hint", "access_token")),
        Some(TokenKind::RefreshToken) => pairs.push(("token_type_hint", "refresh_token")),
        None => {}
    }
    pairs.push(("client_id", client_id));
    form::encode(&pairs)
}

#[derive(Deserialize)]
struct Wire {
    access_token: Secret,
    token_type: String,
    expires_in: Option<u64>,
    refresh_token: Option<Secret>,
    scope: Option<String>,
}

/// A successful token answer.
#[derive(Clone, Debug)]
pub struct TokenResponse {
    pub tokens: TokenPair,
    /// The granted scope, when the server said (it may narrow the request).
    pub scope: Option<String>,
}

impl TokenResponse {
    pub fn parse(body: &[u8], received_at: SystemTime) -> Result<Self, Error> {
        let wire: Wire = parse_body(body, "token answer", "RFC 6749")?;
        if !wire.token_type.eq_ignore_ascii_case("bearer") {
            return Err(Error::InvalidResponse(format!(
                "token_type `{}` is not Bearer",
                wire.token_type
            )));
        }
        check_tokens(Some(&wire.access_token), wire.refresh_token.as_ref())?;
        // The same pair as a Matrix refresh gives, the lifetime in ms.
        let as_matrix = RefreshResponse {
            access_token: wire.access_token,
            refresh_token: wire.refresh_token,
            expires_in_ms: wire.expires_in.map(|secs| secs.saturating_mul(1000)),
        };
        Ok(TokenResponse {
            tokens: TokenPair::from_response(as_matrix, received_at),
            scope: wire.scope,
        })
    }

    /// The tokens must be for the whole API and for one device, `device_id`
    /// when the caller knows it (a refresh does not), when the server lists
    /// the scope; a server that leaves it out granted what was asked (RFC
    /// 6749 §5.1, §6).
    pub fn check_scope(&self, device_id: Option<&str>) -> Result<(), Error> {
        let Some(scope) = &self.scope else {
            return Ok(());
        };
        let tokens: Vec<&str> = scope.split(' ').filter(|t| !t.is_empty()).collect();
        if !tokens
            .iter()
            .any(|t| *t == API_SCOPE || *t == UNSTABLE_API_SCOPE)
        {
            return Err(Error::InvalidResponse(format!(
                "the granted scope `{scope}` has no access to the client-server API"
            )));
        }
        let devices: Vec<&str> = tokens
            .iter()
            .filter_map(|t| {
                t.strip_prefix(DEVICE_SCOPE_PREFIX)
                    .or_else(|| t.strip_prefix(UNSTABLE_DEVICE_SCOPE_PREFIX))
            })
            .collect();
        match (devices.as_slice(), device_id) {
            ([granted], Some(expected)) if *granted == expected => Ok(()),
            ([_], None) => Ok(()),
            (_, Some(expected)) => Err(Error::InvalidResponse(format!(
                "the granted scope `{scope}` is not for device `{expected}`"
            ))),
            (_, None) => Err(Error::InvalidResponse(format!(
                "the granted scope `{scope}` is not for exactly one device"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::test_data::captured_pending as pending;
    use crate::oauth::test_data::{exchanges, response_of};
    use crate::result::mxreg_result;
    use std::time::{Duration, UNIX_EPOCH};

    fn sent_form(name: &str) -> Vec<(String, String)> {
        let body = &exchanges(name)[0]["request"]["body"];
        body.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect()
    }

    /// Sorted, as the captured JSON object is.
    fn decoded(body: Vec<u8>) -> Vec<(String, String)> {
        let mut pairs = form::decode(&String::from_utf8(body).unwrap(), "body").unwrap();
        pairs.sort();
        pairs
    }

    #[test]
    fn bodies_are_what_the_captured_run_sent() {
        let code = Secret::new("27ANrzeF9j6hAR12VoEeKQH_S8-0leRlRh3XTgJuDpr");
        assert_eq!(
            decoded(authorization_code_body(&pending(), &code)),
            sent_form("12_token_authorization_code.json")
        );
        assert_eq!(
            decoded(refresh_body(
                &pending().client_id,
                "PODboR5TTX-hocl2JYTw4hlvTh6AD3ZFHmwkZZFivH1"
            )),
            sent_form("17_token_refresh.json")
        );
        assert_eq!(
            decoded(revocation_body(
                &pending().client_id,
                "GAuq7LlQ5Ptmz2xKgnQfjK5-Cpfs9eREIJnfWHXMzcS",
                Some(TokenKind::AccessToken)
            )),
            sent_form("25_revoke_access_token.json")
        );
    }

    #[test]
    fn the_captured_token_answer_is_read_and_fits_the_device() {
        let (_, body) = response_of("12_token_authorization_code.json");
        let received = UNIX_EPOCH + Duration::from_secs(1_000);
        let answer = TokenResponse::parse(&body, received).unwrap();
        assert_eq!(
            answer.tokens.access_token.expose(),
            "sn0M40vdMyhMfmxMv8uXXl2E6X777BYjxF2D6r4WJef"
        );
        assert_eq!(
            answer.tokens.refresh_token.as_ref().map(Secret::expose),
            Some("PODboR5TTX-hocl2JYTw4hlvTh6AD3ZFHmwkZZFivH1")
        );
        assert_eq!(answer.tokens.expires_in_ms, Some(300_000));
        assert_eq!(answer.tokens.expires_at_ms, Some(1_300_000));
        answer.check_scope(Some("E2EG6PEAYMOEW")).unwrap();
        answer.check_scope(None).unwrap();
        let err = answer.check_scope(Some("OTHERDEVICE")).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidResponse);
        assert!(!format!("{answer:?}").contains("sn0M40vd"));
    }

    #[test]
    fn the_refresh_answer_rotates_the_refresh_token() {
        let (_, body) = response_of("17_token_refresh.json");
        let answer = TokenResponse::parse(&body, SystemTime::now()).unwrap();
        assert_eq!(
            answer.tokens.refresh_token.as_ref().map(Secret::expose),
            Some("Sqwje6VntWpdn_E6ajQG2xroMotrPA3_pozG22_zGOy")
        );
    }

    #[test]
    fn unstable_scopes_are_accepted_and_missing_ones_refused() {
        let with = |scope: &str| TokenResponse {
            tokens: TokenPair {
                access_token: Secret::new("t"),
                refresh_token: None,
                expires_in_ms: None,
                expires_at_ms: None,
            },
            scope: Some(scope.into()),
        };
        with("urn:matrix:org.matrix.msc2967.client:api:* urn:matrix:org.matrix.msc2967.client:device:D1")
            .check_scope(Some("D1"))
            .unwrap();
        assert!(
            with("urn:matrix:client:device:D1")
                .check_scope(Some("D1"))
                .is_err()
        );
        assert!(
            with("urn:matrix:client:api:*")
                .check_scope(Some("D1"))
                .is_err()
        );
        assert!(
            with("urn:matrix:client:api:* urn:matrix:client:device:D1 urn:matrix:client:device:D2")
                .check_scope(Some("D1"))
                .is_err()
        );
    }

    #[test]
    fn bad_answers_are_invalid_responses_without_secrets() {
        for body in [
            &br#"{"access_token":"secret-value","token_type":"mac"}"#[..],
            br#"{"access_token":"","token_type":"Bearer"}"#,
            br#"{"access_token":"secret-value\u0000","token_type":"Bearer"}"#,
            br#"{"access_token":"secret-value","refresh_token":"secret-value\n","token_type":"Bearer"}"#,
            br#"{"token_type":"Bearer"}"#,
            br#"{"access_token":"secret-value","token_type":"Bearer","expires_in":"soon"}"#,
            b"[]",
        ] {
            let err = TokenResponse::parse(body, SystemTime::now()).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidResponse);
            assert!(!err.to_string().contains("secret-value"), "{err}");
        }
    }
}
