//! The session-resume string (`mxreg_signup_save` / `_restore`) as an app
//! might hand back anything: a restored session must answer every query,
//! and save to a string that restores to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mxreg::signup::SignupSession;
use serde_json::Map;

const HOMESERVER: &str = "https://matrix.example.org";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match SignupSession::restore(text, HOMESERVER) {
        Ok(session) => {
            let next = session.next_stage();
            let _ = (session.status(), session.flow(), session.policies());
            let _ = (session.fallback_url(next), session.auth(next, Map::new()));
            if let Ok(saved) = session.save() {
                let again =
                    SignupSession::restore(&saved, HOMESERVER).expect("a saved session restores");
                assert_eq!(again.save().ok().as_deref(), Some(saved.as_str()));
            }
        }
        Err(err) => mxreg_fuzz::exercise_error(&err),
    }
});
