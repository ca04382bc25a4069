//! The server probe: from a server name or URL, what sign-up the server
//! offers (legacy registration and its flows, OAuth with `prompt=create`,
//! SSO, guests) or whether it is closed.

use serde::Serialize;

use crate::api::discovery::{
    IdentityProvider, LOGIN_PATH, LoginFlows, VERSIONS_PATH, Versions, WELL_KNOWN_PATH,
};
use crate::api::register::REGISTER_PATH;
use crate::api::server_discovery::{
    IDENTITY_V2_PATH, WellKnownStep, check_identity_server, check_versions, parse_base_url,
    well_known_step,
};
use crate::api::uia::UiaResponse;
use crate::client::{Client, ClientConfig};
use crate::error::Error;
use crate::homeserver_url::BaseUrl;
use crate::transport::{Method, Request, Response, Transport};

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

/// What the probe found.
#[derive(Debug, Serialize)]
pub struct Probe {
    /// The client-server API base URL (after `.well-known` discovery).
    pub homeserver_url: String,
    /// Whether `.well-known/matrix/client` pointed there.
    pub discovered_by_well_known: bool,
    pub versions: Vec<String>,
    /// `MXREG_SIGNUP_METHOD_*` flags; 0 means sign-up is closed.
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
    /// `None` when not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_access: Option<bool>,
    /// The identity providers of `m.login.sso` (id, name, icon).
    pub sso_identity_providers: Vec<IdentityProvider>,
    /// `m.login.sso` says the server prefers OAuth-aware clients to use
    /// its OAuth 2.0 API (the spec then asks them to).
    pub oauth_aware_preferred: bool,
    /// The OAuth server offers the device authorization grant (RFC 8628).
    pub oauth_device_authorization: bool,
}

impl Probe {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// Probe `server` (a server name such as `example.org`, or a URL). With
/// `check_guest_access` it also tries a guest registration, which creates a
/// guest account when guests are allowed.
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
    let (base, discovered) = discover(client.transport(), &given, &well_known_origin, allow_http)?;
    let client = client.rebased(base.clone());
    let transport = client.transport();
    let versions: Versions = client.get_json(&base.join(VERSIONS_PATH)).map_err(|err| {
        Error::InvalidResponse(format!(
            "{}: not a Matrix homeserver ({err})",
            base.as_str()
        ))
    })?;

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
    };

    if let Ok(login) = client.get_json::<LoginFlows>(&base.join(LOGIN_PATH)) {
        probe.login_types = login.flows.iter().map(|f| f.kind.clone()).collect();
        if let Some(sso) = login.flows.iter().find(|f| f.kind == "m.login.sso") {
            probe.signup_methods |= methods::SSO;
            probe.sso_identity_providers = sso.identity_providers();
            probe.oauth_aware_preferred = sso.oauth_aware_preferred;
        }
    }

    // Only validated metadata counts: a server whose OAuth document is
    // unusable does not offer OAuth sign-up to this client.
    if let Ok(metadata) = crate::oauth::discover(&client) {
        probe.signup_methods |= methods::OAUTH;
        if metadata.supports_sign_up() {
            probe.signup_methods |= methods::OAUTH_CREATE;
        }
        probe.oauth_device_authorization = metadata.supports_device_authorization();
        probe.oauth_issuer = Some(metadata.issuer);
        probe.oauth_registration_endpoint = metadata.registration_endpoint;
    }

    match send(transport, Method::Post, &base.join(REGISTER_PATH))?
        .answer()
        .failure()
    {
        Error::AuthRequired(uia) if !uia.flows.is_empty() => {
            probe.signup_methods |= methods::LEGACY;
            probe.registration = Some(*uia);
        }
        refused => probe.registration_refused = Some(refused.to_string()),
    }

    if check_guest_access {
        let answer = send(
            transport,
            Method::Post,
            &base.join(&format!("{REGISTER_PATH}?kind=guest")),
        )?;
        let allowed = answer.status == 200;
        probe.guest_access = Some(allowed);
        if allowed {
            probe.signup_methods |= methods::GUEST;
        }
    }
    Ok(probe)
}

/// `.well-known/matrix/client` at `origin` (the given URL's, or for a server
/// name its hostname without the port), as the spec's
/// discovery algorithm says (`api::server_discovery`): the validated base
/// URL it names, or `given` itself when there is none (404).
fn discover(
    transport: &Transport,
    given: &BaseUrl,
    origin: &str,
    allow_http: bool,
) -> Result<(BaseUrl, bool), Error> {
    let mut url = format!("{origin}{WELL_KNOWN_PATH}");
    for redirects in 0.. {
        let response = send(transport, Method::Get, &url)?;
        let step = well_known_step(
            &url,
            response.status,
            response.location.as_deref(),
            &response.body,
            redirects,
        )?;
        let found = match step {
            WellKnownStep::Ignore => return Ok((given.clone(), false)),
            WellKnownStep::Follow(next) => {
                // The http policy holds for redirect targets too.
                BaseUrl::parse(&next, allow_http)?;
                url = next;
                continue;
            }
            WellKnownStep::Found(found) => found,
        };
        let base = parse_base_url(&found.homeserver, allow_http)?;
        let versions = send(transport, Method::Get, &base.join(VERSIONS_PATH))?;
        check_versions(base.as_str(), versions.status, &versions.body)?;
        if let Some(identity_server) = &found.identity_server {
            let identity = parse_base_url(identity_server, allow_http)?;
            let answer = send(transport, Method::Get, &identity.join(IDENTITY_V2_PATH))?;
            check_identity_server(identity.as_str(), answer.status, &answer.body)?;
        }
        return Ok((base, true));
    }
    unreachable!("the loop returns")
}

fn send(transport: &Transport, method: Method, url: &str) -> Result<Response, Error> {
    transport.send(Request {
        method,
        url,
        body: (method == Method::Post).then(|| b"{}".to_vec()),
        bearer: None,
        creates_state: false,
    })
}
