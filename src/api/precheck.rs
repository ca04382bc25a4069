//! Checks before registering: username availability, registration-token
//! validity, and the local grammar of a localpart.

use serde::Deserialize;

use crate::error::Error;
use crate::homeserver_url::encode_query_value;

pub const AVAILABLE_PATH: &str = "/_matrix/client/v3/register/available";
pub const TOKEN_VALIDITY_PATH: &str =
    "/_matrix/client/v1/register/m.login.registration_token/validity";

/// A user ID may be at most 255 bytes, `@` and `:server` included.
pub const MAX_USER_ID_BYTES: usize = 255;

pub fn available_path(username: &str) -> String {
    format!("{AVAILABLE_PATH}?username={}", encode_query_value(username))
}

pub fn token_validity_path(token: &str) -> String {
    format!("{TOKEN_VALIDITY_PATH}?token={}", encode_query_value(token))
}

/// `GET /register/available` answer.
#[derive(Debug, Deserialize)]
pub struct AvailableResponse {
    pub available: bool,
}

/// `GET .../registration_token/validity` answer.
#[derive(Debug, Deserialize)]
pub struct TokenValidityResponse {
    pub valid: bool,
}

/// Checks `localpart` against the spec's user ID grammar (appendix
/// "Identifier Grammar", user identifiers): lower-case ASCII letters, digits
/// and `-._=/+`, non-empty, and short enough that `@localpart:server_name`
/// fits in 255 bytes. Servers may add rules of their own (Synapse refuses
/// purely numeric names and a leading `_`); those come back as
/// `M_INVALID_USERNAME` from the server.
pub fn check_localpart(localpart: &str, server_name: Option<&str>) -> Result<(), Error> {
    let invalid = |reason: String| Error::invalid_argument("username", reason);
    if localpart.is_empty() {
        return Err(invalid("is empty".into()));
    }
    if let Some(bad) = localpart
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '=' | '/' | '+'))
    {
        let hint = if bad.is_ascii_uppercase() {
            " (user IDs are lower case)"
        } else {
            ""
        };
        return Err(invalid(format!(
            "contains {bad:?}; allowed are a-z, 0-9 and -._=/+{hint}"
        )));
    }
    let server_len = server_name.map_or(0, str::len);
    let total = 1 + localpart.len() + 1 + server_len;
    if total > MAX_USER_ID_BYTES {
        return Err(invalid(format!(
            "the user ID would be {total} bytes; at most {MAX_USER_ID_BYTES} are allowed"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_accepts_the_allowed_set() {
        assert!(check_localpart("alice.b-c_d=e/f+g9", Some("example.org")).is_ok());
    }

    #[test]
    fn grammar_rejects_upper_case_spaces_and_empty() {
        for bad in ["Alice", "a b", "", "ä", "a:b", "@a"] {
            let err = check_localpart(bad, None).unwrap_err();
            assert_eq!(err.code(), crate::mxreg_result::InvalidArgument, "{bad}");
        }
        assert!(
            check_localpart("Alice", None)
                .unwrap_err()
                .to_string()
                .contains("lower case")
        );
    }

    #[test]
    fn grammar_bounds_the_whole_user_id() {
        let server = "example.org";
        let longest = "a".repeat(MAX_USER_ID_BYTES - 2 - server.len());
        assert!(check_localpart(&longest, Some(server)).is_ok());
        assert!(check_localpart(&format!("{longest}a"), Some(server)).is_err());
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            available_path("a b"),
            format!("{AVAILABLE_PATH}?username=a%20b")
        );
    }
}
