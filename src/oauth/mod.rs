//! Account creation and login on homeservers that delegate authentication
//! to an OAuth 2.0 server (Matrix v1.15+ "OAuth 2.0 API": MSC2965 discovery,
//! MSC2966 client registration, MSC2967 scopes, MSC2964 authorization code
//! grant with PKCE, `prompt=create` for sign-up).
//!
//! mxreg never opens a browser:
//! [`start_authorization`](crate::oauth::start_authorization) gives the URL
//! to open, the app hands back the redirect it received, and
//! [`Client::oauth_complete_authorization`](crate::Client::oauth_complete_authorization) turns it
//! into a [`crate::Registration`]. The pending authorization serialises, so
//! the app may be killed in between.
//!
//! Every file here but `server` is sans-I/O (bodies in, checked values
//! out), unit-tested with a captured run in `tests/data/oauth/`.

pub mod authorization;
pub mod base64url;
pub mod client_registration;
pub mod device;
pub mod error_response;
pub mod metadata;
pub mod pending;
pub mod redirect;
pub mod scope;
pub mod server;
#[cfg(test)]
mod test_data;
pub mod token;
pub mod url;

pub use authorization::AuthorizationRequest;
pub use client_registration::{ApplicationType, ClientMetadata, RegisteredClient};
pub use device::DeviceAuthorization;
pub use error_response::OAuthErrorResponse;
pub use metadata::{AuthMetadata, ResponseMode};
pub use pending::{Intent, PendingAuthorization};
pub use server::{
    read_metadata_answer, read_token_answer, read_whoami_answer, start_authorization,
};
pub use token::TokenKind;
