//! What the fuzz targets share: the input format and the checks every
//! error must pass.
//!
//! An input is one server answer, `"<status>[ <retry-after>]\n<body>"` (the
//! seeds are real Synapse answers in that form), or several joined by
//! [`SEPARATOR`]. Input that does not start with a status line is a body
//! with status 200.

use mxreg::Error;
use mxreg::api::answer::Answer;
use mxreg::ffi::auth_info::AuthInfo;
use mxreg::ffi::error::ErrorDetails;

/// Between two answers of a sequence.
pub const SEPARATOR: &[u8] = b"\n===\n";

/// One answer: status, `Retry-After` seconds, body.
pub fn answer(data: &[u8]) -> Answer<'_> {
    let (head, body) = match data.iter().position(|b| *b == b'\n') {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => (&data[..0], data),
    };
    let head = std::str::from_utf8(head).unwrap_or_default();
    let mut words = head.split(' ');
    let status = words.next().and_then(|s| s.parse::<u16>().ok());
    match status {
        Some(status) => Answer {
            status,
            retry_after_secs: words.next().and_then(|s| s.parse().ok()),
            body,
        },
        None => Answer::new(200, data),
    }
}

/// Several answers, in order.
pub fn answers(data: &[u8]) -> Vec<Answer<'_>> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        parts.push(answer(&rest[..at]));
        rest = &rest[at + SEPARATOR.len()..];
    }
    parts.push(answer(rest));
    parts
}

/// Everything an app can read from an error, built as the C API builds it.
/// Panics (a finding) when an invariant breaks.
pub fn exercise_error(err: &Error) {
    let code = err.code();
    assert_ne!(code, mxreg::mxreg_result::Ok, "an error with the OK code");
    let message = err.to_string();
    let _ = (err.http_status(), err.errcode(), err.retry_after_ms());
    let _ = format!("{err:?}");
    let details = ErrorDetails::from_error(err);
    let _ = format!("{details:?}{message}");
    if let Error::AuthRequired(uia) = err {
        // Every string of a UIA answer reaches C callers: it must convert.
        AuthInfo::new(uia).expect("a UIA answer the C API can show");
    }
}
