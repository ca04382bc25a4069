//! Values the library hands to C: strings from server or library text,
//! secrets, durations.

use std::ffi::CString;

use crate::error::Error;
use crate::secret::{Secret, SecretCString};

/// Text that C cannot hold as a string (it has a NUL byte) makes the
/// answer invalid.
fn has_nul(what: &str) -> Error {
    Error::InvalidResponse(format!("{what} contains a NUL byte"))
}

/// A C string from text that came from a server or from us.
pub(crate) fn c_string(text: &str, what: &str) -> Result<CString, Error> {
    CString::new(text).map_err(|_| has_nul(what))
}

/// [`c_string`] for text that may be absent.
pub(crate) fn opt_c_string(text: Option<&str>, what: &str) -> Result<Option<CString>, Error> {
    text.map(|t| c_string(t, what)).transpose()
}

/// A C string for a secret, wiped when dropped.
pub(crate) fn secret_c_string(secret: &Secret, what: &str) -> Result<SecretCString, Error> {
    SecretCString::new(secret).ok_or_else(|| has_nul(what))
}

/// [`secret_c_string`] for a secret that may be absent.
pub(crate) fn opt_secret_c_string(
    secret: Option<&Secret>,
    what: &str,
) -> Result<Option<SecretCString>, Error> {
    secret.map(|s| secret_c_string(s, what)).transpose()
}

/// A duration in ms for C: -1 for none, saturating at `i64::MAX`.
pub(crate) fn millis(value: Option<u64>) -> i64 {
    value.map_or(-1, |ms| i64::try_from(ms).unwrap_or(i64::MAX))
}
