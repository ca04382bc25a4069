//! `POST /_matrix/client/v3/login` with a password, only as far as
//! recovering a registration needs it: the account's user and password, and
//! the device ID the lost registration used, so that the login lands on that
//! same device (the spec: a login with a known `device_id` reuses it).
//! The answer has the registration answer's shape (`RegisterResponse`).

use serde::Serialize;

pub use crate::api::discovery::LOGIN_PATH;

#[derive(Serialize)]
struct UserIdentifier<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    user: &'a str,
}

/// The body of a password login onto a given device.
#[derive(Serialize)]
pub struct PasswordLoginBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    identifier: UserIdentifier<'a>,
    password: &'a str,
    device_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    initial_device_display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    refresh_token: bool,
}

impl<'a> PasswordLoginBody<'a> {
    pub fn new(
        user: &'a str,
        password: &'a str,
        device_id: &'a str,
        initial_device_display_name: Option<&'a str>,
        refresh_token: bool,
    ) -> Self {
        PasswordLoginBody {
            kind: "m.login.password",
            identifier: UserIdentifier {
                kind: "m.id.user",
                user,
            },
            password,
            device_id,
            initial_device_display_name,
            refresh_token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_names_the_user_and_the_device() {
        let body = PasswordLoginBody::new("alice", "pw", "DEVICE", None, true);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": "alice"},
                "password": "pw", "device_id": "DEVICE", "refresh_token": true
            })
        );
    }
}
