//! The OAuth 2.0 server's answers: metadata, dynamic client registration,
//! token endpoint, error bodies.

#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use mxreg::oauth::token::TokenResponse;
use mxreg::oauth::{AuthMetadata, RegisteredClient};

fuzz_target!(|data: &[u8]| {
    let answer = mxreg_fuzz::answer(data);
    for allow_insecure_http in [false, true] {
        match AuthMetadata::parse(answer.body, allow_insecure_http) {
            Ok(metadata) => drop(format!("{metadata:?}")),
            Err(err) => mxreg_fuzz::exercise_error(&err),
        }
    }
    match RegisteredClient::parse(answer.body) {
        Ok(client) => drop(format!("{client:?}")),
        Err(err) => mxreg_fuzz::exercise_error(&err),
    }
    let received = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    match TokenResponse::parse(answer.body, received) {
        Ok(tokens) => {
            for device in [Some("DEVICEID"), None] {
                if let Err(err) = tokens.check_scope(device) {
                    mxreg_fuzz::exercise_error(&err);
                }
            }
        }
        Err(err) => mxreg_fuzz::exercise_error(&err),
    }
    if let Some(error) = mxreg::oauth::error_response::parse(&answer) {
        let _ = error.code();
    }
    mxreg_fuzz::exercise_error(&mxreg::oauth::error_response::failure(&answer));
});
