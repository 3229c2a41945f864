//! controls.html: the control matrix. Each criterion, the pages that evidence it and the
//! exceptions against it.

use anyhow::Result;
use serde::Serialize;

use super::kind_label;
use crate::evidence::ExceptionKind;
use crate::render::context::Ctx;

/// The criteria this package evidences, by id and a short title in our own words (the AICPA
/// criteria text is copyrighted and not reproduced).
pub const CRITERIA: &[(&str, &str, &str)] = &[
    (
        "CC7.2",
        "Monitoring and detection",
        "Anomalies are detected by monitoring and reach a responder: every incident of the population, how it was detected, and whether response data exists for it.",
    ),
    (
        "CC7.3",
        "Evaluation and response to incidents",
        "Events are evaluated and classified by severity, assigned through escalation policies and on-call schedules, and answered within the documented response targets.",
    ),
    (
        "CC7.4",
        "Incident response program and analysis",
        "Incidents that require it are analysed in postmortems with timeline, root cause, customer impact, corrective and preventive actions.",
    ),
    (
        "CC7.5",
        "Recovery and remediation",
        "Corrective actions are tracked to completion in the ticketing system by their due dates.",
    ),
];

#[derive(Serialize)]
struct ControlsPage {
    criteria: Vec<Criterion>,
}

#[derive(Serialize)]
struct Criterion {
    id: &'static str,
    title: &'static str,
    what: &'static str,
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
        .map(|&(id, title, what)| {
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
                    href: format!("exceptions.html#kind-{}", k.name()),
                })
                .collect();
            Criterion {
                id,
                title,
                what,
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
        &ControlsPage { criteria },
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
