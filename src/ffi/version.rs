//! Library and ABI versions, so bindings can refuse a mismatched library.

use std::ffi::c_char;

use crate::result::mxreg_result;

/// The ABI contract version. Bumped whenever a change breaks callers built
/// against an older header (a removed function, a changed signature or
/// struct layout, a renumbered code). Adding functions does not bump it.
pub const MXREG_ABI_VERSION: u32 = 1;

static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library version, e.g. `"0.1.0"` (matches `MXREG_VERSION`).
/// Static; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_version() -> *const c_char {
    VERSION.as_ptr().cast()
}

/// The ABI contract version of the loaded library (matches
/// `MXREG_ABI_VERSION` in the header it was built from). Bindings check it
/// at load and refuse a library that differs.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_abi_version() -> u32 {
    MXREG_ABI_VERSION
}

/// A static description of a result code, or `"unknown result code"` for a
/// value that is not one. Never NULL; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_result_describe(code: u32) -> *const c_char {
    mxreg_result::from_u32(code)
        .map_or("unknown result code\0", mxreg_result::describe)
        .as_ptr()
        .cast()
}

/// The name of a result code (e.g. `"MXREG_RESULT_USER_IN_USE"`), or
/// `"MXREG_RESULT_UNKNOWN"` for a value that is not one. Never NULL; never
/// free it.
#[unsafe(no_mangle)]
pub extern "C" fn mxreg_result_name(code: u32) -> *const c_char {
    mxreg_result::from_u32(code)
        .map_or("MXREG_RESULT_UNKNOWN\0", mxreg_result::name)
        .as_ptr()
        .cast()
}
