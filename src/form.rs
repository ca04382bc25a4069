//! `application/x-www-form-urlencoded`: the body of token, revocation and
//! authorization-URL parameters, the parameters of a redirect URL, and the
//! query values and path segments of Matrix URLs.

use crate::error::Error;
use crate::secret::wipe_vec;

/// Encode `key=value&...` (RFC 3986 unreserved characters kept, everything
/// else percent-encoded). The buffer is sized up front so that values that
/// are secrets are never left behind in a reallocated copy.
pub fn encode(pairs: &[(&str, &str)]) -> Vec<u8> {
    let capacity = pairs
        .iter()
        .map(|(key, value)| 3 * (key.len() + value.len()) + 2)
        .sum();
    let mut out = Vec::with_capacity(capacity);
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        push_encoded(&mut out, key);
        out.push(b'=');
        push_encoded(&mut out, value);
    }
    out
}

/// One value or path segment, percent-encoded (RFC 3986 unreserved
/// characters kept).
pub fn encode_value(text: &str) -> String {
    let mut out = Vec::with_capacity(3 * text.len());
    push_encoded(&mut out, text);
    String::from_utf8(out).expect("percent-encoding is ASCII")
}

fn push_encoded(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte),
            _ => out.extend_from_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 15)],
            ]),
        }
    }
}

/// Decode `key=value&...` into pairs, in order (`+` is a space). An invalid
/// escape or text that is not UTF-8 after decoding is an error naming `what`.
pub fn decode(text: &str, what: &'static str) -> Result<Vec<(String, String)>, Error> {
    text.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            Ok((unescape(key, what)?, unescape(value, what)?))
        })
        .collect()
}

fn unescape(text: &str, what: &'static str) -> Result<String, Error> {
    let invalid = || Error::invalid_argument(what, "contains an invalid percent-encoding");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(invalid)?;
                let hex = std::str::from_utf8(hex).map_err(|_| invalid())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| invalid())?);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|err| {
        let mut bytes = err.into_bytes();
        wipe_vec(&mut bytes);
        Error::invalid_argument(what, "is not UTF-8 once decoded")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters() {
        let body = encode(&[("scope", "urn:matrix:client:api:* x"), ("a b", "é")]);
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "scope=urn%3Amatrix%3Aclient%3Aapi%3A%2A%20x&a%20b=%C3%A9"
        );
    }

    #[test]
    fn decodes_plus_percent_and_empty_values() {
        let pairs = decode("a=1+2&b=%2F%3d&flag&=v", "url").unwrap();
        let expected = [("a", "1 2"), ("b", "/="), ("flag", ""), ("", "v")];
        assert_eq!(pairs.len(), expected.len());
        for ((key, value), (k, v)) in pairs.iter().zip(expected) {
            assert_eq!((key.as_str(), value.as_str()), (k, v));
        }
    }

    #[test]
    fn round_trips() {
        let value = "http://127.0.0.1:8499/callback?x=1&y=é";
        let body = String::from_utf8(encode(&[("redirect_uri", value)])).unwrap();
        assert_eq!(decode(&body, "body").unwrap()[0].1, value);
    }

    #[test]
    fn bad_escapes_are_invalid_arguments() {
        for text in ["a=%", "a=%4", "a=%zz", "a=%ff"] {
            let err = decode(text, "redirect_url").unwrap_err();
            assert_eq!(
                err.code(),
                crate::result::mxreg_result::InvalidArgument,
                "{text}"
            );
        }
    }
}
