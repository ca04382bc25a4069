//! The spec's grammars for identifiers a server hands back (appendix
//! "Identifier Grammar"): user IDs and opaque IDs such as a validation
//! session's `sid`. Something else in their place is a protocol error.

use crate::api::precheck::MAX_USER_ID_BYTES;
use crate::error::Error;

/// Opaque IDs (`sid`, `client_secret`): at most 255 characters.
const MAX_OPAQUE_ID_CHARS: usize = 255;

/// `@localpart:server_name`, at most 255 bytes. The localpart may be a
/// historical one (any printable ASCII but `:`), as servers still send
/// those; the server name is a hostname, IPv4 or `[IPv6]` literal with an
/// optional port.
pub fn check_user_id(user_id: &str, what: &str) -> Result<(), Error> {
    // Checked first, and the value then not quoted: a server can send
    // megabytes where a user ID belongs.
    if user_id.len() > MAX_USER_ID_BYTES {
        return Err(Error::InvalidResponse(format!(
            "{what} is {} bytes long; a user ID has at most {MAX_USER_ID_BYTES}",
            user_id.len()
        )));
    }
    let invalid =
        |why: &str| Error::InvalidResponse(format!("{what} {user_id:?} is not a user ID: {why}"));
    let Some(rest) = user_id.strip_prefix('@') else {
        return Err(invalid("it does not start with @"));
    };
    let Some((localpart, server_name)) = rest.split_once(':') else {
        return Err(invalid("it has no :server_name"));
    };
    if localpart.is_empty() || !localpart.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(invalid("the localpart is empty or not printable ASCII"));
    }
    if !is_server_name(server_name) {
        return Err(invalid("the server name is not a host[:port]"));
    }
    Ok(())
}

fn is_server_name(server_name: &str) -> bool {
    let (host, port) = match server_name.strip_prefix('[') {
        // An IPv6 literal: hex digits, colons (and dots for an embedded IPv4).
        Some(v6) => {
            let Some((address, rest)) = v6.split_once(']') else {
                return false;
            };
            let literal_ok = !address.is_empty()
                && address
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
            if !literal_ok || !(rest.is_empty() || rest.starts_with(':')) {
                return false;
            }
            ("ipv6", rest.strip_prefix(':'))
        }
        None => match server_name.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (server_name, None),
        },
    };
    let host_ok = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// An opaque ID: 1 to 255 characters from `[0-9a-zA-Z.=_-]`.
pub fn check_opaque_id(id: &str, what: &str) -> Result<(), Error> {
    let valid = !id.is_empty()
        && id.chars().count() <= MAX_OPAQUE_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'=' | b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidResponse(format!(
            "{what} {id:?} is not an opaque ID (1 to 255 of [0-9a-zA-Z.=_-])"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_follow_the_grammar() {
        for good in [
            "@alice:example.org",
            "@cheeky_monkey:matrix.org",
            "@a:127.0.0.1:8448",
            "@a:[::1]:8448",
            "@Historical!Name:example.org",
        ] {
            assert!(check_user_id(good, "user_id").is_ok(), "{good}");
        }
        let too_long = format!("@{}:example.org", "a".repeat(250));
        let huge = format!("@{}:example.org", "a".repeat(900 * 1024));
        for bad in [
            "",
            "<script>not a user id",
            "@alice:example.org\0",
            huge.as_str(),
            "alice",
            "alice:example.org",
            "@alice",
            "@:example.org",
            "@alice:",
            "@al ice:example.org",
            "@alice:exa mple.org",
            "@alice:example.org:port",
            "@alice:[zz]",
            too_long.as_str(),
        ] {
            let err = check_user_id(bad, "user_id").unwrap_err();
            assert_eq!(
                err.code(),
                crate::mxreg_result::InvalidResponse,
                "{bad:.40}"
            );
            assert!(
                err.to_string().len() < 512,
                "the message never quotes a huge value"
            );
        }
    }

    #[test]
    fn opaque_ids_follow_the_grammar() {
        assert!(check_opaque_id("123abc", "sid").is_ok());
        assert!(check_opaque_id("a.b=c_d-E", "sid").is_ok());
        for bad in ["", "a b", "a/b", "ü", &"a".repeat(256)] {
            assert!(check_opaque_id(bad, "sid").is_err(), "{bad}");
        }
    }
}
