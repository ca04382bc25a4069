//! OAuth 2.0 error answers (RFC 6749 §4.1.2.1 and §5.2): `error`, with an
//! optional `error_description`, from the token, registration and revocation
//! endpoints (as JSON) or from the authorization endpoint (in the redirect).

use serde_json::Value;

use crate::api::answer::Answer;
use crate::error::Error;
pub use crate::error::oauth::OAuthErrorResponse;

/// The error of a non-2xx answer that carries an OAuth error body (a JSON
/// object with a string `error` and no Matrix `errcode`).
pub fn parse(answer: &Answer<'_>) -> Option<OAuthErrorResponse> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(answer.body) else {
        return None;
    };
    if map.contains_key("errcode") {
        return None;
    }
    let error = map.get("error")?.as_str()?.to_owned();
    Some(OAuthErrorResponse {
        status: Some(answer.status),
        description: map
            .get("error_description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        error,
        body: Some(Value::Object(map)),
    })
}

/// The error for a failed answer from the authorization server: its OAuth
/// error when it sent one, else what any HTTP failure gives (rate limit,
/// HTML error page, ...).
pub fn failure(answer: &Answer<'_>) -> Error {
    match parse(answer) {
        Some(oauth) => Error::OAuth(oauth),
        None => answer.failure(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::test_data::response_of;
    use crate::result::mxreg_result;

    #[test]
    fn a_wrong_verifier_is_invalid_grant() {
        let (status, body) = response_of("11_token_bad_verifier.json");
        let err = failure(&Answer::new(status, &body));
        assert_eq!(err.code(), mxreg_result::OauthInvalidGrant);
        assert_eq!(err.errcode(), Some("invalid_grant"));
        assert_eq!(err.http_status(), Some(400));
        assert!(
            err.to_string().contains("grant request is invalid"),
            "{err}"
        );
    }

    #[test]
    fn a_replayed_refresh_token_is_invalid_grant() {
        let (status, body) = response_of("19_token_refresh_replay.json");
        let err = failure(&Answer::new(status, &body));
        assert_eq!(err.code(), mxreg_result::OauthInvalidGrant);
    }

    #[test]
    fn other_oauth_errors_keep_their_code() {
        let body = br#"{"error":"invalid_client","error_description":"client not found"}"#;
        let err = failure(&Answer::new(401, body));
        assert_eq!(err.code(), mxreg_result::OauthError);
        assert_eq!(err.errcode(), Some("invalid_client"));
    }

    #[test]
    fn non_oauth_failures_are_http_failures() {
        let page = failure(&Answer::new(502, b"<html>Bad Gateway</html>"));
        assert_eq!(page.code(), mxreg_result::HttpError);
        let matrix = failure(&Answer::new(
            403,
            br#"{"errcode":"M_FORBIDDEN","error":"Registration has been disabled"}"#,
        ));
        assert_eq!(matrix.code(), mxreg_result::Forbidden);
        let limited = failure(&Answer::new(429, b""));
        assert_eq!(limited.code(), mxreg_result::RateLimited);
    }
}
