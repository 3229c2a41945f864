//! Every exception of evidence-rules.md §6 except the on-call ones (`oncall.rs`), with its rule
//! and what was required and what happened, in words.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{
    Exception, ExceptionKind, IncidentFacts, PostmortemFacts, PostmortemState, SeveritySource,
    Subject, Verdict, VerdictState,
};
use crate::model::Inputs;
use crate::model::{PolicyDoc, Postmortem, RejectedRow, Target};
use crate::util::{human_duration, local_time};

/// What the exception texts need besides the facts.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub tz: Tz,
    pub now: DateTime<Utc>,
    pub as_of: NaiveDate,
    pub policy: &'a PolicyDoc,
}

/// Every incident, postmortem and action-item exception, sorted (see [`sort`]).
/// `incidents` are the in-period incidents only, so only they give incident exceptions.
pub fn build(
    cx: &Context,
    inputs: &Inputs,
    incidents: &[IncidentFacts],
    postmortems: &[PostmortemFacts],
) -> Vec<Exception> {
    let mut out = Vec::new();
    for f in incidents {
        incident_exceptions(cx, f, &mut out);
    }
    for (pm, facts) in inputs.postmortems.iter().zip(postmortems) {
        postmortem_exceptions(cx, pm, facts, &mut out);
    }
    out.extend(inputs.rejected.iter().map(rejected_row));
    sort(&mut out);
    out
}

/// Every rejected input row is a `row_rejected` exception (evidence-rules §6): a row the evidence
/// could not test is a deviation that needs a response, whatever its reason.
fn rejected_row(row: &RejectedRow) -> Exception {
    let actual = match row.number {
        Some(n) => format!("the row of incident #{n} was rejected: {}", row.reason),
        None => format!("the row was rejected: {}", row.reason),
    };
    Exception::new(
        ExceptionKind::RowRejected,
        Subject::RejectedRow {
            file: row.at.file.to_string(),
            line: row.at.line,
            number: row.number,
        },
        "every input row is read as an incident and tested".into(),
        "a row that can be read as an incident".into(),
        actual,
    )
}

/// Sorts by kind (in §6 order), then subject: numbers numerically, ids in natural order
/// (`#2` before `#10`).
pub fn sort(exceptions: &mut [Exception]) {
    exceptions.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then_with(|| natural_cmp(&a.subject.to_string(), &b.subject.to_string()))
    });
}

/// Compares runs of ASCII digits by value, everything else byte by byte.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let (ta, tb) = (trim_zeros(da), trim_zeros(db));
                let ord = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| da.len().cmp(&db.len()));
                if ord != Ordering::Equal {
                    return ord;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

fn incident_exceptions(cx: &Context, f: &IncidentFacts, out: &mut Vec<Exception>) {
    let subject = || Subject::Incident { number: f.number };
    let level = f.severity.level.as_deref().unwrap_or("");
    let severity = cx.policy.severity(level);
    if f.ack.state == VerdictState::Breached {
        let target = severity.and_then(|s| s.ack);
        let (rule, required) = target_words(cx, "acknowledge", level, target, &f.ack);
        let actual = ack_actual(cx, f);
        out.push(Exception::new(
            ExceptionKind::AckBreach,
            subject(),
            rule,
            required,
            actual,
        ));
    }
    if f.resolve.state == VerdictState::Breached {
        let target = severity.and_then(|s| s.resolve);
        let (rule, required) = target_words(cx, "resolve", level, target, &f.resolve);
        let actual = match f.time_to_resolve.get() {
            Some(t) => format!(
                "resolved after {}, {} late",
                human_duration(t),
                late(&f.resolve)
            ),
            None => open_actual(cx, "not resolved", &f.resolve),
        };
        out.push(Exception::new(
            ExceptionKind::ResolveBreach,
            subject(),
            rule,
            required,
            actual,
        ));
    }
    if f.severity.level.is_none() {
        out.push(Exception::new(
            ExceptionKind::SeverityMissing,
            subject(),
            "every incident has a severity level of the documented policy".into(),
            format!(
                "a priority or severity matching one of {}",
                levels(cx.policy)
            ),
            severity_actual(f),
        ));
    }
    let missing: Vec<&str> = [(&f.ack, "acknowledgement"), (&f.resolve, "resolution")]
        .into_iter()
        .filter(|(v, _)| v.state == VerdictState::NoData)
        .map(|(_, what)| what)
        .collect();
    if !missing.is_empty() {
        out.push(Exception::new(
            ExceptionKind::ResponseDataMissing,
            subject(),
            "response times are read from the incident's sources".into(),
            "acknowledgement and resolution information in at least one source".into(),
            format!("no source carries {} information", missing.join(" or ")),
        ));
    }
    postmortem_state_exception(cx, f, level, out);
}

fn postmortem_state_exception(
    cx: &Context,
    f: &IncidentFacts,
    level: &str,
    out: &mut Vec<Exception>,
) {
    let (kind, actual) = match f.postmortem {
        PostmortemState::Missing => (
            ExceptionKind::PostmortemMissing,
            format!("no postmortem links the incident as of {}", cx.as_of),
        ),
        PostmortemState::Late => {
            let actual = match (f.postmortem_completed, f.postmortem_due) {
                (Some(done), Some(due)) => format!(
                    "first completed {} ({}), {} late",
                    local_time(done, cx.tz),
                    f.postmortems.join(", "),
                    human_duration((done - due).num_seconds())
                ),
                _ => format!(
                    "{} not completed as of {}",
                    f.postmortems.join(", "),
                    cx.as_of
                ),
            };
            (ExceptionKind::PostmortemLate, actual)
        }
        _ => return,
    };
    let target = cx.policy.severity(level).and_then(|l| l.postmortem);
    let rule = format!(
        "a postmortem completed within the {level} target of {} after resolution",
        target.map_or_else(String::new, |t| t.to_string())
    );
    let required = match f.postmortem_due {
        Some(due) => format!("a completed postmortem by {}", local_time(due, cx.tz)),
        None => "a completed postmortem".into(),
    };
    out.push(Exception::new(
        kind,
        Subject::Incident { number: f.number },
        rule,
        required,
        actual,
    ));
}

/// The rule and the requirement of a response target: `acknowledge within the P1 target of 5m`.
fn target_words(
    cx: &Context,
    verb: &str,
    level: &str,
    target: Option<Target>,
    v: &Verdict,
) -> (String, String) {
    let by = v.deadline.map(|d| local_time(d, cx.tz)).unwrap_or_default();
    match target {
        Some(Target::NextBusinessDay) => (
            format!("{verb} by the {level} target of the next business day"),
            format!("{verb} by the end of the next business day (by {by})"),
        ),
        Some(Target::Elapsed(secs)) => {
            let t = crate::util::human_target(secs);
            (
                format!("{verb} within the {level} target of {t}"),
                format!("{verb} within {t} (by {by})"),
            )
        }
        None => (format!("{verb} within the {level} target"), String::new()),
    }
}

fn late(v: &Verdict) -> String {
    human_duration(v.by_secs.get().unwrap_or(0))
}

fn open_actual(cx: &Context, what: &str, v: &Verdict) -> String {
    format!(
        // The as-of date, as every page says it; "now" is that date's end (method.html).
        "{what} as of {}, {} late",
        cx.as_of,
        late(v)
    )
}

fn ack_actual(cx: &Context, f: &IncidentFacts) -> String {
    match (f.time_to_ack.get(), f.time_to_resolve.get()) {
        (Some(t), _) => format!(
            "acknowledged after {}, {} late",
            human_duration(t),
            late(&f.ack)
        ),
        (None, Some(r)) => format!(
            "never acknowledged; resolved after {}, {} late",
            human_duration(r),
            late(&f.ack)
        ),
        (None, None) => open_actual(cx, "neither acknowledged nor resolved", &f.ack),
    }
}

fn levels(policy: &PolicyDoc) -> String {
    let names: Vec<&str> = policy.severities.iter().map(|s| s.level.as_str()).collect();
    if names.is_empty() {
        "the policy's levels (the policy defines none)".into()
    } else {
        format!("the policy's levels ({})", names.join(", "))
    }
}

fn severity_actual(f: &IncidentFacts) -> String {
    let raw = f.severity.raw.as_deref().unwrap_or("");
    match f.severity.source {
        SeveritySource::Priority => format!("priority `{raw}` matches no level"),
        SeveritySource::Postmortem => format!(
            "severity `{raw}` of postmortem {} matches no level",
            f.severity.postmortem.as_deref().unwrap_or("")
        ),
        SeveritySource::Urgency => format!("urgency maps to `{raw}`, which matches no level"),
        SeveritySource::None => "no priority, postmortem severity or mapped urgency".into(),
    }
}

fn postmortem_exceptions(
    cx: &Context,
    pm: &Postmortem,
    facts: &PostmortemFacts,
    out: &mut Vec<Exception>,
) {
    let pm_subject = || Subject::Postmortem { id: pm.id.clone() };
    if facts.incomplete {
        let missing: Vec<&str> = facts.parts_missing.iter().map(|p| p.label()).collect();
        out.push(Exception::new(
            ExceptionKind::PostmortemIncomplete,
            pm_subject(),
            "a postmortem has the five parts of a SOC 2-quality postmortem".into(),
            "timeline, root cause analysis, customer impact, corrective actions with owners and due \
             dates, preventive measures"
                .into(),
            format!("missing: {}", missing.join("; ")),
        ));
    }
    if facts.orphan {
        let actual = if facts.links.is_empty() {
            "no incidents entries".to_string()
        } else {
            let dead: Vec<&str> = facts.links.iter().map(|l| l.label.as_str()).collect();
            format!(
                "no entry matches an incident read from the inputs: {}",
                dead.join(", ")
            )
        };
        out.push(Exception::new(
            ExceptionKind::OrphanPostmortem,
            pm_subject(),
            "a postmortem links an incident read from the inputs".into(),
            "at least one incidents entry matching an incident of the inputs".into(),
            actual,
        ));
    }
    if !facts.in_scope {
        return;
    }
    for (item, af) in pm.action_items.iter().zip(&facts.action_items) {
        let subject = || Subject::ActionItem {
            postmortem: pm.id.clone(),
            item: af.key.clone(),
        };
        if af.untracked {
            out.push(Exception::new(
                ExceptionKind::ActionItemUntracked,
                subject(),
                "every action item is tracked".into(),
                "a tracker key or URL".into(),
                "no tracker key or URL".into(),
            ));
        }
        if af.overdue {
            let due = item.due_date.map(|d| d.to_string()).unwrap_or_default();
            let status = match af.status_source {
                "jira" => format!(
                    "Jira status `{}` (not in the done category)",
                    af.jira_status.as_deref().unwrap_or("")
                ),
                _ => format!("status `{}`", item.status.as_deref().unwrap_or("")),
            };
            out.push(Exception::new(
                ExceptionKind::ActionItemOverdue,
                subject(),
                "an action item is done by its due date".into(),
                format!("done by {due}"),
                format!("not done as of {}: {status}", cx.as_of),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::*;
    use crate::evidence::{Evidence, evaluate};
    use crate::model::{Incident, IncidentLink};

    fn eval(incidents: Vec<Incident>, pms: Vec<Postmortem>) -> Evidence {
        evaluate(&config(), &inputs(incidents, pms))
    }

    fn find<'a>(e: &'a Evidence, id: &str) -> &'a Exception {
        e.exceptions
            .iter()
            .find(|x| x.id == id)
            .unwrap_or_else(|| panic!("{id} not among {:?}", ids(e)))
    }

    fn ids(e: &Evidence) -> Vec<&str> {
        e.exceptions.iter().map(|x| x.id.as_str()).collect()
    }

    #[test]
    fn ack_breach_says_what_was_required_and_what_happened() {
        let e = eval(
            vec![
                incident(1042)
                    .priority("P1")
                    .created("2026-03-01T15:00:00Z")
                    .acked("2026-03-01T15:12:04Z")
                    .resolved("2026-03-01T16:00:00Z")
                    .build(),
            ],
            vec![],
        );
        let x = find(&e, "ack_breach:1042");
        assert_eq!(x.kind, ExceptionKind::AckBreach);
        assert_eq!(x.rule, "acknowledge within the P1 target of 5m");
        assert_eq!(x.rule_id, "ack-target");
        assert_eq!(
            x.required,
            "acknowledge within 5m (by 2026-03-01 10:05 -05:00)"
        );
        assert_eq!(x.actual, "acknowledged after 12m 04s, 7m 04s late");
        assert!(!ids(&e).contains(&"resolve_breach:1042"));
    }

    #[test]
    fn unresolved_breach_is_measured_to_now() {
        let e = eval(
            vec![
                incident(5)
                    .priority("P1")
                    .created("2026-12-31T00:00:00Z")
                    .acked("2026-12-31T00:01:00Z")
                    .build(),
            ],
            vec![],
        );
        let x = find(&e, "resolve_breach:5");
        assert_eq!(x.actual, "not resolved as of 2026-12-31, 1d 01h late");
    }

    #[test]
    fn unknown_priority_is_severity_missing_with_the_raw_value() {
        let e = eval(vec![incident(3).priority("Urgent!!").build()], vec![]);
        let x = find(&e, "severity_missing:3");
        assert_eq!(x.actual, "priority `Urgent!!` matches no level");
        assert!(x.required.contains("P1, P2, P3, P4"), "{}", x.required);
        assert_eq!(e.incidents[0].severity.raw.as_deref(), Some("Urgent!!"));
        // Unclassified: no target applies, so no breach.
        assert_eq!(e.incidents[0].ack.state, VerdictState::NotApplicable);
    }

    #[test]
    fn not_applicable_comes_before_no_data() {
        // Unclassified and without response data: severity_missing only (evidence-rules §4).
        let e = eval(
            vec![
                incident(12)
                    .priority("Urgent!!")
                    .no_ack_data()
                    .no_resolve_data()
                    .build(),
            ],
            vec![],
        );
        assert_eq!(ids(&e), vec!["severity_missing:12"]);
        assert_eq!(e.incidents[0].ack.state, VerdictState::NotApplicable);
        assert_eq!(e.incidents[0].resolve.state, VerdictState::NotApplicable);
    }

    #[test]
    fn missing_response_data_is_one_exception_per_incident() {
        let e = eval(
            vec![
                incident(8)
                    .priority("P1")
                    .no_ack_data()
                    .no_resolve_data()
                    .build(),
            ],
            vec![],
        );
        let x = find(&e, "response_data_missing:8");
        assert_eq!(
            x.actual,
            "no source carries acknowledgement or resolution information"
        );
        assert_eq!(e.exceptions.len(), 1, "{:?}", ids(&e));

        // Ack information missing, resolution present and in time.
        let e = eval(
            vec![
                incident(9)
                    .priority("P1")
                    .no_ack_data()
                    .resolved("2026-03-02T16:00:00Z")
                    .build(),
            ],
            vec![],
        );
        assert_eq!(e.incidents[0].ack.state, VerdictState::NoData);
        assert_eq!(e.summary.by_severity.levels[0].1.ack_met, 0);
        assert_eq!(e.summary.by_severity.levels[0].1.ack_breached, 0);
        let x = find(&e, "response_data_missing:9");
        assert_eq!(x.actual, "no source carries acknowledgement information");
    }

    #[test]
    fn a_postmortem_severity_classifies_and_requires_a_postmortem() {
        let e = eval(
            vec![
                incident(4)
                    .acked("2026-03-02T15:01:00Z")
                    .resolved("2026-03-02T16:00:00Z")
                    .build(),
            ],
            vec![pm("PM-4").link(4).severity("sev-1").build()],
        );
        let f = &e.incidents[0];
        assert_eq!(f.severity.level.as_deref(), Some("P1"));
        assert_eq!(f.severity.source, SeveritySource::Postmortem);
        assert_eq!(f.postmortem, PostmortemState::Late);
        assert_eq!(
            ids(&e),
            vec!["postmortem_late:4", "action_item_overdue:PM-4/AI-1"]
        );
    }

    #[test]
    fn only_in_period_incidents_give_incident_exceptions() {
        let e = eval(
            vec![incident(1).priority("Nope").outside_period().build()],
            vec![],
        );
        assert!(e.exceptions.is_empty(), "{:?}", ids(&e));
        assert!(e.incidents.is_empty());
    }

    #[test]
    fn action_items_are_judged_only_in_scope_and_keyed_by_position_without_id() {
        let untracked = |p: &mut Postmortem| {
            let mut item = action("#2");
            item.tracker_key = None;
            item.tracker_url = None;
            p.action_items.push(item);
        };
        let e = eval(
            vec![
                incident(1)
                    .priority("P3")
                    .acked("2026-03-02T15:01:00Z")
                    .build(),
                incident(2).priority("P3").outside_period().build(),
            ],
            vec![
                pm("PM-1").link(1).with(untracked).build(),
                pm("PM-2").link(2).with(untracked).build(),
            ],
        );
        assert_eq!(
            ids(&e),
            vec![
                "action_item_untracked:PM-1/#2",
                "action_item_overdue:PM-1/#2",
                "action_item_overdue:PM-1/AI-1",
            ]
        );
        let x = find(&e, "action_item_overdue:PM-1/AI-1");
        assert_eq!(x.required, "done by 2026-03-30");
        assert_eq!(x.actual, "not done as of 2026-12-31: status `open`");
    }

    #[test]
    fn orphan_names_its_dead_links() {
        let dead = IncidentLink {
            id: Some("QNOPE".into()),
            ..IncidentLink::default()
        };
        let e = eval(vec![], vec![pm("PM-9").entry(dead).build()]);
        let x = find(&e, "orphan_postmortem:PM-9");
        assert!(x.actual.ends_with(": QNOPE"), "{}", x.actual);
    }

    #[test]
    fn sorted_by_kind_then_subject_numerically() {
        let breach = |n: u64| {
            incident(n)
                .priority("P1")
                .title("Checkout down")
                .created("2026-03-01T15:00:00Z")
                .acked("2026-03-01T15:10:00Z")
                .resolved("2026-03-01T16:00:00Z")
                .build()
        };
        let e = eval(
            vec![breach(10), breach(9), incident(2).priority("??").build()],
            vec![
                pm("PM-1")
                    .link(9)
                    .link(10)
                    .completed("2026-03-02T00:00:00Z")
                    .with(|p| p.action_items[0].status = Some("Done".into()))
                    .build(),
            ],
        );
        assert_eq!(
            ids(&e),
            vec!["ack_breach:9", "ack_breach:10", "severity_missing:2"]
        );
    }

    #[test]
    fn natural_order_compares_digit_runs_by_value() {
        assert_eq!(natural_cmp("PM-1/#2", "PM-1/#10"), Ordering::Less);
        assert_eq!(
            natural_cmp("ep@2026-01-02", "ep@2026-01-10"),
            Ordering::Less
        );
        assert_eq!(natural_cmp("AI-2", "AI-2"), Ordering::Equal);
        assert_eq!(natural_cmp("A", "AI"), Ordering::Less);
    }
}
