//! The incidents and their log entries as `GET /incidents` and `GET /log_entries` give them
//! (`content/pagerduty/incidents.jsonl`, `log_entries.jsonl`), so every example incident page has
//! a timeline and an on-call chain.
//!
//! They agree with the CSV exports to the second: the same numbers, ids, creation, acknowledgement
//! and resolution instants, escalation counts, acknowledgers and resolvers, so ingest merges them
//! into the exported rows without a conflict and no figure changes. The first acknowledge entry is
//! the exported `seconds_to_first_ack`; escalations fire on timeout at the delays PagerDuty was
//! configured with at the trigger ([`paged_after_secs`]), to the person on call at that level;
//! whoever acknowledges is on the level the escalation had reached. Incidents whose only exported
//! row is rejected get no record (the population must not gain them).

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::company::{self, Person, SERVICES};
use super::fetch_pages::Line;
use super::incidents::{Calendar, Inc, paged_after_secs, person};
use super::pagerduty::{
    CTO_USER, PRIORITY_IDS, VP_USER, production_ref, reference, team_ref, user_ref,
};
use super::rng::Rng;
use pagerproof::util::utc_rfc3339;

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The API records: (incidents, log entries), both in incident-number order.
pub fn records(
    incs: &[Inc],
    cal: &Calendar,
    written: &dyn Fn(usize) -> bool,
    unprioritised: &dyn Fn(usize) -> bool,
    seed: u64,
) -> (Vec<Line>, Vec<Line>) {
    // A stream of its own: drawing here must not move any other generated value.
    let mut rng = Rng::stream(seed, "timelines");
    let mut incidents = Vec::new();
    let mut entries = Vec::new();
    for (i, inc) in incs.iter().enumerate() {
        if !inc.in_period || !written(i) {
            continue;
        }
        incidents.push(Line::of(&incident(inc, cal, unprioritised(i))));
        for e in log_entries(inc, cal, unprioritised(i), &mut rng) {
            if e.at < cal.now {
                entries.push(Line::of(&e.to_json(inc, &mut rng)));
            }
        }
    }
    (incidents, entries)
}

fn service_ref(inc: &Inc) -> Value {
    let s = &SERVICES[inc.service];
    brief(reference("service", s.pd_id, s.name))
}

/// A reference without its `self` and `html_url`, as list endpoints without `include[]` give
/// them: 2,000 incidents' logs stay a few megabytes.
fn brief(mut r: Value) -> Value {
    if let Some(o) = r.as_object_mut() {
        o.remove("self");
        o.remove("html_url");
    }
    r
}

fn person_ref(p: &Person) -> Value {
    brief(user_ref(p))
}

fn incident(inc: &Inc, cal: &Calendar, unprioritised: bool) -> Value {
    let status = match (inc.resolve_secs, inc.ack_secs) {
        (Some(_), _) => "resolved",
        (None, Some(_)) => "acknowledged",
        (None, None) => "triggered",
    };
    let last_change = inc.resolved_at().or(inc.acked_at()).unwrap_or(inc.created);
    let priority = if unprioritised {
        Value::Null
    } else {
        let id = PRIORITY_IDS[inc.priority];
        json!({"id": id, "type": "priority_reference", "summary": inc.level()})
    };
    // Open incidents are still assigned; PagerDuty empties the list on resolution.
    let assignments = match inc.resolve_secs {
        Some(_) => json!([]),
        None => {
            json!([{"at": utc_rfc3339(inc.created), "assignee": person_ref(&responder(inc, cal, level_reached(inc)))}])
        }
    };
    json!({
        "id": inc.id,
        "type": "incident",
        "summary": format!("[#{}] {}", inc.number, inc.title),
        "html_url": inc.url(),
        "incident_number": inc.number,
        "title": inc.title.trim_end(),
        "created_at": utc_rfc3339(inc.created),
        "status": status,
        "urgency": inc.urgency,
        "resolved_at": inc.resolved_at().map(utc_rfc3339),
        "service": service_ref(inc),
        "escalation_policy": brief(production_ref()),
        "teams": [brief(team_ref())],
        "assignments": assignments,
        "assigned_via": "escalation_policy",
        "last_status_change_at": utc_rfc3339(last_change),
        "priority": priority,
    })
}

/// 0-based level of the production policy the incident had reached when it was acknowledged (or
/// at the end): one per escalation.
fn level_reached(inc: &Inc) -> usize {
    inc.escalations as usize
}

/// Who level `level` (0-based) of the production policy paged: the primary on call, the SRE
/// lead (the secondary schedule), the engineering manager; level 4 pages two people, of whom the
/// first stands for the level here.
fn responder(inc: &Inc, cal: &Calendar, level: usize) -> Person {
    match level {
        0 => *person(cal.on_call(inc.created)),
        1 => company::SRE_LEAD,
        2 => company::ENG_MANAGER,
        _ => CTO_USER,
    }
}

fn paged(inc: &Inc, cal: &Calendar, level: usize) -> Vec<Person> {
    if level >= 3 {
        vec![CTO_USER, VP_USER]
    } else {
        vec![responder(inc, cal, level)]
    }
}

/// One log entry before it is written.
struct Entry {
    at: DateTime<Utc>,
    kind: &'static str,
    summary: String,
    /// A user agent, else the service (an automatic action).
    agent: Option<Person>,
    channel: &'static str,
    /// `user` of a notify entry, `assignees` of an assign or escalate entry.
    user: Option<Person>,
    assignees: Vec<Person>,
}

impl Entry {
    fn auto(
        at: DateTime<Utc>,
        kind: &'static str,
        summary: String,
        channel: &'static str,
    ) -> Entry {
        Entry {
            at,
            kind,
            summary,
            agent: None,
            channel,
            user: None,
            assignees: Vec::new(),
        }
    }

    fn by(
        at: DateTime<Utc>,
        kind: &'static str,
        who: Person,
        summary: String,
        channel: &'static str,
    ) -> Entry {
        Entry {
            agent: Some(who),
            ..Entry::auto(at, kind, summary, channel)
        }
    }

    fn to_json(&self, inc: &Inc, rng: &mut Rng) -> Value {
        let id = format!("R{}", rng.token(ALNUM, 25));
        let agent = match &self.agent {
            Some(p) => person_ref(p),
            None => service_ref(inc),
        };
        let mut v = json!({
            "id": id,
            "type": format!("{}_log_entry", self.kind),
            "summary": self.summary,
            "created_at": utc_rfc3339(self.at),
            "agent": agent,
            "channel": {"type": self.channel},
            "incident": {"id": inc.id, "type": "incident_reference"},
        });
        if self.kind == "notify" {
            // PagerDuty gives no agent on notify entries.
            v.as_object_mut().unwrap().remove("agent");
        }
        if let Some(u) = &self.user {
            v["user"] = person_ref(u);
        }
        if !self.assignees.is_empty() {
            v["assignees"] = json!(self.assignees.iter().map(person_ref).collect::<Vec<_>>());
        }
        if self.kind == "trigger" {
            v["html_url"] = json!(format!("{}/log_entries/{id}", inc.url()));
            v["event_details"] = json!({"description": inc.title});
        }
        v
    }
}

fn notify(at: DateTime<Utc>, who: Person, channel: &'static str) -> Entry {
    let how = match channel {
        "sms" => "SMS",
        "phone" => "phone",
        "push_notification" => "push notification",
        _ => "email",
    };
    Entry {
        user: Some(who),
        ..Entry::auto(
            at,
            "notify",
            format!("Notified {} by {how}.", who.name),
            channel,
        )
    }
}

/// The incident's log, oldest first.
fn log_entries(inc: &Inc, cal: &Calendar, unprioritised: bool, rng: &mut Rng) -> Vec<Entry> {
    let t0 = inc.created;
    let high = inc.urgency == "high";
    let channel = if high { "sms" } else { "email" };
    let first = responder(inc, cal, 0);
    let mut log = vec![
        Entry::auto(t0, "trigger", "Triggered through the API.".into(), "api"),
        Entry {
            assignees: vec![first],
            ..Entry::auto(t0, "assign", format!("Assigned to {}.", first.name), "auto")
        },
        notify(t0, first, channel),
    ];
    if high {
        log.push(notify(t0 + Duration::seconds(60), first, "phone"));
    }
    // The P1/P2 workflow's conditional trigger fires on the priority, so an incident without
    // one never starts it. PagerDuty documents no log-entry type for a workflow run; the run
    // shows as an annotation the workflow posts (seed-apis.md §1.7).
    if inc.priority <= 1 && !unprioritised {
        log.push(Entry::auto(
            t0 + Duration::seconds(5),
            "annotate",
            format!(
                "Incident workflow \"{}\" started: Slack channel #inc-{} opened, Zoom bridge added, incident commander paged.",
                super::configuration::MAJOR_WORKFLOW,
                inc.number
            ),
            "workflow",
        ));
    }
    let at = |secs: i64| t0 + Duration::seconds(secs);
    let paged_at = paged_after_secs(cal, t0);
    for (level, &after) in paged_at
        .iter()
        .enumerate()
        .take(level_reached(inc) + 1)
        .skip(1)
    {
        let to = paged(inc, cal, level);
        let names: Vec<&str> = to.iter().map(|p| p.name).collect();
        log.push(Entry {
            assignees: to.clone(),
            ..Entry::auto(
                at(after),
                "escalate",
                format!("Escalated to {} by timeout.", names.join(" and ")),
                "timeout",
            )
        });
        for p in to {
            log.push(notify(at(after), p, channel));
        }
    }
    let ack_channel = *rng.pick(&["mobile", "website", "sms"]);
    if let (Some(secs), Some(who)) = (inc.ack_secs, inc.acked_by) {
        let who = *person(who);
        log.push(Entry::by(
            at(secs),
            "acknowledge",
            who,
            format!("Acknowledged by {}.", who.name),
            ack_channel,
        ));
        // Major incidents get a status note from the responder a few minutes in.
        if inc.priority <= 1 {
            let note_at =
                at(secs + 180).min(inc.resolved_at().unwrap_or(cal.now) - Duration::seconds(1));
            if note_at > at(secs) {
                log.push(Entry::by(
                    note_at,
                    "annotate",
                    who,
                    format!("Note added by {}.", who.name),
                    "note",
                ));
            }
        }
    }
    if let Some(resolved) = inc.resolved_at() {
        match inc.resolved_by {
            Some(r) if !inc.auto_resolved => {
                let r = *person(r);
                // Someone else resolved it: the acknowledger handed it over half-way.
                if let (Some(secs), Some(acker)) = (inc.ack_secs, inc.acked_by)
                    && *person(acker) != r
                {
                    let half = at(secs) + (resolved - at(secs)) / 2;
                    if half > at(secs) && half < resolved {
                        log.push(Entry {
                            assignees: vec![r],
                            ..Entry::by(
                                half,
                                "assign",
                                *person(acker),
                                format!("Reassigned to {}.", r.name),
                                "website",
                            )
                        });
                    }
                }
                log.push(Entry::by(
                    resolved,
                    "resolve",
                    r,
                    format!("Resolved by {}.", r.name),
                    "website",
                ));
            }
            _ => log.push(Entry::auto(
                resolved,
                "resolve",
                "Resolved through the API.".into(),
                "api",
            )),
        }
    }
    log.sort_by_key(|e| e.at);
    log
}

/// Incidents the API snapshot holds (for the generator's row accounting).
pub fn count(incs: &[Inc], written: &dyn Fn(usize) -> bool) -> usize {
    (0..incs.len())
        .filter(|&i| incs[i].in_period && written(i))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::MAJOR_WORKFLOW;

    #[test]
    fn the_major_incident_workflow_runs_on_prioritised_p1_and_p2_only() {
        let cal = Calendar::fy2026();
        let pop = crate::incidents::generate(300, 7, &cal);
        let runs = |inc: &Inc, unprioritised: bool| {
            log_entries(inc, &cal, unprioritised, &mut Rng::stream(7, "test"))
                .iter()
                .filter(|e| e.kind == "annotate" && e.summary.contains(MAJOR_WORKFLOW))
                .count()
        };
        let mut major = 0;
        for inc in pop.incidents.iter().filter(|i| i.in_period) {
            assert_eq!(
                runs(inc, false),
                usize::from(inc.priority <= 1),
                "#{}",
                inc.number
            );
            assert_eq!(runs(inc, true), 0, "no priority, no conditional trigger");
            major += usize::from(inc.priority <= 1);
        }
        assert!(major > 0, "the sample holds P1/P2 incidents");
    }
}
