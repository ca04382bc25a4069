//! The UIA contract of the spec for reCAPTCHA, `m.login.msisdn` and a custom
//! stage behind the fallback page, against a scripted stand-in homeserver
//! on loopback (flows, `completed`, errcodes on a failed stage,
//! `requestToken` and `submit_url`). The same stages on the real Synapse,
//! with stand-ins only for Google's captcha check and the phone company, are
//! in `tests/signup.rs` (the rig's `captcha` and `msisdn` variants).

mod support;

use std::sync::Mutex;

use mxreg::api::register::RegisterRequest;
use mxreg::secret::Secret;
use mxreg::signup::{SignupSession, StageSet, Status};
use mxreg::{Client, ClientConfig, mxreg_result};
use serde_json::{Value, json};
use support::loopback_server::{self, Reply};
use support::signup_steps::refused_step;

const CAPTCHA_OK: &str = "captcha-response-ok";
const SMS_CODE: &str = "123456";
const CUSTOM: &str = "org.example.custom";
const MAIL_CODE: &str = "654321";
/// The spec's example `requestToken` answer (request_token_response.yaml):
/// its `sid`, and its `submit_url` path on the stand-in.
const SPEC_SID: &str = "123abc";
const SPEC_SUBMIT_PATH: &str = "/path/to/submitToken";

/// What the stand-in remembers between requests.
#[derive(Default)]
struct Script {
    flows: Vec<Vec<&'static str>>,
    completed: Vec<String>,
    sms_secret: Option<String>,
    sms_validated: bool,
    mail_secret: Option<String>,
    mail_validated: bool,
    fallback_page_done: bool,
}

struct StandIn {
    base: String,
}

impl StandIn {
    fn start(flows: Vec<Vec<&'static str>>) -> Self {
        let script = Mutex::new(Script {
            flows,
            ..Script::default()
        });
        let base = loopback_server::start(move |request| {
            let (status, answer) = route(
                request.target,
                request.body,
                &mut script.lock().unwrap(),
                request.base,
            );
            Reply::json(status, answer)
        });
        StandIn { base }
    }

    fn session(&self, supported: u32) -> (Client, SignupSession) {
        let client = Client::new(&self.base, &ClientConfig::default()).unwrap();
        let request = RegisterRequest {
            username: Some("scripted".into()),
            password: Some(Secret::new("Passw0rd-scripted")),
            ..RegisterRequest::default()
        };
        let session =
            SignupSession::new(client.homeserver().as_str(), request, StageSet(supported));
        (client, session)
    }
}

fn route(target: &str, body: &Value, script: &mut Script, base: &str) -> (u16, Value) {
    let path = target.split('?').next().unwrap_or("");
    match path {
        "/_matrix/client/v3/register/msisdn/requestToken" => {
            script.sms_secret = body["client_secret"].as_str().map(str::to_owned);
            let submit_url =
                format!("{base}/_matrix/client/unstable/add_threepid/msisdn/submit_token");
            (200, json!({"sid": "sms-sid", "submit_url": submit_url}))
        }
        "/_matrix/client/unstable/add_threepid/msisdn/submit_token" => {
            let right = body["sid"] == "sms-sid"
                && body["client_secret"].as_str() == script.sms_secret.as_deref()
                && body["token"] == SMS_CODE;
            script.sms_validated |= right;
            (200, json!({"success": right}))
        }
        "/_matrix/client/v3/register/email/requestToken" => {
            script.mail_secret = body["client_secret"].as_str().map(str::to_owned);
            let submit_url = format!("{base}{SPEC_SUBMIT_PATH}");
            (200, json!({"sid": SPEC_SID, "submit_url": submit_url}))
        }
        SPEC_SUBMIT_PATH => {
            let right = body["sid"] == SPEC_SID
                && body["client_secret"].as_str() == script.mail_secret.as_deref()
                && body["token"] == MAIL_CODE;
            script.mail_validated |= right;
            (200, json!({"success": right}))
        }
        p if p.starts_with("/_matrix/client/v3/auth/") && p.ends_with("/fallback/web") => {
            // The user finishing the page.
            script.fallback_page_done = true;
            (200, json!({}))
        }
        "/_matrix/client/v3/register" => register(body, script),
        _ => (
            404,
            json!({"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}),
        ),
    }
}

fn register(body: &Value, script: &mut Script) -> (u16, Value) {
    let auth = &body["auth"];
    let accepted = match auth["type"].as_str() {
        None if auth.is_object() => script.fallback_page_done.then(|| CUSTOM.to_owned()),
        Some("m.login.recaptcha") => {
            (auth["response"] == CAPTCHA_OK).then(|| "m.login.recaptcha".into())
        }
        Some("m.login.msisdn") => (script.sms_validated
            && auth["threepid_creds"]["sid"] == "sms-sid"
            && auth["threepid_creds"]["client_secret"].as_str() == script.sms_secret.as_deref())
        .then(|| "m.login.msisdn".into()),
        Some("m.login.email.identity") => (script.mail_validated
            && auth["threepid_creds"]["sid"] == SPEC_SID
            && auth["threepid_creds"]["client_secret"].as_str() == script.mail_secret.as_deref())
        .then(|| "m.login.email.identity".into()),
        Some(CUSTOM) => (auth["answer"] == 42).then(|| CUSTOM.to_owned()),
        Some("m.login.dummy") => Some("m.login.dummy".into()),
        _ => None,
    };
    let failed = auth.is_object() && accepted.is_none();
    if let Some(stage) = accepted {
        if !script.completed.contains(&stage) {
            script.completed.push(stage);
        }
    }
    let done = script
        .flows
        .iter()
        .any(|flow| flow.iter().all(|s| script.completed.iter().any(|c| c == s)));
    if done {
        return (
            200,
            json!({"user_id": "@scripted:standin", "access_token": "tok", "device_id": "DEV"}),
        );
    }
    let flows: Vec<Value> = script.flows.iter().map(|f| json!({"stages": f})).collect();
    let mut answer = json!({
        "flows": flows,
        "params": {"m.login.recaptcha": {"public_key": "site-key"}},
        "session": "scripted-session",
        "completed": script.completed,
    });
    if failed {
        answer["errcode"] = json!("M_UNAUTHORIZED");
        answer["error"] = json!("stage not accepted");
    }
    (401, answer)
}

/// Submits a wrong code (refused, the stage still pending), then `right`.
fn wrong_code_then_right(
    s: &mut SignupSession,
    right: &str,
    submit: impl Fn(&mut SignupSession, &str) -> Result<(), mxreg::Error>,
) {
    let refused = submit(s, "000000");
    refused_step(refused, s, mxreg_result::StageRejected, Status::NeedsStage);
    submit(s, right).unwrap();
}

#[test]
fn recaptcha_then_msisdn_then_dummy() {
    let server = StandIn::start(vec![vec![
        "m.login.recaptcha",
        "m.login.msisdn",
        "m.login.dummy",
    ]]);
    let (client, mut s) = server.session(StageSet::RECAPTCHA | StageSet::MSISDN);
    client.signup_start(&mut s).unwrap();
    assert_eq!(s.next_stage(), Some("m.login.recaptcha"));
    assert_eq!(
        s.uia().unwrap().params["m.login.recaptcha"]["public_key"],
        "site-key"
    );

    let err = client.signup_submit_recaptcha(&mut s, "wrong").unwrap_err();
    assert_eq!(err.code(), mxreg_result::StageRejected);
    client.signup_submit_recaptcha(&mut s, CAPTCHA_OK).unwrap();
    assert_eq!(s.next_stage(), Some("m.login.msisdn"));

    let err = client
        .signup_submit_msisdn_code(&mut s, SMS_CODE)
        .unwrap_err();
    assert_eq!(
        err.code(),
        mxreg_result::InvalidState,
        "no code requested yet"
    );
    client
        .signup_request_msisdn_token(&mut s, "GB", "7700900000")
        .unwrap();
    assert_eq!(s.msisdn().unwrap().address, "GB:7700900000");
    wrong_code_then_right(&mut s, SMS_CODE, |s, code| {
        client.signup_submit_msisdn_code(s, code)
    });
    assert_eq!(
        s.status(),
        Status::Complete,
        "dummy completed automatically"
    );
    assert_eq!(s.registration().unwrap().user_id, "@scripted:standin");
}

/// The server mails a code and gives a `submit_url` (spec: `requestToken`
/// answers): the user types the code, mxreg submits it there. Waiting for
/// a link (`check_email`) would never end, so it is refused.
#[test]
fn an_email_code_goes_to_the_submit_url() {
    let server = StandIn::start(vec![vec!["m.login.email.identity", "m.login.dummy"]]);
    let (client, mut s) = server.session(StageSet::EMAIL);
    client.signup_start(&mut s).unwrap();
    assert_eq!(s.next_stage(), Some("m.login.email.identity"));
    client
        .signup_request_email_token(&mut s, "alice@example.org", None)
        .unwrap();
    let submit_url = s.email().unwrap().submit_url.clone();
    assert_eq!(
        submit_url.as_deref(),
        Some(format!("{}{SPEC_SUBMIT_PATH}", server.base).as_str())
    );

    let err = client.signup_check_email(&mut s).unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidState, "{err}");
    wrong_code_then_right(&mut s, MAIL_CODE, |s, code| {
        client.signup_submit_email_code(s, code)
    });
    assert_eq!(s.status(), Status::Complete, "{:?}", s.next_stage());
}

#[test]
fn an_unknown_stage_through_the_fallback_page() {
    let server = StandIn::start(vec![vec![CUSTOM]]);
    let (client, mut unsupported) = server.session(StageSet::ALL & !StageSet::FALLBACK);
    let err = client.signup_start(&mut unsupported).unwrap_err();
    assert_eq!(err.code(), mxreg_result::UnsupportedFlow);
    assert!(err.to_string().contains(CUSTOM));

    let (client, mut s) = server.session(StageSet::FALLBACK);
    client.signup_start(&mut s).unwrap();
    let err = client.signup_fallback_done(&mut s).unwrap_err();
    assert_eq!(
        err.code(),
        mxreg_result::StageRejected,
        "page not finished yet"
    );
    let url = s.fallback_url(None).unwrap();
    assert!(url.ends_with(
        "/_matrix/client/v3/auth/org.example.custom/fallback/web?session=scripted-session"
    ));
    ureq::get(&url).call().unwrap();
    client.signup_fallback_done(&mut s).unwrap();
    assert_eq!(s.status(), Status::Complete);
}

#[test]
fn an_app_built_auth_dict_for_a_custom_stage() {
    let server = StandIn::start(vec![vec![CUSTOM]]);
    let (client, mut s) = server.session(StageSet::FALLBACK);
    client.signup_start(&mut s).unwrap();
    let err = client
        .signup_submit_auth(&mut s, json!({"type": CUSTOM, "answer": 41}))
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::StageRejected);
    let err = client
        .signup_submit_auth(&mut s, json!("not an object"))
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidArgument);
    client
        .signup_submit_auth(&mut s, json!({"type": CUSTOM, "answer": 42}))
        .unwrap();
    assert_eq!(s.status(), Status::Complete);
}
