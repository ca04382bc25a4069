//! The blocking client: a homeserver URL plus a transport, immutable and
//! shareable across threads. Every endpoint call goes through
//! `Client::post_json` / `Client::get_json`, which add the opt-in
//! automatic retry on rate limits.

use std::thread::sleep;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::precheck::{
    AvailableResponse, TokenValidityResponse, available_path, check_localpart, token_validity_path,
};
use crate::api::refresh::{REFRESH_PATH, RefreshBody, RefreshResponse};
use crate::api::register::{RegisterRequest, RegisterResponse};
use crate::error::Error;
use crate::homeserver_url::BaseUrl;
use crate::registration::{Registration, TokenPair};
use crate::result::mxreg_result;
use crate::secret::Secret;
use crate::transport::{Method, Request, Transport, TransportConfig};

/// The wait used when a 429 carries no delay.
const DEFAULT_RATE_LIMIT_DELAY: Duration = Duration::from_secs(1);

/// Client settings. See [`TransportConfig`] for the transport defaults.
#[derive(Clone, Debug, Default)]
pub struct ClientConfig {
    pub transport: TransportConfig,
    /// When the server rate-limits a call, wait as it asks and try again, as
    /// long as the total wait stays within this. Zero (the default) turns
    /// automatic retries off: a 429 is returned as `RateLimited`.
    pub rate_limit_max_wait: Duration,
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
}

impl Client {
    pub fn new(homeserver_url: &str, config: &ClientConfig) -> Result<Self, Error> {
        let homeserver = BaseUrl::parse(homeserver_url, config.transport.allow_insecure_http)?;
        let transport = Transport::new(&config.transport)?;
        Ok(Client {
            homeserver,
            transport,
            rate_limit_max_wait: config.rate_limit_max_wait,
        })
    }

    pub fn homeserver(&self) -> &BaseUrl {
        &self.homeserver
    }

    #[allow(dead_code)] // for the OAuth module, which sends form bodies
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// One `POST /register` attempt with the given `auth` dict (`None` for the
    /// first request). A UIA answer is `Err(Error::AuthRequired)`.
    pub fn register(
        &self,
        request: &RegisterRequest,
        auth: Option<&Value>,
    ) -> Result<Registration, Error> {
        request.validate()?;
        if auth.is_some_and(|auth| !auth.is_object()) {
            return Err(Error::invalid_argument("auth", "must be a JSON object"));
        }
        let parsed: RegisterResponse = self
            .post_json(
                &self.homeserver.join(&request.path()),
                &request.body(auth),
                request.appservice_token.as_ref().map(Secret::expose),
                true,
            )
            .map_err(|err| err.redact(&request.secrets(auth)))?;
        Ok(Registration::from_response(parsed, SystemTime::now()))
    }

    /// `GET /register/available`: `Ok(false)` when the name is taken; an
    /// invalid name is `Err` (`InvalidUsername`). The localpart grammar is
    /// checked first, without a request.
    pub fn username_available(&self, username: &str) -> Result<bool, Error> {
        check_localpart(username, None)?;
        let url = self.homeserver.join(&available_path(username));
        match self.get_json::<AvailableResponse>(&url) {
            Ok(answer) => Ok(answer.available),
            Err(err) if err.code() == mxreg_result::UserInUse => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// `GET /_matrix/client/v1/register/m.login.registration_token/validity`.
    pub fn registration_token_valid(&self, token: &str) -> Result<bool, Error> {
        let url = self.homeserver.join(&token_validity_path(token));
        self.get_json::<TokenValidityResponse>(&url)
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
            )
            .map_err(|err| err.redact(&[refresh_token]))?;
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
    ) -> Result<T, Error> {
        self.retrying_rate_limits(|| {
            let bytes = serde_json::to_vec(body)
                .map_err(|err| Error::invalid_argument("body", err.to_string()))?;
            let response = self.transport.send(Request {
                method: Method::Post,
                url,
                body: Some(bytes),
                bearer,
                creates_state,
            })?;
            response.answer().decode()
        })
    }

    /// GET and decode the answer, retrying on rate limits when configured.
    pub(crate) fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, Error> {
        self.retrying_rate_limits(|| {
            let response = self.transport.send(Request {
                method: Method::Get,
                url,
                body: None,
                bearer: None,
                creates_state: false,
            })?;
            response.answer().decode()
        })
    }

    fn retrying_rate_limits<T>(
        &self,
        mut attempt: impl FnMut() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut waited = Duration::ZERO;
        loop {
            match attempt() {
                Err(err) if err.code() == mxreg_result::RateLimited => {
                    let delay = err
                        .retry_after_ms()
                        .map_or(DEFAULT_RATE_LIMIT_DELAY, Duration::from_millis);
                    if waited.saturating_add(delay) > self.rate_limit_max_wait {
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
