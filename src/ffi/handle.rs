//! Opaque handles: which Rust value stands behind each C pointer type, and
//! how it is owned. The ownership is part of the type, so freeing a handle
//! with the wrong function, or sharing one that is not shared, does not
//! compile.

use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::error::Error;
use crate::secret::SecretCString;

/// Ties an opaque C type to the Rust value behind its pointers and to how
/// that value is owned.
pub(crate) trait Handle {
    type Inner;
    type Ownership: Ownership;
}

/// One of [`Boxed`], [`Shared`] or [`Borrowed`].
pub(crate) trait Ownership {}

/// Created with `Box`: the caller frees it once with its `_free` function.
pub(crate) enum Boxed {}
/// Created with `Arc`: each pointer handed out is one reference.
pub(crate) enum Shared {}
/// Lives inside a parent handle and is never freed by itself.
pub(crate) enum Borrowed {}

impl Ownership for Boxed {}
impl Ownership for Shared {}
impl Ownership for Borrowed {}

/// An owned handle for the caller.
pub(crate) fn into_box_ptr<H: Handle<Ownership = Boxed>>(value: H::Inner) -> *mut H {
    Box::into_raw(Box::new(value)).cast()
}

/// A shared handle for the caller: one reference.
pub(crate) fn into_arc_ptr<H: Handle<Ownership = Shared>>(value: Arc<H::Inner>) -> *const H {
    Arc::into_raw(value).cast()
}

/// A pointer to a value that stays owned by its parent handle (an error's
/// auth info, a signup's registration); NULL for `None`.
pub(crate) fn borrowed_ptr<H: Handle>(value: Option<&H::Inner>) -> *const H {
    value.map_or(std::ptr::null(), |inner| (inner as *const H::Inner).cast())
}

/// The value behind a required handle argument.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `H`, which stays alive while the
/// reference is used.
pub(crate) unsafe fn handle_arg<'a, H: Handle>(
    ptr: *const H,
    name: &'static str,
) -> Result<&'a H::Inner, Error> {
    // SAFETY: per this function's contract.
    unsafe { ptr.cast::<H::Inner>().as_ref() }.ok_or(Error::NullArgument(name))
}

/// One more reference to a shared handle; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or a live reference from [`into_arc_ptr`] for `H`.
pub(crate) unsafe fn arc_clone<H: Handle<Ownership = Shared>>(
    ptr: *const H,
) -> Option<Arc<H::Inner>> {
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

/// The body of an accessor: reads through a handle; NULL or a panic give
/// `fallback`. Extern functions using it document that `ptr` must be NULL
/// or a live handle, which is what makes the dereference sound.
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

/// The body of a string accessor: the string `pick` chooses, borrowed from
/// the handle; NULL for a NULL handle, an absent string or a panic.
pub(crate) fn read_str<H: Handle, S: CStrField + ?Sized>(
    ptr: *const H,
    pick: impl FnOnce(&H::Inner) -> &S,
) -> *const c_char {
    read_handle(ptr, std::ptr::null(), |inner| pick(inner).c_ptr())
}

/// The body of an accessor for a string that may be absent (an index out
/// of range, a state without it): NULL then, as for a NULL handle.
pub(crate) fn read_opt_str<H: Handle, S: CStrField>(
    ptr: *const H,
    pick: impl FnOnce(&H::Inner) -> Option<&S>,
) -> *const c_char {
    read_handle(ptr, std::ptr::null(), |inner| {
        pick(inner).map_or(std::ptr::null(), S::c_ptr)
    })
}

/// A string a handle holds for C, possibly absent.
pub(crate) trait CStrField {
    /// The C pointer, or NULL when absent.
    fn c_ptr(&self) -> *const c_char;
}

impl CStrField for CString {
    fn c_ptr(&self) -> *const c_char {
        self.as_ptr()
    }
}

impl CStrField for SecretCString {
    fn c_ptr(&self) -> *const c_char {
        self.as_ptr()
    }
}

impl<S: CStrField> CStrField for Option<S> {
    fn c_ptr(&self) -> *const c_char {
        self.as_ref().map_or(std::ptr::null(), S::c_ptr)
    }
}

/// The body of a `_free` function for an owned handle; NULL is a no-op.
/// Extern functions using it document that `ptr` is NULL or a live handle
/// freed once, which is what makes the free sound.
pub(crate) fn free_box<H: Handle<Ownership = Boxed>>(ptr: *mut H) {
    let free = || {
        if !ptr.is_null() {
            // SAFETY: per the caller's C contract, from `into_box_ptr`, freed once.
            drop(unsafe { Box::from_raw(ptr.cast::<H::Inner>()) });
        }
    };
    // A panic in a destructor leaks the rest rather than unwinding into C.
    let _ = catch_unwind(AssertUnwindSafe(free));
}

/// The body of a `_free` function for a shared handle: drops one
/// reference; NULL is a no-op. The same contract as [`free_box`].
pub(crate) fn free_arc<H: Handle<Ownership = Shared>>(ptr: *const H) {
    let free = || {
        if !ptr.is_null() {
            // SAFETY: per the caller's C contract, from `into_arc_ptr`, freed once.
            drop(unsafe { Arc::from_raw(ptr.cast::<H::Inner>()) });
        }
    };
    let _ = catch_unwind(AssertUnwindSafe(free));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test handle: a boxed string, read through `read_str`.
    struct test_handle {
        _private: [u8; 0],
    }

    impl Handle for test_handle {
        type Inner = Option<CString>;
        type Ownership = Boxed;
    }

    #[test]
    fn a_null_handle_argument_names_the_parameter() {
        let err = unsafe { handle_arg::<test_handle>(std::ptr::null(), "thing") }.unwrap_err();
        assert!(matches!(err, Error::NullArgument("thing")));
    }

    #[test]
    fn string_accessors_give_null_for_null_and_absent_strings() {
        assert!(read_str::<test_handle, _>(std::ptr::null(), |s| s).is_null());
        let absent = into_box_ptr::<test_handle>(None);
        assert!(read_str(absent, |s| s).is_null());
        let present = into_box_ptr::<test_handle>(Some(CString::new("x").unwrap()));
        let ptr = read_str(present, |s| s);
        // SAFETY: borrowed from `present`, still alive.
        assert_eq!(unsafe { std::ffi::CStr::from_ptr(ptr) }.to_str(), Ok("x"));
        free_box(absent);
        free_box(present);
        free_box::<test_handle>(std::ptr::null_mut());
    }

    #[test]
    fn a_borrowed_pointer_is_the_parent_field_or_null() {
        let inner = Some(CString::new("y").unwrap());
        let ptr: *const test_handle = borrowed_ptr(Some(&inner));
        assert_eq!(ptr.cast::<Option<CString>>(), &inner as *const _);
        assert!(borrowed_ptr::<test_handle>(None).is_null());
    }
}
