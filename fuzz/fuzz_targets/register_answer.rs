//! `POST /register` answers: success, user-interactive auth, Matrix errors,
//! anything else; then what the C API builds from them.

#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use mxreg::Registration;
use mxreg::api::register::RegisterResponse;
use mxreg::ffi::registration::RegistrationHandle;

fuzz_target!(|data: &[u8]| {
    let answer = mxreg_fuzz::answer(data);
    match answer.decode::<RegisterResponse>() {
        Ok(response) => {
            let received = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
            let registration = Registration::from_response(response, received);
            if let Err(err) = RegistrationHandle::new(&registration) {
                mxreg_fuzz::exercise_error(&err);
            }
        }
        Err(err) => mxreg_fuzz::exercise_error(&err),
    }
    mxreg_fuzz::exercise_error(&answer.failure());
});
