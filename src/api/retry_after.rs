//! The `Retry-After` header (RFC 9110 §10.2.3): a number of seconds or an
//! HTTP date. The Matrix spec (v1.10 on) prefers it over the deprecated
//! `retry_after_ms` body field.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The delay a `Retry-After` value asks for, measured from `now`. A date in
/// the past is no delay; a value that is neither form is `None`.
pub fn delay_secs(value: &str, now: SystemTime) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Longer than u64 seconds is "a very long time", not garbage.
        return Some(value.parse::<u64>().unwrap_or(u64::MAX));
    }
    let at = UNIX_EPOCH + Duration::from_secs(http_date_secs(value)?);
    Some(at.duration_since(now).map_or(0, |delay| {
        delay.as_secs() + u64::from(delay.subsec_nanos() > 0)
    }))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Seconds since the Unix epoch of an HTTP date in any of the three forms
/// a recipient must accept: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
/// (`Sun Nov  6 08:49:37 1994`).
fn http_date_secs(value: &str) -> Option<u64> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let (day, month, year, time) = match words.as_slice() {
        [_, day, month, year, time, "GMT"] if words[0].ends_with(',') => {
            (*day, *month, year.parse::<u64>().ok()?, *time)
        }
        [_, date, time, "GMT"] if words[0].ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            let year = year.parse::<u64>().ok()?;
            // RFC 9110: a two-digit year more than 50 years ahead is in the past.
            (
                day,
                month,
                if year < 70 { 2000 + year } else { 1900 + year },
                *time,
            )
        }
        [_, month, day, time, year] => (*day, *month, year.parse::<u64>().ok()?, *time),
        _ => return None,
    };
    let day: u64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let mut clock = time.split(':').map(|part| part.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if clock.next().is_some() || hour > 23 || minute > 59 || second > 60 || year < 1970 {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let (year, month) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let day_of_year = (153 * month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn seconds_are_taken_as_they_are() {
        assert_eq!(delay_secs("120", at(0)), Some(120));
        assert_eq!(delay_secs(" 0 ", at(0)), Some(0));
        assert_eq!(delay_secs("99999999999999999999999", at(0)), Some(u64::MAX));
        assert_eq!(delay_secs("-5", at(0)), None);
        assert_eq!(delay_secs("1.5", at(0)), None);
        assert_eq!(delay_secs("", at(0)), None);
    }

    #[test]
    fn the_three_date_forms_give_the_same_instant() {
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
        let now = at(784_111_777 - 30);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(delay_secs(form, now), Some(30), "{form}");
        }
    }

    #[test]
    fn a_past_date_is_no_delay_and_garbage_is_none() {
        assert_eq!(
            delay_secs("Sun, 06 Nov 1994 08:49:37 GMT", at(2_000_000_000)),
            Some(0)
        );
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "soon",
        ] {
            assert_eq!(delay_secs(bad, at(0)), None, "{bad}");
        }
    }

    #[test]
    fn leap_years_count() {
        // 2024-03-01T00:00:00Z is 1709251200.
        assert_eq!(
            http_date_secs("Fri, 01 Mar 2024 00:00:00 GMT"),
            Some(1_709_251_200)
        );
    }
}
