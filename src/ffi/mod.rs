//! The C ABI. Every extern function body runs inside `ffi_call` or
//! `ffi_value`, which catch panics; every pointer goes through the checked
//! helpers below. The functions themselves live next to the type they act on.

#![allow(non_camel_case_types)]
// Extern functions take raw pointers from C by design; their pointer
// contracts are written in each doc comment and checked by the helpers here.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::error::Error;
use crate::result::mxreg_result;

pub mod auth_info;
pub mod client;
pub mod error;
pub mod login;
pub mod oauth;
pub mod oauth_device;
pub mod precheck;
pub mod probe;
pub mod register;
pub mod registration;
pub mod signup;
pub mod sso;
pub mod tokens;
pub mod version;

use error::{ErrorDetails, mxreg_error};

/// Longest string argument accepted (bytes), JSON documents excepted.
pub(crate) const MAX_STRING_ARG_BYTES: usize = 64 * 1024;
/// Longest JSON document argument accepted (bytes).
pub(crate) const MAX_JSON_ARG_BYTES: usize = 1024 * 1024;

/// Runs a fallible extern body: a panic becomes `MXREG_RESULT_PANIC`, an error
/// is written to `error_out` (when not NULL) and its code returned.
pub(crate) fn ffi_call(
    error_out: *mut *mut mxreg_error,
    body: impl FnOnce() -> Result<(), Error>,
) -> mxreg_result {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or(Err(Error::Panic));
    match outcome {
        Ok(()) => mxreg_result::Ok,
        Err(err) => {
            let code = err.code();
            if !error_out.is_null() {
                let details = catch_unwind(AssertUnwindSafe(|| ErrorDetails::from_error(&err)))
                    .unwrap_or_else(|_| ErrorDetails::from_error(&Error::Panic));
                // SAFETY: checked non-NULL; the caller promises it is writable.
                unsafe { *error_out = into_box_ptr::<mxreg_error>(details) };
            }
            code
        }
    }
}

/// Runs an infallible extern body (accessors, frees): a panic gives `fallback`.
pub(crate) fn ffi_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The body of an accessor: reads through a boxed handle; NULL or a panic
/// give `fallback`. Extern functions using it document that `ptr` must be
/// NULL or a live handle, which is what makes the dereference sound.
pub(crate) fn read_handle<H: Handle, T>(
    ptr: *const H,
    fallback: T,
    read: impl FnOnce(&H::Inner) -> T,
) -> T {
    // SAFETY: the caller's C contract: NULL or a live handle of type `H`.
    match unsafe { ptr.cast::<H::Inner>().as_ref() } {
        None => fallback,
        Some(inner) => catch_unwind(AssertUnwindSafe(|| read(inner))).unwrap_or(fallback),
    }
}

/// Ties an opaque C type to the Rust value behind its pointers.
pub(crate) trait Handle {
    type Inner;
}

/// An owned handle (`Box`): the caller frees it with its `_free` function.
pub(crate) fn into_box_ptr<H: Handle>(value: H::Inner) -> *mut H {
    Box::into_raw(Box::new(value)).cast()
}

/// Free a boxed handle; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or came from [`into_box_ptr`] for `H` and was not freed.
pub(crate) unsafe fn free_box<H: Handle>(ptr: *mut H) {
    if !ptr.is_null() {
        // SAFETY: per this function's contract.
        drop(unsafe { Box::from_raw(ptr.cast::<H::Inner>()) });
    }
}

/// A shared handle (`Arc`): each pointer handed out is one reference.
pub(crate) fn into_arc_ptr<H: Handle>(value: Arc<H::Inner>) -> *const H {
    Arc::into_raw(value).cast()
}

/// Take one more reference to a shared handle.
///
/// # Safety
/// As [`arc_ref`].
pub(crate) unsafe fn arc_clone<H: Handle>(ptr: *const H) -> Option<Arc<H::Inner>> {
    if ptr.is_null() {
        return None;
    }
    let ptr = ptr.cast::<H::Inner>();
    // SAFETY: per this function's contract, `ptr` holds a live reference.
    unsafe {
        Arc::increment_strong_count(ptr);
        Some(Arc::from_raw(ptr))
    }
}

/// Drop one reference to a shared handle; NULL is a no-op.
///
/// # Safety
/// As [`arc_ref`]; each pointer is freed once.
pub(crate) unsafe fn free_arc<H: Handle>(ptr: *const H) {
    if !ptr.is_null() {
        // SAFETY: per this function's contract.
        drop(unsafe { Arc::from_raw(ptr.cast::<H::Inner>()) });
    }
}

/// A required string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str, Error> {
    // SAFETY: forwarded.
    unsafe { opt_str_arg(ptr, name) }?.ok_or(Error::NullArgument(name))
}

/// An optional string argument (NULL means absent).
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn opt_str_arg<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<&'a str>, Error> {
    // SAFETY: forwarded.
    unsafe { bounded_str(ptr, name, MAX_STRING_ARG_BYTES) }
}

/// A required JSON document argument, as text (up to 1 MiB).
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn document_arg<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<&'a str, Error> {
    // SAFETY: forwarded.
    unsafe { bounded_str(ptr, name, MAX_JSON_ARG_BYTES) }?.ok_or(Error::NullArgument(name))
}

/// An optional JSON document argument, parsed.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn opt_json_arg(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<serde_json::Value>, Error> {
    // SAFETY: forwarded.
    let Some(text) = (unsafe { bounded_str(ptr, name, MAX_JSON_ARG_BYTES) })? else {
        return Ok(None);
    };
    serde_json::from_str(text)
        .map(Some)
        .map_err(|err| Error::invalid_argument(name, format!("not valid JSON: {err}")))
}

/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
unsafe fn bounded_str<'a>(
    ptr: *const c_char,
    name: &'static str,
    max_bytes: usize,
) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    if bytes.len() > max_bytes {
        return Err(Error::invalid_argument(
            name,
            format!("longer than {max_bytes} bytes"),
        ));
    }
    std::str::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Error::InvalidUtf8(name))
}

/// Check an output parameter before doing any work, so that a NULL out
/// pointer fails fast instead of after a network round trip.
///
/// # Safety
/// `ptr` is NULL or valid for writes.
pub(crate) unsafe fn out_arg<'a, T>(ptr: *mut T, name: &'static str) -> Result<&'a mut T, Error> {
    // SAFETY: per the contract; the value is only written, never read.
    unsafe { ptr.as_mut() }.ok_or(Error::NullArgument(name))
}

/// Copy a caller's request struct after checking its leading `struct_size`.
///
/// # Safety
/// `ptr` is NULL or points to at least a `usize`, followed (when that
/// `usize` equals `size_of::<T>()`) by a whole `T`. `T` is `#[repr(C)]` and
/// starts with `struct_size: usize`.
pub(crate) unsafe fn read_request_struct<T: Copy>(
    ptr: *const T,
    name: &'static str,
) -> Result<T, Error> {
    if ptr.is_null() {
        return Err(Error::NullArgument(name));
    }
    // SAFETY: the first field of every request struct is `struct_size`.
    let got = unsafe { ptr.cast::<usize>().read_unaligned() };
    let expected = size_of::<T>();
    if got != expected {
        return Err(Error::StructSize {
            name,
            got,
            expected,
        });
    }
    // SAFETY: the caller's struct is as large as ours.
    Ok(unsafe { ptr.read_unaligned() })
}

/// A C string from text that came from a server or from us. Interior NULs
/// (which C cannot represent) make the answer invalid.
pub(crate) fn c_string(text: &str, what: &str) -> Result<CString, Error> {
    CString::new(text).map_err(|_| Error::InvalidResponse(format!("{what} contains a NUL byte")))
}

/// A duration in ms for C: -1 for none, saturating at `i64::MAX`.
pub(crate) fn millis(value: Option<u64>) -> i64 {
    value.map_or(-1, |ms| i64::try_from(ms).unwrap_or(i64::MAX))
}

/// The pointer of an optional C string owned by a handle.
pub(crate) fn opt_ptr(value: &Option<CString>) -> *const c_char {
    value.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}
