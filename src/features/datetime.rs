//! The `datetime` parameter: an instant or an interval of calendar days.
//!
//! The data's time is a reference year (CBS key figures of 2024), so a request's instant
//! or interval is compared by calendar date; times of day and zones are checked for form
//! and otherwise ignored.

use std::fmt;

/// A calendar day; the derived order is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    year: i32,
    month: u8,
    day: u8,
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days from `start` to `end`, both included; an open end is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateInterval {
    pub start: Option<Day>,
    pub end: Option<Day>,
}

impl DateInterval {
    /// Whether the interval meets any day of `year`.
    pub fn meets_year(&self, year: u16) -> bool {
        let first = Day {
            year: i32::from(year),
            month: 1,
            day: 1,
        };
        let last = Day {
            year: i32::from(year),
            month: 12,
            day: 31,
        };
        self.start.is_none_or(|s| s <= last) && self.end.is_none_or(|e| e >= first)
    }

    /// `2024-01-01`, `2024-06-30T12:00:00Z`, `2020-01-01/2024-12-31`, `../2020-12-31`,
    /// `2023-01-01/..` (RFC 3339 dates and date-times, as OGC API – Features asks).
    pub fn parse(text: &str) -> Result<DateInterval, String> {
        let text = text.trim();
        let open = |s: &str| s.is_empty() || s == "..";
        match text.split_once('/') {
            None => {
                let day = parse_instant(text)?;
                Ok(DateInterval {
                    start: Some(day),
                    end: Some(day),
                })
            }
            Some((a, b)) => {
                let start = if open(a) {
                    None
                } else {
                    Some(parse_instant(a)?)
                };
                let end = if open(b) {
                    None
                } else {
                    Some(parse_instant(b)?)
                };
                if let (Some(s), Some(e)) = (start, end) {
                    if s > e {
                        return Err(format!("'{text}' ends ({e}) before it starts ({s})"));
                    }
                }
                Ok(DateInterval { start, end })
            }
        }
    }
}

fn parse_instant(text: &str) -> Result<Day, String> {
    let bad = || {
        format!(
            "'{text}' is not an RFC 3339 date or date-time (e.g. 2024-01-01 or 2024-01-01T00:00:00Z)"
        )
    };
    let (date, time) = match text.find(['T', 't']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(format!("'{text}' is not a day of the calendar"));
    }
    if let Some(t) = time {
        if !is_time_of_day(t) {
            return Err(bad());
        }
    }
    Ok(Day { year, month, day })
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `hh:mm:ss`, optional fraction, then `Z` or `±hh:mm`.
fn is_time_of_day(t: &str) -> bool {
    let (clock, zone) = match t.find(['Z', 'z', '+', '-']) {
        Some(i) => (&t[..i], &t[i..]),
        None => return false,
    };
    let clock = clock.split('.').next().unwrap_or("");
    let hms: Vec<&str> = clock.split(':').collect();
    let in_range = |s: &str, max: u8| s.len() == 2 && s.parse::<u8>().is_ok_and(|v| v <= max);
    let clock_ok =
        hms.len() == 3 && in_range(hms[0], 23) && in_range(hms[1], 59) && in_range(hms[2], 60);
    // ASCII first: the byte slices below must fall on character boundaries.
    let zone_ok = zone.eq_ignore_ascii_case("z")
        || (zone.len() == 6
            && zone.is_ascii()
            && in_range(&zone[1..3], 23)
            && &zone[3..4] == ":"
            && in_range(&zone[4..6], 59));
    clock_ok && zone_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_and_intervals_meet_reference_years() {
        let day = DateInterval::parse("2024-06-30").unwrap();
        assert!(day.meets_year(2024));
        assert!(!day.meets_year(2023));
        let instant = DateInterval::parse("2022-12-31T23:59:59Z").unwrap();
        assert!(instant.meets_year(2022) && !instant.meets_year(2023));
        let closed = DateInterval::parse("2020-01-01/2022-01-01").unwrap();
        assert!(closed.meets_year(2020) && closed.meets_year(2022));
        assert!(!closed.meets_year(2019) && !closed.meets_year(2023));
        let from = DateInterval::parse("2023-01-01/..").unwrap();
        assert!(from.meets_year(2030) && !from.meets_year(2022));
        let until = DateInterval::parse("../2014-12-31T00:00:00+01:00").unwrap();
        assert!(until.meets_year(2014) && !until.meets_year(2015));
        assert!(DateInterval::parse("/2014-01-01").unwrap().meets_year(1990));
        // Both ends open: any year.
        assert!(DateInterval::parse("../..").unwrap().meets_year(1990));
    }

    #[test]
    fn bad_dates_say_why() {
        for (text, expected) in [
            ("2024", "not an RFC 3339"),
            ("2024-13-01", "not a day"),
            ("2023-02-29", "not a day"),
            ("2024-01-01T25:00:00Z", "not an RFC 3339"),
            ("2024-01-01T10:00:00", "not an RFC 3339"),
            ("2024-01-01/2020-01-01", "ends"),
            ("2024-01-01/2025-01-01/2026-01-01", "not an RFC 3339"),
        ] {
            let e = DateInterval::parse(text).unwrap_err();
            assert!(e.contains(expected), "{text}: {e}");
        }
        assert!(DateInterval::parse("2024-02-29").is_ok());
    }

    #[test]
    fn a_zone_with_non_ascii_text_is_refused_not_a_panic() {
        // Found by fuzz/fuzz_targets/items_query.rs: six bytes after the sign, but a
        // three-byte character among them, so byte 3 is inside it.
        for text in [
            "../2024-02-29T:10+0\u{FFFD}2",
            "2024-02-29T10:00:00+0\u{FFFD}2",
            "2024-02-29T10:00:00+01\u{e9}0",
        ] {
            let e = DateInterval::parse(text).unwrap_err();
            assert!(e.contains("not an RFC 3339"), "{text}: {e}");
        }
    }
}
