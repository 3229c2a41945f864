//! Each escalation policy's configuration over the period, rebuilt from the audit records, and
//! when it differed from the documented escalation path.
//!
//! The snapshot gives the rules as they were when fetched. Walking the policy's audit records
//! newest first and putting back each change's `before_value` gives the rules before it, so every
//! record that changed `escalation_rules[N].escalation_delay_in_minutes` or `num_loops` starts a
//! new version, valid until the next such record (the last until the snapshot). A change without
//! a readable before value leaves that value as it was after (said in `unknown_before`). Rules
//! added or removed and target changes are not rebuilt: versions keep the snapshot's rule count.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{AuditRecord, EscalationLevel, EscalationPolicy, Snapshot};

/// One configuration of a policy and when it was in effect: [`from`, `until`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyVersion {
    /// `None`: since before the first audit record that changed it.
    pub from: Option<DateTime<Utc>>,
    /// `None`: still in effect when the snapshot was fetched.
    pub until: Option<DateTime<Utc>>,
    /// `escalation_delay_in_minutes` per rule, in rule order.
    pub delays: Vec<i64>,
    pub num_loops: u32,
    /// The audit record that made this version (its id), and the one that ended it.
    pub introduced_by: Option<String>,
    pub ended_by: Option<String>,
    /// Fields of `introduced_by` whose before value was missing (this version's predecessor
    /// keeps the value after the change for them).
    pub unknown_before: Vec<String>,
}

impl PolicyVersion {
    /// Seconds after the trigger at which each rule is paged (cumulative).
    pub fn paged_after_secs(&self) -> Vec<i64> {
        let mut at = 0;
        self.delays
            .iter()
            .map(|d| {
                let this = at;
                at += d * 60;
                this
            })
            .collect()
    }

    pub fn in_effect_at(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| f <= t) && self.until.is_none_or(|u| t < u)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyHistory {
    pub policy_id: String,
    pub name: String,
    /// Oldest first; consecutive versions meet (`until` of one is `from` of the next).
    pub versions: Vec<PolicyVersion>,
}

impl PolicyHistory {
    pub fn at(&self, t: DateTime<Utc>) -> Option<&PolicyVersion> {
        self.versions.iter().find(|v| v.in_effect_at(t))
    }
}

/// A stretch of the period in which PagerDuty paged a level at another time than documented.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftSpan {
    pub level: u32,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub documented_secs: Option<i64>,
    pub configured_secs: Option<i64>,
    /// Audit records that started and ended it (none: before the records, or still open).
    pub started_by: Option<String>,
    pub ended_by: Option<String>,
}

/// Every policy's history, in snapshot (id) order.
pub fn histories(snap: &Snapshot) -> Vec<PolicyHistory> {
    snap.escalation_policies
        .iter()
        .map(|ep| history(ep, &snap.audit_records))
        .collect()
}

fn touches(r: &AuditRecord, id: &str) -> bool {
    r.root_resource.id == id || r.resource.as_ref().is_some_and(|x| x.id == id)
}

/// `escalation_rules[3].escalation_delay_in_minutes` → 3.
fn rule_delay_index(field: &str) -> Option<usize> {
    field
        .strip_prefix("escalation_rules[")?
        .strip_suffix("].escalation_delay_in_minutes")?
        .parse()
        .ok()
}

pub fn history(ep: &EscalationPolicy, audit: &[AuditRecord]) -> PolicyHistory {
    let mut delays: Vec<i64> = ep.rules.iter().map(|r| r.delay_minutes).collect();
    let mut loops = ep.num_loops;
    let mut changes: Vec<&AuditRecord> = audit
        .iter()
        .filter(|r| touches(r, &ep.id))
        .filter(|r| {
            r.fields
                .iter()
                .any(|f| f.name == "num_loops" || rule_delay_index(&f.name).is_some())
        })
        .collect();
    changes.sort_by_key(|r| r.at);
    let mut newest_first = Vec::new();
    let mut until: Option<(DateTime<Utc>, String)> = None;
    let mut created = false;
    for r in changes.iter().rev() {
        // The record that created the policy: nothing came before it.
        if r.action == "create" {
            newest_first.push(PolicyVersion {
                from: Some(r.at),
                until: until.as_ref().map(|u| u.0),
                delays: delays.clone(),
                num_loops: loops,
                introduced_by: Some(r.id.clone()),
                ended_by: until.as_ref().map(|u| u.1.clone()),
                unknown_before: Vec::new(),
            });
            created = true;
            break;
        }
        let mut unknown = Vec::new();
        let before = |f: &crate::model::FieldChange, unknown: &mut Vec<String>| {
            let v = f
                .before
                .as_deref()
                .and_then(|b| b.trim().parse::<i64>().ok());
            if v.is_none() {
                unknown.push(f.name.clone());
            }
            v
        };
        let this = PolicyVersion {
            from: Some(r.at),
            until: until.as_ref().map(|u| u.0),
            delays: delays.clone(),
            num_loops: loops,
            introduced_by: Some(r.id.clone()),
            ended_by: until.as_ref().map(|u| u.1.clone()),
            unknown_before: Vec::new(),
        };
        for f in &r.fields {
            if f.name == "num_loops" {
                if let Some(b) = before(f, &mut unknown) {
                    loops = u32::try_from(b).unwrap_or(loops);
                }
            } else if let Some(i) = rule_delay_index(&f.name)
                && let Some(b) = before(f, &mut unknown)
                && let Some(slot) = delays.get_mut(i)
            {
                *slot = b;
            }
        }
        newest_first.push(PolicyVersion {
            unknown_before: unknown,
            ..this
        });
        until = Some((r.at, r.id.clone()));
    }
    if !created {
        newest_first.push(PolicyVersion {
            from: None,
            until: until.as_ref().map(|u| u.0),
            delays,
            num_loops: loops,
            introduced_by: None,
            ended_by: until.map(|u| u.1),
            unknown_before: Vec::new(),
        });
    }
    newest_first.reverse();
    PolicyHistory {
        policy_id: ep.id.clone(),
        name: ep.name.clone(),
        versions: newest_first,
    }
}

/// Where the history differs from the documented path inside [start, end): per level, maximal
/// stretches of consecutive versions that page it at another time (or not at all), clipped to
/// the period. Sorted by level, then time.
pub fn drift(
    h: &PolicyHistory,
    documented: &[EscalationLevel],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<DriftSpan> {
    let in_period: Vec<&PolicyVersion> = h
        .versions
        .iter()
        .filter(|v| v.from.is_none_or(|f| f < end) && v.until.is_none_or(|u| u > start))
        .collect();
    let levels = in_period
        .iter()
        .map(|v| v.delays.len() as u32)
        .chain(documented.iter().map(|l| l.level))
        .max()
        .unwrap_or(0);
    let mut out: Vec<DriftSpan> = Vec::new();
    for level in 1..=levels {
        let documented_secs = documented
            .iter()
            .find(|l| l.level == level)
            .map(|l| l.paged_after_secs);
        let mut open: Option<DriftSpan> = None;
        for v in &in_period {
            let configured_secs = v.paged_after_secs().get(level as usize - 1).copied();
            if configured_secs == documented_secs {
                out.extend(open.take());
                continue;
            }
            match &mut open {
                // The same drift carried on through another edit (of another rule).
                Some(o) if o.configured_secs == configured_secs => {
                    o.until = v.until;
                    o.ended_by = v.ended_by.clone();
                }
                _ => {
                    out.extend(open.take());
                    open = Some(DriftSpan {
                        level,
                        from: v.from.filter(|f| *f > start),
                        until: v.until,
                        documented_secs,
                        configured_secs,
                        started_by: v.introduced_by.clone(),
                        ended_by: v.ended_by.clone(),
                    });
                }
            }
        }
        out.extend(open);
    }
    // Before the period: the record that started it is not in the period's evidence.
    for s in &mut out {
        if s.from.is_none() {
            s.started_by = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EscalationRule, FieldChange, PdRef};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn policy(delays: &[i64]) -> EscalationPolicy {
        EscalationPolicy {
            id: "PEP1".into(),
            name: "Production".into(),
            description: None,
            num_loops: 0,
            rules: delays
                .iter()
                .enumerate()
                .map(|(i, d)| EscalationRule {
                    id: format!("R{i}"),
                    delay_minutes: *d,
                    targets: vec![],
                })
                .collect(),
            services: vec![],
            teams: vec![],
            url: None,
        }
    }

    fn edit(id: &str, at: &str, changes: &[(usize, i64, i64)]) -> AuditRecord {
        AuditRecord {
            id: id.into(),
            at: t(at),
            action: "update".into(),
            actors: vec![],
            method: None,
            root_resource: PdRef {
                id: "PEP1".into(),
                kind: "escalation_policy".into(),
                name: None,
            },
            resource: None,
            fields: changes
                .iter()
                .map(|(i, b, a)| FieldChange {
                    name: format!("escalation_rules[{i}].escalation_delay_in_minutes"),
                    before: Some(b.to_string()),
                    after: Some(a.to_string()),
                })
                .collect(),
            references: vec![],
        }
    }

    fn documented() -> Vec<EscalationLevel> {
        [(1, 0), (2, 300), (3, 900)]
            .iter()
            .map(|(level, s)| EscalationLevel {
                level: *level,
                role: format!("L{level}"),
                paged_after_secs: *s,
            })
            .collect()
    }

    #[test]
    fn drift_that_starts_and_ends_inside_the_period_is_dated_by_its_audit_records() {
        // Documented: 0, 5m, 15m. Snapshot (fetched after the revert): delays 5, 10 — as
        // documented. In between level 3 was paged at 20m.
        let ep = policy(&[5, 10, 30]);
        let audit = vec![
            edit("A-START", "2026-09-14T20:42:00Z", &[(1, 10, 15)]),
            edit("A-END", "2026-11-30T15:00:00Z", &[(1, 15, 10)]),
        ];
        let h = history(&ep, &audit);
        assert_eq!(h.versions.len(), 3);
        assert_eq!(h.versions[0].delays, [5, 10, 30]);
        assert_eq!(h.versions[1].delays, [5, 15, 30]);
        assert_eq!(h.versions[1].introduced_by.as_deref(), Some("A-START"));
        assert_eq!(h.versions[1].ended_by.as_deref(), Some("A-END"));
        assert_eq!(h.at(t("2026-10-01T00:00:00Z")), Some(&h.versions[1]));
        assert_eq!(h.at(t("2026-12-01T00:00:00Z")), Some(&h.versions[2]));
        let spans = drift(
            &h,
            &documented(),
            t("2026-01-01T05:00:00Z"),
            t("2027-01-01T05:00:00Z"),
        );
        assert_eq!(
            spans,
            [DriftSpan {
                level: 3,
                from: Some(t("2026-09-14T20:42:00Z")),
                until: Some(t("2026-11-30T15:00:00Z")),
                documented_secs: Some(900),
                configured_secs: Some(1200),
                started_by: Some("A-START".into()),
                ended_by: Some("A-END".into()),
            }]
        );
    }

    #[test]
    fn drift_before_the_records_and_still_open_has_no_dating_record() {
        let ep = policy(&[5, 15, 30]);
        let h = history(&ep, &[]);
        assert_eq!(h.versions.len(), 1);
        let spans = drift(
            &h,
            &documented(),
            t("2026-01-01T05:00:00Z"),
            t("2027-01-01T05:00:00Z"),
        );
        assert_eq!(spans.len(), 1);
        assert_eq!((spans[0].from, spans[0].until), (None, None));
        assert_eq!(spans[0].started_by, None);
    }

    #[test]
    fn a_policy_created_in_the_period_has_no_version_before_its_creation() {
        let ep = policy(&[5, 10, 30]);
        let mut create = edit("A-NEW", "2026-05-01T12:00:00Z", &[]);
        create.action = "create".into();
        create.fields = vec![FieldChange {
            name: "num_loops".into(),
            before: None,
            after: Some("0".into()),
        }];
        let h = history(&ep, &[create]);
        assert_eq!(h.versions.len(), 1);
        assert_eq!(h.versions[0].from, Some(t("2026-05-01T12:00:00Z")));
        assert!(h.versions[0].unknown_before.is_empty());
        assert_eq!(h.at(t("2026-04-01T00:00:00Z")), None);
    }
}
