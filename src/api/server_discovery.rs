//! Server discovery through `/.well-known/matrix/client`, step by step as
//! the client-server spec's "Well-known URIs" section lays it out, without
//! I/O: each function takes one answer and says what comes next.
//!
//! The spec's outcomes map onto mxreg's results: `IGNORE` is
//! [`WellKnownStep::Ignore`] (use the server's own URL), `FAIL_PROMPT` is
//! [`Error::DiscoveryFailPrompt`] (ask the user for the homeserver URL) and
//! `FAIL_ERROR` is [`Error::DiscoveryFailError`] (stop, guess nothing).
//!
//! Redirects: the spec says nothing of them for the client document;
//! MSC2499 proposes following 30x answers while avoiding loops, as the
//! server-server spec does for `/.well-known/matrix/server`, and as browsers
//! (hence web clients) do anyway. mxreg follows up to [`MAX_REDIRECTS`] of
//! them, on this document only (API calls never follow redirects), to
//! targets the http policy allows.

use serde_json::Value;

use crate::api::discovery::Versions;
use crate::error::Error;
use crate::homeserver_url::BaseUrl;

/// The identity service API's root, which step 3.6 validates.
pub const IDENTITY_V2_PATH: &str = "/_matrix/identity/v2";

/// How many redirects a `.well-known` lookup follows before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// What one answer to `GET /.well-known/matrix/client` leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum WellKnownStep {
    /// 404: no document; go on with the server's own URL (`IGNORE`).
    Ignore,
    /// A redirect: fetch the document from this absolute URL instead.
    Follow(String),
    /// A document: validate these URLs (the spec's steps 3.5 and 3.6).
    Found(WellKnown),
}

/// The base URLs a `.well-known/matrix/client` document names, not yet
/// validated.
#[derive(Debug, PartialEq, Eq)]
pub struct WellKnown {
    pub homeserver: String,
    pub identity_server: Option<String>,
}

fn prompt(what: impl Into<String>) -> Error {
    Error::DiscoveryFailPrompt(format!(".well-known/matrix/client: {}", what.into()))
}

fn fail(what: impl Into<String>) -> Error {
    Error::DiscoveryFailError(what.into())
}

/// Step 3 for the answer fetched from `url`: 404 is `IGNORE`; a redirect
/// is followed (`FAIL_PROMPT` past [`MAX_REDIRECTS`]); any other status
/// but 200, an empty body, a body that is not a JSON object, or no
/// `m.homeserver.base_url` is `FAIL_PROMPT`; so is an `m.identity_server`
/// without a `base_url`.
pub fn well_known_step(
    url: &str,
    status: u16,
    location: Option<&str>,
    body: &[u8],
    redirects_so_far: usize,
) -> Result<WellKnownStep, Error> {
    match status {
        404 => return Ok(WellKnownStep::Ignore),
        301 | 302 | 303 | 307 | 308 => {
            if redirects_so_far >= MAX_REDIRECTS {
                return Err(prompt(format!("more than {MAX_REDIRECTS} redirects")));
            }
            let location =
                location.ok_or_else(|| prompt(format!("HTTP {status} without Location")))?;
            return Ok(WellKnownStep::Follow(resolve(url, location)));
        }
        200 => {}
        _ => return Err(prompt(format!("HTTP {status}"))),
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(prompt("empty body"));
    }
    let document: Value = serde_json::from_slice(body).map_err(|_| prompt("not JSON"))?;
    let document = document
        .as_object()
        .ok_or_else(|| prompt("not a JSON object"))?;
    let base_url = |key: &str| {
        document
            .get(key)
            .map(|entry| entry.get("base_url").and_then(Value::as_str))
    };
    let homeserver = base_url("m.homeserver")
        .flatten()
        .ok_or_else(|| prompt("no m.homeserver.base_url"))?;
    let identity_server = match base_url("m.identity_server") {
        None => None,
        Some(Some(url)) => Some(url.to_owned()),
        Some(None) => return Err(prompt("m.identity_server without a base_url")),
    };
    Ok(WellKnownStep::Found(WellKnown {
        homeserver: homeserver.to_owned(),
        identity_server,
    }))
}

/// Step 3.5.1 (and 3.6 for the identity server): the base URL must be a
/// URL, else `FAIL_ERROR`. The http policy still applies (`INSECURE_URL`).
pub fn parse_base_url(base_url: &str, allow_http: bool) -> Result<BaseUrl, Error> {
    BaseUrl::parse(base_url, allow_http).map_err(|err| match err {
        Error::InsecureUrl(_) => err,
        other => fail(format!("{base_url:?} is not a usable URL ({other})")),
    })
}

/// Step 3.5.2: the homeserver's `/versions` must answer 200 with the
/// specified shape, else `FAIL_ERROR`.
pub fn check_versions(base_url: &str, status: u16, body: &[u8]) -> Result<Versions, Error> {
    if status != 200 {
        return Err(fail(format!(
            "{base_url} answers /_matrix/client/versions with HTTP {status}"
        )));
    }
    serde_json::from_slice(body).map_err(|_| {
        fail(format!(
            "{base_url} does not answer /_matrix/client/versions as a Matrix homeserver"
        ))
    })
}

/// Step 3.6: the identity server's `/_matrix/identity/v2` must answer 200
/// with a JSON object, else `FAIL_ERROR`.
pub fn check_identity_server(base_url: &str, status: u16, body: &[u8]) -> Result<(), Error> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(_)) if status == 200 => Ok(()),
        _ => Err(fail(format!(
            "{base_url} does not answer /_matrix/identity/v2 as an identity server (HTTP {status})"
        ))),
    }
}

/// `location` made absolute against `url`: absolute URLs as they are,
/// `//host/…` with `url`'s scheme, `/path` on `url`'s origin, anything else
/// beside `url`'s last path segment.
fn resolve(url: &str, location: &str) -> String {
    let location = location.trim();
    if location.contains("://") {
        return location.to_owned();
    }
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}{rest}", &url[..scheme_end]);
    }
    let origin_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |i| scheme_end + i);
    if location.starts_with('/') {
        return format!("{}{location}", &url[..origin_end]);
    }
    let directory_end = url[origin_end..]
        .rfind('/')
        .map_or(origin_end, |i| origin_end + i);
    format!("{}/{location}", &url[..directory_end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::mxreg_result;

    const URL: &str = "https://example.org/.well-known/matrix/client";

    fn step(status: u16, body: &str) -> Result<WellKnownStep, Error> {
        well_known_step(URL, status, None, body.as_bytes(), 0)
    }

    fn code(result: Result<WellKnownStep, Error>) -> mxreg_result {
        result.unwrap_err().code()
    }

    #[test]
    fn not_found_is_ignore() {
        assert_eq!(step(404, "").unwrap(), WellKnownStep::Ignore);
    }

    #[test]
    fn other_statuses_and_empty_or_unparsable_bodies_are_fail_prompt() {
        for (status, body) in [
            (500, ""),
            (403, r#"{"m.homeserver":{"base_url":"https://hs"}}"#),
            (200, ""),
            (200, "  \n"),
            (200, "<html>"),
            (200, "[]"),
            (200, "{}"),
            (200, r#"{"m.homeserver":{}}"#),
            (200, r#"{"m.homeserver":{"base_url":5}}"#),
            (
                200,
                r#"{"m.homeserver":{"base_url":"https://hs"},"m.identity_server":{}}"#,
            ),
        ] {
            assert_eq!(
                code(step(status, body)),
                mxreg_result::DiscoveryFailPrompt,
                "{status} {body}"
            );
        }
    }

    #[test]
    fn a_document_gives_its_urls() {
        let found = step(
            200,
            r#"{"m.homeserver":{"base_url":"https://hs.example.org/"},
                "m.identity_server":{"base_url":"https://id.example.org"},"extra":1}"#,
        )
        .unwrap();
        assert_eq!(
            found,
            WellKnownStep::Found(WellKnown {
                homeserver: "https://hs.example.org/".into(),
                identity_server: Some("https://id.example.org".into()),
            })
        );
    }

    #[test]
    fn redirects_are_followed_a_bounded_number_of_times() {
        let follow = |location: &str| well_known_step(URL, 301, Some(location), b"", 0).unwrap();
        assert_eq!(
            follow("https://other.example.org/wk"),
            WellKnownStep::Follow("https://other.example.org/wk".into())
        );
        assert_eq!(
            follow("/elsewhere/client"),
            WellKnownStep::Follow("https://example.org/elsewhere/client".into())
        );
        assert_eq!(
            follow("//cdn.example.org/c"),
            WellKnownStep::Follow("https://cdn.example.org/c".into())
        );
        assert_eq!(
            follow("client.json"),
            WellKnownStep::Follow("https://example.org/.well-known/matrix/client.json".into())
        );
        assert_eq!(
            code(well_known_step(URL, 308, Some("/x"), b"", MAX_REDIRECTS)),
            mxreg_result::DiscoveryFailPrompt
        );
        assert_eq!(
            code(well_known_step(URL, 302, None, b"", 0)),
            mxreg_result::DiscoveryFailPrompt
        );
        // 300 and 304 are not redirects to follow.
        assert_eq!(
            code(well_known_step(URL, 304, Some("/x"), b"", 0)),
            mxreg_result::DiscoveryFailPrompt
        );
    }

    #[test]
    fn a_base_url_that_is_not_a_url_is_fail_error() {
        for bad in ["not a url", "ftp://hs.example.org", "https://"] {
            assert_eq!(
                parse_base_url(bad, false).unwrap_err().code(),
                mxreg_result::DiscoveryFailError,
                "{bad}"
            );
        }
        assert_eq!(
            parse_base_url("http://hs.example.org", false)
                .unwrap_err()
                .code(),
            mxreg_result::InsecureUrl
        );
        assert_eq!(
            parse_base_url("https://hs.example.org/", false)
                .unwrap()
                .as_str(),
            "https://hs.example.org"
        );
    }

    #[test]
    fn versions_must_answer_as_a_homeserver_or_fail_error() {
        let good = br#"{"versions":["v1.11"]}"#;
        assert_eq!(
            check_versions("https://hs", 200, good).unwrap().versions,
            ["v1.11"]
        );
        for (status, body) in [(404, &good[..]), (200, b"{}"), (200, b"<html>")] {
            assert_eq!(
                check_versions("https://hs", status, body)
                    .unwrap_err()
                    .code(),
                mxreg_result::DiscoveryFailError
            );
        }
    }

    #[test]
    fn the_identity_server_must_answer_its_v2_root() {
        check_identity_server("https://id", 200, b"{}").unwrap();
        for (status, body) in [(404, &b"{}"[..]), (200, b"[]"), (200, b"")] {
            assert_eq!(
                check_identity_server("https://id", status, body)
                    .unwrap_err()
                    .code(),
                mxreg_result::DiscoveryFailError
            );
        }
    }
}
