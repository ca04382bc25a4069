//! Runs one hostile-server case: start a fault server, call an endpoint
//! through the C ABI with short timeouts, and check what an embedding app
//! cares about: the result code, no panic, no hang past the timeouts, every
//! socket released, and no memory left allocated once the handles are freed.

use std::time::Duration;

use mxreg::mxreg_result;

use super::alloc_counter::live_bytes;
use super::c_api::{CClient, Options, Outcome, Registration};
use super::fault_server::{Fault, FaultServer, Reply};

/// Slack on top of the configured timeouts before a call counts as hung.
/// Loose on purpose: this catches hangs, it does not time anything.
const HANG_SLACK: Duration = Duration::from_secs(5);

/// The calls that send a request to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /register` with a username and password.
    Register,
    /// `POST /register?kind=guest`.
    RegisterGuest,
    /// `POST /register` completing a UIA stage (`auth` set).
    RegisterStage,
    /// `GET /register/available`.
    UsernameAvailable,
    /// `GET .../registration_token/validity`.
    TokenValidity,
    /// `POST /refresh`.
    Refresh,
    /// `POST /register` as the first step of an interactive sign-up
    /// (`mxreg_signup_start`).
    SignupStart,
    /// `POST /login` with a user and password.
    LoginPassword,
    /// `POST /login` with a single-use login token.
    LoginToken,
    /// `GET /login` to check the identity provider, for the SSO URL.
    SsoUrl,
    /// The device authorization endpoint (RFC 8628), after a discovery the
    /// fault server answers properly.
    DeviceStart,
    /// One poll of the token endpoint for a device code (then `whoami`),
    /// after a proper discovery and device authorization.
    DevicePoll,
    /// `GET /_matrix/client/v1/auth_metadata` (`mxreg_oauth_server_discover`).
    OAuthMetadata,
    /// The client registration endpoint, after good metadata.
    OAuthClientRegistration,
    /// The token endpoint's authorization code exchange, after good
    /// metadata (`mxreg_oauth_authorization_complete`).
    OAuthTokenExchange,
    /// `whoami` after a good token exchange, completing the sign-up.
    OAuthWhoami,
    /// The token endpoint's refresh grant, after good metadata.
    OAuthRefresh,
    /// The revocation endpoint, after good metadata.
    OAuthRevoke,
}

impl Endpoint {
    pub const ALL: &'static [Endpoint] = &[
        Endpoint::Register,
        Endpoint::RegisterGuest,
        Endpoint::RegisterStage,
        Endpoint::UsernameAvailable,
        Endpoint::TokenValidity,
        Endpoint::Refresh,
        Endpoint::SignupStart,
        Endpoint::LoginPassword,
        Endpoint::LoginToken,
        Endpoint::SsoUrl,
        Endpoint::DeviceStart,
        Endpoint::DevicePoll,
    ];

    /// Every OAuth endpoint, each reached the way an app reaches it.
    pub const OAUTH: &'static [Endpoint] = &[
        Endpoint::OAuthMetadata,
        Endpoint::OAuthClientRegistration,
        Endpoint::OAuthTokenExchange,
        Endpoint::OAuthWhoami,
        Endpoint::OAuthRefresh,
        Endpoint::OAuthRevoke,
    ];

    /// The Matrix endpoints but the SSO URL, then the OAuth ones.
    pub const EVERY: &'static [Endpoint] = &Endpoint::every::<17>();

    const fn every<const N: usize>() -> [Endpoint; N] {
        let mut out = [Endpoint::Register; N];
        let mut n = 0;
        let mut i = 0;
        while i < Endpoint::ALL.len() {
            if !matches!(Endpoint::ALL[i], Endpoint::SsoUrl) {
                out[n] = Endpoint::ALL[i];
                n += 1;
            }
            i += 1;
        }
        i = 0;
        while i < Endpoint::OAUTH.len() {
            out[n] = Endpoint::OAUTH[i];
            n += 1;
            i += 1;
        }
        assert!(n == N, "N is the number of endpoints in EVERY");
        out
    }

    /// One that creates an account and one that does not, for the cases
    /// that cost a timeout each.
    pub const TIMED: &'static [Endpoint] = &[Endpoint::Register, Endpoint::UsernameAvailable];

    /// The request changes server state (an account, a client, a spent
    /// code or rotated token): a failure after sending is an unknown
    /// outcome.
    pub fn creates_account(self) -> bool {
        matches!(
            self,
            Endpoint::Register
                | Endpoint::RegisterGuest
                | Endpoint::RegisterStage
                | Endpoint::SignupStart
                | Endpoint::OAuthClientRegistration
                | Endpoint::OAuthTokenExchange
                | Endpoint::OAuthRefresh
        )
    }

    /// A lost answer leaves the outcome unknown: an account may have been
    /// created, or a single-use login token spent.
    pub fn changes_server_state(self) -> bool {
        self.creates_account() || matches!(self, Endpoint::LoginToken | Endpoint::DevicePoll)
    }

    /// Good answers to the requests before this endpoint's (OAuth calls
    /// need metadata first, pointing back to `url`; a device poll, the
    /// device authorization too).
    pub fn preamble(self, url: &str) -> Vec<Fault> {
        let metadata = || Reply::json(200, oauth_metadata(url)).into();
        match self {
            Endpoint::DeviceStart
            | Endpoint::OAuthClientRegistration
            | Endpoint::OAuthTokenExchange
            | Endpoint::OAuthRefresh
            | Endpoint::OAuthRevoke => vec![metadata()],
            Endpoint::DevicePoll => vec![
                metadata(),
                Reply::json(200, Endpoint::DeviceStart.ok_body()).into(),
            ],
            Endpoint::OAuthWhoami => vec![
                metadata(),
                Reply::json(200, Endpoint::OAuthTokenExchange.ok_body()).into(),
            ],
            _ => Vec::new(),
        }
    }

    /// A valid 200 body for this endpoint.
    pub fn ok_body(self) -> &'static str {
        match self {
            Endpoint::Register
            | Endpoint::RegisterGuest
            | Endpoint::RegisterStage
            | Endpoint::SignupStart
            | Endpoint::LoginPassword
            | Endpoint::LoginToken => {
                r#"{"user_id":"@alice:example.org","access_token":"syt_a","device_id":"DEV","refresh_token":"syr_a","expires_in_ms":300000}"#
            }
            Endpoint::UsernameAvailable => r#"{"available":true}"#,
            Endpoint::SsoUrl => {
                r#"{"flows":[{"type":"m.login.sso","identity_providers":[{"id":"oidc-a","name":"A"}]},{"type":"m.login.token"}]}"#
            }
            Endpoint::DeviceStart => {
                r#"{"device_code":"dc_a","user_code":"ABCD-EFGH","verification_uri":"http://127.0.0.1:9/device","expires_in":600,"interval":5}"#
            }
            // The token answer, also good as the whoami answer that follows.
            Endpoint::DevicePoll => {
                r#"{"access_token":"at_a","token_type":"Bearer","expires_in":300,"refresh_token":"rt_a","scope":"urn:matrix:client:api:* urn:matrix:client:device:DEV","user_id":"@alice:example.org","device_id":"DEV"}"#
            }
            Endpoint::TokenValidity => r#"{"valid":true}"#,
            Endpoint::Refresh => {
                r#"{"access_token":"syt_b","refresh_token":"syr_b","expires_in_ms":300000}"#
            }
            // Endpoints on 127.0.0.1:9 are never called: the case ends here.
            Endpoint::OAuthMetadata => OAUTH_METADATA_NOWHERE,
            Endpoint::OAuthClientRegistration => {
                r#"{"client_id":"client-1","token_endpoint_auth_method":"none"}"#
            }
            Endpoint::OAuthTokenExchange | Endpoint::OAuthRefresh => {
                r#"{"access_token":"mat_a","token_type":"Bearer","expires_in":300,"refresh_token":"mar_a"}"#
            }
            Endpoint::OAuthWhoami => r#"{"user_id":"@alice:example.org"}"#,
            Endpoint::OAuthRevoke => "{}",
        }
    }

    pub fn call(self, client: &CClient) -> Outcome {
        let registration = Registration {
            username: Some("alice".into()),
            password: Some("hostile-Passw0rd".into()),
            ..Registration::default()
        };
        match self {
            Endpoint::Register => client.register(&registration),
            Endpoint::RegisterGuest => client.register(&Registration {
                guest: true,
                ..Registration::default()
            }),
            Endpoint::RegisterStage => client.register(&Registration {
                auth_json: Some(r#"{"type":"m.login.dummy","session":"sess"}"#.into()),
                ..registration
            }),
            Endpoint::UsernameAvailable => client.username_available("alice"),
            Endpoint::TokenValidity => client.registration_token_valid("tok-1"),
            Endpoint::Refresh => client.refresh("syr_old"),
            Endpoint::SignupStart => client.signup_start(&registration),
            Endpoint::LoginPassword => client.login(Some("alice"), Some("hostile-Passw0rd"), None),
            Endpoint::LoginToken => client.login(None, None, Some("syl_hostile")),
            Endpoint::SsoUrl => client.sso_url("oidc-a"),
            Endpoint::DeviceStart => client.device_authorization(false),
            Endpoint::DevicePoll => client.device_authorization(true),
            Endpoint::OAuthMetadata => client.oauth_discover().0,
            oauth => {
                let (discovered, server) = client.oauth_discover();
                let server = server
                    .unwrap_or_else(|| panic!("{oauth:?}: discovery failed: {discovered:#?}"));
                match oauth {
                    Endpoint::OAuthClientRegistration => server.register_client(),
                    Endpoint::OAuthTokenExchange | Endpoint::OAuthWhoami => {
                        server.complete_sign_up()
                    }
                    Endpoint::OAuthRefresh => server.refresh(),
                    _ => server.revoke(),
                }
            }
        }
    }
}

/// Usable server metadata with every endpoint at `url`.
pub fn oauth_metadata(url: &str) -> String {
    serde_json::json!({
        "issuer": format!("{url}/"),
        "authorization_endpoint": format!("{url}/oauth2/auth"),
        "token_endpoint": format!("{url}/oauth2/token"),
        "registration_endpoint": format!("{url}/oauth2/registration"),
        "revocation_endpoint": format!("{url}/oauth2/revoke"),
        "device_authorization_endpoint": format!("{url}/oauth2/device"),
        "response_types_supported": ["code"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["create"],
    })
    .to_string()
}

const OAUTH_METADATA_NOWHERE: &str = r#"{"issuer":"http://127.0.0.1:9/","authorization_endpoint":"http://127.0.0.1:9/auth","token_endpoint":"http://127.0.0.1:9/token","registration_endpoint":"http://127.0.0.1:9/register","revocation_endpoint":"http://127.0.0.1:9/revoke","response_types_supported":["code"],"grant_types_supported":["authorization_code","refresh_token"],"code_challenge_methods_supported":["S256"]}"#;

/// The code for a connection lost after the request went out: an account
/// call cannot know whether the account exists; the others can retry.
pub fn lost_after_send(endpoint: Endpoint) -> Vec<mxreg_result> {
    if endpoint.changes_server_state() {
        vec![mxreg_result::OutcomeUnknown]
    } else {
        vec![mxreg_result::Io]
    }
}

/// The code for no answer within the timeout once the request went out.
pub fn timed_out_after_send(endpoint: Endpoint) -> Vec<mxreg_result> {
    if endpoint.changes_server_state() {
        vec![mxreg_result::OutcomeUnknown]
    } else {
        vec![mxreg_result::Timeout]
    }
}

/// An extra check on a case's outcome.
pub type Check = Box<dyn Fn(Endpoint, &Outcome, &FaultServer)>;

/// One case: what the server does, which endpoints meet it, which codes are
/// right, and what else must hold.
pub struct Case {
    pub name: &'static str,
    pub endpoints: &'static [Endpoint],
    pub options: Options,
    pub script: Box<dyn Fn(Endpoint) -> Vec<Fault>>,
    pub expect: Box<dyn Fn(Endpoint) -> Vec<mxreg_result>>,
    pub check: Check,
}

impl Case {
    pub fn new(
        name: &'static str,
        endpoints: &'static [Endpoint],
        script: impl Fn(Endpoint) -> Vec<Fault> + 'static,
        expect: impl Fn(Endpoint) -> Vec<mxreg_result> + 'static,
    ) -> Self {
        Case {
            name,
            endpoints,
            options: Options::default(),
            script: Box::new(script),
            expect: Box::new(expect),
            check: Box::new(|_, _, _| {}),
        }
    }

    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    pub fn check(mut self, check: impl Fn(Endpoint, &Outcome, &FaultServer) + 'static) -> Self {
        self.check = Box::new(check);
        self
    }

    /// Run the case on each of its endpoints; panics with a description of
    /// the first thing that is wrong.
    pub fn run(self) {
        for &endpoint in self.endpoints {
            // The first call on a thread fills lazily-initialised state
            // (TLS roots, thread locals); only the second is measured.
            let mut balance = 0;
            for round in 0..2 {
                balance = self.run_once(endpoint, round == 1);
            }
            assert_eq!(
                balance, 0,
                "{} on {endpoint:?}: {balance} bytes still allocated after every handle was freed",
                self.name
            );
        }
    }

    /// One call; returns the bytes still allocated on this thread after the
    /// client and everything it returned were freed.
    fn run_once(&self, endpoint: Endpoint, report: bool) -> i64 {
        let server = FaultServer::scripted_for(|url| {
            let mut script = endpoint.preamble(url);
            script.extend((self.script)(endpoint));
            script
        });
        let what = format!("{} on {endpoint:?}", self.name);
        let url = server.url();
        let before = live_bytes();
        let summary = {
            let client = CClient::new(&url, &self.options)
                .unwrap_or_else(|o| panic!("{what}: client creation failed: {o:?}"));
            let outcome = endpoint.call(&client);
            drop(client);
            let expected = (self.expect)(endpoint);
            assert!(
                expected.contains(&outcome.code()),
                "{what}: expected one of {expected:?}, got {outcome:#?}"
            );
            assert!(
                outcome.elapsed < self.options.call_budget() + HANG_SLACK,
                "{what}: took {:?}, past the timeouts",
                outcome.elapsed
            );
            (self.check)(endpoint, &outcome, &server);
            assert!(
                server.wait_all_closed_by_client(Duration::from_secs(5)),
                "{what}: the client kept a connection open after it was freed"
            );
            (outcome.code(), outcome.elapsed)
        };
        let balance = live_bytes() - before;
        if report {
            // Printed after measuring: the test harness buffers output.
            eprintln!("{what}: {:?} in {:?}", summary.0, summary.1);
        }
        balance
    }
}
