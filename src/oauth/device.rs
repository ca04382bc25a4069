//! The device authorization grant (RFC 8628, Matrix v1.18) for apps without
//! a browser: the app asks for a user code, the user enters it on another
//! device at the verification URI, and the app polls the token endpoint
//! until the user has approved or denied, or the code has expired.

use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::api::answer::{Answer, parse_body};
use crate::clock::unix_ms;
use crate::error::Error;
use crate::form;
use crate::oauth::error_response::{self, OAuthErrorResponse};
use crate::oauth::scope::scope_for;
use crate::oauth::url::check_endpoint;
use crate::secret::Secret;

pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 8628 §3.2: without `interval` the client waits 5 s between polls.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// RFC 8628 §3.5: `slow_down` adds 5 s to the interval for good.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The body of the device authorization request.
pub fn authorization_body(client_id: &str, device_id: &str) -> Vec<u8> {
    form::encode(&[("client_id", client_id), ("scope", &scope_for(device_id))])
}

/// The body of one poll of the token endpoint.
pub fn poll_body(client_id: &str, device_code: &Secret) -> Vec<u8> {
    form::encode(&[
        ("grant_type", DEVICE_CODE_GRANT),
        ("device_code", device_code.expose()),
        ("client_id", client_id),
    ])
}

#[derive(Deserialize)]
struct Wire {
    device_code: Secret,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: Option<u64>,
}

/// A started device authorization: what to show the user, and what to poll
/// with. `Debug` hides the device code.
#[derive(Debug)]
pub struct DeviceAuthorization {
    pub client_id: String,
    pub device_id: String,
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    /// The URI with the user code in it (for a QR code), when the server gives one.
    pub verification_uri_complete: Option<String>,
    /// When the device code expires, in ms since the Unix epoch.
    pub expires_at_ms: u64,
    /// The wait between polls; `slow_down` makes it longer.
    pub interval: Duration,
}

/// What one poll found.
#[derive(Debug)]
pub enum PollOutcome {
    /// The token answer's body: the user approved.
    Granted,
    /// Not yet (`authorization_pending`, or `slow_down`, which has already
    /// lengthened the interval): poll again after the interval.
    Pending(OAuthErrorResponse),
}

impl DeviceAuthorization {
    /// Read the device authorization answer.
    pub fn parse(
        body: &[u8],
        client_id: &str,
        device_id: String,
        received_at: SystemTime,
        allow_insecure_http: bool,
    ) -> Result<Self, Error> {
        let wire: Wire = parse_body(body, "device authorization answer", "RFC 8628")?;
        if wire.device_code.expose().is_empty() || wire.user_code.is_empty() {
            return Err(Error::InvalidResponse(
                "empty device_code or user_code".into(),
            ));
        }
        check_endpoint(
            "verification_uri",
            &wire.verification_uri,
            allow_insecure_http,
            true,
        )?;
        if let Some(uri) = &wire.verification_uri_complete {
            check_endpoint("verification_uri_complete", uri, allow_insecure_http, true)?;
        }
        for text in [&wire.user_code, &wire.verification_uri]
            .into_iter()
            .chain(wire.verification_uri_complete.as_ref())
        {
            if text.contains('\0') {
                return Err(Error::InvalidResponse(
                    "the device authorization answer contains a NUL byte".into(),
                ));
            }
        }
        let received_ms = unix_ms(received_at);
        Ok(DeviceAuthorization {
            client_id: client_id.to_owned(),
            device_id,
            device_code: wire.device_code,
            user_code: wire.user_code,
            verification_uri: wire.verification_uri,
            verification_uri_complete: wire.verification_uri_complete,
            expires_at_ms: received_ms.saturating_add(wire.expires_in.saturating_mul(1000)),
            interval: wire
                .interval
                .filter(|secs| *secs > 0)
                .map_or(DEFAULT_INTERVAL, Duration::from_secs),
        })
    }

    /// Interpret one poll's answer: granted, pending (with `slow_down`
    /// applied), or the error that ends the authorization
    /// (`expired_token`, `access_denied`, ...).
    pub fn interpret(&mut self, answer: &Answer<'_>) -> Result<PollOutcome, Error> {
        if (200..=299).contains(&answer.status) {
            return Ok(PollOutcome::Granted);
        }
        match error_response::parse(answer) {
            Some(oauth) if oauth.error == "authorization_pending" => {
                Ok(PollOutcome::Pending(oauth))
            }
            Some(oauth) if oauth.error == "slow_down" => {
                self.interval = self.interval.saturating_add(SLOW_DOWN_STEP);
                Ok(PollOutcome::Pending(oauth))
            }
            _ => Err(error_response::failure(answer)),
        }
    }

    /// Past the expiry the server gave.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        unix_ms(now) >= self.expires_at_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::mxreg_result;
    use std::time::UNIX_EPOCH;

    const ANSWER: &[u8] = br#"{"device_code":"dc-secret","user_code":"WDJB-MJHT",
        "verification_uri":"http://127.0.0.1:18109/device",
        "verification_uri_complete":"http://127.0.0.1:18109/device?user_code=WDJB-MJHT",
        "expires_in":600,"interval":5}"#;

    fn started() -> DeviceAuthorization {
        let at = UNIX_EPOCH + Duration::from_secs(1_000);
        DeviceAuthorization::parse(ANSWER, "client", "DEV".into(), at, false).unwrap()
    }

    #[test]
    fn the_answer_is_read_and_the_code_hidden() {
        let started = started();
        assert_eq!(started.user_code, "WDJB-MJHT");
        assert_eq!(started.expires_at_ms, 1_600_000);
        assert_eq!(started.interval, Duration::from_secs(5));
        assert!(!format!("{started:?}").contains("dc-secret"));
        assert!(started.is_expired(UNIX_EPOCH + Duration::from_secs(1_600)));
        assert!(!started.is_expired(UNIX_EPOCH + Duration::from_secs(1_599)));
    }

    #[test]
    fn bodies_name_the_grant_and_the_device_scope() {
        let mut sent = form::decode(
            &String::from_utf8(poll_body("client", &Secret::new("dc"))).unwrap(),
            "body",
        )
        .unwrap();
        sent.sort();
        assert_eq!(
            sent,
            [
                ("client_id".to_owned(), "client".to_owned()),
                ("device_code".to_owned(), "dc".to_owned()),
                ("grant_type".to_owned(), DEVICE_CODE_GRANT.to_owned()),
            ]
        );
        let start = String::from_utf8(authorization_body("client", "DEV")).unwrap();
        assert!(
            start.contains("urn%3Amatrix%3Aclient%3Adevice%3ADEV"),
            "{start}"
        );
    }

    #[test]
    fn pending_slow_down_and_final_errors() {
        let mut started = started();
        let pending = Answer::new(400, br#"{"error":"authorization_pending"}"#);
        assert!(matches!(
            started.interpret(&pending),
            Ok(PollOutcome::Pending(_))
        ));
        assert_eq!(started.interval, Duration::from_secs(5));
        let slow = Answer::new(400, br#"{"error":"slow_down"}"#);
        assert!(matches!(
            started.interpret(&slow),
            Ok(PollOutcome::Pending(_))
        ));
        assert_eq!(started.interval, Duration::from_secs(10));
        for (body, code) in [
            (
                &br#"{"error":"expired_token"}"#[..],
                mxreg_result::OauthExpiredToken,
            ),
            (
                br#"{"error":"access_denied"}"#,
                mxreg_result::OauthAccessDenied,
            ),
            (
                br#"{"error":"invalid_grant"}"#,
                mxreg_result::OauthInvalidGrant,
            ),
        ] {
            let err = started.interpret(&Answer::new(400, body)).unwrap_err();
            assert_eq!(err.code(), code);
        }
        assert!(matches!(
            started.interpret(&Answer::new(200, b"{}")),
            Ok(PollOutcome::Granted)
        ));
    }

    #[test]
    fn a_missing_interval_is_five_seconds_and_bad_answers_are_invalid() {
        let body = br#"{"device_code":"d","user_code":"U","verification_uri":"http://127.0.0.1:1/d","expires_in":60}"#;
        let at = UNIX_EPOCH;
        let started = DeviceAuthorization::parse(body, "c", "D".into(), at, false).unwrap();
        assert_eq!(started.interval, DEFAULT_INTERVAL);
        for bad in [
            &br#"{"device_code":"","user_code":"U","verification_uri":"http://127.0.0.1:1/d","expires_in":60}"#[..],
            br#"{"device_code":"d","user_code":"U","verification_uri":"http://remote.example/d","expires_in":60}"#,
            br#"{"user_code":"U"}"#,
        ] {
            let err = DeviceAuthorization::parse(bad, "c", "D".into(), at, false).unwrap_err();
            assert!(
                matches!(
                    err.code(),
                    mxreg_result::InvalidResponse | mxreg_result::InsecureUrl
                ),
                "{err}"
            );
        }
    }
}
