//! Random identifiers from the operating system's CSPRNG (through ring).

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::Error;

/// `len` characters from `[A-Za-z0-9]`: valid as a Matrix `client_secret`
/// (`[0-9a-zA-Z.=_-]`), an OAuth `state` and a device ID.
pub fn alphanumeric(len: usize) -> Result<String, Error> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(len);
    let mut bytes = [0u8; 64];
    while out.len() < len {
        rng.fill(&mut bytes)
            .map_err(|_| Error::Io("the system random number generator failed".into()))?;
        // Rejection sampling keeps the distribution uniform: 248 = 4 * 62.
        for byte in bytes.iter().filter(|b| **b < 248).take(len - out.len()) {
            out.push(ALPHABET[usize::from(byte % 62)] as char);
        }
    }
    Ok(out)
}

/// Length of generated device IDs (Synapse's own are 10 letters).
const DEVICE_ID_LEN: usize = 10;

/// A device ID for a registration the app gave none: fixed before the
/// first attempt, so that a re-sent attempt or a login reaches the same
/// device instead of creating another.
pub fn device_id() -> Result<String, Error> {
    Ok(alphanumeric(DEVICE_ID_LEN)?.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_has_the_length_and_alphabet_and_differs() {
        let a = alphanumeric(32).unwrap();
        let b = alphanumeric(32).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
