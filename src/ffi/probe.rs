//! `mxreg_probe`: what sign-up a server offers, before any account exists.

use std::ffi::{CString, c_char};

use crate::ffi::auth_info::{AuthInfo, mxreg_auth_info};
use crate::ffi::client::mxreg_client_options;
use crate::ffi::error::mxreg_error;
use crate::ffi::{
    Boxed, Handle, borrowed_ptr, c_string, ffi_call, free_box, into_box_ptr, opt_request_arg,
    out_arg, read_handle, read_opt_str, read_str, str_arg,
};
#[cfg(test)]
use crate::probe::methods;
use crate::probe::{Part, probe};
use crate::result::mxreg_result;

/// Sign-up methods a server offers (flags of `mxreg_probe_signup_methods`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_signup_method {
    /// `POST /register` with user-interactive auth (`mxreg_signup_*`).
    Legacy = 1,
    /// OAuth 2.0 account creation (`prompt=create`).
    OauthCreate = 1 << 1,
    /// Auth is delegated to an OAuth 2.0 server.
    Oauth = 1 << 2,
    /// Single sign-on, which may create accounts on first login.
    Sso = 1 << 3,
    /// Guest accounts (only reported when the probe was asked to check).
    Guest = 1 << 4,
}

/// The parts of a probe that are found out on their own (flags of
/// `mxreg_probe_unknown_parts`, values of `mxreg_probe_unknown_part`). A part that could not be found out (a
/// timeout, a reset, a rate limit, a server error, a malformed answer)
/// says so with its result code, instead of counting as "not offered".
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_probe_part {
    /// `GET /login`: the login types, and so single sign-on.
    Login = 1,
    /// The OAuth 2.0 server metadata.
    Oauth = 1 << 1,
    /// The empty `POST /register`: legacy registration and its flows.
    Registration = 1 << 2,
    /// The guest registration (only when the probe was asked to check).
    Guest = 1 << 3,
}

/// The result of `mxreg_probe_server`.
///
/// Caller owns it; free it with `mxreg_probe_free`. Immutable: safe to read
/// from several threads.
pub struct mxreg_probe {
    _private: [u8; 0],
}

impl Handle for mxreg_probe {
    type Inner = ProbeHandle;
    type Ownership = Boxed;
}

pub struct ProbeHandle {
    homeserver_url: CString,
    signup_methods: u32,
    auth_info: Option<AuthInfo>,
    unknown: Vec<UnknownHandle>,
    json: CString,
}

/// A part the probe could not find out, as C reads it.
struct UnknownHandle {
    part: Part,
    code: mxreg_result,
    message: CString,
}

/// Find out what sign-up `server` offers: `server` is a server name
/// (`"example.org"`: discovered through `https://example.org/.well-known/matrix/client`)
/// or a URL (its origin's `.well-known` is tried, then the URL itself).
/// Then reads, all at once, `/versions`, `GET /login`, the OAuth 2.0
/// metadata and an empty `POST /register`; with `check_guest_access` it also
/// tries a guest registration, which creates a guest account where guests
/// are allowed. `options` may be NULL for the defaults. Blocks for a connection
/// and about two round trips (the guest check, after `/versions`, one more),
/// at most `options->call_timeout_ms`; starts a few threads.
///
/// On success writes the answer to `*probe_out`: caller owns it; free it with
/// `mxreg_probe_free`. A part that could not be found out does not fail the
/// call: see `mxreg_probe_unknown_parts`. A server that is not a Matrix
/// homeserver gives `MXREG_RESULT_INVALID_RESPONSE`; a failure of
/// `.well-known` or `/versions` gives its code.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_server(
    server: *const c_char,
    options: *const mxreg_client_options,
    check_guest_access: bool,
    probe_out: *mut *mut mxreg_probe,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let server = unsafe { str_arg(server, "server") }?;
        let out = unsafe { out_arg(probe_out, "probe_out") }?;
        let config = unsafe { opt_request_arg(options, "options") }?;
        let found = probe(server, &config, check_guest_access)?;
        let handle = ProbeHandle {
            homeserver_url: c_string(&found.homeserver_url, "homeserver_url")?,
            signup_methods: found.signup_methods,
            auth_info: found.registration.as_ref().map(AuthInfo::new).transpose()?,
            unknown: found
                .unknown
                .iter()
                .map(|u| {
                    Ok(UnknownHandle {
                        part: u.part,
                        code: u.code(),
                        message: c_string(&u.message, "probe error")?,
                    })
                })
                .collect::<Result<_, crate::error::Error>>()?,
            json: c_string(&found.to_json(), "probe")?,
        };
        *out = into_box_ptr(handle);
        Ok(())
    })
}

/// The client-server API base URL found (use it for `mxreg_client_new`).
/// Borrowed; valid until `probe` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_homeserver_url(probe: *const mxreg_probe) -> *const c_char {
    read_str(probe, |p| &p.homeserver_url)
}

/// The `mxreg_signup_method` flags the server was found to offer; 0 with no
/// `mxreg_probe_unknown_parts` means sign-up is closed to this client.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_signup_methods(probe: *const mxreg_probe) -> u32 {
    read_handle(probe, 0, |p| p.signup_methods)
}

/// The legacy registration flows (when `MXREG_SIGNUP_METHOD_LEGACY`), else
/// NULL. Borrowed; valid until `probe` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_auth_info(probe: *const mxreg_probe) -> *const mxreg_auth_info {
    read_handle(probe, std::ptr::null(), |p| {
        borrowed_ptr(p.auth_info.as_ref())
    })
}

/// The `mxreg_probe_part` flags of the parts that could not be found out
/// (0: the probe found out everything it asked). A method those parts
/// would have shown is not in `mxreg_probe_signup_methods`. 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_unknown_parts(probe: *const mxreg_probe) -> u32 {
    read_handle(probe, 0, |p| {
        p.unknown.iter().fold(0, |all, u| all | u.part.flag())
    })
}

/// How many parts could not be found out (0 for NULL); read each with
/// `mxreg_probe_unknown_part`, `_result` and `_message`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_unknown_count(probe: *const mxreg_probe) -> usize {
    read_handle(probe, 0, |p| p.unknown.len())
}

/// Which part (a `mxreg_probe_part` value) the `index`-th unknown part is;
/// 0 for NULL or an index out of range.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_unknown_part(probe: *const mxreg_probe, index: usize) -> u32 {
    read_handle(probe, 0, |p| {
        p.unknown.get(index).map_or(0, |u| u.part.flag())
    })
}

/// The result code the `index`-th unknown part's request met (a timeout, a
/// reset, a rate limit, a server error, a malformed answer...).
/// `MXREG_RESULT_INVALID_ARGUMENT` for NULL or an index out of range.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_unknown_result(
    probe: *const mxreg_probe,
    index: usize,
) -> mxreg_result {
    read_handle(probe, mxreg_result::InvalidArgument, |p| {
        p.unknown
            .get(index)
            .map_or(mxreg_result::InvalidArgument, |u| u.code)
    })
}

/// The error message of the `index`-th unknown part. Borrowed; valid until
/// `probe` is freed. NULL for NULL or an index out of range.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_unknown_message(
    probe: *const mxreg_probe,
    index: usize,
) -> *const c_char {
    read_opt_str(probe, |p| p.unknown.get(index).map(|u| &u.message))
}

/// Everything the probe found as one JSON object (homeserver URL, versions,
/// methods, registration flows or why registration is refused, login types,
/// OAuth issuer, guest access, and under `"unknown"` a list of the parts not
/// found out, each `{"part", "result", "code", "message"}`). Borrowed; valid
/// until `probe` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_json(probe: *const mxreg_probe) -> *const c_char {
    read_str(probe, |p| &p.json)
}

/// Free a probe answer. NULL is a no-op. Call once.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_probe_free(probe: *mut mxreg_probe) {
    free_box(probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_flags_match_the_core_values() {
        assert_eq!(mxreg_signup_method::Legacy as u32, methods::LEGACY);
        assert_eq!(
            mxreg_signup_method::OauthCreate as u32,
            methods::OAUTH_CREATE
        );
        assert_eq!(mxreg_signup_method::Oauth as u32, methods::OAUTH);
        assert_eq!(mxreg_signup_method::Sso as u32, methods::SSO);
        assert_eq!(mxreg_signup_method::Guest as u32, methods::GUEST);
    }

    #[test]
    fn part_flags_match_the_core_values() {
        for (c, core) in [
            (mxreg_probe_part::Login, Part::Login),
            (mxreg_probe_part::Oauth, Part::Oauth),
            (mxreg_probe_part::Registration, Part::Registration),
            (mxreg_probe_part::Guest, Part::Guest),
        ] {
            assert_eq!(c as u32, core.flag());
        }
    }
}
