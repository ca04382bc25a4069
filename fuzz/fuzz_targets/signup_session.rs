//! The registration session state machine fed arbitrary server answers: a
//! session walks through a sequence of `/register` answers, and after each
//! one every query an app can make must work, and a saved session must
//! restore to the same state.
//!
//! Input: a first line with the `StageSet` flags the app supports, then the
//! answers (see `mxreg_fuzz::answers`).

#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use mxreg::Registration;
use mxreg::api::register::{RegisterRequest, RegisterResponse};
use mxreg::secret::Secret;
use mxreg::signup::{SignupSession, StageSet};
use serde_json::Map;

const HOMESERVER: &str = "https://matrix.example.org";

fn query_everything(session: &SignupSession) {
    let _ = (session.status(), session.flow(), session.session_id());
    let next = session.next_stage();
    let _ = session.next_is_automatic();
    for policy in session.policies() {
        let _ = policy.translation(Some("en"));
        let _ = policy.translation(None);
    }
    let _ = session.fallback_url(None);
    let _ = session.fallback_url(next);
    let _ = session.auth(next, Map::new());
    if let Ok(saved) = session.save() {
        let restored =
            SignupSession::restore(&saved, HOMESERVER).expect("a saved session restores");
        assert_eq!(restored.status(), session.status());
        assert_eq!(restored.next_stage(), next);
        assert_eq!(restored.save().ok().as_deref(), Some(saved.as_str()));
    }
}

fuzz_target!(|data: &[u8]| {
    let (flags, rest) = match data.iter().position(|b| *b == b'\n') {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => return,
    };
    let supported = std::str::from_utf8(flags)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(StageSet::ALL)
        & StageSet::ALL;
    let request = RegisterRequest {
        username: Some("alice".into()),
        password: Some(Secret::new("fuzz-Passw0rd")),
        ..RegisterRequest::default()
    };
    let mut session = SignupSession::new(HOMESERVER, request, StageSet(supported));
    query_everything(&session);
    let received = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    for answer in mxreg_fuzz::answers(rest) {
        let parsed = answer
            .decode::<RegisterResponse>()
            .map(|response| Registration::from_response(response, received));
        let attempted = session.next_stage().map(str::to_owned);
        if let Err(err) = session.handle(parsed, attempted.as_deref()) {
            mxreg_fuzz::exercise_error(&err);
        }
        query_everything(&session);
    }
});
