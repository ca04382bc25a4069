//! Checked reading of the arguments C passes: strings (NULL, UTF-8, length),
//! JSON documents, output parameters, enum values and request structs.

use std::ffi::{CStr, c_char};

use crate::error::Error;
use crate::ffi::boundary::ffi_value;

/// Longest string argument accepted (bytes), JSON documents excepted.
pub(crate) const MAX_STRING_ARG_BYTES: usize = 64 * 1024;
/// Longest JSON document argument accepted (bytes).
pub(crate) const MAX_JSON_ARG_BYTES: usize = 1024 * 1024;

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

/// An optional string field of a request struct, copied out of it.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn opt_string_arg(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<String>, Error> {
    // SAFETY: forwarded.
    Ok(unsafe { opt_str_arg(ptr, name) }?.map(str::to_owned))
}

/// A required string field of a request struct, copied out of it.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn string_arg(ptr: *const c_char, name: &'static str) -> Result<String, Error> {
    // SAFETY: forwarded.
    unsafe { str_arg(ptr, name) }.map(str::to_owned)
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

/// A C enum passed as `u32` (so that an unknown value is an error, not
/// undefined behaviour): the Rust value paired with it in `values`.
pub(crate) fn enum_arg<T: Copy>(
    value: u32,
    name: &'static str,
    c_type: &str,
    values: &[(u32, T)],
) -> Result<T, Error> {
    values
        .iter()
        .find(|(c_value, _)| *c_value == value)
        .map(|(_, rust)| *rust)
        .ok_or_else(|| Error::invalid_argument(name, format!("{value} is not an {c_type}")))
}

/// A `#[repr(C)]` request struct: it starts with `struct_size: usize`, its
/// `Default` is what its `_init` function writes, and it converts into the
/// Rust request during the call.
pub(crate) trait RequestStruct: Copy + Default {
    type Output;

    /// # Safety
    /// Every pointer field is NULL or valid as the struct's doc says.
    unsafe fn convert(self) -> Result<Self::Output, Error>;
}

/// Copy a caller's request struct after checking its leading `struct_size`.
///
/// # Safety
/// `ptr` is NULL or points to at least a `usize`, followed (when that
/// `usize` equals `size_of::<T>()`) by a whole `T`.
unsafe fn read_request_struct<T: RequestStruct>(
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

/// A required request struct argument, read and converted.
///
/// # Safety
/// As [`read_request_struct`], and the struct's pointer fields as its doc says.
pub(crate) unsafe fn request_arg<T: RequestStruct>(
    ptr: *const T,
    name: &'static str,
) -> Result<T::Output, Error> {
    // SAFETY: forwarded.
    unsafe { read_request_struct(ptr, name)?.convert() }
}

/// A request struct argument where NULL means the defaults.
///
/// # Safety
/// As [`request_arg`].
pub(crate) unsafe fn opt_request_arg<T: RequestStruct>(
    ptr: *const T,
    name: &'static str,
) -> Result<T::Output, Error> {
    if ptr.is_null() {
        // SAFETY: the defaults hold no pointer but NULL.
        unsafe { T::default().convert() }
    } else {
        // SAFETY: forwarded.
        unsafe { request_arg(ptr, name) }
    }
}

/// The body of a request struct's `_init` function: write the defaults
/// (and so its `struct_size`). NULL is a no-op.
pub(crate) fn init_request<T: RequestStruct>(ptr: *mut T) {
    ffi_value((), || {
        if !ptr.is_null() {
            // SAFETY: non-NULL and, per the extern's contract, a writable struct.
            unsafe { ptr.write(T::default()) };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    #[repr(C)]
    struct test_request {
        struct_size: usize,
        value: u32,
    }

    impl Default for test_request {
        fn default() -> Self {
            test_request {
                struct_size: size_of::<Self>(),
                value: 7,
            }
        }
    }

    impl RequestStruct for test_request {
        type Output = u32;

        unsafe fn convert(self) -> Result<u32, Error> {
            Ok(self.value)
        }
    }

    #[test]
    fn unknown_enum_values_are_invalid_arguments_naming_the_type() {
        let values = [(0, 'a'), (1, 'b')];
        assert_eq!(
            enum_arg(1, "request.kind", "mxreg_kind", &values).unwrap(),
            'b'
        );
        let err = enum_arg(9, "request.kind", "mxreg_kind", &values).unwrap_err();
        assert!(err.to_string().contains("9 is not an mxreg_kind"), "{err}");
    }

    #[test]
    fn requests_are_read_after_their_size_and_null_means_defaults() {
        let mut request = test_request::default();
        init_request(&mut request);
        request.value = 3;
        assert_eq!(unsafe { request_arg(&request, "request") }.unwrap(), 3);
        assert_eq!(
            unsafe { opt_request_arg::<test_request>(std::ptr::null(), "request") }.unwrap(),
            7
        );
        assert!(matches!(
            unsafe { request_arg::<test_request>(std::ptr::null(), "request") },
            Err(Error::NullArgument("request"))
        ));
        request.struct_size -= 1;
        assert!(matches!(
            unsafe { request_arg(&request, "request") },
            Err(Error::StructSize { .. })
        ));
    }
}
