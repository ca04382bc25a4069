//! The result codes every fallible C call returns.
//!
//! Values are part of the ABI: they are never renumbered or reused. A retired
//! code stays here as a comment.

/// What a call did. `MXREG_RESULT_OK` is 0; every other value is a failure.
///
/// Codes 1..99 are local errors (the call never reached the network),
/// 100..199 are transport errors, 200..299 are answers from the server.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum mxreg_result {
    /// Success.
    Ok = 0,

    // Local errors.
    /// A required pointer argument was NULL.
    NullArgument = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// An argument had a value the call cannot use (see the error message).
    InvalidArgument = 3,
    /// A request struct's `struct_size` does not match any size this library knows.
    StructSize = 4,
    /// A bug in mxreg: a panic was caught at the library boundary.
    Panic = 5,
    /// The URL uses plain http to a host that is not loopback, and the client
    /// options do not allow insecure http.
    InsecureUrl = 6,
    /// The call does not fit the object's current state (a finished session, a
    /// stage the chosen flow does not contain, a second call while one is running).
    InvalidState = 7,
    /// The server offers no flow made only of stages the app said it supports.
    UnsupportedFlow = 8,
    /// The OAuth redirect the app handed back does not answer this
    /// authorization: its `state` (or `iss`) is not the expected one. Ignore
    /// it; it may be forged.
    OauthStateMismatch = 9,
    /// The server prefers OAuth 2.0 from OAuth-aware clients
    /// (`oauth_aware_preferred` on `m.login.sso`), so mxreg does not build
    /// an SSO URL: sign up and log in with the OAuth calls instead.
    OauthPreferred = 40,

    // Transport errors.
    /// The host name could not be resolved.
    Dns = 100,
    /// No connection could be opened to the server.
    Connect = 101,
    /// The TLS handshake failed (certificate not trusted, protocol error).
    Tls = 102,
    /// The server did not answer within the configured timeout. Calls that
    /// create an account give this only when the request was not fully sent
    /// (nothing happened); after that they give `OUTCOME_UNKNOWN`.
    Timeout = 103,
    /// The connection failed or timed out after the request was sent: the
    /// server may have acted on it (the account may exist). Check with a
    /// login or an availability query before retrying.
    OutcomeUnknown = 104,
    /// The response body is larger than the configured cap.
    BodyTooLarge = 105,
    /// The server's answer is not what the API specifies (malformed JSON,
    /// missing fields, wrong types).
    InvalidResponse = 106,
    /// The server answered with a redirect; mxreg does not follow redirects
    /// on API calls, so credentials never leave the configured origin.
    Redirect = 107,
    /// Another I/O error on the connection.
    Io = 108,

    // Answers from the server.
    /// The server answered with a Matrix error not covered by a more specific
    /// code; read its `errcode`.
    MatrixError = 200,
    /// User-interactive authentication: the server wants more stages
    /// completed (HTTP 401 with `flows`). Read the flows from the error.
    AuthRequired = 201,
    /// The server is rate-limiting this client (HTTP 429 / `M_LIMIT_EXCEEDED`);
    /// the error carries the delay when the server gave one.
    RateLimited = 202,
    /// The user ID is already taken (`M_USER_IN_USE`).
    UserInUse = 203,
    /// The username is not valid for this server (`M_INVALID_USERNAME`).
    InvalidUsername = 204,
    /// The password does not meet the server's policy (`M_WEAK_PASSWORD`
    /// or Synapse's `M_PASSWORD_*` codes).
    WeakPassword = 205,
    /// The server refuses the operation (`M_FORBIDDEN`; registration closed).
    Forbidden = 206,
    /// An access, guest or refresh token was not recognised (`M_UNKNOWN_TOKEN`).
    UnknownToken = 207,
    /// An HTTP error status without a Matrix error body (an HTML error page,
    /// a proxy's answer).
    HttpError = 208,
    /// The server did not accept a completed stage (wrong registration
    /// token, email not validated yet): the session stays usable; fix the
    /// input or try again later.
    StageRejected = 209,
    /// The server no longer knows the registration session (it expired):
    /// start a new one.
    SessionExpired = 210,
    /// The homeserver does not offer the OAuth 2.0 API, or its authorization
    /// server lacks what the call needs (PKCE S256, `prompt=create` for
    /// sign-up, dynamic client registration, revocation).
    OauthUnsupported = 211,
    /// The user (or the authorization server) refused the authorization
    /// (`access_denied`).
    OauthAccessDenied = 212,
    /// The authorization code or refresh token was refused (`invalid_grant`):
    /// expired, already used, revoked, or the PKCE verifier does not match.
    OauthInvalidGrant = 213,
    /// Another OAuth 2.0 error from the authorization server; its `error`
    /// code is the error's errcode.
    OauthError = 214,
    /// The server has hit a resource limit (`M_RESOURCE_LIMIT_EXCEEDED`:
    /// monthly active users, a disabled server); `mxreg_error_admin_contact`
    /// says whom to ask.
    ResourceLimitExceeded = 215,
    /// The account or server has reached a user limit of its plan
    /// (`M_USER_LIMIT_EXCEEDED`); see `mxreg_error_info_uri` and
    /// `mxreg_error_can_upgrade`.
    UserLimitExceeded = 216,
    /// The validation code was wrong (`M_TOKEN_INCORRECT`): ask for it again.
    TokenIncorrect = 217,
    /// The email address or phone number is already bound to an account on
    /// this server (`M_THREEPID_IN_USE`).
    ThreepidInUse = 218,
    /// The server does not accept this email address or phone number
    /// (`M_THREEPID_DENIED`: a domain not allowed, a country not served).
    ThreepidDenied = 219,
    /// Guest access is disabled on this server (`M_GUEST_ACCESS_FORBIDDEN`).
    GuestAccessForbidden = 220,
    /// The user ID lies in an application service's exclusive namespace
    /// (`M_EXCLUSIVE`): only that application service may register it.
    Exclusive = 221,
    /// The user must first agree to the server's policy
    /// (`M_CONSENT_NOT_GIVEN`); `mxreg_error_consent_uri` is the page to show.
    ConsentNotGiven = 222,
    /// An application service asked for a login where the server does not
    /// allow one (`M_APPSERVICE_LOGIN_UNSUPPORTED`: an OAuth-delegated
    /// server, or an MSC4190 appservice): register with `inhibit_login`.
    AppserviceLoginUnsupported = 223,
    /// Server discovery failed on invalid or empty `.well-known` data (the
    /// spec's `FAIL_PROMPT`): ask the user for the homeserver URL.
    DiscoveryFailPrompt = 224,
    /// `.well-known` named a homeserver that is not a valid URL or does not
    /// answer as a Matrix homeserver (the spec's `FAIL_ERROR`): stop; do
    /// not guess another URL.
    DiscoveryFailError = 225,
    /// The user has not approved the device authorization yet
    /// (`authorization_pending`, or `slow_down`, which lengthens the
    /// interval): poll again after the interval.
    OauthAuthorizationPending = 230,
    /// The device code expired before the user approved it
    /// (`expired_token`): start a new device authorization.
    OauthExpiredToken = 231,
}

impl mxreg_result {
    /// Every code, in numeric order (for tables and tests).
    pub const ALL: &'static [mxreg_result] = &[
        Self::Ok,
        Self::NullArgument,
        Self::InvalidUtf8,
        Self::InvalidArgument,
        Self::StructSize,
        Self::Panic,
        Self::InsecureUrl,
        Self::InvalidState,
        Self::UnsupportedFlow,
        Self::OauthStateMismatch,
        Self::OauthPreferred,
        Self::Dns,
        Self::Connect,
        Self::Tls,
        Self::Timeout,
        Self::OutcomeUnknown,
        Self::BodyTooLarge,
        Self::InvalidResponse,
        Self::Redirect,
        Self::Io,
        Self::MatrixError,
        Self::AuthRequired,
        Self::RateLimited,
        Self::UserInUse,
        Self::InvalidUsername,
        Self::WeakPassword,
        Self::Forbidden,
        Self::UnknownToken,
        Self::HttpError,
        Self::StageRejected,
        Self::SessionExpired,
        Self::OauthUnsupported,
        Self::OauthAccessDenied,
        Self::OauthInvalidGrant,
        Self::OauthError,
        Self::ResourceLimitExceeded,
        Self::UserLimitExceeded,
        Self::TokenIncorrect,
        Self::ThreepidInUse,
        Self::ThreepidDenied,
        Self::GuestAccessForbidden,
        Self::Exclusive,
        Self::ConsentNotGiven,
        Self::AppserviceLoginUnsupported,
        Self::DiscoveryFailPrompt,
        Self::DiscoveryFailError,
        Self::OauthAuthorizationPending,
        Self::OauthExpiredToken,
    ];

    /// The code for a raw value, if it is one.
    pub fn from_u32(value: u32) -> Option<Self> {
        Self::ALL.iter().copied().find(|code| *code as u32 == value)
    }

    /// The C name of the code, NUL-terminated.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ok => "MXREG_RESULT_OK\0",
            Self::NullArgument => "MXREG_RESULT_NULL_ARGUMENT\0",
            Self::InvalidUtf8 => "MXREG_RESULT_INVALID_UTF8\0",
            Self::InvalidArgument => "MXREG_RESULT_INVALID_ARGUMENT\0",
            Self::StructSize => "MXREG_RESULT_STRUCT_SIZE\0",
            Self::Panic => "MXREG_RESULT_PANIC\0",
            Self::InsecureUrl => "MXREG_RESULT_INSECURE_URL\0",
            Self::InvalidState => "MXREG_RESULT_INVALID_STATE\0",
            Self::UnsupportedFlow => "MXREG_RESULT_UNSUPPORTED_FLOW\0",
            Self::OauthStateMismatch => "MXREG_RESULT_OAUTH_STATE_MISMATCH\0",
            Self::OauthPreferred => "MXREG_RESULT_OAUTH_PREFERRED\0",
            Self::Dns => "MXREG_RESULT_DNS\0",
            Self::Connect => "MXREG_RESULT_CONNECT\0",
            Self::Tls => "MXREG_RESULT_TLS\0",
            Self::Timeout => "MXREG_RESULT_TIMEOUT\0",
            Self::OutcomeUnknown => "MXREG_RESULT_OUTCOME_UNKNOWN\0",
            Self::BodyTooLarge => "MXREG_RESULT_BODY_TOO_LARGE\0",
            Self::InvalidResponse => "MXREG_RESULT_INVALID_RESPONSE\0",
            Self::Redirect => "MXREG_RESULT_REDIRECT\0",
            Self::Io => "MXREG_RESULT_IO\0",
            Self::MatrixError => "MXREG_RESULT_MATRIX_ERROR\0",
            Self::AuthRequired => "MXREG_RESULT_AUTH_REQUIRED\0",
            Self::RateLimited => "MXREG_RESULT_RATE_LIMITED\0",
            Self::UserInUse => "MXREG_RESULT_USER_IN_USE\0",
            Self::InvalidUsername => "MXREG_RESULT_INVALID_USERNAME\0",
            Self::WeakPassword => "MXREG_RESULT_WEAK_PASSWORD\0",
            Self::Forbidden => "MXREG_RESULT_FORBIDDEN\0",
            Self::UnknownToken => "MXREG_RESULT_UNKNOWN_TOKEN\0",
            Self::HttpError => "MXREG_RESULT_HTTP_ERROR\0",
            Self::StageRejected => "MXREG_RESULT_STAGE_REJECTED\0",
            Self::SessionExpired => "MXREG_RESULT_SESSION_EXPIRED\0",
            Self::OauthUnsupported => "MXREG_RESULT_OAUTH_UNSUPPORTED\0",
            Self::OauthAccessDenied => "MXREG_RESULT_OAUTH_ACCESS_DENIED\0",
            Self::OauthInvalidGrant => "MXREG_RESULT_OAUTH_INVALID_GRANT\0",
            Self::OauthError => "MXREG_RESULT_OAUTH_ERROR\0",
            Self::ResourceLimitExceeded => "MXREG_RESULT_RESOURCE_LIMIT_EXCEEDED\0",
            Self::UserLimitExceeded => "MXREG_RESULT_USER_LIMIT_EXCEEDED\0",
            Self::TokenIncorrect => "MXREG_RESULT_TOKEN_INCORRECT\0",
            Self::ThreepidInUse => "MXREG_RESULT_THREEPID_IN_USE\0",
            Self::ThreepidDenied => "MXREG_RESULT_THREEPID_DENIED\0",
            Self::GuestAccessForbidden => "MXREG_RESULT_GUEST_ACCESS_FORBIDDEN\0",
            Self::Exclusive => "MXREG_RESULT_EXCLUSIVE\0",
            Self::ConsentNotGiven => "MXREG_RESULT_CONSENT_NOT_GIVEN\0",
            Self::AppserviceLoginUnsupported => "MXREG_RESULT_APPSERVICE_LOGIN_UNSUPPORTED\0",
            Self::DiscoveryFailPrompt => "MXREG_RESULT_DISCOVERY_FAIL_PROMPT\0",
            Self::DiscoveryFailError => "MXREG_RESULT_DISCOVERY_FAIL_ERROR\0",
            Self::OauthAuthorizationPending => "MXREG_RESULT_OAUTH_AUTHORIZATION_PENDING\0",
            Self::OauthExpiredToken => "MXREG_RESULT_OAUTH_EXPIRED_TOKEN\0",
        }
    }

    /// A short static description, NUL-terminated for C.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Ok => "success\0",
            Self::NullArgument => "a required argument was NULL\0",
            Self::InvalidUtf8 => "a string argument was not valid UTF-8\0",
            Self::InvalidArgument => "an argument has an unusable value\0",
            Self::StructSize => "struct_size does not match this library\0",
            Self::Panic => "internal error: a panic was caught at the library boundary\0",
            Self::InsecureUrl => {
                "plain http is only allowed to loopback unless explicitly enabled\0"
            }
            Self::InvalidState => "the call does not fit the object's current state\0",
            Self::UnsupportedFlow => "the server offers no flow the app supports\0",
            Self::OauthStateMismatch => {
                "the OAuth redirect does not answer this authorization (state or issuer differ)\0"
            }
            Self::OauthPreferred => "the server prefers OAuth 2.0 to single sign-on\0",
            Self::Dns => "the host name could not be resolved\0",
            Self::Connect => "could not connect to the server\0",
            Self::Tls => "TLS handshake failed\0",
            Self::Timeout => "timed out\0",
            Self::OutcomeUnknown => {
                "connection lost after the request was sent: the outcome is unknown\0"
            }
            Self::BodyTooLarge => "the response body exceeds the size cap\0",
            Self::InvalidResponse => "the server's answer does not follow the Matrix API\0",
            Self::Redirect => "the server answered with a redirect, which mxreg does not follow\0",
            Self::Io => "I/O error on the connection\0",
            Self::MatrixError => "the server answered with a Matrix error\0",
            Self::AuthRequired => "the server requires more authentication stages\0",
            Self::RateLimited => "rate limited by the server\0",
            Self::UserInUse => "the user ID is already taken\0",
            Self::InvalidUsername => "the username is not valid\0",
            Self::WeakPassword => "the password does not meet the server's policy\0",
            Self::Forbidden => "the server refuses the operation\0",
            Self::UnknownToken => "the token was not recognised by the server\0",
            Self::HttpError => "HTTP error without a Matrix error body\0",
            Self::StageRejected => "the server did not accept the stage; the session goes on\0",
            Self::SessionExpired => "the registration session expired; start a new one\0",
            Self::OauthUnsupported => {
                "the homeserver's OAuth 2.0 server does not offer what the call needs\0"
            }
            Self::OauthAccessDenied => "the authorization was refused (access_denied)\0",
            Self::OauthInvalidGrant => {
                "the authorization code or refresh token was refused (invalid_grant)\0"
            }
            Self::OauthError => "the OAuth 2.0 server answered with an error\0",
            Self::ResourceLimitExceeded => {
                "the server has reached a resource limit; contact its administrator\0"
            }
            Self::UserLimitExceeded => "a user limit of the server's plan is reached\0",
            Self::TokenIncorrect => "the validation code is wrong\0",
            Self::ThreepidInUse => "the email address or phone number is already in use\0",
            Self::ThreepidDenied => {
                "the server does not accept this email address or phone number\0"
            }
            Self::GuestAccessForbidden => "guest access is disabled on this server\0",
            Self::Exclusive => "the user ID is reserved by an application service\0",
            Self::ConsentNotGiven => "the user must agree to the server's policy first\0",
            Self::AppserviceLoginUnsupported => {
                "the server allows no appservice login here; register with inhibit_login\0"
            }
            Self::DiscoveryFailPrompt => {
                "server discovery failed on invalid .well-known data; ask for the homeserver URL\0"
            }
            Self::DiscoveryFailError => "the discovered homeserver is not valid; do not continue\0",
            Self::OauthAuthorizationPending => {
                "the user has not approved the device authorization yet; poll again\0"
            }
            Self::OauthExpiredToken => "the device code expired; start a new authorization\0",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_descriptions_are_c_strings() {
        for code in mxreg_result::ALL {
            assert_eq!(mxreg_result::from_u32(*code as u32), Some(*code));
            assert!(code.name().starts_with("MXREG_RESULT_"));
            let text = code.describe();
            assert!(text.ends_with('\0'));
            assert_eq!(text.find('\0'), Some(text.len() - 1));
        }
        assert_eq!(mxreg_result::from_u32(9999), None);
    }

    #[test]
    fn groups_keep_their_ranges() {
        assert_eq!(mxreg_result::Ok as u32, 0);
        assert_eq!(mxreg_result::Dns as u32, 100);
        assert_eq!(mxreg_result::MatrixError as u32, 200);
    }
}
