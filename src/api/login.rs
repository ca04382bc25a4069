//! `POST /_matrix/client/v3/login`: password and login-token logins, and the
//! answer, which carries the same fields as a registration's.

use serde::Serialize;

use crate::api::register::DeviceFields;
use crate::error::Error;
use crate::secret::Secret;

pub use crate::api::discovery::LOGIN_PATH;

/// How the user proves who they are.
#[derive(Clone, Debug, PartialEq)]
pub enum LoginCredential {
    /// `m.login.password` with an `m.id.user` identifier: `user` is a
    /// localpart (`alice`) or a full user ID (`@alice:example.org`).
    Password { user: String, password: Secret },
    /// `m.login.token`: a single-use token, e.g. the `loginToken` an SSO
    /// redirect brings back.
    Token { token: Secret },
}

/// Everything a caller can ask of `POST /login`.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginRequest {
    pub credential: LoginCredential,
    pub device_id: Option<String>,
    pub initial_device_display_name: Option<String>,
    /// Ask for a refresh token.
    pub refresh_token: bool,
}

impl LoginRequest {
    pub fn new(credential: LoginCredential) -> Self {
        LoginRequest {
            credential,
            device_id: None,
            initial_device_display_name: None,
            refresh_token: true,
        }
    }

    /// Empty strings would be sent as they are and refused by the server
    /// with a less helpful answer.
    pub fn validate(&self) -> Result<(), Error> {
        let (name, value) = match &self.credential {
            LoginCredential::Password { user, password } => {
                if user.is_empty() {
                    return Err(Error::invalid_argument("user", "must not be empty"));
                }
                ("password", password.expose())
            }
            LoginCredential::Token { token } => ("login_token", token.expose()),
        };
        if value.is_empty() {
            return Err(Error::invalid_argument(name, "must not be empty"));
        }
        if self.device_id.as_deref() == Some("") {
            return Err(Error::invalid_argument(
                "device_id",
                "must not be empty (pass NULL to omit)",
            ));
        }
        Ok(())
    }

    /// The secret this request carries, for scrubbing error messages.
    pub fn secret(&self) -> &str {
        match &self.credential {
            LoginCredential::Password { password, .. } => password.expose(),
            LoginCredential::Token { token } => token.expose(),
        }
    }

    /// A login token is spent by the server when it reads the request: if the
    /// answer is lost, the caller must know it may be gone. A password login
    /// can simply be repeated.
    pub fn spends_credential(&self) -> bool {
        matches!(self.credential, LoginCredential::Token { .. })
    }

    /// The JSON body on the wire.
    pub fn body(&self) -> LoginBody<'_> {
        let (login_type, identifier, password, token) = match &self.credential {
            LoginCredential::Password { user, password } => (
                "m.login.password",
                Some(UserIdentifier {
                    kind: "m.id.user",
                    user,
                }),
                Some(password.expose()),
                None,
            ),
            LoginCredential::Token { token } => ("m.login.token", None, None, Some(token.expose())),
        };
        LoginBody {
            login_type,
            identifier,
            password,
            token,
            device: DeviceFields {
                device_id: self.device_id.as_deref(),
                initial_device_display_name: self.initial_device_display_name.as_deref(),
                refresh_token: self.refresh_token,
            },
        }
    }
}

#[derive(Serialize)]
pub struct UserIdentifier<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    user: &'a str,
}

#[derive(Serialize)]
pub struct LoginBody<'a> {
    #[serde(rename = "type")]
    login_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<UserIdentifier<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(flatten)]
    device: DeviceFields<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn password_login_sends_a_user_identifier() {
        let mut request = LoginRequest::new(LoginCredential::Password {
            user: "alice".into(),
            password: Secret::new("pw"),
        });
        request.device_id = Some("DEV".into());
        let body = serde_json::to_value(request.body()).unwrap();
        assert_eq!(
            body,
            json!({
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": "alice"},
                "password": "pw",
                "device_id": "DEV",
                "refresh_token": true,
            })
        );
        assert!(!request.spends_credential());
    }

    #[test]
    fn token_login_sends_only_the_token() {
        let mut request = LoginRequest::new(LoginCredential::Token {
            token: Secret::new("tok"),
        });
        request.refresh_token = false;
        let body = serde_json::to_value(request.body()).unwrap();
        assert_eq!(body, json!({"type": "m.login.token", "token": "tok"}));
        assert!(request.spends_credential());
    }

    #[test]
    fn empty_credentials_are_refused_before_sending() {
        let empty_user = LoginRequest::new(LoginCredential::Password {
            user: String::new(),
            password: Secret::new("pw"),
        });
        let empty_token = LoginRequest::new(LoginCredential::Token {
            token: Secret::new(""),
        });
        for request in [empty_user, empty_token] {
            assert_eq!(
                request.validate().unwrap_err().code(),
                crate::result::mxreg_result::InvalidArgument
            );
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let request = LoginRequest::new(LoginCredential::Password {
            user: "alice".into(),
            password: Secret::new("hunter2"),
        });
        assert!(!format!("{request:?}").contains("hunter2"));
    }
}
