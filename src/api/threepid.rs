//! Email and phone validation for registration:
//! `POST /register/{email,msisdn}/requestToken` and the `threepid_creds`
//! the `m.login.email.identity` / `m.login.msisdn` stages send.

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

pub const EMAIL_REQUEST_TOKEN_PATH: &str = "/_matrix/client/v3/register/email/requestToken";
pub const MSISDN_REQUEST_TOKEN_PATH: &str = "/_matrix/client/v3/register/msisdn/requestToken";

#[derive(Serialize)]
pub struct EmailRequestTokenBody<'a> {
    pub client_secret: &'a str,
    pub email: &'a str,
    pub send_attempt: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<&'a str>,
}

#[derive(Serialize)]
pub struct MsisdnRequestTokenBody<'a> {
    pub client_secret: &'a str,
    pub country: &'a str,
    pub phone_number: &'a str,
    pub send_attempt: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<&'a str>,
}

/// The `requestToken` answer: the validation session ID, and for phone
/// numbers the URL where the code the user received is submitted.
#[derive(Clone, Debug, Deserialize)]
pub struct RequestTokenResponse {
    pub sid: String,
    #[serde(default)]
    pub submit_url: Option<String>,
}

/// `POST {submit_url}` with the code the user received by SMS.
#[derive(Serialize)]
pub struct SubmitTokenBody<'a> {
    pub sid: &'a str,
    pub client_secret: &'a str,
    pub token: &'a str,
}

/// One validation in progress: what the stage needs to prove it. Kept in
/// the session (and in its saved form: the client secret is a secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// The email address, or the phone number as `country:number`.
    pub address: String,
    pub client_secret: Secret,
    pub send_attempt: u32,
    pub sid: Option<String>,
    pub submit_url: Option<String>,
}

impl Validation {
    /// Note the validation session a `requestToken` answer opened.
    pub fn record(&mut self, answer: RequestTokenResponse) {
        self.sid = Some(answer.sid);
        self.submit_url = answer.submit_url;
    }

    /// The `threepid_creds` object of the stage's auth dict.
    pub fn threepid_creds(&self) -> serde_json::Value {
        serde_json::json!({
            "sid": self.sid,
            "client_secret": self.client_secret.expose(),
        })
    }
}
