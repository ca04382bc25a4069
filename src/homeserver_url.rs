//! Base URLs: parsing, the plain-http policy and joining API paths.

use ureq::http::Uri;
use ureq::http::uri::Scheme;

use crate::error::Error;

/// A validated base URL (`scheme://host[:port][/prefix]`, no trailing slash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    base: String,
    host: String,
}

impl BaseUrl {
    /// Parse `input` and apply the http policy: `http://` only to loopback
    /// hosts, unless `allow_insecure_http`.
    pub fn parse(input: &str, allow_insecure_http: bool) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::invalid_argument("homeserver_url", reason);
        let uri: Uri = input
            .trim()
            .parse()
            .map_err(|_| invalid("not an absolute http(s) URL"))?;
        let scheme = uri
            .scheme()
            .ok_or_else(|| invalid("missing http:// or https://"))?;
        let authority = uri.authority().ok_or_else(|| invalid("missing host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("credentials in the URL are not allowed"));
        }
        if uri.query().is_some() {
            return Err(invalid("a query string is not allowed"));
        }
        let host = authority.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(invalid("missing host"));
        }
        if *scheme == Scheme::HTTP {
            check_plain_http(&host, allow_insecure_http)?;
        } else if *scheme != Scheme::HTTPS {
            return Err(invalid("the scheme must be http or https"));
        }
        let prefix = uri.path().trim_end_matches('/');
        Ok(BaseUrl {
            base: format!("{scheme}://{authority}{prefix}"),
            host,
        })
    }

    /// The base URL as given (normalised), without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// `scheme://host[:port]`, without any path prefix.
    pub fn origin(&self) -> &str {
        let after_scheme = self.base.find("://").map_or(0, |i| i + 3);
        match self.base[after_scheme..].find('/') {
            Some(slash) => &self.base[..after_scheme + slash],
            None => &self.base,
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// `path_and_query` must start with `/`.
    pub fn join(&self, path_and_query: &str) -> String {
        debug_assert!(path_and_query.starts_with('/'));
        format!("{}{path_and_query}", self.base)
    }
}

/// Plain http is allowed to loopback hosts, and elsewhere only when the caller
/// explicitly allows it.
pub fn check_plain_http(host: &str, allow_insecure_http: bool) -> Result<(), Error> {
    if allow_insecure_http || is_loopback_host(host) {
        Ok(())
    } else {
        Err(Error::InsecureUrl(host.to_owned()))
    }
}

/// `localhost` (and `*.localhost`), 127.0.0.0/8 and `::1`.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Percent-encode a query parameter value (RFC 3986 unreserved kept).
pub use crate::form::encode_value as encode_query_value;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::mxreg_result;

    #[test]
    fn http_is_allowed_to_loopback_only() {
        assert!(BaseUrl::parse("http://127.0.0.1:8008", false).is_ok());
        assert!(BaseUrl::parse("http://localhost:8008/", false).is_ok());
        assert!(BaseUrl::parse("http://[::1]:8008", false).is_ok());
        let err = BaseUrl::parse("http://matrix.example.org", false).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InsecureUrl);
        assert!(BaseUrl::parse("http://matrix.example.org", true).is_ok());
        assert!(BaseUrl::parse("https://matrix.example.org", false).is_ok());
    }

    #[test]
    fn bad_urls_are_invalid_arguments() {
        for input in [
            "",
            "matrix.org",
            "ftp://x.org",
            "https://user:pw@x.org",
            "https://x.org/?a=b",
        ] {
            let err = BaseUrl::parse(input, false).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidArgument, "{input}");
            assert!(
                !err.to_string().contains("pw"),
                "no credentials in messages"
            );
        }
    }

    #[test]
    fn join_keeps_a_path_prefix_and_drops_the_trailing_slash() {
        let base = BaseUrl::parse("https://Example.org/matrix/", false).unwrap();
        assert_eq!(
            base.join("/_matrix/client/versions"),
            "https://Example.org/matrix/_matrix/client/versions"
        );
        assert_eq!(base.host(), "example.org");
        assert_eq!(base.origin(), "https://Example.org");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode_query_value("a b/c~é"), "a%20b%2Fc~%C3%A9");
    }
}
