//! The registration session as a state machine without I/O: it says what to
//! send next (`auth` dicts) and digests what the server answered. The
//! driver (`signup::driver`) does the HTTP; the C handle wraps both.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::api::dialects;
use crate::api::register::RegisterRequest;
use crate::api::threepid::Validation;
use crate::api::uia::UiaResponse;
use crate::error::Error;
use crate::random::Randomness;
use crate::registration::Registration;
use crate::signup::stages::{self, StageSet, Threepid};
use crate::signup::terms::{Policy, policies};

/// Version of the saved form; restore refuses others.
pub const SAVED_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing sent yet: call `start`.
    NotStarted,
    /// The server wants `next_stage()` completed.
    NeedsStage,
    /// The account exists.
    Complete,
    /// The server refused the registration for good (username taken,
    /// session expired, ...): start a new session.
    Failed,
}

/// A registration in progress. Serialisable (see [`SignupSession::save`]):
/// the saved form holds the password and the email/phone client secrets.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignupSession {
    version: u32,
    homeserver: String,
    request: RegisterRequest,
    supported: StageSet,
    status: Status,
    uia: Option<UiaResponse>,
    flow: Option<Vec<String>>,
    email: Option<Validation>,
    msisdn: Option<Validation>,
    /// The attempt whose answer was lost (`OutcomeUnknown`), for `recover`.
    #[serde(default)]
    lost_attempt: Option<LostAttempt>,
    #[serde(skip)]
    registration: Option<Registration>,
}

/// An attempt sent without an answer: its `auth` dict and the stage it was
/// to complete.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LostAttempt {
    pub auth: Option<Value>,
    pub stage: Option<String>,
}

impl SignupSession {
    /// A session for `request`. Unless the request names a device (or
    /// inhibits login), the session draws one from `random` now: every
    /// attempt, a re-sent one included, then names the same device, so a
    /// lost answer never leaves a second device behind.
    /// ([`SignupSession::new`] passes the system's generator.)
    pub fn with_randomness(
        homeserver: &str,
        mut request: RegisterRequest,
        supported: StageSet,
        random: &dyn Randomness,
    ) -> Self {
        if request.device_id.is_none() && !request.inhibit_login {
            // Should the generator fail, the first attempt reports it.
            request.device_id = random.device_id().ok();
        }
        SignupSession {
            version: SAVED_FORMAT_VERSION,
            homeserver: homeserver.to_owned(),
            request,
            supported,
            status: Status::NotStarted,
            uia: None,
            flow: None,
            email: None,
            msisdn: None,
            lost_attempt: None,
            registration: None,
        }
    }

    /// The saved form (JSON). It contains secrets: the password and the
    /// validation client secrets. Only an unfinished session can be saved.
    pub fn save(&self) -> Result<String, Error> {
        if matches!(self.status, Status::Complete | Status::Failed) {
            return Err(Error::InvalidState(
                "the session is finished; there is nothing to resume".into(),
            ));
        }
        serde_json::to_string(self).map_err(|err| Error::InvalidState(err.to_string()))
    }

    /// Restore a saved session for the client of `homeserver`.
    pub fn restore(saved: &str, homeserver: &str) -> Result<Self, Error> {
        let session: SignupSession = serde_json::from_str(saved).map_err(|err| {
            Error::invalid_argument("saved", format!("not a saved signup session: {err}"))
        })?;
        if session.version != SAVED_FORMAT_VERSION {
            return Err(Error::invalid_argument(
                "saved",
                format!("saved format version {} is not supported", session.version),
            ));
        }
        if session.homeserver != homeserver {
            return Err(Error::invalid_argument(
                "saved",
                format!(
                    "the session belongs to {}, not {homeserver}",
                    session.homeserver
                ),
            ));
        }
        Ok(session)
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn request(&self) -> &RegisterRequest {
        &self.request
    }

    pub fn uia(&self) -> Option<&UiaResponse> {
        self.uia.as_ref()
    }

    pub fn registration(&self) -> Option<&Registration> {
        self.registration.as_ref()
    }

    pub fn session_id(&self) -> Option<&str> {
        self.uia.as_ref().and_then(|uia| uia.session.as_deref())
    }

    pub fn email(&self) -> Option<&Validation> {
        self.email.as_ref()
    }

    pub fn msisdn(&self) -> Option<&Validation> {
        self.msisdn.as_ref()
    }

    /// The chosen flow's stages.
    pub fn flow(&self) -> Option<&[String]> {
        self.flow.as_deref()
    }

    /// The first stage of the chosen flow the server has not completed.
    pub fn next_stage(&self) -> Option<&str> {
        if self.status != Status::NeedsStage {
            return None;
        }
        let completed = self.uia.as_ref().map_or(&[][..], |uia| &uia.completed[..]);
        self.flow
            .as_ref()?
            .iter()
            .find(|stage| !completed.contains(stage))
            .map(String::as_str)
    }

    /// The policies of the `m.login.terms` stage (empty when none; a flow
    /// with terms whose params are off the spec never gets this far).
    pub fn policies(&self) -> Vec<Policy> {
        self.uia
            .as_ref()
            .and_then(|uia| policies(&uia.params).ok())
            .unwrap_or_default()
    }

    /// The fallback page for `stage` (default: the next stage):
    /// `{homeserver}/_matrix/client/v3/auth/{type}/fallback/web?session=…`.
    pub fn fallback_url(&self, stage: Option<&str>) -> Result<String, Error> {
        let stage = stage.or(self.next_stage()).ok_or_else(|| {
            Error::InvalidState("no stage is pending; there is no fallback page".into())
        })?;
        let session = self.session_id().ok_or_else(|| {
            Error::InvalidState("the server gave no session ID for a fallback page".into())
        })?;
        use crate::homeserver_url::encode_query_value as enc;
        Ok(format!(
            "{}/_matrix/client/v3/auth/{}/fallback/web?session={}",
            self.homeserver,
            enc(stage),
            enc(session)
        ))
    }

    /// Check that a call may act now: the session must wait for a stage (or,
    /// for `start`, not have begun).
    pub fn expect_status(&self, wanted: Status, action: &str) -> Result<(), Error> {
        if self.status == wanted {
            return Ok(());
        }
        let now = match self.status {
            Status::NotStarted => "has not been started (call start first)",
            Status::NeedsStage => "has already been started",
            Status::Complete => "is complete",
            Status::Failed => "has failed; start a new one",
        };
        Err(Error::InvalidState(format!(
            "cannot {action}: the session {now}"
        )))
    }

    /// Check that `stage` is an uncompleted stage of the chosen flow.
    pub fn expect_stage(&self, stage: &str) -> Result<(), Error> {
        self.expect_status(Status::NeedsStage, &format!("complete {stage}"))?;
        let flow = self.flow.as_deref().unwrap_or_default();
        let completed = self.uia.as_ref().map_or(&[][..], |uia| &uia.completed[..]);
        if !flow.iter().any(|s| s == stage) {
            return Err(Error::InvalidState(format!(
                "{stage} is not part of the chosen flow [{}]",
                flow.join(", ")
            )));
        }
        if completed.iter().any(|s| s == stage) {
            return Err(Error::InvalidState(format!("{stage} is already completed")));
        }
        Ok(())
    }

    /// The `auth` dict for `stage` with its stage-specific fields.
    pub fn auth(&self, stage: Option<&str>, fields: Map<String, Value>) -> Value {
        let mut auth = fields;
        if let Some(stage) = stage {
            auth.insert("type".into(), json!(stage));
        }
        if let Some(session) = self.session_id() {
            auth.insert("session".into(), json!(session));
        }
        Value::Object(auth)
    }

    /// The attempt whose answer was lost, if the last one was.
    pub fn lost_attempt(&self) -> Option<&LostAttempt> {
        self.lost_attempt.as_ref()
    }

    /// Remember the attempt when its outcome is unknown; forget it when
    /// the server answered.
    pub fn record_attempt(
        &mut self,
        answer: &Result<Registration, Error>,
        auth: Option<Value>,
        attempted: Option<&str>,
    ) {
        self.lost_attempt = match answer {
            Err(err) if err.code() == crate::result::mxreg_result::OutcomeUnknown => {
                Some(LostAttempt {
                    auth,
                    stage: attempted.map(str::to_owned),
                })
            }
            // Nothing reached the server, or it only asked to wait: the
            // lost attempt is still the one to recover.
            Err(err)
                if err.http_status().is_none()
                    || err.code() == crate::result::mxreg_result::RateLimited =>
            {
                self.lost_attempt.take()
            }
            _ => None,
        };
    }

    pub fn set_email(&mut self, validation: Validation) {
        self.email = Some(validation);
    }

    pub fn set_msisdn(&mut self, validation: Validation) {
        self.msisdn = Some(validation);
    }

    /// The validation of `medium`, once its token was asked for.
    pub fn validation(&self, medium: Threepid) -> Option<&Validation> {
        match medium {
            Threepid::Email => self.email(),
            Threepid::Msisdn => self.msisdn(),
        }
    }

    pub fn set_validation(&mut self, medium: Threepid, validation: Validation) {
        match medium {
            Threepid::Email => self.set_email(validation),
            Threepid::Msisdn => self.set_msisdn(validation),
        }
    }

    /// Digest the answer to a `/register` attempt made to complete
    /// `attempted` (`None` for the first request). Returns the error the
    /// caller should see, if any; the session's status says whether it can
    /// go on. Servers' dialects are mapped first (`api::dialects`).
    pub fn handle(
        &mut self,
        answer: Result<Registration, Error>,
        attempted: Option<&str>,
    ) -> Result<(), Error> {
        let answer = match answer {
            Err(err) if self.session_id().is_some() => Err(dialects::uia_failure(err, attempted)),
            other => other,
        };
        match answer {
            Ok(registration) => {
                self.registration = Some(registration);
                self.status = Status::Complete;
                Ok(())
            }
            Err(Error::AuthRequired(uia)) => self.handle_uia(*uia, attempted),
            Err(err @ Error::SessionExpired(_)) => {
                self.status = Status::Failed;
                Err(err)
            }
            Err(Error::Server(server))
                if (400..500).contains(&server.status) && server.status != 429 =>
            {
                self.status = Status::Failed;
                Err(Error::Server(server))
            }
            // Transport errors, rate limits and rejected stages leave the
            // session as it was: the same call can be tried again.
            Err(other) => Err(other),
        }
    }

    fn handle_uia(&mut self, uia: UiaResponse, attempted: Option<&str>) -> Result<(), Error> {
        let rejected = match (&uia.errcode, attempted) {
            (Some(errcode), _) => Some(Error::StageRejected {
                message: format!("{errcode}: {}", uia.error.as_deref().unwrap_or_default()),
                errcode: Some(errcode.clone()),
            }),
            // No error, yet the stage is not completed: Tuwunel's answer to
            // a stage type it does not handle, Continuwuity's to a fallback
            // acknowledgement, anyone's to an unfinished fallback page.
            (None, Some(stage)) if !uia.completed.iter().any(|done| done == stage) => {
                Some(Error::StageRejected {
                    errcode: None,
                    message: format!(
                        "the server did not complete {stage} (after a fallback page: finish the page first)"
                    ),
                })
            }
            (None, _) => None,
        };
        let flow_still_offered = self
            .flow
            .as_ref()
            .is_some_and(|flow| uia.flows.iter().any(|f| &f.stages == flow));
        self.uia = Some(uia);
        if !flow_still_offered {
            self.flow = Some(self.choose_flow()?);
        }
        self.status = Status::NeedsStage;
        if let Err(fault) = self.check_terms_params() {
            self.status = Status::Failed;
            return Err(Error::InvalidResponse(format!(
                "m.login.terms params: {fault}"
            )));
        }
        if self.next_stage().is_none() {
            // Every stage of the flow is completed, yet the server still asks.
            self.status = Status::Failed;
            return Err(Error::InvalidResponse(
                "the server asks for authentication although every stage of the flow is completed"
                    .into(),
            ));
        }
        match rejected {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// When `m.login.terms` is still to come in the chosen flow, its params
    /// must follow the spec: the user is asked to accept exactly them.
    fn check_terms_params(&self) -> Result<(), String> {
        let Some(uia) = &self.uia else { return Ok(()) };
        let pending_terms = self.flow.as_ref().is_some_and(|flow| {
            flow.iter().any(|s| s == stages::TERMS)
                && !uia.completed.iter().any(|s| s == stages::TERMS)
        });
        if pending_terms {
            policies(&uia.params)?;
        }
        Ok(())
    }

    /// Among the offered flows whose pending stages the app supports, the one
    /// needing the fewest fallback pages, then the fewest stages; ties go to
    /// the server's order.
    fn choose_flow(&mut self) -> Result<Vec<String>, Error> {
        let uia = self.uia.as_ref().expect("called with a UIA answer");
        let pending = |flow: &[String]| -> Vec<String> {
            flow.iter()
                .filter(|stage| !uia.completed.contains(stage))
                .cloned()
                .collect()
        };
        let best = uia
            .flows
            .iter()
            .filter(|flow| {
                pending(&flow.stages)
                    .iter()
                    .all(|s| self.supported.supports(s))
            })
            .min_by_key(|flow| {
                let stages = pending(&flow.stages);
                let fallbacks = stages
                    .iter()
                    .filter(|s| !self.supported.natively(s))
                    .count();
                (fallbacks, stages.len())
            });
        if let Some(flow) = best {
            return Ok(flow.stages.clone());
        }
        let mut needed: Vec<String> = uia
            .flows
            .iter()
            .flat_map(|flow| pending(&flow.stages))
            .filter(|stage| !self.supported.supports(stage))
            .collect();
        needed.sort();
        needed.dedup();
        self.status = Status::Failed;
        Err(Error::UnsupportedFlow { needed })
    }

    /// Whether the next stage is one mxreg completes by itself.
    pub fn next_is_automatic(&self) -> bool {
        self.next_stage() == Some(stages::DUMMY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::answer::Answer;
    use crate::random::CountingRandomness;
    use crate::result::mxreg_result;

    fn uia(body: &str) -> Error {
        Answer::new(401, body.as_bytes()).failure()
    }

    fn new_session(request: RegisterRequest, supported: u32) -> SignupSession {
        let random = CountingRandomness::new();
        SignupSession::with_randomness("http://hs", request, StageSet(supported), &random)
    }

    fn started(supported: u32, body: &str) -> (SignupSession, Result<(), Error>) {
        let mut session = new_session(RegisterRequest::default(), supported);
        let result = session.handle(Err(uia(body)), None);
        (session, result)
    }

    #[test]
    fn the_device_is_drawn_from_the_randomness_given_unless_named() {
        let drawn = new_session(RegisterRequest::default(), StageSet::TERMS);
        assert_eq!(drawn.request.device_id.as_deref(), Some("ABCDEFGHIJ"));
        let named = RegisterRequest {
            device_id: Some("MINE".into()),
            ..RegisterRequest::default()
        };
        let named = new_session(named, StageSet::TERMS);
        assert_eq!(named.request.device_id.as_deref(), Some("MINE"));
        let no_login = RegisterRequest {
            inhibit_login: true,
            ..RegisterRequest::default()
        };
        let no_login = new_session(no_login, StageSet::TERMS);
        assert_eq!(no_login.request.device_id, None);
    }

    const TOKEN_FLOWS: &str = r#"{"session":"S","flows":[{"stages":["m.login.registration_token","m.login.dummy"]}],"params":{}}"#;

    #[test]
    fn picks_a_supported_flow_and_reports_the_next_stage() {
        let (session, result) = started(StageSet::REGISTRATION_TOKEN, TOKEN_FLOWS);
        result.unwrap();
        assert_eq!(session.status(), Status::NeedsStage);
        assert_eq!(session.next_stage(), Some(stages::REGISTRATION_TOKEN));
        assert_eq!(session.session_id(), Some("S"));
    }

    #[test]
    fn unsupported_stages_are_named() {
        let (session, result) = started(StageSet::TERMS, TOKEN_FLOWS);
        let err = result.unwrap_err();
        assert_eq!(err.code(), mxreg_result::UnsupportedFlow);
        assert!(
            err.to_string().contains("m.login.registration_token"),
            "{err}"
        );
        assert_eq!(session.status(), Status::Failed);
    }

    #[test]
    fn prefers_native_stages_over_fallback_and_shorter_flows() {
        let body = r#"{"session":"S","flows":[
            {"stages":["m.login.recaptcha","m.login.dummy"]},
            {"stages":["m.login.terms","m.login.email.identity"]},
            {"stages":["m.login.terms"]}]}"#;
        let (session, _) = started(StageSet::TERMS | StageSet::EMAIL | StageSet::FALLBACK, body);
        assert_eq!(session.flow().unwrap(), ["m.login.terms"]);
        let (session, _) = started(StageSet::FALLBACK, body);
        assert_eq!(session.flow().unwrap(), ["m.login.terms"]);
    }

    #[test]
    fn a_rejected_stage_keeps_the_session_usable() {
        let (mut session, _) = started(StageSet::REGISTRATION_TOKEN, TOKEN_FLOWS);
        let rejected = r#"{"session":"S","flows":[{"stages":["m.login.registration_token","m.login.dummy"]}],"params":{},"completed":[],"errcode":"M_UNAUTHORIZED","error":"Invalid registration token"}"#;
        let err = session
            .handle(Err(uia(rejected)), Some(stages::REGISTRATION_TOKEN))
            .unwrap_err();
        assert_eq!(err.code(), mxreg_result::StageRejected);
        assert_eq!(session.status(), Status::NeedsStage);
        assert_eq!(session.next_stage(), Some(stages::REGISTRATION_TOKEN));
    }

    #[test]
    fn completed_stages_advance_to_dummy() {
        let (mut session, _) = started(StageSet::REGISTRATION_TOKEN, TOKEN_FLOWS);
        let after = r#"{"session":"S","flows":[{"stages":["m.login.registration_token","m.login.dummy"]}],"params":{},"completed":["m.login.registration_token"]}"#;
        session
            .handle(Err(uia(after)), Some(stages::REGISTRATION_TOKEN))
            .unwrap();
        assert!(session.next_is_automatic());
    }

    #[test]
    fn final_server_errors_end_the_session_but_transport_errors_do_not() {
        let (mut session, _) = started(StageSet::ALL, TOKEN_FLOWS);
        let err = session
            .handle(Err(Error::Timeout("x".into())), Some("x"))
            .unwrap_err();
        assert_eq!(err.code(), mxreg_result::Timeout);
        assert_eq!(session.status(), Status::NeedsStage);
        let taken = Answer::new(400, br#"{"errcode":"M_USER_IN_USE","error":"taken"}"#).failure();
        assert_eq!(
            session.handle(Err(taken), Some("x")).unwrap_err().code(),
            mxreg_result::UserInUse
        );
        assert_eq!(session.status(), Status::Failed);
    }

    #[test]
    fn a_stage_the_server_did_not_complete_is_rejected_without_an_errcode() {
        let (mut session, _) = started(StageSet::REGISTRATION_TOKEN, TOKEN_FLOWS);
        let err = session
            .handle(Err(uia(TOKEN_FLOWS)), Some(stages::REGISTRATION_TOKEN))
            .unwrap_err();
        assert_eq!(err.code(), mxreg_result::StageRejected);
        assert_eq!(session.status(), Status::NeedsStage);
    }

    #[test]
    fn an_unknown_session_is_reported_as_expired() {
        let (mut session, _) = started(StageSet::ALL, TOKEN_FLOWS);
        let gone = Answer::new(
            400,
            br#"{"errcode":"M_UNKNOWN","error":"Unknown session ID: S"}"#,
        )
        .failure();
        let err = session.handle(Err(gone), Some("x")).unwrap_err();
        assert_eq!(err.code(), mxreg_result::SessionExpired);
        assert_eq!(session.status(), Status::Failed);
    }

    #[test]
    fn invalid_terms_params_stop_the_flow() {
        let body = r#"{"session":"S","flows":[{"stages":["m.login.terms"]}],
            "params":{"m.login.terms":{"policies":{"privacy":{"en":{"name":"P","url":"u"}}}}}}"#;
        let (session, result) = started(StageSet::TERMS, body);
        let err = result.unwrap_err();
        assert_eq!(err.code(), mxreg_result::InvalidResponse);
        assert!(err.to_string().contains("`version`"), "{err}");
        assert_eq!(session.status(), Status::Failed);
        // Valid params go on.
        let good = body.replace(r#"{"en""#, r#"{"version":"1","en""#);
        let (session, result) = started(StageSet::TERMS, &good);
        result.unwrap();
        assert_eq!(session.policies()[0].version, "1");
    }

    #[test]
    fn auth_dicts_carry_type_and_session() {
        let (session, _) = started(StageSet::ALL, TOKEN_FLOWS);
        let mut fields = Map::new();
        fields.insert("token".into(), json!("T"));
        let auth = session.auth(Some(stages::REGISTRATION_TOKEN), fields);
        assert_eq!(
            auth,
            json!({"type": "m.login.registration_token", "token": "T", "session": "S"})
        );
        assert_eq!(session.auth(None, Map::new()), json!({"session": "S"}));
    }

    #[test]
    fn save_and_restore_round_trip_and_check_the_homeserver() {
        let (session, _) = started(StageSet::ALL, TOKEN_FLOWS);
        let saved = session.save().unwrap();
        let restored = SignupSession::restore(&saved, "http://hs").unwrap();
        assert_eq!(restored.next_stage(), Some(stages::REGISTRATION_TOKEN));
        assert!(SignupSession::restore(&saved, "http://other").is_err());
        assert!(SignupSession::restore("{}", "http://hs").is_err());
    }

    #[test]
    fn fallback_url_is_built_from_the_session() {
        let (session, _) = started(StageSet::ALL, TOKEN_FLOWS);
        assert_eq!(
            session.fallback_url(None).unwrap(),
            "http://hs/_matrix/client/v3/auth/m.login.registration_token/fallback/web?session=S"
        );
    }
}
