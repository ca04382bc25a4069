//! One result for one situation, whatever the homeserver: the answers in
//! which Synapse, Tuwunel, Continuwuity and Dendrite differ for the same
//! situation, mapped onto the result an app sees. Sans-I/O: errors in,
//! errors out. Each rule names the server code it follows (read at the
//! commits cited in `tests/dialects.rs`, which replays them).

use crate::error::{Error, ServerError};
use crate::result::mxreg_result;

/// The error for a failed answer to a UIA attempt that carried the session
/// the server gave, while completing `attempted` (the stage submitted, or
/// the one a fallback page was to complete).
///
/// - The session is gone (expired, or dropped from memory by a restart):
///   Synapse answers 400 `M_UNKNOWN` "Unknown session ID", Tuwunel 403
///   `M_FORBIDDEN` "UIAA session does not exist.", Continuwuity 400
///   `M_INVALID_PARAM` "Invalid session": `SessionExpired`.
/// - The stage was not accepted and the answer is no UIA body: Dendrite
///   answers a wrong captcha with 401 `M_BAD_JSON` and no `flows`, and a
///   stage type it does not implement with 501: `StageRejected`, the
///   session goes on (as Synapse's and Continuwuity's 401 UIA answers with
///   an `errcode` do).
pub fn uia_failure(error: Error, attempted: Option<&str>) -> Error {
    let Error::Server(server) = error else {
        return error;
    };
    if session_is_gone(&server) {
        return Error::SessionExpired(server.message);
    }
    if attempted.is_some() && matches!(server.status, 401 | 501) {
        return Error::StageRejected {
            errcode: server.errcode,
            message: server.message,
        };
    }
    Error::Server(server)
}

fn session_is_gone(server: &ServerError) -> bool {
    let message = server.message.to_ascii_lowercase();
    match (server.status, server.errcode.as_deref()) {
        // Synapse: "Unknown session ID: …" (SessionError in its UIA handler).
        (400, Some("M_UNKNOWN")) => message.contains("session"),
        // Tuwunel (and Continuwuity before in-memory sessions).
        (403, Some("M_FORBIDDEN")) => message.contains("uiaa session does not exist"),
        // Continuwuity with in-memory sessions.
        (400, Some("M_INVALID_PARAM")) => message.contains("invalid session"),
        _ => false,
    }
}

/// A refused guest registration: Synapse answers 403 `M_UNKNOWN` "Guest
/// access is disabled", Dendrite 403 `M_FORBIDDEN` "Guest registration is
/// disabled on …", the spec `M_GUEST_ACCESS_FORBIDDEN`: all are
/// `GuestAccessForbidden`, the errcode kept as the server sent it.
pub fn guest_refusal(error: Error) -> Error {
    match error {
        Error::Server(mut server)
            if server.status == 403
                && matches!(server.errcode.as_deref(), Some("M_UNKNOWN" | "M_FORBIDDEN")) =>
        {
            server.situation = Some(mxreg_result::GuestAccessForbidden);
            Error::Server(server)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::answer::Answer;

    fn answer(status: u16, body: &str) -> Error {
        Answer::new(status, body.as_bytes()).failure()
    }

    #[test]
    fn every_server_s_unknown_session_is_session_expired() {
        for (status, body) in [
            (
                400,
                r#"{"errcode":"M_UNKNOWN","error":"Unknown session ID: abc"}"#,
            ),
            (
                403,
                r#"{"errcode":"M_FORBIDDEN","error":"UIAA session does not exist."}"#,
            ),
            (
                400,
                r#"{"errcode":"M_INVALID_PARAM","error":"Invalid session"}"#,
            ),
        ] {
            let err = uia_failure(answer(status, body), Some("m.login.dummy"));
            assert_eq!(err.code(), mxreg_result::SessionExpired, "{body}");
        }
    }

    #[test]
    fn other_refusals_keep_their_codes() {
        let forbidden = r#"{"errcode":"M_FORBIDDEN","error":"Registration has been disabled"}"#;
        assert_eq!(
            uia_failure(answer(403, forbidden), Some("m.login.dummy")).code(),
            mxreg_result::Forbidden
        );
        let taken = r#"{"errcode":"M_USER_IN_USE","error":"taken"}"#;
        assert_eq!(
            uia_failure(answer(400, taken), None).code(),
            mxreg_result::UserInUse
        );
        assert_eq!(
            uia_failure(Error::Timeout("t".into()), Some("x")).code(),
            mxreg_result::Timeout
        );
    }

    #[test]
    fn dendrite_s_bare_401_and_501_reject_the_stage() {
        let captcha =
            r#"{"errcode":"M_BAD_JSON","error":"Invalid captcha response. Please try again."}"#;
        let err = uia_failure(answer(401, captcha), Some("m.login.recaptcha"));
        assert_eq!(err.code(), mxreg_result::StageRejected);
        assert_eq!(err.errcode(), Some("M_BAD_JSON"));
        let unimplemented = r#"{"errcode":"M_UNKNOWN","error":"unknown/unimplemented auth type"}"#;
        let err = uia_failure(answer(501, unimplemented), Some("org.example.custom"));
        assert_eq!(err.code(), mxreg_result::StageRejected);
        // Before any stage (the first request) a 401 stays what it is.
        assert_eq!(
            uia_failure(answer(401, captcha), None).code(),
            mxreg_result::MatrixError
        );
    }

    #[test]
    fn refused_guests_are_guest_access_forbidden_with_the_server_s_errcode() {
        for body in [
            r#"{"errcode":"M_UNKNOWN","error":"Guest access is disabled"}"#,
            r#"{"errcode":"M_FORBIDDEN","error":"Guest registration is disabled on \"x\""}"#,
            r#"{"errcode":"M_GUEST_ACCESS_FORBIDDEN","error":"no"}"#,
        ] {
            let err = guest_refusal(answer(403, body));
            assert_eq!(err.code(), mxreg_result::GuestAccessForbidden, "{body}");
        }
        let err = guest_refusal(answer(403, r#"{"errcode":"M_UNKNOWN","error":"x"}"#));
        assert_eq!(err.errcode(), Some("M_UNKNOWN"));
        let limited = r#"{"errcode":"M_LIMIT_EXCEEDED","error":"slow"}"#;
        assert_eq!(
            guest_refusal(answer(429, limited)).code(),
            mxreg_result::RateLimited
        );
    }
}
