//! The sans-I/O answer parser on real Synapse 1.163.2 exchanges (copied into
//! `tests/data/synapse/<variant>/`): each file holds the request and the
//! response (status, headers, JSON body) exactly as the server sent them.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use mxreg::Registration;
use mxreg::api::answer::Answer;
use mxreg::api::register::RegisterResponse;
use mxreg::api::uia::{AuthFlow, UiaResponse};
use mxreg::error::{Error, ServerError};
use mxreg::mxreg_result;
use mxreg::secret::Secret;
use serde_json::{Value, json};

/// One captured response.
struct Exchange {
    name: String,
    status: u16,
    /// The `Retry-After` header in seconds, as the transport would read it.
    retry_after_secs: Option<u64>,
    json: Value,
    body: Vec<u8>,
}

impl Exchange {
    fn load(name: &str) -> Self {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/synapse")
            .join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
        let exchange: Value = serde_json::from_str(&text).expect("exchange files are JSON");
        let response = &exchange["response"];
        let json = response["json"].clone();
        assert!(!json.is_null(), "{name}: no JSON body in the capture");
        Exchange {
            name: name.to_owned(),
            status: response["status"].as_u64().expect("status") as u16,
            retry_after_secs: response["headers"]["Retry-After"]
                .as_str()
                .map(|value| value.parse().expect("numeric Retry-After")),
            body: serde_json::to_vec(&json).expect("re-serialise"),
            json,
        }
    }

    fn answer(&self) -> Answer<'_> {
        Answer {
            status: self.status,
            retry_after_secs: self.retry_after_secs,
            body: &self.body,
        }
    }

    fn success(&self) -> RegisterResponse {
        assert_eq!(self.status, 200, "{}", self.name);
        self.answer()
            .decode::<RegisterResponse>()
            .unwrap_or_else(|err| panic!("{}: {err}", self.name))
    }

    /// The error of a non-2xx answer, checking that `decode` gives the same.
    fn failure(&self) -> Error {
        let decoded = self
            .answer()
            .decode::<RegisterResponse>()
            .expect_err("a failure status never decodes");
        let failure = self.answer().failure();
        assert_eq!(decoded.code(), failure.code(), "{}", self.name);
        assert_eq!(decoded.errcode(), failure.errcode(), "{}", self.name);
        failure
    }

    fn uia(&self) -> UiaResponse {
        match self.failure() {
            Error::AuthRequired(uia) => *uia,
            other => panic!("{}: expected AuthRequired, got {other:?}", self.name),
        }
    }

    fn server_error(&self) -> ServerError {
        match self.failure() {
            Error::Server(server) => server,
            other => panic!("{}: expected a server error, got {other:?}", self.name),
        }
    }

    /// `token` is the text of the answer's `key`.
    fn assert_token(&self, token: &Option<Secret>, key: &str) {
        assert_eq!(
            token.as_ref().map(|t| t.expose()),
            Some(self.text(key)),
            "{key}"
        );
    }

    fn text(&self, key: &str) -> &str {
        self.json[key].as_str().unwrap_or_else(|| panic!("{key}"))
    }
}

fn flows(stages: &[&[&str]]) -> Vec<AuthFlow> {
    stages
        .iter()
        .map(|flow| AuthFlow {
            stages: flow.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn success_with_refresh_token() {
    let exchange = Exchange::load("open/05-register-dummy-with-session-device-refresh.json");
    let response = exchange.success();
    assert_eq!(response.user_id, "@alice:localhost");
    assert_eq!(response.device_id.as_deref(), Some("ALICEDEV1"));
    exchange.assert_token(&response.access_token, "access_token");
    exchange.assert_token(&response.refresh_token, "refresh_token");
    assert_eq!(response.expires_in_ms, Some(299_994));

    let received_at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
    let registration = Registration::from_response(response, received_at);
    assert_eq!(registration.expires_in_ms, Some(299_994));
    assert_eq!(registration.expires_at_ms, Some(1_700_000_299_994));
}

#[test]
fn success_without_refresh_token() {
    let exchange = Exchange::load("open/12-register-dummy-oneshot-no-session.json");
    let response = exchange.success();
    assert_eq!(response.user_id, "@bob:localhost");
    assert_eq!(response.device_id.as_deref(), Some("AMQFKAIIDR"));
    assert!(response.access_token.is_some());
    assert!(response.refresh_token.is_none());
    assert_eq!(response.expires_in_ms, None);
    let registration = Registration::from_response(response, UNIX_EPOCH);
    assert_eq!(registration.expires_at_ms, None);
}

#[test]
fn inhibit_login_has_no_token_and_no_device() {
    let response = Exchange::load("open/13-register-inhibit-login.json").success();
    assert_eq!(response.user_id, "@carol:localhost");
    assert!(response.access_token.is_none());
    assert!(response.device_id.is_none());
    assert!(response.refresh_token.is_none());
}

#[test]
fn guest_gets_a_numeric_user_and_the_guest_device() {
    let exchange = Exchange::load("open/28-register-guest.json");
    let response = exchange.success();
    assert_eq!(response.user_id, "@1:localhost");
    assert_eq!(response.device_id.as_deref(), Some("guest_device"));
    exchange.assert_token(&response.access_token, "access_token");
}

#[test]
fn every_captured_success_decodes_with_its_user_id() {
    for name in [
        "open/31-register-guest-upgrade.json",
        "token/13-register-stage-dummy-final.json",
        "terms/04-register-stage-terms.json",
        "email/08-register-email-complete.json",
        "ratelimit/01-burst-register-0.json",
    ] {
        let exchange = Exchange::load(name);
        let response = exchange.success();
        assert_eq!(response.user_id, exchange.text("user_id"), "{name}");
        assert_eq!(
            response.device_id.as_deref(),
            Some(exchange.text("device_id")),
            "{name}"
        );
    }
}

#[test]
fn open_challenge_offers_the_dummy_stage() {
    let exchange = Exchange::load("open/04-register-empty-401.json");
    let err = exchange.failure();
    assert_eq!(err.code(), mxreg_result::AuthRequired);
    assert_eq!(err.http_status(), Some(401));
    assert_eq!(err.errcode(), None);
    assert_eq!(err.retry_after_ms(), None);
    let uia = exchange.uia();
    assert_eq!(uia.flows, flows(&[&["m.login.dummy"]]));
    assert_eq!(uia.session.as_deref(), Some("gxcBzYjnAFgKXWkBKniBuUFl"));
    assert!(uia.params.is_empty());
    assert!(uia.completed.is_empty());
    assert_eq!(uia.error, None);
}

#[test]
fn token_challenge_and_completed_stage() {
    let first = Exchange::load("token/01-register-empty-401.json").uia();
    assert_eq!(
        first.flows,
        flows(&[&["m.login.registration_token", "m.login.dummy"]])
    );
    assert_eq!(first.session.as_deref(), Some("OVysovumVRFzjIwZiuhhnrBi"));
    assert!(first.completed.is_empty());

    let after_token = Exchange::load("token/11-register-stage-token.json").uia();
    assert_eq!(after_token.flows, first.flows);
    assert_eq!(
        after_token.completed,
        strings(&["m.login.registration_token"])
    );
    assert_eq!(after_token.errcode, None);
}

#[test]
fn terms_challenge_carries_the_policies() {
    let exchange = Exchange::load("terms/01-register-empty-401.json");
    let uia = exchange.uia();
    assert_eq!(uia.flows, flows(&[&["m.login.terms", "m.login.dummy"]]));
    assert_eq!(
        Value::Object(uia.params.clone()),
        exchange.json["params"],
        "params are kept whole"
    );
    let policy = &uia.params["m.login.terms"]["policies"]["privacy_policy"];
    assert_eq!(policy["version"], "1.0");
    assert_eq!(policy["en"]["name"], "Harness Privacy Policy");
    assert_eq!(
        policy["en"]["url"],
        "http://127.0.0.1:18104/_matrix/consent?v=1.0"
    );

    let dummy_first = Exchange::load("terms/03-register-stage-dummy-first.json").uia();
    assert_eq!(dummy_first.completed, strings(&["m.login.dummy"]));
    assert!(dummy_first.params.contains_key("m.login.terms"));
    let terms_first = Exchange::load("terms/06-register-stage-terms-first.json").uia();
    assert_eq!(terms_first.completed, strings(&["m.login.terms"]));
}

#[test]
fn email_challenge_needs_the_email_stage() {
    let first = Exchange::load("email/01-register-empty-401.json").uia();
    assert_eq!(first.flows, flows(&[&["m.login.email.identity"]]));
    assert!(first.completed.is_empty());

    // A dummy stage is recorded as completed but is no flow on its own.
    let dummy = Exchange::load("email/12-register-without-3pid-dummy.json").uia();
    assert_eq!(dummy.flows, flows(&[&["m.login.email.identity"]]));
    assert_eq!(dummy.completed, strings(&["m.login.dummy"]));
}

#[test]
fn a_failed_stage_is_auth_required_with_its_errcode() {
    for (name, message) in [
        (
            "token/09-register-stage-bad-token.json",
            "Invalid registration token",
        ),
        (
            "token/16-register-stage-exhausted-token.json",
            "Invalid registration token",
        ),
        (
            "email/05-register-email-before-validation.json",
            "Unable to get validated threepid",
        ),
    ] {
        let exchange = Exchange::load(name);
        let err = exchange.failure();
        assert_eq!(err.code(), mxreg_result::AuthRequired, "{name}");
        assert_eq!(err.errcode(), Some("M_UNAUTHORIZED"), "{name}");
        assert_eq!(err.http_status(), Some(401), "{name}");
        assert!(err.to_string().contains(message), "{name}: {err}");
        let uia = exchange.uia();
        assert_eq!(uia.error.as_deref(), Some(message), "{name}");
        assert_eq!(uia.session.as_deref(), Some(exchange.text("session")));
        assert!(uia.completed.is_empty(), "{name}");
    }
}

#[test]
fn matrix_errors_map_to_their_result_codes() {
    let cases = [
        (
            "open/16-register-user-in-use.json",
            mxreg_result::UserInUse,
            "M_USER_IN_USE",
            400,
        ),
        (
            "open/17-register-user-in-use-case-insensitive.json",
            mxreg_result::UserInUse,
            "M_USER_IN_USE",
            400,
        ),
        (
            "open/19-register-invalid-username.json",
            mxreg_result::InvalidUsername,
            "M_INVALID_USERNAME",
            400,
        ),
        (
            "open/20-register-underscore-username.json",
            mxreg_result::InvalidUsername,
            "M_INVALID_USERNAME",
            400,
        ),
        (
            "open/21-register-numeric-username.json",
            mxreg_result::InvalidUsername,
            "M_INVALID_USERNAME",
            400,
        ),
        (
            "open/22-register-weak-password-short.json",
            mxreg_result::WeakPassword,
            "M_PASSWORD_TOO_SHORT",
            400,
        ),
        (
            "open/23-register-weak-password-nodigit.json",
            mxreg_result::WeakPassword,
            "M_PASSWORD_NO_DIGIT",
            400,
        ),
        (
            "open/24-register-missing-password.json",
            mxreg_result::MatrixError,
            "M_MISSING_PARAM",
            400,
        ),
        (
            "open/26-register-bad-kind.json",
            mxreg_result::MatrixError,
            "M_UNRECOGNIZED",
            400,
        ),
        (
            "closed/02-register-empty-closed.json",
            mxreg_result::Forbidden,
            "M_FORBIDDEN",
            403,
        ),
        (
            "closed/03-register-dummy-closed.json",
            mxreg_result::Forbidden,
            "M_FORBIDDEN",
            403,
        ),
        (
            "open/11-refresh-garbage.json",
            mxreg_result::UnknownToken,
            "M_UNKNOWN_TOKEN",
            401,
        ),
        (
            "token/21-register-guest-disabled.json",
            mxreg_result::MatrixError,
            "M_UNKNOWN",
            403,
        ),
        (
            "closed/04-register-guest-closed.json",
            mxreg_result::MatrixError,
            "M_UNKNOWN",
            403,
        ),
        (
            "open/30-register-guest-upgrade-other-name.json",
            mxreg_result::MatrixError,
            "M_UNKNOWN",
            404,
        ),
    ];
    for (name, code, errcode, status) in cases {
        let exchange = Exchange::load(name);
        assert_eq!(exchange.status, status, "{name}: capture status");
        let err = exchange.failure();
        assert_eq!(err.code(), code, "{name}");
        assert_eq!(err.errcode(), Some(errcode), "{name}");
        assert_eq!(err.http_status(), Some(status), "{name}");
        assert_eq!(err.retry_after_ms(), None, "{name}");
        let text = err.to_string();
        assert!(text.contains(errcode), "{name}: {text}");
        assert!(text.contains(exchange.text("error")), "{name}: {text}");

        let server = exchange.server_error();
        assert_eq!(server.status, status, "{name}");
        assert_eq!(server.errcode.as_deref(), Some(errcode), "{name}");
        assert_eq!(server.message, exchange.text("error"), "{name}");
        assert_eq!(server.body.as_ref(), Some(&exchange.json), "{name}");
    }
}

#[test]
fn rate_limited_answers_carry_the_header_delay() {
    for name in [
        "ratelimit/03-burst-register-2.json",
        "ratelimit/06-uia-empty-while-limited.json",
        "ratelimit/07-guest-while-limited.json",
    ] {
        let exchange = Exchange::load(name);
        assert_eq!(exchange.status, 429, "{name}");
        assert!(
            exchange.retry_after_secs.is_some(),
            "{name}: Synapse sends Retry-After"
        );
        let err = exchange.failure();
        assert_eq!(err.code(), mxreg_result::RateLimited, "{name}");
        assert_eq!(err.errcode(), Some("M_LIMIT_EXCEEDED"), "{name}");
        assert_eq!(err.http_status(), Some(429), "{name}");
        // The spec (v1.10) deprecates `retry_after_ms` in favour of the
        // header: the header's delay is the one reported.
        assert_eq!(
            err.retry_after_ms(),
            exchange.retry_after_secs.map(|secs| secs * 1000),
            "{name}"
        );
        assert_eq!(
            exchange.server_error().body.as_ref(),
            Some(&exchange.json),
            "{name}"
        );
    }
}

#[test]
fn rate_limit_header_is_used_when_the_body_has_no_delay() {
    let exchange = Exchange::load("ratelimit/03-burst-register-2.json");
    assert_eq!(exchange.retry_after_secs, Some(10));
    let mut json = exchange.json.clone();
    json.as_object_mut().unwrap().remove("retry_after_ms");
    let body = serde_json::to_vec(&json).unwrap();
    let with_header = Answer {
        status: 429,
        retry_after_secs: exchange.retry_after_secs,
        body: &body,
    };
    assert_eq!(with_header.failure().retry_after_ms(), Some(10_000));
    let without_header = Answer::new(429, &body);
    let err = without_header.failure();
    assert_eq!(err.code(), mxreg_result::RateLimited);
    assert_eq!(err.retry_after_ms(), None);
}

#[test]
fn unknown_fields_of_an_error_body_are_kept() {
    let exchange = Exchange::load("closed/02-register-empty-closed.json");
    let mut json = exchange.json.clone();
    let extra = json!({"nested": [1, 2, 3], "flag": true});
    json["org.example.future_field"] = extra.clone();
    let body = serde_json::to_vec(&json).unwrap();
    match Answer::new(403, &body).failure() {
        Error::Server(server) => {
            assert_eq!(server.code(), mxreg_result::Forbidden);
            let kept = server.body.expect("JSON body kept");
            assert_eq!(kept["org.example.future_field"], extra);
            assert_eq!(kept, json);
        }
        other => panic!("expected a server error, got {other:?}"),
    }
}

/// Feed a captured answer to a signup session as the driver would.
fn feed(session: &mut mxreg::signup::SignupSession, name: &str) -> Result<(), Error> {
    let exchange = Exchange::load(name);
    let answer = if exchange.status == 200 {
        Ok(Registration::from_response(exchange.success(), UNIX_EPOCH))
    } else {
        Err(exchange.failure())
    };
    // The driver attempts the pending stage (none before the first answer).
    let attempted = session.next_stage().map(str::to_owned);
    session.handle(answer, attempted.as_deref())
}

fn new_session(supported: u32) -> mxreg::signup::SignupSession {
    mxreg::signup::SignupSession::new(
        "http://127.0.0.1:18102",
        mxreg::api::register::RegisterRequest::default(),
        mxreg::signup::StageSet(supported),
    )
}

#[test]
fn the_session_replays_the_captured_token_run() {
    use mxreg::signup::{StageSet, Status};
    let mut session = new_session(StageSet::REGISTRATION_TOKEN);
    feed(&mut session, "token/01-register-empty-401.json").unwrap();
    assert_eq!(session.next_stage(), Some("m.login.registration_token"));
    // A bad token: rejected, the session goes on with the same stage.
    let err = feed(&mut session, "token/09-register-stage-bad-token.json").unwrap_err();
    assert_eq!(err.code(), mxreg_result::StageRejected);
    assert_eq!(session.status(), Status::NeedsStage);
    // The token accepted: the dummy stage is next, which the driver sends itself.
    feed(&mut session, "token/11-register-stage-token.json").unwrap();
    assert!(session.next_is_automatic());
    feed(&mut session, "token/13-register-stage-dummy-final.json").unwrap();
    assert_eq!(session.status(), Status::Complete);
    assert!(session.registration().unwrap().user_id.starts_with('@'));
}

#[test]
fn the_session_replays_the_captured_terms_run() {
    use mxreg::signup::{StageSet, Status};
    let mut session = new_session(StageSet::TERMS);
    feed(&mut session, "terms/01-register-empty-401.json").unwrap();
    assert_eq!(session.next_stage(), Some("m.login.terms"));
    assert_eq!(session.policies()[0].id, "privacy_policy");
    feed(&mut session, "terms/06-register-stage-terms-first.json").unwrap();
    assert!(session.next_is_automatic(), "terms done, dummy left");
    // An exhausted token run on another session: the answer is a rejection.
    let mut token = new_session(StageSet::REGISTRATION_TOKEN);
    feed(&mut token, "token/01-register-empty-401.json").unwrap();
    let err = feed(&mut token, "token/16-register-stage-exhausted-token.json").unwrap_err();
    assert_eq!(err.code(), mxreg_result::StageRejected);
    assert_eq!(session.status(), Status::NeedsStage);
}

#[test]
fn the_session_fails_on_a_closed_server_and_on_an_email_only_server_without_email() {
    use mxreg::signup::{StageSet, Status};
    let mut closed = new_session(StageSet::ALL);
    let err = feed(&mut closed, "closed/02-register-empty-closed.json").unwrap_err();
    assert_eq!(err.code(), mxreg_result::Forbidden);
    assert_eq!(closed.status(), Status::Failed);

    let mut email = new_session(StageSet::TERMS);
    let err = feed(&mut email, "email/01-register-empty-401.json").unwrap_err();
    assert_eq!(err.code(), mxreg_result::UnsupportedFlow);
    assert!(err.to_string().contains("m.login.email.identity"), "{err}");
}
