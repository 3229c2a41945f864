//! automation.html: what runs for which severity and service (incident workflows and their
//! triggers, response plays, automation actions) against the policy's `automation` names, and
//! the in-period incidents whose log shows a workflow or play running: a page of them there, the
//! rest on `automation/page-<n>.html` (at 1M incidents 200,000 runs, 30 MB as one page).

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::evidence::{ExceptionKind, Subject};
use crate::model::PdRef;
use crate::render::anchor;
use crate::render::context::Ctx;
use crate::render::paging::{Nav, page_count, page_size};
use crate::util::local_time;

#[derive(Serialize)]
struct AutomationPage<'a> {
    tested: bool,
    levels: Vec<LevelView<'a>>,
    workflows: Option<Vec<WorkflowView<'a>>>,
    response_plays: Option<Vec<(&'a str, &'a Option<String>)>>,
    response_plays_note: Option<&'a str>,
    actions: Option<Vec<ActionView<'a>>>,
    runs: RunsView<'a>,
}

/// `automation/page-<n>.html`.
#[derive(Serialize)]
struct RunsPage<'a> {
    runs: RunsView<'a>,
}

/// One page of the runs, with where the others are.
#[derive(Serialize)]
struct RunsView<'a> {
    /// Every run, on every page.
    count: usize,
    /// This page's first and last run (1-based), and its rows.
    first: usize,
    last: usize,
    rows: Vec<RunView<'a>>,
    #[serde(flatten)]
    nav: Nav,
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
    render_paged(ctx, page_size())
}

/// The page, with `size` runs on it and on each further page; how many pages.
fn render_paged(ctx: &Ctx, size: usize) -> Result<usize> {
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
        runs: runs_page(ctx, 1, size),
    };
    ctx.page("automation.html", "automation.html", "Automation", &data)?;
    let pages = page_count(f.runs.len(), size);
    (2..=pages)
        .into_par_iter()
        .map(|n| {
            let title = format!("Automation runs, page {n} of {pages}");
            let data = RunsPage {
                runs: runs_page(ctx, n, size),
            };
            ctx.page("automation-runs.html", &page_path(n), &title, &data)
        })
        .collect::<Result<Vec<()>>>()?;
    Ok(pages)
}

/// Page `n` (1-based) of the runs; the first is automation.html's.
fn page_path(n: usize) -> String {
    if n == 1 {
        "automation.html".into()
    } else {
        format!("automation/page-{n}.html")
    }
}

/// A link to page `n`, relative to the site root: the first lands on automation.html's runs.
fn page_href(n: usize) -> String {
    if n == 1 {
        "automation.html#runs".into()
    } else {
        page_path(n)
    }
}

/// Page `n` of the runs, `size` a page, in the evidence's order.
fn runs_page<'a>(ctx: &Ctx<'a>, n: usize, size: usize) -> RunsView<'a> {
    let runs = &ctx.evidence.automation.runs;
    let pages = page_count(runs.len(), size);
    let rows: Vec<RunView> = runs
        .iter()
        .skip((n - 1) * size)
        .take(size)
        .map(|r| RunView {
            number: r.number,
            at: local_time(r.at, ctx.tz()),
            kind: &r.kind,
            summary: &r.summary,
        })
        .collect();
    let first = (n - 1) * size + 1;
    RunsView {
        count: runs.len(),
        first,
        last: first + rows.len() - 1,
        rows,
        nav: Nav::new(n, pages, page_href),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::*;
    use crate::model::{IncidentWorkflow, Timeline};

    /// Five runs two to a page: automation.html lists the first two and pages 2 and 3 the rest,
    /// each run once and in order, every page linked from the others, and the rows link their
    /// incidents from the page's own directory.
    #[test]
    fn runs_past_a_page_go_on_numbered_pages_each_once() {
        let incidents = (1..=5)
            .map(|n| {
                let mut i = incident(n).build();
                i.fields.timeline = Timeline::from(vec![annotation(
                    "2026-03-02T15:00:05Z",
                    "Workflow \"Major Incident\" started",
                )]);
                i
            })
            .collect();
        let mut inputs = inputs(incidents, vec![]);
        inputs.pagerduty.workflows = Some(vec![IncidentWorkflow {
            id: "W1".into(),
            name: "Major Incident".into(),
            description: None,
            enabled: Some(true),
            url: None,
        }]);
        let config = config();
        let evidence = crate::evidence::evaluate(&config, &inputs);
        assert_eq!(evidence.automation.runs.len(), 5);
        let (dir, pages) =
            crate::render::context::render_in_dir(&config, &inputs, &evidence, |ctx| {
                render_paged(ctx, 2).unwrap()
            });
        assert_eq!(pages, 3);

        let row =
            regex::Regex::new(r#"<tr><td><a href="((?:\.\./)?)incidents/(\d+)\.html">"#).unwrap();
        let mut seen = Vec::new();
        for (n, file, root) in [
            (1, "automation.html", ""),
            (2, "automation/page-2.html", "../"),
            (3, "automation/page-3.html", "../"),
        ] {
            let (html, rows) = crate::render::context::read_rows(dir.path(), file, &row, root);
            seen.extend(rows.iter().map(|n| n.parse::<u64>().unwrap()));
            assert!(html.contains("5 log entries name a workflow or response play; "));
            assert!(html.contains(&format!("({n} of 3)")), "{file}");
            for (page, href) in [
                (1, "automation.html#runs"),
                (2, "automation/page-2.html"),
                (3, "automation/page-3.html"),
            ] {
                let link = format!("<a href=\"{root}{href}\"");
                assert_eq!(html.contains(&link), page != n, "{file} links page {page}");
            }
        }
        assert_eq!(seen, [1, 2, 3, 4, 5]);
        assert!(!dir.path().join("automation/page-4.html").exists());
    }
}
