//! Single sign-on (`m.login.sso`, spec v1.18): the URL the app opens in a
//! browser, and the `loginToken` the server sends back to the app's
//! redirect URL, which `POST /login` (`m.login.token`) redeems.

use crate::api::discovery::LoginFlows;
use crate::error::Error;
use crate::form;
use crate::homeserver_url::encode_query_value;
use crate::secret::Secret;

pub const SSO_REDIRECT_PATH: &str = "/_matrix/client/v3/login/sso/redirect";
const SSO_FLOW: &str = "m.login.sso";

/// What the user means to do at the identity provider (`action`, v1.11):
/// servers may show a sign-up or a sign-in page first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SsoAction {
    Register,
    Login,
}

impl SsoAction {
    fn as_str(self) -> &'static str {
        match self {
            SsoAction::Register => "register",
            SsoAction::Login => "login",
        }
    }
}

/// A redirect URL must be absolute (`scheme:rest`, e.g. `https://app/cb`
/// or `com.example.app:/sso`): the server redirects the browser there.
pub fn check_redirect_url(url: &str) -> Result<(), Error> {
    let invalid = |reason: &str| Error::invalid_argument("redirect_url", reason);
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("must not contain spaces or control characters"));
    }
    let (scheme, rest) = url
        .split_once(':')
        .ok_or_else(|| invalid("must be an absolute URL (with a scheme)"))?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Err(invalid("must be an absolute URL (with a scheme)"));
    }
    Ok(())
}

/// Whether the server's `GET /login` answer allows SSO through `idp_id`:
/// the flow must be there, the server must not prefer OAuth 2.0 from
/// OAuth-aware clients (mxreg is one), and a named provider must be listed.
pub fn check_sso_offered(flows: &LoginFlows, idp_id: Option<&str>) -> Result<(), Error> {
    let Some(sso) = flows.flows.iter().find(|flow| flow.kind == SSO_FLOW) else {
        return Err(Error::UnsupportedFlow {
            needed: vec![SSO_FLOW.to_owned()],
        });
    };
    if sso.oauth_aware_preferred {
        return Err(Error::OAuthPreferred(
            "the server prefers OAuth 2.0 to single sign-on (oauth_aware_preferred): \
             sign up with mxreg's OAuth calls instead"
                .into(),
        ));
    }
    let Some(idp_id) = idp_id else {
        return Ok(());
    };
    let providers = sso.identity_providers();
    if providers.iter().any(|idp| idp.id == idp_id) {
        return Ok(());
    }
    let offered: Vec<&str> = providers.iter().map(|idp| idp.id.as_str()).collect();
    Err(Error::invalid_argument(
        "idp_id",
        format!(
            "the server offers no identity provider {idp_id:?} (it offers: {})",
            if offered.is_empty() {
                "none by name".to_owned()
            } else {
                offered.join(", ")
            }
        ),
    ))
}

/// The path and query of the SSO redirect endpoint.
pub fn redirect_path(idp_id: Option<&str>, redirect_url: &str, action: SsoAction) -> String {
    let idp = idp_id.map_or(String::new(), |id| format!("/{}", encode_query_value(id)));
    format!(
        "{SSO_REDIRECT_PATH}{idp}?redirectUrl={}&action={}",
        encode_query_value(redirect_url),
        action.as_str()
    )
}

/// The `loginToken` of the redirect the app received.
pub fn login_token_from_redirect(received: &str) -> Result<Secret, Error> {
    const WHAT: &str = "received_redirect_url";
    let without_fragment = received.split('#').next().unwrap_or_default();
    let query = without_fragment.split_once('?').map_or("", |(_, q)| q);
    form::decode(query, WHAT)?
        .into_iter()
        .find(|(key, value)| key == "loginToken" && !value.is_empty())
        .map(|(_, token)| Secret::new(token))
        .ok_or_else(|| Error::invalid_argument(WHAT, "carries no loginToken"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::mxreg_result;

    fn flows(body: &str) -> LoginFlows {
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn builds_the_redirect_with_and_without_a_provider() {
        assert_eq!(
            redirect_path(None, "https://app.example/cb?x=1", SsoAction::Register),
            "/_matrix/client/v3/login/sso/redirect?redirectUrl=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1&action=register"
        );
        assert_eq!(
            redirect_path(Some("oidc-a b"), "com.example:/sso", SsoAction::Login),
            "/_matrix/client/v3/login/sso/redirect/oidc-a%20b?redirectUrl=com.example%3A%2Fsso&action=login"
        );
    }

    #[test]
    fn redirect_urls_must_be_absolute() {
        for good in [
            "https://app.example/cb",
            "com.example.app:/sso",
            "http://127.0.0.1:9/x",
        ] {
            check_redirect_url(good).unwrap();
        }
        for bad in [
            "",
            "/cb",
            "app.example/cb",
            "://x",
            "1http://x",
            "https:",
            "https://a b",
        ] {
            let err = check_redirect_url(bad).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidArgument, "{bad:?}");
            assert!(err.to_string().contains("redirect_url"), "{err}");
        }
    }

    #[test]
    fn providers_are_checked_against_the_list() {
        let offered = flows(
            r#"{"flows":[{"type":"m.login.sso","identity_providers":[{"id":"oidc-rig","name":"Rig"}]}]}"#,
        );
        check_sso_offered(&offered, None).unwrap();
        check_sso_offered(&offered, Some("oidc-rig")).unwrap();
        let err = check_sso_offered(&offered, Some("oidc-other")).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidArgument);
        assert!(err.to_string().contains("oidc-rig"), "{err}");

        let password_only = flows(r#"{"flows":[{"type":"m.login.password"}]}"#);
        let err = check_sso_offered(&password_only, None).unwrap_err();
        assert_eq!(err.code(), mxreg_result::UnsupportedFlow);

        let prefers_oauth =
            flows(r#"{"flows":[{"type":"m.login.sso","oauth_aware_preferred":true}]}"#);
        let err = check_sso_offered(&prefers_oauth, None).unwrap_err();
        assert_eq!(err.code(), mxreg_result::OauthPreferred);
    }

    #[test]
    fn the_login_token_is_read_from_the_query() {
        let token =
            login_token_from_redirect("https://app/cb?a=1&loginToken=syl_a%2Bb#frag").unwrap();
        assert_eq!(token.expose(), "syl_a+b");
        for bad in [
            "https://app/cb",
            "https://app/cb?loginToken=",
            "https://app/cb#loginToken=x",
        ] {
            let err = login_token_from_redirect(bad).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidArgument, "{bad:?}");
        }
    }
}
