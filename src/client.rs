//! The blocking client: a homeserver URL plus a transport, immutable and
//! shareable across threads.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::api::register::{RegisterRequest, RegisterResponse};
use crate::error::Error;
use crate::homeserver_url::BaseUrl;
use crate::registration::Registration;
use crate::secret::Secret;
use crate::transport::{Method, Request, Transport, TransportConfig};

/// Client settings. See [`TransportConfig`] for the defaults.
#[derive(Clone, Debug, Default)]
pub struct ClientConfig {
    pub transport: TransportConfig,
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
}

impl Client {
    pub fn new(homeserver_url: &str, config: &ClientConfig) -> Result<Self, Error> {
        let homeserver = BaseUrl::parse(homeserver_url, config.transport.allow_insecure_http)?;
        let transport = Transport::new(&config.transport)?;
        Ok(Client {
            homeserver,
            transport,
        })
    }

    pub fn homeserver(&self) -> &BaseUrl {
        &self.homeserver
    }

    /// One `POST /register` attempt with the given `auth` dict (`None` for the
    /// first request). A UIA answer is `Err(Error::AuthRequired)`.
    pub fn register(
        &self,
        request: &RegisterRequest,
        auth: Option<&Value>,
    ) -> Result<Registration, Error> {
        request.validate()?;
        if let Some(auth) = auth {
            if !auth.is_object() {
                return Err(Error::invalid_argument("auth", "must be a JSON object"));
            }
        }
        let body = serde_json::to_vec(&request.body(auth))
            .map_err(|err| Error::invalid_argument("request", err.to_string()))?;
        let response = self.transport.send(Request {
            method: Method::Post,
            url: &self.homeserver.join(&request.path()),
            body: Some(body),
            bearer: request.appservice_token.as_ref().map(Secret::expose),
            creates_state: true,
        })?;
        let parsed: RegisterResponse = response.answer().decode()?;
        Ok(Registration::from_response(parsed, SystemTime::now()))
    }
}
