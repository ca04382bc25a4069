//! The one error type. Each variant maps onto one result code (`Server`
//! picks its code from the Matrix `errcode`). Messages never contain secrets:
//! they are built from argument names, server-provided text and transport
//! errors, never from request bodies or headers.

use std::fmt;

use crate::result::mxreg_result;

pub mod oauth;
pub mod uia;

use oauth::OAuthErrorResponse;
use uia::UiaResponse;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("argument `{0}` is NULL")]
    NullArgument(&'static str),
    #[error("argument `{0}` is not valid UTF-8")]
    InvalidUtf8(&'static str),
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument { name: &'static str, reason: String },
    #[error("`{name}.struct_size` is {got}; this library expects {expected}")]
    StructSize {
        name: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("internal error: a panic was caught at the library boundary")]
    Panic,
    #[error(
        "plain http to `{0}` refused: only loopback hosts may use http unless allow_insecure_http is set"
    )]
    InsecureUrl(String),
    #[error("{0}")]
    InvalidState(String),
    #[error(
        "no flow offered by the server uses only supported stages; its flows need: {}",
        .needed.join(", ")
    )]
    UnsupportedFlow { needed: Vec<String> },

    #[error("could not resolve the host: {0}")]
    Dns(String),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("TLS error: {0}")]
    Tls(String),
    #[error("timed out ({0})")]
    Timeout(String),
    #[error("{message}; the request was sent, so the server may have acted on it")]
    OutcomeUnknown {
        message: String,
        /// The device ID a lost registration used: recovery re-sends it.
        device_id: Option<String>,
    },
    #[error("the response body exceeds the cap of {0} bytes")]
    BodyTooLarge(u64),
    #[error("invalid response: {0}")]
    InvalidResponse(String),
    #[error("the server answered HTTP {status} (a redirect); mxreg does not follow redirects")]
    Redirect { status: u16 },
    #[error("I/O error: {0}")]
    Io(String),

    #[error(transparent)]
    Server(ServerError),
    #[error("{0}")]
    AuthRequired(Box<UiaResponse>),
    #[error("the server did not accept the stage: {message}")]
    StageRejected {
        errcode: Option<String>,
        message: String,
    },
    #[error("the registration session expired: {0}")]
    SessionExpired(String),
    #[error("{0}")]
    OAuthStateMismatch(String),
    #[error("{0}")]
    OAuthUnsupported(String),
    #[error("{0}")]
    OAuthPreferred(String),
    #[error(transparent)]
    OAuth(OAuthErrorResponse),
    #[error("server discovery failed: {0}; ask for the homeserver URL")]
    DiscoveryFailPrompt(String),
    #[error("server discovery found no usable homeserver: {0}")]
    DiscoveryFailError(String),
}

impl Error {
    /// The result code a C caller sees for this error.
    pub fn code(&self) -> mxreg_result {
        match self {
            Error::NullArgument(_) => mxreg_result::NullArgument,
            Error::InvalidUtf8(_) => mxreg_result::InvalidUtf8,
            Error::InvalidArgument { .. } => mxreg_result::InvalidArgument,
            Error::StructSize { .. } => mxreg_result::StructSize,
            Error::Panic => mxreg_result::Panic,
            Error::InsecureUrl(_) => mxreg_result::InsecureUrl,
            Error::InvalidState(_) => mxreg_result::InvalidState,
            Error::UnsupportedFlow { .. } => mxreg_result::UnsupportedFlow,
            Error::Dns(_) => mxreg_result::Dns,
            Error::Connect(_) => mxreg_result::Connect,
            Error::Tls(_) => mxreg_result::Tls,
            Error::Timeout(_) => mxreg_result::Timeout,
            Error::OutcomeUnknown { .. } => mxreg_result::OutcomeUnknown,
            Error::BodyTooLarge(_) => mxreg_result::BodyTooLarge,
            Error::InvalidResponse(_) => mxreg_result::InvalidResponse,
            Error::Redirect { .. } => mxreg_result::Redirect,
            Error::Io(_) => mxreg_result::Io,
            Error::Server(server) => server.code(),
            Error::AuthRequired(_) => mxreg_result::AuthRequired,
            Error::StageRejected { .. } => mxreg_result::StageRejected,
            Error::SessionExpired(_) => mxreg_result::SessionExpired,
            Error::OAuthStateMismatch(_) => mxreg_result::OauthStateMismatch,
            Error::OAuthUnsupported(_) => mxreg_result::OauthUnsupported,
            Error::OAuthPreferred(_) => mxreg_result::OauthPreferred,
            Error::OAuth(oauth) => oauth.code(),
            Error::DiscoveryFailPrompt(_) => mxreg_result::DiscoveryFailPrompt,
            Error::DiscoveryFailError(_) => mxreg_result::DiscoveryFailError,
        }
    }

    /// The same error with every occurrence of `secrets` in the text it
    /// shows replaced by `<redacted>`: a server that echoes the request back
    /// must not get a password into an error message. Only free text is
    /// scrubbed (messages, the body's `error` and fields the spec does not
    /// define); what the server said and mxreg or the app acts on (errcode,
    /// flows, completed stages, session, params) stays as sent, so a secret
    /// that happens to be part of a stage name cannot change the answer.
    pub(crate) fn redact(mut self, secrets: &[&str]) -> Self {
        let secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
        if secrets.is_empty() {
            return self;
        }
        let scrub = |text: &mut String| {
            for secret in &secrets {
                if text.contains(secret) {
                    *text = text.replace(secret, "<redacted>");
                }
            }
        };
        match &mut self {
            Error::InvalidArgument { reason: text, .. }
            | Error::InsecureUrl(text)
            | Error::InvalidState(text)
            | Error::Dns(text)
            | Error::Connect(text)
            | Error::Tls(text)
            | Error::Timeout(text)
            | Error::OutcomeUnknown { message: text, .. }
            | Error::InvalidResponse(text)
            | Error::Io(text)
            | Error::SessionExpired(text)
            | Error::OAuthStateMismatch(text)
            | Error::OAuthUnsupported(text)
            | Error::OAuthPreferred(text)
            | Error::DiscoveryFailPrompt(text)
            | Error::DiscoveryFailError(text)
            | Error::StageRejected { message: text, .. } => scrub(text),
            Error::Server(server) => {
                scrub(&mut server.message);
                if let Some(serde_json::Value::Object(body)) = &mut server.body {
                    body.iter_mut()
                        .filter(|(key, _)| !AS_SENT_FIELDS.contains(&key.as_str()))
                        .for_each(|(_, value)| scrub_json(value, &scrub));
                } else if let Some(body) = &mut server.body {
                    scrub_json(body, &scrub);
                }
            }
            Error::AuthRequired(uia) => {
                if let Some(text) = &mut uia.error {
                    scrub(text);
                }
                uia.extra.values_mut().for_each(|v| scrub_json(v, &scrub));
            }
            _ => {}
        }
        self
    }

    pub(crate) fn invalid_argument(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name,
            reason: reason.into(),
        }
    }

    /// The HTTP status of the server's answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Server(server) => Some(server.status),
            Error::AuthRequired(_) | Error::StageRejected { .. } => Some(401),
            Error::SessionExpired(_) => Some(400),
            Error::Redirect { status } => Some(*status),
            Error::OAuth(oauth) => oauth.status,
            _ => None,
        }
    }

    /// The Matrix `errcode` (or OAuth `error`), when the server gave one.
    pub fn errcode(&self) -> Option<&str> {
        match self {
            Error::Server(server) => server.errcode.as_deref(),
            Error::AuthRequired(uia) => uia.errcode.as_deref(),
            Error::StageRejected { errcode, .. } => errcode.as_deref(),
            // The OAuth `error` code (`invalid_grant`, ...).
            Error::OAuth(oauth) => Some(&oauth.error),
            _ => None,
        }
    }

    /// The device ID a registration whose outcome is unknown used.
    pub fn device_id(&self) -> Option<&str> {
        match self {
            Error::OutcomeUnknown { device_id, .. } => device_id.as_deref(),
            _ => None,
        }
    }

    /// The same error, carrying the device ID of the registration it
    /// answers when its outcome is unknown.
    pub(crate) fn with_device_id(self, device: Option<&str>) -> Self {
        match self {
            Error::OutcomeUnknown { message, .. } => Error::OutcomeUnknown {
                message,
                device_id: device.map(str::to_owned),
            },
            other => other,
        }
    }

    /// How long the server asked the client to wait, in milliseconds.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            Error::Server(server) => server.retry_after_ms,
            _ => None,
        }
    }

    /// A string field of the server's error body, for the payloads some
    /// errcodes carry (`admin_contact`, `info_uri`, `consent_uri`).
    pub fn body_text(&self, field: &str) -> Option<&str> {
        self.body_field(field)?.as_str()
    }

    /// `can_upgrade` of an `M_USER_LIMIT_EXCEEDED` body.
    pub fn can_upgrade(&self) -> Option<bool> {
        self.body_field("can_upgrade")?.as_bool()
    }

    fn body_field(&self, field: &str) -> Option<&serde_json::Value> {
        match self {
            Error::Server(server) => server.body.as_ref()?.get(field),
            _ => None,
        }
    }
}

/// The fields of a Matrix error or UIA body that name things rather than
/// describe them: never scrubbed (see [`Error::redact`]).
const AS_SENT_FIELDS: &[&str] = &["errcode", "flows", "completed", "session", "params"];

/// Apply `scrub` to every string in a JSON value.
fn scrub_json(value: &mut serde_json::Value, scrub: &impl Fn(&mut String)) {
    match value {
        serde_json::Value::String(text) => scrub(text),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub_json(v, scrub)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub_json(v, scrub)),
        _ => {}
    }
}

/// An error answer from the server: HTTP status plus the Matrix error body
/// when there was one.
#[derive(Debug, Clone)]
pub struct ServerError {
    pub status: u16,
    /// `errcode`, or `None` when the body was not a Matrix error.
    pub errcode: Option<String>,
    /// The server's `error` text (or a description of the non-Matrix body).
    pub message: String,
    /// `retry_after_ms` from the body, else the `Retry-After` header.
    pub retry_after_ms: Option<u64>,
    /// The whole JSON body, unknown fields included.
    pub body: Option<serde_json::Value>,
    /// The result this answer stands for when its errcode does not say it
    /// (a server's own dialect, see `api::dialects`); `None` reads the errcode.
    pub situation: Option<mxreg_result>,
}

impl ServerError {
    pub fn code(&self) -> mxreg_result {
        if let Some(situation) = self.situation {
            return situation;
        }
        let Some(errcode) = self.errcode.as_deref() else {
            return if self.status == 429 {
                mxreg_result::RateLimited
            } else {
                mxreg_result::HttpError
            };
        };
        match errcode {
            "M_LIMIT_EXCEEDED" => mxreg_result::RateLimited,
            "M_USER_IN_USE" => mxreg_result::UserInUse,
            "M_INVALID_USERNAME" => mxreg_result::InvalidUsername,
            "M_WEAK_PASSWORD" => mxreg_result::WeakPassword,
            code if code.starts_with("M_PASSWORD_") => mxreg_result::WeakPassword,
            "M_FORBIDDEN" => mxreg_result::Forbidden,
            "M_UNKNOWN_TOKEN" => mxreg_result::UnknownToken,
            "M_RESOURCE_LIMIT_EXCEEDED" => mxreg_result::ResourceLimitExceeded,
            "M_USER_LIMIT_EXCEEDED" => mxreg_result::UserLimitExceeded,
            "M_TOKEN_INCORRECT" => mxreg_result::TokenIncorrect,
            "M_THREEPID_IN_USE" => mxreg_result::ThreepidInUse,
            "M_THREEPID_DENIED" => mxreg_result::ThreepidDenied,
            "M_GUEST_ACCESS_FORBIDDEN" => mxreg_result::GuestAccessForbidden,
            "M_EXCLUSIVE" => mxreg_result::Exclusive,
            "M_CONSENT_NOT_GIVEN" => mxreg_result::ConsentNotGiven,
            "M_APPSERVICE_LOGIN_UNSUPPORTED" => mxreg_result::AppserviceLoginUnsupported,
            _ if self.status == 429 => mxreg_result::RateLimited,
            _ => mxreg_result::MatrixError,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.errcode {
            Some(errcode) => write!(f, "{errcode}: {} (HTTP {})", self.message, self.status),
            None => write!(f, "HTTP {}: {}", self.status, self.message),
        }
    }
}

impl std::error::Error for ServerError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16, errcode: Option<&str>) -> ServerError {
        ServerError {
            status,
            errcode: errcode.map(str::to_owned),
            message: "m".into(),
            retry_after_ms: None,
            body: None,
            situation: None,
        }
    }

    #[test]
    fn redact_scrubs_text_and_bodies() {
        let err = Error::Server(ServerError {
            body: Some(serde_json::json!({"error": "echo hunter2", "list": ["x hunter2"]})),
            ..server(400, Some("M_UNKNOWN"))
        });
        let err = Error::Server(match err {
            Error::Server(mut s) => {
                s.message = "you sent hunter2".into();
                s
            }
            _ => unreachable!(),
        })
        .redact(&["hunter2", ""]);
        let Error::Server(server) = &err else {
            unreachable!()
        };
        assert_eq!(server.message, "you sent <redacted>");
        assert!(
            !server
                .body
                .as_ref()
                .unwrap()
                .to_string()
                .contains("hunter2")
        );
        let timeout = Error::Timeout("token=hunter2".into()).redact(&["hunter2"]);
        assert_eq!(timeout.to_string(), "timed out (token=<redacted>)");
    }

    #[test]
    fn redact_leaves_what_the_server_said_as_sent() {
        let body = r#"{"flows":[{"stages":["m.login.registration_token","m.login.dummy"]}],
            "completed":["m.login.registration_token"],"session":"login-session",
            "params":{"m.login.terms":{"policies":{"login":{"version":"1"}}}},
            "errcode":"M_LOGIN","error":"bad login","echo":"you sent login"}"#;
        let uia: UiaResponse = serde_json::from_str(body).unwrap();
        let Error::AuthRequired(redacted) =
            Error::AuthRequired(Box::new(uia.clone())).redact(&["login"])
        else {
            unreachable!()
        };
        assert_eq!(
            (
                &redacted.flows,
                &redacted.completed,
                &redacted.session,
                &redacted.params
            ),
            (&uia.flows, &uia.completed, &uia.session, &uia.params)
        );
        assert_eq!(redacted.errcode.as_deref(), Some("M_LOGIN"));
        assert_eq!(redacted.error.as_deref(), Some("bad <redacted>"));
        assert_eq!(redacted.extra["echo"], "you sent <redacted>");

        let server = Error::Server(ServerError {
            body: serde_json::from_str(body).ok(),
            ..server(403, Some("M_LOGIN"))
        })
        .redact(&["login"]);
        let Error::Server(server) = server else {
            unreachable!()
        };
        let body = server.body.unwrap();
        assert_eq!(body["errcode"], "M_LOGIN");
        assert_eq!(body["flows"][0]["stages"][1], "m.login.dummy");
        assert_eq!(body["session"], "login-session");
        assert_eq!(body["error"], "bad <redacted>");
        assert_eq!(body["echo"], "you sent <redacted>");
    }

    #[test]
    fn errcodes_pick_their_result_codes() {
        use mxreg_result::*;
        // The errcode decides, whatever the status.
        let errcodes = [
            ("M_USER_IN_USE", UserInUse),
            ("M_INVALID_USERNAME", InvalidUsername),
            ("M_PASSWORD_TOO_SHORT", WeakPassword),
            ("M_WEAK_PASSWORD", WeakPassword),
            ("M_FORBIDDEN", Forbidden),
            ("M_LIMIT_EXCEEDED", RateLimited),
            ("M_UNKNOWN_TOKEN", UnknownToken),
            ("M_APPSERVICE_LOGIN_UNSUPPORTED", AppserviceLoginUnsupported),
            ("M_RESOURCE_LIMIT_EXCEEDED", ResourceLimitExceeded),
            ("M_USER_LIMIT_EXCEEDED", UserLimitExceeded),
            ("M_TOKEN_INCORRECT", TokenIncorrect),
            ("M_THREEPID_IN_USE", ThreepidInUse),
            ("M_THREEPID_DENIED", ThreepidDenied),
            ("M_GUEST_ACCESS_FORBIDDEN", GuestAccessForbidden),
            ("M_EXCLUSIVE", Exclusive),
            ("M_CONSENT_NOT_GIVEN", ConsentNotGiven),
            ("M_UNRECOGNIZED", MatrixError),
            ("M_SOMETHING_NEW", MatrixError),
        ];
        for (errcode, code) in errcodes {
            for status in [400, 403] {
                assert_eq!(server(status, Some(errcode)).code(), code, "{errcode}");
            }
        }
        // Without one (or with an unknown one), a 429 is still a rate limit.
        assert_eq!(server(429, None).code(), RateLimited);
        assert_eq!(server(429, Some("M_SOMETHING_NEW")).code(), RateLimited);
        assert_eq!(server(502, None).code(), HttpError);
    }

    #[test]
    fn payloads_are_read_from_the_body() {
        let err = Error::Server(ServerError {
            body: Some(serde_json::json!({
                "errcode": "M_USER_LIMIT_EXCEEDED", "error": "full",
                "info_uri": "https://example.org/plans", "can_upgrade": true,
                "admin_contact": 5
            })),
            ..server(403, Some("M_USER_LIMIT_EXCEEDED"))
        });
        assert_eq!(err.body_text("info_uri"), Some("https://example.org/plans"));
        assert_eq!(err.can_upgrade(), Some(true));
        // A field of the wrong type is absent, not a crash.
        assert_eq!(err.body_text("admin_contact"), None);
        assert_eq!(err.body_text("consent_uri"), None);
        assert_eq!(Error::Timeout("x".into()).can_upgrade(), None);
    }
}
