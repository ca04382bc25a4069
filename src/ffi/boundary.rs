//! The panic boundary: every extern body runs inside one of these
//! functions, so that no panic unwinds into C.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::Error;
use crate::ffi::error::{ErrorDetails, mxreg_error};
use crate::ffi::handle::into_box_ptr;
use crate::result::mxreg_result;

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
