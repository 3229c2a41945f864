//! controls.html: the control matrix. Each criterion, the pages that evidence it and the
//! exceptions against it.

use anyhow::Result;
use serde::Serialize;

use super::kind_label;
use crate::evidence::ExceptionKind;
use crate::render::context::Ctx;

/// The criteria this package evidences, by id and a short title in our own words (the AICPA
/// criteria text is copyrighted and not reproduced), with what the tool tests against each and
/// what it does not: a criterion with few or no exceptions is only as strong as what was tested.
pub const CRITERIA: &[Criterion] = &[
    Criterion {
        id: "CC7.2",
        title: "Monitoring and detection",
        what: "The population of incidents the monitoring raised, accounted for row by row.",
        tested: &[
            "Every input row is read as an incident or rejected; each rejected row is a row_rejected exception.",
            "Every in-period incident carries acknowledgement and resolution data; one without is a response_data_missing exception.",
            "Every public Statuspage incident of the period was detected in PagerDuty before customers were told (statuspage_unmatched, detected_after_customers), when a Statuspage snapshot is present.",
        ],
        not_tested: &[
            "Whether monitoring detected the anomalies it should have: an event that never became an incident, and was never posted publicly, is invisible to this tool.",
            "How an incident was detected (alert sources, thresholds): only the PagerDuty creation time against the public Statuspage notice is tested.",
        ],
    },
    Criterion {
        id: "CC7.3",
        title: "Evaluation and response to incidents",
        what: "Incidents classified by severity, assigned through escalation policies and on-call schedules, and answered within the documented response targets.",
        tested: &[
            "Every incident has a severity level of the documented policy (severity_missing).",
            "Acknowledgement and resolution within each severity's target (ack_breach, resolve_breach).",
            "First-level on-call coverage and the documented escalation path against the PagerDuty snapshot (coverage_gap, escalation_drift), when a snapshot is present.",
            "Urgency, notification and automation as documented: each incident's urgency against its level (urgency_mismatch), each first-level on-call user's high-urgency channels (notification_gap), each level's workflows or response plays (automation_missing), where documented and in the snapshot.",
        ],
        not_tested: &[
            "Whether the severity given to an incident was the right one for the event.",
            "The PagerDuty audit log (administration of the tooling) is shown for the auditor's review, not tested.",
            "Monitoring integrations and event orchestration routes are shown beside the documented routing, not judged.",
        ],
    },
    Criterion {
        id: "CC7.4",
        title: "Incident response program and analysis",
        what: "Incidents that require it analysed in postmortems with timeline, root cause, customer impact, corrective and preventive actions.",
        tested: &[
            "A postmortem exists and was completed on time for every incident whose severity requires one (postmortem_missing, postmortem_late).",
            "Each postmortem has the five parts and links an incident of the inputs (postmortem_incomplete, orphan_postmortem).",
        ],
        not_tested: &[
            "Whether a root cause, impact statement or action is correct or sufficient: parts are tested for presence, not quality.",
        ],
    },
    Criterion {
        id: "CC7.5",
        title: "Recovery and remediation",
        what: "Corrective actions tracked to completion in the ticketing system by their due dates.",
        tested: &[
            "Every action item is tracked in the ticketing system (action_item_untracked).",
            "Every action item is done by its due date, as of the as-of date, per the Jira snapshot when it holds the ticket (action_item_overdue).",
        ],
        not_tested: &[
            "Whether systems were restored or a corrective action actually fixed the cause: only the ticket's state is read.",
        ],
    },
];

/// One criterion's static description (see [`CRITERIA`]).
#[derive(Debug, Serialize)]
pub struct Criterion {
    pub id: &'static str,
    pub title: &'static str,
    pub what: &'static str,
    pub tested: &'static [&'static str],
    pub not_tested: &'static [&'static str],
}

#[derive(Serialize)]
struct ControlsPage<'a> {
    criteria: Vec<CriterionRow<'a>>,
    mapped: bool,
    /// Security and operational incidents apart (`summary.json` `by_class`).
    classes: Vec<ClassRow<'a>>,
}

#[derive(Serialize)]
struct ClassRow<'a> {
    class: &'static str,
    counts: &'a crate::evidence::classes::ClassCounts,
}

#[derive(Serialize)]
struct CriterionRow<'a> {
    #[serde(flatten)]
    criterion: &'static Criterion,
    /// The company's own control ids for the criterion (`site.toml [controls]`).
    company_controls: &'a [String],
    evidence: Vec<EvidenceLink>,
    kinds: Vec<KindCount>,
    total: usize,
}

#[derive(Serialize)]
struct EvidenceLink {
    label: &'static str,
    href: String,
}

#[derive(Serialize)]
struct KindCount {
    kind: &'static str,
    label: &'static str,
    count: usize,
    href: String,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let criteria = CRITERIA
        .iter()
        .map(|criterion| {
            let id = criterion.id;
            let kinds: Vec<KindCount> = ExceptionKind::ALL
                .iter()
                .filter(|k| k.criterion() == id)
                .map(|k| KindCount {
                    kind: k.name(),
                    label: kind_label(*k),
                    count: ctx
                        .evidence
                        .exceptions
                        .iter()
                        .filter(|e| e.kind == *k)
                        .count(),
                    href: ctx.exception_kind_href(*k),
                })
                .collect();
            CriterionRow {
                criterion,
                company_controls: ctx.config.controls.get(id).map_or(&[], Vec::as_slice),
                evidence: evidence_for(ctx, id),
                total: kinds.iter().map(|k| k.count).sum(),
                kinds,
            }
        })
        .collect();
    ctx.page(
        "controls.html",
        "controls.html",
        "Control matrix",
        &ControlsPage {
            criteria,
            mapped: !ctx.config.controls.is_empty(),
            classes: crate::evidence::classes::IncidentClass::ALL
                .iter()
                .map(|&c| ClassRow {
                    class: c.name(),
                    counts: ctx.evidence.summary.by_class.get(c),
                })
                .collect(),
        },
    )?;
    Ok(1)
}

/// The pages that evidence a criterion; on-call, audit-log and sample pages only when built.
fn evidence_for(ctx: &Ctx, id: &str) -> Vec<EvidenceLink> {
    let l = |label: &'static str, href: &str| EvidenceLink {
        label,
        href: href.to_string(),
    };
    match id {
        "CC7.2" => vec![
            l(
                "Population: every input row accounted for",
                "population.html",
            ),
            l("Incident register", "incidents/index.html"),
            l("Register (CSV)", "data/register.csv"),
            l(
                "Customers: public Statuspage incidents against PagerDuty detection",
                "customers.html",
            ),
        ],
        "CC7.3" => vec![
            l(
                "Incident response policy: severity matrix and targets",
                &format!("policies/{}.html", ctx.inputs.policy().slug),
            ),
            l("Incident register with verdicts", "incidents/index.html"),
            l("Response figures per severity", "index.html#figures"),
            l("On-call and escalation", "oncall/index.html"),
            l(
                "Configuration: urgency, notification and routing",
                "configuration.html",
            ),
            l(
                "Automation: workflows and response plays",
                "automation.html",
            ),
            l(
                "PagerDuty audit log: administration of the incident tooling",
                "audit-log/index.html",
            ),
            l("Samples drawn for testing", "sample.html"),
            l("Method: the rules as applied", "method.html"),
        ],
        "CC7.4" => vec![
            l(
                "Postmortems and their five-part checklist",
                "postmortems/index.html",
            ),
            l("Postmortem figures per severity", "index.html#figures"),
        ],
        _ => vec![
            l(
                "Postmortem action items and Jira status",
                "postmortems/index.html",
            ),
            l("Exceptions and management responses", "exceptions.html"),
        ],
    }
    .into_iter()
    .filter(|v| match v.href.as_str() {
        "oncall/index.html" => ctx.site.has_oncall,
        "audit-log/index.html" => ctx.site.has_audit_log,
        "sample.html" => ctx.site.has_samples,
        _ => true,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_covers_exactly_the_criteria_config_accepts_and_says_what_is_untested() {
        let ids: Vec<&str> = CRITERIA.iter().map(|c| c.id).collect();
        assert_eq!(ids, crate::config::CRITERIA_IDS);
        for c in CRITERIA {
            assert!(!c.tested.is_empty(), "{}", c.id);
            assert!(!c.not_tested.is_empty(), "{}", c.id);
        }
        // Every exception kind is named in its own criterion's "tested" list.
        for kind in ExceptionKind::ALL {
            let c = CRITERIA.iter().find(|c| c.id == kind.criterion()).unwrap();
            assert!(
                c.tested.iter().any(|t| t.contains(kind.name())),
                "{} not in {}",
                kind.name(),
                c.id
            );
        }
    }
}
