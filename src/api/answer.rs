//! Turning an HTTP answer (status, `Retry-After`, body) into a typed value or
//! an [`Error`]: 2xx is parsed as the endpoint's type, a 401 with `flows` is
//! user-interactive auth, anything else is a server error with the Matrix
//! error body kept whole.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::uia::UiaResponse;
use crate::error::{Error, ServerError};

/// Parse a success body, the `what` that `spec` describes. serde's
/// message may quote a value (a token): only its position is kept.
pub fn parse_body<T: DeserializeOwned>(body: &[u8], what: &str, spec: &str) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|err| {
        Error::InvalidResponse(format!(
            "{what} is not what {spec} specifies (line {}, column {})",
            err.line(),
            err.column()
        ))
    })
}

/// What came back from the server, before interpretation.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    /// The `Retry-After` header in seconds (given as seconds or a date).
    pub retry_after_secs: Option<u64>,
    pub body: &'a [u8],
}

impl<'a> Answer<'a> {
    pub fn new(status: u16, body: &'a [u8]) -> Self {
        Answer {
            status,
            retry_after_secs: None,
            body,
        }
    }

    /// Parse a success as `T`, or turn a failure into the matching error.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        match self.status {
            200..=299 => serde_json::from_slice(self.body)
                .map_err(|err| Error::InvalidResponse(format!("HTTP {}: {err}", self.status))),
            _ => Err(self.failure()),
        }
    }

    /// The error for a non-2xx answer.
    pub fn failure(&self) -> Error {
        match self.status {
            300..=399 => Error::Redirect {
                status: self.status,
            },
            401 => match serde_json::from_slice::<UiaResponse>(self.body) {
                // C callers read these as C strings: a NUL would cut them.
                Ok(uia) if has_nul_byte(&uia) => Error::InvalidResponse(
                    "the user-interactive auth answer contains a NUL byte".into(),
                ),
                Ok(uia) => Error::AuthRequired(Box::new(uia)),
                Err(_) => Error::Server(self.server_error()),
            },
            _ => Error::Server(self.server_error()),
        }
    }

    fn server_error(&self) -> ServerError {
        let header_delay = self.retry_after_secs.map(|secs| secs.saturating_mul(1000));
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(map)) if map.get("errcode").is_some_and(Value::is_string) => {
                let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
                ServerError {
                    status: self.status,
                    errcode: text("errcode"),
                    message: text("error").unwrap_or_default(),
                    // The spec (v1.10) deprecates the body field in favour
                    // of the header: the header wins when both are there.
                    retry_after_ms: header_delay
                        .or_else(|| map.get("retry_after_ms").and_then(Value::as_u64)),
                    body: Some(Value::Object(map)),
                    situation: None,
                }
            }
            parsed => ServerError {
                status: self.status,
                errcode: None,
                message: describe_foreign_body(self.body, parsed.is_ok()),
                retry_after_ms: header_delay,
                body: parsed.ok(),
                situation: None,
            },
        }
    }
}

/// Whether a string the app reads through the C API (session, stage types)
/// holds a NUL byte.
fn has_nul_byte(uia: &UiaResponse) -> bool {
    let stages = uia.flows.iter().flat_map(|flow| flow.stages.iter());
    uia.session
        .iter()
        .chain(stages)
        .chain(uia.completed.iter())
        .any(|text| text.contains('\0'))
}

/// A short, printable description of a body that is not a Matrix error.
fn describe_foreign_body(body: &[u8], is_json: bool) -> String {
    const SHOWN: usize = 120;
    if body.is_empty() {
        return "empty body".to_owned();
    }
    let kind = if is_json {
        "JSON without errcode"
    } else {
        "non-JSON body"
    };
    let text = String::from_utf8_lossy(&body[..body.len().min(SHOWN)]);
    let snippet: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let ellipsis = if body.len() > SHOWN { "…" } else { "" };
    format!(
        "{kind} ({} bytes): {}{ellipsis}",
        body.len(),
        snippet.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::mxreg_result;

    #[test]
    fn html_error_page_is_an_http_error() {
        let answer = Answer::new(502, b"<html><body>Bad Gateway</body></html>");
        let err = answer.failure();
        assert_eq!(err.code(), mxreg_result::HttpError);
        assert!(err.to_string().contains("non-JSON body"), "{err}");
    }

    #[test]
    fn header_delay_is_used_when_body_has_none() {
        let answer = Answer {
            status: 429,
            retry_after_secs: Some(3),
            body: br#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests"}"#,
        };
        assert_eq!(answer.failure().retry_after_ms(), Some(3000));
    }

    #[test]
    fn header_delay_wins_over_the_body() {
        let answer = Answer {
            status: 429,
            retry_after_secs: Some(3),
            body: br#"{"errcode":"M_LIMIT_EXCEEDED","error":"x","retry_after_ms":1500}"#,
        };
        assert_eq!(answer.failure().retry_after_ms(), Some(3000));
        let body_only = Answer {
            retry_after_secs: None,
            ..answer
        };
        assert_eq!(body_only.failure().retry_after_ms(), Some(1500));
    }

    #[test]
    fn success_of_the_wrong_shape_is_invalid_response() {
        let answer = Answer::new(200, br#"{"user_id": 5}"#);
        let err = answer
            .decode::<crate::api::register::RegisterResponse>()
            .unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidResponse);
    }

    #[test]
    fn a_401_without_flows_is_a_matrix_error() {
        let answer = Answer::new(
            401,
            br#"{"errcode":"M_UNKNOWN_TOKEN","error":"Unknown token"}"#,
        );
        assert_eq!(answer.failure().code(), mxreg_result::UnknownToken);
    }

    #[test]
    fn a_nul_byte_in_a_uia_answer_is_invalid() {
        let answer = Answer::new(
            401,
            br#"{"flows":[{"stages":["m.login.dummy"]}],"session":"a\u0000b"}"#,
        );
        assert_eq!(answer.failure().code(), mxreg_result::InvalidResponse);
    }

    #[test]
    fn redirects_are_refused() {
        assert_eq!(
            Answer::new(302, b"").failure().code(),
            mxreg_result::Redirect
        );
    }
}
