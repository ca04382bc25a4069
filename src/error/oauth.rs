//! An OAuth 2.0 error answer (RFC 6749 §4.1.2.1 and §5.2): `error`, with an
//! optional `error_description`. It lives with the error type because
//! [`super::Error::OAuth`] carries it; `oauth::error_response` reads it from
//! an answer.

use std::fmt;

use serde_json::Value;

use crate::result::mxreg_result;

/// An error the authorization server reported.
#[derive(Debug, Clone)]
pub struct OAuthErrorResponse {
    /// The HTTP status, or `None` when the error came in a redirect.
    pub status: Option<u16>,
    /// The OAuth `error` code, e.g. `invalid_grant`.
    pub error: String,
    pub description: Option<String>,
    /// The whole JSON body, when it came as one.
    pub body: Option<Value>,
}

impl OAuthErrorResponse {
    pub fn code(&self) -> mxreg_result {
        match self.error.as_str() {
            "access_denied" => mxreg_result::OauthAccessDenied,
            "invalid_grant" => mxreg_result::OauthInvalidGrant,
            "authorization_pending" | "slow_down" => mxreg_result::OauthAuthorizationPending,
            "expired_token" => mxreg_result::OauthExpiredToken,
            _ => mxreg_result::OauthError,
        }
    }
}

impl fmt::Display for OAuthErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the authorization server answered `{}`", self.error)?;
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        match self.status {
            Some(status) => write!(f, " (HTTP {status})"),
            None => write!(f, " (in the redirect)"),
        }
    }
}

impl std::error::Error for OAuthErrorResponse {}
