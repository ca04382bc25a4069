//! `mxreg_signup`: interactive registration, one call per stage.

use std::ffi::{CString, c_char};
use std::sync::{Arc, Mutex, TryLockError};

use crate::client::Client;
use crate::error::Error;
use crate::ffi::auth_info::{AuthInfo, mxreg_auth_info};
use crate::ffi::client::{ClientHandle, client_arg, mxreg_client};
use crate::ffi::error::mxreg_error;
use crate::ffi::register::mxreg_register_request;
use crate::ffi::registration::{RegistrationHandle, mxreg_registration};
use crate::ffi::string::owned_secret_string;
use crate::ffi::{
    Boxed, CStrField, Handle, borrowed_ptr, document_arg, ffi_call, free_box, handle_arg,
    into_box_ptr, opt_json_arg, opt_str_arg, out_arg, read_handle, request_arg, str_arg,
};
use crate::result::mxreg_result;
use crate::secret::Secret;
use crate::signup::terms::Policy;
use crate::signup::{SignupSession, StageSet, Status};

/// Stage types an app can complete, as flags for `mxreg_signup_new`
/// (combine with `|`). `m.login.dummy` is always completed automatically.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_stage {
    Dummy = 1,
    /// `m.login.registration_token`: `mxreg_signup_submit_token`.
    RegistrationToken = 1 << 1,
    /// `m.login.terms`: `mxreg_signup_policy_*`, `mxreg_signup_accept_terms`.
    Terms = 1 << 2,
    /// `m.login.email.identity`: `mxreg_signup_request_email_token`, then
    /// `mxreg_signup_check_email` (a link in the mail) or, when
    /// `mxreg_signup_email_submit_url` is not NULL, `mxreg_signup_submit_email_code`.
    Email = 1 << 3,
    /// `m.login.msisdn`: `mxreg_signup_request_msisdn_token`,
    /// `mxreg_signup_submit_msisdn_code`.
    Msisdn = 1 << 4,
    /// `m.login.recaptcha`: `mxreg_signup_submit_recaptcha`.
    Recaptcha = 1 << 5,
    /// The app can open the server's fallback web page for any stage:
    /// `mxreg_signup_fallback_url`, `mxreg_signup_fallback_done`.
    Fallback = 1 << 6,
}

/// Every stage flag (the values are `StageSet`'s, checked by a test).
pub const MXREG_STAGES_ALL: u32 = 127;

/// Where a signup session is (`mxreg_signup_status`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mxreg_signup_state {
    /// Created or restored before start: call `mxreg_signup_start`.
    NotStarted = 0,
    /// The server wants a stage: see `mxreg_signup_next_stage`.
    NeedsStage = 1,
    /// The account exists: see `mxreg_signup_registration`.
    Complete = 2,
    /// The server refused for good (username taken, session expired, no
    /// supported flow): start a new session.
    Failed = 3,
    /// A call on the session is running on another thread: ask again when
    /// it has returned.
    Busy = 4,
}

impl From<Status> for mxreg_signup_state {
    fn from(status: Status) -> Self {
        match status {
            Status::NotStarted => Self::NotStarted,
            Status::NeedsStage => Self::NeedsStage,
            Status::Complete => Self::Complete,
            Status::Failed => Self::Failed,
        }
    }
}

/// A registration in progress.
///
/// Caller owns it; free it with `mxreg_signup_free`. Holds a reference to
/// its client. Not for concurrent use: a second call while one is running
/// on another thread gets `MXREG_RESULT_INVALID_STATE`, and strings read
/// from it are valid until the next call that changes it or its free.
pub struct mxreg_signup {
    _private: [u8; 0],
}

impl Handle for mxreg_signup {
    type Inner = SignupHandle;
    type Ownership = Boxed;
}

pub struct SignupHandle {
    client: Arc<ClientHandle>,
    state: Mutex<SignupState>,
}

/// The session plus the C views of what it exposes, rebuilt after each call.
struct SignupState {
    session: SignupSession,
    next_stage: Option<CString>,
    auth_info: Option<AuthInfo>,
    policies: Vec<PolicyView>,
    fallback_url: Option<CString>,
    email_submit_url: Option<CString>,
    registration: Option<RegistrationHandle>,
}

struct PolicyView {
    policy: Policy,
    id: CString,
    version: CString,
    /// Name and URL per translation, in `policy.translations` order.
    translations: Vec<(CString, CString)>,
}

impl SignupState {
    fn new(session: SignupSession) -> Self {
        let mut state = SignupState {
            session,
            next_stage: None,
            auth_info: None,
            policies: Vec::new(),
            fallback_url: None,
            email_submit_url: None,
            registration: None,
        };
        state.refresh_views();
        state
    }

    /// Rebuild the C views; server text that C cannot hold (NUL bytes) is
    /// left out rather than failing the step that already happened.
    fn refresh_views(&mut self) {
        let session = &self.session;
        self.next_stage = session.next_stage().and_then(|s| CString::new(s).ok());
        self.auth_info = session.uia().and_then(|uia| AuthInfo::new(uia).ok());
        self.fallback_url = session
            .fallback_url(None)
            .ok()
            .and_then(|url| CString::new(url).ok());
        self.email_submit_url = session
            .email()
            .and_then(|v| v.submit_url.as_deref())
            .and_then(|url| CString::new(url).ok());
        self.policies = session
            .policies()
            .into_iter()
            .filter_map(|policy| {
                Some(PolicyView {
                    id: CString::new(policy.id.as_str()).ok()?,
                    version: CString::new(policy.version.as_str()).ok()?,
                    translations: policy
                        .translations
                        .iter()
                        .map(|t| {
                            Some((
                                CString::new(t.name.as_str()).ok()?,
                                CString::new(t.url.as_str()).ok()?,
                            ))
                        })
                        .collect::<Option<_>>()?,
                    policy,
                })
            })
            .collect();
        self.registration = session
            .registration()
            .and_then(|r| RegistrationHandle::new(r).ok());
    }
}

impl SignupHandle {
    /// Run a step on the session, refusing a concurrent one.
    fn step(
        &self,
        run: impl FnOnce(&Client, &mut SignupSession) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut state = match self.state.try_lock() {
            Ok(state) => state,
            Err(TryLockError::WouldBlock) => {
                return Err(Error::InvalidState(
                    "another call on this signup session is in progress".into(),
                ));
            }
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        };
        let result = run(&self.client.client, &mut state.session);
        state.refresh_views();
        result
    }

    /// Read the state for an accessor; NULL/0 while a step runs.
    fn read<T>(&self, fallback: T, read: impl FnOnce(&SignupState) -> T) -> T {
        match self.state.try_lock() {
            Ok(state) => read(&state),
            Err(_) => fallback,
        }
    }
}

/// The handle behind a signup pointer. Only shared access is taken: the
/// session itself sits behind a mutex.
///
/// # Safety
/// `signup` is NULL or a live signup handle.
unsafe fn signup_arg<'a>(signup: *mut mxreg_signup) -> Result<&'a SignupHandle, Error> {
    // SAFETY: forwarded.
    unsafe { handle_arg(signup, "signup") }
}

/// Run a step on a signup handle from an extern function.
fn signup_step(
    signup: *mut mxreg_signup,
    error_out: *mut *mut mxreg_error,
    run: impl FnOnce(&Client, &mut SignupSession) -> Result<(), Error>,
) -> mxreg_result {
    // SAFETY: the argument contract of the extern functions.
    ffi_call(error_out, || unsafe { signup_arg(signup) }?.step(run))
}

/// Run a step that takes one required string argument.
fn signup_text_step(
    signup: *mut mxreg_signup,
    (text, name): (*const c_char, &'static str),
    error_out: *mut *mut mxreg_error,
    run: fn(&Client, &mut SignupSession, &str) -> Result<(), Error>,
) -> mxreg_result {
    signup_step(signup, error_out, |client, session| {
        // SAFETY: the argument contract of the extern functions.
        let text = unsafe { str_arg(text, name) }?;
        run(client, session, text)
    })
}

/// The body of an accessor: reads the state; `fallback` for NULL and while
/// a step runs.
fn read_signup<T: Copy>(
    signup: *const mxreg_signup,
    fallback: T,
    read: impl FnOnce(&SignupState) -> T,
) -> T {
    read_handle(signup, fallback, |h| h.read(fallback, read))
}

/// The body of a string accessor: NULL for NULL, while a step runs, and
/// when the state has no such string.
fn read_signup_str(
    signup: *const mxreg_signup,
    pick: impl FnOnce(&SignupState) -> &Option<CString>,
) -> *const c_char {
    read_signup(signup, std::ptr::null(), |s| pick(s).c_ptr())
}

fn new_handle(client: Arc<ClientHandle>, session: SignupSession) -> *mut mxreg_signup {
    into_box_ptr(SignupHandle {
        client,
        state: Mutex::new(SignupState::new(session)),
    })
}

/// Create a signup session for `request` (read during the call only; its
/// `auth_json` is checked like any string but not used: the session builds
/// each `auth` itself). `supported_stages` are the `mxreg_stage` flags
/// the app can complete; flows needing others are avoided. Does no I/O.
///
/// On success writes a new session to `*signup_out`: caller owns it; free it
/// with `mxreg_signup_free`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_new(
    client: *const mxreg_client,
    request: *const mxreg_register_request,
    supported_stages: u32,
    signup_out: *mut *mut mxreg_signup,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { client_arg(client) }?;
        let (request, _) = unsafe { request_arg(request, "request") }?;
        let out = unsafe { out_arg(signup_out, "signup_out") }?;
        if supported_stages & !StageSet::ALL != 0 {
            return Err(Error::invalid_argument(
                "supported_stages",
                "contains bits that are not mxreg_stage flags",
            ));
        }
        request.validate()?;
        let session = SignupSession::new(
            client.client.homeserver().as_str(),
            request,
            StageSet(supported_stages),
        );
        *out = new_handle(client, session);
        Ok(())
    })
}

/// Restore a session saved with `mxreg_signup_save`, for the same
/// homeserver as `client`. Does no I/O: continue with the call the saved
/// state needs (e.g. `mxreg_signup_check_email`).
///
/// On success writes a new session to `*signup_out`: caller owns it.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_restore(
    client: *const mxreg_client,
    saved: *const c_char,
    signup_out: *mut *mut mxreg_signup,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contracts.
        let client = unsafe { client_arg(client) }?;
        let saved = unsafe { document_arg(saved, "saved") }?;
        let out = unsafe { out_arg(signup_out, "signup_out") }?;
        let session = SignupSession::restore(saved, client.client.homeserver().as_str())?;
        *out = new_handle(client, session);
        Ok(())
    })
}

/// Save the session as a JSON string, to finish it later with
/// `mxreg_signup_restore` (e.g. after the app was killed while the user
/// followed an email link). The string holds secrets (the password and the
/// email/phone client secrets): store it as you would the password.
///
/// On success writes the string to `*saved_out`: caller owns it; free it
/// with `mxreg_string_free` (which wipes it). A finished session cannot be
/// saved (`MXREG_RESULT_INVALID_STATE`).
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_save(
    signup: *mut mxreg_signup,
    saved_out: *mut *mut c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    ffi_call(error_out, || {
        // SAFETY: documented argument contract.
        let out = unsafe { out_arg(saved_out, "saved_out") }?;
        let mut saved = Secret::new(String::new());
        unsafe { signup_arg(signup) }?.step(|_, session| {
            saved = Secret::new(session.save()?);
            Ok(())
        })?;
        *out = owned_secret_string(&saved, "saved")?;
        Ok(())
    })
}

/// Send the first request. On success the status is
/// `MXREG_SIGNUP_STATE_NEEDS_STAGE` or `_COMPLETE`. Fails with
/// `MXREG_RESULT_UNSUPPORTED_FLOW` (the message names the stages needed)
/// when no offered flow fits `supported_stages`, and with the server's error
/// (`MXREG_RESULT_USER_IN_USE`, ...) otherwise. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_start(
    signup: *mut mxreg_signup,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_step(signup, error_out, Client::signup_start)
}

/// Where the session is: `MXREG_SIGNUP_STATE_BUSY` while a call on it runs
/// on another thread, `MXREG_SIGNUP_STATE_FAILED` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_status(signup: *const mxreg_signup) -> mxreg_signup_state {
    read_handle(signup, mxreg_signup_state::Failed, |h| {
        h.read(mxreg_signup_state::Busy, |s| s.session.status().into())
    })
}

/// The stage the server wants next (e.g. `"m.login.terms"`), or NULL when
/// none is pending. Borrowed; valid until the next call on `signup`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_next_stage(signup: *const mxreg_signup) -> *const c_char {
    read_signup_str(signup, |s| &s.next_stage)
}

/// The server's last UIA answer (all flows, params, completed stages,
/// session ID), or NULL before the first one. Borrowed; valid until the
/// next call on `signup`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_auth_info(signup: *const mxreg_signup) -> *const mxreg_auth_info {
    read_signup(signup, std::ptr::null(), |s| {
        borrowed_ptr(s.auth_info.as_ref())
    })
}

/// Complete `m.login.registration_token`. A wrong or used-up token gives
/// `MXREG_RESULT_STAGE_REJECTED` and the session stays usable. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_submit_token(
    signup: *mut mxreg_signup,
    token: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_text_step(
        signup,
        (token, "token"),
        error_out,
        Client::signup_submit_token,
    )
}

/// How many policies the `m.login.terms` stage lists (0 when none).
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_policy_count(signup: *const mxreg_signup) -> usize {
    read_signup(signup, 0, |s| s.policies.len())
}

fn policy_field(
    signup: *const mxreg_signup,
    index: usize,
    pick: impl FnOnce(&PolicyView) -> *const c_char,
) -> *const c_char {
    read_signup(signup, std::ptr::null(), |s| {
        s.policies.get(index).map_or(std::ptr::null(), pick)
    })
}

/// Translation `language` (e.g. `"en"`; NULL for English) of a policy, else
/// English, else the first one.
fn translation(view: &PolicyView, language: *const c_char) -> Option<&(CString, CString)> {
    // SAFETY: NULL or a C string (documented contract of the callers).
    let language = unsafe { opt_str_arg(language, "language") }.ok().flatten();
    let chosen = view.policy.translation(language)?;
    let position = view.policy.translations.iter().position(|t| t == chosen)?;
    view.translations.get(position)
}

/// The ID of policy `index` (e.g. `"privacy_policy"`), or NULL out of range.
/// Borrowed; valid until the next call on `signup`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_policy_id(
    signup: *const mxreg_signup,
    index: usize,
) -> *const c_char {
    policy_field(signup, index, |p| p.id.as_ptr())
}

/// The version of policy `index`, or NULL out of range. Borrowed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_policy_version(
    signup: *const mxreg_signup,
    index: usize,
) -> *const c_char {
    policy_field(signup, index, |p| p.version.as_ptr())
}

/// The name of policy `index` in `language` (NULL: English; falls back to
/// English, then the first translation), or NULL out of range. Borrowed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_policy_name(
    signup: *const mxreg_signup,
    index: usize,
    language: *const c_char,
) -> *const c_char {
    policy_field(signup, index, |p| {
        translation(p, language).map_or(std::ptr::null(), |(name, _)| name.as_ptr())
    })
}

/// The URL of policy `index` in `language` (same fallback as the name), or
/// NULL out of range. Show it to the user before `mxreg_signup_accept_terms`.
/// Borrowed; valid until the next call on `signup`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_policy_url(
    signup: *const mxreg_signup,
    index: usize,
    language: *const c_char,
) -> *const c_char {
    policy_field(signup, index, |p| {
        translation(p, language).map_or(std::ptr::null(), |(_, url)| url.as_ptr())
    })
}

/// Complete `m.login.terms`: the user accepted every listed policy. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_accept_terms(
    signup: *mut mxreg_signup,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_step(signup, error_out, Client::signup_accept_terms)
}

/// Ask the server to mail a validation link to `email` (for
/// `m.login.email.identity`). `next_link` (may be NULL) is where the link
/// sends the user afterwards. Calling again for the same address resends the
/// mail. Then, once the user followed the link, `mxreg_signup_check_email`.
/// Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_request_email_token(
    signup: *mut mxreg_signup,
    email: *const c_char,
    next_link: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_step(signup, error_out, |client, session| {
        // SAFETY: documented argument contracts.
        let email = unsafe { str_arg(email, "email") }?;
        let next_link = unsafe { opt_str_arg(next_link, "next_link") }?;
        client.signup_request_email_token(session, email, next_link)
    })
}

/// Complete `m.login.email.identity` if the user followed the link.
/// `MXREG_RESULT_STAGE_REJECTED` means not yet: to wait, call again every few
/// seconds (save the session first if the app may be closed meanwhile).
/// When the server gave a submit URL (`mxreg_signup_email_submit_url` is not
/// NULL) there is no link: `MXREG_RESULT_INVALID_STATE`, use
/// `mxreg_signup_submit_email_code`. Blocks for one request.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_check_email(
    signup: *mut mxreg_signup,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_step(signup, error_out, Client::signup_check_email)
}

/// Where the server wants the code it mailed (the `submit_url` of its
/// `requestToken` answer), or NULL when it gave none (the mail holds a link
/// to follow instead: `mxreg_signup_check_email`). When not NULL, ask the
/// user for the code and call `mxreg_signup_submit_email_code`.
/// Borrowed; valid until the next call on `signup`.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_email_submit_url(signup: *const mxreg_signup) -> *const c_char {
    read_signup_str(signup, |s| &s.email_submit_url)
}

/// Submit the code the user received by email to the server's submit URL
/// (`mxreg_signup_email_submit_url`) and complete `m.login.email.identity`.
/// A wrong code gives `MXREG_RESULT_STAGE_REJECTED` (the session goes on);
/// no submit URL gives `MXREG_RESULT_INVALID_STATE`. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_submit_email_code(
    signup: *mut mxreg_signup,
    code: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_text_step(
        signup,
        (code, "code"),
        error_out,
        Client::signup_submit_email_code,
    )
}

/// Ask the server to text a code to `phone_number` in `country` (ISO 3166-1
/// alpha-2, e.g. `"GB"`) for `m.login.msisdn`. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_request_msisdn_token(
    signup: *mut mxreg_signup,
    country: *const c_char,
    phone_number: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_step(signup, error_out, |client, session| {
        // SAFETY: documented argument contracts.
        let country = unsafe { str_arg(country, "country") }?;
        let number = unsafe { str_arg(phone_number, "phone_number") }?;
        client.signup_request_msisdn_token(session, country, number)
    })
}

/// Submit the code the user received by SMS (to the server's `submit_url`
/// when it gave one) and complete `m.login.msisdn`. A wrong code gives
/// `MXREG_RESULT_STAGE_REJECTED`. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_submit_msisdn_code(
    signup: *mut mxreg_signup,
    code: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_text_step(
        signup,
        (code, "code"),
        error_out,
        Client::signup_submit_msisdn_code,
    )
}

/// Complete `m.login.recaptcha` with the response token the captcha widget
/// produced (its public key is in the params: `mxreg_signup_auth_info`).
/// Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_submit_recaptcha(
    signup: *mut mxreg_signup,
    response: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_text_step(
        signup,
        (response, "response"),
        error_out,
        Client::signup_submit_recaptcha,
    )
}

/// After a call on the session gave `MXREG_RESULT_OUTCOME_UNKNOWN`: end with
/// the account on the session's device (the signup names one device for
/// all its attempts), whatever became of the lost attempt. It is sent
/// again; when the server no longer knows it, mxreg logs in onto that
/// device. When the lost attempt had not finished registration the session
/// simply goes on (`MXREG_SIGNUP_STATE_NEEDS_STAGE`).
/// `MXREG_RESULT_INVALID_STATE` when no attempt was lost. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_recover(
    signup: *mut mxreg_signup,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_step(signup, error_out, Client::signup_recover)
}

/// The server's fallback web page for the next stage
/// (`…/_matrix/client/v3/auth/{type}/fallback/web?session=…`), or NULL when
/// no stage is pending. Open it in a browser; when the user has finished,
/// call `mxreg_signup_fallback_done`. Borrowed; valid until the next call.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_fallback_url(signup: *const mxreg_signup) -> *const c_char {
    read_signup_str(signup, |s| &s.fallback_url)
}

/// The user finished the fallback page: ask the server to go on. Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_fallback_done(
    signup: *mut mxreg_signup,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_step(signup, error_out, Client::signup_fallback_done)
}

/// Complete any stage with an `auth` object the app built, as JSON text
/// (e.g. for a stage type mxreg does not know); the session ID is added.
/// Blocks.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_submit_auth_json(
    signup: *mut mxreg_signup,
    auth_json: *const c_char,
    error_out: *mut *mut mxreg_error,
) -> mxreg_result {
    signup_step(signup, error_out, |client, session| {
        // SAFETY: documented argument contract.
        let auth = unsafe { opt_json_arg(auth_json, "auth_json") }?
            .ok_or(Error::NullArgument("auth_json"))?;
        client.signup_submit_auth(session, auth)
    })
}

/// The created account once the status is `MXREG_SIGNUP_STATE_COMPLETE`,
/// else NULL. Borrowed; valid until `signup` is freed (free the session
/// when you have copied what you need).
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_registration(
    signup: *const mxreg_signup,
) -> *const mxreg_registration {
    read_signup(signup, std::ptr::null(), |s| {
        borrowed_ptr(s.registration.as_ref())
    })
}

/// Free a signup session (wiping the password and secrets it holds). NULL
/// is a no-op. Call once, when no other call on it is running.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_signup_free(signup: *mut mxreg_signup) {
    free_box(signup)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::register::RegisterRequest;
    use crate::client::ClientConfig;

    #[test]
    fn a_second_call_while_one_runs_is_refused() {
        let client = Client::new("http://127.0.0.1:9", &ClientConfig::default()).unwrap();
        let handle = SignupHandle {
            client: Arc::new(ClientHandle::for_tests(client)),
            state: Mutex::new(SignupState::new(SignupSession::new(
                "http://127.0.0.1:9",
                RegisterRequest::default(),
                StageSet(StageSet::ALL),
            ))),
        };
        let nested = handle.step(|_, _| {
            let err = handle.step(|_, _| Ok(())).unwrap_err();
            assert_eq!(err.code(), mxreg_result::InvalidState);
            assert!(err.to_string().contains("in progress"));
            // Accessors see nothing rather than a half-changed session.
            assert_eq!(handle.read(7, |_| 1), 7);
            Ok(())
        });
        nested.unwrap();
    }

    #[test]
    fn stage_flags_match_the_core_values() {
        let pairs = [
            (mxreg_stage::Dummy, StageSet::DUMMY),
            (mxreg_stage::RegistrationToken, StageSet::REGISTRATION_TOKEN),
            (mxreg_stage::Terms, StageSet::TERMS),
            (mxreg_stage::Email, StageSet::EMAIL),
            (mxreg_stage::Msisdn, StageSet::MSISDN),
            (mxreg_stage::Recaptcha, StageSet::RECAPTCHA),
            (mxreg_stage::Fallback, StageSet::FALLBACK),
        ];
        for (flag, core) in pairs {
            assert_eq!(flag as u32, core);
        }
        assert_eq!(MXREG_STAGES_ALL, StageSet::ALL);
    }
}
