//! Interactive registration: a session that picks a flow the app can
//! complete and walks its stages one call at a time.

pub mod driver;
pub mod session;
pub mod stages;
pub mod terms;

pub use session::{SignupSession, Status};
pub use stages::StageSet;
