//! Exactly one account, one device: the answer to the registration is lost
//! on its way back (a loopback proxy in front of the real Synapse forwards
//! the request and drops the answer), the app recovers, and Synapse's admin
//! API counts the user's devices.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use mxreg::signup::{SignupSession, StageSet, Status};
use mxreg::{Client, ClientConfig, Error, mxreg_result};
use serde_json::json;
use support::answer_dropping_proxy::AnswerDroppingProxy;
use support::rig::{admin_devices, unique_username, user_request};

/// The request lines a proxy saw.
type Seen = Arc<Mutex<Vec<String>>>;

/// A client for the open variant through a proxy that loses the answer to
/// the first request completing `m.login.dummy`.
fn losing_the_dummy_answer() -> (AnswerDroppingProxy, Client, Seen) {
    let first = AtomicBool::new(true);
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let proxy = AnswerDroppingProxy::start(
        &support::rig::homeserver("OPEN"),
        Duration::ZERO,
        Box::new(move |line, body| {
            log.lock().unwrap().push(line.to_owned());
            body.contains("m.login.dummy") && first.swap(false, Ordering::SeqCst)
        }),
    );
    let client = Client::new(&proxy.url, &ClientConfig::default()).unwrap();
    (proxy, client, seen)
}

fn logins(seen: &Seen) -> usize {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|line| line.contains("/login"))
        .count()
}

fn device_ids(user_id: &str) -> Vec<String> {
    admin_devices("OPEN", user_id)
        .iter()
        .map(|device| device["device_id"].as_str().unwrap().to_owned())
        .collect()
}

fn lost(err: Error) -> String {
    assert_eq!(err.code(), mxreg_result::OutcomeUnknown, "{err}");
    err.device_id()
        .expect("the lost attempt's device ID")
        .to_owned()
}

#[test]
fn a_lost_final_answer_is_recovered_onto_the_one_device_it_named() {
    let (proxy, client, seen) = losing_the_dummy_answer();
    let name = unique_username("lost");
    let mut request = user_request(&name);
    let session = match client.register(&request, None).unwrap_err() {
        Error::AuthRequired(uia) => uia.session.unwrap(),
        other => panic!("expected the flows, got {other}"),
    };
    let auth = json!({"type": "m.login.dummy", "session": session});
    let device = lost(client.register(&request, Some(&auth)).unwrap_err());
    assert_eq!(proxy.dropped(), 1);

    // Synapse remembers the finished session: its own answer recovers.
    request.device_id = Some(device.clone());
    let account = client.recover_registration(&request, Some(&auth)).unwrap();
    assert_eq!(account.user_id, format!("@{name}:localhost"));
    assert_eq!(account.device_id.as_deref(), Some(device.as_str()));
    assert_eq!(device_ids(&account.user_id), [device]);
    assert_eq!(logins(&seen), 0, "the re-sent attempt sufficed");
}

#[test]
fn without_a_session_to_resend_the_recovery_logs_in_onto_that_device() {
    let (_proxy, client, seen) = losing_the_dummy_answer();
    let name = unique_username("lostlogin");
    let mut request = user_request(&name);
    // One request, no UIA session: the re-sent one finds the name taken.
    let auth = json!({"type": "m.login.dummy"});
    let device = lost(client.register(&request, Some(&auth)).unwrap_err());
    request.device_id = Some(device.clone());
    let account = client.recover_registration(&request, Some(&auth)).unwrap();
    assert_eq!(account.device_id.as_deref(), Some(device.as_str()));
    assert!(account.access_token.is_some());
    assert_eq!(device_ids(&account.user_id), [device]);
    assert_eq!(logins(&seen), 1, "recovered by a login");
}

#[test]
fn recovery_when_nothing_was_created_goes_on_with_the_server_s_answer() {
    let client = support::rig::client("OPEN");
    let mut request = user_request(&unique_username("notlost"));
    request.device_id = Some("NEVERUSED".into());
    // Nothing was registered: the re-sent first request gets the flows, and
    // the login fallback fails, so the server's answer is what comes back.
    let err = client.recover_registration(&request, None).unwrap_err();
    assert_eq!(err.code(), mxreg_result::AuthRequired, "{err}");
    request.device_id = None;
    let err = client.recover_registration(&request, None).unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidArgument, "{err}");
}

#[test]
fn a_signup_whose_last_answer_was_lost_ends_with_its_one_device() {
    let (_proxy, client, _) = losing_the_dummy_answer();
    let name = unique_username("lostsignup");
    let mut session = SignupSession::new(
        client.homeserver().as_str(),
        user_request(&name),
        StageSet(StageSet::ALL),
    );
    let device = session
        .request()
        .device_id
        .clone()
        .expect("chosen at creation");
    let err = client.signup_start(&mut session).unwrap_err();
    assert_eq!(err.code(), mxreg_result::OutcomeUnknown, "{err}");
    assert_eq!(err.device_id(), Some(device.as_str()));
    assert!(session.lost_attempt().is_some());

    client.signup_recover(&mut session).unwrap();
    assert_eq!(session.status(), Status::Complete);
    let account = session.registration().unwrap();
    assert_eq!(account.device_id.as_deref(), Some(device.as_str()));
    assert_eq!(device_ids(&account.user_id), [device]);
    // Nothing is left to recover.
    let err = client.signup_recover(&mut session).unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidState);
}

#[test]
fn a_second_call_for_the_same_user_and_device_is_refused_while_one_runs() {
    let proxy = AnswerDroppingProxy::start(
        &support::rig::homeserver("OPEN"),
        Duration::from_millis(600),
        Box::new(|_, _| false),
    );
    let client = Arc::new(Client::new(&proxy.url, &ClientConfig::default()).unwrap());
    let mut request = user_request(&unique_username("twice"));
    request.device_id = Some("TWICEDEV".into());
    let auth = json!({"type": "m.login.dummy"});
    let started = Arc::new(Barrier::new(2));
    let first = {
        let (client, request, auth, started) = (
            Arc::clone(&client),
            request.clone(),
            auth.clone(),
            Arc::clone(&started),
        );
        thread::spawn(move || {
            started.wait();
            client.register(&request, Some(&auth))
        })
    };
    started.wait();
    thread::sleep(Duration::from_millis(200));
    let err = client.register(&request, Some(&auth)).unwrap_err();
    assert_eq!(err.code(), mxreg_result::InvalidState, "{err}");
    let account = first.join().unwrap().unwrap();
    assert_eq!(account.device_id.as_deref(), Some("TWICEDEV"));
    assert_eq!(device_ids(&account.user_id), ["TWICEDEV"]);
}
