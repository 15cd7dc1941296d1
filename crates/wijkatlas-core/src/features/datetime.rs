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

/// A date as CQL2's `DATE('…')` and a `date` queryable hold it: an RFC 3339 full-date
/// (`2024-01-01`) and nothing else, as days since 1970-01-01.
pub fn parse_date(text: &str) -> Result<i64, String> {
    if text.contains(['T', 't']) {
        return Err(format!(
            "'{text}' has a time of day; a date is written 2024-01-01 (use TIMESTAMP for an instant)"
        ));
    }
    parse_instant(text).map(|d| d.days_since_epoch())
}

/// An instant as CQL2's `TIMESTAMP('…')` and a `date-time` queryable hold it: an RFC 3339
/// date-time with its zone (`2024-01-01T12:00:00Z`, `…+01:00`), as microseconds since
/// 1970-01-01T00:00:00Z, so instants given in different zones compare as the same time.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    let bad =
        || format!("'{text}' is not an RFC 3339 date-time with a zone (e.g. 2024-01-01T00:00:00Z)");
    let day = parse_instant(text)?;
    let Some(t) = text.find(['T', 't']).map(|i| &text[i + 1..]) else {
        return Err(bad());
    };
    // parse_instant checked the form: hh:mm:ss[.fraction] then Z or ±hh:mm, ASCII.
    let zone_at = t.find(['Z', 'z', '+', '-']).ok_or_else(bad)?;
    let (clock, zone) = t.split_at(zone_at);
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let number = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let [h, m, s] = [&hms[0..2], &hms[3..5], &hms[6..8]].map(number);
    let mut micros = (h? * 3600 + m? * 60 + s?) * 1_000_000;
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Microseconds: digits beyond the sixth are dropped.
    let digits: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(6)
        .collect();
    micros += number(&digits)?;
    if zone.len() == 6 {
        let offset = (number(&zone[1..3])? * 3600 + number(&zone[4..6])? * 60) * 1_000_000;
        // 12:00+01:00 is 11:00Z.
        micros -= if zone.starts_with('-') {
            -offset
        } else {
            offset
        };
    }
    Ok(day.days_since_epoch() * 86_400_000_000 + micros)
}

/// What a text property holds when every value of it is one kind of time: `date` (all
/// RFC 3339 full-dates) or `date-time` (all date-times with a zone), the JSON Schema
/// formats its queryable then declares. `None` for anything else or no values at all.
pub fn text_format<'a>(mut values: impl Iterator<Item = &'a str>) -> Option<&'static str> {
    let first = values.next()?;
    let format: (&'static str, fn(&str) -> bool) = if parse_date(first).is_ok() {
        ("date", |v| parse_date(v).is_ok())
    } else if parse_timestamp(first).is_ok() {
        ("date-time", |v| parse_timestamp(v).is_ok())
    } else {
        return None;
    };
    values.all(format.1).then_some(format.0)
}

impl Day {
    /// Days since 1970-01-01 (negative before it), by the proleptic Gregorian calendar.
    fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil: years start in March, so the leap day ends one.
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
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
    fn dates_and_instants_land_on_one_timeline() {
        // Independent figures: the Unix epoch, and 2000-03-01 = day 11,017 (Python's
        // date(2000,3,1) - date(1970,1,1)); 2024-01-01T00:00:00Z is Unix time 1,704,067,200.
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("1969-12-31"), Ok(-1));
        assert_eq!(parse_date("2000-03-01"), Ok(11_017));
        assert_eq!(parse_date("2000-02-29"), Ok(11_016));
        assert_eq!(
            parse_timestamp("2024-01-01T00:00:00Z"),
            Ok(1_704_067_200_000_000)
        );
        // One instant in three zones.
        let utc = parse_timestamp("2024-06-30T10:00:00Z").unwrap();
        assert_eq!(parse_timestamp("2024-06-30T12:00:00+02:00"), Ok(utc));
        assert_eq!(parse_timestamp("2024-06-30T07:30:00-02:30"), Ok(utc));
        assert_eq!(
            parse_timestamp("2024-06-30T10:00:00.25Z"),
            Ok(utc + 250_000)
        );
        assert!(parse_date("2024-01-01T00:00:00Z")
            .unwrap_err()
            .contains("time of day"));
        assert!(parse_timestamp("2024-01-01")
            .unwrap_err()
            .contains("with a zone"));
        assert!(parse_timestamp("2024-01-01T00:00:00.x1Z").is_err());
        assert!(parse_timestamp("2024-01-01T00:00:00.Z").is_err());
    }

    #[test]
    fn a_text_property_is_a_date_only_when_every_value_is_one() {
        assert_eq!(
            text_format(["2024-01-01", "2023-12-31"].into_iter()),
            Some("date")
        );
        assert_eq!(
            text_format(["2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00"].into_iter()),
            Some("date-time")
        );
        assert_eq!(
            text_format(["2024-01-01", "2024-01-01T00:00:00Z"].into_iter()),
            None
        );
        assert_eq!(text_format(["2024-01-01", "morgen"].into_iter()), None);
        assert_eq!(text_format(["GM0344"].into_iter()), None);
        assert_eq!(text_format(std::iter::empty()), None);
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
