//! A created account, as the server returned it.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::api::register::RegisterResponse;
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

impl Registration {
    pub fn from_response(response: RegisterResponse, received_at: SystemTime) -> Self {
        let received_ms = received_at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Registration {
            expires_at_ms: response
                .expires_in_ms
                .map(|lifetime| received_ms.saturating_add(lifetime)),
            user_id: response.user_id,
            device_id: response.device_id,
            access_token: response.access_token,
            refresh_token: response.refresh_token,
            expires_in_ms: response.expires_in_ms,
        }
    }
}
