//! Helpers for the integration tests against the local Synapse servers that
//! `scripts/homeserver.py` runs (their URLs come in `MXREG_HS_<VARIANT>`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mxreg::api::register::RegisterRequest;
use mxreg::secret::Secret;
use mxreg::{Client, ClientConfig, Error, Registration, mxreg_result};
use serde_json::{Value, json};

/// Meets the open servers' policy (8 characters, a digit).
pub const PASSWORD: &str = "mxreg-Passw0rd-long";

/// Longest wait accepted from a 429 before giving up.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(15);
const RATE_LIMIT_RETRIES: u32 = 5;

/// The base URL of a running variant, e.g. `homeserver("OPEN")`.
pub fn homeserver(variant: &str) -> String {
    let name = format!("MXREG_HS_{variant}");
    std::env::var(&name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run these tests via `make test-rust`, or export the servers \
             with `eval \"$(python3 scripts/homeserver.py env | sed 's/^/export /')\"`"
        )
    })
}

pub fn client(variant: &str) -> Client {
    Client::new(&homeserver(variant), &ClientConfig::default())
        .unwrap_or_else(|err| panic!("client for {variant}: {err}"))
}

/// A localpart no other test run (or engineer) uses: prefix, pid, time, counter.
pub fn unique_username(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{}x{millis}x{count}", std::process::id())
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

/// A user request with the test password.
pub fn user_request(username: &str) -> RegisterRequest {
    RegisterRequest {
        username: Some(username.to_owned()),
        password: Some(Secret::new(PASSWORD)),
        ..RegisterRequest::default()
    }
}

/// One attempt, repeated after the server's delay while it answers 429:
/// the servers are shared with other suites.
pub fn register_patiently(
    client: &Client,
    request: &RegisterRequest,
    auth: Option<&Value>,
) -> Result<Registration, Error> {
    let mut attempt = 0;
    loop {
        match client.register(request, auth) {
            Err(err) if err.code() == mxreg_result::RateLimited && attempt < RATE_LIMIT_RETRIES => {
                let wait = Duration::from_millis(err.retry_after_ms().unwrap_or(1000));
                assert!(wait <= MAX_RATE_LIMIT_WAIT, "server asks to wait {wait:?}");
                thread::sleep(wait);
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Registers in one request, completing the dummy stage without a session
/// (Synapse accepts that when the only flow is `m.login.dummy`).
pub fn register_with_dummy(
    client: &Client,
    request: &RegisterRequest,
) -> Result<Registration, Error> {
    register_patiently(client, request, Some(&json!({"type": "m.login.dummy"})))
}

/// `GET /_matrix/client/v3/devices/{device_id}` with the new access token,
/// straight through ureq, so the check does not depend on mxreg.
pub fn fetch_device(homeserver: &str, access_token: &str, device_id: &str) -> Value {
    let url = format!("{homeserver}/_matrix/client/v3/devices/{device_id}");
    let mut response = ureq::get(&url)
        .header("Authorization", &format!("Bearer {access_token}"))
        .call()
        .unwrap_or_else(|err| panic!("GET {url}: {err}"));
    let text = response
        .body_mut()
        .read_to_string()
        .expect("device body is text");
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("device body {text:?}: {err}"))
}

/// The devices of `user_id` on a rig variant, through Synapse's admin API
/// (`MXREG_HS_<VARIANT>_ADMIN_TOKEN`), straight through ureq.
pub fn admin_devices(variant: &str, user_id: &str) -> Vec<Value> {
    let token = std::env::var(format!("MXREG_HS_{variant}_ADMIN_TOKEN"))
        .unwrap_or_else(|_| panic!("no admin token for {variant}"));
    let url = format!(
        "{}/_synapse/admin/v2/users/{}/devices",
        homeserver(variant),
        mxreg::homeserver_url::encode_query_value(user_id)
    );
    let mut response = ureq::get(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap_or_else(|err| panic!("GET {url}: {err}"));
    let body: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    body["devices"].as_array().cloned().unwrap_or_default()
}

/// The trimmed standard output of `python3 ARGS`, which must succeed.
pub fn python(args: &[&str]) -> String {
    let output = std::process::Command::new("python3")
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("python3 {args:?}: {err}"));
    assert!(
        output.status.success(),
        "python3 {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Run the rig script (`make` exports its path as `MXREG_RIG`; else the
/// repository's) and return its output.
pub fn rig(args: &[&str]) -> String {
    let script = std::env::var("MXREG_RIG")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/homeserver.py").into());
    python(&[&[script.as_str()], args].concat())
}

/// What an app reads from a refused request: the result code, the
/// server's errcode and the HTTP status.
pub fn assert_refused(err: &Error, code: mxreg_result, errcode: &str, status: u16) {
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(err.errcode(), Some(errcode), "{err}");
    assert_eq!(err.http_status(), Some(status), "{err}");
}

/// A guest account's request: no username, no password.
pub fn guest_request() -> RegisterRequest {
    RegisterRequest {
        kind: mxreg::api::register::AccountKind::Guest,
        ..RegisterRequest::default()
    }
}
