//! The probe's combination of answers: `/versions`, `GET /login`, the OAuth
//! metadata, the empty `POST /register` and the guest check, read together
//! as the probe reads them. A status of 0 stands for a transport error.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mxreg::Error;
use mxreg::api::answer::Answer;
use mxreg::homeserver_url::BaseUrl;
use mxreg::oauth::read_metadata_answer;
use mxreg::probe::Answers;
use mxreg::transport::Response;

/// The answer as a request's outcome: status 0 is a timeout.
fn sent(answer: &Answer<'_>) -> Result<Response, Error> {
    if answer.status == 0 {
        return Err(Error::Timeout("fuzzed".into()));
    }
    Ok(Response {
        status: answer.status,
        retry_after_secs: answer.retry_after_secs,
        location: None,
        body: answer.body.to_vec(),
    })
}

fuzz_target!(|data: &[u8]| {
    let answers = mxreg_fuzz::answers(data);
    let empty = Answer::new(404, b"");
    let nth = |n: usize| answers.get(n).copied().unwrap_or(empty);
    let base = BaseUrl::parse("https://matrix.example.org", false).expect("a valid base URL");
    let oauth = read_metadata_answer(&nth(2), false)
        .unwrap_or_else(|| Err(Error::OAuthUnsupported("no metadata endpoint".into())));
    let probed = Answers {
        versions: sent(&nth(0)).and_then(|r| r.answer().decode()),
        login: sent(&nth(1)).and_then(|r| r.answer().decode()),
        oauth,
        registration: sent(&nth(3)),
        guest: answers.get(4).map(sent),
    }
    .read(&base, false);
    match probed {
        Ok(probe) => {
            let json: serde_json::Value =
                serde_json::from_str(&probe.to_json()).expect("the probe's JSON is JSON");
            // What the C API shows must convert, and an unknown part is
            // never also reported as found.
            for unknown in &probe.unknown {
                assert_ne!(unknown.code(), mxreg::mxreg_result::Ok);
                assert!(!unknown.message.contains('\0'));
            }
            assert_eq!(
                json["unknown"].as_array().map_or(0, Vec::len),
                probe.unknown.len()
            );
        }
        Err(err) => mxreg_fuzz::exercise_error(&err),
    }
});
