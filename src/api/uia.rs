//! User-Interactive Authentication: the 401 body that lists what the server
//! still wants before it creates the account. The type is defined next to
//! the error that carries it (`error::uia`); this is where the API reads it.

pub use crate::error::uia::{AuthFlow, UiaResponse};
