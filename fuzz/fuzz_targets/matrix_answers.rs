//! Every other Matrix answer mxreg reads: availability, token validity,
//! refresh, 3PID `requestToken`, `.well-known`, `/versions`, `/login`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mxreg::api::answer::Answer;
use mxreg::api::discovery::{LoginFlows, Versions};
use mxreg::api::precheck::{AvailableResponse, TokenValidityResponse};
use mxreg::api::refresh::RefreshResponse;
use mxreg::api::server_discovery::well_known_step;
use mxreg::api::threepid::RequestTokenResponse;
use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned + std::fmt::Debug>(answer: &Answer<'_>) {
    match answer.decode::<T>() {
        Ok(value) => drop(format!("{value:?}")),
        Err(err) => mxreg_fuzz::exercise_error(&err),
    }
}

fuzz_target!(|data: &[u8]| {
    let answer = mxreg_fuzz::answer(data);
    decode::<AvailableResponse>(&answer);
    decode::<TokenValidityResponse>(&answer);
    decode::<RefreshResponse>(&answer);
    decode::<RequestTokenResponse>(&answer);
    decode::<Versions>(&answer);
    decode::<LoginFlows>(&answer);
    let url = "https://example.org/.well-known/matrix/client";
    let location = std::str::from_utf8(answer.body).ok();
    match well_known_step(url, answer.status, location, answer.body, 0) {
        Ok(step) => drop(format!("{step:?}")),
        Err(err) => mxreg_fuzz::exercise_error(&err),
    }
});
