//! Drives mxreg through its C ABI from Rust, the way an embedding app does,
//! and copies everything the app could read back into an [`Outcome`]:
//! result code, every error accessor, every registration accessor. Reading
//! them all is part of the test: a bad pointer from any accessor would crash.

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use std::time::{Duration, Instant};

use mxreg::ffi::auth_info::*;
use mxreg::ffi::client::*;
use mxreg::ffi::error::*;
use mxreg::ffi::login::*;
use mxreg::ffi::oauth::device::*;
use mxreg::ffi::oauth::*;
use mxreg::ffi::precheck::*;
use mxreg::ffi::probe::*;
use mxreg::ffi::register::*;
use mxreg::ffi::registration::*;
use mxreg::ffi::signup::*;
use mxreg::ffi::sso::*;
use mxreg::ffi::string::mxreg_string_free;
use mxreg::ffi::tokens::*;
use mxreg::mxreg_result;

/// The shape of the C pre-checks (`mxreg_client_username_available`, ...).
type YesOrNo = extern "C" fn(
    *const mxreg_client,
    *const c_char,
    *mut bool,
    *mut *mut mxreg_error,
) -> mxreg_result;

/// Client settings the tests use: short timeouts keep the suite fast.
#[derive(Clone, Debug)]
pub struct Options {
    pub connect_timeout_ms: u32,
    pub request_timeout_ms: u32,
    pub max_response_bytes: u64,
    pub ca_pem: Option<String>,
    pub allow_insecure_http: bool,
    pub rate_limit_max_wait_ms: u32,
    /// 0: the library's default.
    pub call_timeout_ms: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout_ms: 1000,
            request_timeout_ms: 1500,
            max_response_bytes: 0,
            ca_pem: None,
            allow_insecure_http: false,
            rate_limit_max_wait_ms: 0,
            call_timeout_ms: 0,
        }
    }
}

impl Options {
    /// The longest a call of one request may take: connect plus request
    /// timeout. Tests allow generous slack on top of it (no tight timing).
    pub fn call_budget(&self) -> Duration {
        Duration::from_millis(u64::from(
            self.connect_timeout_ms + self.request_timeout_ms + self.rate_limit_max_wait_ms,
        ))
    }

    /// The same for a call of `requests` requests one after the other.
    pub fn budget_for(&self, requests: u32) -> Duration {
        let one = u64::from(self.connect_timeout_ms + self.request_timeout_ms);
        Duration::from_millis(one * u64::from(requests) + u64::from(self.rate_limit_max_wait_ms))
    }

    fn to_raw(&self, ca_pem: &Option<CString>) -> mxreg_client_options {
        let mut raw = mxreg_client_options::default();
        mxreg_client_options_init(&mut raw);
        raw.connect_timeout_ms = self.connect_timeout_ms;
        raw.request_timeout_ms = self.request_timeout_ms;
        raw.max_response_bytes = self.max_response_bytes;
        raw.allow_insecure_http = self.allow_insecure_http;
        raw.rate_limit_max_wait_ms = self.rate_limit_max_wait_ms;
        raw.call_timeout_ms = self.call_timeout_ms;
        raw.ca_pem = c_ptr(ca_pem);
        raw
    }
}

/// Everything an app could read after one call.
#[derive(Debug, Default)]
pub struct Outcome {
    pub code: Option<mxreg_result>,
    pub message: Option<String>,
    pub errcode: Option<String>,
    pub http_status: u16,
    pub retry_after_ms: i64,
    pub body_json: Option<String>,
    pub auth_flows: Option<Vec<Vec<String>>>,
    pub auth_session: Option<String>,
    pub auth_params_json: Option<String>,
    /// What a successful call gave, as text: the user ID, `true`/`false`,
    /// the new access token.
    pub value: Option<String>,
    pub user_id: Option<String>,
    pub device_id: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub expires_in_ms: i64,
    pub expires_at_ms: i64,
    /// What a probe could not find out: (part, code, message).
    pub unknown: Vec<(u32, mxreg_result, String)>,
    pub elapsed: Duration,
}

impl Outcome {
    /// What a call that returned `code` leaves before its outputs are read:
    /// how long it took since `started`, and no delays (-1).
    fn of_call(code: mxreg_result, started: Instant) -> Self {
        Outcome {
            code: Some(code),
            elapsed: started.elapsed(),
            retry_after_ms: -1,
            expires_in_ms: -1,
            expires_at_ms: -1,
            ..Outcome::default()
        }
    }

    pub fn code(&self) -> mxreg_result {
        self.code.expect("a result code")
    }

    /// Every text the app could log: message, errcode, body.
    pub fn all_text(&self) -> String {
        [&self.message, &self.errcode, &self.body_json]
            .iter()
            .filter_map(|s| s.as_deref())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What to register, as owned strings (the C struct borrows them).
#[derive(Clone, Debug, Default)]
pub struct Registration {
    pub guest: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    pub device_id: Option<String>,
    pub initial_device_display_name: Option<String>,
    pub guest_access_token: Option<String>,
    pub appservice_token: Option<String>,
    pub auth_json: Option<String>,
    pub inhibit_login: bool,
}

/// A borrowed C string as an owned Rust string (lossy: the point is to read
/// every byte, not to judge the encoding).
fn text(ptr: *const c_char) -> Option<String> {
    // SAFETY: the library's accessors return NULL or a NUL-terminated
    // string that stays valid until its handle is freed (after this call).
    (!ptr.is_null()).then(|| {
        unsafe { CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned()
    })
}

fn c(value: &Option<String>) -> Option<CString> {
    value
        .as_deref()
        .map(|s| CString::new(s).expect("test strings have no NUL"))
}

fn c_ptr(value: &Option<CString>) -> *const c_char {
    value.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

/// A raw client reference handed to another thread (the C API documents
/// the client as thread-safe).
pub struct SendPtr(pub *const mxreg_client);

// SAFETY: `mxreg_client` is immutable and thread-safe per its documentation.
unsafe impl Send for SendPtr {}

/// A C-ABI client. Freed on drop.
pub struct CClient(*const mxreg_client);

// SAFETY: the C API documents `mxreg_client` as thread-safe.
unsafe impl Send for CClient {}
unsafe impl Sync for CClient {}

impl CClient {
    pub fn new(url: &str, options: &Options) -> Result<CClient, Box<Outcome>> {
        let url = CString::new(url).expect("URL without NUL");
        let ca_pem = c(&options.ca_pem);
        let raw = options.to_raw(&ca_pem);
        let mut client = ptr::null();
        let mut error = ptr::null_mut();
        let code = mxreg_client_new(url.as_ptr(), &raw, &mut client, &mut error);
        if code == mxreg_result::Ok {
            assert!(error.is_null(), "no error handle on success");
            assert!(!client.is_null(), "a client on success");
            Ok(CClient(client))
        } else {
            assert!(client.is_null(), "no client written on failure");
            let mut outcome = Outcome {
                code: Some(code),
                ..Outcome::default()
            };
            read_error(error, &mut outcome);
            Err(Box::new(outcome))
        }
    }

    pub fn as_ptr(&self) -> *const mxreg_client {
        self.0
    }

    /// One `mxreg_client_register` call, with everything it returned read
    /// and freed.
    pub fn register(&self, what: &Registration) -> Outcome {
        register_with(self.0, what)
    }

    /// `mxreg_client_username_available`.
    pub fn username_available(&self, username: &str) -> Outcome {
        self.yes_or_no(username, mxreg_client_username_available)
    }

    /// `mxreg_client_registration_token_valid`.
    pub fn registration_token_valid(&self, token: &str) -> Outcome {
        self.yes_or_no(token, mxreg_client_registration_token_valid)
    }

    /// A pre-check that answers yes or no about one string; the value is
    /// the answer.
    fn yes_or_no(&self, arg: &str, call: YesOrNo) -> Outcome {
        let arg = CString::new(arg).expect("no NUL");
        let mut answer = false;
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let code = call(self.0, arg.as_ptr(), &mut answer, &mut error);
        finish(code, started, error, || answer.to_string())
    }

    /// `mxreg_signup_new` for every stage type, then `mxreg_signup_start`
    /// (the first `POST /register` of an interactive sign-up); the value is
    /// the session's state.
    pub fn signup_start(&self, what: &Registration) -> Outcome {
        let username = c(&what.username);
        let password = c(&what.password);
        let request = mxreg_register_request {
            username: c_ptr(&username),
            password: c_ptr(&password),
            ..mxreg_register_request::default()
        };
        let mut signup = ptr::null_mut();
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let created = mxreg_signup_new(self.0, &request, MXREG_STAGES_ALL, &mut signup, &mut error);
        assert_eq!(created, mxreg_result::Ok, "a signup session needs no I/O");
        let code = mxreg_signup_start(signup, &mut error);
        let outcome = finish(code, started, error, || {
            format!("{:?}", mxreg_signup_status(signup))
        });
        let _ = (
            mxreg_signup_next_stage(signup),
            mxreg_signup_registration(signup),
        );
        mxreg_signup_free(signup);
        outcome
    }

    /// `mxreg_client_login` with a password (and user) or a login token;
    /// the value is the user ID, every accessor read.
    pub fn login(
        &self,
        user: Option<&str>,
        password: Option<&str>,
        token: Option<&str>,
    ) -> Outcome {
        let strings = [user, password, token].map(|s| s.map(|s| CString::new(s).expect("no NUL")));
        let request = mxreg_login_request {
            user: c_ptr(&strings[0]),
            password: c_ptr(&strings[1]),
            login_token: c_ptr(&strings[2]),
            ..mxreg_login_request::default()
        };
        let mut account = ptr::null_mut();
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let code = mxreg_client_login(self.0, &request, &mut account, &mut error);
        let outcome = finish(code, started, error, || {
            let _ = (
                text(mxreg_registration_device_id(account)),
                text(mxreg_registration_access_token(account)),
                text(mxreg_registration_refresh_token(account)),
                mxreg_registration_expires_in_ms(account),
                mxreg_registration_expires_at_ms(account),
            );
            text(mxreg_registration_user_id(account)).expect("a user ID")
        });
        if code != mxreg_result::Ok {
            assert!(account.is_null(), "no account written on failure");
        }
        mxreg_registration_free(account);
        outcome
    }

    /// `mxreg_client_sso_url` for identity provider `idp_id`; the value is
    /// the URL.
    pub fn sso_url(&self, idp_id: &str) -> Outcome {
        let idp_id = CString::new(idp_id).expect("no NUL");
        let redirect_url = CString::new("https://app.example/sso").expect("no NUL");
        let mut url = ptr::null_mut();
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let code = mxreg_client_sso_url(
            self.0,
            idp_id.as_ptr(),
            redirect_url.as_ptr(),
            mxreg_sso_action::Register as u32,
            &mut url,
            &mut error,
        );
        let outcome = finish(code, started, error, || text(url).expect("a URL"));
        if code != mxreg_result::Ok {
            assert!(url.is_null(), "no URL written on failure");
        }
        mxreg_string_free(url);
        outcome
    }

    /// Discovery, then `mxreg_oauth_device_authorization_start` for device
    /// `DEV`, then (when `poll`) one `mxreg_oauth_device_authorization_poll`.
    /// Only the last call is measured and reported; the value is the user
    /// code, or the polled account's user ID.
    pub fn device_authorization(&self, poll: bool) -> Outcome {
        let client_id = CString::new("hostile-client").expect("no NUL");
        let device_id = CString::new("DEV").expect("no NUL");
        let mut server = ptr::null_mut();
        let mut error = ptr::null_mut();
        // Without a server (refused, stalled), discovery is the call that fails.
        let started_at = Instant::now();
        let discovered = mxreg_oauth_server_discover(self.0, &mut server, &mut error);
        if discovered != mxreg_result::Ok {
            return finish(discovered, started_at, error, String::new);
        }
        let mut device = ptr::null_mut();
        let started_at = Instant::now();
        let code = mxreg_oauth_device_authorization_start(
            server,
            client_id.as_ptr(),
            device_id.as_ptr(),
            &mut device,
            &mut error,
        );
        mxreg_oauth_server_free(server);
        let outcome = if poll {
            assert_eq!(
                code,
                mxreg_result::Ok,
                "the preamble's device authorization works"
            );
            let mut account = ptr::null_mut();
            let started_at = Instant::now();
            let code = mxreg_oauth_device_authorization_poll(device, &mut account, &mut error);
            let outcome = finish(code, started_at, error, || {
                let _ = text(mxreg_registration_access_token(account));
                text(mxreg_registration_user_id(account)).expect("a user ID")
            });
            if code != mxreg_result::Ok {
                assert!(account.is_null(), "no account written on failure");
            }
            mxreg_registration_free(account);
            outcome
        } else {
            finish(code, started_at, error, || {
                let _ = (
                    text(mxreg_oauth_device_authorization_verification_uri(device)),
                    text(mxreg_oauth_device_authorization_verification_uri_complete(
                        device,
                    )),
                    mxreg_oauth_device_authorization_expires_at_ms(device),
                    mxreg_oauth_device_authorization_interval_ms(device),
                );
                text(mxreg_oauth_device_authorization_user_code(device)).expect("a user code")
            })
        };
        mxreg_oauth_device_authorization_free(device);
        outcome
    }

    /// `mxreg_client_refresh`; the value is the new access token.
    pub fn refresh(&self, refresh_token: &str) -> Outcome {
        let refresh_token = CString::new(refresh_token).expect("no NUL");
        let mut tokens = ptr::null_mut();
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let code = mxreg_client_refresh(self.0, refresh_token.as_ptr(), &mut tokens, &mut error);
        let outcome = finish(code, started, error, || {
            let access = text(mxreg_tokens_access_token(tokens)).expect("an access token");
            let _ = text(mxreg_tokens_refresh_token(tokens));
            let _ = (
                mxreg_tokens_expires_in_ms(tokens),
                mxreg_tokens_expires_at_ms(tokens),
            );
            access
        });
        if code != mxreg_result::Ok {
            assert!(tokens.is_null(), "no tokens written on failure");
        }
        mxreg_tokens_free(tokens);
        outcome
    }
}

/// `mxreg_probe_server`; the value is the probe's JSON, and what it could
/// not find out goes to `unknown`.
pub fn probe(server: &str, options: &Options, check_guest_access: bool) -> Outcome {
    let server = CString::new(server).expect("no NUL");
    let ca_pem = c(&options.ca_pem);
    let raw = options.to_raw(&ca_pem);
    let mut probe = ptr::null_mut();
    let mut error = ptr::null_mut();
    let started = Instant::now();
    let code = mxreg_probe_server(
        server.as_ptr(),
        &raw,
        check_guest_access,
        &mut probe,
        &mut error,
    );
    let mut unknown = Vec::new();
    let outcome = finish(code, started, error, || {
        let _ = (
            text(mxreg_probe_homeserver_url(probe)),
            mxreg_probe_signup_methods(probe),
            mxreg_probe_auth_info(probe),
        );
        let count = mxreg_probe_unknown_count(probe);
        let mut flags = 0;
        for index in 0..count {
            let part = mxreg_probe_unknown_part(probe, index);
            flags |= part;
            unknown.push((
                part,
                mxreg_probe_unknown_result(probe, index),
                text(mxreg_probe_unknown_message(probe, index)).expect("a message"),
            ));
        }
        assert_eq!(flags, mxreg_probe_unknown_parts(probe));
        text(mxreg_probe_json(probe)).expect("the probe's JSON")
    });
    if code != mxreg_result::Ok {
        assert!(probe.is_null(), "no probe written on failure");
    }
    mxreg_probe_free(probe);
    Outcome { unknown, ..outcome }
}

/// The redirect URI the OAuth cases register and complete with.
pub const REDIRECT_URI: &str = "http://127.0.0.1:8499/callback";

/// An `mxreg_oauth_server` (freed on drop).
pub struct COAuthServer(*mut mxreg_oauth_server);

impl Drop for COAuthServer {
    fn drop(&mut self) {
        mxreg_oauth_server_free(self.0);
    }
}

impl CClient {
    /// `mxreg_oauth_server_discover`.
    pub fn oauth_discover(&self) -> (Outcome, Option<COAuthServer>) {
        let mut server = ptr::null_mut();
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let code = mxreg_oauth_server_discover(self.0, &mut server, &mut error);
        let outcome = finish(code, started, error, || {
            let _ = (
                text(mxreg_oauth_server_account_management_uri(server)),
                text(mxreg_oauth_server_metadata_json(server)),
            );
            text(mxreg_oauth_server_issuer(server)).expect("an issuer")
        });
        let server = (code == mxreg_result::Ok).then(|| COAuthServer(server));
        (outcome, server)
    }
}

impl COAuthServer {
    /// `mxreg_oauth_server_register_client`; the value is the client ID.
    pub fn register_client(&self) -> Outcome {
        let client_uri = CString::new("https://client.example.org/").unwrap();
        let redirect = CString::new(REDIRECT_URI).unwrap();
        let redirects = [redirect.as_ptr()];
        let mut metadata = mxreg_oauth_client_metadata::default();
        mxreg_oauth_client_metadata_init(&mut metadata);
        metadata.client_uri = client_uri.as_ptr();
        metadata.redirect_uris = redirects.as_ptr();
        metadata.redirect_uri_count = redirects.len();
        let mut registered = ptr::null_mut();
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let code =
            mxreg_oauth_server_register_client(self.0, &metadata, &mut registered, &mut error);
        finish_and_free(
            code,
            started,
            error,
            registered,
            mxreg_oauth_registered_client_free,
            |registered| {
                let _ = text(mxreg_oauth_registered_client_metadata_json(registered));
                text(mxreg_oauth_registered_client_client_id(registered)).expect("a client ID")
            },
        )
    }

    /// Start a sign-up and complete it with a redirect carrying a code (the
    /// token exchange, then `whoami`); the value is the user ID.
    pub fn complete_sign_up(&self) -> Outcome {
        let client_id = CString::new("client-1").unwrap();
        let redirect = CString::new(REDIRECT_URI).unwrap();
        let mut request = mxreg_oauth_authorization_request::default();
        mxreg_oauth_authorization_request_init(&mut request);
        request.client_id = client_id.as_ptr();
        request.redirect_uri = redirect.as_ptr();
        let mut authorization = ptr::null_mut();
        let mut error = ptr::null_mut();
        let started =
            mxreg_oauth_authorization_start(self.0, &request, &mut authorization, &mut error);
        assert_eq!(started, mxreg_result::Ok, "starting needs no I/O");
        let state = text(mxreg_oauth_authorization_state(authorization)).expect("a state");
        let back = CString::new(format!("{REDIRECT_URI}?code=the-code&state={state}")).unwrap();
        let mut registration = ptr::null_mut();
        let started = Instant::now();
        let code = mxreg_oauth_authorization_complete(
            authorization,
            back.as_ptr(),
            &mut registration,
            &mut error,
        );
        let outcome = finish(code, started, error, || {
            let _ = (
                text(mxreg_registration_access_token(registration)),
                text(mxreg_registration_refresh_token(registration)),
                text(mxreg_registration_device_id(registration)),
            );
            text(mxreg_registration_user_id(registration)).expect("a user ID")
        });
        mxreg_registration_free(registration);
        mxreg_oauth_authorization_free(authorization);
        outcome
    }

    /// `mxreg_oauth_server_refresh_token`; the value is the access token.
    pub fn refresh(&self) -> Outcome {
        let client_id = CString::new("client-1").unwrap();
        let token = CString::new("old-refresh-token").unwrap();
        let mut tokens = ptr::null_mut();
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let code = mxreg_oauth_server_refresh_token(
            self.0,
            client_id.as_ptr(),
            token.as_ptr(),
            &mut tokens,
            &mut error,
        );
        finish_and_free(code, started, error, tokens, mxreg_tokens_free, |tokens| {
            let _ = text(mxreg_tokens_refresh_token(tokens));
            text(mxreg_tokens_access_token(tokens)).expect("an access token")
        })
    }

    /// `mxreg_oauth_server_revoke_token`.
    pub fn revoke(&self) -> Outcome {
        let client_id = CString::new("client-1").unwrap();
        let token = CString::new("a-token").unwrap();
        let mut error = ptr::null_mut();
        let started = Instant::now();
        let code =
            mxreg_oauth_server_revoke_token(self.0, client_id.as_ptr(), token.as_ptr(), &mut error);
        finish(code, started, error, || "revoked".into())
    }
}

/// The outcome of a call whose success value is read by `value`.
fn finish(
    code: mxreg_result,
    started: Instant,
    error: *mut mxreg_error,
    value: impl FnOnce() -> String,
) -> Outcome {
    let mut outcome = Outcome::of_call(code, started);
    if code == mxreg_result::Ok {
        assert!(error.is_null(), "no error handle on success");
        outcome.value = Some(value());
    } else {
        read_error(error, &mut outcome);
    }
    outcome
}

/// [`finish`] for a call that hands back an object: the value is read
/// from it, then it is freed (null, on failure, is fine to free).
fn finish_and_free<T>(
    code: mxreg_result,
    started: Instant,
    error: *mut mxreg_error,
    object: *mut T,
    free: extern "C" fn(*mut T),
    value: impl FnOnce(*mut T) -> String,
) -> Outcome {
    let outcome = finish(code, started, error, || value(object));
    free(object);
    outcome
}

impl Drop for CClient {
    fn drop(&mut self) {
        mxreg_client_free(self.0);
    }
}

/// `mxreg_client_register` on a raw client pointer.
pub fn register_with(client: *const mxreg_client, what: &Registration) -> Outcome {
    let strings = [
        c(&what.username),
        c(&what.password),
        c(&what.device_id),
        c(&what.initial_device_display_name),
        c(&what.guest_access_token),
        c(&what.appservice_token),
        c(&what.auth_json),
    ];
    let mut request = mxreg_register_request::default();
    mxreg_register_request_init(&mut request);
    request.username = c_ptr(&strings[0]);
    request.password = c_ptr(&strings[1]);
    request.device_id = c_ptr(&strings[2]);
    request.initial_device_display_name = c_ptr(&strings[3]);
    request.guest_access_token = c_ptr(&strings[4]);
    request.appservice_token = c_ptr(&strings[5]);
    request.auth_json = c_ptr(&strings[6]);
    request.inhibit_login = what.inhibit_login;
    if what.guest {
        request.kind = mxreg_account_kind::Guest as u32;
    }
    let mut registration = ptr::null_mut();
    let mut error = ptr::null_mut();
    let started = Instant::now();
    let code = mxreg_client_register(client, &request, &mut registration, &mut error);
    let mut outcome = Outcome::of_call(code, started);
    if code == mxreg_result::Ok {
        assert!(error.is_null(), "no error handle on success");
        assert!(!registration.is_null(), "a registration on success");
        outcome.user_id = text(mxreg_registration_user_id(registration));
        outcome.device_id = text(mxreg_registration_device_id(registration));
        outcome.access_token = text(mxreg_registration_access_token(registration));
        outcome.refresh_token = text(mxreg_registration_refresh_token(registration));
        outcome.expires_in_ms = mxreg_registration_expires_in_ms(registration);
        outcome.expires_at_ms = mxreg_registration_expires_at_ms(registration);
        assert!(outcome.user_id.is_some(), "a registration has a user ID");
        outcome.value = outcome.user_id.clone();
        mxreg_registration_free(registration);
    } else {
        assert!(registration.is_null(), "no registration written on failure");
        read_error(error, &mut outcome);
    }
    outcome
}

/// Read every accessor of `error` into `outcome`, then free it.
fn read_error(error: *mut mxreg_error, outcome: &mut Outcome) {
    assert!(!error.is_null(), "an error handle on failure");
    assert_eq!(
        mxreg_error_code(error),
        outcome.code(),
        "the error carries the returned code"
    );
    outcome.message = text(mxreg_error_message(error));
    assert!(outcome.message.is_some(), "every error has a message");
    outcome.errcode = text(mxreg_error_errcode(error));
    outcome.http_status = mxreg_error_http_status(error);
    outcome.retry_after_ms = mxreg_error_retry_after_ms(error);
    outcome.body_json = text(mxreg_error_body_json(error));
    let info = mxreg_error_auth_info(error);
    if !info.is_null() {
        let flows = (0..mxreg_auth_info_flow_count(info))
            .map(|flow| {
                (0..mxreg_auth_info_flow_stage_count(info, flow))
                    .map(|stage| {
                        text(mxreg_auth_info_flow_stage(info, flow, stage))
                            .expect("stages in range are not NULL")
                    })
                    .collect()
            })
            .collect();
        for index in 0..mxreg_auth_info_completed_count(info) {
            assert!(text(mxreg_auth_info_completed(info, index)).is_some());
        }
        outcome.auth_flows = Some(flows);
        outcome.auth_session = text(mxreg_auth_info_session(info));
        outcome.auth_params_json = text(mxreg_auth_info_params_json(info));
    }
    mxreg_error_free(error);
}
