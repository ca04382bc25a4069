//! Checks on values a server hands back that the app will keep and use: the
//! user ID an account was created as, tokens it will send in a header, the
//! client ID it will send on every OAuth request. A value that fails them is
//! the server's `InvalidResponse`, never taken as a success.

use crate::api::precheck::MAX_USER_ID_BYTES;
use crate::error::Error;

/// Longer tokens cannot be sent back: common HTTP servers refuse request
/// headers past 8 KiB.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Client IDs are short identifiers (ULIDs, UUIDs, random strings).
pub const MAX_CLIENT_ID_BYTES: usize = 1024;

/// A user ID (`@localpart:server.name`, spec appendix "Identifier Grammar",
/// historical localparts included): at most 255 bytes of visible ASCII.
pub fn check_user_id(what: &str, user_id: &str) -> Result<(), Error> {
    let invalid = |reason: &str| Err(Error::InvalidResponse(format!("{what} {reason}")));
    if user_id.len() > MAX_USER_ID_BYTES {
        return invalid(&format!(
            "is {} bytes long; a user ID has at most {MAX_USER_ID_BYTES}",
            user_id.len()
        ));
    }
    if !user_id.bytes().all(|b| b.is_ascii_graphic()) {
        return invalid("is not a user ID (it has characters outside visible ASCII)");
    }
    let Some((localpart, server_name)) = user_id
        .strip_prefix('@')
        .and_then(|rest| rest.split_once(':'))
    else {
        return invalid("is not a user ID (`@localpart:server.name`)");
    };
    if localpart.is_empty() || server_name.is_empty() {
        return invalid("is not a user ID (`@localpart:server.name`)");
    }
    Ok(())
}

/// A token the app will send as `Authorization: Bearer <token>`: non-empty,
/// at most [`MAX_TOKEN_BYTES`], visible ASCII only (a NUL or a line break
/// could not go in a header). The message never quotes the token.
pub fn check_token(what: &str, token: &str) -> Result<(), Error> {
    check_identifier(what, token, MAX_TOKEN_BYTES)
}

/// An OAuth client ID the server registered.
pub fn check_client_id(client_id: &str) -> Result<(), Error> {
    check_identifier("client_id", client_id, MAX_CLIENT_ID_BYTES)
}

fn check_identifier(what: &str, value: &str, max_bytes: usize) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::InvalidResponse(format!("empty {what}")));
    }
    if value.len() > max_bytes {
        return Err(Error::InvalidResponse(format!(
            "{what} is {} bytes long; at most {max_bytes} are usable",
            value.len()
        )));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::InvalidResponse(format!(
            "{what} has characters outside visible ASCII (a NUL, a space, a line break)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::mxreg_result;

    #[test]
    fn user_ids_are_checked() {
        for good in ["@alice:example.org", "@_h!st0rical:[::1]:8448"] {
            check_user_id("user_id", good).unwrap();
        }
        let huge = format!("@{}:example.org", "a".repeat(900 * 1024));
        for bad in [
            "",
            "<script>not a user id",
            "alice:example.org",
            "@alice",
            "@:example.org",
            "@alice:",
            "@al ice:example.org",
            "@alice:example.org\0",
            &huge,
        ] {
            let err = check_user_id("user_id", bad).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidResponse, "{bad:.40}");
        }
    }

    #[test]
    fn tokens_are_checked_without_being_quoted() {
        check_token("access_token", "syt_YWxpY2U_abc-DEF.123~+/=").unwrap();
        let long = "t".repeat(MAX_TOKEN_BYTES + 1);
        for bad in ["", "sec\0ret", "sec ret", "sec\r\nret", "sécret", &long] {
            let err = check_token("access_token", bad).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidResponse);
            assert!(!err.to_string().contains("sec"), "{err}");
        }
        check_client_id("01HQ3KZP4M8ZJ3X5G9").unwrap();
        assert!(check_client_id(&"c".repeat(MAX_CLIENT_ID_BYTES + 1)).is_err());
    }
}
