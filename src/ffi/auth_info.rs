//! `mxreg_auth_info`: what a user-interactive-auth answer asks for (flows,
//! params, session, completed stages), read through accessors.

use std::ffi::{CString, c_char};

use crate::api::uia::UiaResponse;
use crate::error::Error;
use crate::ffi::{Borrowed, Handle, c_string, opt_c_string, read_handle, read_opt_str, read_str};

/// The server's UIA answer: the flows it accepts, the stages already
/// completed, per-stage params and the session ID.
///
/// Borrowed from its parent (an error or a signup session); never freed by
/// itself. Immutable: safe to read from several threads.
pub struct mxreg_auth_info {
    _private: [u8; 0],
}

impl Handle for mxreg_auth_info {
    type Inner = AuthInfo;
    type Ownership = Borrowed;
}

/// The C view of a [`UiaResponse`], with every string ready as a C string.
#[derive(Debug)]
pub struct AuthInfo {
    session: Option<CString>,
    flows: Vec<Vec<CString>>,
    completed: Vec<CString>,
    params_json: CString,
}

impl AuthInfo {
    pub fn new(uia: &UiaResponse) -> Result<Self, Error> {
        let strings = |list: &[String]| -> Result<Vec<CString>, Error> {
            list.iter().map(|s| c_string(s, "stage type")).collect()
        };
        Ok(AuthInfo {
            session: opt_c_string(uia.session.as_deref(), "session")?,
            flows: uia
                .flows
                .iter()
                .map(|flow| strings(&flow.stages))
                .collect::<Result<_, _>>()?,
            completed: strings(&uia.completed)?,
            params_json: c_string(
                &serde_json::Value::Object(uia.params.clone()).to_string(),
                "params",
            )?,
        })
    }
}

/// The UIA session ID, or NULL when the server gave none.
/// Borrowed; valid until the parent of `info` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_auth_info_session(info: *const mxreg_auth_info) -> *const c_char {
    read_str(info, |i| &i.session)
}

/// How many flows the server offers (0 for NULL).
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_auth_info_flow_count(info: *const mxreg_auth_info) -> usize {
    read_handle(info, 0, |i| i.flows.len())
}

/// How many stages flow `flow` has (0 when out of range or NULL).
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_auth_info_flow_stage_count(
    info: *const mxreg_auth_info,
    flow: usize,
) -> usize {
    read_handle(info, 0, |i| i.flows.get(flow).map_or(0, Vec::len))
}

/// Stage `stage` of flow `flow` (e.g. `"m.login.dummy"`), or NULL when out of
/// range. Borrowed; valid until the parent of `info` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_auth_info_flow_stage(
    info: *const mxreg_auth_info,
    flow: usize,
    stage: usize,
) -> *const c_char {
    read_opt_str(info, |i| i.flows.get(flow).and_then(|f| f.get(stage)))
}

/// How many stages the server says are completed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_auth_info_completed_count(info: *const mxreg_auth_info) -> usize {
    read_handle(info, 0, |i| i.completed.len())
}

/// Completed stage `index`, or NULL when out of range. Borrowed; valid until
/// the parent of `info` is freed.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_auth_info_completed(
    info: *const mxreg_auth_info,
    index: usize,
) -> *const c_char {
    read_opt_str(info, |i| i.completed.get(index))
}

/// The `params` object as JSON text (`"{}"` when the server sent none).
/// Borrowed; valid until the parent of `info` is freed. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_auth_info_params_json(info: *const mxreg_auth_info) -> *const c_char {
    read_str(info, |i| &i.params_json)
}
