//! The check on a sign-up step the server refuses, shared by the sign-up
//! tests against Synapse, the dialects and the scripted stand-in.

use mxreg::signup::{SignupSession, Status};
use mxreg::{Error, mxreg_result};

/// A sign-up step's `result` must be the error `code`, leaving `session` in
/// `status`; gives the error back for further checks.
#[track_caller]
pub fn refused_step(
    result: Result<(), Error>,
    session: &SignupSession,
    code: mxreg_result,
    status: Status,
) -> Error {
    let err = result.expect_err("the step must be refused");
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(session.status(), status);
    err
}
