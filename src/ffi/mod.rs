//! The C ABI. Every extern function body runs inside the panic boundary
//! (`boundary`), every handle goes through `handle` and every argument
//! through the checked readers in `args`. The extern functions themselves
//! live next to the type they act on.

#![allow(non_camel_case_types)]
// Extern functions take raw pointers from C by design; their pointer
// contracts are written in each doc comment and checked by the helpers here.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

mod args;
mod boundary;
mod convert;
mod handle;

pub mod auth_info;
pub mod client;
pub mod error;
pub mod login;
pub mod oauth;
pub mod precheck;
pub mod probe;
pub mod register;
pub mod registration;
pub mod signup;
pub mod sso;
pub mod string;
pub mod tokens;
pub mod version;

pub(crate) use args::{
    RequestStruct, document_arg, enum_arg, init_request, opt_json_arg, opt_request_arg,
    opt_str_arg, opt_string_arg, out_arg, request_arg, str_arg, string_arg,
};
pub(crate) use boundary::{ffi_call, ffi_value};
pub(crate) use convert::{c_string, millis, opt_c_string, opt_secret_c_string, secret_c_string};
pub(crate) use handle::{
    Borrowed, Boxed, CStrField, Handle, Shared, arc_clone, borrowed_ptr, free_arc, free_box,
    handle_arg, into_arc_ptr, into_box_ptr, read_handle, read_opt_str, read_str,
};
