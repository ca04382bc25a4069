//! Single sign-on from C: `mxreg_client_sso_url` (the URL the app opens in
//! a browser) and `mxreg_client_sso_complete` (redeem the `loginToken` of
//! the redirect the app received).

use std::ffi::c_char;

use crate::api::sso::SsoAction;
use crate::error::Error;
use crate::ffi::client::{client_arg, mxreg_client};
use crate::ffi::error::mxreg_error;
use crate::ffi::registration::{RegistrationHandle, mxreg_registration};
use crate::ffi::string::owned_string;
use crate::ffi::{enum_arg, ffi_call, into_box_ptr, opt_str_arg, out_arg, str_arg};
use crate::result::mxreg_result;

/// What the user means to do at the identity provider (the SSO URL's
/// `action`); servers may show a sign-up or a sign-in page first.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_sso_action {
    /// Create an account (`action=register`).
    Register = 0,
    /// Sign in to an existing account (`action=login`).
    Login = 1,
}

fn sso_action(value: u32) -> Result<SsoAction, Error> {
    let values = [
        (mxreg_sso_action::Register as u32, SsoAction::Register),
        (mxreg_sso_action::Login as u32, SsoAction::Login),
    ];
    enum_arg(value, "action", "mxreg_sso_action", &values)
}

/// The single sign-on URL for the app to open in a browser:
/// `{homeserver}/_matrix/client/v3/login/sso/redirect[/{idp_id}]?redirectUrl=...&action=...`.
/// After the user signs in (or up) at the identity provider, the server
/// sends the browser to `redirect_url` with a `loginToken`: hand that URL to
/// `mxreg_client_sso_complete`. A user's first sign-in creates the account.
///
/// `action` is an `mxreg_sso_action` value. Fetches `GET /login` first.
/// `idp_id` (may be NULL) is one of its identity providers (`mxreg_probe`
/// lists them); NULL lets the server choose or ask the user.
/// `redirect_url` must be absolute (`https://app.example/cb`,
/// `com.example.app:/sso`), else `MXREG_RESULT_INVALID_ARGUMENT`; so is an
/// `idp_id` the server does not list. A server without `m.login.sso` is
/// `MXREG_RESULT_UNSUPPORTED_FLOW`. A server that prefers OAuth 2.0
/// (`oauth_aware_preferred`) is `MXREG_RESULT_OAUTH_PREFERRED`: mxreg is an
/// OAuth-aware client, so it follows the spec and builds no URL; use
/// `mxreg_oauth_authorization_start` there.
///
/// On success writes the URL to `*url_out`: caller owns it; free it with
/// `mxreg_string_free`. Blocks until the answer or the client's timeouts.
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_sso_url(
    client: *const mxreg_client,
    idp_id: *const c_char,
    redirect_url: *const c_char,
    action: u32,
    url_out: *mut *mut c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { client_arg(client) }?;
        let idp_id = unsafe { opt_str_arg(idp_id, "idp_id") }?;
        let redirect_url = unsafe { str_arg(redirect_url, "redirect_url") }?;
        let out = unsafe { out_arg(url_out, "url_out") }?;
        let action = sso_action(action)?;
        let url = client.client.sso_url(idp_id, redirect_url, action)?;
        *out = owned_string(&url, "the SSO URL")?;
        Ok(())
    })
}

/// Finish single sign-on: read the `loginToken` of the redirect the app
/// received (`received_redirect_url`, the whole URL) and log in with it
/// (`m.login.token`, a refresh token asked for).
///
/// On success writes the account to `*registration_out`, the handle a
/// registration gives: caller owns it; free it with
/// `mxreg_registration_free`. A URL without a `loginToken` is
/// `MXREG_RESULT_INVALID_ARGUMENT`; a token already used or expired is
/// `MXREG_RESULT_FORBIDDEN` (from the server). An answer lost after the
/// request went out is `MXREG_RESULT_OUTCOME_UNKNOWN`: the token may be
/// spent; start SSO again. Blocks; thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_client_sso_complete(
    client: *const mxreg_client,
    received_redirect_url: *const c_char,
    registration_out: *mut *mut mxreg_registration,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { client_arg(client) }?;
        let received = unsafe { str_arg(received_redirect_url, "received_redirect_url") }?;
        let out = unsafe { out_arg(registration_out, "registration_out") }?;
        let account = client.client.sso_complete(received)?;
        *out = into_box_ptr(RegistrationHandle::new(&account)?);
        Ok(())
    })
}
