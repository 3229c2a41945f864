//! The period, "now" and local calendar arithmetic (evidence-rules.md §1).
//!
//! Every local date is turned into an instant the same way: the earliest instant showing that
//! local time, or, when DST skips it, the first valid instant after it.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::config::Config;

/// The instant a local date and time denote in `tz`. A time shown twice (fall-back) takes the
/// earlier instant; a time DST skips takes the first valid instant after it (the transition).
pub fn local_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    if let Some(at) = tz.from_local_datetime(&local).earliest() {
        return at.with_timezone(&Utc);
    }
    // In a gap: read the wall time with the offset in force a day before; that instant is at or
    // after the transition and less than a day past it, so search back for the transition.
    let before = tz.offset_from_utc_datetime(&(local - chrono::Duration::days(1)));
    let candidate = (local - offset_secs(before)).and_utc();
    let (mut lo, mut hi) = (candidate.timestamp() - 86_400, candidate.timestamp());
    // Invariant: local(lo) < `local` <= local(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if local_of(tz, mid) < local {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).expect("in range")
}

fn offset_secs(offset: <Tz as TimeZone>::Offset) -> chrono::Duration {
    use chrono::Offset;
    chrono::Duration::seconds(i64::from(offset.fix().local_minus_utc()))
}

fn local_of(tz: Tz, timestamp: i64) -> NaiveDateTime {
    let at = DateTime::from_timestamp(timestamp, 0).expect("in range");
    at.with_timezone(&tz).naive_local()
}

/// 00:00 local on `date`.
pub fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    local_instant(tz, date.and_time(NaiveTime::MIN))
}

/// The calendar date of an instant in `tz`.
pub fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Start of the period: its first day, 00:00 local.
pub fn period_start(config: &Config) -> DateTime<Utc> {
    local_midnight(config.tz(), config.period.start)
}

/// End of the period (exclusive): the day after its last day, 00:00 local.
pub fn period_end(config: &Config) -> DateTime<Utc> {
    local_midnight(config.tz(), next_day(config.period.end))
}

/// The build's only "now": 00:00 local on the day after `as_of`.
pub fn now(config: &Config) -> DateTime<Utc> {
    local_midnight(config.tz(), next_day(config.period.as_of()))
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).expect("date in range")
}

/// `YYYY-MM` of a date.
pub fn month_key(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// `YYYY-MM` of an instant, in the organization's zone.
pub fn month_of(tz: Tz, at: DateTime<Utc>) -> String {
    month_key(local_date(tz, at))
}

/// Every calendar month the period touches, oldest first (`2026-01` .. `2026-12`).
pub fn months(config: &Config) -> Vec<String> {
    let (start, end) = (config.period.start, config.period.end);
    let mut out = Vec::new();
    let (mut y, mut m) = (start.year(), start.month());
    while (y, m) <= (end.year(), end.month()) {
        out.push(format!("{y:04}-{m:02}"));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{New_York, Santiago};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn midnight_follows_the_zone_offset() {
        assert_eq!(
            local_midnight(New_York, d(2026, 1, 1)),
            utc("2026-01-01T05:00:00Z")
        );
        assert_eq!(
            local_midnight(New_York, d(2026, 7, 1)),
            utc("2026-07-01T04:00:00Z")
        );
    }

    #[test]
    fn skipped_midnight_takes_the_first_valid_instant_after() {
        // Chile springs forward at 24:00 on 2026-09-05 (00:00 → 01:00 on 09-06).
        let at = local_midnight(Santiago, d(2026, 9, 6));
        assert_eq!(at, utc("2026-09-06T04:00:00Z"));
        assert_eq!(
            at.with_timezone(&Santiago).naive_local(),
            d(2026, 9, 6).and_hms_opt(1, 0, 0).unwrap()
        );
    }

    #[test]
    fn repeated_local_time_takes_the_earlier_instant() {
        let local = d(2026, 11, 1).and_hms_opt(1, 30, 0).unwrap();
        assert_eq!(local_instant(New_York, local), utc("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn months_span_the_period() {
        let m: Vec<String> = {
            let mut c = test_config();
            c.period.start = d(2025, 11, 15);
            c.period.end = d(2026, 2, 1);
            months(&c)
        };
        assert_eq!(m, vec!["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(month_of(New_York, utc("2026-03-01T03:00:00Z")), "2026-02");
    }

    #[test]
    fn now_is_the_end_of_as_of() {
        let mut c = test_config();
        c.period.as_of = Some(d(2026, 6, 30));
        assert_eq!(now(&c), utc("2026-07-01T04:00:00Z"));
        assert_eq!(period_end(&c), utc("2027-01-01T05:00:00Z"));
        assert_eq!(period_start(&c), utc("2026-01-01T05:00:00Z"));
    }

    pub(crate) fn test_config() -> Config {
        Config::parse(
            std::path::Path::new("."),
            crate::config::tests::MIN,
            "site.toml",
        )
        .unwrap()
    }
}
