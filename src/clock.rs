//! Time as the saved forms and the C API carry it: milliseconds since the
//! Unix epoch. The sans-I/O code takes the time as an argument; only the
//! drivers read the system clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// `time` in ms since the Unix epoch: 0 before it, `u64::MAX` past what
/// fits.
pub fn unix_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn milliseconds_since_the_epoch_clamped_at_both_ends() {
        assert_eq!(unix_ms(UNIX_EPOCH + Duration::from_millis(1_234)), 1_234);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_secs(1)), 0);
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 1000 + 1);
        assert_eq!(unix_ms(far), u64::MAX);
    }
}
