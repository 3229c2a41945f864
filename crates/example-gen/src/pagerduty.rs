//! The PagerDuty REST API snapshot of the example account, in the layout `pagerproof fetch
//! pagerduty` writes (see [`pagerproof::fetch::pagerduty`]): escalation policies, schedules rendered over
//! the period, overrides, services, priorities, users, audit records and the fetch record.
//!
//! Its incidents and log entries (made by [`super::timelines`]) tell the same story as the CSV
//! exports, which the population is read from first: every in-period incident whose row survives,
//! with the log entries that give it a timeline.
//!
//! Two things are wrong on purpose, as they are in real accounts: an escalation policy edit in
//! September paged level 3 five minutes later than the policy documents until it was undone in
//! November (one `escalation_drift`, dated by the two audit records),
//! and a schedule layer edit on a hand-off Monday left the primary rotation empty for three hours
//! (one `coverage_gap`). The rest reproduces the generator's rotation, overrides and people.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde_json::{Value, json};

use super::company::{self, ENGINEERS, Person, SERVICES};
use super::fetch_pages::Line;
use super::incidents::{Calendar, DELAYS, DELAYS_BEFORE, DRIFT_EDIT, DRIFT_REVERT, Inc, date};
use super::rng::Rng;
use super::write_file;
use pagerproof::model::layout::pagerduty as layout;
use pagerproof::model::{FetchRecord, FetchWindow};
use pagerproof::util::utc_rfc3339;

pub const API: &str = "https://api.pagerduty.com";
pub const PRIMARY_SCHEDULE: &str = "PSQ2W7K";
pub const SECONDARY_SCHEDULE: &str = "PSE4N8J";
/// Upgraded to schedules v3 (read through `/v3/schedules`).
pub const BUSINESS_HOURS_SCHEDULE: &str = "PSB7H3D";
const BUSINESS_HOURS_NAME: &str = "Internal Tools (business hours)";
const SECURITY_POLICY: &str = "PSX8R2M";
const LOW_URGENCY_POLICY: &str = "PLU6B3T";
const TEAM_ID: &str = "PTM5E9A";
const SECURITY_TEAM: (&str, &str) = ("PTS3C1Y", "Security");
/// The gap is the first primary hand-off Monday from this date with no incident created in it.
const GAP_SEARCH_FROM: (u32, u32) = (8, 3);
const GAP_HOURS: i64 = 3;
const WEEK: i64 = 7 * 86_400;
/// Ids of the period's four holiday overrides (`Period::overrides`), in order.
const OVERRIDE_IDS: [&str; 4] = ["PQ4VX1A", "PQ7KD3B", "PQ2ZR8C", "PQ9HM5D"];
const PRIMARY_DESCRIPTION: &str = "Weekly primary rotation, hand-off Mondays 10:00 America/New_York. \
                                   Holiday cover by override (On-call Policy).";

/// Other people with a PagerDuty login.
pub(crate) const CTO_USER: Person = Person {
    name: "Sofia Marquez",
    email: "sofia.marquez@northwind.example",
    pd_id: "PSM6Q2Z",
};
pub(crate) const VP_USER: Person = Person {
    name: "Dana Whitfield",
    email: "dana.whitfield@northwind.example",
    pd_id: "PDW8T4C",
};
const SECURITY_USER: Person = Person {
    name: "Oliver Grant",
    email: "oliver.grant@northwind.example",
    pd_id: super::configuration::SECURITY_USER_ID,
};
/// Joined in June (the audit log creates her).
const JOINER: Person = Person {
    name: "Noor Haddad",
    email: "noor.haddad@northwind.example",
    pd_id: "PNH3J5W",
};
/// Left in March (the audit log deletes him; deleted users are not listed).
const LEAVER: Person = Person {
    name: "Ben Foster",
    email: "ben.foster@northwind.example",
    pd_id: "PBF9K2D",
};

/// The on-call facts the snapshot was built around.
#[derive(Debug, Clone)]
pub struct OnCall {
    /// [start, end) of the primary rotation's hole.
    pub gap: (DateTime<Utc>, DateTime<Utc>),
    /// Documented level whose configured time differs.
    pub drift_level: u32,
}

impl OnCall {
    /// The exception ids a build reports for them.
    pub fn exception_subjects(&self) -> [(&'static str, String); 2] {
        [
            (
                "coverage_gap",
                format!(
                    "{}@{}",
                    company::ESCALATION_POLICY_ID,
                    utc_rfc3339(self.gap.0)
                ),
            ),
            (
                "escalation_drift",
                format!(
                    "{}/level-{}",
                    company::ESCALATION_POLICY_ID,
                    self.drift_level
                ),
            ),
        ]
    }
}

/// Where the hole goes: a hand-off Monday 10:00–13:00 local from August on, the first with no
/// incident raised in it (the fewest, for very large sites).
pub fn plan(incs: &[Inc], cal: &Calendar) -> OnCall {
    let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap();
    // The first Monday on or after the date, whatever the year.
    let mut first = date(cal.year(), GAP_SEARCH_FROM.0, GAP_SEARCH_FROM.1);
    while chrono::Datelike::weekday(&first) != chrono::Weekday::Mon {
        first += Duration::days(1);
    }
    let windows = (0..21).map(|week| {
        let start = cal.instant((first + Duration::weeks(week)).and_time(ten));
        (start, start + Duration::hours(GAP_HOURS))
    });
    let raised = |(a, b): (DateTime<Utc>, DateTime<Utc>)| {
        incs.iter()
            .filter(|i| i.created >= a && i.created < b)
            .count()
    };
    let mut best = None;
    for w in windows {
        let n = raised(w);
        if best.is_none_or(|(_, m)| n < m) {
            best = Some((w, n));
        }
        if n == 0 {
            break;
        }
    }
    OnCall {
        gap: best.expect("at least one week").0,
        drift_level: 3,
    }
}

/// Writes `content/pagerduty/`. `notification_change`: the day the engineers added phone-call
/// notification rules (a management response's remediation).
pub fn write(
    out: &Path,
    incs: &[Inc],
    cal: &Calendar,
    oncall: &OnCall,
    notification_change: NaiveDate,
    seed: u64,
    (incidents, log_entries): (Vec<Line>, Vec<Line>),
) -> Result<()> {
    let mut rng = Rng::stream(seed, "pagerduty");
    let mut files: Vec<(&str, Vec<Value>)> = vec![
        (layout::ESCALATION_POLICIES, escalation_policies()),
        (layout::SCHEDULES, schedules(cal, oncall)),
        (layout::OVERRIDES, overrides(cal)),
        (layout::SERVICES, services(incs)),
        (layout::PRIORITIES, priorities()),
        (layout::USERS, users()),
        (
            layout::AUDIT_RECORDS,
            audit_records(cal, oncall, notification_change, &mut rng),
        ),
    ];
    files.extend(super::configuration::automation_files());
    let lines = [
        (layout::INCIDENTS, incidents),
        (layout::LOG_ENTRIES, log_entries),
    ];
    for (name, records) in &lines {
        write_lines(out, &format!("content/pagerduty/{name}"), records)?;
    }
    let mut counts = Vec::new();
    for (name, records) in &files {
        let mut text = String::new();
        for r in records {
            text.push_str(&serde_json::to_string(r)?);
            text.push('\n');
        }
        write_file(out, &format!("content/pagerduty/{name}"), text.as_bytes())?;
        counts.push((*name, records));
    }
    let lines: Vec<(&str, &[Line])> = lines.iter().map(|(n, l)| (*n, l.as_slice())).collect();
    let record = fetch_record(cal, &counts, &lines);
    let mut text = serde_json::to_string_pretty(&serde_json::to_value(&record)?)?;
    text.push('\n');
    write_file(
        out,
        &format!("content/pagerduty/{}", layout::FETCH_RECORD),
        text.as_bytes(),
    )
}

/// Writes one JSON Lines file line by line: the log at 1M incidents is gigabytes.
fn write_lines(out: &Path, rel: &str, records: &[Line]) -> Result<()> {
    use std::io::Write;
    let path = out.join(rel);
    let cannot = || format!("{}: cannot write", path.display());
    write_file(out, rel, b"")?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).with_context(cannot)?);
    for r in records {
        file.write_all(r.json.as_bytes()).with_context(cannot)?;
        file.write_all(b"\n").with_context(cannot)?;
    }
    file.flush().with_context(cannot)
}

pub(crate) fn api_self(kind: &str, id: &str) -> String {
    format!("{API}/{kind}/{id}")
}

pub(crate) fn html(kind: &str, id: &str) -> String {
    format!("{}/{kind}/{id}", company::PAGERDUTY)
}

pub(crate) fn reference(kind: &str, id: &str, summary: &str) -> Value {
    let plural = match kind {
        "escalation_policy" => "escalation_policies".to_string(),
        k => format!("{k}s"),
    };
    json!({
        "id": id,
        "type": format!("{kind}_reference"),
        "summary": summary,
        "self": api_self(&plural, id),
        "html_url": html(&plural, id),
    })
}

pub(crate) fn user_ref(p: &Person) -> Value {
    reference("user", p.pd_id, p.name)
}

pub(crate) fn team_ref() -> Value {
    reference("team", TEAM_ID, company::TEAM)
}

fn schedule_ref(id: &str) -> Value {
    let name = if id == PRIMARY_SCHEDULE {
        "Platform Primary (weekly)"
    } else {
        "Platform Secondary (SRE)"
    };
    reference("schedule", id, name)
}

pub(crate) fn production_ref() -> Value {
    reference(
        "escalation_policy",
        company::ESCALATION_POLICY_ID,
        company::ESCALATION_POLICY,
    )
}

fn rule(id: &str, delay: i64, targets: Vec<Value>) -> Value {
    json!({"id": id, "escalation_delay_in_minutes": delay, "targets": targets})
}

fn escalation_policies() -> Vec<Value> {
    let services: Vec<Value> = SERVICES
        .iter()
        .map(|s| reference("service", s.pd_id, s.name))
        .collect();
    let policy = |id: &str, name: &str, description: &str, loops: u32, rules: Vec<Value>| {
        json!({
            "id": id,
            "type": "escalation_policy",
            "summary": name,
            "name": name,
            "description": description,
            "self": api_self("escalation_policies", id),
            "html_url": html("escalation_policies", id),
            "num_loops": loops,
            "on_call_handoff_notifications": "if_has_services",
            "escalation_rules": rules,
            "services": [],
            "teams": [team_ref()],
        })
    };
    let mut production = policy(
        company::ESCALATION_POLICY_ID,
        company::ESCALATION_POLICY,
        "Customer-facing production services. See the Incident Response Policy, section 5.",
        1,
        vec![
            rule(
                "PR1A4XQ",
                DELAYS_BEFORE[0],
                vec![schedule_ref(PRIMARY_SCHEDULE)],
            ),
            rule(
                "PR2B7MV",
                DELAYS_BEFORE[1],
                vec![schedule_ref(SECONDARY_SCHEDULE)],
            ),
            rule(
                "PR3C2KD",
                DELAYS_BEFORE[2],
                vec![user_ref(&company::ENG_MANAGER)],
            ),
            rule(
                "PR4D9TN",
                DELAYS_BEFORE[3],
                vec![user_ref(&CTO_USER), user_ref(&VP_USER)],
            ),
        ],
    );
    production["services"] = json!(services);
    let mut security = policy(
        SECURITY_POLICY,
        "Security Incident Response",
        "Paged manually by the incident commander for a suspected security breach.",
        2,
        vec![
            rule("PR5E3WB", 10, vec![user_ref(&SECURITY_USER)]),
            rule("PR6F8HS", 15, vec![user_ref(&CTO_USER)]),
        ],
    );
    security["teams"] = json!([reference("team", SECURITY_TEAM.0, SECURITY_TEAM.1)]);
    let low = policy(
        LOW_URGENCY_POLICY,
        "Platform Low Urgency (business hours)",
        "Internal tooling alerts: the business-hours schedule, then the SRE lead.",
        0,
        vec![
            rule(
                "PR7G1LC",
                60,
                vec![reference(
                    "schedule",
                    BUSINESS_HOURS_SCHEDULE,
                    BUSINESS_HOURS_NAME,
                )],
            ),
            rule("PR8H5RP", 60, vec![user_ref(&company::SRE_LEAD)]),
        ],
    );
    let mut all = vec![production, security, low];
    all.sort_by_key(pagerproof::fetch::pagerduty::id_of);
    all
}

/// One rendered schedule entry.
fn entry(start: DateTime<Utc>, end: DateTime<Utc>, who: &Person) -> Value {
    json!({"start": utc_rfc3339(start), "end": utc_rfc3339(end), "user": user_ref(who)})
}

/// The week's primary from the weekly rotation alone (hand-off Mondays 10:00 local).
fn rotation_at(cal: &Calendar, at: DateTime<Utc>) -> usize {
    let local = cal.local(at);
    let since = (local - Duration::hours(10)) - date(2025, 12, 29).and_time(NaiveTime::MIN);
    since.num_days().div_euclid(7).rem_euclid(6) as usize
}

fn handoffs(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap();
    let mut day = date(2025, 12, 29);
    let mut out = Vec::new();
    loop {
        let at = cal.instant(day.and_time(ten));
        if at >= to {
            return out;
        }
        if at > from {
            out.push(at);
        }
        day += Duration::days(7);
    }
}

fn override_span(
    cal: &Calendar,
    first: (u32, u32),
    last: (u32, u32),
) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |d: NaiveDate| cal.instant(d.and_time(NaiveTime::MIN));
    (
        midnight(date(cal.year(), first.0, first.1)),
        midnight(date(cal.year(), last.0, last.1) + Duration::days(1)),
    )
}

/// Consecutive spans [points[i], points[i+1]) with who is on call (None: nobody), adjacent spans
/// of one person merged, as PagerDuty renders a final schedule.
fn render(
    points: &BTreeSet<DateTime<Utc>>,
    who: impl Fn(DateTime<Utc>) -> Option<usize>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, usize)> {
    let points: Vec<DateTime<Utc>> = points.iter().copied().collect();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>, usize)> = Vec::new();
    for w in points.windows(2) {
        let Some(p) = who(w[0]) else { continue };
        match out.last_mut() {
            Some(last) if last.1 == w[0] && last.2 == p => last.1 = w[1],
            _ => out.push((w[0], w[1], p)),
        }
    }
    out
}

fn entries(spans: &[(DateTime<Utc>, DateTime<Utc>, usize)]) -> Vec<Value> {
    spans
        .iter()
        .map(|&(a, b, p)| entry(a, b, super::incidents::person(p)))
        .collect()
}

fn coverage_pct(
    spans: &[(DateTime<Utc>, DateTime<Utc>, usize)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> f64 {
    let covered: i64 = spans.iter().map(|s| (s.1 - s.0).num_seconds()).sum();
    let total = (to - from).num_seconds().max(1);
    // Two decimals, as PagerDuty shows it; integer arithmetic keeps it identical everywhere.
    (covered * 10_000 / total) as f64 / 100.0
}

fn schedules(cal: &Calendar, oncall: &OnCall) -> Vec<Value> {
    let (from, to) = (cal.start, cal.now);
    let (gap_start, gap_end) = oncall.gap;
    let virtual_start =
        cal.instant(date(2025, 12, 29).and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap()));
    let weekly = handoffs(cal, from, to);
    let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = cal
        .period
        .overrides()
        .iter()
        .map(|o| override_span(cal, o.first, o.last))
        .collect();
    let layer = |a: DateTime<Utc>, b: DateTime<Utc>| {
        let mut points: BTreeSet<DateTime<Utc>> = weekly
            .iter()
            .copied()
            .filter(|t| *t > a && *t < b)
            .collect();
        points.extend([a, b]);
        render(&points, |t| Some(rotation_at(cal, t)))
    };
    let layer1 = layer(from, gap_start);
    let layer2 = layer(gap_end, to);
    let mut points: BTreeSet<DateTime<Utc>> = weekly.iter().copied().collect();
    points.extend([from, to, gap_start, gap_end]);
    points.extend(spans.iter().flat_map(|s| [s.0, s.1]));
    let points: BTreeSet<DateTime<Utc>> = points
        .into_iter()
        .filter(|t| *t >= from && *t <= to)
        .collect();
    let final_spans = render(&points, |t| {
        (!(gap_start..gap_end).contains(&t)).then(|| cal.on_call(t))
    });
    let override_spans: Vec<(DateTime<Utc>, DateTime<Utc>, usize)> = cal
        .period
        .overrides()
        .iter()
        .zip(&spans)
        .map(|(o, s)| (s.0.max(from), s.1.min(to), o.engineer))
        .collect();
    let users: Vec<Value> = ENGINEERS.iter().map(user_ref).collect();
    let layer_json = |id: &str,
                      name: &str,
                      start: DateTime<Utc>,
                      end: Option<DateTime<Utc>>,
                      spans: &[(DateTime<Utc>, DateTime<Utc>, usize)]| {
        json!({
            "id": id,
            "name": name,
            "start": utc_rfc3339(start),
            "end": end.map(utc_rfc3339),
            "rotation_virtual_start": utc_rfc3339(virtual_start),
            "rotation_turn_length_seconds": WEEK,
            "users": users.iter().map(|u| json!({"user": u})).collect::<Vec<_>>(),
            "restrictions": [],
            "rendered_schedule_entries": entries(spans),
            "rendered_coverage_percentage": coverage_pct(spans, from, to),
        })
    };
    let schedule = |id: &str,
                    name: &str,
                    description: &str,
                    users: Vec<Value>,
                    layers: Vec<Value>,
                    overrides: &[(DateTime<Utc>, DateTime<Utc>, usize)],
                    fin: &[(DateTime<Utc>, DateTime<Utc>, usize)]| {
        json!({
            "id": id,
            "type": "schedule",
            "summary": name,
            "name": name,
            "description": description,
            "self": api_self("schedules", id),
            "html_url": html("schedules", id),
            "time_zone": "America/New_York",
            "escalation_policies": [production_ref()],
            "users": users,
            "teams": [team_ref()],
            "schedule_layers": layers,
            "overrides_subschedule": {
                "name": "Overrides",
                "rendered_schedule_entries": entries(overrides),
                "rendered_coverage_percentage": coverage_pct(overrides, from, to),
            },
            "final_schedule": {
                "name": "Final Schedule",
                "rendered_schedule_entries": entries(fin),
                "rendered_coverage_percentage": coverage_pct(fin, from, to),
            },
        })
    };
    let primary = schedule(
        PRIMARY_SCHEDULE,
        "Platform Primary (weekly)",
        PRIMARY_DESCRIPTION,
        users.clone(),
        // PagerDuty lists the newest layer first.
        vec![
            layer_json("PL2N6VA", "Weekly rotation (v2)", gap_end, None, &layer2),
            layer_json(
                "PL1M3QE",
                "Weekly rotation",
                virtual_start,
                Some(gap_start),
                &layer1,
            ),
        ],
        &override_spans,
        &final_spans,
    );
    let sre = super::incidents::SRE_LEAD;
    let secondary_spans = vec![(from, to, sre)];
    let secondary = schedule(
        SECONDARY_SCHEDULE,
        "Platform Secondary (SRE)",
        "Secondary on-call: the SRE lead.",
        vec![user_ref(&company::SRE_LEAD)],
        vec![json!({
            "id": "PL3P8WT",
            "name": "SRE lead",
            "start": "2025-06-02T13:00:00Z",
            "end": null,
            "rotation_virtual_start": "2025-06-02T13:00:00Z",
            "rotation_turn_length_seconds": WEEK,
            "users": [{"user": user_ref(&company::SRE_LEAD)}],
            "restrictions": [],
            "rendered_schedule_entries": entries(&secondary_spans),
            "rendered_coverage_percentage": 100.0,
        })],
        &[],
        &secondary_spans,
    );
    let mut all = vec![primary, secondary, business_hours(cal)];
    all.sort_by_key(pagerproof::fetch::pagerduty::id_of);
    all
}

/// A weekday 09:00–17:00 schedule in the v3 shape: one rotation event, its computed shifts.
fn business_hours(cal: &Calendar) -> Value {
    let tz = "America/New_York";
    let local = |t: DateTime<Utc>| json!({"date_time": cal.local(t).format("%Y-%m-%dT%H:%M:%S").to_string(), "time_zone": tz});
    let (nine, five) = (
        NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    );
    let mut shifts = Vec::new();
    let mut day = cal.local(cal.start).date();
    while cal.instant(day.and_time(nine)) < cal.now {
        if company::is_business_day(day, &[]) {
            shifts.push(json!({
                "start_time": local(cal.instant(day.and_time(nine))),
                "end_time": local(cal.instant(day.and_time(five))),
                "member": {"type": "user_member", "user_id": company::SRE_LEAD.pd_id},
                "source": {"type": "rotation", "rotation_id": "PRT4K8M"},
            }));
        }
        day += Duration::days(1);
    }
    json!({
        "id": BUSINESS_HOURS_SCHEDULE,
        "type": "schedule_v3",
        "name": BUSINESS_HOURS_NAME,
        "description": "Low-urgency alerts of internal tooling, weekdays 09:00-17:00.",
        "time_zone": tz,
        "html_url": html("schedules", BUSINESS_HOURS_SCHEDULE),
        "rotations": [{
            "id": "PRT4K8M",
            "events": [{
                "id": "PEV2C6Q",
                "name": "Weekdays",
                "start_time": {"date_time": "2025-09-01T09:00:00", "time_zone": tz},
                "end_time": {"date_time": "2025-09-01T17:00:00", "time_zone": tz},
                "effective_since": "2025-09-01T13:00:00Z",
                "effective_until": null,
                "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"],
                "assignment_strategy": {
                    "type": "rotating_member_assignment_strategy",
                    "shifts_per_member": 1,
                    "members": [{"type": "user_member", "user_id": company::SRE_LEAD.pd_id}],
                },
            }],
        }],
        "final_schedule": {"computed_shift_assignments": shifts},
    })
}

fn overrides(cal: &Calendar) -> Vec<Value> {
    cal.period
        .overrides()
        .iter()
        .zip(OVERRIDE_IDS)
        .map(|(o, id)| {
            let (start, end) = override_span(cal, o.first, o.last);
            json!({
                "schedule_id": PRIMARY_SCHEDULE,
                "override": {
                    "id": id,
                    "start": utc_rfc3339(start),
                    "end": utc_rfc3339(end),
                    "user": user_ref(&ENGINEERS[o.engineer]),
                },
            })
        })
        .collect()
}

fn services(incs: &[Inc]) -> Vec<Value> {
    let urgency_fields = super::configuration::urgency_fields;
    let mut out: Vec<Value> = SERVICES
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let last = incs
                .iter()
                .filter(|i| i.service == k)
                .map(|i| i.created)
                .max();
            json!({
                "id": s.pd_id,
                "type": "service",
                "summary": s.name,
                "name": s.name,
                "description": format!("{} (production). Runbooks: https://wiki.northwind.example/runbooks/{}", s.name, s.name),
                "self": api_self("services", s.pd_id),
                "html_url": html("service-directory", s.pd_id),
                "status": "active",
                "created_at": format!("202{}-0{}-1{}T15:2{}:00Z", 3 + k % 3, 1 + k, k, k),
                "escalation_policy": production_ref(),
                "teams": [team_ref()],
                "integrations": super::configuration::integrations(k, s.pd_id),
                "auto_resolve_timeout": if k == 5 { json!(14_400) } else { Value::Null },
                "acknowledgement_timeout": Value::Null,
                "alert_creation": "create_alerts_and_incidents",
                "incident_urgency_rule": urgency_fields(k).0,
                "support_hours": urgency_fields(k).1,
                "scheduled_actions": [],
                "last_incident_timestamp": last.map(utc_rfc3339),
            })
        })
        .collect();
    out.push(super::configuration::security_service(
        reference(
            "escalation_policy",
            SECURITY_POLICY,
            "Security Incident Response",
        ),
        reference("team", SECURITY_TEAM.0, SECURITY_TEAM.1),
    ));
    out.sort_by_key(pagerproof::fetch::pagerduty::id_of);
    out
}

/// PagerDuty ids of the priorities P1..P4.
pub(crate) const PRIORITY_IDS: [&str; 4] = ["PP1X7CR", "PP2H4GN", "PP3M9DW", "PP4L2SZ"];

fn priorities() -> Vec<Value> {
    company::LEVELS
        .iter()
        .zip(PRIORITY_IDS)
        .map(|((level, _, _, definition), id)| {
            json!({
                "id": id,
                "type": "priority",
                "summary": level,
                "self": api_self("priorities", id),
                "name": level,
                "description": definition,
            })
        })
        .collect()
}

fn users() -> Vec<Value> {
    let mut people: Vec<(&Person, &str, &str)> = ENGINEERS
        .iter()
        .map(|p| (p, "user", "Software Engineer"))
        .collect();
    people.extend([
        (&company::SRE_LEAD, "admin", "SRE Lead"),
        (&company::ENG_MANAGER, "admin", "Engineering Manager"),
        (&CTO_USER, "owner", "CTO"),
        (&VP_USER, "admin", "VP Engineering"),
        (&SECURITY_USER, "user", "Head of Security & Compliance"),
        (&JOINER, "user", "Software Engineer"),
    ]);
    let mut out: Vec<Value> = people
        .into_iter()
        .map(|(p, role, title)| {
            let (contact_methods, notification_rules) = super::configuration::contact_fields(p);
            json!({
                "id": p.pd_id,
                "type": "user",
                "summary": p.name,
                "name": p.name,
                "email": p.email,
                "self": api_self("users", p.pd_id),
                "html_url": html("users", p.pd_id),
                "time_zone": "America/New_York",
                "role": role,
                "job_title": title,
                "description": Value::Null,
                "invitation_sent": false,
                "teams": [team_ref()],
                "contact_methods": contact_methods,
                "notification_rules": notification_rules,
            })
        })
        .collect();
    out.sort_by_key(pagerproof::fetch::pagerduty::id_of);
    out
}

/// One field of an audit record's details: name, value before, value after (strings, as the API
/// sends them).
struct Field(&'static str, Option<String>, Option<String>);

fn set(name: &'static str, value: impl ToString) -> Field {
    Field(name, None, Some(value.to_string()))
}

fn change(name: &'static str, before: impl ToString, after: impl ToString) -> Field {
    Field(name, Some(before.to_string()), Some(after.to_string()))
}

struct Audit {
    at: DateTime<Utc>,
    actor: Value,
    method: Value,
    root: Value,
    action: &'static str,
    resource: Option<Value>,
    fields: Vec<Field>,
    references: Vec<Value>,
}

impl Audit {
    fn browser(at: DateTime<Utc>, actor: &Person, root: Value, action: &'static str) -> Audit {
        Audit {
            at,
            actor: user_ref(actor),
            method: json!({"type": "browser"}),
            root,
            action,
            resource: None,
            fields: Vec::new(),
            references: Vec::new(),
        }
    }

    fn to_json(&self, id: &str, request_id: &str, remote: &str) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|Field(name, before, value)| {
                let mut f = json!({"name": name, "value": value});
                if let Some(b) = before {
                    f["before_value"] = json!(b);
                }
                f
            })
            .collect();
        let mut details =
            json!({"resource": self.resource.clone().unwrap_or_else(|| self.root.clone())});
        if !fields.is_empty() {
            details["fields"] = json!(fields);
        }
        if !self.references.is_empty() {
            details["references"] = json!(self.references);
        }
        let ms = self.at.timestamp_subsec_millis();
        json!({
            "id": id,
            "self": format!("{API}/audit/records/{id}"),
            "execution_time": format!("{}.{ms:03}Z", self.at.format("%Y-%m-%dT%H:%M:%S")),
            "execution_context": {"request_id": request_id, "remote_address": remote},
            "actors": [self.actor],
            "method": self.method,
            "root_resource": self.root,
            "action": self.action,
            "details": details,
        })
    }
}

fn audit_records(
    cal: &Calendar,
    oncall: &OnCall,
    notification_change: NaiveDate,
    rng: &mut Rng,
) -> Vec<Value> {
    let at = |m: u32, d: u32, h: u32, min: u32| {
        cal.instant(date(cal.year(), m, d).and_hms_opt(h, min, 0).unwrap())
            + Duration::milliseconds(millis(m, d, h, min))
    };
    let production = production_ref;
    let primary = || schedule_ref(PRIMARY_SCHEDULE);
    let team = team_ref;
    let lead = &company::SRE_LEAD;
    let manager = &company::ENG_MANAGER;
    // Requests that changed several resources share a request id.
    let mut batches: Vec<Vec<Audit>> = Vec::new();

    let mut a = Audit::browser(at(1, 8, 14, 20), lead, production(), "update");
    a.fields = vec![change("num_loops", 0, 1)];
    batches.push(vec![a]);

    // Holiday overrides, created about two weeks ahead (January's was made in December).
    for (o, id) in cal.period.overrides().iter().zip(OVERRIDE_IDS).skip(1) {
        let (start, end) = override_span(cal, o.first, o.last);
        let made = cal.local(start).date() - Duration::days(15);
        let mut a = Audit::browser(
            cal.instant(made.and_hms_opt(11, 12, 0).unwrap()) + Duration::milliseconds(318),
            lead,
            primary(),
            "create",
        );
        a.resource = Some(
            json!({"id": id, "type": "schedule_override_reference", "summary": ENGINEERS[o.engineer].name}),
        );
        a.fields = vec![
            set("override.start", utc_rfc3339(start)),
            set("override.end", utc_rfc3339(end)),
            set("override.user", ENGINEERS[o.engineer].name),
        ];
        batches.push(vec![a]);
    }

    // Terraform moved every service to severity-based urgency, one pull request at a time.
    for (k, s) in SERVICES.iter().enumerate() {
        let when = at(2 + k as u32, 10 + k as u32, 15, 3 * k as u32);
        batches.push(vec![Audit {
            at: when,
            actor: json!({"id": "PKT7F2R", "type": "api_key_reference", "summary": "terraform-pagerduty (CI)"}),
            method: json!({"type": "api_token", "truncated_token": "x7Qa"}),
            root: reference("service", s.pd_id, s.name),
            action: "update",
            resource: None,
            fields: if s.name == super::configuration::SUPPORT_HOURS_SERVICE {
                vec![change("incident_urgency_rule.type", "constant", "use_support_hours")]
            } else {
                vec![change("incident_urgency_rule.urgency", "high", "severity_based")]
            },
            references: Vec::new(),
        }]);
    }

    // A trial service, created and removed again.
    let trial = reference("service", "PSP7Y1F", "status-page-sync");
    let mut a = Audit::browser(at(3, 2, 10, 15), &VP_USER, trial.clone(), "create");
    a.fields = vec![
        set("name", "status-page-sync"),
        set("escalation_policy", company::ESCALATION_POLICY),
    ];
    batches.push(vec![a]);
    batches.push(vec![Audit::browser(
        at(4, 20, 9, 48),
        &VP_USER,
        trial,
        "delete",
    )]);

    // The leaver and the joiner.
    batches.push(vec![
        Audit::browser(at(3, 13, 16, 30), lead, user_ref(&LEAVER), "delete"),
        {
            let mut a = Audit::browser(at(3, 13, 16, 30), lead, team(), "update");
            a.references = vec![json!({"name": "members", "removed": [user_ref(&LEAVER)]})];
            a
        },
    ]);
    let mut joined = Audit::browser(at(6, 1, 9, 12), lead, user_ref(&JOINER), "create");
    joined.fields = vec![
        set("name", JOINER.name),
        set("email", JOINER.email),
        set("role", "user"),
    ];
    let mut team_add = Audit::browser(at(6, 1, 9, 12), lead, team(), "update");
    team_add.references = vec![json!({"name": "members", "added": [user_ref(&JOINER)]})];
    batches.push(vec![joined, team_add]);

    let mut a = Audit::browser(
        at(5, 11, 13, 5),
        &SECURITY_USER,
        reference(
            "escalation_policy",
            SECURITY_POLICY,
            "Security Incident Response",
        ),
        "update",
    );
    a.fields = vec![change("num_loops", 1, 2)];
    batches.push(vec![a]);

    // After the night-time late acknowledgement: every engineer adds a phone-call rule.
    let day = notification_change;
    for (k, p) in ENGINEERS.iter().enumerate() {
        let when = cal.instant(day.and_hms_opt(10, 4 + 7 * k as u32, 0).unwrap())
            + Duration::milliseconds(100 + 97 * k as i64);
        let mut a = Audit::browser(when, p, user_ref(p), "create");
        a.resource = Some(json!({
            "id": format!("PR{}", &p.pd_id[2..]),
            "type": "assignment_notification_rule_reference",
            "summary": "1 minute: channel Mobile (phone call)",
        }));
        a.fields = vec![
            set("start_delay_in_minutes", 1),
            set("contact_method", "Mobile (phone call)"),
            set("urgency", "high"),
        ];
        batches.push(vec![a]);
    }

    // The layer edit that left the hand-off uncovered: the old layer ends at 10:00, the new one
    // was given 13:00 as its start.
    let (gap_start, gap_end) = oncall.gap;
    let edit_day = cal.local(gap_start).date() - Duration::days(3);
    let edit = cal.instant(edit_day.and_hms_opt(16, 20, 0).unwrap()) + Duration::milliseconds(731);
    let mut ended = Audit::browser(edit, lead, primary(), "update");
    ended.resource = Some(
        json!({"id": "PL1M3QE", "type": "schedule_layer_reference", "summary": "Weekly rotation"}),
    );
    ended.fields = vec![set(
        "schedule_layers[Weekly rotation].end",
        utc_rfc3339(gap_start),
    )];
    let mut created = Audit::browser(edit, lead, primary(), "create");
    created.resource = Some(
        json!({"id": "PL2N6VA", "type": "schedule_layer_reference", "summary": "Weekly rotation (v2)"}),
    );
    created.fields = vec![
        set(
            "schedule_layers[Weekly rotation (v2)].start",
            utc_rfc3339(gap_end),
        ),
        set(
            "schedule_layers[Weekly rotation (v2)].rotation_virtual_start",
            "2025-12-29T15:00:00Z",
        ),
        set(
            "schedule_layers[Weekly rotation (v2)].rotation_turn_length_seconds",
            WEEK,
        ),
    ];
    batches.push(vec![ended, created]);

    // The edit behind the escalation drift: more time for the secondary, taken from level 3.
    let (m, d, h, min) = DRIFT_EDIT;
    let mut a = Audit::browser(at(m, d, h, min), manager, production(), "update");
    a.fields = vec![
        change(
            "escalation_rules[1].escalation_delay_in_minutes",
            DELAYS_BEFORE[1],
            DELAYS[1],
        ),
        change(
            "escalation_rules[2].escalation_delay_in_minutes",
            DELAYS_BEFORE[2],
            DELAYS[2],
        ),
    ];
    batches.push(vec![a]);

    let mut a = Audit::browser(
        at(10, 19, 11, 37),
        lead,
        reference(
            "escalation_policy",
            LOW_URGENCY_POLICY,
            "Platform Low Urgency (business hours)",
        ),
        "create",
    );
    a.fields = vec![
        set("name", "Platform Low Urgency (business hours)"),
        set("num_loops", 0),
    ];
    batches.push(vec![a]);

    let mut a = Audit::browser(at(12, 2, 14, 55), lead, primary(), "update");
    a.fields = vec![change(
        "description",
        "Weekly primary rotation, hand-off Mondays 10:00.",
        PRIMARY_DESCRIPTION,
    )];
    batches.push(vec![a]);

    // The drift undone (last in draw order, so the records before keep their ids).
    let (m, d, h, min) = DRIFT_REVERT;
    let mut a = Audit::browser(at(m, d, h, min), lead, production(), "update");
    a.fields = vec![
        change(
            "escalation_rules[1].escalation_delay_in_minutes",
            DELAYS[1],
            DELAYS_BEFORE[1],
        ),
        change(
            "escalation_rules[2].escalation_delay_in_minutes",
            DELAYS[2],
            DELAYS_BEFORE[2],
        ),
    ];
    batches.push(vec![a]);

    let mut out = Vec::new();
    for batch in batches {
        let request = format!(
            "{}-{}",
            rng.token(ALNUM_LOWER, 8),
            rng.token(ALNUM_LOWER, 12)
        );
        let remote = format!("203.0.113.{}", rng.between(10, 250));
        for a in batch {
            let id = format!("P{}", rng.token(ALNUM_UPPER, 25));
            out.push((a.at, id.clone(), a.to_json(&id, &request, &remote)));
        }
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.into_iter().map(|(_, _, v)| v).collect()
}

const ALNUM_UPPER: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM_LOWER: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A millisecond part that varies between records (the API keeps milliseconds).
fn millis(m: u32, d: u32, h: u32, min: u32) -> i64 {
    i64::from((m * 131 + d * 17 + h * 7 + min * 3) % 1000)
}

/// The fetch record: the request windows `pagerproof fetch pagerduty` makes, in its order, with
/// the counts of the files written, and each window's pages.
fn fetch_record(
    cal: &Calendar,
    files: &[(&str, &Vec<Value>)],
    lines: &[(&str, &[Line])],
) -> FetchRecord {
    let count = |name: &str| {
        let values = files.iter().find(|f| f.0 == name).map(|f| f.1.len());
        let lines = lines.iter().find(|f| f.0 == name).map(|f| f.1.len());
        values.or(lines).unwrap_or(0) as u64
    };
    let started = cal.now + Duration::hours(9) + Duration::minutes(14) + Duration::seconds(6);
    let mut clock = started;
    let mut windows = Vec::new();
    let mut push = |endpoint: String,
                    params: Vec<(&str, String)>,
                    pagination: &str,
                    received: u64,
                    reported: Option<u64>| {
        clock += Duration::seconds(1);
        windows.push(FetchWindow {
            endpoint,
            params: params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            fetched_at: utc_rfc3339(clock),
            pagination: pagination.into(),
            pages: received.div_ceil(100).max(1),
            received,
            reported,
            note: None,
            // One entry per page: `fetch_pages::fill`, below.
            requests: Vec::new(),
        });
    };
    let utc = || ("time_zone", "UTC".to_string());
    let n = count(layout::ESCALATION_POLICIES);
    push("/escalation_policies".into(), vec![], "offset", n, Some(n));
    let n = count(layout::SCHEDULES);
    push("/schedules".into(), vec![utc()], "offset", n, Some(n));
    let n = count(layout::SERVICES);
    let include = |v: &str| ("include[]", v.to_string());
    push(
        "/services".into(),
        vec![utc(), include("integrations")],
        "offset",
        n,
        Some(n),
    );
    let n = count(layout::PRIORITIES);
    push("/priorities".into(), vec![], "offset", n, Some(n));
    let n = count(layout::USERS);
    push(
        "/users".into(),
        vec![include("contact_methods"), include("notification_rules")],
        "offset",
        n,
        Some(n),
    );
    // Automation and routing; response plays answer 404 on this account (no file).
    let n = count(layout::INCIDENT_WORKFLOWS);
    push("/incident_workflows".into(), vec![], "offset", n, Some(n));
    let n = count(layout::WORKFLOW_TRIGGERS);
    push(
        "/incident_workflows/triggers".into(),
        vec![],
        "cursor",
        n,
        None,
    );
    push("/response_plays".into(), vec![], "none", 0, None);
    let n = count(layout::AUTOMATION_ACTIONS);
    push(
        "/automation_actions/actions".into(),
        vec![],
        "cursor",
        n,
        None,
    );
    let orchestrations = files
        .iter()
        .find(|f| f.0 == layout::EVENT_ORCHESTRATIONS)
        .map_or(&[][..], |f| f.1.as_slice());
    let n = orchestrations.len() as u64;
    push("/event_orchestrations".into(), vec![], "offset", n, Some(n));
    for o in orchestrations {
        let id = o["orchestration"]["id"].as_str().unwrap_or_default();
        push(
            format!("/event_orchestrations/{id}/router"),
            vec![],
            "none",
            1,
            None,
        );
    }
    let range = || {
        vec![
            ("since", utc_rfc3339(cal.start)),
            ("until", utc_rfc3339(cal.now)),
            utc(),
        ]
    };
    let n = count(layout::INCIDENTS);
    push("/incidents".into(), range(), "offset", n, Some(n));
    // The log of the period in one window: ingest reads "no acknowledge entry" as "never
    // acknowledged" for every incident created inside it.
    let n = count(layout::LOG_ENTRIES);
    push("/log_entries".into(), range(), "offset", n, Some(n));
    let overrides = files.iter().find(|f| f.0 == layout::OVERRIDES).map(|f| f.1);
    // In id order, as listed; the v3 schedule through the v3 endpoints.
    for id in [
        BUSINESS_HOURS_SCHEDULE,
        SECONDARY_SCHEDULE,
        PRIMARY_SCHEDULE,
    ] {
        let prefix = if id == BUSINESS_HOURS_SCHEDULE {
            "/v3"
        } else {
            ""
        };
        let mut params = range();
        if prefix == "/v3" {
            params.push(("include[]", "final_schedule".to_string()));
        }
        push(format!("{prefix}/schedules/{id}"), params, "none", 1, None);
        let n = overrides.map_or(0, |o| {
            o.iter().filter(|v| v["schedule_id"] == id).count() as u64
        });
        push(
            format!("{prefix}/schedules/{id}/overrides"),
            range(),
            "offset",
            n,
            None,
        );
    }
    let audit = files
        .iter()
        .find(|f| f.0 == layout::AUDIT_RECORDS)
        .map(|f| f.1);
    let mut from = cal.start;
    while from < cal.now {
        let to = (from + Duration::days(31)).min(cal.now);
        let n = audit.map_or(0, |a| {
            a.iter()
                .filter_map(|r| pagerproof::fetch::pagerduty::parse_time(&r["execution_time"]))
                .filter(|t| *t >= from && *t < to)
                .count() as u64
        });
        push(
            "/audit/records".into(),
            vec![("since", utc_rfc3339(from)), ("until", utc_rfc3339(to))],
            "cursor",
            n,
            None,
        );
        from = to;
    }
    for w in windows
        .iter_mut()
        .filter(|w| w.endpoint == "/response_plays")
    {
        w.pages = 0;
        w.note = Some(format!(
            "not used: PagerDuty {API}/response_plays answered 404 Not Found"
        ));
    }
    super::fetch_pages::fill(&mut windows, files, lines);
    FetchRecord {
        source: "pagerduty".into(),
        tool: concat!("pagerproof ", env!("CARGO_PKG_VERSION")).into(),
        api_url: API.into(),
        since: Some(utc_rfc3339(cal.start)),
        until: Some(utc_rfc3339(cal.now)),
        started_at: utc_rfc3339(started),
        finished_at: utc_rfc3339(clock + Duration::seconds(2)),
        windows,
        missing_keys: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents;

    fn primary_final(
        cal: &Calendar,
        oncall: &OnCall,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>, String)> {
        let all = schedules(cal, oncall);
        let primary = all.iter().find(|s| s["id"] == PRIMARY_SCHEDULE).unwrap();
        primary["final_schedule"]["rendered_schedule_entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    pagerproof::fetch::pagerduty::parse_time(&e["start"]).unwrap(),
                    pagerproof::fetch::pagerduty::parse_time(&e["end"]).unwrap(),
                    e["user"]["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn the_final_schedule_is_the_rotation_with_overrides_and_one_hole() {
        let cal = Calendar::fy2026();
        let pop = incidents::generate(2000, 2026, &cal);
        let oncall = plan(&pop.incidents, &cal);
        let (gap_start, gap_end) = oncall.gap;
        assert_eq!((gap_end - gap_start).num_hours(), GAP_HOURS);
        assert_eq!(
            cal.local(gap_start).format("%a %H:%M").to_string(),
            "Mon 10:00"
        );
        let entries = primary_final(&cal, &oncall);
        assert_eq!(entries.first().unwrap().0, cal.start);
        assert_eq!(entries.last().unwrap().1, cal.now);
        let holes: Vec<(DateTime<Utc>, DateTime<Utc>)> = entries
            .windows(2)
            .filter(|w| w[0].1 != w[1].0)
            .map(|w| (w[0].1, w[1].0))
            .collect();
        assert_eq!(holes, vec![oncall.gap]);
        // Whoever the incidents were assigned to is the one on call in the final schedule.
        for inc in pop.incidents.iter().filter(|i| i.in_period) {
            let e = entries
                .iter()
                .find(|e| e.0 <= inc.created && inc.created < e.1)
                .unwrap_or_else(|| panic!("incident {} raised in the gap", inc.number));
            assert_eq!(
                e.2, ENGINEERS[inc.assigned].pd_id,
                "incident {}",
                inc.number
            );
        }
        // Holiday overrides appear as their own entries.
        let (start, end) = override_span(&cal, (11, 26), (11, 29));
        assert!(
            entries
                .iter()
                .any(|e| e.0 == start && e.1 == end && e.2 == ENGINEERS[4].pd_id)
        );
    }

    #[test]
    fn configured_escalation_drifts_at_level_three_from_the_september_edit() {
        let cal = Calendar::fy2026();
        let at = |m, d| cal.instant(date(2026, m, d).and_hms_opt(12, 0, 0).unwrap());
        assert_eq!(
            incidents::paged_after_secs(&cal, at(9, 1)),
            [0, 300, 900, 1800]
        );
        assert_eq!(
            incidents::paged_after_secs(&cal, at(9, 15)),
            [0, 300, 1200, 1800]
        );
        // The snapshot holds the configuration after the edit was undone.
        let production = escalation_policies()
            .into_iter()
            .find(|p| p["id"] == company::ESCALATION_POLICY_ID)
            .unwrap();
        let delays: Vec<i64> = production["escalation_rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["escalation_delay_in_minutes"].as_i64().unwrap())
            .collect();
        assert_eq!(delays, DELAYS_BEFORE);
    }
}
