//! The Matrix scope (MSC2967): full API access for one device, and the
//! device IDs that fit in it.

use crate::error::Error;
use crate::random::Randomness;

/// Access to the whole client-server API.
pub const API_SCOPE: &str = "urn:matrix:client:api:*";
/// Followed by the device ID: the device the tokens belong to.
pub const DEVICE_SCOPE_PREFIX: &str = "urn:matrix:client:device:";

const MAX_DEVICE_ID_LEN: usize = 255;
/// Length of the device IDs mxreg makes up for an OAuth grant.
const GENERATED_DEVICE_ID_LEN: usize = 10;

/// The scope for full API access as `device_id`.
pub fn scope_for(device_id: &str) -> String {
    format!("{API_SCOPE} {DEVICE_SCOPE_PREFIX}{device_id}")
}

/// An unreserved URI character (RFC 3986 §2.3).
pub fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// A device ID fit for the device scope: unreserved URI characters only.
pub fn check_device_id(device_id: &str) -> Result<(), Error> {
    if device_id.is_empty() || device_id.len() > MAX_DEVICE_ID_LEN {
        return Err(Error::invalid_argument(
            "device_id",
            format!("must have 1 to {MAX_DEVICE_ID_LEN} characters"),
        ));
    }
    if !device_id.chars().all(is_unreserved) {
        return Err(Error::invalid_argument(
            "device_id",
            "may only use A-Z a-z 0-9 - . _ ~ (it goes into the OAuth scope)",
        ));
    }
    Ok(())
}

/// The device ID to ask for: the app's, checked, or a new one drawn from
/// `random`.
pub fn device_id_or_new(device_id: Option<&str>, random: &dyn Randomness) -> Result<String, Error> {
    match device_id {
        Some(id) => check_device_id(id).map(|()| id.to_owned()),
        None => random.alphanumeric(GENERATED_DEVICE_ID_LEN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::CountingRandomness;
    use crate::result::mxreg_result;

    #[test]
    fn a_new_device_id_comes_from_the_randomness_given() {
        let random = CountingRandomness::new();
        assert_eq!(device_id_or_new(None, &random).unwrap(), "ABCDEFGHIJ");
        assert_eq!(device_id_or_new(Some("MINE"), &random).unwrap(), "MINE");
        let err = device_id_or_new(Some("not mine"), &random).unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidArgument);
    }
}
