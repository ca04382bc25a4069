//! Checks before registering: the localpart grammar (local), username
//! availability and registration-token validity (one request each).

use std::ffi::c_char;

use crate::api::precheck::check_localpart;
use crate::client::Client;
use crate::error::Error;
use crate::ffi::client::{client_arg, mxreg_client};
use crate::ffi::error::mxreg_error;
use crate::ffi::{ffi_call, opt_str_arg, out_arg, str_arg};
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

/// The body of a yes/no question to the server about one string argument.
fn ask_server(
    client: *const mxreg_client,
    (text, text_name): (*const c_char, &'static str),
    (answer_out, answer_name): (*mut bool, &'static str),
    error_out: *mut *mut mxreg_error,
    ask: fn(&Client, &str) -> Result<bool, Error>,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: the argument contracts of the extern functions.
        let client = unsafe { client_arg(client) }?;
        let text = unsafe { str_arg(text, text_name) }?;
        let out = unsafe { out_arg(answer_out, answer_name) }?;
        *out = ask(&client.client, text)?;
        Ok(())
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
    let text = (username, "username");
    let answer = (available_out, "available_out");
    ask_server(client, text, answer, error_out, Client::username_available)
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
    let text = (token, "token");
    let answer = (valid_out, "valid_out");
    ask_server(
        client,
        text,
        answer,
        error_out,
        Client::registration_token_valid,
    )
}
