//! The blocking client: a homeserver URL plus a transport, immutable and
//! shareable across threads. Every endpoint call goes through
//! `Client::post_json` / `Client::get_json`, which add the opt-in
//! automatic retry on rate limits.

use std::collections::HashSet;
use std::sync::Mutex;
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::dialects;
use crate::api::discovery::LoginFlows;
use crate::api::login::{LOGIN_PATH, LoginCredential, LoginRequest};
use crate::api::precheck::{
    AvailableResponse, TokenValidityResponse, available_path, check_localpart, token_validity_path,
};
use crate::api::refresh::{REFRESH_PATH, RefreshBody, RefreshResponse};
use crate::api::register::{AccountKind, RegisterRequest, RegisterResponse};
use crate::api::sso::{
    SsoAction, check_redirect_url, check_sso_offered, login_token_from_redirect, redirect_path,
};
use crate::error::Error;
use crate::homeserver_url::BaseUrl;
use crate::random::{Randomness, SystemRandomness};
use crate::registration::{Registration, TokenPair};
use crate::result::mxreg_result;
use crate::secret::Secret;
use crate::transport::{Method, Request, Transport, TransportConfig};

/// The wait used when a 429 carries no delay.
const DEFAULT_RATE_LIMIT_DELAY: Duration = Duration::from_secs(1);
/// The shortest wait before a retry: a server asking for none (`0`) would
/// otherwise get the same request again at once, for ever.
pub(crate) const MIN_RATE_LIMIT_DELAY: Duration = Duration::from_millis(250);
/// At most this many requests for one call while retrying on rate limits.
pub(crate) const MAX_RATE_LIMIT_ATTEMPTS: u32 = 16;
/// The default bound on a whole call (every request it sends), rate-limit
/// waits aside.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Client settings. See [`TransportConfig`] for the transport defaults.
#[derive(Clone, Debug, Default)]
pub struct ClientConfig {
    pub transport: TransportConfig,
    /// When the server rate-limits a call, wait as it asks and try again, as
    /// long as the total wait stays within this. Zero (the default) turns
    /// automatic retries off: a 429 is returned as `RateLimited`.
    pub rate_limit_max_wait: Duration,
    /// The bound on a whole call, however many requests it sends (the probe,
    /// OAuth completion, retries); rate-limit waits add to it. `None`:
    /// [`DEFAULT_CALL_TIMEOUT`].
    pub call_timeout: Option<Duration>,
}

/// When a call must be over: every request it sends gets at most what is
/// left. Copy it into the threads a call starts.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn after(duration: Duration) -> Self {
        let now = Instant::now();
        Deadline(
            now.checked_add(duration)
                .unwrap_or(now + DEFAULT_CALL_TIMEOUT),
        )
    }

    pub fn instant(self) -> Instant {
        self.0
    }

    /// What is left, or `Timeout` once it has passed.
    pub fn remaining(self) -> Result<Duration, Error> {
        let left = self.0.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(Error::Timeout("the call's overall deadline passed".into()))
        } else {
            Ok(left)
        }
    }
}

impl ClientConfig {
    pub fn with_timeouts(mut self, connect: Duration, request: Duration) -> Self {
        self.transport.connect_timeout = connect;
        self.transport.request_timeout = request;
        self
    }
}

/// A homeserver client. `Send + Sync`: share one across threads.
pub struct Client {
    homeserver: BaseUrl,
    transport: Transport,
    rate_limit_max_wait: Duration,
    call_timeout: Duration,
    /// Registrations under way, by user and device: a second call for the
    /// same account and device while one runs is refused.
    in_flight: Mutex<HashSet<String>>,
}

/// A registration's place in `Client::in_flight`, given back when dropped.
struct InFlight<'a> {
    registry: &'a Mutex<HashSet<String>>,
    key: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.key);
    }
}

/// The checks every registration call makes before it sends anything.
fn check_register_arguments(request: &RegisterRequest, auth: Option<&Value>) -> Result<(), Error> {
    request.validate()?;
    if auth.is_some_and(|auth| !auth.is_object()) {
        return Err(Error::invalid_argument("auth", "must be a JSON object"));
    }
    Ok(())
}

/// An answer from the server refusing the attempt (not a transport failure
/// nor a rate limit): after a lost answer, the account may exist anyway.
fn is_server_refusal(err: &Error) -> bool {
    let code = err.code() as u32;
    (200..300).contains(&code) && err.code() != mxreg_result::RateLimited
}

impl Client {
    pub fn new(homeserver_url: &str, config: &ClientConfig) -> Result<Self, Error> {
        let homeserver = BaseUrl::parse(homeserver_url, config.transport.allow_insecure_http)?;
        let transport = Transport::new(&config.transport)?;
        let call_timeout = config.call_timeout.unwrap_or(DEFAULT_CALL_TIMEOUT);
        if call_timeout.is_zero() {
            return Err(Error::invalid_argument(
                "call_timeout",
                "the overall deadline must be positive",
            ));
        }
        Ok(Client {
            homeserver,
            transport,
            rate_limit_max_wait: config.rate_limit_max_wait,
            in_flight: Mutex::new(HashSet::new()),
            call_timeout,
        })
    }

    /// The deadline of a call starting now: the call timeout plus the time
    /// it may spend waiting out rate limits.
    pub fn deadline(&self) -> Deadline {
        Deadline::after(self.call_timeout.saturating_add(self.rate_limit_max_wait))
    }

    pub fn homeserver(&self) -> &BaseUrl {
        &self.homeserver
    }

    /// The same client (transport, pool, settings) for another base URL:
    /// the one `.well-known` discovery pointed to.
    pub(crate) fn rebased(mut self, homeserver: BaseUrl) -> Self {
        self.homeserver = homeserver;
        self
    }

    /// For the OAuth module (form bodies) and the probe.
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// One `POST /register` attempt with the given `auth` dict (`None` for the
    /// first request). A UIA answer is `Err(Error::AuthRequired)`.
    ///
    /// Every attempt that logs in names a device: the request's, or one
    /// generated for this attempt, which an `OutcomeUnknown` error carries
    /// (`Error::device_id`) so that [`Client::recover_registration`] can
    /// reach that same device.
    pub fn register(
        &self,
        request: &RegisterRequest,
        auth: Option<&Value>,
    ) -> Result<Registration, Error> {
        check_register_arguments(request, auth)?;
        let generated;
        let device_id = match (&request.device_id, request.inhibit_login) {
            (Some(device_id), _) => Some(device_id.as_str()),
            (None, true) => None,
            (None, false) => {
                generated = SystemRandomness.device_id()?;
                Some(generated.as_str())
            }
        };
        let _in_flight = self.claim(request, device_id)?;
        self.send_register(request, auth, device_id)
    }

    /// After `OutcomeUnknown`: end with the account and the device the lost
    /// attempt named, whatever happened to it. `request` is the lost one
    /// with its `device_id` set (the app's, or `Error::device_id` of the
    /// error) and `auth` the same. The attempt is sent again: a server that
    /// remembers the finished session (Synapse, Dendrite) answers with the
    /// account on that device. One that forgot it (Tuwunel, Continuwuity
    /// drop the session on success) or a name now taken leads to a password
    /// login onto that device; if that fails, the re-sent attempt's error is
    /// returned.
    pub fn recover_registration(
        &self,
        request: &RegisterRequest,
        auth: Option<&Value>,
    ) -> Result<Registration, Error> {
        check_register_arguments(request, auth)?;
        let device_id = request.device_id.as_deref().ok_or_else(|| {
            Error::invalid_argument(
                "device_id",
                "recovery needs the device ID of the lost attempt (the app's, or the one its OUTCOME_UNKNOWN error carries)",
            )
        })?;
        let _in_flight = self.claim(request, Some(device_id))?;
        match self.send_register(request, auth, Some(device_id)) {
            Err(err) if is_server_refusal(&err) => {
                self.login_onto_device(request, device_id).map_err(|_| err)
            }
            answer => answer,
        }
    }

    /// Reserve `request`'s user and device for one call at a time.
    fn claim(
        &self,
        request: &RegisterRequest,
        device_id: Option<&str>,
    ) -> Result<Option<InFlight<'_>>, Error> {
        let Some(device_id) = device_id else {
            return Ok(None);
        };
        let key = format!(
            "{}\u{0}{device_id}",
            request.username.as_deref().unwrap_or_default()
        );
        let mut registry = self
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !registry.insert(key.clone()) {
            return Err(Error::InvalidState(format!(
                "a registration for device {device_id} is already under way on this client"
            )));
        }
        Ok(Some(InFlight {
            registry: &self.in_flight,
            key,
        }))
    }

    fn send_register(
        &self,
        request: &RegisterRequest,
        auth: Option<&Value>,
        device_id: Option<&str>,
    ) -> Result<Registration, Error> {
        let parsed: RegisterResponse = self
            .post_json(
                &self.homeserver.join(&request.path()),
                &request.body(auth, device_id),
                request.appservice_token.as_ref().map(Secret::expose),
                true,
                self.deadline(),
            )
            .map_err(|err| {
                let err = err.redact(&request.secrets(auth)).with_device_id(device_id);
                match request.kind {
                    AccountKind::Guest => dialects::guest_refusal(err),
                    AccountKind::User => err,
                }
            })?;
        request.check_response(&parsed)?;
        Ok(Registration::from_response(parsed, SystemTime::now()))
    }

    /// `POST /login` with the request's user and password onto `device_id`.
    fn login_onto_device(
        &self,
        request: &RegisterRequest,
        device_id: &str,
    ) -> Result<Registration, Error> {
        let (Some(user), Some(password)) = (&request.username, &request.password) else {
            return Err(Error::InvalidState(
                "no username and password to log in with".into(),
            ));
        };
        let mut login = LoginRequest::new(LoginCredential::Password {
            user: user.clone(),
            password: password.clone(),
        });
        login.device_id = Some(device_id.to_owned());
        login.initial_device_display_name = request.initial_device_display_name.clone();
        login.refresh_token = request.refresh_token;
        self.login(&login)
    }

    /// `POST /login` (password or login token): the account handle a
    /// registration gives, for an existing account.
    pub fn login(&self, request: &LoginRequest) -> Result<Registration, Error> {
        request.validate()?;
        let parsed: RegisterResponse = self
            .post_json(
                &self.homeserver.join(LOGIN_PATH),
                &request.body(),
                None,
                request.spends_credential(),
                self.deadline(),
            )
            .map_err(|err| err.redact(&[request.secret()]))?;
        // The same fields as a registration's, but a login always logs in.
        parsed.check()?;
        if parsed.access_token.is_none() || parsed.device_id.is_none() {
            return Err(Error::InvalidResponse(
                "the login answer lacks access_token or device_id".into(),
            ));
        }
        Ok(Registration::from_response(parsed, SystemTime::now()))
    }

    /// The URL of `GET /login/sso/redirect[/{idp_id}]` for the app to open
    /// in a browser, after checking on `GET /login` that the server offers
    /// SSO (and `idp_id`, when given) and does not prefer OAuth 2.0.
    pub fn sso_url(
        &self,
        idp_id: Option<&str>,
        redirect_url: &str,
        action: SsoAction,
    ) -> Result<String, Error> {
        check_redirect_url(redirect_url)?;
        let flows: LoginFlows =
            self.get_json(&self.homeserver.join(LOGIN_PATH), self.deadline())?;
        check_sso_offered(&flows, idp_id)?;
        Ok(self
            .homeserver
            .join(&redirect_path(idp_id, redirect_url, action)))
    }

    /// Redeem the `loginToken` of the redirect the app received after SSO
    /// (`m.login.token`): the new or existing account's handle.
    pub fn sso_complete(&self, received_redirect_url: &str) -> Result<Registration, Error> {
        let token = login_token_from_redirect(received_redirect_url)?;
        self.login(&LoginRequest::new(LoginCredential::Token { token }))
    }

    /// `GET /register/available`: `Ok(false)` when the name is taken; an
    /// invalid name is `Err` (`InvalidUsername`). The localpart grammar is
    /// checked first, without a request.
    pub fn username_available(&self, username: &str) -> Result<bool, Error> {
        check_localpart(username, None)?;
        let url = self.homeserver.join(&available_path(username));
        match self.get_json::<AvailableResponse>(&url, self.deadline()) {
            Ok(answer) => Ok(answer.available),
            Err(err) if err.code() == mxreg_result::UserInUse => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// `GET /_matrix/client/v1/register/m.login.registration_token/validity`.
    pub fn registration_token_valid(&self, token: &str) -> Result<bool, Error> {
        let url = self.homeserver.join(&token_validity_path(token));
        self.get_json::<TokenValidityResponse>(&url, self.deadline())
            .map(|answer| answer.valid)
            .map_err(|err| err.redact(&[token, &crate::homeserver_url::encode_query_value(token)]))
    }

    /// `POST /refresh`: a new access token (and maybe a new refresh token).
    pub fn refresh(&self, refresh_token: &str) -> Result<TokenPair, Error> {
        let answer: RefreshResponse = self
            .post_json(
                &self.homeserver.join(REFRESH_PATH),
                &RefreshBody { refresh_token },
                None,
                false,
                self.deadline(),
            )
            .map_err(|err| err.redact(&[refresh_token]))?;
        answer.check()?;
        Ok(TokenPair::from_response(answer, SystemTime::now()))
    }

    /// POST a JSON body and decode the answer, retrying on rate limits when
    /// configured. The serialised body is wiped after each attempt.
    pub(crate) fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
        bearer: Option<&str>,
        creates_state: bool,
        deadline: Deadline,
    ) -> Result<T, Error> {
        self.retrying_rate_limits(deadline, || {
            let bytes = crate::secret::to_json_exact(body)
                .map_err(|err| Error::invalid_argument("body", err.to_string()))?;
            let response = self.transport.send(Request {
                method: Method::Post,
                url,
                body: Some(bytes),
                bearer,
                creates_state,
                deadline: Some(deadline.instant()),
            })?;
            response.answer().decode()
        })
    }

    /// GET and decode the answer, retrying on rate limits when configured.
    pub(crate) fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        deadline: Deadline,
    ) -> Result<T, Error> {
        self.retrying_rate_limits(deadline, || {
            let response = self.transport.send(Request {
                method: Method::Get,
                url,
                body: None,
                bearer: None,
                creates_state: false,
                deadline: Some(deadline.instant()),
            })?;
            response.answer().decode()
        })
    }

    /// Run `attempt`; on a 429, when retries are on (a wait budget), wait
    /// as the server asks (at least [`MIN_RATE_LIMIT_DELAY`]) and run it
    /// again, within the budget, the deadline and [`MAX_RATE_LIMIT_ATTEMPTS`].
    /// With retries off a 429 comes back after one request.
    fn retrying_rate_limits<T>(
        &self,
        deadline: Deadline,
        mut attempt: impl FnMut() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut waited = Duration::ZERO;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match attempt() {
                Err(err) if err.code() == mxreg_result::RateLimited => {
                    let delay = err
                        .retry_after_ms()
                        .map_or(DEFAULT_RATE_LIMIT_DELAY, Duration::from_millis)
                        .max(MIN_RATE_LIMIT_DELAY);
                    let within_budget = waited.saturating_add(delay) <= self.rate_limit_max_wait;
                    let before_deadline = deadline.remaining().is_ok_and(|left| delay < left);
                    if self.rate_limit_max_wait.is_zero()
                        || attempts >= MAX_RATE_LIMIT_ATTEMPTS
                        || !within_budget
                        || !before_deadline
                    {
                        return Err(err);
                    }
                    sleep(delay);
                    waited += delay;
                }
                other => return other,
            }
        }
    }
}
