//! The server probe: from a server name or URL, what sign-up the server
//! offers (legacy registration and its flows, OAuth with `prompt=create`,
//! SSO, guests) or whether it is closed, and which parts it could not find
//! out (with the error each one met) instead of a guess.
//!
//! After `.well-known` (which decides where to ask), the requests do not
//! depend on each other: they go out at once, one thread each over the same
//! client, on connections opened while `.well-known` was in flight, so a
//! probe takes two round trips after its first connection. One deadline
//! bounds it.

use std::thread;

use serde::Serialize;

use crate::api::discovery::{
    IdentityProvider, LOGIN_PATH, LoginFlows, VERSIONS_PATH, Versions, WELL_KNOWN_PATH,
};
use crate::api::register::{REGISTER_PATH, RegisterResponse};
use crate::api::server_discovery::{
    IDENTITY_V2_PATH, WellKnownStep, check_identity_server, check_versions, parse_base_url,
    well_known_step,
};
use crate::api::uia::UiaResponse;
use crate::client::{Client, ClientConfig, Deadline};
use crate::error::Error;
use crate::homeserver_url::BaseUrl;
use crate::oauth::AuthMetadata;
use crate::result::mxreg_result;
use crate::transport::{Method, Request, Response};

/// Sign-up methods, as bit flags (the C `MXREG_SIGNUP_METHOD_*` values).
pub mod methods {
    /// `POST /register` with user-interactive auth is open.
    pub const LEGACY: u32 = 1;
    /// The OAuth 2.0 server supports `prompt=create` (account creation).
    pub const OAUTH_CREATE: u32 = 1 << 1;
    /// Auth is delegated to an OAuth 2.0 server (login at least).
    pub const OAUTH: u32 = 1 << 2;
    /// Single sign-on (`m.login.sso`) may create accounts on first login.
    pub const SSO: u32 = 1 << 3;
    /// Guest accounts (`kind=guest`) are allowed (only checked on request).
    pub const GUEST: u32 = 1 << 4;
}

/// The parts of a probe that are found out on their own; one that fails
/// leaves the others standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// `GET /login`: the login types (and so SSO).
    Login,
    /// The OAuth 2.0 server metadata.
    Oauth,
    /// The empty `POST /register`: legacy registration and its flows.
    Registration,
    /// The guest registration (only when asked for).
    Guest,
}

impl Part {
    /// The part's bit (the C `MXREG_PROBE_PART_*` values).
    pub const fn flag(self) -> u32 {
        1 << self as u32
    }
}

/// A part the probe could not find out, and the error it met.
#[derive(Debug, Serialize)]
pub struct UnknownPart {
    pub part: Part,
    /// The result code's value.
    pub result: u32,
    /// The result code's C name.
    pub code: &'static str,
    pub message: String,
}

impl UnknownPart {
    fn new(part: Part, err: &Error) -> Self {
        let code = err.code();
        UnknownPart {
            part,
            result: code as u32,
            code: code.name().trim_end_matches('\0'),
            message: err.to_string(),
        }
    }

    pub fn code(&self) -> mxreg_result {
        mxreg_result::from_u32(self.result).unwrap_or(mxreg_result::Panic)
    }
}

/// What the probe found.
#[derive(Debug, Serialize)]
pub struct Probe {
    /// The client-server API base URL (after `.well-known` discovery).
    pub homeserver_url: String,
    /// Whether `.well-known/matrix/client` pointed there.
    pub discovered_by_well_known: bool,
    pub versions: Vec<String>,
    /// `MXREG_SIGNUP_METHOD_*` flags of what was found. 0 with no
    /// `unknown` parts means sign-up is closed.
    pub signup_methods: u32,
    /// The legacy registration flows when open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration: Option<UiaResponse>,
    /// Why legacy registration is not available (the server's answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_refused: Option<String>,
    /// Login types from `GET /login` (`m.login.password`, `m.login.sso`, ...).
    pub login_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_registration_endpoint: Option<String>,
    /// `None` when not checked (or not found out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_access: Option<bool>,
    /// The identity providers of `m.login.sso` (id, name, icon).
    pub sso_identity_providers: Vec<IdentityProvider>,
    /// `m.login.sso` says the server prefers OAuth-aware clients to use
    /// its OAuth 2.0 API (the spec then asks them to).
    pub oauth_aware_preferred: bool,
    /// The OAuth server offers the device authorization grant (RFC 8628).
    pub oauth_device_authorization: bool,
    /// The parts that could not be found out, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<UnknownPart>,
}

impl Probe {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// `Part::flag`s of the parts that could not be found out.
    pub fn unknown_parts(&self) -> u32 {
        self.unknown.iter().fold(0, |all, u| all | u.part.flag())
    }

    pub fn unknown_part(&self, part: Part) -> Option<&UnknownPart> {
        self.unknown.iter().find(|u| u.part == part)
    }
}

/// The requests that go out together after `.well-known`: `/versions`,
/// `GET /login`, both OAuth metadata endpoints and the empty registration.
/// All but one need a connection of their own, opened while `.well-known`
/// is in flight (the guest check comes after `/versions` and finds one of
/// them free again).
const AT_ONCE: usize = 5;

/// Probe `server` (a server name such as `example.org`, or a URL). With
/// `check_guest_access` it also tries a guest registration, which creates a
/// guest account when guests are allowed.
///
/// Round trips: `.well-known`, then everything else at once, on
/// connections opened while `.well-known` was in flight; the guest
/// registration (only when asked for) waits for `/versions` to say the
/// server is a homeserver.
pub fn probe(
    server: &str,
    config: &ClientConfig,
    check_guest_access: bool,
) -> Result<Probe, Error> {
    let allow_http = config.transport.allow_insecure_http;
    let (given, well_known_origin) = if server.contains("://") {
        let given = BaseUrl::parse(server, allow_http)?;
        let origin = given.origin().to_owned();
        (given, origin)
    } else {
        // A server name (`hostname[:port]`): the spec's discovery looks up
        // `https://hostname/.well-known/matrix/client`, the port left out.
        let given = BaseUrl::parse(&format!("https://{server}"), allow_http)?;
        let origin = format!("https://{}", given.host());
        (given, origin)
    };
    // One client (one connection pool) from `.well-known` to the end.
    let client = Client::new(given.as_str(), config)?;
    let deadline = client.deadline();
    // Used only if the homeserver is on the `.well-known` origin; closed
    // unused otherwise, when the probe returns.
    let _warm = client
        .transport()
        .preconnect(&well_known_origin, AT_ONCE - 1);
    let found = find_base(&client, &well_known_origin, allow_http, deadline)?;
    let discovered = found.is_some();
    let (base, identity_server) = found.unwrap_or((given, None));
    let client = client.rebased(base);
    let base = client.homeserver();

    let (answers, identity) = thread::scope(|scope| {
        let login = in_parallel(scope, || {
            client.get_json::<LoginFlows>(&base.join(LOGIN_PATH), deadline)
        });
        let oauth = in_parallel(scope, || client.oauth_discover_at_once_within(deadline));
        let registration = in_parallel(scope, || {
            send(&client, Method::Post, &base.join(REGISTER_PATH), deadline)
        });
        let identity = identity_server.as_ref().map(|identity| {
            in_parallel(scope, || {
                let answer = send(
                    &client,
                    Method::Get,
                    &identity.join(IDENTITY_V2_PATH),
                    deadline,
                )?;
                check_identity_server(identity.as_str(), answer.status, &answer.body)
            })
        });
        let versions = if discovered {
            // The spec's discovery checks the base URL `.well-known` named.
            send(&client, Method::Get, &base.join(VERSIONS_PATH), deadline)
                .and_then(|answer| check_versions(base.as_str(), answer.status, &answer.body))
        } else {
            client.get_json::<Versions>(&base.join(VERSIONS_PATH), deadline)
        };
        // A guest account only on what answered as a homeserver.
        let guest = (check_guest_access && versions.is_ok()).then(|| {
            let url = base.join(&format!("{REGISTER_PATH}?kind=guest"));
            send(&client, Method::Post, &url, deadline)
        });
        let answers = Answers {
            versions,
            login: login.join(),
            oauth: oauth.join(),
            registration: registration.join(),
            guest,
        };
        (answers, identity.map(Parallel::join))
    });
    // Discovery failed the way the spec says (`/versions`, then the identity
    // server): the other answers are dropped.
    if discovered && let Err(err) = answers.versions {
        return Err(err);
    }
    identity.transpose()?;
    answers.read(base, discovered)
}

/// Every answer of the probe's parallel requests, or the error each met.
/// Reading them does no I/O (the fuzz targets read made-up ones).
pub struct Answers {
    pub versions: Result<Versions, Error>,
    pub login: Result<LoginFlows, Error>,
    pub oauth: Result<AuthMetadata, Error>,
    pub registration: Result<Response, Error>,
    /// `None`: guest access was not checked.
    pub guest: Option<Result<Response, Error>>,
}

impl Answers {
    /// What the answers say about the server at `base`.
    pub fn read(self, base: &BaseUrl, discovered: bool) -> Result<Probe, Error> {
        let versions = self.versions.map_err(|err| not_a_homeserver(base, err))?;
        let mut probe = Probe {
            homeserver_url: base.as_str().to_owned(),
            discovered_by_well_known: discovered,
            versions: versions.versions,
            signup_methods: 0,
            registration: None,
            registration_refused: None,
            login_types: Vec::new(),
            oauth_issuer: None,
            oauth_registration_endpoint: None,
            guest_access: None,
            sso_identity_providers: Vec::new(),
            oauth_aware_preferred: false,
            oauth_device_authorization: false,
            unknown: Vec::new(),
        };
        match self.login {
            Ok(login) => {
                if let Some(sso) = login.flows.iter().find(|f| f.kind == "m.login.sso") {
                    probe.signup_methods |= methods::SSO;
                    probe.sso_identity_providers = sso.identity_providers();
                    probe.oauth_aware_preferred = sso.oauth_aware_preferred;
                }
                probe.login_types = login.flows.into_iter().map(|f| f.kind).collect();
            }
            Err(err) => probe.unknown.push(UnknownPart::new(Part::Login, &err)),
        }
        // The same validation as `Client::oauth_discover`: only metadata this
        // client can use counts.
        match self.oauth {
            Ok(metadata) => {
                probe.signup_methods |= methods::OAUTH;
                if metadata.supports_sign_up() {
                    probe.signup_methods |= methods::OAUTH_CREATE;
                }
                probe.oauth_device_authorization = metadata.supports_device_authorization();
                probe.oauth_issuer = Some(metadata.issuer);
                probe.oauth_registration_endpoint = metadata.registration_endpoint;
            }
            // No OAuth API, or none this client can use: found out.
            Err(err) if err.code() == mxreg_result::OauthUnsupported => {}
            Err(err) => probe.unknown.push(UnknownPart::new(Part::Oauth, &err)),
        }
        match self
            .registration
            .and_then(|answer| refusal_or_failure(&answer))
        {
            Ok(Error::AuthRequired(uia)) if !uia.flows.is_empty() => {
                probe.signup_methods |= methods::LEGACY;
                probe.registration = Some(*uia);
            }
            Ok(refused) => probe.registration_refused = Some(refused.to_string()),
            Err(err) => probe
                .unknown
                .push(UnknownPart::new(Part::Registration, &err)),
        }
        if let Some(guest) = self.guest {
            match guest.and_then(|answer| guest_allowed(&answer)) {
                Ok(allowed) => {
                    probe.guest_access = Some(allowed);
                    if allowed {
                        probe.signup_methods |= methods::GUEST;
                    }
                }
                Err(err) => probe.unknown.push(UnknownPart::new(Part::Guest, &err)),
            }
        }
        Ok(probe)
    }
}

/// A client error (4xx) or a success that is not a version list says the
/// URL is not a homeserver; a transport error, a redirect, a rate limit or
/// a server error says nothing of the kind and keeps its own code.
fn not_a_homeserver(base: &BaseUrl, err: Error) -> Error {
    let refused = err
        .http_status()
        .is_some_and(|status| (400..=499).contains(&status) && status != 429);
    if refused || err.code() == mxreg_result::InvalidResponse {
        Error::InvalidResponse(format!(
            "{}: not a Matrix homeserver ({err})",
            base.as_str()
        ))
    } else {
        err
    }
}

/// The answer to an empty `POST /register`: `Ok` with the server's refusal
/// or its UIA challenge (both say how registration stands), `Err` when the
/// answer says nothing about it (a transport error, a rate limit, a server
/// error, a redirect, a success to an empty request).
fn refusal_or_failure(answer: &Response) -> Result<Error, Error> {
    let status = answer.status;
    if (200..=299).contains(&status) {
        return Err(Error::InvalidResponse(format!(
            "HTTP {status} to an empty registration request"
        )));
    }
    let failure = answer.answer().failure();
    if (400..=499).contains(&status) && failure.code() != mxreg_result::RateLimited {
        Ok(failure)
    } else {
        Err(failure)
    }
}

/// Whether the guest registration was allowed: a guest account (200) yes, a
/// refusal (4xx) no; anything else is not an answer to the question.
fn guest_allowed(answer: &Response) -> Result<bool, Error> {
    match answer.status {
        200..=299 => {
            let guest: RegisterResponse = answer.answer().decode()?;
            guest.check()?;
            Ok(true)
        }
        _ => refusal_or_failure(answer).map(|_| false),
    }
}

/// `.well-known/matrix/client` at `origin` (the given URL's, or for a
/// server name its hostname without the port), as the spec's discovery
/// algorithm says (`api::server_discovery`): the base URL it names and its
/// identity server's, both to validate next, or `None` when there is no
/// document (404, the spec's IGNORE).
fn find_base(
    client: &Client,
    origin: &str,
    allow_http: bool,
    deadline: Deadline,
) -> Result<Option<(BaseUrl, Option<BaseUrl>)>, Error> {
    let mut url = format!("{origin}{WELL_KNOWN_PATH}");
    for redirects in 0.. {
        let response = send(client, Method::Get, &url, deadline)?;
        let step = well_known_step(
            &url,
            response.status,
            response.location.as_deref(),
            &response.body,
            redirects,
        )?;
        match step {
            WellKnownStep::Ignore => return Ok(None),
            WellKnownStep::Follow(next) => {
                // The http policy holds for redirect targets too.
                BaseUrl::parse(&next, allow_http)?;
                url = next;
            }
            WellKnownStep::Found(found) => {
                let base = parse_base_url(&found.homeserver, allow_http)?;
                let identity = found
                    .identity_server
                    .map(|identity| parse_base_url(&identity, allow_http))
                    .transpose()?;
                return Ok(Some((base, identity)));
            }
        }
    }
    unreachable!("the loop returns")
}

fn send(client: &Client, method: Method, url: &str, deadline: Deadline) -> Result<Response, Error> {
    client.transport().send(Request {
        method,
        url,
        body: (method == Method::Post).then(|| b"{}".to_vec()),
        bearer: None,
        creates_state: false,
        deadline: Some(deadline.instant()),
    })
}

/// A part running on its own thread, or its error when no thread could be
/// started.
enum Parallel<'scope, T> {
    Running(thread::ScopedJoinHandle<'scope, Result<T, Error>>),
    NotStarted(Error),
}

impl<T> Parallel<'_, T> {
    fn join(self) -> Result<T, Error> {
        match self {
            Parallel::Running(handle) => handle.join().unwrap_or(Err(Error::Panic)),
            Parallel::NotStarted(err) => Err(err),
        }
    }
}

fn in_parallel<'scope, T: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    part: impl FnOnce() -> Result<T, Error> + Send + 'scope,
) -> Parallel<'scope, T> {
    match thread::Builder::new()
        .name("mxreg-probe".into())
        .spawn_scoped(scope, part)
    {
        Ok(handle) => Parallel::Running(handle),
        Err(err) => Parallel::NotStarted(Error::Io(format!("could not start a thread: {err}"))),
    }
}
