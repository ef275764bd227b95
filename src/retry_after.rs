//! The `Retry-After` header (RFC 9110 section 10.2.3): how long to wait before asking again.
//!
//! Two forms: delta-seconds (`120`) and an HTTP-date, in the preferred IMF-fixdate form
//! (`Sun, 06 Nov 1994 08:49:37 GMT`) or one of the two obsolete forms RFC 9110 says a recipient must accept,
//! RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`). A date in the past
//! means "now" (0). The weekday name must be a real one but is not checked against the date: it adds nothing
//! to the instant, and a wrong one is no reason to ignore the server's request.
//!
//! A delay longer than [`MAX_DELAY_MS`] (one day) is taken as absurd and gives `None`, as does anything
//! unreadable: a dashboard that obeys "come back next week" is a broken dashboard, and the caller then
//! falls back to its own backoff.
//!
//! ```
//! use clc_wasm::retry_after::delay_ms;
//! assert_eq!(delay_ms(" 120 ", 0.0), Some(120_000.0));
//! let now = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT
//! assert_eq!(delay_ms("Sun, 06 Nov 1994 08:49:47 GMT", now), Some(10_000.0));
//! assert_eq!(delay_ms("Sun Nov  6 08:49:37 1994", now + 5.0), Some(0.0));
//! assert_eq!(delay_ms("soon", now), None);
//! ```

/// The longest delay taken from a server: one day, in milliseconds.
pub const MAX_DELAY_MS: f64 = 86_400_000.0;

const MS_PER_DAY: i64 = 86_400_000;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The delay a `Retry-After` value asks for, in milliseconds from `now_ms` (epoch milliseconds, as
/// `Date.now()` gives): `None` when the value is neither form, or asks for more than [`MAX_DELAY_MS`].
/// Never panics.
pub fn delay_ms(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim_matches(|c| c == ' ' || c == '\t');
    let delay = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Leading zeros are digits like any other; too many digits overflow into None.
        let mut seconds: u64 = 0;
        for b in value.bytes() {
            seconds = seconds.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        }
        seconds.checked_mul(1000)? as f64
    } else {
        if !now_ms.is_finite() {
            return None;
        }
        let at = http_date_ms(value, now_ms)?;
        (at - now_ms).max(0.0)
    };
    (delay <= MAX_DELAY_MS).then_some(delay)
}

/// An HTTP-date in any of its three forms, as epoch milliseconds. `now_ms` places RFC 850's two-digit year.
fn http_date_ms(value: &str, now_ms: f64) -> Option<f64> {
    // Bytes, not `str` methods: a `str` search or slice brings core's panic formatting into the wasm (4 KB).
    let (day_name, rest) = split_day_name(value.as_bytes())?;
    let (year, month, day, time) = if is_day(&DAYS, day_name) && rest.len() == 24 {
        // IMF-fixdate: "06 Nov 1994 08:49:37 GMT"
        expect(rest, &[(2, b' '), (6, b' '), (11, b' '), (20, b' ')])?;
        gmt(rest, 21)?;
        (
            number(rest, 7, 11)?,
            month(rest, 3)?,
            number(rest, 0, 2)?,
            rest.get(12..20)?,
        )
    } else if is_day(&LONG_DAYS, day_name) && rest.len() == 22 {
        // RFC 850: "06-Nov-94 08:49:37 GMT"
        expect(rest, &[(2, b'-'), (6, b'-'), (9, b' '), (18, b' ')])?;
        gmt(rest, 19)?;
        let yy = number(rest, 7, 9)?;
        (
            full_year(yy, now_ms)?,
            month(rest, 3)?,
            number(rest, 0, 2)?,
            rest.get(10..18)?,
        )
    } else if is_day(&DAYS, day_name) && rest.len() == 20 {
        // asctime: "Nov  6 08:49:37 1994" (the day is padded with a space, not a zero)
        expect(rest, &[(3, b' '), (6, b' '), (15, b' ')])?;
        let day = match rest.get(4) {
            Some(b' ') => number(rest, 5, 6)?,
            _ => number(rest, 4, 6)?,
        };
        (
            number(rest, 16, 20)?,
            month(rest, 0)?,
            day,
            rest.get(7..15)?,
        )
    } else {
        return None;
    };
    let (hour, minute, second) = clock(time)?;
    if !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let seconds = i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    // Checked: RFC 850's year follows `now_ms`, which may be any number.
    let ms = days.checked_mul(MS_PER_DAY)?.checked_add(seconds * 1000)?;
    Some(ms as f64)
}

/// The day name before the first space (without a comma ending it) and what follows that space.
fn split_day_name(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = value.iter().position(|&b| b == b' ')?;
    let (name, rest) = (value.get(..space)?, value.get(space + 1..)?);
    Some((name.strip_suffix(b",").unwrap_or(name), rest))
}

fn is_day(names: &[&str], name: &[u8]) -> bool {
    names.iter().any(|n| n.as_bytes() == name)
}

/// Checks that the bytes at these offsets are these separators.
fn expect(b: &[u8], separators: &[(usize, u8)]) -> Option<()> {
    separators
        .iter()
        .all(|&(at, sep)| b.get(at) == Some(&sep))
        .then_some(())
}

/// Checks that the text ends with "GMT" from `at` on.
fn gmt(text: &[u8], at: usize) -> Option<()> {
    (text.get(at..) == Some(b"GMT")).then_some(())
}

/// The decimal number in `text[from..to]`: ASCII digits only.
fn number(text: &[u8], from: usize, to: usize) -> Option<u32> {
    let digits = text.get(from..to)?;
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0')))
}

/// The month (1 to 12) named by the three letters at `at`.
fn month(text: &[u8], at: usize) -> Option<u32> {
    let name = text.get(at..at + 3)?;
    let index = MONTHS.iter().position(|m| m.as_bytes() == name)?;
    u32::try_from(index + 1).ok()
}

/// "08:49:37" as hours, minutes and seconds; 60 seconds is a leap second.
fn clock(time: &[u8]) -> Option<(u32, u32, u32)> {
    expect(time, &[(2, b':'), (5, b':')])?;
    let (h, m, s) = (
        number(time, 0, 2)?,
        number(time, 3, 5)?,
        number(time, 6, 8)?,
    );
    (h < 24 && m < 60 && s <= 60).then_some((h, m, s))
}

/// RFC 9110: a two-digit year more than 50 years in the future is the most recent past year with those digits.
fn full_year(yy: u32, now_ms: f64) -> Option<u32> {
    let now_days = (now_ms / MS_PER_DAY as f64) as i64;
    let this_year = civil_from_days(now_days).0;
    let mut year = this_year - this_year.rem_euclid(100) + i64::from(yy);
    // The one year with these digits in (this year - 50, this year + 50].
    if year > this_year + 50 {
        year -= 100;
    } else if year <= this_year - 50 {
        year += 100;
    }
    u32::try_from(year).ok()
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date (month 1 to 12), after Howard Hinnant's
/// `days_from_civil`: years counted from March, so the leap day ends the year, in 400-year eras.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date (year, month 1 to 12, day) of a count of days from 1970-01-01: the inverse of
/// [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days.saturating_add(719_468);
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
