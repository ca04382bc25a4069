//! Checks on the URLs the OAuth API trades in: endpoints from the server's
//! metadata and the URIs of the app's client metadata.

use ureq::http::Uri;
use ureq::http::uri::Scheme;

use crate::error::Error;
use crate::homeserver_url::check_plain_http;

/// An absolute `http(s)` URL, split into what the checks need.
#[derive(Debug)]
pub struct HttpUrl {
    pub https: bool,
    pub host: String,
    pub has_query: bool,
}

/// Parse an absolute http(s) URL without credentials or fragment; the
/// error is the reason, for the caller to put in its own error.
pub fn parse_http_url(url: &str) -> Result<HttpUrl, &'static str> {
    if url.contains('#') {
        return Err("has a fragment");
    }
    let uri: Uri = url.parse().map_err(|_| "is not a URL")?;
    let https = match uri.scheme() {
        Some(scheme) if *scheme == Scheme::HTTPS => true,
        Some(scheme) if *scheme == Scheme::HTTP => false,
        _ => return Err("is not an http(s) URL"),
    };
    let authority = uri.authority().ok_or("has no host")?;
    if authority.as_str().contains('@') {
        return Err("has credentials in it");
    }
    if authority.host().is_empty() {
        return Err("has no host");
    }
    Ok(HttpUrl {
        https,
        host: authority.host().to_ascii_lowercase(),
        has_query: uri.query().is_some(),
    })
}

/// An endpoint the server advertised: an http(s) URL, plain http only to
/// loopback unless the client allows insecure http.
pub fn check_endpoint(
    what: &str,
    url: &str,
    allow_insecure_http: bool,
    query_allowed: bool,
) -> Result<(), Error> {
    let parsed = parse_http_url(url)
        .map_err(|reason| Error::InvalidResponse(format!("auth metadata: `{what}` {reason}")))?;
    if parsed.has_query && !query_allowed {
        return Err(Error::InvalidResponse(format!(
            "auth metadata: `{what}` has a query"
        )));
    }
    if !parsed.https {
        check_plain_http(&parsed.host, allow_insecure_http)?;
    }
    Ok(())
}

/// A URI the app gives in its client metadata that must be https (the
/// Matrix spec's rule for `client_uri`, `logo_uri`, `tos_uri`, `policy_uri`).
pub fn check_https_uri(name: &'static str, uri: &str) -> Result<(), Error> {
    match parse_http_url(uri) {
        Ok(parsed) if parsed.https => Ok(()),
        Ok(_) => Err(Error::invalid_argument(name, "must use https")),
        Err(reason) => Err(Error::invalid_argument(name, reason)),
    }
}

/// A redirect URI: absolute (`scheme:...`), no fragment, no whitespace.
/// Which schemes and hosts are allowed is the server's policy (loopback
/// http or a private-use scheme for native apps, https for web apps).
pub fn check_redirect_uri(name: &'static str, uri: &str) -> Result<(), Error> {
    let scheme_len = uri
        .find(':')
        .ok_or_else(|| Error::invalid_argument(name, "is not an absolute URI"))?;
    let scheme = &uri[..scheme_len];
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme || uri.len() == scheme_len + 1 {
        return Err(Error::invalid_argument(name, "is not an absolute URI"));
    }
    if uri.contains('#') {
        return Err(Error::invalid_argument(name, "must not have a fragment"));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_argument(name, "contains whitespace"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::mxreg_result;

    #[test]
    fn endpoints_follow_the_plain_http_policy() {
        assert!(check_endpoint("token_endpoint", "https://a.example/t", false, false).is_ok());
        assert!(check_endpoint("token_endpoint", "http://127.0.0.1:1/t", false, false).is_ok());
        let err = check_endpoint("token_endpoint", "http://a.example/t", false, false).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InsecureUrl);
        assert!(check_endpoint("token_endpoint", "http://a.example/t", true, false).is_ok());
    }

    #[test]
    fn malformed_endpoints_are_invalid_responses() {
        for url in [
            "",
            "/relative",
            "ftp://a.example/",
            "https://u:p@a.example/",
            "https://a.example/#f",
        ] {
            let err = check_endpoint("issuer", url, false, false).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidResponse, "{url:?}");
        }
        assert!(check_endpoint("issuer", "https://a.example/?q=1", false, false).is_err());
        assert!(
            check_endpoint(
                "authorization_endpoint",
                "https://a.example/?q=1",
                false,
                true
            )
            .is_ok()
        );
    }

    #[test]
    fn client_uris_must_be_https() {
        assert!(check_https_uri("client_uri", "https://app.example/").is_ok());
        for uri in [
            "http://app.example/",
            "app.example",
            "https://u@app.example/",
        ] {
            let err = check_https_uri("client_uri", uri).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidArgument, "{uri}");
        }
    }

    #[test]
    fn redirect_uris_are_absolute_without_fragment() {
        for uri in [
            "http://127.0.0.1:8499/callback",
            "com.example.app:/callback",
            "https://app.example/cb?x=1",
        ] {
            assert!(check_redirect_uri("redirect_uris", uri).is_ok(), "{uri}");
        }
        for uri in [
            "/callback",
            ":x",
            "1app:/cb",
            "https://a.example/cb#x",
            "https://a b/",
            "app:",
        ] {
            assert!(check_redirect_uri("redirect_uris", uri).is_err(), "{uri}");
        }
    }
}
