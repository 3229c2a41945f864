//! `data/summary.json` (evidence-rules.md §7): stable key order, integers only, no wall clock.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{
    Exception, ExceptionKind, IncidentFacts, MonthFacts, MonthSeverity, PostmortemFacts,
    PostmortemState, VerdictState,
};
use crate::config::Config;
use crate::model::Accounting;
use crate::model::Inputs;

pub const SCHEMA: &str = "pagerproof.summary.v1";

/// The summary; fields serialize in declaration order, which is the documented order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub schema: &'static str,
    pub period: PeriodSummary,
    pub population: Population,
    pub by_severity: BySeverity,
    pub exceptions: ExceptionCounts,
    /// evidence-rules §9: security and operational incidents apart.
    pub by_class: super::classes::ByClass,
    /// evidence-rules §9: public Statuspage incidents against PagerDuty detection.
    pub statuspage: super::customers::StatuspageSummary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodSummary {
    pub name: String,
    pub start: String,
    pub end: String,
    pub as_of: String,
    pub timezone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Population {
    pub rows_read: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub outside_period: u64,
    pub rejected: u64,
    /// The exports against the API snapshot; absent unless the site has both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<super::reconciliation::ReconciliationCounts>,
}

impl From<&Accounting> for Population {
    fn from(a: &Accounting) -> Self {
        Population {
            rows_read: a.rows_read,
            accepted: a.accepted,
            duplicates: a.duplicates,
            outside_period: a.outside_period,
            rejected: a.rejected,
            reconciliation: None,
        }
    }
}

/// Figures of one policy level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub incidents: u64,
    pub ack_met: u64,
    pub ack_breached: u64,
    pub resolve_met: u64,
    pub resolve_breached: u64,
    pub postmortem_required: u64,
    pub postmortem_present: u64,
    pub postmortem_on_time: u64,
    pub postmortem_complete: u64,
}

/// The policy's levels in policy order, then `unclassified` with its incident count only;
/// serialized as one JSON object in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BySeverity {
    pub levels: Vec<(String, SeverityCounts)>,
    pub unclassified: u64,
}

#[derive(Serialize)]
struct Unclassified {
    incidents: u64,
}

impl Serialize for BySeverity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.levels.len() + 1))?;
        for (level, counts) in &self.levels {
            map.serialize_entry(level, counts)?;
        }
        map.serialize_entry(
            "unclassified",
            &Unclassified {
                incidents: self.unclassified,
            },
        )?;
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionCounts {
    pub total: u64,
    pub by_kind: ByKind,
}

/// Every kind of §6 in §6 order, zeros included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByKind(pub Vec<(ExceptionKind, u64)>);

impl Serialize for ByKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (kind, n) in &self.0 {
            map.serialize_entry(kind.name(), n)?;
        }
        map.end()
    }
}

/// Builds the summary from the final exception list (the on-call exceptions included), so a
/// caller that appends exceptions rebuilds it with this.
pub fn build(
    config: &Config,
    inputs: &Inputs,
    reconciliation: Option<super::reconciliation::ReconciliationCounts>,
    incidents: &[IncidentFacts],
    postmortems: &[PostmortemFacts],
    exceptions: &[Exception],
    customers: &super::customers::CustomerFacts,
) -> Summary {
    let period = &config.period;
    Summary {
        schema: SCHEMA,
        period: PeriodSummary {
            name: period.name.clone(),
            start: period.start.to_string(),
            end: period.end.to_string(),
            as_of: period.as_of().to_string(),
            timezone: config.tz().name().to_string(),
        },
        population: Population {
            reconciliation,
            ..Population::from(&inputs.accounting)
        },
        by_severity: by_severity(inputs, incidents, postmortems),
        exceptions: exception_counts(exceptions),
        by_class: super::classes::by_class(incidents),
        statuspage: customers.summary(),
    }
}

fn by_severity(
    inputs: &Inputs,
    incidents: &[IncidentFacts],
    postmortems: &[PostmortemFacts],
) -> BySeverity {
    let policy = inputs.policy();
    // A set, not a search of every postmortem per link: a million-incident year has 27k
    // postmortems linked from as many incidents, which searched that way took 360 million
    // comparisons.
    let complete_ids: std::collections::HashSet<&str, foldhash::fast::RandomState> = postmortems
        .iter()
        .filter(|p| p.parts_missing.is_empty())
        .map(|p| p.id.as_str())
        .collect();
    let complete = |id: &String| complete_ids.contains(id.as_str());
    let levels = policy
        .severities
        .iter()
        .map(|level| {
            let mut c = SeverityCounts::default();
            for f in incidents
                .iter()
                .filter(|f| f.severity.level.as_deref() == Some(level.level.as_str()))
            {
                c.incidents += 1;
                c.ack_met += u64::from(f.ack.state == VerdictState::Met);
                c.ack_breached += u64::from(f.ack.state == VerdictState::Breached);
                c.resolve_met += u64::from(f.resolve.state == VerdictState::Met);
                c.resolve_breached += u64::from(f.resolve.state == VerdictState::Breached);
                if level.postmortem.is_some() {
                    c.postmortem_required += 1;
                    c.postmortem_present += u64::from(!f.postmortems.is_empty());
                    c.postmortem_on_time += u64::from(f.postmortem == PostmortemState::OnTime);
                    c.postmortem_complete += u64::from(f.postmortems.iter().any(complete));
                }
            }
            (level.level.clone(), c)
        })
        .collect();
    BySeverity {
        levels,
        unclassified: incidents
            .iter()
            .filter(|f| f.severity.level.is_none())
            .count() as u64,
    }
}

fn exception_counts(exceptions: &[Exception]) -> ExceptionCounts {
    let by_kind: Vec<(ExceptionKind, u64)> = ExceptionKind::ALL
        .iter()
        .map(|&k| (k, exceptions.iter().filter(|e| e.kind == k).count() as u64))
        .collect();
    ExceptionCounts {
        total: by_kind.iter().map(|(_, n)| n).sum(),
        by_kind: ByKind(by_kind),
    }
}

impl Summary {
    /// Pretty-printed JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("summary serializes");
        text.push('\n');
        text
    }
}

/// Per calendar month of the period (incidents by creation month in the organization's zone).
pub fn months(config: &Config, inputs: &Inputs, incidents: &[IncidentFacts]) -> Vec<MonthFacts> {
    let tz = config.tz();
    let month_of = |f: &IncidentFacts| {
        inputs
            .created_of(f.number)
            .map(|created| crate::model::period::month_of(tz, created))
    };
    let mut levels: Vec<Option<&str>> = inputs
        .policy()
        .severities
        .iter()
        .map(|s| Some(s.level.as_str()))
        .collect();
    levels.push(None);
    // Each incident's month once (a zone conversion and a string each), not once per month.
    let mut by_month: std::collections::BTreeMap<String, Vec<&IncidentFacts>> = Default::default();
    for f in incidents {
        if let Some(month) = month_of(f) {
            by_month.entry(month).or_default().push(f);
        }
    }
    crate::model::period::months(config)
        .into_iter()
        .map(|month| {
            let of_month = by_month.remove(&month).unwrap_or_default();
            let count = |state: PostmortemState| {
                of_month.iter().filter(|f| f.postmortem == state).count() as u64
            };
            MonthFacts {
                by_severity: levels
                    .iter()
                    .map(|&level| month_severity(level, &of_month))
                    .collect(),
                postmortems_on_time: count(PostmortemState::OnTime),
                postmortems_late: count(PostmortemState::Late),
                postmortems_missing: count(PostmortemState::Missing),
                postmortems_pending: count(PostmortemState::Pending),
                month,
            }
        })
        .collect()
}

fn month_severity(level: Option<&str>, incidents: &[&IncidentFacts]) -> MonthSeverity {
    let of_level: Vec<&&IncidentFacts> = incidents
        .iter()
        .filter(|f| f.severity.level.as_deref() == level)
        .collect();
    let count =
        |pred: &dyn Fn(&IncidentFacts) -> bool| of_level.iter().filter(|f| pred(f)).count() as u64;
    let mut ack_times: Vec<i64> = of_level
        .iter()
        .filter_map(|f| f.time_to_ack.get())
        .collect();
    let mut resolve_times: Vec<i64> = of_level
        .iter()
        .filter_map(|f| f.time_to_resolve.get())
        .collect();
    ack_times.sort_unstable();
    resolve_times.sort_unstable();
    MonthSeverity {
        level: level.unwrap_or("unclassified").to_string(),
        incidents: of_level.len() as u64,
        ack_met: count(&|f| f.ack.state == VerdictState::Met),
        ack_breached: count(&|f| f.ack.state == VerdictState::Breached),
        resolve_met: count(&|f| f.resolve.state == VerdictState::Met),
        resolve_breached: count(&|f| f.resolve.state == VerdictState::Breached),
        ack: super::stats::TimeStats::of(&ack_times),
        resolve: super::stats::TimeStats::of(&resolve_times),
        ack_times,
        resolve_times,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::evaluate;
    use crate::evidence::testkit::*;

    #[test]
    fn json_keys_come_in_the_documented_order() {
        let mut inputs = inputs(vec![incident(1).priority("P10").build()], vec![]);
        // A level that would sort before P2 as text stays where the policy puts it.
        let mut p10 = p2();
        p10.level = "P10".into();
        inputs.policies[0].severities.push(p10);
        let e = evaluate(&config(), &inputs);
        let json = e.summary.to_json();
        assert!(json.ends_with("}\n"));
        let pos = |key: &str| {
            json.find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("{key} missing from {json}"))
        };
        let in_order = |keys: &[&str]| {
            for pair in keys.windows(2) {
                assert!(
                    pos(pair[0]) < pos(pair[1]),
                    "{} before {}",
                    pair[0],
                    pair[1]
                );
            }
        };
        in_order(&[
            "schema",
            "period",
            "population",
            "by_severity",
            "exceptions",
        ]);
        in_order(&["name", "start", "end", "as_of", "timezone"]);
        in_order(&[
            "rows_read",
            "accepted",
            "duplicates",
            "outside_period",
            "rejected",
        ]);
        in_order(&["P1", "P2", "P3", "P4", "P10", "unclassified"]);
        in_order(&[
            "incidents",
            "ack_met",
            "ack_breached",
            "resolve_met",
            "resolve_breached",
            "postmortem_required",
            "postmortem_present",
            "postmortem_on_time",
            "postmortem_complete",
        ]);
        let names: Vec<&str> = ExceptionKind::ALL.iter().map(|k| k.name()).collect();
        in_order(&[&["total"], names.as_slice()].concat());
        assert!(
            json.contains("\"unclassified\": {\n      \"incidents\": 0\n    }"),
            "{json}"
        );
        assert!(json.contains("\"timezone\": \"America/New_York\""));
        assert_eq!(e.summary.by_severity.levels[4].1.incidents, 1);
    }

    #[test]
    fn by_kind_lists_every_kind_and_sums_to_total() {
        let e = evaluate(
            &config(),
            &inputs(
                vec![
                    incident(1).priority("?").build(),
                    incident(2).priority("P1").build(),
                ],
                vec![pm("PM-1").build()],
            ),
        );
        let by_kind = &e.summary.exceptions.by_kind.0;
        assert_eq!(by_kind.len(), ExceptionKind::ALL.len());
        let kinds: Vec<ExceptionKind> = by_kind.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, ExceptionKind::ALL.to_vec());
        let sum: u64 = by_kind.iter().map(|(_, n)| n).sum();
        assert_eq!(e.summary.exceptions.total, sum);
        assert_eq!(sum, e.exceptions.len() as u64);
        // severity_missing, ack_breach, resolve_breach, orphan_postmortem (no postmortem due:
        // #2 is unresolved).
        assert_eq!(sum, 4, "{:?}", e.exceptions);
        let json: serde_json::Value = serde_json::from_str(&e.summary.to_json()).unwrap();
        assert_eq!(json["exceptions"]["by_kind"]["coverage_gap"], 0);
        assert_eq!(json["exceptions"]["by_kind"]["severity_missing"], 1);
    }

    #[test]
    fn rebuilding_with_appended_exceptions_counts_them() {
        let config = config();
        let inputs = inputs(vec![], vec![]);
        let e = evaluate(&config, &inputs);
        let mut all = e.exceptions.clone();
        all.push(Exception::new(
            ExceptionKind::EscalationDrift,
            crate::evidence::Subject::EscalationDrift {
                escalation_policy: "PEP1".into(),
                level: 2,
            },
            String::new(),
            String::new(),
            String::new(),
        ));
        let s = build(
            &config,
            &inputs,
            None,
            &e.incidents,
            &e.postmortems,
            &all,
            &e.customers,
        );
        assert_eq!(s.exceptions.total, 1);
        assert_eq!(
            s.exceptions.by_kind.0[11],
            (ExceptionKind::EscalationDrift, 1)
        );
    }

    #[test]
    fn per_severity_postmortem_counts_follow_the_definitions() {
        let resolved = |n: u64| {
            incident(n)
                .priority("P1")
                .acked("2026-03-02T15:01:00Z")
                .resolved("2026-03-02T16:00:00Z")
                .build()
        };
        let e = evaluate(
            &config(),
            &inputs(
                vec![
                    resolved(1),
                    resolved(2),
                    resolved(3),
                    // Unresolved but with a completed complete postmortem: present and complete,
                    // not on time (no due time).
                    incident(4)
                        .priority("P1")
                        .acked("2026-03-02T15:01:00Z")
                        .build(),
                    incident(5).priority("P3").build(),
                ],
                vec![
                    // On time, complete, still a draft.
                    pm("PM-1").link(1).completed("2026-03-03T00:00:00Z").build(),
                    // Late and lacking root causes.
                    pm("PM-2")
                        .link(2)
                        .completed("2026-03-06T00:00:00Z")
                        .with(|p| p.root_causes.clear())
                        .build(),
                    pm("PM-4").link(4).completed("2026-03-06T00:00:00Z").build(),
                ],
            ),
        );
        let (level, p1) = &e.summary.by_severity.levels[0];
        assert_eq!(level, "P1");
        assert_eq!(p1.incidents, 4);
        assert_eq!((p1.ack_met, p1.ack_breached), (4, 0));
        assert_eq!((p1.resolve_met, p1.resolve_breached), (3, 1));
        assert_eq!(p1.postmortem_required, 4);
        assert_eq!(p1.postmortem_present, 3);
        assert_eq!(p1.postmortem_on_time, 1);
        assert_eq!(p1.postmortem_complete, 2);
        let p3 = &e.summary.by_severity.levels[2].1;
        assert_eq!(
            (p3.incidents, p3.postmortem_required, p3.ack_breached),
            (1, 0, 1)
        );
        assert_eq!(e.summary.by_severity.unclassified, 0);
    }

    #[test]
    fn months_count_by_local_creation_month() {
        let e = evaluate(
            &config(),
            &inputs(
                vec![
                    // 2026-03-01 02:00Z is still February 28 in New York.
                    incident(1)
                        .priority("P3")
                        .created("2026-03-01T02:00:00Z")
                        .secs_to_ack(600)
                        .build(),
                    incident(2)
                        .priority("P3")
                        .created("2026-03-01T06:00:00Z")
                        .secs_to_ack(60)
                        .build(),
                    incident(3)
                        .priority("P3")
                        .created("2026-03-09T06:00:00Z")
                        .secs_to_ack(7200)
                        .build(),
                    incident(4)
                        .priority("Oops")
                        .created("2026-03-10T06:00:00Z")
                        .build(),
                ],
                vec![],
            ),
        );
        assert_eq!(e.months.len(), 12);
        let feb = &e.months[1];
        let mar = &e.months[2];
        assert_eq!(
            (feb.month.as_str(), mar.month.as_str()),
            ("2026-02", "2026-03")
        );
        let p3 = |m: &MonthFacts| {
            m.by_severity
                .iter()
                .find(|s| s.level == "P3")
                .unwrap()
                .clone()
        };
        assert_eq!((p3(feb).incidents, p3(feb).ack_met), (1, 1));
        let mar_p3 = p3(mar);
        assert_eq!(
            (mar_p3.incidents, mar_p3.ack_met, mar_p3.ack_breached),
            (2, 1, 1)
        );
        assert_eq!(mar_p3.ack_times, vec![60, 7200]);
        let unclassified = mar.by_severity.last().unwrap();
        assert_eq!(
            (unclassified.level.as_str(), unclassified.incidents),
            ("unclassified", 1)
        );
    }
}
