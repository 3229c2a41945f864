//! automation.html: what runs for which severity and service (incident workflows and their
//! triggers, response plays, automation actions) against the policy's `automation` names, and
//! the in-period incidents whose log shows a workflow or play running.

use anyhow::Result;
use serde::Serialize;

use crate::evidence::{ExceptionKind, Subject};
use crate::model::PdRef;
use crate::render::anchor;
use crate::render::context::Ctx;
use crate::util::local_time;

#[derive(Serialize)]
struct AutomationPage<'a> {
    tested: bool,
    levels: Vec<LevelView<'a>>,
    workflows: Option<Vec<WorkflowView<'a>>>,
    response_plays: Option<Vec<(&'a str, &'a Option<String>)>>,
    response_plays_note: Option<&'a str>,
    actions: Option<Vec<ActionView<'a>>>,
    runs: Vec<RunView<'a>>,
}

#[derive(Serialize)]
struct LevelView<'a> {
    level: &'a str,
    anchor: String,
    documented: Option<String>,
    found: Vec<String>,
    missing: String,
    /// Where its automation_missing exception is listed, relative to the site root.
    exception_href: Option<String>,
}

#[derive(Serialize)]
struct WorkflowView<'a> {
    name: &'a str,
    id: &'a str,
    enabled: Option<bool>,
    url: &'a Option<String>,
    triggers: Vec<String>,
}

#[derive(Serialize)]
struct ActionView<'a> {
    name: &'a str,
    kind: String,
    services: String,
}

#[derive(Serialize)]
struct RunView<'a> {
    number: u64,
    at: String,
    kind: &'a str,
    summary: &'a str,
}

fn names(refs: &[PdRef]) -> String {
    refs.iter()
        .map(|r| r.name.clone().unwrap_or_else(|| r.id.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let snap = &ctx.inputs.pagerduty;
    let f = &ctx.evidence.automation;
    let triggers = snap.workflow_triggers.as_deref().unwrap_or_default();
    let data = AutomationPage {
        tested: f.tested,
        levels: f
            .levels
            .iter()
            .map(|l| LevelView {
                level: &l.level,
                anchor: anchor(&l.level),
                documented: l.documented.as_ref().map(|d| d.join(", ")),
                found: l
                    .found
                    .iter()
                    .map(|(name, kind, _)| format!("{name} ({kind})"))
                    .collect(),
                missing: l.missing.join(", "),
                exception_href: (!l.missing.is_empty()).then(|| {
                    ctx.exception_href_of(
                        ExceptionKind::AutomationMissing,
                        &Subject::Level {
                            level: l.level.clone(),
                        },
                    )
                }),
            })
            .collect(),
        workflows: snap.workflows.as_ref().map(|ws| {
            ws.iter()
                .map(|w| WorkflowView {
                    name: &w.name,
                    id: &w.id,
                    enabled: w.enabled,
                    url: &w.url,
                    triggers: triggers
                        .iter()
                        .filter(|t| t.workflow_id == w.id)
                        .map(|t| {
                            let when = match &t.condition {
                                Some(c) => format!("when {c}"),
                                None if t.trigger_type == "manual" => "run by hand".into(),
                                None => "on every new incident".into(),
                            };
                            let on = if t.all_services {
                                ", on all services".to_string()
                            } else if t.services.is_empty() {
                                String::new()
                            } else {
                                format!(", on {}", names(&t.services))
                            };
                            format!("{}: {when}{on}", t.trigger_type)
                        })
                        .collect(),
                })
                .collect()
        }),
        response_plays: snap.response_plays.as_ref().map(|ps| {
            ps.iter()
                .map(|p| (p.name.as_str(), &p.description))
                .collect()
        }),
        response_plays_note: snap.unavailable_note("/response_plays"),
        actions: snap.automation_actions.as_ref().map(|acts| {
            acts.iter()
                .map(|a| ActionView {
                    name: &a.name,
                    kind: [a.classification.as_deref(), a.action_type.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", "),
                    services: names(&a.services),
                })
                .collect()
        }),
        runs: f
            .runs
            .iter()
            .map(|r| RunView {
                number: r.number,
                at: local_time(r.at, ctx.tz()),
                kind: &r.kind,
                summary: &r.summary,
            })
            .collect(),
    };
    ctx.page("automation.html", "automation.html", "Automation", &data)?;
    Ok(1)
}
