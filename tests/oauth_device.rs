//! The OAuth 2.0 device authorization grant (RFC 8628) on the rig's
//! OAuth-delegated Synapse (`MXREG_HS_OAUTH`), end to end through the Rust
//! API. The user's part runs in `tests/oauth/browser.py --device`, as the
//! C and Python suites run it; the tokens are checked on Synapse with ureq.

#[path = "oauth/browser.rs"]
mod browser;
mod common;

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use browser::{Action, Browser};
use common::{client, unique_username};
use mxreg::oauth::{
    self, AuthMetadata, AuthorizationRequest, ClientMetadata, DeviceAuthorization, Intent,
};
use mxreg::{Client, Registration, mxreg_result};
use serde_json::Value;

const PASSWORD: &str = "device-Passw0rd-long";
/// Nothing listens there: the browser stops at the redirect.
const REDIRECT_URI: &str = "http://127.0.0.1:18199/callback";
/// The rig's OAuth server gives clients with this in their name device
/// codes that expire after 3 s (scripts/oauth/provider.mjs).
const SHORT_LIVED: &str = "(short-lived device codes)";

struct Server {
    client: Client,
    metadata: AuthMetadata,
    client_id: String,
}

fn server(client_name: &str) -> Server {
    let client = client("OAUTH");
    let metadata = client.oauth_discover().expect("auth metadata");
    assert!(metadata.supports_device_authorization());
    let app = ClientMetadata {
        client_name: Some(client_name.into()),
        client_uri: "https://mxreg.test.invalid/".into(),
        redirect_uris: vec![REDIRECT_URI.into()],
        ..ClientMetadata::default()
    };
    let registered = client
        .oauth_register_client(&metadata, &app)
        .expect("client registration");
    let grants = &registered.metadata["grant_types"];
    assert!(
        grants
            .as_array()
            .is_some_and(|g| g.iter().any(|t| t == oauth::device::DEVICE_CODE_GRANT)),
        "the client asked for the device grant: {grants}"
    );
    Server {
        client,
        metadata,
        client_id: registered.client_id,
    }
}

impl Server {
    fn start(&self) -> DeviceAuthorization {
        self.client
            .oauth_start_device_authorization(&self.metadata, &self.client_id, None)
            .expect("device authorization")
    }

    /// An account on the OAuth server, created through the code flow
    /// (the device flow signs in; it has no sign-up page).
    fn create_account(&self, username: &str) {
        let request = AuthorizationRequest {
            client_id: self.client_id.clone(),
            redirect_uri: REDIRECT_URI.into(),
            intent: Intent::SignUp,
            ..AuthorizationRequest::default()
        };
        let pending = oauth::start_authorization(&self.metadata, &request).expect("start");
        let url = pending.authorization_url(&self.metadata);
        let redirect =
            Browser::new().authorize(&url, REDIRECT_URI, username, PASSWORD, Action::SignUp);
        self.client
            .oauth_complete_authorization(&self.metadata, &pending, &redirect)
            .expect("sign-up");
    }

    fn poll(&self, started: &mut DeviceAuthorization) -> Result<Registration, mxreg::Error> {
        self.client
            .oauth_poll_device_authorization(&self.metadata, started)
    }
}

/// The user, on another device: open the verification URI with the code,
/// then sign in and consent (`login`), or abort (`deny`). Returns what the
/// browser saw at the end.
fn user_visits(started: &DeviceAuthorization, username: &str, action: &str) -> String {
    let uri = started
        .verification_uri_complete
        .as_deref()
        .expect("the rig gives verification_uri_complete");
    let output = Command::new("python3")
        .args(["tests/oauth/browser.py", "--device", uri])
        .args([
            "--username",
            username,
            "--password",
            PASSWORD,
            "--action",
            action,
        ])
        .output()
        .expect("run browser.py");
    assert!(
        output.status.success(),
        "browser.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn whoami(access_token: &str) -> Value {
    let url = format!(
        "{}/_matrix/client/v3/account/whoami",
        common::homeserver("OAUTH")
    );
    let mut response = ureq::get(&url)
        .header("Authorization", &format!("Bearer {access_token}"))
        .call()
        .unwrap_or_else(|err| panic!("whoami: {err}"));
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

#[test]
fn approved_on_another_device_gives_the_account() {
    let server = server("mxreg device tests");
    let mut started = server.start();
    assert!(!started.user_code.is_empty());
    assert!(started.verification_uri.ends_with("/device"));
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(started.expires_at_ms > now_ms);

    let pending = server.poll(&mut started).expect_err("not approved yet");
    assert_eq!(pending.code(), mxreg_result::OauthAuthorizationPending);
    assert_eq!(pending.errcode(), Some("authorization_pending"));

    let username = unique_username("dev");
    server.create_account(&username);
    assert_eq!(user_visits(&started, &username, "login"), "approved");
    let account = server.poll(&mut started).expect("approved");
    assert_eq!(account.user_id, format!("@{username}:localhost"));
    assert_eq!(
        account.device_id.as_deref(),
        Some(started.device_id.as_str())
    );
    assert!(account.refresh_token.is_some());
    let who = whoami(account.access_token.as_ref().unwrap().expose());
    assert_eq!(who["user_id"], account.user_id.as_str());
    assert_eq!(who["device_id"], started.device_id.as_str());

    // The device code is spent.
    let again = server.poll(&mut started).expect_err("a used device code");
    assert_eq!(again.code(), mxreg_result::OauthInvalidGrant, "{again}");
}

#[test]
fn denied_on_the_confirmation_page_is_access_denied() {
    let server = server("mxreg device tests");
    let mut started = server.start();
    assert_eq!(
        user_visits(&started, &unique_username("devdeny"), "deny"),
        "denied"
    );
    let err = server.poll(&mut started).expect_err("denied");
    assert_eq!(err.code(), mxreg_result::OauthAccessDenied, "{err}");
    assert_eq!(err.errcode(), Some("access_denied"));
}

#[test]
fn a_code_left_to_expire_is_expired_token() {
    let server = server(&format!("mxreg device tests {SHORT_LIVED}"));
    let mut started = server.start();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let left = started.expires_at_ms.saturating_sub(now_ms);
    assert!(
        left <= 3_000,
        "the rig's short-lived codes last 3 s, not {left} ms"
    );
    sleep(Duration::from_millis(left + 1_000));
    let err = server.poll(&mut started).expect_err("expired");
    assert_eq!(err.code(), mxreg_result::OauthExpiredToken, "{err}");
}

#[test]
fn a_server_without_the_grant_is_unsupported() {
    let server = server("mxreg device tests");
    let mut metadata = server.metadata.clone();
    metadata.device_authorization_endpoint = None;
    let err = server
        .client
        .oauth_start_device_authorization(&metadata, &server.client_id, None)
        .expect_err("no endpoint");
    assert_eq!(err.code(), mxreg_result::OauthUnsupported);
}
