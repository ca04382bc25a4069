//! The OAuth calls on the network, as methods of `Client` (like its other
//! calls): discovery on the homeserver; registration, token exchange and
//! revocation at the authorization server; `whoami` to learn who the new
//! tokens are.
//! Everything they send and read is built and checked by the sans-I/O
//! modules next to this one.

use std::time::SystemTime;

use serde::Deserialize;

use crate::api::answer::Answer;
use crate::api::identifiers::check_user_id;
use crate::client::{Client, Deadline};
use crate::error::Error;
use crate::oauth::authorization::{self, AuthorizationRequest};
use crate::oauth::client_registration::{ClientMetadata, RegisteredClient};
use crate::oauth::device::{self, DeviceAuthorization, PollOutcome};
use crate::oauth::error_response;
use crate::oauth::metadata::{AUTH_METADATA_PATH, AuthMetadata, UNSTABLE_AUTH_METADATA_PATH};
use crate::oauth::pending::PendingAuthorization;
use crate::oauth::redirect;
use crate::oauth::scope::device_id_or_new;
use crate::oauth::token::{
    TokenKind, TokenResponse, authorization_code_body, refresh_body, revocation_body,
};
use crate::random::SystemRandomness;
use crate::registration::{Registration, TokenPair};
use crate::transport::{ContentType, Method, Request, Response};

const WHOAMI_PATH: &str = "/_matrix/client/v3/account/whoami";

#[derive(Deserialize)]
struct WhoAmI {
    user_id: String,
    device_id: Option<String>,
}

/// Where the homeserver may serve its OAuth 2.0 server metadata, the
/// preferred first: the stable endpoint, then the MSC2965 one.
const METADATA_PATHS: [&str; 2] = [AUTH_METADATA_PATH, UNSTABLE_AUTH_METADATA_PATH];

/// The metadata from the endpoints' answers in [`METADATA_PATHS`] order:
/// the first endpoint that is there decides, and an error before it is the
/// error (the answers are taken one at a time, so a lazy iterator asks the
/// next endpoint only when needed).
fn metadata_from_answers(
    answers: impl IntoIterator<Item = Result<Response, Error>>,
    allow_insecure_http: bool,
) -> Result<AuthMetadata, Error> {
    for response in answers {
        if let Some(read) = read_metadata_answer(&response?.answer(), allow_insecure_http) {
            return read;
        }
    }
    Err(Error::OAuthUnsupported(
        "the homeserver does not offer the OAuth 2.0 API (it uses legacy authentication)".into(),
    ))
}

/// What one metadata endpoint's answer says: the checked metadata, the
/// failure, or `None` when the endpoint is not there (try the next one).
pub fn read_metadata_answer(
    answer: &Answer<'_>,
    allow_insecure_http: bool,
) -> Option<Result<AuthMetadata, Error>> {
    match answer.status {
        200..=299 => Some(AuthMetadata::parse(answer.body, allow_insecure_http)),
        // M_UNRECOGNIZED: not this endpoint.
        404 | 405 => None,
        _ => Some(Err(answer.failure())),
    }
}

/// A token endpoint's answer (code exchange or refresh): the tokens, checked
/// to be usable and for the whole API and one device (`device_id` when the
/// caller knows it).
pub fn read_token_answer(answer: &Answer<'_>, device_id: Option<&str>) -> Result<TokenPair, Error> {
    if !(200..=299).contains(&answer.status) {
        return Err(error_response::failure(answer));
    }
    let granted = TokenResponse::parse(answer.body, SystemTime::now())?;
    granted.check_scope(device_id)?;
    Ok(granted.tokens)
}

/// The registration a completed grant gave: who `whoami` says the new
/// tokens belong to (a user ID, on the grant's device `device_id`).
pub fn read_whoami_answer(
    answer: &Answer<'_>,
    device_id: &str,
    tokens: TokenPair,
) -> Result<Registration, Error> {
    let whoami: WhoAmI = answer.decode()?;
    // The account the app will be told it created.
    check_user_id(&whoami.user_id, "whoami's user_id")?;
    if whoami
        .device_id
        .as_deref()
        .is_some_and(|device| device != device_id)
    {
        return Err(Error::InvalidResponse(format!(
            "the homeserver says the new token is for another device than `{device_id}`"
        )));
    }
    Ok(Registration {
        user_id: whoami.user_id,
        device_id: Some(device_id.to_owned()),
        access_token: Some(tokens.access_token),
        refresh_token: tokens.refresh_token,
        expires_in_ms: tokens.expires_in_ms,
        expires_at_ms: tokens.expires_at_ms,
    })
}

/// Start an authorization ([`authorization::start`]) now, with secrets from
/// the system's random number generator. Does no network I/O: the app opens
/// the pending authorization's URL.
pub fn start_authorization(
    metadata: &AuthMetadata,
    request: &AuthorizationRequest,
) -> Result<PendingAuthorization, Error> {
    authorization::start(metadata, request, SystemTime::now(), &SystemRandomness)
}

/// The end both grants share: the token answer checked against the device
/// scope, then `whoami` for the user ID.
fn account_for_tokens(
    client: &Client,
    token_answer: &Answer<'_>,
    device_id: &str,
    deadline: Deadline,
) -> Result<Registration, Error> {
    let tokens = read_token_answer(token_answer, Some(device_id))?;
    let url = client.homeserver().join(WHOAMI_PATH);
    let response = get(client, &url, Some(tokens.access_token.expose()), deadline)?;
    read_whoami_answer(&response.answer(), device_id, tokens)
}

fn get(
    client: &Client,
    url: &str,
    bearer: Option<&str>,
    deadline: Deadline,
) -> Result<Response, Error> {
    client.transport().send(Request {
        method: Method::Get,
        url,
        body: None,
        bearer,
        creates_state: false,
        deadline: Some(deadline.instant()),
    })
}

fn post_form(
    client: &Client,
    url: &str,
    body: Vec<u8>,
    creates_state: bool,
    deadline: Deadline,
) -> Result<Response, Error> {
    client.transport().send_as(
        Request {
            method: Method::Post,
            url,
            body: Some(body),
            bearer: None,
            creates_state,
            deadline: Some(deadline.instant()),
        },
        ContentType::Form,
    )
}

/// The OAuth calls on a client, in the order a sign-up makes them.
impl Client {
    /// Fetch and check the homeserver's OAuth 2.0 server metadata (the stable
    /// endpoint, then the MSC2965 one). A homeserver that has neither uses
    /// legacy authentication: `OAuthUnsupported`.
    pub fn oauth_discover(&self) -> Result<AuthMetadata, Error> {
        self.oauth_discover_within(self.deadline())
    }

    /// [`Client::oauth_discover`] as part of a larger call that must end by `deadline`. The
    /// MSC2965 endpoint is asked only when the stable one is not there.
    pub fn oauth_discover_within(&self, deadline: Deadline) -> Result<AuthMetadata, Error> {
        let answers = METADATA_PATHS
            .iter()
            .map(|path| get(self, &self.homeserver().join(path), None, deadline));
        metadata_from_answers(answers, self.transport().allow_insecure_http())
    }

    /// [`Client::oauth_discover_within`] with both endpoints asked at once, for a caller that
    /// would rather spend a request than a round trip (the probe). The answer
    /// is the same: the stable endpoint's decides when it is there.
    pub fn oauth_discover_at_once_within(&self, deadline: Deadline) -> Result<AuthMetadata, Error> {
        let ask = |path: &str| get(self, &self.homeserver().join(path), None, deadline);
        let [stable, unstable] = METADATA_PATHS;
        let answers = std::thread::scope(|scope| {
            let asking = std::thread::Builder::new()
                .name("mxreg-metadata".into())
                .spawn_scoped(scope, || ask(unstable));
            let first = ask(stable);
            let second = match asking {
                Ok(asked) => asked.join().unwrap_or(Err(Error::Panic)),
                // No thread to spare: one after the other.
                Err(_) => ask(unstable),
            };
            [first, second]
        });
        metadata_from_answers(answers, self.transport().allow_insecure_http())
    }

    /// Register the app as a public client (RFC 7591) and return its client ID.
    pub fn oauth_register_client(
        &self,
        metadata: &AuthMetadata,
        app: &ClientMetadata,
    ) -> Result<RegisteredClient, Error> {
        app.validate()?;
        let endpoint = metadata.registration_endpoint.as_deref().ok_or_else(|| {
            Error::OAuthUnsupported(
                "the server has no dynamic client registration: use a client ID from its operator"
                    .into(),
            )
        })?;
        let body = serde_json::to_vec(&app.body(metadata.supports_device_authorization()))
            .map_err(|err| Error::invalid_argument("metadata", err.to_string()))?;
        let response = self.transport().send_as(
            Request {
                method: Method::Post,
                url: endpoint,
                body: Some(body),
                bearer: None,
                creates_state: true,
                deadline: Some(self.deadline().instant()),
            },
            ContentType::Json,
        )?;
        let answer = response.answer();
        if !(200..=299).contains(&answer.status) {
            return Err(error_response::failure(&answer));
        }
        RegisteredClient::parse(answer.body)
    }

    /// Finish an authorization with the redirect the app received: check it,
    /// exchange the code, and ask the homeserver who the tokens belong to.
    pub fn oauth_complete_authorization(
        &self,
        metadata: &AuthMetadata,
        pending: &PendingAuthorization,
        redirect_url: &str,
    ) -> Result<Registration, Error> {
        if pending.issuer != metadata.issuer {
            return Err(Error::invalid_argument(
                "authorization",
                "belongs to another authorization server",
            ));
        }
        let code = redirect::authorization_code(pending, metadata, redirect_url)?;
        let deadline = self.deadline();
        // The code is single-use: a lost answer may have consumed it.
        let response = post_form(
            self,
            &metadata.token_endpoint,
            authorization_code_body(pending, &code),
            true,
            deadline,
        )?;
        account_for_tokens(self, &response.answer(), &pending.device_id, deadline)
    }

    /// Start a device authorization (RFC 8628) for `client_id` and a device
    /// (`None`: a new one): the user code and verification URI to show.
    pub fn oauth_start_device_authorization(
        &self,
        metadata: &AuthMetadata,
        client_id: &str,
        device_id: Option<&str>,
    ) -> Result<DeviceAuthorization, Error> {
        if client_id.is_empty() {
            return Err(Error::invalid_argument("client_id", "must not be empty"));
        }
        let endpoint = match &metadata.device_authorization_endpoint {
            Some(endpoint) if metadata.supports_device_authorization() => endpoint,
            _ => {
                return Err(Error::OAuthUnsupported(
                    "the server does not offer the device authorization grant".into(),
                ));
            }
        };
        let device_id = device_id_or_new(device_id, &SystemRandomness)?;
        let response = post_form(
            self,
            endpoint,
            device::authorization_body(client_id, &device_id),
            false,
            self.deadline(),
        )?;
        let answer = response.answer();
        if !(200..=299).contains(&answer.status) {
            return Err(error_response::failure(&answer));
        }
        DeviceAuthorization::parse(
            answer.body,
            client_id,
            device_id,
            SystemTime::now(),
            self.transport().allow_insecure_http(),
        )
    }

    /// Poll the token endpoint once. `OAuthAuthorizationPending` (the interval
    /// lengthened on `slow_down`) means "not yet"; `OAuthExpiredToken` and
    /// `OAuthAccessDenied` end the authorization; success is the account.
    pub fn oauth_poll_device_authorization(
        &self,
        metadata: &AuthMetadata,
        authorization: &mut DeviceAuthorization,
    ) -> Result<Registration, Error> {
        // The device code is spent by a grant whose answer is lost.
        let deadline = self.deadline();
        let response = post_form(
            self,
            &metadata.token_endpoint,
            device::poll_body(&authorization.client_id, &authorization.device_code),
            true,
            deadline,
        )?;
        let answer = response.answer();
        match authorization.interpret(&answer)? {
            PollOutcome::Granted => {
                account_for_tokens(self, &answer, &authorization.device_id, deadline)
            }
            PollOutcome::Pending(oauth) => Err(Error::OAuth(oauth)),
        }
    }

    /// Exchange a refresh token at the token endpoint. Servers rotate refresh
    /// tokens: keep the new one; the old one is refused (`OAuthInvalidGrant`).
    pub fn oauth_refresh(
        &self,
        metadata: &AuthMetadata,
        client_id: &str,
        refresh_token: &str,
    ) -> Result<TokenPair, Error> {
        if client_id.is_empty() || refresh_token.is_empty() {
            return Err(Error::invalid_argument(
                "refresh_token",
                "client ID and refresh token must not be empty",
            ));
        }
        if !metadata.supports_refresh() {
            return Err(Error::OAuthUnsupported(
                "the server does not offer the refresh token grant".into(),
            ));
        }
        // A rotated token whose answer is lost cannot be used again.
        let response = post_form(
            self,
            &metadata.token_endpoint,
            refresh_body(client_id, refresh_token),
            true,
            self.deadline(),
        )?;
        // The same checks as the first grant: a refresh must not widen the
        // scope or move the tokens to another device set.
        read_token_answer(&response.answer(), None)
    }

    /// Revoke a token (RFC 7009); on Matrix servers this ends the device's
    /// session. Revoking an unknown or already revoked token succeeds.
    pub fn oauth_revoke(
        &self,
        metadata: &AuthMetadata,
        client_id: &str,
        token: &str,
        kind: Option<TokenKind>,
    ) -> Result<(), Error> {
        if client_id.is_empty() || token.is_empty() {
            return Err(Error::invalid_argument(
                "token",
                "client ID and token must not be empty",
            ));
        }
        let endpoint = metadata.revocation_endpoint.as_deref().ok_or_else(|| {
            Error::OAuthUnsupported("the server has no token revocation endpoint".into())
        })?;
        let response = post_form(
            self,
            endpoint,
            revocation_body(client_id, token, kind),
            false,
            self.deadline(),
        )?;
        let answer = response.answer();
        if (200..=299).contains(&answer.status) {
            Ok(())
        } else {
            Err(error_response::failure(&answer))
        }
    }
}
