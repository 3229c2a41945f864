//! Response targets: deadlines and verdicts (evidence-rules.md §4).
//!
//! Verdicts compare instants as recorded ("at or before the deadline"), so an event a fraction of
//! a second late is breached; the durations shown are whole seconds, fractions truncated (§1).

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{Verdict, VerdictState};
use crate::config::BusinessHours;
use crate::model::period::{local_date, local_instant};
use crate::model::{Incident, OptSecs, SeverityLevel, Target};

/// The calendar the deadlines are computed in: the organization's zone and business hours.
#[derive(Debug, Clone, Copy)]
pub struct Clock<'a> {
    pub tz: Tz,
    pub hours: &'a BusinessHours,
    /// The build's only "now" (decides what is pending).
    pub now: DateTime<Utc>,
}

impl Clock<'_> {
    /// `from` + `target`: exact elapsed seconds, or the business-hours end on the first business
    /// day strictly after `from`'s local date.
    pub fn deadline(&self, from: DateTime<Utc>, target: Target) -> DateTime<Utc> {
        match target {
            // Targets are capped at parse (model::MAX_DURATION_SECS); an instant at the edge of
            // the calendar saturates rather than panics: such a deadline is never reached.
            Target::Elapsed(secs) => {
                crate::model::add_seconds(from, secs).unwrap_or(DateTime::<Utc>::MAX_UTC)
            }
            Target::NextBusinessDay => {
                let day = self.next_business_day(local_date(self.tz, from));
                local_instant(self.tz, day.and_time(self.hours.end))
            }
        }
    }

    /// The first business day strictly after `date`: a configured weekday that is no holiday.
    pub fn next_business_day(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        loop {
            day = day.checked_add_days(Days::new(1)).expect("date in range");
            if self.hours.days.contains(&day.weekday()) && !self.hours.holidays.contains(&day) {
                return day;
            }
        }
    }
}

/// Whether `at` falls in business hours: on a configured weekday that is no holiday, at or after
/// the start and before the end, in the organization's zone.
pub fn in_business_hours(hours: &BusinessHours, tz: Tz, at: DateTime<Utc>) -> bool {
    let local = at.with_timezone(&tz);
    hours.days.contains(&local.weekday())
        && !hours.holidays.contains(&local.date_naive())
        && local.time() >= hours.start
        && local.time() < hours.end
}

/// Whole seconds from `from` to `to`, fractions truncated.
pub fn secs_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds()
}

/// The verdict for a target no incident of this severity has (or an unclassified incident).
pub fn not_applicable() -> Verdict {
    Verdict {
        state: VerdictState::NotApplicable,
        deadline: None,
        by_secs: OptSecs::NONE,
    }
}

fn no_data() -> Verdict {
    Verdict {
        state: VerdictState::NoData,
        deadline: None,
        by_secs: OptSecs::NONE,
    }
}

/// `met` when `event` is at or before the deadline, else `breached` by the excess.
fn judge_event(deadline: DateTime<Utc>, event: DateTime<Utc>) -> Verdict {
    let (state, by_secs) = if event <= deadline {
        (VerdictState::Met, None)
    } else {
        (VerdictState::Breached, Some(secs_between(deadline, event)))
    };
    Verdict {
        state,
        deadline: Some(deadline),
        by_secs: by_secs.into(),
    }
}

/// Nothing happened yet: `pending` while the deadline is not before "now", else `breached` by
/// the time from the deadline to "now".
fn judge_open(deadline: DateTime<Utc>, now: DateTime<Utc>) -> Verdict {
    let (state, by_secs) = if deadline >= now {
        (VerdictState::Pending, None)
    } else {
        (VerdictState::Breached, Some(secs_between(deadline, now)))
    };
    Verdict {
        state,
        deadline: Some(deadline),
        by_secs: by_secs.into(),
    }
}

/// The ack verdict (evidence-rules §4). `n/a` comes first: no target for the severity, or
/// unclassified, is `n/a` whatever the data. Then no ack information at all is `no_data`. Never
/// acknowledged: met when resolved in time; breached by (resolution − deadline) when resolved
/// late; pending or breached by (now − deadline) while unresolved.
pub fn ack_verdict(incident: &Incident, level: Option<&SeverityLevel>, clock: &Clock) -> Verdict {
    let Some(target) = level.and_then(|l| l.ack) else {
        return not_applicable();
    };
    let acked = incident.acknowledged_at();
    if acked.is_none() && !incident.fields.has_ack_data {
        return no_data();
    }
    let deadline = clock.deadline(incident.created, target);
    match (acked, incident.resolved_at()) {
        (Some(at), _) => judge_event(deadline, at),
        (None, Some(resolved)) => judge_event(deadline, resolved),
        (None, None) => judge_open(deadline, clock.now),
    }
}

/// The resolve verdict: `n/a` without a target (or unclassified), then `no_data` when no source
/// carries resolution information at all.
pub fn resolve_verdict(
    incident: &Incident,
    level: Option<&SeverityLevel>,
    clock: &Clock,
) -> Verdict {
    let Some(target) = level.and_then(|l| l.resolve) else {
        return not_applicable();
    };
    let resolved = incident.resolved_at();
    if resolved.is_none() && !incident.fields.has_resolve_data {
        return no_data();
    }
    let deadline = clock.deadline(incident.created, target);
    match resolved {
        Some(at) => judge_event(deadline, at),
        None => judge_open(deadline, clock.now),
    }
}

/// Seconds from creation to first acknowledgement, when acknowledged.
pub fn time_to_ack(incident: &Incident) -> Option<i64> {
    incident.fields.seconds_to_first_ack.or_else(|| {
        incident
            .acknowledged_at()
            .map(|at| secs_between(incident.created, at))
    })
}

/// Seconds from creation to resolution, when resolved.
pub fn time_to_resolve(incident: &Incident) -> Option<i64> {
    incident.fields.seconds_to_resolve.or_else(|| {
        incident
            .resolved_at()
            .map(|at| secs_between(incident.created, at))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::{config as test_config, *};

    fn clock<'a>(hours: &'a BusinessHours, now: &str) -> Clock<'a> {
        Clock {
            tz: chrono_tz::America::New_York,
            hours,
            now: utc(now),
        }
    }

    #[test]
    fn business_hours_are_local_weekdays_between_start_and_end_except_holidays() {
        let hours = test_config().business_hours;
        let ny = chrono_tz::America::New_York;
        let at = |s: &str| in_business_hours(&hours, ny, utc(s));
        // Monday 2026-03-02, 09:00 EST is 14:00 UTC; 17:00 EST is 22:00 UTC.
        assert!(at("2026-03-02T14:00:00Z"));
        assert!(!at("2026-03-02T13:59:59Z"));
        assert!(at("2026-03-02T21:59:59Z"));
        assert!(!at("2026-03-02T22:00:00Z"));
        // Saturday, and the configured holiday (a Friday).
        assert!(!at("2026-03-07T15:00:00Z"));
        assert!(!at("2026-12-25T15:00:00Z"));
        assert!(at("2026-12-24T15:00:00Z"));
    }

    #[test]
    fn ack_exactly_on_target_is_met() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let i = incident(1)
            .created("2026-03-01T15:00:00Z")
            .acked("2026-03-01T15:05:00Z")
            .build();
        let v = ack_verdict(&i, Some(&p1()), &c);
        assert_eq!(v.state, VerdictState::Met);
        assert_eq!(v.deadline, Some(utc("2026-03-01T15:05:00Z")));
        assert_eq!(time_to_ack(&i), Some(300));
    }

    #[test]
    fn ack_one_second_over_is_breached_by_one_second() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let i = incident(1)
            .created("2026-03-01T15:00:00Z")
            .acked("2026-03-01T15:05:01Z")
            .build();
        let v = ack_verdict(&i, Some(&p1()), &c);
        assert_eq!(v.state, VerdictState::Breached);
        assert_eq!(v.by_secs.get(), Some(1));
    }

    #[test]
    fn a_fraction_of_a_second_over_is_breached_by_zero_whole_seconds() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let i = incident(1)
            .created("2026-03-01T15:00:00Z")
            .acked("2026-03-01T15:05:00.900Z")
            .build();
        let v = ack_verdict(&i, Some(&p1()), &c);
        assert_eq!(
            (v.state, v.by_secs.get()),
            (VerdictState::Breached, Some(0))
        );
        assert_eq!(time_to_ack(&i), Some(300));
    }

    #[test]
    fn never_acknowledged_but_resolved_within_target_is_met() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let i = incident(1)
            .created("2026-03-01T15:00:00Z")
            .never_acked()
            .resolved("2026-03-01T15:04:00Z")
            .build();
        assert_eq!(ack_verdict(&i, Some(&p1()), &c).state, VerdictState::Met);
        assert_eq!(time_to_ack(&i), None);
    }

    #[test]
    fn never_acknowledged_and_resolved_late_is_breached_by_the_resolution() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let i = incident(1)
            .created("2026-03-01T15:00:00Z")
            .never_acked()
            .resolved("2026-03-01T15:15:00Z")
            .build();
        let v = ack_verdict(&i, Some(&p1()), &c);
        assert_eq!(v.state, VerdictState::Breached);
        assert_eq!(v.by_secs.get(), Some(600));
    }

    #[test]
    fn unresolved_is_breached_by_now_or_pending_near_the_end() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let old = incident(1)
            .created("2026-12-31T00:00:00Z")
            .never_acked()
            .unresolved()
            .build();
        let v = resolve_verdict(&old, Some(&p1()), &c);
        assert_eq!(v.state, VerdictState::Breached);
        assert_eq!(v.by_secs.get(), Some(29 * 3600 - 4 * 3600));
        assert_eq!(
            ack_verdict(&old, Some(&p1()), &c).state,
            VerdictState::Breached
        );

        // Created 2h before "now": the 4h resolve target is still ahead, the 5m ack one is not.
        let late = incident(2)
            .created("2027-01-01T03:00:00Z")
            .never_acked()
            .unresolved()
            .build();
        assert_eq!(
            resolve_verdict(&late, Some(&p1()), &c).state,
            VerdictState::Pending
        );
        assert_eq!(
            ack_verdict(&late, Some(&p1()), &c).state,
            VerdictState::Breached
        );
        // Deadline exactly at "now" is not before it: pending.
        let edge = incident(3)
            .created("2027-01-01T01:00:00Z")
            .unresolved()
            .build();
        assert_eq!(
            resolve_verdict(&edge, Some(&p1()), &c).state,
            VerdictState::Pending
        );
    }

    #[test]
    fn no_ack_data_at_all_is_no_data() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let i = incident(1)
            .created("2026-03-01T15:00:00Z")
            .no_ack_data()
            .resolved("2026-03-01T15:01:00Z")
            .build();
        let v = ack_verdict(&i, Some(&p1()), &c);
        assert_eq!(v.state, VerdictState::NoData);
        assert_eq!(
            resolve_verdict(&i, Some(&p1()), &c).state,
            VerdictState::Met
        );
        // `n/a` comes first (evidence-rules §4): without a target there is nothing to test the
        // missing data against.
        assert_eq!(ack_verdict(&i, None, &c).state, VerdictState::NotApplicable);
    }

    #[test]
    fn no_target_or_unclassified_is_not_applicable() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let i = incident(1)
            .created("2026-03-01T15:00:00Z")
            .acked("2026-03-01T18:00:00Z")
            .build();
        assert_eq!(ack_verdict(&i, None, &c).state, VerdictState::NotApplicable);
        assert_eq!(
            resolve_verdict(&i, Some(&p2()), &c).state,
            VerdictState::NotApplicable
        );
    }

    #[test]
    fn next_business_day_from_friday_evening_is_monday_end() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        // Friday 2026-03-06 19:00 EST.
        let due = c.deadline(utc("2026-03-07T00:00:00Z"), Target::NextBusinessDay);
        assert_eq!(
            due,
            utc("2026-03-09T21:00:00Z"),
            "Monday 17:00 EDT (DST began Sunday)"
        );
        // Saturday and Sunday creations also land on Monday.
        let due = c.deadline(utc("2026-03-08T15:00:00Z"), Target::NextBusinessDay);
        assert_eq!(due, utc("2026-03-09T21:00:00Z"));
    }

    #[test]
    fn next_business_day_skips_a_holiday() {
        let hours = BusinessHours {
            holidays: vec![date("2026-12-25")],
            ..BusinessHours::default()
        };
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        // Thursday 2026-12-24 10:00 EST: Friday is a holiday, so Monday 12-28 17:00 EST.
        let due = c.deadline(utc("2026-12-24T15:00:00Z"), Target::NextBusinessDay);
        assert_eq!(due, utc("2026-12-28T22:00:00Z"));
        // Just before local midnight on Wednesday: the next day, Thursday.
        let due = c.deadline(utc("2026-12-24T04:59:59Z"), Target::NextBusinessDay);
        assert_eq!(due, utc("2026-12-24T22:00:00Z"));
    }

    #[test]
    fn seven_days_across_dst_is_exactly_604800_seconds() {
        let hours = BusinessHours::default();
        let c = clock(&hours, "2027-01-01T05:00:00Z");
        let from = utc("2026-03-05T15:00:00Z");
        let due = c.deadline(from, Target::Elapsed(604_800));
        assert_eq!(secs_between(from, due), 604_800);
        // Local wall time moved by an hour: 10:00 EST → 11:00 EDT.
        assert_eq!(
            crate::util::local_time(due, c.tz),
            "2026-03-12 11:00 -04:00"
        );
    }

    #[test]
    fn seconds_columns_decide_the_times() {
        let i = incident(1)
            .created("2026-03-01T15:00:00Z")
            .secs_to_ack(42)
            .secs_to_resolve(3305)
            .build();
        assert_eq!(time_to_ack(&i), Some(42));
        assert_eq!(time_to_resolve(&i), Some(3305));
    }
}
