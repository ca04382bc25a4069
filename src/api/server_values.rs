//! Checks on values a server hands back that the app will keep and use:
//! tokens it will send in a header, the client ID it will send on every
//! OAuth request (user IDs: `api::identifiers`). A value that fails them is
//! the server's `InvalidResponse`, never taken as a success.

use crate::error::Error;
use crate::secret::Secret;

/// Longer tokens cannot be sent back: common HTTP servers refuse request
/// headers past 8 KiB.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Client IDs are short identifiers (ULIDs, UUIDs, random strings).
pub const MAX_CLIENT_ID_BYTES: usize = 1024;

/// A token the app will send as `Authorization: Bearer <token>`: non-empty,
/// at most [`MAX_TOKEN_BYTES`], visible ASCII only (a NUL or a line break
/// could not go in a header). The message never quotes the token.
pub fn check_token(what: &str, token: &str) -> Result<(), Error> {
    check_identifier(what, token, MAX_TOKEN_BYTES)
}

/// The access and refresh tokens of an answer, those it has.
pub fn check_tokens(
    access_token: Option<&Secret>,
    refresh_token: Option<&Secret>,
) -> Result<(), Error> {
    if let Some(token) = access_token {
        check_token("access_token", token.expose())?;
    }
    if let Some(token) = refresh_token {
        check_token("refresh_token", token.expose())?;
    }
    Ok(())
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
