//! Secrets (passwords, tokens): redacted in `Debug`, wiped from memory on drop.

use std::ffi::{CString, c_char};
use std::fmt;
use std::sync::atomic::{Ordering, compiler_fence};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Overwrite a buffer with zeros in a way the optimiser may not remove.
pub fn wipe(bytes: &mut [u8]) {
    for byte in bytes.iter_mut() {
        // SAFETY: `byte` is a valid, exclusive reference.
        unsafe { std::ptr::write_volatile(byte, 0) };
    }
    compiler_fence(Ordering::SeqCst);
}

/// Wipe a vector's whole allocation (spare capacity included), then empty it.
pub fn wipe_vec(bytes: &mut Vec<u8>) {
    let capacity = bytes.capacity();
    bytes.resize(capacity, 0);
    wipe(bytes);
    bytes.clear();
}

/// The JSON text of a value that may hold secrets, in a buffer allocated
/// once at its final size: a buffer that grows while it is written frees
/// its earlier, partial copies without wiping them.
pub fn to_json_exact<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, value)?;
    let mut bytes = Vec::with_capacity(counter.0);
    serde_json::to_writer(&mut bytes, value)?;
    Ok(bytes)
}

/// A string that is a credential. `Debug` prints `<redacted>`; the memory is
/// zeroed when it is dropped. Serialises as a plain JSON string.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: only for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        wipe_vec(&mut bytes);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// A NUL-terminated credential handed to C callers; wiped when dropped.
pub struct SecretCString(Option<CString>);

impl SecretCString {
    /// `None` when the secret contains a NUL byte (C cannot represent it).
    pub fn new(secret: &Secret) -> Option<Self> {
        CString::new(secret.expose())
            .ok()
            .map(|c| SecretCString(Some(c)))
    }

    pub fn as_ptr(&self) -> *const c_char {
        self.0.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
    }
}

impl Drop for SecretCString {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            wipe_vec(&mut c.into_bytes_with_nul());
        }
    }
}

impl fmt::Debug for SecretCString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(secret)), "Some(<redacted>)");
    }

    #[test]
    fn wipe_vec_zeroes_spare_capacity() {
        let mut bytes = Vec::with_capacity(16);
        bytes.extend_from_slice(b"password");
        let ptr = bytes.as_ptr();
        wipe_vec(&mut bytes);
        assert!(bytes.is_empty());
        // SAFETY: the allocation is still owned by `bytes` (capacity unchanged).
        let after = unsafe { std::slice::from_raw_parts(ptr, 16) };
        assert!(after.iter().all(|b| *b == 0));
    }

    #[test]
    fn json_is_written_into_one_allocation_of_its_final_size() {
        let value = serde_json::json!({"password": "p".repeat(300), "inhibit_login": true});
        let bytes = to_json_exact(&value).unwrap();
        assert_eq!(bytes.capacity(), bytes.len());
        assert_eq!(bytes, serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn serde_is_transparent() {
        let json = serde_json::to_string(&Secret::new("tok")).unwrap();
        assert_eq!(json, "\"tok\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "tok");
    }
}
