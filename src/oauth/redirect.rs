//! The redirect the app receives when the user is done in the browser:
//! the authorization code, or the server's error, checked against the
//! pending authorization (`state`, and `iss` per RFC 9207) before anything
//! is trusted.

use crate::error::Error;
use crate::form;
use crate::oauth::error_response::OAuthErrorResponse;
use crate::oauth::metadata::{AuthMetadata, ResponseMode};
use crate::oauth::pending::PendingAuthorization;
use crate::secret::Secret;

const ARG: &str = "redirect_url";

/// Compare without an early exit, so that timing does not reveal how much
/// of a guessed `state` was right.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// The parameters of the redirect, from where `response_mode` puts them.
fn parameters<'a>(pending: &PendingAuthorization, redirect_url: &'a str) -> Result<&'a str, Error> {
    let rest = redirect_url
        .strip_prefix(pending.redirect_uri.as_str())
        .filter(|rest| rest.is_empty() || rest.starts_with(['?', '#', '&']))
        .ok_or_else(|| {
            Error::invalid_argument(
                ARG,
                "is not a redirect to this authorization's redirect URI",
            )
        })?;
    let (before_fragment, fragment) = match redirect_url.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (redirect_url, None),
    };
    let found = match pending.response_mode {
        ResponseMode::Query => before_fragment.split_once('?').map(|(_, query)| query),
        ResponseMode::Fragment => fragment,
    };
    match found {
        Some(params) if !params.is_empty() && !rest.is_empty() => Ok(params),
        _ => Err(Error::invalid_argument(
            ARG,
            format!(
                "has no parameters in its {}",
                match pending.response_mode {
                    ResponseMode::Query => "query",
                    ResponseMode::Fragment => "fragment",
                }
            ),
        )),
    }
}

/// The authorization code of `redirect_url`, or the error it carries.
///
/// `state` must be this authorization's (else `OAuthStateMismatch`), and so
/// must `iss` when present or when the server promised it; an error from
/// the server becomes `Error::OAuth` (`access_denied` ...).
pub fn authorization_code(
    pending: &PendingAuthorization,
    metadata: &AuthMetadata,
    redirect_url: &str,
) -> Result<Secret, Error> {
    let pairs = form::decode(parameters(pending, redirect_url)?, ARG)?;
    let mut state = None;
    let mut iss = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in pairs {
        let slot = match key.as_str() {
            "state" => &mut state,
            "iss" => &mut iss,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(Error::invalid_argument(ARG, format!("repeats `{key}`")));
        }
    }
    let code = code.map(Secret::new);
    match state {
        None => {
            return Err(Error::OAuthStateMismatch(
                "the redirect has no `state`: it does not answer this authorization".into(),
            ));
        }
        Some(state) if !constant_time_eq(&state, &pending.state) => {
            return Err(Error::OAuthStateMismatch(
                "the redirect's `state` is not this authorization's: it answers another \
                 authorization, or was forged"
                    .into(),
            ));
        }
        Some(_) => {}
    }
    match iss {
        Some(iss) if iss != metadata.issuer => {
            return Err(Error::OAuthStateMismatch(format!(
                "the redirect comes from the issuer `{iss}`, not `{}`",
                metadata.issuer
            )));
        }
        None if metadata.iss_parameter_supported => {
            return Err(Error::OAuthStateMismatch(
                "the redirect has no `iss`, which this server always sends".into(),
            ));
        }
        _ => {}
    }
    if let Some(error) = error {
        return Err(Error::OAuth(OAuthErrorResponse {
            status: None,
            error,
            description,
            body: None,
        }));
    }
    match code {
        Some(code) if !code.expose().is_empty() => Ok(code),
        _ => Err(Error::invalid_argument(
            ARG,
            "has neither `code` nor `error`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::test_data::location_of;
    use crate::oauth::test_data::{captured_metadata as metadata, captured_pending as pending};
    use crate::result::mxreg_result;

    fn captured_redirect() -> String {
        location_of("10_resume_1.json")
    }

    #[test]
    fn the_captured_redirect_gives_its_code() {
        let code = authorization_code(&pending(), &metadata(), &captured_redirect()).unwrap();
        assert_eq!(code.expose(), "27ANrzeF9j6hAR12VoEeKQH_S8-0leRlRh3XTgJuDpr");
    }

    #[test]
    fn another_state_is_a_state_mismatch() {
        let mut other = pending();
        other.state = "vsMafM-FgVulbi-uGVY3WX".into();
        let err = authorization_code(&other, &metadata(), &captured_redirect()).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthStateMismatch);
        let without = captured_redirect().replace("state=vsMafM-FgVulbi-uGVY3WQ&", "");
        let err = authorization_code(&pending(), &metadata(), &without).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthStateMismatch);
    }

    #[test]
    fn another_or_missing_issuer_is_a_state_mismatch() {
        let forged = captured_redirect().replace("8410", "9999");
        let err = authorization_code(&pending(), &metadata(), &forged).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthStateMismatch);
        assert!(err.to_string().contains("9999"), "{err}");
        let (without_iss, _) = captured_redirect()
            .split_once("&iss=")
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .unwrap();
        let err = authorization_code(&pending(), &metadata(), &without_iss).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthStateMismatch);
    }

    #[test]
    fn a_denial_is_access_denied() {
        let url = "http://127.0.0.1:8499/callback?error=access_denied&error_description=End-User+aborted+interaction&state=vsMafM-FgVulbi-uGVY3WQ&iss=http%3A%2F%2F127.0.0.1%3A8410%2F";
        let err = authorization_code(&pending(), &metadata(), url).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthAccessDenied);
        assert_eq!(err.errcode(), Some("access_denied"));
        assert!(
            err.to_string().contains("End-User aborted interaction"),
            "{err}"
        );
        assert_eq!(err.http_status(), None);
    }

    #[test]
    fn a_forged_denial_is_still_a_state_mismatch() {
        let url = "http://127.0.0.1:8499/callback?error=access_denied&state=forged&iss=http%3A%2F%2F127.0.0.1%3A8410%2F";
        let err = authorization_code(&pending(), &metadata(), url).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthStateMismatch);
    }

    #[test]
    fn fragment_mode_reads_the_fragment() {
        let mut fragment = pending();
        fragment.response_mode = ResponseMode::Fragment;
        let url = captured_redirect().replacen('?', "#", 1);
        let code = authorization_code(&fragment, &metadata(), &url).unwrap();
        assert_eq!(code.expose(), "27ANrzeF9j6hAR12VoEeKQH_S8-0leRlRh3XTgJuDpr");
        let err = authorization_code(&fragment, &metadata(), &captured_redirect()).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidArgument);
    }

    #[test]
    fn urls_that_are_not_this_redirect_are_invalid_arguments() {
        let captured = captured_redirect();
        let cases = [
            "".to_owned(),
            "http://127.0.0.1:8499/callback".to_owned(),
            "http://127.0.0.1:8499/callback?".to_owned(),
            captured.replace("/callback", "/other"),
            captured.replace("/callback", "/callbackx"),
            format!("{captured}&code=again"),
            captured.replace("code=", "codex="),
        ];
        for url in cases {
            let err = authorization_code(&pending(), &metadata(), &url).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidArgument, "{url}");
            assert!(!err.to_string().contains("27ANrzeF9j6"), "{err}");
        }
    }
}
