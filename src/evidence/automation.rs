//! Response automation (evidence-rules §9): each level's documented `automation` names against the
//! incident workflows and response plays of the snapshot (`automation_missing`), what is
//! configured to run, and the in-period incidents whose log shows a workflow or play running.
//!
//! - **Match**: a documented name matches a workflow or response play whose name equals it,
//!   trimmed and case-insensitively.
//! - **Not tested**: the snapshot holds neither workflows nor response plays (not fetched, or the
//!   account lacks both features).
//! - **Runs**: PagerDuty documents no log-entry type for a workflow or play run, so a run is read
//!   from any log entry whose type names a workflow or response play, or whose summary names a
//!   workflow or play of the snapshot. Shown, not judged.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::evidence::{Exception, ExceptionKind, IncidentFacts, Subject};
use crate::model::{Inputs, Sym};

#[derive(Debug, Clone, Default, Serialize)]
pub struct AutomationFacts {
    /// The snapshot holds workflows or response plays.
    pub tested: bool,
    /// One per policy level, in policy order.
    pub levels: Vec<LevelAutomation>,
    /// Log entries of in-period incidents showing automation running, by incident then time.
    pub runs: Vec<AutomationRun>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelAutomation {
    pub level: String,
    /// `None`: no `automation` documented for the level.
    pub documented: Option<Vec<String>>,
    /// Documented names found: (name, `workflow` or `response play`, id).
    pub found: Vec<(String, &'static str, String)>,
    /// Documented names matching nothing (only when tested).
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AutomationRun {
    pub number: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    pub summary: String,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

pub fn facts(inputs: &Inputs, incidents: &[IncidentFacts]) -> AutomationFacts {
    let snap = &inputs.pagerduty;
    let tested = snap.workflows.is_some() || snap.response_plays.is_some();
    let mut known: Vec<(&str, &'static str, &str)> = Vec::new();
    for w in snap.workflows.iter().flatten() {
        known.push((&w.name, "workflow", &w.id));
    }
    for p in snap.response_plays.iter().flatten() {
        known.push((&p.name, "response play", &p.id));
    }
    let levels = inputs
        .policy()
        .severities
        .iter()
        .map(|s| {
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for name in s.automation.iter().flatten() {
                match known.iter().find(|(n, _, _)| same(n, name)) {
                    Some((_, kind, id)) => found.push((name.clone(), *kind, id.to_string())),
                    None if tested => missing.push(name.clone()),
                    None => {}
                }
            }
            LevelAutomation {
                level: s.level.clone(),
                documented: s.automation.clone(),
                found,
                missing,
            }
        })
        .collect();
    // Kinds and summaries are interned and repeat (at 100k incidents, 700k entries have a dozen
    // kinds and 12k summaries): each is judged once per block of incidents, not once per entry,
    // and the blocks are read in parallel (a million-incident year has seven million entries),
    // their runs collected in incident order.
    let typed = |kind: Sym| {
        let kind = kind.to_ascii_lowercase();
        kind.contains("workflow") || kind.contains("response_play")
    };
    let named = |summary: Sym| {
        let summary = summary.to_ascii_lowercase();
        (summary.contains("workflow") || summary.contains("response play"))
            && known.iter().any(|(n, _, _)| {
                !n.trim().is_empty() && summary.contains(&n.trim().to_ascii_lowercase())
            })
    };
    let runs = incidents
        .par_chunks(8192)
        .flat_map_iter(|block| {
            let mut by_type: HashMap<Sym, bool, foldhash::fast::RandomState> = HashMap::default();
            let mut by_name: HashMap<Sym, bool, foldhash::fast::RandomState> = HashMap::default();
            let mut runs = Vec::new();
            for f in block {
                let Some(incident) = inputs.incident(f.number) else {
                    continue;
                };
                for e in incident.fields.timeline.iter() {
                    let is_typed = *by_type.entry(e.kind).or_insert_with(|| typed(e.kind));
                    let is_named = *by_name.entry(e.summary).or_insert_with(|| named(e.summary));
                    if is_typed || is_named {
                        runs.push(AutomationRun {
                            number: f.number,
                            at: e.at,
                            kind: e.kind.to_string(),
                            summary: e.summary.to_string(),
                        });
                    }
                }
            }
            runs
        })
        .collect();
    AutomationFacts {
        tested,
        levels,
        runs,
    }
}

/// One `automation_missing` per level naming at least one missing name.
pub fn exceptions(f: &AutomationFacts) -> Vec<Exception> {
    f.levels
        .iter()
        .filter(|l| !l.missing.is_empty())
        .map(|l| {
            Exception::new(
                ExceptionKind::AutomationMissing,
                Subject::Level {
                    level: l.level.clone(),
                },
                format!(
                    "every automation the policy documents for {} exists as an incident workflow or response play",
                    l.level
                ),
                format!(
                    "each of: {}",
                    l.documented.as_deref().unwrap_or_default().join(", ")
                ),
                format!("missing: {}", l.missing.join(", ")),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::evaluate;
    use crate::evidence::testkit::*;
    use crate::model::IncidentWorkflow;

    fn workflow(id: &str, name: &str) -> IncidentWorkflow {
        IncidentWorkflow {
            id: id.into(),
            name: name.into(),
            description: None,
            enabled: Some(true),
            url: None,
        }
    }

    #[test]
    fn a_documented_name_without_workflow_or_play_is_missing_for_its_level() {
        let mut inc = incident(7).priority("P1").build();
        inc.fields.timeline = crate::model::Timeline::from(vec![
            annotation(
                "2026-03-02T15:00:05Z",
                "Workflow \"Major Incident\" started",
            ),
            annotation(
                "2026-03-02T15:01:00Z",
                "checked the major incident dashboard",
            ),
        ]);
        let mut i = inputs(vec![inc], vec![]);
        i.policies[0].severities[0].automation =
            Some(vec!["major incident".into(), "Status page update".into()]);
        i.policies[0].severities[1].automation = Some(vec!["Major Incident".into()]);
        // Not tested without workflows and response plays in the snapshot.
        let e = evaluate(&config(), &i);
        assert!(!e.automation.tested);
        assert!(
            !e.exceptions
                .iter()
                .any(|x| x.kind == ExceptionKind::AutomationMissing)
        );

        i.pagerduty.workflows = Some(vec![workflow("W1", " Major Incident ")]);
        let e = evaluate(&config(), &i);
        let missing: Vec<&str> = e
            .exceptions
            .iter()
            .filter(|x| x.kind == ExceptionKind::AutomationMissing)
            .map(|x| x.id.as_str())
            .collect();
        assert_eq!(missing, ["automation_missing:P1"]);
        let x = e
            .exceptions
            .iter()
            .find(|x| x.id == "automation_missing:P1")
            .unwrap();
        assert_eq!(x.actual, "missing: Status page update");
        assert_eq!(e.automation.levels[0].found[0].1, "workflow");
        assert!(e.automation.levels[2].documented.is_none());
        // The run is read from the entry naming the workflow, not from the dashboard note.
        assert_eq!(e.automation.runs.len(), 1);
        assert_eq!(e.automation.runs[0].number, 7);
    }

    #[test]
    fn response_plays_count_as_automation_too() {
        let mut i = inputs(vec![], vec![]);
        i.policies[0].severities[0].automation = Some(vec!["Legacy play".into()]);
        i.pagerduty.response_plays = Some(vec![crate::model::ResponsePlay {
            id: "RP1".into(),
            name: "legacy play".into(),
            description: None,
        }]);
        let e = evaluate(&config(), &i);
        assert!(e.automation.tested);
        assert_eq!(e.automation.levels[0].found[0].1, "response play");
        assert!(
            !e.exceptions
                .iter()
                .any(|x| x.kind == ExceptionKind::AutomationMissing)
        );
    }
}
