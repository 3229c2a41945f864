//! postmortems/index.html and postmortems/<id>.html: every postmortem with its five-part
//! checklist, linked incidents, action items and their Jira status.

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use super::{ExceptionRef, exceptions_about};
use crate::evidence::{Part, PostmortemFacts, ResolvedLink, Subject};
use crate::model::{ActionItem, Person, Postmortem, Responder, Review};
use crate::render::chart_files::ChartView;
use crate::render::context::Ctx;
use crate::render::markdown;
use crate::render::page_name;
use crate::render::views::postmortem_state_text;
use crate::util::{local_time, local_time_secs, utc_rfc3339};

#[derive(Serialize)]
struct PostmortemPage<'a> {
    pm: PostmortemView<'a>,
    facts: &'a PostmortemFacts,
    incidents: Vec<LinkedIncident<'a>>,
    items: Vec<ItemView<'a>>,
    parts: Vec<PartView>,
    times: Vec<TimeView>,
    exceptions: Vec<ExceptionRef>,
    /// Disagreements with the incident's severity or Jira's due dates.
    warnings: Vec<String>,
}

/// The postmortem's own text, markdown rendered to HTML.
#[derive(Serialize)]
struct PostmortemView<'a> {
    id: &'a str,
    title: &'a str,
    status: &'a Option<String>,
    severity: &'a Option<String>,
    priority: &'a Option<String>,
    services: &'a [String],
    owner: &'a Option<Person>,
    responders: &'a [Responder],
    analysis_method: &'a Option<String>,
    detection: &'a Option<String>,
    summary: Option<String>,
    resolution: Option<String>,
    impact_description: Option<String>,
    impact: Option<Vec<KeyValue<'a>>>,
    root_causes: Vec<String>,
    preventive_measures: Vec<String>,
    timeline: Vec<PmTimelineEntry<'a>>,
    lessons: Vec<Lessons<'a>>,
    review: Option<ReviewView<'a>>,
    /// Fields this tool does not know, shown verbatim as pretty JSON.
    extensions: Option<String>,
    source: &'a str,
    source_href: String,
}

/// The review, its instants in the organisation's zone with their offset.
#[derive(Serialize)]
struct ReviewView<'a> {
    approved: Option<bool>,
    /// (reviewer, when, when in UTC)
    reviewed_by: Vec<(&'a str, Option<String>, Option<String>)>,
}

#[derive(Serialize)]
struct KeyValue<'a> {
    k: String,
    v: &'a str,
}

#[derive(Serialize)]
struct PmTimelineEntry<'a> {
    at: Option<String>,
    event: String,
    source: &'a Option<String>,
}

#[derive(Serialize)]
struct Lessons<'a> {
    k: &'a str,
    items: Vec<String>,
}

/// An entry of the postmortem's incident list, resolved against the population.
#[derive(Serialize)]
struct LinkedIncident<'a> {
    label: &'a str,
    number: Option<u64>,
    mismatch: bool,
    in_period: bool,
    href: Option<String>,
    due: Option<String>,
    state: Option<&'static str>,
}

#[derive(Serialize)]
struct ItemView<'a> {
    key: &'a str,
    /// Its row's id, which the exceptions about it link (`item-AI.2d2` for `AI-2`).
    anchor: String,
    title: &'a str,
    #[serde(rename = "type")]
    kind: &'a Option<String>,
    owner: &'a Option<String>,
    due: Option<String>,
    status: &'a Option<String>,
    tracker: Option<String>,
    href: Option<String>,
    done: bool,
    status_source: &'static str,
    jira_status: &'a Option<String>,
    /// Jira's resolution and the day it was set (organisation zone).
    jira_resolution: &'a Option<String>,
    resolved_on: Option<String>,
    closed_late: bool,
    not_done: &'a Option<String>,
    untracked: bool,
    overdue: bool,
    exceptions: Vec<ExceptionRef>,
}

#[derive(Serialize)]
struct PartView {
    label: &'static str,
    present: bool,
}

#[derive(Serialize)]
struct TimeView {
    label: &'static str,
    at: String,
    utc: String,
}

#[derive(Serialize)]
struct IndexPage<'a> {
    postmortems: &'a [ListItem<'a>],
    orphans: Vec<&'a ListItem<'a>>,
    chart: Option<&'a ChartView>,
}

#[derive(Serialize)]
struct ListItem<'a> {
    id: &'a str,
    title: &'a str,
    status: &'a Option<String>,
    severity: &'a Option<String>,
    href: String,
    incidents: Vec<ListIncident<'a>>,
    completed: Option<String>,
    parts: usize,
    orphan: bool,
    in_scope: bool,
    items: usize,
    items_open: usize,
}

#[derive(Serialize)]
struct ListIncident<'a> {
    label: &'a str,
    number: Option<u64>,
    href: Option<String>,
}

pub fn render(ctx: &Ctx, charts: &[ChartView]) -> Result<usize> {
    let tz = ctx.tz();
    let pairs = || ctx.inputs.postmortems.iter().zip(&ctx.evidence.postmortems);
    // Independent pages: rendered in parallel (a million-incident year has tens of thousands).
    let all: Vec<_> = pairs().collect();
    all.par_iter().try_for_each(|(pm, pf)| {
        let rel = format!("postmortems/{}.html", page_name(&pm.id));
        let title = format!("{} {}", pm.id, pm.title);
        ctx.page("postmortem.html", &rel, &title, &page(ctx, pm, pf))
    })?;
    let mut list = Vec::new();
    for (pm, pf) in pairs() {
        list.push(ListItem {
            id: &pm.id,
            title: &pm.title,
            status: &pm.status,
            severity: &pm.severity,
            href: format!("{}.html", page_name(&pm.id)),
            incidents: pf
                .links
                .iter()
                .map(|l| ListIncident {
                    label: &l.label,
                    number: l.number,
                    href: in_period_href(ctx, l),
                })
                .collect(),
            completed: pf.completed.map(|t| local_time(t, tz)),
            parts: pf.parts_present.len(),
            orphan: pf.orphan,
            in_scope: pf.in_scope,
            items: pm.action_items.len(),
            items_open: pf.open_items,
        });
    }
    let index = IndexPage {
        postmortems: &list,
        orphans: list.iter().filter(|p| p.orphan).collect(),
        chart: charts.iter().find(|c| c.file.starts_with("postmortems")),
    };
    ctx.page(
        "postmortems.html",
        "postmortems/index.html",
        "Postmortems",
        &index,
    )?;
    Ok(list.len() + 1)
}

/// The linked incident's page, when it is in the period (only those have pages).
fn in_period_href(ctx: &Ctx, link: &ResolvedLink) -> Option<String> {
    link.number
        .filter(|n| ctx.facts_of(*n).is_some())
        .map(|n| format!("../incidents/{n}.html"))
}

fn page<'a>(ctx: &'a Ctx, pm: &'a Postmortem, pf: &'a PostmortemFacts) -> PostmortemPage<'a> {
    let tz = ctx.tz();
    let incidents = pf
        .links
        .iter()
        .map(|l| {
            let facts = l.number.and_then(|n| ctx.facts_of(n));
            LinkedIncident {
                label: &l.label,
                number: l.number,
                mismatch: l.mismatch,
                in_period: facts.is_some(),
                href: in_period_href(ctx, l),
                due: facts
                    .and_then(|f| f.postmortem_due)
                    .map(|t| local_time_secs(t, tz)),
                state: facts.map(|f| postmortem_state_text(f.postmortem)),
            }
        })
        .collect();
    let items = pm
        .action_items
        .iter()
        .zip(&pf.action_items)
        .map(|(a, af)| ItemView {
            key: &a.key,
            anchor: item_anchor(&a.key),
            title: &a.title,
            kind: &a.kind,
            owner: &a.owner,
            due: a.due_date.map(|d| d.to_string()),
            status: &a.status,
            tracker: a.tracker_key.clone().or(a.tracker_url.clone()),
            href: item_href(ctx, a),
            done: af.done,
            status_source: af.status_source,
            jira_status: &af.jira_status,
            jira_resolution: &af.jira_resolution,
            resolved_on: af
                .resolved_on
                .map(|t| t.with_timezone(&tz).date_naive().to_string()),
            closed_late: af.closed_late,
            not_done: &af.not_done,
            untracked: af.untracked,
            overdue: af.overdue,
            exceptions: exceptions_about(
                ctx,
                &Subject::ActionItem {
                    postmortem: pm.id.clone(),
                    item: a.key.clone(),
                },
            ),
        })
        .collect();
    let parts = Part::ALL
        .iter()
        .map(|p| PartView {
            label: p.label(),
            present: pf.parts_present.contains(p),
        })
        .collect();
    let t = &pm.timestamps;
    let times = [
        ("Impact started", t.impact_started_at),
        ("Detected", t.detected_at),
        ("Acknowledged", t.acknowledged_at),
        ("Mitigated", t.mitigated_at),
        ("Resolved", t.resolved_at),
        ("Postmortem created", t.created_at),
        ("Postmortem completed", t.completed_at),
    ]
    .into_iter()
    .filter_map(|(label, at)| {
        at.map(|at| TimeView {
            label,
            at: local_time(at, tz),
            utc: utc_rfc3339(at),
        })
    })
    .collect();
    PostmortemPage {
        pm: view(ctx, pm),
        facts: pf,
        incidents,
        items,
        parts,
        times,
        exceptions: exceptions_about(ctx, &Subject::Postmortem { id: pm.id.clone() }),
        warnings: crate::evidence::warnings::postmortem(
            ctx.inputs,
            &ctx.evidence.incidents,
            pm,
            &pf.links,
        ),
    }
}

/// The tracker ticket: Jira by key when known, else the item's own URL when it is a web URL
/// (a `javascript:` or `file:` URL never becomes a link).
fn item_href(ctx: &Ctx, a: &ActionItem) -> Option<String> {
    a.tracker_key
        .as_deref()
        .and_then(|k| ctx.jira.href(k))
        .or(a.tracker_url.clone().filter(|u| crate::util::is_web_url(u)))
}

fn view<'a>(ctx: &Ctx, pm: &'a Postmortem) -> PostmortemView<'a> {
    let tz = ctx.tz();
    let md = |s: &Option<String>| s.as_deref().map(markdown::to_html);
    PostmortemView {
        id: &pm.id,
        title: &pm.title,
        status: &pm.status,
        severity: &pm.severity,
        priority: &pm.priority,
        services: &pm.services,
        owner: &pm.owner,
        responders: &pm.responders,
        analysis_method: &pm.analysis_method,
        detection: &pm.detection,
        summary: md(&pm.summary),
        resolution: md(&pm.resolution),
        impact_description: md(&pm.impact_description),
        impact: pm.impact.as_ref().map(|fields| {
            fields
                .iter()
                .map(|(k, v)| KeyValue {
                    k: k.replace('_', " "),
                    v,
                })
                .collect()
        }),
        root_causes: pm
            .root_causes
            .iter()
            .map(|r| markdown::to_html(r))
            .collect(),
        preventive_measures: pm
            .preventive_measures
            .iter()
            .map(|r| markdown::inline(r))
            .collect(),
        timeline: pm
            .timeline
            .iter()
            .map(|e| PmTimelineEntry {
                at: e.at.map(|a| local_time(a, tz)),
                event: markdown::inline(&e.event),
                source: &e.source,
            })
            .collect(),
        lessons: pm
            .lessons
            .iter()
            .map(|(k, items)| Lessons {
                k,
                items: items.iter().map(|i| markdown::inline(i)).collect(),
            })
            .collect(),
        review: pm.review.as_ref().map(|r: &Review| ReviewView {
            approved: r.approved,
            reviewed_by: r
                .reviewed_by
                .iter()
                .map(|(who, at)| {
                    (
                        who.as_str(),
                        at.map(|t| local_time(t, ctx.tz())),
                        at.map(utc_rfc3339),
                    )
                })
                .collect(),
        }),
        extensions: if pm.extensions.is_empty() {
            None
        } else {
            serde_json::to_string_pretty(&pm.extensions).ok()
        },
        source: &pm.source,
        source_href: format!("../{}", ctx.source_href(&pm.source)),
    }
}

/// The id of an action item's row on its postmortem's page.
pub fn item_anchor(key: &str) -> String {
    format!("item-{}", crate::render::anchor(key))
}
