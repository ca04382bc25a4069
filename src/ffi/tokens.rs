//! `mxreg_tokens` and `mxreg_client_refresh`: a new access token for a
//! refresh token.

use std::ffi::c_char;

use crate::error::Error;
use crate::ffi::client::{client_arg, mxreg_client};
use crate::ffi::error::mxreg_error;
use crate::ffi::{
    Boxed, Handle, ffi_call, free_box, into_box_ptr, millis, opt_secret_c_string, out_arg,
    read_handle, read_str, secret_c_string, str_arg,
};
use crate::registration::TokenPair;
use crate::result::mxreg_result;
use crate::secret::SecretCString;

/// A refreshed token pair.
///
/// Caller owns it; free it with `mxreg_tokens_free`, which wipes the
/// tokens. Immutable: safe to read from several threads.
pub struct mxreg_tokens {
    _private: [u8; 0],
}

impl Handle for mxreg_tokens {
    type Inner = TokensHandle;
    type Ownership = Boxed;
}

pub struct TokensHandle {
    access_token: SecretCString,
    refresh_token: Option<SecretCString>,
    expires_in_ms: Option<u64>,
    expires_at_ms: Option<u64>,
}

impl TokensHandle {
    pub(crate) fn new(pair: &TokenPair) -> Result<Self, Error> {
        Ok(TokensHandle {
            access_token: secret_c_string(&pair.access_token, "access_token")?,
            refresh_token: opt_secret_c_string(pair.refresh_token.as_ref(), "refresh_token")?,
            expires_in_ms: pair.expires_in_ms,
            expires_at_ms: pair.expires_at_ms,
        })
    }
}

/// Exchange a refresh token for a new access token (`POST /refresh`).
/// A refresh token that was already exchanged is refused: Synapse answers
/// `MXREG_RESULT_FORBIDDEN` once the new access token has been used, and
/// `MXREG_RESULT_UNKNOWN_TOKEN` once the new refresh token has been
/// exchanged in turn; an unknown one is `MXREG_RESULT_UNKNOWN_TOKEN`. Blocks.
///
/// On success writes the new pair to `*tokens_out`: caller owns it; free it
/// with `mxreg_tokens_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_refresh(
    client: *const mxreg_client,
    refresh_token: *const c_char,
    tokens_out: *mut *mut mxreg_tokens,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { client_arg(client) }?;
        let refresh_token = unsafe { str_arg(refresh_token, "refresh_token") }?;
        let out = unsafe { out_arg(tokens_out, "tokens_out") }?;
        let pair = client.client.refresh(refresh_token)?;
        *out = into_box_ptr(TokensHandle::new(&pair)?);
        Ok(())
    })
}

/// The new access token (a secret). Borrowed; valid until `tokens` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_tokens_access_token(tokens: *const mxreg_tokens) -> *const c_char {
    read_str(tokens, |t| &t.access_token)
}

/// The refresh token to use next time, or NULL when the server kept the old
/// one valid. Borrowed; valid until `tokens` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_tokens_refresh_token(tokens: *const mxreg_tokens) -> *const c_char {
    read_str(tokens, |t| &t.refresh_token)
}

/// Lifetime of the new access token in ms, or -1 when it does not expire.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_tokens_expires_in_ms(tokens: *const mxreg_tokens) -> i64 {
    read_handle(tokens, -1, |t| millis(t.expires_in_ms))
}

/// Expiry of the new access token in ms since the Unix epoch, or -1.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_tokens_expires_at_ms(tokens: *const mxreg_tokens) -> i64 {
    read_handle(tokens, -1, |t| millis(t.expires_at_ms))
}

/// Free a token pair and wipe it. NULL is a no-op. Call once.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_tokens_free(tokens: *mut mxreg_tokens) {
    free_box(tokens)
}
