//! Sans-I/O types that mirror the Matrix client-server API (spec v1.19).
//! Nothing here touches the network: bodies in, typed values or errors out.

pub mod answer;
pub mod dialects;
pub mod discovery;
pub mod identifiers;
pub mod login;
pub mod precheck;
pub mod refresh;
pub mod register;
pub mod retry_after;
pub mod server_discovery;
pub mod server_values;
pub mod sso;
pub mod threepid;
pub mod uia;
