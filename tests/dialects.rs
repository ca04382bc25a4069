//! Other homeservers' answers, replayed on loopback: the same situation
//! must give the same mxreg result whatever the server. Each replay follows
//! the server code named beside it, read at that commit:
//!
//! - Tuwunel: matrix-construct/tuwunel `src/service/uiaa/mod.rs` @ 04e66a03
//!   (UIA sessions in the database, deleted on success; an unknown session
//!   is 403 `M_FORBIDDEN` "UIAA session does not exist."; a stage type it
//!   does not handle is only logged: the 401 comes back without it).
//! - Continuwuity: `src/service/uiaa/mod.rs` as mirrored in
//!   random-mcrafter/continuwuity @ 055d90ce (sessions in memory, dropped on
//!   success or restart; an unknown session is 400 `M_INVALID_PARAM`
//!   "Invalid session"; a fallback acknowledgement returns the session
//!   unchanged; an unsupported stage is 401 with `M_UNRECOGNIZED`).
//! - Dendrite: matrix-org/dendrite `clientapi/routing/register.go` @
//!   8299da59 (a wrong captcha is 401 `M_BAD_JSON` without `flows`; an
//!   unimplemented stage type is 501; guests off is 403 `M_FORBIDDEN`; a
//!   finished session re-sent gets the same 200 answer).
//!
//! The errcodes no local server sends for these endpoints on demand
//! (`M_USER_LIMIT_EXCEEDED`, `M_CONSENT_NOT_GIVEN`, `M_TOKEN_INCORRECT`,
//! `M_APPSERVICE_LOGIN_UNSUPPORTED`, one unknown to mxreg) are replayed in
//! the spec's shape, and so is server discovery's every outcome.

mod support;

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use mxreg::api::register::{AccountKind, RegisterRequest};
use mxreg::secret::Secret;
use mxreg::signup::{SignupSession, StageSet, Status};
use mxreg::{Client, ClientConfig, Error, mxreg_result};
use serde_json::{Value, json};
use support::loopback_server::{self, Reply, Request};
use support::signup_steps::refused_step;

const SESSION: &str = "replayed-session";

fn uia(flows: &[&[&str]], completed: &[&str]) -> Value {
    let flows: Vec<Value> = flows.iter().map(|f| json!({"stages": f})).collect();
    json!({"flows": flows, "params": {}, "session": SESSION, "completed": completed})
}

fn error(status: u16, errcode: &str, text: &str) -> Reply {
    Reply::json(status, json!({"errcode": errcode, "error": text}))
}

fn request() -> RegisterRequest {
    RegisterRequest {
        username: Some("replayed".into()),
        password: Some(Secret::new("Passw0rd-replayed")),
        ..RegisterRequest::default()
    }
}

fn signup(base: &str, supported: u32) -> (Client, SignupSession) {
    let client = Client::new(base, &ClientConfig::default()).unwrap();
    let session = SignupSession::new(base, request(), StageSet(supported));
    (client, session)
}

/// A server's answer to a session it no longer knows.
type GoneAnswer = fn() -> Reply;
/// A server's answer to a stage it does not complete.
type Refusal = fn(&Request<'_>) -> Reply;

/// A session the server forgot between the first answer and the stage:
/// each server's own answer for it.
fn forgetting_server(gone: GoneAnswer) -> String {
    loopback_server::start(move |request: &Request<'_>| {
        match request.body["auth"]["session"].as_str() {
            None => Reply::json(401, uia(&[&["m.login.registration_token"]], &[])),
            Some(_) => gone(),
        }
    })
}

#[test]
fn a_forgotten_session_is_session_expired_on_every_server() {
    let replays: [(&str, GoneAnswer); 3] = [
        // Synapse: SessionError in synapse/handlers/ui_auth (what the rig
        // also shows live in tests/signup.rs).
        ("synapse", || {
            error(400, "M_UNKNOWN", "Unknown session ID: replayed-session")
        }),
        ("tuwunel", || {
            error(403, "M_FORBIDDEN", "UIAA session does not exist.")
        }),
        ("continuwuity", || {
            error(400, "M_INVALID_PARAM", "Invalid session")
        }),
    ];
    for (server, gone) in replays {
        let (client, mut s) = signup(&forgetting_server(gone), StageSet::REGISTRATION_TOKEN);
        client.signup_start(&mut s).unwrap();
        let err = client.signup_submit_token(&mut s, "token").unwrap_err();
        assert_eq!(err.code(), mxreg_result::SessionExpired, "{server}: {err}");
        assert_eq!(s.status(), Status::Failed, "{server}");
    }
}

/// A server that does not complete `stage` however it is sent, answering
/// as `refuse` says.
fn refusing_server(stage: &'static str, refuse: Refusal) -> String {
    loopback_server::start(move |request: &Request<'_>| {
        if request.body["auth"].is_object() {
            refuse(request)
        } else {
            Reply::json(401, uia(&[&[stage]], &[]))
        }
    })
}

#[test]
fn a_stage_the_server_does_not_accept_is_stage_rejected_on_every_server() {
    let custom = "org.example.custom";
    let replays: [(&str, &str, Refusal); 4] = [
        // Dendrite: validateRecaptcha's answer to success=false.
        ("dendrite captcha", "m.login.recaptcha", |_| {
            error(
                401,
                "M_BAD_JSON",
                "Invalid captcha response. Please try again.",
            )
        }),
        // Dendrite: handleRegistrationFlow's default case.
        ("dendrite unimplemented", custom, |_| {
            error(501, "M_UNKNOWN", "unknown/unimplemented auth type")
        }),
        // Continuwuity: check_stage's catch-all.
        ("continuwuity", custom, |_| {
            let mut body = uia(&[&["org.example.custom"]], &[]);
            body["errcode"] = json!("M_UNRECOGNIZED");
            body["error"] = json!("Unsupported stage type");
            Reply::json(401, body)
        }),
        // Tuwunel: try_auth logs "AuthData type not supported" and answers
        // the session as it was.
        ("tuwunel", custom, |_| {
            Reply::json(401, uia(&[&["org.example.custom"]], &[]))
        }),
    ];
    for (server, stage, refuse) in replays {
        let (client, mut s) = signup(&refusing_server(stage, refuse), StageSet::ALL);
        client.signup_start(&mut s).unwrap();
        let err = if stage == "m.login.recaptcha" {
            client.signup_submit_recaptcha(&mut s, "wrong").unwrap_err()
        } else {
            client
                .signup_submit_auth(&mut s, json!({"type": stage, "answer": 41}))
                .unwrap_err()
        };
        assert_eq!(err.code(), mxreg_result::StageRejected, "{server}: {err}");
        assert_eq!(
            s.status(),
            Status::NeedsStage,
            "{server}: the session goes on"
        );
        assert_eq!(s.next_stage(), Some(stage), "{server}");
    }
}

#[test]
fn an_unfinished_fallback_page_is_stage_rejected_on_continuwuity_too() {
    // Continuwuity answers a fallback acknowledgement with the session as
    // it was, without an errcode.
    let base = refusing_server("m.login.recaptcha", |_| {
        Reply::json(401, uia(&[&["m.login.recaptcha"]], &[]))
    });
    let (client, mut s) = signup(&base, StageSet::FALLBACK);
    client.signup_start(&mut s).unwrap();
    let refused = client.signup_fallback_done(&mut s);
    refused_step(refused, &s, mxreg_result::StageRejected, Status::NeedsStage);
}

#[test]
fn refused_guests_are_guest_access_forbidden_on_dendrite_too() {
    // Dendrite: handleGuestRegistration.
    let base = loopback_server::start(|_: &Request<'_>| {
        error(
            403,
            "M_FORBIDDEN",
            "Guest registration is disabled on \"localhost\"",
        )
    });
    let client = Client::new(&base, &ClientConfig::default()).unwrap();
    let guest = RegisterRequest {
        kind: AccountKind::Guest,
        ..RegisterRequest::default()
    };
    let err = client.register(&guest, None).unwrap_err();
    assert_eq!(err.code(), mxreg_result::GuestAccessForbidden, "{err}");
    assert_eq!(err.errcode(), Some("M_FORBIDDEN"));
    // A user registration refused the same way stays FORBIDDEN.
    let err = client.register(&request(), None).unwrap_err();
    assert_eq!(err.code(), mxreg_result::Forbidden);
}

/// Tuwunel and Continuwuity drop the UIA session once registration
/// succeeds; this replay also remembers the device each login used.
struct Forgetful {
    registered: Option<String>,
    logins: Vec<String>,
}

#[test]
fn recovery_on_a_server_that_drops_the_finished_session_logs_in_onto_the_device() {
    let state = Mutex::new(Forgetful {
        registered: None,
        logins: Vec::new(),
    });
    let base = loopback_server::start(move |request: &Request<'_>| {
        let mut state = state.lock().unwrap();
        let body = request.body;
        match request.path() {
            "/_matrix/client/v3/register" => match body["auth"]["session"].as_str() {
                None => Reply::json(401, uia(&[&["m.login.dummy"]], &[])),
                Some(_) if state.registered.is_some() => {
                    error(403, "M_FORBIDDEN", "UIAA session does not exist.")
                }
                Some(_) => {
                    let device = body["device_id"]
                        .as_str()
                        .unwrap_or("SERVERMADE")
                        .to_owned();
                    state.registered = Some(device.clone());
                    // The answer the client will not see (dropped below).
                    Reply::json(500, json!({"lost": device}))
                }
            },
            "/_matrix/client/v3/login" => {
                let device = body["device_id"].as_str().unwrap_or_default().to_owned();
                state.logins.push(device.clone());
                Reply::json(
                    200,
                    json!({"user_id": "@replayed:tuwunel", "access_token": "t", "device_id": device}),
                )
            }
            _ => error(404, "M_UNRECOGNIZED", "Unrecognized request"),
        }
    });
    let client = Client::new(&base, &ClientConfig::default()).unwrap();
    let mut lost = request();
    lost.device_id = Some("CHOSEN1234".into());
    let auth = json!({"type": "m.login.dummy", "session": SESSION});
    // The registration happened; its answer is taken as lost.
    let _ = client.register(&lost, Some(&auth));
    let account = client.recover_registration(&lost, Some(&auth)).unwrap();
    assert_eq!(account.device_id.as_deref(), Some("CHOSEN1234"));
}

#[test]
fn recovery_on_dendrite_gets_the_finished_session_s_answer_again() {
    // register.go: getCompletedRegistration answers a finished session
    // with the same 200, without a second registration.
    let base =
        loopback_server::start(|request: &Request<'_>| {
            match request.body["auth"]["session"].as_str() {
                None => Reply::json(401, uia(&[&["m.login.dummy"]], &[])),
                Some(_) => Reply::json(
                    200,
                    json!({"user_id": "@replayed:dendrite", "access_token": "t",
                       "device_id": request.body["device_id"], "home_server": "dendrite"}),
                ),
            }
        });
    let client = Client::new(&base, &ClientConfig::default()).unwrap();
    let mut lost = request();
    lost.device_id = Some("DENDRITE01".into());
    let auth = json!({"type": "m.login.dummy", "session": SESSION});
    let account = client.recover_registration(&lost, Some(&auth)).unwrap();
    assert_eq!(account.device_id.as_deref(), Some("DENDRITE01"));
}

#[test]
fn errcodes_no_local_server_sends_arrive_typed_with_their_payloads() {
    let base =
        loopback_server::start(
            |request: &Request<'_>| match request.body["username"].as_str() {
                Some("limit") => Reply::json(
                    403,
                    json!({"errcode": "M_USER_LIMIT_EXCEEDED", "error": "plan full",
                   "info_uri": "https://example.org/plans", "can_upgrade": true}),
                ),
                Some("consent") => Reply::json(
                    403,
                    json!({"errcode": "M_CONSENT_NOT_GIVEN", "error": "agree first",
                   "consent_uri": "https://example.org/consent?u=x"}),
                ),
                Some("appservice") => error(400, "M_APPSERVICE_LOGIN_UNSUPPORTED", "use OAuth"),
                Some("token") => error(400, "M_TOKEN_INCORRECT", "wrong code"),
                _ => error(400, "M_SOMETHING_NEW", "a newer server"),
            },
        );
    let client = Client::new(&base, &ClientConfig::default()).unwrap();
    let refused = |name: &str| {
        let mut attempt = request();
        attempt.username = Some(name.into());
        client.register(&attempt, None).unwrap_err()
    };
    let err = refused("limit");
    assert_eq!(err.code(), mxreg_result::UserLimitExceeded);
    assert_eq!(err.body_text("info_uri"), Some("https://example.org/plans"));
    assert_eq!(err.can_upgrade(), Some(true));
    let err = refused("consent");
    assert_eq!(err.code(), mxreg_result::ConsentNotGiven);
    assert_eq!(
        err.body_text("consent_uri"),
        Some("https://example.org/consent?u=x")
    );
    assert_eq!(
        refused("appservice").code(),
        mxreg_result::AppserviceLoginUnsupported
    );
    assert_eq!(refused("token").code(), mxreg_result::TokenIncorrect);
    let err = refused("other");
    assert_eq!(err.code(), mxreg_result::MatrixError);
    assert_eq!(err.errcode(), Some("M_SOMETHING_NEW"));
}

#[test]
fn retry_after_as_an_http_date_wins_over_the_body() {
    let base = loopback_server::start(|_: &Request<'_>| {
        let in_a_minute = SystemTime::now() + Duration::from_secs(60);
        error(429, "M_LIMIT_EXCEEDED", "slow down").header("Retry-After", http_date(in_a_minute))
    });
    let client = Client::new(&base, &ClientConfig::default()).unwrap();
    let err = client.register(&request(), None).unwrap_err();
    assert_eq!(err.code(), mxreg_result::RateLimited);
    let delay = err.retry_after_ms().expect("the date's delay");
    assert!((55_000..=61_000).contains(&delay), "{delay}");
}

/// An IMF-fixdate, written here so that the parser is not its own oracle.
fn http_date(at: SystemTime) -> String {
    let secs = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let output = std::process::Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("@{secs}"),
            "+%a, %d %b %Y %H:%M:%S GMT",
        ])
        .env("LC_ALL", "C")
        .output()
        .expect("date(1)");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A `.well-known` server answering discovery with `well_known`; `/versions`
/// answers as a homeserver unless told otherwise.
fn discovery_server(well_known: fn(&str) -> Reply, versions_ok: bool) -> String {
    loopback_server::start(move |request: &Request<'_>| match request.path() {
        "/.well-known/matrix/client" => well_known(request.base),
        "/moved" => Reply::json(200, json!({"m.homeserver": {"base_url": request.base}})),
        "/_matrix/client/versions" if versions_ok => {
            Reply::json(200, json!({"versions": ["v1.11"]}))
        }
        "/_matrix/client/versions" => Reply::json(200, json!({"not": "a homeserver"})),
        "/_matrix/client/v3/register" => Reply::json(401, uia(&[&["m.login.dummy"]], &[])),
        _ => error(404, "M_UNRECOGNIZED", "Unrecognized request"),
    })
}

fn probe(base: &str) -> Result<mxreg::probe::Probe, Error> {
    mxreg::probe::probe(base, &ClientConfig::default(), false)
}

#[test]
fn discovery_follows_the_spec_s_outcomes() {
    // A redirect on .well-known is followed; the document it leads to wins.
    let base = discovery_server(
        |base| Reply::json(301, json!({})).header("Location", format!("{base}/moved")),
        true,
    );
    let found = probe(&base).unwrap();
    assert!(found.discovered_by_well_known);
    assert_eq!(found.homeserver_url, base);

    // 404: IGNORE, the URL as given.
    let base = discovery_server(|_| error(404, "M_NOT_FOUND", "none"), true);
    assert!(!probe(&base).unwrap().discovered_by_well_known);

    // Another status, or a body that is no document: FAIL_PROMPT.
    for well_known in [
        (|_: &str| error(500, "M_UNKNOWN", "oops")) as fn(&str) -> Reply,
        |_| Reply::json(200, json!(["not", "an", "object"])),
        |_| Reply::json(200, json!({"m.homeserver": {}})),
    ] {
        let err = probe(&discovery_server(well_known, true)).unwrap_err();
        assert_eq!(err.code(), mxreg_result::DiscoveryFailPrompt, "{err}");
    }

    // A base URL that is no URL, or no homeserver behind it: FAIL_ERROR.
    let err = probe(&discovery_server(
        |_| Reply::json(200, json!({"m.homeserver": {"base_url": "not a url"}})),
        true,
    ))
    .unwrap_err();
    assert_eq!(err.code(), mxreg_result::DiscoveryFailError, "{err}");
    let err = probe(&discovery_server(
        |base| Reply::json(200, json!({"m.homeserver": {"base_url": base}})),
        false,
    ))
    .unwrap_err();
    assert_eq!(err.code(), mxreg_result::DiscoveryFailError, "{err}");
}
