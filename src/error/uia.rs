//! User-Interactive Authentication: the 401 body that lists what the server
//! still wants before it creates the account. It lives with the error type
//! because [`super::Error::AuthRequired`] carries it; `api::uia` names it for
//! the code that reads it as a wire type.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One way to authenticate: stages to complete in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthFlow {
    pub stages: Vec<String>,
}

/// The body of a UIA 401 answer. `flows` is what makes a 401 a UIA answer;
/// `errcode`/`error` are set when the last submitted stage failed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UiaResponse {
    pub flows: Vec<AuthFlow>,
    /// Per-stage parameters (terms policies, recaptcha public key, ...).
    #[serde(default)]
    pub params: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(default)]
    pub completed: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Fields the spec does not define, kept so apps can read them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Display for UiaResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(errcode) = &self.errcode {
            write!(f, "{errcode}: {}; ", self.error.as_deref().unwrap_or(""))?;
        }
        f.write_str("the server requires interactive authentication; flows: ")?;
        for (index, flow) in self.flows.iter().enumerate() {
            if index > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "[{}]", flow.stages.join(", "))?;
        }
        if !self.completed.is_empty() {
            write!(f, "; completed: [{}]", self.completed.join(", "))?;
        }
        Ok(())
    }
}
