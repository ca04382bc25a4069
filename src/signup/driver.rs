//! The I/O side of a signup session: each call sends what the session says,
//! feeds the answer back, and completes `m.login.dummy` stages by itself.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::api::identifiers::check_opaque_id;
use crate::api::register::RegisterRequest;
use crate::api::threepid::{
    EMAIL_REQUEST_TOKEN_PATH, EmailRequestTokenBody, MSISDN_REQUEST_TOKEN_PATH,
    MsisdnRequestTokenBody, RequestTokenResponse, SubmitTokenBody, Validation,
};
use crate::client::Client;
use crate::error::Error;
use crate::random::{Randomness, SystemRandomness};
use crate::secret::Secret;
use crate::signup::session::{SignupSession, Status};
use crate::signup::stages::{self, DUMMY};
use crate::signup::stages::{StageSet, Threepid};

/// Length of generated client secrets (the spec allows up to 255).
const CLIENT_SECRET_LEN: usize = 32;
/// More automatic stages than any real flow has: guards against a server
/// that keeps asking.
const MAX_AUTOMATIC_STAGES: usize = 8;

fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl SignupSession {
    /// A session for `request` whose device, when the request names none,
    /// comes from the system's random number generator (see
    /// [`SignupSession::with_randomness`]).
    pub fn new(homeserver: &str, request: RegisterRequest, supported: StageSet) -> Self {
        SignupSession::with_randomness(homeserver, request, supported, &SystemRandomness)
    }
}

impl Client {
    /// Send the first request (username and password, no `auth`). Completes
    /// at once on servers that need no stage; otherwise chooses a flow.
    pub fn signup_start(&self, session: &mut SignupSession) -> Result<(), Error> {
        session.expect_status(Status::NotStarted, "start")?;
        self.attempt(session, None, None)?;
        self.complete_automatic_stages(session)
    }

    /// `m.login.registration_token` with `token`.
    pub fn signup_submit_token(
        &self,
        session: &mut SignupSession,
        token: &str,
    ) -> Result<(), Error> {
        self.submit_field(session, stages::REGISTRATION_TOKEN, "token", token)
    }

    /// `m.login.terms`: the user accepted every listed policy.
    pub fn signup_accept_terms(&self, session: &mut SignupSession) -> Result<(), Error> {
        self.submit_stage(session, stages::TERMS, Map::new())
    }

    /// Ask the server to mail a validation link to `address`. Asking again
    /// for the same address resends (a new `send_attempt`, same secret).
    pub fn signup_request_email_token(
        &self,
        session: &mut SignupSession,
        address: &str,
        next_link: Option<&str>,
    ) -> Result<(), Error> {
        self.request_validation(session, Threepid::Email, address, |validation| {
            let body = EmailRequestTokenBody {
                client_secret: validation.client_secret.expose(),
                email: address,
                send_attempt: validation.send_attempt,
                next_link,
            };
            self.request_token(EMAIL_REQUEST_TOKEN_PATH, &body, body.client_secret)
        })
    }

    /// Complete `m.login.email.identity` once the user followed the link.
    /// Before that the server answers `StageRejected`: poll by calling again
    /// every few seconds. When the server gave a `submit_url`, there is no
    /// link to wait for: the user types the code instead
    /// ([`Client::signup_submit_email_code`]).
    pub fn signup_check_email(&self, session: &mut SignupSession) -> Result<(), Error> {
        let validation = requested(session, Threepid::Email)?;
        if validation.submit_url.is_some() {
            return Err(Error::InvalidState(
                "the server mailed a code to type in (it gave a submit_url): submit the code instead of waiting"
                    .into(),
            ));
        }
        self.submit_threepid(session, Threepid::Email, &validation)
    }

    /// Submit the code the user received by email to the `submit_url` the
    /// server gave (spec: `requestToken` answers), then complete
    /// `m.login.email.identity`. A wrong code is `StageRejected`.
    pub fn signup_submit_email_code(
        &self,
        session: &mut SignupSession,
        code: &str,
    ) -> Result<(), Error> {
        self.submit_code(session, Threepid::Email, code)
    }

    /// Ask the server to text a code to the phone number.
    pub fn signup_request_msisdn_token(
        &self,
        session: &mut SignupSession,
        country: &str,
        phone_number: &str,
    ) -> Result<(), Error> {
        let address = format!("{country}:{phone_number}");
        self.request_validation(session, Threepid::Msisdn, &address, |validation| {
            let body = MsisdnRequestTokenBody {
                client_secret: validation.client_secret.expose(),
                country,
                phone_number,
                send_attempt: validation.send_attempt,
                next_link: None,
            };
            self.request_token(MSISDN_REQUEST_TOKEN_PATH, &body, body.client_secret)
        })
    }

    /// Submit the code the user received (to the `submit_url` the server
    /// gave, when it gave one), then complete `m.login.msisdn`.
    pub fn signup_submit_msisdn_code(
        &self,
        session: &mut SignupSession,
        code: &str,
    ) -> Result<(), Error> {
        self.submit_code(session, Threepid::Msisdn, code)
    }

    /// `m.login.recaptcha` with the response the captcha widget produced.
    pub fn signup_submit_recaptcha(
        &self,
        session: &mut SignupSession,
        response: &str,
    ) -> Result<(), Error> {
        self.submit_field(session, stages::RECAPTCHA, "response", response)
    }

    /// After the user finished the fallback page: retry with only the
    /// session, as the spec says.
    /// When the server still wants the same stage, the page was not
    /// completed: `StageRejected`, and the session goes on.
    pub fn signup_fallback_done(&self, session: &mut SignupSession) -> Result<(), Error> {
        session.expect_status(Status::NeedsStage, "acknowledge the fallback page")?;
        let pending = session.next_stage().map(str::to_owned);
        let auth = session.auth(None, Map::new());
        self.submit(session, auth, pending.as_deref())
    }

    /// Any stage, with an `auth` dict the app built (the session ID is added).
    pub fn signup_submit_auth(
        &self,
        session: &mut SignupSession,
        auth: Value,
    ) -> Result<(), Error> {
        session.expect_status(Status::NeedsStage, "submit a stage")?;
        let Value::Object(fields) = auth else {
            return Err(Error::invalid_argument("auth", "must be a JSON object"));
        };
        let stage = fields
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let auth = session.auth(stage.as_deref(), fields);
        self.submit(session, auth, stage.as_deref())
    }

    /// POST the code the user received to `submit_url`; `{"success": true}`
    /// means it was right. The code and client secret are scrubbed from errors.
    fn submit_validation_code(
        &self,
        validation: &Validation,
        submit_url: &str,
        code: &str,
    ) -> Result<(), Error> {
        let client_secret = validation.client_secret.expose();
        let body = SubmitTokenBody {
            sid: validation.sid.as_deref().unwrap_or_default(),
            client_secret,
            token: code,
        };
        let answer: Value = self
            .post_json(submit_url, &body, None, false, self.deadline())
            .map_err(|err| err.redact(&[client_secret, code]))?;
        if answer.get("success").and_then(Value::as_bool) != Some(true) {
            return Err(Error::StageRejected {
                errcode: None,
                message: "the server did not accept the code".into(),
            });
        }
        Ok(())
    }

    /// POST a `requestToken` body; the client secret is scrubbed from errors.
    fn request_token<B: Serialize>(
        &self,
        path: &str,
        body: &B,
        client_secret: &str,
    ) -> Result<RequestTokenResponse, Error> {
        let answer: RequestTokenResponse = self
            .post_json(
                &self.homeserver().join(path),
                body,
                None,
                false,
                self.deadline(),
            )
            .map_err(|err| err.redact(&[client_secret]))?;
        check_opaque_id(&answer.sid, "the requestToken sid")?;
        Ok(answer)
    }

    /// Ask for a validation token for `address`: `send` posts the
    /// `requestToken` body made from the validation (its secret and attempt
    /// number), and the session keeps the validation the answer opened.
    fn request_validation(
        &self,
        session: &mut SignupSession,
        medium: Threepid,
        address: &str,
        send: impl FnOnce(&Validation) -> Result<RequestTokenResponse, Error>,
    ) -> Result<(), Error> {
        session.expect_stage(medium.stage())?;
        let mut validation = next_validation(session.validation(medium), address)?;
        validation.record(send(&validation)?);
        session.set_validation(medium, validation);
        Ok(())
    }

    /// Submit the code the user received to the `submit_url`, then complete
    /// `medium`'s stage. Without a `submit_url` a phone stage is completed
    /// as it is; an email one waits for the link instead.
    fn submit_code(
        &self,
        session: &mut SignupSession,
        medium: Threepid,
        code: &str,
    ) -> Result<(), Error> {
        let validation = requested(session, medium)?;
        match (&validation.submit_url, medium) {
            (Some(submit_url), _) => self.submit_validation_code(&validation, submit_url, code)?,
            (None, Threepid::Msisdn) => {}
            (None, Threepid::Email) => {
                return Err(Error::InvalidState(
                    "the server gave no submit_url: the user follows the link in the mail, then check the email".into(),
                ));
            }
        }
        self.submit_threepid(session, medium, &validation)
    }

    /// Complete `medium`'s stage with the validation's `threepid_creds`.
    fn submit_threepid(
        &self,
        session: &mut SignupSession,
        medium: Threepid,
        validation: &Validation,
    ) -> Result<(), Error> {
        let fields = fields([("threepid_creds", validation.threepid_creds())]);
        self.submit_stage(session, medium.stage(), fields)
    }

    /// Complete `stage` with one string field.
    fn submit_field(
        &self,
        session: &mut SignupSession,
        stage: &str,
        name: &str,
        value: &str,
    ) -> Result<(), Error> {
        self.submit_stage(session, stage, fields([(name, json!(value))]))
    }

    /// Complete `stage` of the chosen flow with its stage-specific fields.
    fn submit_stage(
        &self,
        session: &mut SignupSession,
        stage: &str,
        fields: Map<String, Value>,
    ) -> Result<(), Error> {
        session.expect_stage(stage)?;
        let auth = session.auth(Some(stage), fields);
        self.submit(session, auth, Some(stage))
    }

    /// Send `auth` to complete `attempted`, then any automatic stages.
    fn submit(
        &self,
        session: &mut SignupSession,
        auth: Value,
        attempted: Option<&str>,
    ) -> Result<(), Error> {
        self.attempt(session, Some(auth), attempted)?;
        self.complete_automatic_stages(session)
    }

    /// One `/register` attempt, remembered when its answer is lost.
    fn attempt(
        &self,
        session: &mut SignupSession,
        auth: Option<Value>,
        attempted: Option<&str>,
    ) -> Result<(), Error> {
        let answer = self.register(session.request(), auth.as_ref());
        session.record_attempt(&answer, auth, attempted);
        session.handle(answer, attempted)
    }

    /// After `OutcomeUnknown`: end with the account on the session's device
    /// whatever became of the lost attempt (`Client::recover_registration`:
    /// sent again, else a login onto that device), or go on with the stages
    /// when the server had not finished.
    pub fn signup_recover(&self, session: &mut SignupSession) -> Result<(), Error> {
        if matches!(session.status(), Status::Complete | Status::Failed) {
            session.expect_status(Status::NeedsStage, "recover")?;
        }
        let lost = session.lost_attempt().cloned().ok_or_else(|| {
            Error::InvalidState("no attempt of this session was lost: nothing to recover".into())
        })?;
        let answer = self.recover_registration(session.request(), lost.auth.as_ref());
        session.record_attempt(&answer, lost.auth, lost.stage.as_deref());
        session.handle(answer, lost.stage.as_deref())?;
        self.complete_automatic_stages(session)
    }

    fn complete_automatic_stages(&self, session: &mut SignupSession) -> Result<(), Error> {
        for _ in 0..MAX_AUTOMATIC_STAGES {
            if !session.next_is_automatic() {
                return Ok(());
            }
            let auth = session.auth(Some(DUMMY), Map::new());
            self.attempt(session, Some(auth), Some(DUMMY))?;
        }
        Err(Error::InvalidResponse(
            "the server keeps asking for m.login.dummy".into(),
        ))
    }
}

/// The validation for `address`: the same secret with the next attempt
/// number when it is the address asked before, a new secret otherwise.
fn next_validation(previous: Option<&Validation>, address: &str) -> Result<Validation, Error> {
    Ok(match previous {
        Some(previous) if previous.address == address => Validation {
            send_attempt: previous.send_attempt.saturating_add(1),
            ..previous.clone()
        },
        _ => Validation {
            address: address.to_owned(),
            client_secret: Secret::new(SystemRandomness.alphanumeric(CLIENT_SECRET_LEN)?),
            send_attempt: 1,
            sid: None,
            submit_url: None,
        },
    })
}

/// A copy of the validation of `medium`, whose stage is next, once its
/// token was asked for.
fn requested(session: &SignupSession, medium: Threepid) -> Result<Validation, Error> {
    session.expect_stage(medium.stage())?;
    session
        .validation(medium)
        .filter(|v| v.sid.is_some())
        .cloned()
        .ok_or_else(|| Error::InvalidState(format!("request the {} token first", medium.noun())))
}
