//! What a successful registration or refresh gives back.

use std::time::SystemTime;

use crate::api::refresh::RefreshResponse;
use crate::api::register::RegisterResponse;
use crate::clock::unix_ms;
use crate::secret::Secret;

/// The result of a successful registration. Tokens are `None` with
/// `inhibit_login`; `refresh_token` only when it was requested and granted.
#[derive(Clone, Debug)]
pub struct Registration {
    pub user_id: String,
    pub device_id: Option<String>,
    pub access_token: Option<Secret>,
    pub refresh_token: Option<Secret>,
    /// Lifetime of the access token, as the server said.
    pub expires_in_ms: Option<u64>,
    /// The same expiry as milliseconds since the Unix epoch, from the time the
    /// answer arrived.
    pub expires_at_ms: Option<u64>,
}

/// The answer of `POST /refresh`: a new access token, the refresh token to
/// use next time (`None`: keep the old one) and the expiry.
#[derive(Clone, Debug)]
pub struct TokenPair {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in_ms: Option<u64>,
    pub expires_at_ms: Option<u64>,
}

/// `received_at + lifetime` in ms since the Unix epoch.
fn expiry(received_at: SystemTime, lifetime_ms: Option<u64>) -> Option<u64> {
    lifetime_ms.map(|lifetime| unix_ms(received_at).saturating_add(lifetime))
}

impl Registration {
    pub fn from_response(response: RegisterResponse, received_at: SystemTime) -> Self {
        Registration {
            expires_at_ms: expiry(received_at, response.expires_in_ms),
            user_id: response.user_id,
            device_id: response.device_id,
            access_token: response.access_token,
            refresh_token: response.refresh_token,
            expires_in_ms: response.expires_in_ms,
        }
    }
}

impl TokenPair {
    pub fn from_response(response: RefreshResponse, received_at: SystemTime) -> Self {
        TokenPair {
            expires_at_ms: expiry(received_at, response.expires_in_ms),
            access_token: response.access_token,
            refresh_token: response.refresh_token,
            expires_in_ms: response.expires_in_ms,
        }
    }
}
