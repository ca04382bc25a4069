//! Token refresh and revocation at the authorization server.

use std::ffi::c_char;

use crate::ffi::error::mxreg_error;
use crate::ffi::oauth::server::{mxreg_oauth_server, server_arg};
use crate::ffi::tokens::{TokensHandle, mxreg_tokens};
use crate::ffi::{ffi_call, into_box_ptr, out_arg, str_arg};
use crate::result::mxreg_result;

/// Exchange a refresh token at the token endpoint (refresh token grant).
/// The server rotates refresh tokens: keep the new one from `*tokens_out`;
/// the old one, or a revoked one, is `MXREG_RESULT_OAUTH_INVALID_GRANT`.
/// Blocks; thread-safe.
///
/// On success writes the new tokens to `*tokens_out`: caller owns them;
/// free them with `mxreg_tokens_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_refresh_token(
    server: *const mxreg_oauth_server,
    client_id: *const c_char,
    refresh_token: *const c_char,
    tokens_out: *mut *mut mxreg_tokens,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { server_arg(server) }?;
        let client_id = unsafe { str_arg(client_id, "client_id") }?;
        let refresh_token = unsafe { str_arg(refresh_token, "refresh_token") }?;
        let out = unsafe { out_arg(tokens_out, "tokens_out") }?;
        let context = &server.context;
        let pair =
            context
                .client
                .client
                .oauth_refresh(&context.metadata, client_id, refresh_token)?;
        *out = into_box_ptr(TokensHandle::new(&pair)?);
        Ok(())
    })
}

/// Revoke an access or refresh token (RFC 7009): on Matrix servers this
/// logs the device out (both tokens stop working). Revoking a token the
/// server does not know succeeds. Blocks; thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_oauth_server_revoke_token(
    server: *const mxreg_oauth_server,
    client_id: *const c_char,
    token: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { server_arg(server) }?;
        let client_id = unsafe { str_arg(client_id, "client_id") }?;
        let token = unsafe { str_arg(token, "token") }?;
        let context = &server.context;
        context
            .client
            .client
            .oauth_revoke(&context.metadata, client_id, token, None)
    })
}
