//! One tolerant timestamp parser for every form PagerDuty, its exports and Jira write
//! (pagerduty-formats.md §0.3), resolved to whole-second UTC instants (evidence-rules.md §1).
//! OWNER: csv-ingest helper.

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc,
};
use chrono_tz::{OffsetName, Tz};

/// Abbreviations that name one UTC offset in every zone of the tz database that uses them
/// (2000–2035; the `fixed_table_is_unambiguous` test checks this against chrono-tz). Deliberately
/// absent because tzdata gives them several offsets: CST, CDT (US central / China / Cuba), IST
/// (India / Ireland / Israel), BST, PST (US / Philippines), AST, MSK (+4 in 2011–2014), KST.
const FIXED_ABBREVIATIONS: &[(&str, i32)] = &[
    ("UTC", 0),
    ("UT", 0),
    ("Z", 0),
    ("GMT", 0),
    ("WET", 0),
    ("WEST", 3600),
    ("CET", 3600),
    ("CEST", 7200),
    ("MET", 3600),
    ("MEST", 7200),
    ("EET", 7200),
    ("EEST", 3 * 3600),
    ("WAT", 3600),
    ("CAT", 7200),
    ("EAT", 3 * 3600),
    ("SAST", 7200),
    ("PKT", 5 * 3600),
    ("WIB", 7 * 3600),
    ("WITA", 8 * 3600),
    ("WIT", 9 * 3600),
    ("HKT", 8 * 3600),
    ("JST", 9 * 3600),
    ("AWST", 8 * 3600),
    ("ACST", 9 * 3600 + 1800),
    ("ACDT", 10 * 3600 + 1800),
    ("AEST", 10 * 3600),
    ("AEDT", 11 * 3600),
    ("NZST", 12 * 3600),
    ("NZDT", 13 * 3600),
    ("NST", -(3 * 3600 + 1800)),
    ("NDT", -(2 * 3600 + 1800)),
    ("EST", -5 * 3600),
    ("EDT", -4 * 3600),
    ("MST", -7 * 3600),
    ("MDT", -6 * 3600),
    ("PDT", -7 * 3600),
    ("AKST", -9 * 3600),
    ("AKDT", -8 * 3600),
    ("HST", -10 * 3600),
    ("HDT", -9 * 3600),
];

/// Values that mean "no value" (evidence-rules.md §1), compared trimmed and case-insensitively.
pub fn is_no_value(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || ["n/a", "-", "null", "none"]
            .iter()
            .any(|n| t.eq_ignore_ascii_case(n))
}

/// Parses one timestamp. `Ok(None)` for "no value"; a value without offset or zone is wall-clock
/// time in `export_tz`. Fractions of a second are truncated. `Err` says what is wrong.
pub fn parse(text: &str, export_tz: Tz) -> Result<Option<DateTime<Utc>>, String> {
    if is_no_value(text) {
        return Ok(None);
    }
    let t = text.trim();
    let (date, rest) = parse_date(t)?;
    if rest.is_empty() {
        return local_instant(date.and_time(NaiveTime::MIN), export_tz).map(Some);
    }
    let rest = rest
        .strip_prefix(['T', 't', ' '])
        .ok_or_else(|| format!("unexpected {rest:?} after the date"))?;
    let (time, zone) = parse_time(rest)?;
    let naive = date.and_time(time);
    let zone = zone.trim_start();
    let instant = if zone.is_empty() {
        local_instant(naive, export_tz)?
    } else if zone.eq_ignore_ascii_case("z") {
        naive.and_utc()
    } else if zone.starts_with(['+', '-']) {
        naive.and_utc() - Duration::seconds(i64::from(parse_offset(zone)?.local_minus_utc()))
    } else if zone.chars().all(|c| c.is_ascii_alphabetic()) {
        let offset = abbreviation_offset(zone, naive, export_tz)?;
        naive.and_utc() - Duration::seconds(i64::from(offset.local_minus_utc()))
    } else {
        return Err(format!("unrecognised zone or offset {zone:?}"));
    };
    Ok(Some(instant))
}

/// `YYYY-MM-DD` or `YYYY/MM/DD` at the start of `t`; returns the rest.
fn parse_date(t: &str) -> Result<(NaiveDate, &str), String> {
    let expected = || "not a timestamp (expected a date like 2026-03-01, then optionally a time)";
    let head = t.get(..10).ok_or_else(|| expected().to_string())?;
    let b = head.as_bytes();
    let sep = b[4];
    let shape_ok = (sep == b'-' || sep == b'/')
        && b[7] == sep
        && head
            .bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(expected().to_string());
    }
    let num = |r: std::ops::Range<usize>| head[r].parse::<u32>().unwrap_or(0);
    let date = NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10))
        .ok_or_else(|| format!("no such date {head:?}"))?;
    Ok((date, &t[10..]))
}

/// `HH:MM[:SS[.fff]]` at the start of `t` (fraction truncated); returns the rest (the zone).
fn parse_time(t: &str) -> Result<(NaiveTime, &str), String> {
    let (hour, rest) = two_digits(t).ok_or("expected a time like 15:04[:05]")?;
    let rest = rest
        .strip_prefix(':')
        .ok_or("expected ':' after the hour")?;
    let (minute, mut rest) = two_digits(rest).ok_or("expected two-digit minutes")?;
    let mut second = 0;
    if let Some(r) = rest.strip_prefix(':') {
        (second, rest) = two_digits(r).ok_or("expected two-digit seconds")?;
        if let Some(frac) = rest.strip_prefix(['.', ',']) {
            let digits = frac.len() - frac.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits == 0 {
                return Err("expected digits after the decimal point".into());
            }
            rest = &frac[digits..];
        }
    }
    let time = NaiveTime::from_hms_opt(hour, minute, second)
        .ok_or_else(|| format!("no such time {hour:02}:{minute:02}:{second:02}"))?;
    Ok((time, rest))
}

fn two_digits(t: &str) -> Option<(u32, &str)> {
    let head = t.get(..2)?;
    if !head.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &t[2..]))
}

/// `+HH:MM`, `+HHMM` or `+HH` (and `-`).
fn parse_offset(zone: &str) -> Result<FixedOffset, String> {
    let bad = || format!("unrecognised offset {zone:?} (expected +HH:MM, +HHMM or +HH)");
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits = &zone[1..];
    let (hours, rest) = two_digits(digits).ok_or_else(bad)?;
    let minutes = match rest {
        "" => 0,
        _ => {
            let (m, tail) = two_digits(rest.strip_prefix(':').unwrap_or(rest)).ok_or_else(bad)?;
            if !tail.is_empty() {
                return Err(bad());
            }
            m
        }
    };
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60) as i32).ok_or_else(bad)
}

/// A wall-clock time in `tz`: the earlier instant when it occurs twice (DST fall-back), an error
/// when it does not occur (spring-forward gap).
fn local_instant(naive: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, String> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Ok(a.min(b).with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "local time {naive} does not exist in {} (skipped by a daylight-saving change)",
            tz.name()
        )),
    }
}

/// The offset a zone abbreviation stands for: first as the export zone uses it, then from the
/// fixed table of unambiguous abbreviations.
fn abbreviation_offset(abbr: &str, naive: NaiveDateTime, tz: Tz) -> Result<FixedOffset, String> {
    if let Some(offset) = export_zone_offset(abbr, naive, tz) {
        return Ok(offset);
    }
    FIXED_ABBREVIATIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(abbr))
        .and_then(|(_, secs)| FixedOffset::east_opt(*secs))
        .ok_or_else(|| {
            format!(
                "unknown or ambiguous time zone abbreviation {abbr:?} (not used by the export \
                 zone {})",
                tz.name()
            )
        })
}

/// The offset `tz` has under the abbreviation `abbr` closest to the wall time `naive`: probes the
/// zone every two weeks up to a year either way, nearest first, so `CST` on a summer date in
/// America/Chicago still means -06:00, and `CST` on the repeated fall-back hour means the later one.
fn export_zone_offset(abbr: &str, naive: NaiveDateTime, tz: Tz) -> Option<FixedOffset> {
    std::iter::once(0)
        .chain((1..=26).flat_map(|k| [k, -k]))
        .find_map(|k: i64| {
            let probe = naive + Duration::days(14 * k);
            let offset = tz.offset_from_utc_datetime(&probe);
            let name = offset.abbreviation()?;
            name.eq_ignore_ascii_case(abbr).then(|| offset.fix())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Chicago, New_York};
    use chrono_tz::Europe::{Berlin, London};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ok(text: &str, tz: Tz) -> DateTime<Utc> {
        parse(text, tz)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .unwrap()
    }

    #[test]
    fn no_value_forms() {
        for t in [
            "", "  ", "N/A", "n/a", "-", " - ", "null", "NULL", "None", "none",
        ] {
            assert_eq!(parse(t, New_York), Ok(None), "{t:?}");
        }
    }

    #[test]
    fn rfc3339_forms() {
        let tz = Chicago;
        assert_eq!(ok("2015-10-06T21:30:42Z", tz), utc("2015-10-06T21:30:42Z"));
        assert_eq!(
            ok("2015-11-09T08:00:00-05:00", tz),
            utc("2015-11-09T13:00:00Z")
        );
        assert_eq!(
            ok("2023-02-26T00:10:04+00:00", tz),
            utc("2023-02-26T00:10:04Z")
        );
        assert_eq!(
            ok("2020-06-04T15:30:16.272Z", tz),
            utc("2020-06-04T15:30:16Z")
        );
        assert_eq!(
            ok("2020-06-04 15:30:16.999+01:00", tz),
            utc("2020-06-04T14:30:16Z")
        );
        assert_eq!(ok("2020-06-04t15:30:16z", tz), utc("2020-06-04T15:30:16Z"));
    }

    #[test]
    fn offset_without_colon_and_short_offset() {
        let tz = Berlin;
        assert_eq!(
            ok("2024-06-01T12:00:00.000+0000", tz),
            utc("2024-06-01T12:00:00Z")
        );
        assert_eq!(
            ok("2024-06-01T12:00:00+0530", tz),
            utc("2024-06-01T06:30:00Z")
        );
        assert_eq!(ok("2011-05-06T03:30-07", tz), utc("2011-05-06T10:30:00Z"));
        assert_eq!(
            ok("2011-05-06 03:30:00 -07", tz),
            utc("2011-05-06T10:30:00Z")
        );
    }

    #[test]
    fn naive_times_are_in_the_export_zone() {
        assert_eq!(
            ok("2023-05-31T10:05:00", New_York),
            utc("2023-05-31T14:05:00Z")
        );
        assert_eq!(
            ok("2023-01-31 10:05:00", New_York),
            utc("2023-01-31T15:05:00Z")
        );
        assert_eq!(
            ok("2023-05-31T10:05:00", Berlin),
            utc("2023-05-31T08:05:00Z")
        );
        assert_eq!(ok("2023-05-31 10:05", Chicago), utc("2023-05-31T15:05:00Z"));
        assert_eq!(
            ok("2023/05/31 10:05:07", Chicago),
            utc("2023-05-31T15:05:07Z")
        );
    }

    #[test]
    fn date_only_is_local_midnight() {
        assert_eq!(ok("2024-03-04", New_York), utc("2024-03-04T05:00:00Z"));
        assert_eq!(ok("2024-07-04", Berlin), utc("2024-07-03T22:00:00Z"));
    }

    #[test]
    fn abbreviations_of_the_export_zone() {
        assert_eq!(
            ok("2021-03-04 15:04:05 CET", Berlin),
            utc("2021-03-04T14:04:05Z")
        );
        assert_eq!(
            ok("2021-07-04 15:04:05 CEST", Berlin),
            utc("2021-07-04T13:04:05Z")
        );
        assert_eq!(
            ok("2021-03-04 15:04:05 CST", Chicago),
            utc("2021-03-04T21:04:05Z")
        );
        assert_eq!(
            ok("2021-07-04 15:04:05 CDT", Chicago),
            utc("2021-07-04T20:04:05Z")
        );
        assert_eq!(
            ok("2021-07-04 15:04:05 BST", London),
            utc("2021-07-04T14:04:05Z")
        );
        assert_eq!(
            ok("2021-01-04 15:04:05 GMT", London),
            utc("2021-01-04T15:04:05Z")
        );
        assert_eq!(
            ok("2021-01-04 15:04:05 est", New_York),
            utc("2021-01-04T20:04:05Z")
        );
        // The abbreviation, not the date, decides: CST written on a summer date is still -06:00.
        assert_eq!(
            ok("2021-07-04 15:04:05 CST", Chicago),
            utc("2021-07-04T21:04:05Z")
        );
        // On the repeated fall-back hour the abbreviation picks the instant.
        assert_eq!(
            ok("2026-11-01 01:30:00 CDT", Chicago),
            utc("2026-11-01T06:30:00Z")
        );
        assert_eq!(
            ok("2026-11-01 01:30:00 CST", Chicago),
            utc("2026-11-01T07:30:00Z")
        );
    }

    #[test]
    fn abbreviations_from_the_fixed_table() {
        assert_eq!(
            ok("2021-03-04 15:04:05 CET", New_York),
            utc("2021-03-04T14:04:05Z")
        );
        assert_eq!(
            ok("2021-03-04 15:04:05 UTC", Chicago),
            utc("2021-03-04T15:04:05Z")
        );
        assert_eq!(
            ok("2021-03-04 15:04:05 GMT", Berlin),
            utc("2021-03-04T15:04:05Z")
        );
        assert_eq!(
            ok("2021-03-04 15:04:05 JST", Berlin),
            utc("2021-03-04T06:04:05Z")
        );
        assert_eq!(
            ok("2021-03-04 15:04:05 EEST", Chicago),
            utc("2021-03-04T12:04:05Z")
        );
    }

    #[test]
    fn ambiguous_or_unknown_abbreviations_are_rejected() {
        for (text, tz) in [
            ("2021-03-04 15:04:05 CST", New_York),
            ("2021-03-04 15:04:05 IST", Berlin),
            ("2021-07-04 15:04:05 BST", Chicago),
            ("2021-03-04 15:04:05 PST", Berlin),
            ("2021-03-04 15:04:05 XYZ", Berlin),
        ] {
            let err = parse(text, tz).unwrap_err();
            assert!(
                err.contains("ambiguous time zone abbreviation"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn fall_back_takes_the_earlier_instant() {
        // 01:30 happens at -04:00 (EDT) and again at -05:00 (EST) on 2026-11-01 in New York.
        assert_eq!(
            ok("2026-11-01 01:30:00", New_York),
            utc("2026-11-01T05:30:00Z")
        );
        assert_eq!(
            ok("2026-10-25T02:30:00", Berlin),
            utc("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn spring_forward_gap_is_rejected() {
        let err = parse("2026-03-08 02:30:00", New_York).unwrap_err();
        assert!(err.contains("does not exist in America/New_York"), "{err}");
        assert!(parse("2026-03-29T02:15:00", Berlin).is_err());
    }

    #[test]
    fn malformed_values_say_what_is_wrong() {
        let cases = [
            ("yesterday", "not a timestamp"),
            ("2026-13-01", "no such date"),
            ("2026-02-30T10:00:00Z", "no such date"),
            ("2026-02-03T25:00:00Z", "no such time"),
            ("2026-02-03T10", "expected ':'"),
            ("2026-02-03X10:00", "after the date"),
            ("2026-02-03T10:00:00+5", "unrecognised offset"),
            ("2026-02-03T10:00:00+05:00:00", "unrecognised offset"),
            ("2026-02-03T10:00:00 +01 CET", "unrecognised offset"),
            ("2026-02-03T10:00:00.Z", "digits after the decimal point"),
            ("2026-02-03T10:00:00 G.M.T", "unrecognised zone"),
        ];
        for (text, want) in cases {
            let err = parse(text, Berlin).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    /// Every fixed-table entry names the same offset in every tz zone that uses it, 2000–2035.
    #[test]
    fn fixed_table_is_unambiguous() {
        let start = NaiveDate::from_ymd_opt(2000, 1, 1)
            .unwrap()
            .and_time(NaiveTime::MIN);
        for tz in chrono_tz::TZ_VARIANTS {
            for step in 0..(36 * 365 / 10) {
                let at = start + Duration::days(10 * step);
                let offset = tz.offset_from_utc_datetime(&at);
                let Some(name) = offset.abbreviation() else {
                    continue;
                };
                if let Some((_, secs)) = FIXED_ABBREVIATIONS.iter().find(|(n, _)| *n == name) {
                    let actual = offset.fix().local_minus_utc();
                    assert_eq!(actual, *secs, "{name} in {} at {at}", tz.name());
                }
            }
        }
    }
}
