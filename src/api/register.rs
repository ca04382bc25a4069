//! `POST /_matrix/client/v3/register`: the request and the success answer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::identifiers::check_user_id;
use crate::api::server_values::check_tokens;
use crate::error::Error;
use crate::secret::Secret;

pub const REGISTER_PATH: &str = "/_matrix/client/v3/register";

/// The auth type an application service registers with.
pub const APPSERVICE_LOGIN_TYPE: &str = "m.login.application_service";

/// The `kind` query parameter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    #[default]
    User,
    Guest,
}

/// Everything a caller can ask of `POST /register`. The `auth` dict is not
/// here: it is per attempt (see [`RegisterRequest::body`]). The default asks
/// for a refresh token, as the C `mxreg_register_request_init` does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisterRequest {
    #[serde(default)]
    pub kind: AccountKind,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub device_id: Option<String>,
    pub initial_device_display_name: Option<String>,
    #[serde(default)]
    pub inhibit_login: bool,
    #[serde(default)]
    pub refresh_token: bool,
    /// Upgrades a guest: the guest's access token (and its localpart as `username`).
    pub guest_access_token: Option<Secret>,
    /// Registers as an application service (`type: m.login.application_service`,
    /// this token as the bearer). Always sent with `inhibit_login: true`, as
    /// the application service API requires since v1.17: the answer carries
    /// no tokens (the service logs its users in when it needs to).
    pub appservice_token: Option<Secret>,
}

impl Default for RegisterRequest {
    fn default() -> Self {
        RegisterRequest {
            kind: AccountKind::User,
            username: None,
            password: None,
            device_id: None,
            initial_device_display_name: None,
            inhibit_login: false,
            refresh_token: true,
            guest_access_token: None,
            appservice_token: None,
        }
    }
}

/// The device part of the `/register` and `/login` bodies: which device
/// the tokens are for, its name, and whether to issue a refresh token.
#[derive(Serialize)]
pub struct DeviceFields<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_device_display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refresh_token: bool,
}

/// The JSON body on the wire, borrowing from the request.
#[derive(Serialize)]
pub struct RegisterBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    #[serde(flatten)]
    device: DeviceFields<'a>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    inhibit_login: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    guest_access_token: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    login_type: Option<&'static str>,
}

impl RegisterRequest {
    /// Path and query for this request.
    pub fn path(&self) -> String {
        match self.kind {
            AccountKind::User => REGISTER_PATH.to_owned(),
            AccountKind::Guest => format!("{REGISTER_PATH}?kind=guest"),
        }
    }

    /// Checks combinations the server would reject anyway, before any request.
    pub fn validate(&self) -> Result<(), Error> {
        if self.kind == AccountKind::Guest && self.appservice_token.is_some() {
            return Err(Error::invalid_argument(
                "appservice_token",
                "an application service cannot register a guest",
            ));
        }
        if self.kind == AccountKind::Guest && self.guest_access_token.is_some() {
            return Err(Error::invalid_argument(
                "guest_access_token",
                "upgrading a guest needs kind=user",
            ));
        }
        if self.appservice_token.is_some() && self.username.is_none() {
            return Err(Error::invalid_argument(
                "username",
                "application-service registration needs a username",
            ));
        }
        for (name, value) in [
            ("password", self.password.as_ref().map(Secret::expose)),
            (
                "guest_access_token",
                self.guest_access_token.as_ref().map(Secret::expose),
            ),
            (
                "appservice_token",
                self.appservice_token.as_ref().map(Secret::expose),
            ),
            ("username", self.username.as_deref()),
            ("device_id", self.device_id.as_deref()),
        ] {
            if value == Some("") {
                return Err(Error::invalid_argument(
                    name,
                    "must not be empty (pass NULL to omit)",
                ));
            }
        }
        Ok(())
    }

    /// The credentials this request carries, plus the secret values of an
    /// `auth` dict (everything but `type` and `session`), for scrubbing
    /// error messages.
    pub fn secrets<'a>(&'a self, auth: Option<&'a Value>) -> Vec<&'a str> {
        let mut secrets: Vec<&str> = [
            &self.password,
            &self.guest_access_token,
            &self.appservice_token,
        ]
        .into_iter()
        .filter_map(|s| s.as_ref().map(Secret::expose))
        .collect();
        if let Some(Value::Object(fields)) = auth {
            collect_strings(
                fields
                    .iter()
                    .filter(|(key, _)| !matches!(key.as_str(), "type" | "session"))
                    .map(|(_, value)| value),
                &mut secrets,
            );
        }
        secrets
    }

    /// Whether the request asks for no login (`inhibit_login`, always set
    /// for an application service).
    pub fn inhibits_login(&self) -> bool {
        self.inhibit_login || self.appservice_token.is_some()
    }

    /// What the spec says a 200 answer to this request holds is there: a
    /// user ID, and an access token unless login was inhibited. The account
    /// exists either way; the error says so.
    pub fn check_response(&self, response: &RegisterResponse) -> Result<(), Error> {
        response.check()?;
        if response.access_token.is_none() && !self.inhibits_login() {
            return Err(Error::InvalidResponse(format!(
                "the server created {} but sent no access_token, which it must when inhibit_login is false",
                response.user_id
            )));
        }
        Ok(())
    }

    /// The body for one attempt, with the given `auth` dict and device ID
    /// (the request's own, or one mxreg chose for it).
    pub fn body<'a>(
        &'a self,
        auth: Option<&'a Value>,
        device_id: Option<&'a str>,
    ) -> RegisterBody<'a> {
        RegisterBody {
            auth,
            username: self.username.as_deref(),
            password: self.password.as_ref().map(Secret::expose),
            device: DeviceFields {
                device_id,
                initial_device_display_name: self.initial_device_display_name.as_deref(),
                refresh_token: self.refresh_token,
            },
            inhibit_login: self.inhibits_login(),
            guest_access_token: self.guest_access_token.as_ref().map(Secret::expose),
            login_type: self
                .appservice_token
                .as_ref()
                .map(|_| APPSERVICE_LOGIN_TYPE),
        }
    }
}

fn collect_strings<'a>(values: impl Iterator<Item = &'a Value>, out: &mut Vec<&'a str>) {
    for value in values {
        match value {
            Value::String(text) => out.push(text),
            Value::Array(items) => collect_strings(items.iter(), out),
            Value::Object(map) => collect_strings(map.values(), out),
            _ => {}
        }
    }
}

/// The 200 answer. `access_token` and `device_id` are absent with `inhibit_login`.
#[derive(Clone, Debug, Deserialize)]
pub struct RegisterResponse {
    pub user_id: String,
    #[serde(default)]
    pub access_token: Option<Secret>,
    #[serde(default)]
    pub device_id: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    #[serde(default)]
    pub expires_in_ms: Option<u64>,
}

impl RegisterResponse {
    /// What the app will keep must be usable: a user ID, tokens it can send.
    pub fn check(&self) -> Result<(), Error> {
        check_user_id(&self.user_id, "the registered user_id")?;
        check_tokens(self.access_token.as_ref(), self.refresh_token.as_ref())
    }
}
