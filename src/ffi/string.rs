//! Free-standing strings the library hands over (`mxreg_string_free`):
//! saved sessions and built URLs, owned by the caller.

use std::ffi::{CString, c_char};

use crate::error::Error;
use crate::ffi::{c_string, ffi_value};
use crate::secret::{Secret, wipe_vec};

/// An owned copy of `text` for C; the caller frees it with
/// `mxreg_string_free`.
pub(crate) fn owned_string(text: &str, what: &str) -> Result<*mut c_char, Error> {
    Ok(c_string(text, what)?.into_raw())
}

/// [`owned_string`] for a secret: no copy of it is left behind, on success
/// or failure (`mxreg_string_free` wipes the one handed over).
pub(crate) fn owned_secret_string(secret: &Secret, what: &str) -> Result<*mut c_char, Error> {
    let text = secret.expose();
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    match CString::new(bytes) {
        Ok(owned) => Ok(owned.into_raw()),
        Err(err) => {
            wipe_vec(&mut err.into_vec());
            Err(Error::InvalidResponse(format!(
                "{what} contains a NUL byte"
            )))
        }
    }
}

/// Free a string the library handed over (`mxreg_signup_save`), wiping it
/// first. NULL is a no-op. Call once.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_string_free(string: *mut c_char) {
    ffi_value((), || {
        if !string.is_null() {
            // SAFETY: came from `CString::into_raw` in this library, freed once.
            let owned = unsafe { CString::from_raw(string) };
            wipe_vec(&mut owned.into_bytes_with_nul());
        }
    })
}
