//! One client shared by many threads, through the C ABI: 8 threads register
//! 200 accounts each on the real Synapse `stress` variant (rate limits
//! lifted), all must succeed with distinct user IDs; and a client freed
//! while another thread's call is in flight behaves as documented (the call
//! finishes normally, the client goes away when it returns).

mod support;

use std::collections::HashSet;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mxreg::ffi::client::{mxreg_client_clone, mxreg_client_free};
use mxreg::mxreg_result as R;

use support::c_api::{CClient, Options, Outcome, Registration};
use support::fault_server::{Fault, FaultServer, Reply};

const THREADS: usize = 8;
const ACCOUNTS_PER_THREAD: usize = 200;
const PASSWORD: &str = "stress-Passw0rd-long";

fn stress_homeserver() -> String {
    std::env::var("MXREG_HS_STRESS").unwrap_or_else(|_| {
        panic!(
            "MXREG_HS_STRESS is not set: export the servers with \
             `eval \"$(python3 scripts/homeserver.py env | sed 's/^/export /')\"`"
        )
    })
}

/// A localpart no other run or engineer uses.
fn username(thread: usize, index: usize) -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis();
    format!("cc{}x{millis}x{thread}x{index}", std::process::id())
}

/// Register one account: the first request gets the dummy-stage challenge,
/// the second completes it.
fn register_one(client: &CClient, username: String) -> Result<String, Box<Outcome>> {
    let mut request = Registration {
        username: Some(username),
        password: Some(PASSWORD.into()),
        inhibit_login: false,
        ..Registration::default()
    };
    let challenge = client.register(&request);
    if challenge.code() != R::AuthRequired {
        return Err(Box::new(challenge));
    }
    let session = challenge
        .auth_session
        .clone()
        .ok_or_else(|| Box::new(challenge))?;
    request.auth_json = Some(format!(
        r#"{{"type":"m.login.dummy","session":"{session}"}}"#
    ));
    let done = client.register(&request);
    match done.code() {
        R::Ok => Ok(done.user_id.expect("a user ID on success")),
        _ => Err(Box::new(done)),
    }
}

#[test]
fn eight_threads_share_one_client_for_1600_registrations() {
    let options = Options {
        connect_timeout_ms: 10_000,
        request_timeout_ms: 30_000,
        ..Options::default()
    };
    let client = CClient::new(&stress_homeserver(), &options).expect("client");
    let started = Instant::now();
    let results: Vec<Vec<Result<String, Box<Outcome>>>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let client = &client;
                scope.spawn(move || {
                    (0..ACCOUNTS_PER_THREAD)
                        .map(|index| register_one(client, username(thread, index)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("no panic in a worker"))
            .collect()
    });
    let elapsed = started.elapsed();
    let mut user_ids = HashSet::new();
    let mut failures = Vec::new();
    for result in results.into_iter().flatten() {
        match result {
            Ok(user_id) => {
                assert!(user_ids.insert(user_id.clone()), "{user_id} twice");
            }
            Err(outcome) => failures.push(outcome),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(user_ids.len(), THREADS * ACCOUNTS_PER_THREAD);
    eprintln!(
        "{} registrations from {THREADS} threads on one client in {elapsed:?}",
        user_ids.len()
    );
}

#[test]
fn freeing_the_client_while_a_call_is_in_flight_lets_the_call_finish() {
    // The documented contract: a call in progress keeps the client alive; a
    // free on another thread takes effect when that call returns.
    let created = r#"{"user_id":"@late:example.org","access_token":"t","device_id":"D"}"#;
    let server = FaultServer::start(Fault::ReplyAfter {
        delay: Duration::from_millis(800),
        reply: Reply::json(200, created),
    });
    let client = CClient::new(&server.url(), &Options::default()).expect("client");
    // The caller's own reference is handed over raw, freed below while the
    // worker's call runs.
    let raw = mxreg_client_clone(client.as_ptr());
    drop(client);
    let shared = support::c_api::SendPtr(raw);
    let worker = thread::spawn(move || {
        let shared = shared;
        support::c_api::register_with(
            shared.0,
            &Registration {
                username: Some("late".into()),
                password: Some(PASSWORD.into()),
                ..Registration::default()
            },
        )
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.requests().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the call never reached the server"
        );
        thread::sleep(Duration::from_millis(5));
    }
    // The call is in flight: drop the last reference the app holds.
    mxreg_client_free(raw);
    assert_eq!(server.connections(), 1);
    let outcome = worker.join().expect("the worker did not crash");
    assert_eq!(outcome.code(), R::Ok, "{outcome:#?}");
    assert_eq!(outcome.user_id.as_deref(), Some("@late:example.org"));
    // Once the call returned, the client really went away: its pooled
    // connection is closed.
    assert!(
        server.wait_all_closed_by_client(Duration::from_secs(5)),
        "the client outlived its last call"
    );
}
