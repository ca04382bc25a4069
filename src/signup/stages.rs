//! Stage types and the set of stages an app says it can complete.

use serde::{Deserialize, Serialize};

pub const DUMMY: &str = "m.login.dummy";
pub const REGISTRATION_TOKEN: &str = "m.login.registration_token";
pub const TERMS: &str = "m.login.terms";
pub const EMAIL: &str = "m.login.email.identity";
pub const MSISDN: &str = "m.login.msisdn";
pub const RECAPTCHA: &str = "m.login.recaptcha";

/// The two stages that validate an address the server sends a token to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threepid {
    Email,
    Msisdn,
}

impl Threepid {
    pub fn stage(self) -> &'static str {
        match self {
            Threepid::Email => EMAIL,
            Threepid::Msisdn => MSISDN,
        }
    }

    /// What the app asks the server to send the token to, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Threepid::Email => "email",
            Threepid::Msisdn => "phone",
        }
    }
}

/// Stages an app supports, as bit flags (the C `MXREG_STAGE_*` values).
/// `FALLBACK` means the app can show the server's fallback web page, which
/// makes any stage completable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StageSet(pub u32);

impl StageSet {
    pub const DUMMY: u32 = 1;
    pub const REGISTRATION_TOKEN: u32 = 1 << 1;
    pub const TERMS: u32 = 1 << 2;
    pub const EMAIL: u32 = 1 << 3;
    pub const MSISDN: u32 = 1 << 4;
    pub const RECAPTCHA: u32 = 1 << 5;
    pub const FALLBACK: u32 = 1 << 6;
    pub const ALL: u32 = (1 << 7) - 1;

    /// The flag of a stage type with native support, if it has one.
    pub fn flag(stage: &str) -> Option<u32> {
        Some(match stage {
            DUMMY => Self::DUMMY,
            REGISTRATION_TOKEN => Self::REGISTRATION_TOKEN,
            TERMS => Self::TERMS,
            EMAIL => Self::EMAIL,
            MSISDN => Self::MSISDN,
            RECAPTCHA => Self::RECAPTCHA,
            _ => return None,
        })
    }

    /// Whether the app can complete `stage` without the fallback page.
    /// `m.login.dummy` needs nothing from the app, so it always can.
    pub fn natively(self, stage: &str) -> bool {
        stage == DUMMY || Self::flag(stage).is_some_and(|flag| self.0 & flag != 0)
    }

    /// Whether the app can complete `stage` at all.
    pub fn supports(self, stage: &str) -> bool {
        self.natively(stage) || self.0 & Self::FALLBACK != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dummy_is_always_supported_and_fallback_covers_everything() {
        let none = StageSet(0);
        assert!(none.supports(DUMMY));
        assert!(!none.supports(TERMS));
        let fallback = StageSet(StageSet::FALLBACK);
        assert!(fallback.supports("org.example.custom"));
        assert!(!fallback.natively("org.example.custom"));
    }
}
