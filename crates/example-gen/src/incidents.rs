//! The incident population: creation times, priorities, responders and response times, plus the
//! verdicts the evidence rules will reach on them (so the generator knows its exceptions).

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

use super::company::{self, ENGINEERS, SERVICES};
use super::period::Period;
use super::rng::Rng;

/// Incidents created in the last days of the previous year that the first export also holds.
pub const BEFORE_PERIOD: usize = 5;

/// An acknowledgement target as the policy states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    Within(i64),
    NextBusinessDay,
}

/// The policy's targets per priority P1..P4 — the one source for the policy file and the verdicts.
pub const ACK: [Ack; 4] = [
    Ack::Within(300),
    Ack::Within(900),
    Ack::Within(3600),
    Ack::NextBusinessDay,
];
/// The current policy's resolve targets, which response times are drawn around; the verdicts use
/// the period's own ([`Period::resolve`]).
pub const RESOLVE: [Option<i64>; 4] = [Some(4 * 3600), Some(86_400), Some(5 * 86_400), None];
pub const POSTMORTEM: [Option<i64>; 4] = [Some(5 * 86_400), None, None, None];

/// How the production escalation policy actually paged (PagerDuty's configuration, which the
/// snapshot in `pagerduty` shows and the incidents' escalations follow).
///
/// The documented path is paged at 0, 5, 15 and 30 minutes: delays 5, 10, 15. From the edit of
/// [`DRIFT_EDIT`] until it was put back at [`DRIFT_REVERT`], PagerDuty waited 15 minutes at level 2
/// and 10 at level 3 (level 3 at 20 minutes): an `escalation_drift` that starts and ends inside
/// the period, dated by the two audit records.
pub const DELAYS_BEFORE: [i64; 4] = [5, 10, 15, 30];
pub const DELAYS: [i64; 4] = [5, 15, 10, 30];
/// When the escalation policy was edited, and when the edit was undone (local time).
pub const DRIFT_EDIT: (u32, u32, u32, u32) = (9, 14, 16, 42);
pub const DRIFT_REVERT: (u32, u32, u32, u32) = (11, 23, 10, 5);

/// Seconds after the trigger at which each level of the production policy was paged at `at`.
pub fn paged_after_secs(cal: &Calendar, at: DateTime<Utc>) -> [i64; 4] {
    let instant = |(m, d, h, min): (u32, u32, u32, u32)| {
        cal.instant(date(cal.year(), m, d).and_hms_opt(h, min, 0).unwrap())
    };
    let drifted = at >= instant(DRIFT_EDIT) && at < instant(DRIFT_REVERT);
    let delays = if drifted { DELAYS } else { DELAYS_BEFORE };
    let mut out = [0; 4];
    for level in 1..4 {
        out[level] = out[level - 1] + delays[level - 1] * 60;
    }
    out
}

/// Who can act on an incident: the six rotation engineers, then the SRE lead and the manager.
pub const SRE_LEAD: usize = 6;
pub const MANAGER: usize = 7;

pub fn person(index: usize) -> &'static company::Person {
    match index {
        SRE_LEAD => &company::SRE_LEAD,
        MANAGER => &company::ENG_MANAGER,
        i => &ENGINEERS[i],
    }
}

/// The audit period's calendar: zone, business days and the build's "now".
pub struct Calendar {
    pub period: Period,
    pub tz: Tz,
    pub holidays: Vec<NaiveDate>,
    pub start: DateTime<Utc>,
    /// End of the as-of date (00:00 local on the following day): the rules' "now".
    pub now: DateTime<Utc>,
}

impl Calendar {
    pub fn fy2026() -> Calendar {
        Calendar::of(Period::Fy2026)
    }

    pub fn of(period: Period) -> Calendar {
        let tz = chrono_tz::America::New_York;
        let midnight = |d: NaiveDate| instant_in(tz, d.and_time(NaiveTime::MIN));
        let year = period.year();
        Calendar {
            period,
            tz,
            holidays: company::holidays(period.holidays(), year),
            start: midnight(date(year, 1, 1)),
            now: midnight(date(year + 1, 1, 1)),
        }
    }

    pub fn year(&self) -> i32 {
        self.period.year()
    }

    /// The last day of the period (site.toml's `as_of`).
    pub fn as_of(&self) -> NaiveDate {
        date(self.year(), 12, 31)
    }

    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        self.tz.from_utc_datetime(&at.naive_utc()).naive_local()
    }

    pub fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        instant_in(self.tz, local)
    }

    /// Business-hours end on the first business day strictly after the local creation date.
    pub fn next_business_day_end(&self, created: DateTime<Utc>) -> DateTime<Utc> {
        let mut day = self.local(created).date() + Duration::days(1);
        while !company::is_business_day(day, &self.holidays) {
            day += Duration::days(1);
        }
        self.instant(day.and_time(NaiveTime::from_hms_opt(17, 0, 0).unwrap()))
    }

    /// Nights (20:00–08:00) and weekends, when pages are answered more slowly.
    pub fn off_hours(&self, at: DateTime<Utc>) -> bool {
        let local = self.local(at);
        let weekend = matches!(local.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
        weekend || local.hour() < 8 || local.hour() >= 20
    }

    pub fn in_period(&self, at: DateTime<Utc>) -> bool {
        at >= self.start && at < self.now
    }

    /// The primary on call at an instant: weekly rotation handed over Mondays 10:00, with the
    /// holiday overrides of the on-call policy.
    pub fn on_call(&self, at: DateTime<Utc>) -> usize {
        let local = self.local(at);
        let day = local.date();
        for o in self.period.overrides() {
            let (first, last) = (
                date(self.year(), o.first.0, o.first.1),
                date(self.year(), o.last.0, o.last.1),
            );
            if (first..=last).contains(&day) {
                return o.engineer;
            }
        }
        let since = (local - Duration::hours(10)) - date(2025, 12, 29).and_time(NaiveTime::MIN);
        since.num_days().div_euclid(7).rem_euclid(6) as usize
    }
}

/// A local wall-clock time as an instant: the earlier one when it occurs twice, an hour later when
/// it falls in the spring-forward gap.
fn instant_in(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => instant_in(tz, local + Duration::hours(1)),
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// One generated incident, in the terms every export variant is written from.
#[derive(Debug, Clone)]
pub struct Inc {
    pub number: u64,
    pub id: String,
    pub service: usize,
    /// The severity it really had, 0-based (0 = P1).
    pub priority: usize,
    pub urgency: &'static str,
    pub title: String,
    pub created: DateTime<Utc>,
    pub ack_secs: Option<i64>,
    pub resolve_secs: Option<i64>,
    pub auto_resolved: bool,
    pub acked_by: Option<usize>,
    pub resolved_by: Option<usize>,
    pub assigned: usize,
    pub escalations: u32,
    pub in_period: bool,
}

impl Inc {
    pub fn acked_at(&self) -> Option<DateTime<Utc>> {
        self.ack_secs.map(|s| self.created + Duration::seconds(s))
    }

    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.resolve_secs
            .map(|s| self.created + Duration::seconds(s))
    }

    pub fn level(&self) -> String {
        format!("P{}", self.priority + 1)
    }

    pub fn url(&self) -> String {
        format!("{}/incidents/{}", company::PAGERDUTY, self.id)
    }
}

/// The population plus the incidents later steps build stories around.
pub struct Population {
    pub incidents: Vec<Inc>,
    /// A P1 and the P2 it set off two minutes later (one postmortem covers both).
    pub related: Option<(usize, usize)>,
    /// A P3 left unresolved past its resolve target at the as-of date.
    pub left_open: Option<usize>,
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Relative incident volume by local hour: busier in working hours, when deploys happen.
const HOUR_WEIGHTS: [u64; 24] = [
    3, 2, 2, 2, 2, 3, 4, 6, 9, 12, 13, 13, 12, 13, 13, 12, 11, 9, 7, 6, 5, 5, 4, 3,
];

pub fn generate(n: usize, seed: u64, cal: &Calendar) -> Population {
    let mut rng = Rng::stream(seed, "created");
    let mut times: Vec<DateTime<Utc>> = (0..BEFORE_PERIOD)
        .map(|_| creation_time(&mut rng, cal, date(cal.year() - 1, 12, 28), 4))
        .collect();
    let mut in_period: Vec<DateTime<Utc>> = (0..n)
        .map(|_| creation_time(&mut rng, cal, date(cal.year(), 1, 1), 365))
        .collect();
    times.sort();
    in_period.sort();
    times.extend(in_period);

    let mut rng = Rng::stream(seed, "priority");
    let mut priorities: Vec<usize> = (0..BEFORE_PERIOD)
        .map(|_| 2 + usize::from(rng.chance(600)))
        .collect();
    priorities.extend(priority_quotas(n, &mut rng));
    let related = relate_pair(&mut priorities, &mut times, &mut rng);

    let mut rng = Rng::stream(seed, "incidents");
    let gaps = [
        BEFORE_PERIOD + rng.below(n as u64 / 2 + 1) as usize,
        BEFORE_PERIOD + (n / 2) + rng.below(n as u64 / 2 + 1) as usize,
    ];
    let mut number = cal.period.first_number() - BEFORE_PERIOD as u64;
    let mut incidents = Vec::with_capacity(times.len());
    for (i, (&created, &priority)) in times.iter().zip(&priorities).enumerate() {
        // Numbers used by incidents on services outside the exports leave gaps in the sequence.
        if i == gaps[0] {
            number += 1;
        } else if i == gaps[1] {
            number += 3;
        }
        incidents.push(incident(&mut rng, cal, number, created, priority));
        number += 1;
    }
    let left_open = leave_one_open(&mut incidents, cal);
    Population {
        incidents,
        related,
        left_open,
    }
}

/// A creation instant on one of `days` days from `first`, weekends and nights quieter.
fn creation_time(rng: &mut Rng, cal: &Calendar, first: NaiveDate, days: u64) -> DateTime<Utc> {
    loop {
        let day = first + Duration::days(rng.below(days) as i64);
        if company::is_business_day(day, &[]) || rng.chance(550) {
            let hour = rng.weighted(&HOUR_WEIGHTS) as u32;
            let secs = rng.below(3600) as u32;
            let t = NaiveTime::from_hms_opt(hour, secs / 60, secs % 60).unwrap();
            return cal.instant(day.and_time(t));
        }
    }
}

/// Exact shares inside the ranges a realistic SaaS sees: P1 2.0–2.5 %, P2 9–11 %, P3 33–37 %.
fn priority_quotas(n: usize, rng: &mut Rng) -> Vec<usize> {
    let share = |rng: &mut Rng, lo: i64, hi: i64| n * rng.between(lo, hi) as usize / 10_000;
    let p1 = share(rng, 200, 250).max(1);
    let p2 = share(rng, 900, 1100);
    let p3 = share(rng, 3300, 3700);
    let mut v = Vec::with_capacity(n);
    for (level, count) in [(0, p1), (1, p2), (2, p3)] {
        v.extend(std::iter::repeat_n(level, count));
    }
    v.resize(n, 3);
    rng.shuffle(&mut v);
    v
}

/// Makes the incident after some P1 a P2 raised two and a half minutes later (a knock-on alert),
/// swapping priorities with another P2 so the mix is unchanged.
fn relate_pair(
    prio: &mut [usize],
    times: &mut [DateTime<Utc>],
    rng: &mut Rng,
) -> Option<(usize, usize)> {
    let candidates: Vec<usize> = (BEFORE_PERIOD..prio.len().saturating_sub(2))
        .filter(|&i| prio[i] == 0 && prio[i + 1] != 0)
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let a = *rng.pick(&candidates);
    let b = a + 1;
    if prio[b] != 1 {
        let other = (BEFORE_PERIOD..prio.len()).find(|&j| prio[j] == 1 && j != b)?;
        prio.swap(b, other);
    }
    let soon = times[a] + Duration::seconds(150);
    times[b] = if soon < times[b + 1] {
        soon
    } else {
        times[a] + (times[b + 1] - times[a]) / 2
    };
    Some((a, b))
}

fn incident(
    rng: &mut Rng,
    cal: &Calendar,
    number: u64,
    created: DateTime<Utc>,
    priority: usize,
) -> Inc {
    let weights: Vec<u64> = SERVICES.iter().map(|s| s.weights[priority]).collect();
    let service = rng.weighted(&weights);
    let urgency = match priority {
        0 | 1 => "high",
        2 if rng.chance(700) => "high",
        _ => "low",
    };
    let on_call = cal.on_call(created);
    let mut inc = Inc {
        number,
        id: format!("Q{}", rng.token(ALNUM, 13)),
        service,
        priority,
        urgency,
        title: title(rng, service, priority),
        created,
        ack_secs: None,
        resolve_secs: None,
        auto_resolved: false,
        acked_by: None,
        resolved_by: None,
        assigned: on_call,
        escalations: 0,
        in_period: cal.in_period(created),
    };
    let never_acked = priority >= 2 && rng.chance(12);
    if !never_acked {
        inc.ack_secs = Some(ack_secs(rng, cal, &inc));
    }
    // Alerts nobody acknowledged mostly cleared by themselves within minutes.
    let resolve = if never_acked {
        rng.from_buckets(&[(85, 120, 2400), (15, 4000, 20_000)])
    } else {
        resolve_secs(rng, priority, inc.ack_secs)
    };
    inc.resolve_secs = Some(resolve);
    // Escalation follows PagerDuty's configuration: the documented path (levels 2, 3, 4 paged
    // after 5, 15 and 30 minutes), except between the September edit and its November undoing,
    // which paged level 3 at 20 minutes.
    if urgency == "high" {
        let waited = inc.ack_secs.unwrap_or(resolve);
        let paged = paged_after_secs(cal, created);
        inc.escalations = paged[1..].iter().filter(|&&t| waited > t).count() as u32;
    }
    if inc.ack_secs.is_some() {
        inc.acked_by = Some(match inc.escalations {
            0 => on_call,
            1 if rng.chance(400) => SRE_LEAD,
            2.. if rng.chance(300) => MANAGER,
            _ => on_call,
        });
    }
    inc.auto_resolved = never_acked || (priority >= 2 && rng.chance(250));
    if !inc.auto_resolved {
        inc.resolved_by = match inc.acked_by {
            Some(who) if rng.chance(850) => Some(who),
            _ => Some(if rng.chance(500) {
                SRE_LEAD
            } else {
                (on_call + 1) % 6
            }),
        };
    }
    // What had not happened by the as-of date is not in the exports.
    if inc.acked_at().is_some_and(|at| at >= cal.now) {
        inc.ack_secs = None;
        inc.acked_by = None;
    }
    if inc.resolved_at().is_some_and(|at| at >= cal.now) {
        inc.resolve_secs = None;
        inc.resolved_by = None;
        inc.auto_resolved = false;
    }
    inc
}

fn title(rng: &mut Rng, service: usize, priority: usize) -> String {
    let s = &SERVICES[service];
    let pool = if priority <= 1 { s.major } else { s.minor };
    let mut t = rng
        .pick(pool)
        .replace("{n}", &rng.between(1, 9).to_string())
        .replace("{h}", &rng.between(1, 6).to_string());
    // Some monitors end their message with a newline, which the exports keep inside the quotes.
    if t.contains("chef-client") && rng.chance(150) {
        t.push('\n');
    }
    if priority <= 2 && rng.chance(30) {
        t.push_str(&format!(" (OPS-{})", rng.between(1200, 1990)));
    }
    t
}

/// Seconds to first acknowledgement: mostly well inside the target, a long tail beyond it that is
/// fatter at night and at weekends.
fn ack_secs(rng: &mut Rng, cal: &Calendar, inc: &Inc) -> i64 {
    let late_per_mille =
        [60, 50, 40, 25][inc.priority] * if cal.off_hours(inc.created) { 5 } else { 2 } / 2;
    let late = rng.chance(late_per_mille);
    match ACK[inc.priority] {
        Ack::Within(target) => {
            if late {
                target
                    + rng.from_buckets(&[
                        (60, 1, target),
                        (30, target + 1, 4 * target),
                        (10, 4 * target + 1, 12 * target),
                    ])
            } else {
                rng.from_buckets(&[
                    (50, 15, target * 2 / 5),
                    (35, target * 2 / 5 + 1, target * 4 / 5),
                    (15, target * 4 / 5 + 1, target),
                ])
            }
        }
        Ack::NextBusinessDay => {
            let room = (cal.next_business_day_end(inc.created) - inc.created).num_seconds();
            if late {
                room + rng.from_buckets(&[(70, 60, 4 * 3600), (30, 4 * 3600 + 1, 3 * 86_400)])
            } else {
                rng.from_buckets(&[
                    (50, 120, 3600),
                    (30, 3601, 4 * 3600),
                    (20, 4 * 3600 + 1, room),
                ])
                .min(room)
            }
        }
    }
}

/// Seconds from trigger to resolution, after the acknowledgement when there was one.
fn resolve_secs(rng: &mut Rng, priority: usize, ack: Option<i64>) -> i64 {
    let total = match RESOLVE[priority] {
        Some(target) => {
            let late = rng.chance([100, 70, 50, 0][priority]);
            if late {
                target + rng.from_buckets(&[(70, 60, target / 2), (30, target / 2 + 1, 2 * target)])
            } else {
                rng.from_buckets(&[
                    (40, 300, target / 8),
                    (35, target / 8 + 1, target / 2),
                    (25, target / 2 + 1, target),
                ])
            }
        }
        None => rng.from_buckets(&[
            (40, 300, 7200),
            (35, 7201, 172_800),
            (25, 172_801, 1_209_600),
        ]),
    };
    match ack {
        Some(a) if total <= a => a + rng.between(60, 1800),
        _ => total,
    }
}

/// The last P3 created before 21 December stays unresolved: a resolve breach at the as-of date.
fn leave_one_open(incidents: &mut [Inc], cal: &Calendar) -> Option<usize> {
    let cutoff = cal.instant(date(cal.year(), 12, 21).and_time(NaiveTime::MIN));
    let i = incidents.iter().rposition(|inc| {
        inc.in_period && inc.priority == 2 && inc.created < cutoff && inc.ack_secs.is_some()
    })?;
    let inc = &mut incidents[i];
    inc.resolve_secs = None;
    inc.resolved_by = None;
    inc.auto_resolved = false;
    Some(i)
}

/// A verdict as evidence-rules.md §4 reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Breached(i64),
    Pending,
    NotApplicable,
}

pub fn ack_deadline(inc: &Inc, cal: &Calendar) -> DateTime<Utc> {
    match ACK[inc.priority] {
        Ack::Within(secs) => inc.created + Duration::seconds(secs),
        Ack::NextBusinessDay => cal.next_business_day_end(inc.created),
    }
}

pub fn ack_verdict(inc: &Inc, cal: &Calendar) -> Verdict {
    let deadline = ack_deadline(inc, cal);
    match (inc.acked_at(), inc.resolved_at()) {
        (Some(at), _) | (None, Some(at)) if at <= deadline => Verdict::Met,
        (Some(at), _) => Verdict::Breached((at - deadline).num_seconds()),
        (None, Some(at)) => Verdict::Breached((at - deadline).num_seconds()),
        (None, None) if deadline >= cal.now => Verdict::Pending,
        (None, None) => Verdict::Breached((cal.now - deadline).num_seconds()),
    }
}

pub fn resolve_verdict(inc: &Inc, cal: &Calendar) -> Verdict {
    let Some(target) = cal.period.resolve()[inc.priority] else {
        return Verdict::NotApplicable;
    };
    let deadline = inc.created + Duration::seconds(target);
    match inc.resolved_at() {
        Some(at) if at <= deadline => Verdict::Met,
        Some(at) => Verdict::Breached((at - deadline).num_seconds()),
        None if deadline >= cal.now => Verdict::Pending,
        None => Verdict::Breached((cal.now - deadline).num_seconds()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(cal: &Calendar, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        cal.instant(date(y, m, d).and_hms_opt(h, min, 0).unwrap())
    }

    #[test]
    fn next_business_day_skips_weekends_and_holidays() {
        let cal = Calendar::fy2026();
        // Wednesday 25 November → Monday 30 November (Thanksgiving and the day after are holidays).
        let created = at(&cal, 2026, 11, 25, 23, 50);
        assert_eq!(
            cal.next_business_day_end(created),
            at(&cal, 2026, 11, 30, 17, 0)
        );
        // Friday 2 January → Monday 5 January.
        assert_eq!(
            cal.next_business_day_end(at(&cal, 2026, 1, 2, 9, 0)),
            at(&cal, 2026, 1, 5, 17, 0)
        );
    }

    #[test]
    fn rotation_hands_over_on_monday_morning_and_honours_overrides() {
        let cal = Calendar::fy2026();
        let monday_early = cal.on_call(at(&cal, 2026, 2, 9, 9, 0));
        let monday_late = cal.on_call(at(&cal, 2026, 2, 9, 11, 0));
        assert_eq!((monday_early + 1) % 6, monday_late);
        assert_eq!(cal.on_call(at(&cal, 2026, 11, 26, 12, 0)), 4);
    }

    fn inc(cal: &Calendar, priority: usize, ack: Option<i64>, resolve: Option<i64>) -> Inc {
        Inc {
            number: 1,
            id: "Q".into(),
            service: 0,
            priority,
            urgency: "high",
            title: String::new(),
            created: at(cal, 2026, 3, 4, 10, 0),
            ack_secs: ack,
            resolve_secs: resolve,
            auto_resolved: ack.is_none(),
            acked_by: None,
            resolved_by: None,
            assigned: 0,
            escalations: 0,
            in_period: true,
        }
    }

    #[test]
    fn verdicts_follow_the_evidence_rules() {
        let cal = Calendar::fy2026();
        assert_eq!(
            ack_verdict(&inc(&cal, 0, Some(300), Some(900)), &cal),
            Verdict::Met
        );
        assert_eq!(
            ack_verdict(&inc(&cal, 0, Some(372), Some(900)), &cal),
            Verdict::Breached(72)
        );
        // Never acknowledged: judged by the resolution.
        assert_eq!(
            ack_verdict(&inc(&cal, 2, None, Some(1200)), &cal),
            Verdict::Met
        );
        assert_eq!(
            ack_verdict(&inc(&cal, 2, None, Some(3700)), &cal),
            Verdict::Breached(100)
        );
        assert_eq!(
            resolve_verdict(&inc(&cal, 3, Some(60), None), &cal),
            Verdict::NotApplicable
        );
        // Unresolved past its deadline; `5d` is exact elapsed time, across the March DST change
        // (so 11:00 local on 9 March, not 10:00).
        let open = inc(&cal, 2, Some(60), None);
        let deadline = at(&cal, 2026, 3, 9, 11, 0);
        assert_eq!(
            resolve_verdict(&open, &cal),
            Verdict::Breached((cal.now - deadline).num_seconds())
        );
    }
}
