//! An app of the rig's OAuth server (the `oauth` variant): it discovers the
//! server and registers itself as an app does at the start of a flow, and
//! takes the code flow's steps with the browser played over HTTP.

use mxreg::oauth::{
    self, AuthMetadata, AuthorizationRequest, ClientMetadata, Intent, PendingAuthorization,
    RegisteredClient,
};
use mxreg::{Client, Registration};
use serde_json::Value;

use super::browser::{Action, Browser};
use super::rig::{client, homeserver};

/// Nothing listens there: the browser stops at the redirect.
pub const REDIRECT_URI: &str = "http://127.0.0.1:18199/callback";
/// The password of the accounts the tests make on the OAuth server.
pub const PASSWORD: &str = "oauth-Passw0rd-long";

pub struct OAuthApp {
    pub client: Client,
    pub metadata: AuthMetadata,
    pub registered: RegisteredClient,
}

/// Register an app named `client_name` whose redirect URI is [`REDIRECT_URI`].
pub fn register_app(
    client: &Client,
    metadata: &AuthMetadata,
    client_name: &str,
) -> RegisteredClient {
    let app = ClientMetadata {
        client_name: Some(client_name.into()),
        client_uri: "https://mxreg.test.invalid/".into(),
        redirect_uris: vec![REDIRECT_URI.into()],
        ..ClientMetadata::default()
    };
    client
        .oauth_register_client(metadata, &app)
        .expect("client registration")
}

impl OAuthApp {
    pub fn register(client_name: &str) -> Self {
        let client = client("OAUTH");
        let metadata = client.oauth_discover().expect("auth metadata");
        let registered = register_app(&client, &metadata, client_name);
        OAuthApp {
            client,
            metadata,
            registered,
        }
    }

    pub fn client_id(&self) -> &str {
        &self.registered.client_id
    }

    /// The start of the code flow.
    pub fn start(&self, intent: Intent) -> PendingAuthorization {
        let request = AuthorizationRequest {
            client_id: self.registered.client_id.clone(),
            redirect_uri: REDIRECT_URI.into(),
            intent,
            ..AuthorizationRequest::default()
        };
        oauth::start_authorization(&self.metadata, &request).expect("start")
    }

    /// The redirect the browser reaches for `pending`.
    pub fn browse(&self, pending: &PendingAuthorization, username: &str, action: Action) -> String {
        let url = pending.authorization_url(&self.metadata);
        Browser::new().authorize(&url, REDIRECT_URI, username, PASSWORD, action)
    }

    pub fn complete(
        &self,
        pending: &PendingAuthorization,
        redirect: &str,
    ) -> Result<Registration, mxreg::Error> {
        self.client
            .oauth_complete_authorization(&self.metadata, pending, redirect)
    }

    /// A started sign-up, and the redirect the browser reached for it
    /// after taking `action` as `username`.
    pub fn sign_up_in_browser(
        &self,
        username: &str,
        action: Action,
    ) -> (PendingAuthorization, String) {
        let pending = self.start(Intent::SignUp);
        let redirect = self.browse(&pending, username, action);
        (pending, redirect)
    }

    /// A new account on the OAuth server, through the whole code flow.
    pub fn sign_up(&self, username: &str) -> Registration {
        let (pending, redirect) = self.sign_up_in_browser(username, Action::SignUp);
        self.complete(&pending, &redirect)
            .expect("sign-up completes")
    }
}

/// `GET /account/whoami` on the OAuth-delegated homeserver with
/// `access_token`: status and body.
pub fn whoami(access_token: &str) -> (u16, Value) {
    let url = format!("{}/_matrix/client/v3/account/whoami", homeserver("OAUTH"));
    let mut response = ureq::get(&url)
        .config()
        .http_status_as_error(false)
        .build()
        .header("Authorization", &format!("Bearer {access_token}"))
        .call()
        .unwrap_or_else(|err| panic!("GET {url}: {err}"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().expect("text body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
