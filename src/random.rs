//! Random identifiers. The sans-I/O code takes a
//! [`Randomness`](crate::random::Randomness) as an input (like the clock),
//! so that a test can fix it; the I/O drivers pass
//! [`SystemRandomness`](crate::random::SystemRandomness), the operating
//! system's CSPRNG (through ring).

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::Error;

/// Length of generated device IDs (Synapse's own are 10 letters).
const DEVICE_ID_LEN: usize = 10;

/// A source of random bytes.
pub trait Randomness {
    /// Fill `bytes` with random bytes.
    fn fill(&self, bytes: &mut [u8]) -> Result<(), Error>;

    /// `len` characters from `[A-Za-z0-9]`: valid as a Matrix
    /// `client_secret` (`[0-9a-zA-Z.=_-]`), an OAuth `state` and a device ID.
    fn alphanumeric(&self, len: usize) -> Result<String, Error> {
        const ALPHABET: &[u8; 62] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::with_capacity(len);
        let mut bytes = [0u8; 64];
        while out.len() < len {
            self.fill(&mut bytes)?;
            // Rejection sampling keeps the distribution uniform: 248 = 4 * 62.
            for byte in bytes.iter().filter(|b| **b < 248).take(len - out.len()) {
                out.push(ALPHABET[usize::from(byte % 62)] as char);
            }
        }
        Ok(out)
    }

    /// A device ID for a registration the app gave none: fixed before the
    /// first attempt, so that a re-sent attempt or a login reaches the same
    /// device instead of creating another.
    fn device_id(&self) -> Result<String, Error> {
        Ok(self.alphanumeric(DEVICE_ID_LEN)?.to_ascii_uppercase())
    }
}

/// The operating system's random number generator.
pub struct SystemRandomness;

impl Randomness for SystemRandomness {
    fn fill(&self, bytes: &mut [u8]) -> Result<(), Error> {
        SystemRandom::new()
            .fill(bytes)
            .map_err(|_| Error::Io("the system random number generator failed".into()))
    }
}

/// A predictable source for tests: byte `n` of the stream is `n mod 256`,
/// continuing across calls, so successive draws differ but every run draws
/// the same values.
#[cfg(test)]
pub(crate) struct CountingRandomness(std::cell::Cell<u8>);

#[cfg(test)]
impl CountingRandomness {
    pub(crate) fn new() -> Self {
        Self::starting_at(0)
    }

    pub(crate) fn starting_at(first: u8) -> Self {
        CountingRandomness(std::cell::Cell::new(first))
    }
}

#[cfg(test)]
impl Randomness for CountingRandomness {
    fn fill(&self, bytes: &mut [u8]) -> Result<(), Error> {
        for byte in bytes {
            *byte = self.0.get();
            self.0.set(self.0.get().wrapping_add(1));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_has_the_length_and_alphabet_and_differs() {
        let a = SystemRandomness.alphanumeric(32).unwrap();
        let b = SystemRandomness.alphanumeric(32).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn bytes_map_onto_the_alphabet_and_large_ones_are_skipped() {
        // Bytes 0..62 give the alphabet in order; 248..=255 are rejected.
        let random = CountingRandomness::new();
        assert_eq!(
            random.alphanumeric(62).unwrap(),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        );
        // The next fill starts at byte 64: 64 % 62 = 2.
        assert_eq!(random.alphanumeric(3).unwrap(), "CDE");
        // 246 % 62 = 60 ('8'), 247 gives '9', 248..=255 are skipped, then 0, 1.
        let random = CountingRandomness::starting_at(246);
        assert_eq!(random.alphanumeric(4).unwrap(), "89AB");
        assert_eq!(
            CountingRandomness::starting_at(26).device_id().unwrap(),
            "ABCDEFGHIJ"
        );
    }
}
