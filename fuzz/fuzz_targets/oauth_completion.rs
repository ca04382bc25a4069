//! An OAuth sign-up's completion, sans I/O: the metadata, the redirect
//! (with the authorization's own `state`, and the fuzzed query appended),
//! the token endpoint's answer and `whoami`'s, in the order
//! `complete_authorization` reads them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mxreg::oauth::{AuthorizationRequest, Intent};
use mxreg::oauth::{
    ResponseMode, read_metadata_answer, read_token_answer, read_whoami_answer, start_authorization,
};

fuzz_target!(|data: &[u8]| {
    let answers = mxreg_fuzz::answers(data);
    let [metadata, redirect, token, whoami] = match answers.as_slice() {
        [a, b, c, d, ..] => [*a, *b, *c, *d],
        _ => return,
    };
    let Some(Ok(metadata)) = read_metadata_answer(&metadata, false) else {
        return;
    };
    let request = AuthorizationRequest {
        client_id: "client-1".into(),
        redirect_uri: "http://127.0.0.1:8499/callback".into(),
        device_id: None,
        login_hint: None,
        intent: Intent::Login,
        response_mode: ResponseMode::Query,
    };
    let pending = match start_authorization(&metadata, &request) {
        Ok(pending) => pending,
        Err(err) => return mxreg_fuzz::exercise_error(&err),
    };
    let extra = String::from_utf8_lossy(redirect.body);
    let url = format!("{}?state={}&{extra}", request.redirect_uri, pending.state);
    if let Err(err) = mxreg::oauth::redirect::authorization_code(&pending, &metadata, &url) {
        mxreg_fuzz::exercise_error(&err);
    }
    let tokens = match read_token_answer(&token, Some(&pending.device_id)) {
        Ok(tokens) => tokens,
        Err(err) => return mxreg_fuzz::exercise_error(&err),
    };
    match read_whoami_answer(&whoami, &pending.device_id, tokens) {
        Ok(registration) => {
            // What the app keeps must be what the checks allow.
            assert!(registration.user_id.starts_with('@'));
            assert!(registration.user_id.len() <= 255);
            let token = registration.access_token.as_ref().expect("a token");
            assert!(token.expose().bytes().all(|b| b.is_ascii_graphic()));
        }
        Err(err) => mxreg_fuzz::exercise_error(&err),
    }
});
