//! The registration session against real Synapse variants: each stage type,
//! resume after a restart, pre-checks, guests, refresh, rate limits.

mod support;

use std::thread;
use std::time::Duration;

use mxreg::api::register::RegisterRequest;
use mxreg::secret::Secret;
use mxreg::signup::{SignupSession, StageSet, Status};
use mxreg::{Client, ClientConfig, mxreg_result};
use support::rig::{
    PASSWORD, client, guest_request, homeserver, register_with_dummy, rig, unique_username,
    user_request,
};
use support::signup_steps::refused_step;

fn session(variant: &str, request: RegisterRequest, supported: u32) -> (Client, SignupSession) {
    let client = client(variant);
    let session = SignupSession::new(client.homeserver().as_str(), request, StageSet(supported));
    (client, session)
}

/// A session for a new user (a fresh name starting with `prefix`) on
/// `variant`.
fn new_session(variant: &str, prefix: &str, supported: u32) -> (Client, SignupSession) {
    session(variant, user_request(&unique_username(prefix)), supported)
}

/// The same, started.
fn started(variant: &str, prefix: &str, supported: u32) -> (Client, SignupSession) {
    let (client, mut s) = new_session(variant, prefix, supported);
    start(&client, &mut s).unwrap();
    (client, s)
}

/// Start, waiting out 429s from the shared servers.
fn start(client: &Client, session: &mut SignupSession) -> Result<(), mxreg::Error> {
    for _ in 0..5 {
        match client.signup_start(session) {
            Err(err) if err.code() == mxreg_result::RateLimited => {
                thread::sleep(Duration::from_millis(err.retry_after_ms().unwrap_or(1000)));
            }
            other => return other,
        }
    }
    client.signup_start(session)
}

fn patient_client(variant: &str) -> Client {
    let config = ClientConfig {
        rate_limit_max_wait: Duration::from_secs(20),
        ..ClientConfig::default()
    };
    Client::new(&homeserver(variant), &config).unwrap()
}

#[test]
fn open_server_completes_on_start_with_the_dummy_stage() {
    let name = unique_username("sopen");
    let (client, mut s) = session("OPEN", user_request(&name), 0);
    start(&client, &mut s).unwrap();
    assert_eq!(s.status(), Status::Complete);
    let registration = s.registration().unwrap();
    assert_eq!(registration.user_id, format!("@{name}:localhost"));
    assert!(s.save().is_err(), "a finished session cannot be saved");
}

#[test]
fn registration_token_stage_rejects_a_wrong_token_then_accepts_a_valid_one() {
    let token = rig(&["token-create", "token", "--uses", "1"]);
    let client = client("TOKEN");
    assert!(client.registration_token_valid(&token).unwrap());
    assert!(!client.registration_token_valid("no-such-token").unwrap());

    let (client, mut s) = started("TOKEN", "stok", StageSet::REGISTRATION_TOKEN);
    assert_eq!(s.next_stage(), Some("m.login.registration_token"));

    let err = client
        .signup_submit_token(&mut s, "wrong-token")
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::StageRejected, "{err}");
    assert_eq!(err.errcode(), Some("M_UNAUTHORIZED"));
    assert_eq!(
        s.status(),
        Status::NeedsStage,
        "a rejected stage keeps the session"
    );

    client.signup_submit_token(&mut s, &token).unwrap();
    assert_eq!(
        s.status(),
        Status::Complete,
        "the dummy stage follows automatically"
    );

    // The single use is spent: the validity check and a second signup say so.
    assert!(!client.registration_token_valid(&token).unwrap());
    let (_, mut again) = new_session("TOKEN", "stok", StageSet::REGISTRATION_TOKEN);
    start(&client, &mut again).unwrap();
    let err = client.signup_submit_token(&mut again, &token).unwrap_err();
    assert_eq!(err.code(), mxreg_result::StageRejected);
}

/// Registration tokens named like words of the server's answer (stage
/// names, the session): scrubbing them from errors must not change the
/// flows and completed stages mxreg reads.
#[test]
fn tokens_named_like_parts_of_the_answer_complete_registration() {
    for name in ["login", "token", "dummy", "registration"] {
        let token = rig(&["token-create", "token", "--token", name, "--exist-ok"]);
        assert_eq!(token, name);
        let (client, mut s) = started("TOKEN", "sname", StageSet::REGISTRATION_TOKEN);
        client
            .signup_submit_token(&mut s, &token)
            .unwrap_or_else(|err| panic!("token {name}: {err}"));
        assert_eq!(s.status(), Status::Complete, "token {name}");
    }
}

#[test]
fn an_expired_registration_token_is_rejected() {
    let token = rig(&["token-create", "token", "--expiry-ms", "1500"]);
    thread::sleep(Duration::from_millis(2000));
    let (client, mut s) = new_session("TOKEN", "sexp", StageSet::REGISTRATION_TOKEN);
    assert!(!client.registration_token_valid(&token).unwrap());
    start(&client, &mut s).unwrap();
    let err = client.signup_submit_token(&mut s, &token).unwrap_err();
    assert_eq!(err.code(), mxreg_result::StageRejected);
}

#[test]
fn flows_with_unsupported_stages_are_refused_with_their_names() {
    let (client, mut s) = new_session("TOKEN", "sunsup", 0);
    let err = start(&client, &mut s).unwrap_err();
    assert_eq!(err.code(), mxreg_result::UnsupportedFlow);
    assert!(
        err.to_string().contains("m.login.registration_token"),
        "{err}"
    );
    assert_eq!(s.status(), Status::Failed);
}

#[test]
fn fallback_support_covers_any_stage_and_gives_the_page() {
    let (client, mut s) = started("TOKEN", "sfb", StageSet::FALLBACK);
    let url = s.fallback_url(None).unwrap();
    assert!(url.starts_with(&format!(
        "{}/_matrix/client/v3/auth/m.login.registration_token/fallback/web?session=",
        homeserver("TOKEN")
    )));
    // The page is real: Synapse serves it.
    let page = ureq::get(&url).call().unwrap();
    assert_eq!(page.status(), 200);
    // Acknowledging before the page was completed: the stage is still pending.
    let refused = client.signup_fallback_done(&mut s);
    refused_step(refused, &s, mxreg_result::StageRejected, Status::NeedsStage);
}

/// The value of `attribute` in the first tag of `html` that has it.
fn html_attribute<'a>(html: &'a str, after: &str, attribute: &str) -> &'a str {
    let from = html
        .find(after)
        .unwrap_or_else(|| panic!("{after} in the page"));
    let needle = format!("{attribute}=\"");
    let start = html[from..].find(&needle).expect("the attribute") + from + needle.len();
    let end = html[start..].find('"').expect("its end") + start;
    &html[start..end]
}

#[test]
fn a_fallback_page_completed_through_synapse_s_own_form() {
    let (client, mut s) = started("TERMS", "sfbterms", StageSet::FALLBACK);
    assert_eq!(s.next_stage(), Some("m.login.terms"));
    let page = ureq::get(&s.fallback_url(None).unwrap())
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    // Before the user agrees, the acknowledgement is refused.
    let err = client.signup_fallback_done(&mut s).unwrap_err();
    assert_eq!(err.code(), mxreg_result::StageRejected, "{err}");

    // The user presses "Agree": the form's own action and hidden fields,
    // posted as a browser does.
    let action = html_attribute(&page, "<form", "action");
    let session_id = html_attribute(&page, "name=\"session\"", "value");
    assert_eq!(session_id, s.session_id().unwrap());
    let form = format!(
        "session={}",
        mxreg::homeserver_url::encode_query_value(session_id)
    );
    let mut done = ureq::post(&format!("{}{action}", homeserver("TERMS")))
        .content_type("application/x-www-form-urlencoded")
        .send(form.as_bytes())
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(!done.body_mut().read_to_string().unwrap().contains("<form"));

    client.signup_fallback_done(&mut s).unwrap();
    assert_eq!(s.status(), Status::Complete, "terms, then the dummy stage");
}

#[test]
fn terms_stage_lists_the_policies_and_completes_on_acceptance() {
    let (client, mut s) = started("TERMS", "sterms", StageSet::TERMS);
    assert_eq!(s.next_stage(), Some("m.login.terms"));
    let policies = s.policies();
    assert_eq!(policies.len(), 1);
    let english = policies[0].translation(Some("en")).unwrap();
    assert_eq!(policies[0].version, "1.0");
    assert!(english.url.contains("/_matrix/consent"), "{english:?}");
    assert!(!english.name.is_empty());
    client.signup_accept_terms(&mut s).unwrap();
    assert_eq!(s.status(), Status::Complete);
}

#[test]
fn a_name_taken_while_stages_were_pending_fails_the_session() {
    let name = unique_username("srace");
    let (client, mut first) = session("TERMS", user_request(&name), StageSet::TERMS);
    let (_, mut second) = session("TERMS", user_request(&name), StageSet::TERMS);
    start(&client, &mut first).unwrap();
    start(&client, &mut second).unwrap();
    client.signup_accept_terms(&mut first).unwrap();
    let refused = client.signup_accept_terms(&mut second);
    refused_step(refused, &second, mxreg_result::UserInUse, Status::Failed);
}

#[test]
fn an_unknown_session_is_reported_as_expired() {
    let (client, s) = started("TERMS", "sgone", StageSet::TERMS);
    let saved = s.save().unwrap();
    let session_id = s.session_id().unwrap().to_owned();
    let forged = saved.replace(&session_id, "nosuchsession");
    let mut restored = SignupSession::restore(&forged, client.homeserver().as_str()).unwrap();
    let refused = client.signup_accept_terms(&mut restored);
    refused_step(
        refused,
        &restored,
        mxreg_result::SessionExpired,
        Status::Failed,
    );
}

#[test]
fn email_stage_survives_a_restart_between_the_mail_and_the_click() {
    let name = unique_username("smail");
    let address = format!("{name}@example.org");
    let (client, mut s) = session("EMAIL", user_request(&name), StageSet::EMAIL);
    start(&client, &mut s).unwrap();
    assert_eq!(s.next_stage(), Some("m.login.email.identity"));
    let err = client.signup_check_email(&mut s).unwrap_err();
    assert_eq!(
        err.code(),
        mxreg_result::InvalidState,
        "check before requesting"
    );

    client
        .signup_request_email_token(&mut s, &address, None)
        .unwrap();
    let err = client.signup_check_email(&mut s).unwrap_err();
    assert_eq!(
        err.code(),
        mxreg_result::StageRejected,
        "not validated yet: {err}"
    );

    // The app is killed here; the saved form holds the client secret.
    let saved = s.save().unwrap();
    assert!(saved.contains(s.email().unwrap().client_secret.expose()));
    drop(s);

    let link = rig(&["mail-link", "email", "--to", &address, "--timeout", "20"]);
    let clicked = ureq::get(&link).call().unwrap();
    assert_eq!(
        clicked.status(),
        200,
        "following the mail link as a person would"
    );

    let client = support::rig::client("EMAIL");
    let mut resumed = SignupSession::restore(&saved, client.homeserver().as_str()).unwrap();
    client.signup_check_email(&mut resumed).unwrap();
    assert_eq!(resumed.status(), Status::Complete);
    assert_eq!(
        resumed.registration().unwrap().user_id,
        format!("@{name}:localhost")
    );

    // The address is bound to that account now: another sign-up cannot
    // use it (Synapse's M_THREEPID_IN_USE).
    let (client, mut other) = started("EMAIL", "smail", StageSet::EMAIL);
    let err = client
        .signup_request_email_token(&mut other, &address, None)
        .unwrap_err();
    assert_eq!(err.code(), mxreg_result::ThreepidInUse, "{err}");
    assert_eq!(err.errcode(), Some("M_THREEPID_IN_USE"));
}

#[test]
fn closed_server_fails_the_session_with_forbidden() {
    let (client, mut s) = new_session("CLOSED", "sclosed", StageSet::ALL);
    let err = start(&client, &mut s).unwrap_err();
    assert_eq!(err.code(), mxreg_result::Forbidden);
    assert_eq!(s.status(), Status::Failed);
}

#[test]
fn calls_out_of_order_are_invalid_state() {
    let (client, mut s) = new_session("TERMS", "sorder", StageSet::TERMS);
    assert_eq!(
        client.signup_accept_terms(&mut s).unwrap_err().code(),
        mxreg_result::InvalidState
    );
    start(&client, &mut s).unwrap();
    assert_eq!(
        client.signup_start(&mut s).unwrap_err().code(),
        mxreg_result::InvalidState
    );
    let err = client.signup_submit_token(&mut s, "x").unwrap_err();
    assert_eq!(
        err.code(),
        mxreg_result::InvalidState,
        "token is not in the flow"
    );
}

#[test]
fn availability_checks_grammar_locally_and_names_on_the_server() {
    let client = patient_client("OPEN");
    let name = unique_username("savail");
    assert!(client.username_available(&name).unwrap());
    register_with_dummy(&client, &user_request(&name)).unwrap();
    assert!(!client.username_available(&name).unwrap());
    let err = client.username_available("Bad Name").unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidArgument, "local grammar");
    let err = client.username_available("_reserved").unwrap_err();
    assert_eq!(
        err.code(),
        mxreg_result::InvalidUsername,
        "server rule: {err}"
    );
}

#[test]
fn a_guest_is_upgraded_to_a_full_account_keeping_its_user_id() {
    let client = client("OPEN");
    let guest_request = guest_request();
    let guest = register_with_dummy(&client, &guest_request).unwrap();
    let localpart = guest
        .user_id
        .trim_start_matches('@')
        .split(':')
        .next()
        .unwrap();
    let upgrade = RegisterRequest {
        guest_access_token: guest.access_token.clone(),
        ..user_request(localpart)
    };
    let upgraded = register_with_dummy(&client, &upgrade).unwrap();
    assert_eq!(upgraded.user_id, guest.user_id);
    assert!(upgraded.access_token.is_some());

    let bad = RegisterRequest {
        guest_access_token: Some(Secret::new("not-a-guest-token")),
        ..user_request(&unique_username("sbadguest"))
    };
    let err = register_with_dummy(&client, &bad).unwrap_err();
    assert!(
        matches!(
            err.code(),
            mxreg_result::UnknownToken | mxreg_result::MatrixError
        ),
        "{err}"
    );
}

#[test]
fn refresh_gives_a_new_pair_and_refuses_reuse_and_garbage() {
    let client = client("OPEN");
    let registration = register_with_dummy(
        &client,
        &RegisterRequest {
            refresh_token: true,
            ..user_request(&unique_username("sref"))
        },
    )
    .unwrap();
    let first = registration.refresh_token.unwrap();
    let pair = client.refresh(first.expose()).unwrap();
    assert_ne!(
        Some(pair.access_token.expose()),
        registration.access_token.as_ref().map(Secret::expose)
    );
    assert!(pair.expires_in_ms.unwrap() > 0);
    let second = pair.refresh_token.expect("Synapse rotates refresh tokens");
    // Using the new access token makes the old refresh token unusable.
    let whoami = ureq::get(&format!(
        "{}/_matrix/client/v3/account/whoami",
        homeserver("OPEN")
    ))
    .header(
        "Authorization",
        &format!("Bearer {}", pair.access_token.expose()),
    )
    .call()
    .unwrap();
    assert_eq!(whoami.status(), 200);
    let err = client.refresh(first.expose()).unwrap_err();
    assert_eq!(err.code(), mxreg_result::Forbidden, "{err}");
    // The rotated one works, once.
    client.refresh(second.expose()).unwrap();
    let err = client.refresh("garbage").unwrap_err();
    assert_eq!(err.code(), mxreg_result::UnknownToken, "{err}");
}

#[test]
fn rate_limits_are_reported_and_optionally_waited_out() {
    let quick = client("RATELIMIT");
    let mut limited = None;
    for _ in 0..6 {
        match quick.register(
            &user_request(&unique_username("srl")),
            Some(&serde_json::json!({"type": "m.login.dummy"})),
        ) {
            Err(err) if err.code() == mxreg_result::RateLimited => {
                limited = Some(err);
                break;
            }
            Err(err) => panic!("unexpected {err}"),
            Ok(_) => {}
        }
    }
    let err = limited.expect("the ratelimit variant allows a burst of 2");
    let delay = err.retry_after_ms().expect("Synapse gives a delay");
    assert!(delay > 0 && delay <= 20_000, "{delay}");

    let patient = patient_client("RATELIMIT");
    let name = unique_username("srlw");
    let registration = patient
        .register(
            &user_request(&name),
            Some(&serde_json::json!({"type": "m.login.dummy"})),
        )
        .unwrap();
    assert_eq!(registration.user_id, format!("@{name}:localhost"));
}

#[test]
fn password_is_kept_out_of_saved_debug_output() {
    let (_, s) = session("OPEN", user_request("secretcheck"), 0);
    assert!(!format!("{s:?}").contains(PASSWORD));
}

#[test]
fn an_application_service_registers_users_in_its_namespace() {
    let token = std::env::var("MXREG_HS_OPEN_APPSERVICE_TOKEN")
        .expect("the rig's open variant has an application service");
    let client = client("OPEN");
    let name = unique_username("mxregbot_");
    let request = RegisterRequest {
        username: Some(name.clone()),
        appservice_token: Some(Secret::new(token.as_str())),
        ..RegisterRequest::default()
    };
    let registration = client.register(&request, None).unwrap();
    assert_eq!(registration.user_id, format!("@{name}:localhost"));
    // inhibit_login is always sent for an application service (spec v1.17):
    // Synapse then creates no device and gives no token.
    assert!(
        registration.access_token.is_none() && registration.device_id.is_none(),
        "{registration:?}"
    );

    // Outside its namespace, and with a wrong token, the server refuses.
    let outside = RegisterRequest {
        username: Some(unique_username("notbot")),
        ..request.clone()
    };
    let err = client.register(&outside, None).unwrap_err();
    assert_eq!(err.errcode(), Some("M_EXCLUSIVE"), "{err}");
    let wrong = RegisterRequest {
        appservice_token: Some(Secret::new("wrong")),
        username: Some(unique_username("mxregbot_")),
        ..RegisterRequest::default()
    };
    let err = client.register(&wrong, None).unwrap_err();
    assert_eq!(err.code(), mxreg_result::UnknownToken, "{err}");
}

#[test]
fn recaptcha_on_synapse_with_a_stand_in_for_google_s_check() {
    let (client, mut s) = started("CAPTCHA", "scaptcha", StageSet::RECAPTCHA);
    assert_eq!(s.next_stage(), Some("m.login.recaptcha"));
    assert_eq!(
        s.uia().unwrap().params["m.login.recaptcha"]["public_key"],
        "mxreg-rig-recaptcha-site-key"
    );
    // Synapse asks the verify endpoint, which fails a robot's answer.
    let refused = client.signup_submit_recaptcha(&mut s, "robot");
    refused_step(refused, &s, mxreg_result::StageRejected, Status::NeedsStage);
    client
        .signup_submit_recaptcha(&mut s, "captcha-ok")
        .unwrap();
    assert_eq!(
        s.status(),
        Status::Complete,
        "captcha, then the dummy stage"
    );
}

#[test]
fn msisdn_on_synapse_through_a_stand_in_identity_service() {
    let phone = format!("77009{:05}", support::rig::now_ms() % 100_000);
    let (client, mut s) = started("MSISDN", "ssms", StageSet::MSISDN);
    assert_eq!(s.next_stage(), Some("m.login.msisdn"));
    client
        .signup_request_msisdn_token(&mut s, "GB", &phone)
        .unwrap();
    // Before the right code, completing the stage is refused.
    let err = client
        .signup_submit_msisdn_code(&mut s, "wrong")
        .unwrap_err();
    assert!(err.http_status().is_some(), "the server answered: {err}");
    assert_eq!(s.status(), Status::NeedsStage);

    // The "text message" the stand-in sent.
    let sms = std::path::Path::new(&std::env::var("MXREG_SMS_DIR").expect("MXREG_SMS_DIR"))
        .join(format!("{phone}.code"));
    let code = std::fs::read_to_string(&sms).unwrap();
    client
        .signup_submit_msisdn_code(&mut s, code.trim())
        .unwrap();
    assert_eq!(s.status(), Status::Complete);
}
