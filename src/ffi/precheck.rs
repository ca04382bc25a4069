//! Checks before registering: the localpart grammar (local), username
//! availability and registration-token validity (one request each).

use std::ffi::c_char;

use crate::api::precheck::check_localpart;
use crate::error::Error;
use crate::ffi::client::mxreg_client;
use crate::ffi::error::mxreg_error;
use crate::ffi::{arc_clone, ffi_call, opt_str_arg, out_arg, str_arg};
use crate::result::mxreg_result;

/// Check `username` (a localpart) against the Matrix user ID grammar without
/// any request: lower-case a-z, 0-9 and `-._=/+`, and short enough that
/// `@username:server_name` fits in 255 bytes (`server_name` may be NULL to
/// skip the length part). `MXREG_RESULT_INVALID_ARGUMENT` with a message
/// saying what is wrong otherwise. Servers may refuse more names
/// (`MXREG_RESULT_INVALID_USERNAME` from the server).
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_username_check(
    username: *const c_char,
    server_name: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let username = unsafe { str_arg(username, "username") }?;
        let server_name = unsafe { opt_str_arg(server_name, "server_name") }?;
        check_localpart(username, server_name)
    })
}

/// Ask the server whether `username` is free (`GET /register/available`),
/// after the local grammar check. Writes true/false to `*available_out`; a
/// name the server finds invalid is `MXREG_RESULT_INVALID_USERNAME`. Synapse
/// rate-limits this endpoint hard (about one call per second): expect
/// `MXREG_RESULT_RATE_LIMITED`, or set `rate_limit_max_wait_ms`. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_username_available(
    client: *const mxreg_client,
    username: *const c_char,
    available_out: *mut bool,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { arc_clone(client) }.ok_or(Error::NullArgument("client"))?;
        let username = unsafe { str_arg(username, "username") }?;
        let out = unsafe { out_arg(available_out, "available_out") }?;
        *out = client.client.username_available(username)?;
        Ok(())
    })
}

/// Ask the server whether a registration token is valid (`GET
/// /_matrix/client/v1/register/m.login.registration_token/validity`). Writes
/// the answer to `*valid_out`. Servers that require no token may still answer
/// false; a server with registration closed answers
/// `MXREG_RESULT_FORBIDDEN`. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_registration_token_valid(
    client: *const mxreg_client,
    token: *const c_char,
    valid_out: *mut bool,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { arc_clone(client) }.ok_or(Error::NullArgument("client"))?;
        let token = unsafe { str_arg(token, "token") }?;
        let out = unsafe { out_arg(valid_out, "valid_out") }?;
        *out = client.client.registration_token_valid(token)?;
        Ok(())
    })
}
