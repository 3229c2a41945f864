//! Who was on call for an incident: for each level of its escalation policy, as configured when
//! it was triggered (`escalation_history`), who that level would page at the trigger instant,
//! which level acknowledged, and whether the timeout escalations came at the configured delays.
//!
//! A schedule target resolves to the override covering the instant if there is one (an override
//! replaces the layers), else to whoever the final schedule has on call then (several for
//! overlapping v3 shifts; no one in a gap). A user target is always on call.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::evidence::escalation_history::PolicyHistory;
use crate::evidence::timeline::{self, StepKind};
use crate::model::{EscalationPolicy, Incident, PdRef, Snapshot};

/// How far a timeout escalation may sit from its configured instant and still count as on time:
/// PagerDuty fires escalations within about a minute.
pub const ESCALATION_TOLERANCE_SECS: i64 = 60;

#[derive(Debug, Clone, Serialize)]
pub struct OnCallChain<'a> {
    pub policy_id: &'a str,
    pub policy_name: &'a str,
    /// The configuration in effect at the trigger: since when, and the audit record that made it.
    pub version_from: Option<DateTime<Utc>>,
    pub version_introduced_by: Option<&'a str>,
    pub levels: Vec<ChainLevel>,
    /// The level (1-based) of whoever acknowledged first, when that person is on the chain.
    pub acknowledged_level: Option<u32>,
    pub acknowledged_by: Option<&'a str>,
    pub escalations: Vec<EscalationCheck>,
    /// Escalations that should have fired but did not (see [`missed`]).
    pub missed: Vec<MissedEscalation>,
    /// Every timeout escalation came at its configured delay and none was missed (`None`:
    /// nothing to judge).
    pub followed: Option<bool>,
}

/// A level the policy should have paged, and did not: the incident was still unacknowledged
/// (and unresolved) at the level's configured delay plus the tolerance, and the log has fewer
/// escalations by then than the levels before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissedEscalation {
    pub level: u32,
    /// When PagerDuty should have paged it: the trigger plus the configured delay.
    pub due: DateTime<Utc>,
    pub expected_secs: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainLevel {
    pub level: u32,
    /// Seconds after the trigger this level is paged, as configured at the trigger.
    pub paged_after_secs: Option<i64>,
    pub on_call: Vec<OnCallPerson>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnCallPerson {
    /// `None`: the schedule had no one on call (a gap) or is missing from the snapshot.
    pub name: Option<String>,
    /// The schedule the person was reached through (none for a user target).
    pub schedule: Option<String>,
    pub by_override: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationCheck {
    /// The level this escalation paged (the n-th escalation pages level n + 1).
    pub level: u32,
    pub at: DateTime<Utc>,
    pub actual_secs: i64,
    pub expected_secs: Option<i64>,
    pub by_timeout: bool,
    /// Timeout escalations only: within the tolerance of the configured delay.
    pub followed: Option<bool>,
}

/// The chain for one incident, when its escalation policy is in the snapshot.
pub fn chain<'a>(
    snap: &'a Snapshot,
    history: &'a [PolicyHistory],
    incident: &'a Incident,
) -> Option<OnCallChain<'a>> {
    let ep = policy_of(snap, incident)?;
    let t0 = incident.created;
    let version = history
        .iter()
        .find(|h| h.policy_id == ep.id)
        .and_then(|h| h.at(t0));
    let paged_after = version.map_or_else(|| ep.paged_after_secs(), |v| v.paged_after_secs());
    let levels: Vec<ChainLevel> = ep
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| ChainLevel {
            level: i as u32 + 1,
            paged_after_secs: paged_after.get(i).copied(),
            on_call: rule
                .targets
                .iter()
                .flat_map(|t| on_call(snap, t, t0))
                .collect(),
        })
        .collect();
    let steps = timeline::steps(incident);
    let first_ack = steps.iter().find(|s| s.first_ack);
    let acknowledged_by = first_ack.and_then(|s| s.agent);
    let acknowledged_level = acknowledged_by.and_then(|who| {
        levels
            .iter()
            .find(|l| l.on_call.iter().any(|p| p.name.as_deref() == Some(who)))
            .map(|l| l.level)
    });
    let escalations: Vec<EscalationCheck> = steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::EscalateTimeout | StepKind::EscalateManual))
        .enumerate()
        .map(|(n, s)| {
            let level = n as u32 + 2;
            let expected_secs = paged_after.get(level as usize - 1).copied();
            let actual_secs = (s.at - t0).num_seconds();
            let by_timeout = s.kind == StepKind::EscalateTimeout;
            EscalationCheck {
                level,
                at: s.at,
                actual_secs,
                expected_secs,
                by_timeout,
                followed: by_timeout.then(|| {
                    expected_secs
                        .is_some_and(|e| (actual_secs - e).abs() <= ESCALATION_TOLERANCE_SECS)
                }),
            }
        })
        .collect();
    let missed = if escalates(incident) {
        missed(&steps, t0, &paged_after)
    } else {
        Vec::new()
    };
    let mut judged: Vec<bool> = escalations.iter().filter_map(|e| e.followed).collect();
    if !missed.is_empty() {
        judged.push(false);
    }
    Some(OnCallChain {
        policy_id: &ep.id,
        policy_name: &ep.name,
        version_from: version.and_then(|v| v.from),
        version_introduced_by: version.and_then(|v| v.introduced_by.as_deref()),
        levels,
        acknowledged_level,
        acknowledged_by,
        followed: (!judged.is_empty()).then(|| judged.iter().all(|f| *f)),
        escalations,
        missed,
    })
}

/// Whether PagerDuty moves the incident through its escalation policy on timeout: only
/// high-urgency incidents escalate ("Low-urgency incidents will not escalate", PagerDuty's
/// service settings documentation), so a low-urgency one is never accused of a missed
/// escalation. An incident with no recorded urgency is not judged either.
pub fn escalates(incident: &Incident) -> bool {
    incident
        .fields
        .urgency
        .as_deref()
        .is_some_and(|u| u.trim().eq_ignore_ascii_case("high"))
}

/// The levels beyond the first whose configured instant passed while the incident was still
/// open and unacknowledged, with the log showing it was still open then (an entry at or after
/// it) and fewer escalations by then than levels before it. Only levels the log shows the
/// incident outliving are judged, so an incident fetched mid-flight is not accused.
pub fn missed(
    steps: &[timeline::Step],
    t0: DateTime<Utc>,
    paged_after: &[i64],
) -> Vec<MissedEscalation> {
    let tolerance = chrono::Duration::seconds(ESCALATION_TOLERANCE_SECS);
    let first = |kind: StepKind| steps.iter().find(|s| s.kind == kind).map(|s| s.at);
    let ack = steps.iter().find(|s| s.first_ack).map(|s| s.at);
    let resolved = first(StepKind::Resolve);
    let Some(last_seen) = steps.iter().map(|s| s.at).max() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, &secs) in paged_after.iter().enumerate().skip(1) {
        let due = t0 + chrono::Duration::seconds(secs);
        let judged_at = due + tolerance;
        let closed_before = |at: Option<DateTime<Utc>>| at.is_some_and(|a| a <= judged_at);
        if closed_before(ack) || closed_before(resolved) || last_seen < judged_at {
            break;
        }
        let escalated = steps
            .iter()
            .filter(|s| matches!(s.kind, StepKind::EscalateTimeout | StepKind::EscalateManual))
            .filter(|s| s.at <= judged_at)
            .count();
        if escalated < i {
            out.push(MissedEscalation {
                level: i as u32 + 1,
                due,
                expected_secs: secs,
            });
        }
    }
    out
}

/// The incident's policy: by id, else through its service, else by name.
fn policy_of<'a>(snap: &'a Snapshot, incident: &Incident) -> Option<&'a EscalationPolicy> {
    let f = &incident.fields;
    f.escalation_policy_id
        .as_deref()
        .and_then(|id| snap.escalation_policy(id))
        .or_else(|| {
            let service = f.service_id.as_deref()?;
            let s = snap.services.iter().find(|s| s.id == service)?;
            snap.escalation_policy(&s.escalation_policy.as_ref()?.id)
        })
        .or_else(|| {
            let name = f.escalation_policy.as_deref()?.trim();
            snap.escalation_policies
                .iter()
                .find(|e| e.name.trim().eq_ignore_ascii_case(name))
        })
}

fn on_call(snap: &Snapshot, target: &PdRef, t: DateTime<Utc>) -> Vec<OnCallPerson> {
    if target.kind != "schedule" {
        return vec![OnCallPerson {
            name: target.name.clone().or_else(|| {
                let u = snap.users.iter().find(|u| u.id == target.id)?;
                Some(u.name.clone())
            }),
            schedule: None,
            by_override: false,
        }];
    }
    let schedule = snap.schedule(&target.id);
    let schedule_name = schedule
        .map(|s| s.name.clone())
        .or_else(|| target.name.clone())
        .or_else(|| Some(target.id.clone()));
    let person = |user: Option<&PdRef>, by_override| OnCallPerson {
        name: user.and_then(|u| u.name.clone().or_else(|| Some(u.id.clone()))),
        schedule: schedule_name.clone(),
        by_override,
    };
    if let Some(o) = snap
        .overrides
        .iter()
        .find(|o| o.schedule_id == target.id && o.start <= t && t < o.end)
    {
        return vec![person(o.user.as_ref(), true)];
    }
    let people: Vec<OnCallPerson> = schedule
        .into_iter()
        .flat_map(|s| &s.final_entries)
        .filter(|e| e.start <= t && t < e.end && e.user.is_some())
        .map(|e| person(e.user.as_ref(), false))
        .collect();
    if people.is_empty() {
        vec![person(None, false)]
    } else {
        people
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::escalation_history;
    use crate::evidence::testkit::incident;
    use crate::model::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn user(id: &str, name: &str) -> PdRef {
        PdRef {
            id: id.into(),
            kind: "user".into(),
            name: Some(name.into()),
        }
    }

    fn snapshot() -> Snapshot {
        let rule = |id: &str, delay, target: PdRef| EscalationRule {
            id: id.into(),
            delay_minutes: delay,
            targets: vec![target],
        };
        let primary = PdRef {
            id: "PSCH".into(),
            kind: "schedule".into(),
            name: Some("Primary".into()),
        };
        Snapshot {
            escalation_policies: vec![EscalationPolicy {
                id: "PEP".into(),
                name: "Production".into(),
                description: None,
                num_loops: 0,
                rules: vec![
                    rule("R1", 5, primary),
                    rule("R2", 10, user("PLEAD", "Lead")),
                    rule("R3", 30, user("PMGR", "Manager")),
                ],
                services: vec![],
                teams: vec![],
                url: None,
            }],
            schedules: vec![Schedule {
                id: "PSCH".into(),
                name: "Primary".into(),
                version: ScheduleVersion::V2,
                time_zone: None,
                escalation_policies: vec![],
                final_entries: vec![ScheduleEntry {
                    start: t("2026-03-01T15:00:00Z"),
                    end: t("2026-03-08T15:00:00Z"),
                    user: Some(user("PANN", "Ann")),
                }],
                url: None,
            }],
            overrides: vec![Override {
                id: "POV".into(),
                schedule_id: "PSCH".into(),
                start: t("2026-03-02T14:00:00Z"),
                end: t("2026-03-02T18:00:00Z"),
                user: Some(user("PBOB", "Bob")),
            }],
            ..Snapshot::default()
        }
    }

    fn log(kind: &str, at: &str, agent: Option<&str>, channel: &str) -> LogEntry {
        LogEntry {
            at: t(at),
            kind: kind.into(),
            summary: Default::default(),
            agent: agent.map(Into::into),
            channel: Some(channel.into()),
            subject: None,
            source: None,
        }
    }

    #[test]
    fn an_override_changes_who_was_on_call_and_the_acknowledging_level_is_found() {
        let snap = snapshot();
        let history = escalation_history::histories(&snap);
        // Triggered 2026-03-02 15:00Z, inside Bob's override of Ann's week.
        let mut i = incident(7).build();
        i.fields.escalation_policy_id = Some("PEP".into());
        i.fields.timeline = crate::model::Timeline::from(vec![
            log("trigger", "2026-03-02T15:00:00Z", None, "api"),
            log("escalate", "2026-03-02T15:05:20Z", None, "timeout"),
            log("escalate", "2026-03-02T15:25:00Z", None, "timeout"),
            log(
                "acknowledge",
                "2026-03-02T15:26:00Z",
                Some("Lead"),
                "website",
            ),
        ]);
        let c = chain(&snap, &history, &i).unwrap();
        assert_eq!(
            c.levels[0].on_call,
            [OnCallPerson {
                name: Some("Bob".into()),
                schedule: Some("Primary".into()),
                by_override: true
            }]
        );
        assert_eq!(c.levels[1].on_call[0].name.as_deref(), Some("Lead"));
        assert_eq!(c.acknowledged_level, Some(2));
        // Level 2 at 5m20s (within a minute of 5m); level 3 at 25m against 15m configured.
        let followed: Vec<Option<bool>> = c.escalations.iter().map(|e| e.followed).collect();
        assert_eq!(followed, [Some(true), Some(false)]);
        assert_eq!(c.followed, Some(false));

        // Outside the override the schedule's own entry decides.
        let mut later = i.clone();
        later.created = t("2026-03-03T15:00:00Z");
        let c = chain(&snap, &history, &later).unwrap();
        assert_eq!(c.levels[0].on_call[0].name.as_deref(), Some("Ann"));
        assert!(!c.levels[0].on_call[0].by_override);
        // A gap: no one.
        later.created = t("2026-03-09T15:00:00Z");
        let c = chain(&snap, &history, &later).unwrap();
        assert_eq!(c.levels[0].on_call[0].name, None);
    }

    #[test]
    fn an_escalation_that_should_have_fired_and_did_not_is_flagged() {
        let snap = snapshot();
        let history = escalation_history::histories(&snap);
        // Level 2 is due at 5m, level 3 at 15m. Nobody acknowledged until 40m; the log shows
        // one escalation (at 5m10s) and none at 15m.
        let mut i = incident(8).build();
        i.created = t("2026-03-03T15:00:00Z");
        i.fields.escalation_policy_id = Some("PEP".into());
        i.fields.timeline = crate::model::Timeline::from(vec![
            log("trigger", "2026-03-03T15:00:00Z", None, "api"),
            log("escalate", "2026-03-03T15:05:10Z", None, "timeout"),
            log(
                "acknowledge",
                "2026-03-03T15:40:00Z",
                Some("Lead"),
                "website",
            ),
        ]);
        // Low urgency does not escalate in PagerDuty: nothing was missed.
        i.fields.urgency = Some("low".into());
        assert!(chain(&snap, &history, &i).unwrap().missed.is_empty());
        i.fields.urgency = Some("High".into());
        let c = chain(&snap, &history, &i).unwrap();
        assert_eq!(
            c.missed,
            [MissedEscalation {
                level: 3,
                due: t("2026-03-03T15:15:00Z"),
                expected_secs: 900,
            }]
        );
        assert_eq!(
            c.followed,
            Some(false),
            "the one escalation on time, one missed"
        );

        // Acknowledged at 10m: level 3 was never due.
        let mut entries: Vec<_> = i.fields.timeline.iter().collect();
        entries[2].at = t("2026-03-03T15:10:00Z");
        i.fields.timeline = entries.clone().into();
        let c = chain(&snap, &history, &i).unwrap();
        assert!(c.missed.is_empty());
        assert_eq!(c.followed, Some(true));

        // Still unacknowledged, but the log ends at 12m: too early to judge level 3.
        entries[2] = log("annotate", "2026-03-03T15:12:00Z", Some("Lead"), "website");
        i.fields.timeline = entries.into();
        assert!(chain(&snap, &history, &i).unwrap().missed.is_empty());
    }
}
