//! `POST /_matrix/client/v3/refresh`: a new access token for a refresh token.

use serde::{Deserialize, Serialize};

use crate::api::server_values::check_tokens;
use crate::error::Error;
use crate::secret::Secret;

pub const REFRESH_PATH: &str = "/_matrix/client/v3/refresh";

#[derive(Serialize)]
pub struct RefreshBody<'a> {
    pub refresh_token: &'a str,
}

/// The answer. Servers may keep the old refresh token (no `refresh_token`
/// here) or rotate it.
#[derive(Clone, Debug, Deserialize)]
pub struct RefreshResponse {
    pub access_token: Secret,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    #[serde(default)]
    pub expires_in_ms: Option<u64>,
}

impl RefreshResponse {
    /// The new tokens must be ones the app can send.
    pub fn check(&self) -> Result<(), Error> {
        check_tokens(Some(&self.access_token), self.refresh_token.as_ref())
    }
}
