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
use crate::render::paging::{Nav, page_count, page_size};
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

/// One page of the list: postmortems/index.html (page 1, with the orphans and the chart) or
/// postmortems/list/page-<n>.html. Every href is relative to the site root.
#[derive(Serialize)]
struct IndexPage<'a> {
    /// Postmortems in the period, on every page.
    count: usize,
    /// The 1-based positions of this page's first and last rows.
    first: usize,
    last: usize,
    postmortems: Vec<ListItem<'a>>,
    /// Page 1 only: every postmortem that links no known incident.
    orphans: Vec<Orphan<'a>>,
    chart: Option<&'a ChartView>,
    #[serde(flatten)]
    nav: Nav,
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

#[derive(Serialize)]
struct Orphan<'a> {
    id: &'a str,
    href: String,
}

pub fn render(ctx: &Ctx, charts: &[ChartView]) -> Result<usize> {
    render_paged(ctx, charts, page_size())
}

/// Every postmortem's page, and the list `size` a page: a year of a million incidents has
/// tens of thousands of postmortems, which as one list page were a 10 MB page and, while it
/// was rendered, the build's highest memory. How many files.
fn render_paged(ctx: &Ctx, charts: &[ChartView], size: usize) -> Result<usize> {
    let pairs: Vec<_> = ctx
        .inputs
        .postmortems
        .iter()
        .zip(&ctx.evidence.postmortems)
        .collect();
    // Independent pages: rendered in parallel.
    pairs.par_iter().try_for_each(|(pm, pf)| {
        let rel = format!("postmortems/{}.html", page_name(&pm.id));
        let title = format!("{} {}", pm.id, pm.title);
        ctx.page("postmortem.html", &rel, &title, &page(ctx, pm, pf))
    })?;
    let pages = page_count(pairs.len(), size);
    (1..=pages).into_par_iter().try_for_each(|n| {
        let rows = pairs.iter().skip((n - 1) * size).take(size);
        let first = (n - 1) * size + 1;
        let index = IndexPage {
            count: pairs.len(),
            first,
            last: first + rows.len().saturating_sub(1),
            postmortems: rows.map(|(pm, pf)| list_item(ctx, pm, pf)).collect(),
            orphans: if n == 1 { orphans(&pairs) } else { Vec::new() },
            chart: charts
                .iter()
                .find(|c| c.file.starts_with("postmortems"))
                .filter(|_| n == 1),
            nav: Nav::new(n, pages, list_page),
        };
        let title = if n == 1 {
            "Postmortems".to_string()
        } else {
            format!("Postmortems, page {n} of {pages}")
        };
        ctx.page("postmortems.html", &list_page(n), &title, &index)
    })?;
    Ok(pairs.len() + pages)
}

/// List page `n` (from 1), relative to the site root. Later pages sit in a directory of their
/// own: a postmortem's page is named after its id, and no id can name a directory's page.
fn list_page(n: usize) -> String {
    if n == 1 {
        "postmortems/index.html".into()
    } else {
        format!("postmortems/list/page-{n}.html")
    }
}

fn list_item<'a>(ctx: &Ctx, pm: &'a Postmortem, pf: &'a PostmortemFacts) -> ListItem<'a> {
    ListItem {
        id: &pm.id,
        title: &pm.title,
        status: &pm.status,
        severity: &pm.severity,
        href: postmortem_href(pm),
        incidents: pf
            .links
            .iter()
            .map(|l| ListIncident {
                label: &l.label,
                number: l.number,
                href: in_period_href(ctx, l),
            })
            .collect(),
        completed: pf.completed.map(|t| local_time(t, ctx.tz())),
        parts: pf.parts_present.len(),
        orphan: pf.orphan,
        in_scope: pf.in_scope,
        items: pm.action_items.len(),
        items_open: pf.open_items,
    }
}

/// Every postmortem that links no known incident, for the first list page's warning.
fn orphans<'a>(pairs: &[(&'a Postmortem, &'a PostmortemFacts)]) -> Vec<Orphan<'a>> {
    pairs
        .iter()
        .filter(|(_, pf)| pf.orphan)
        .map(|(pm, _)| Orphan {
            id: &pm.id,
            href: postmortem_href(pm),
        })
        .collect()
}

/// A postmortem's page, relative to the site root.
fn postmortem_href(pm: &Postmortem) -> String {
    format!("postmortems/{}.html", page_name(&pm.id))
}

/// The linked incident's page relative to the site root, when it is in the period (only those
/// have pages).
fn in_period_href(ctx: &Ctx, link: &ResolvedLink) -> Option<String> {
    link.number
        .filter(|n| ctx.facts_of(*n).is_some())
        .map(|n| format!("incidents/{n}.html"))
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
                href: in_period_href(ctx, l).map(|h| format!("../{h}")),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::*;

    /// Five postmortems two to a list page: index.html lists the first two and list/page-2 and
    /// page-3 the rest, each once and in id order, every list page linking the others; rows
    /// link postmortems and incidents from the page's own directory, and only the first page
    /// carries the orphans' warning. A postmortem whose id reads like a list page keeps its page.
    #[test]
    fn the_list_past_a_page_goes_on_numbered_pages_each_once() {
        let incidents = (1..=5).map(|n| incident(n).build()).collect();
        let pms = ["PM-1", "PM-2", "PM-3", "page-2", "list"]
            .iter()
            .enumerate()
            .map(|(i, id)| pm(id).link(i as u64 + 1).build())
            .chain(std::iter::once(pm("PM-9").link(99).build()))
            .collect();
        let config = config();
        let inputs = inputs(incidents, pms);
        let evidence = crate::evidence::evaluate(&config, &inputs);
        let (dir, files) =
            crate::render::context::render_in_dir(&config, &inputs, &evidence, |ctx| {
                render_paged(ctx, &[], 2).unwrap()
            });
        assert_eq!(files, 6 + 3);

        let row = regex::Regex::new(
            r#"<th scope="row"><a href="((?:\.\./)*)postmortems/([^"]+)\.html">"#,
        )
        .unwrap();
        let mut seen = Vec::new();
        for (n, file, root) in [
            (1, "postmortems/index.html", "../"),
            (2, "postmortems/list/page-2.html", "../../"),
            (3, "postmortems/list/page-3.html", "../../"),
        ] {
            let (html, rows) = crate::render::context::read_rows(dir.path(), file, &row, root);
            seen.extend(rows);
            assert!(
                html.contains(&format!("6 postmortems; {}", 2 * n - 1)),
                "{file}"
            );
            assert!(html.contains(&format!("({n} of 3)")), "{file}");
            // The site's header links the first page from every page: look in the pagers.
            let pagers: String = html
                .split(r#"<nav class="pager""#)
                .skip(1)
                .map(|p| p.split("</nav>").next().unwrap())
                .collect();
            for (page, href) in [
                (1, "postmortems/index.html"),
                (2, "postmortems/list/page-2.html"),
                (3, "postmortems/list/page-3.html"),
            ] {
                let link = format!("<a href=\"{root}{href}\"");
                assert_eq!(
                    pagers.contains(&link),
                    page != n,
                    "{file} links page {page}"
                );
            }
            assert_eq!(
                html.contains("link no known incident"),
                n == 1,
                "{file}: the orphans' warning"
            );
        }
        assert_eq!(seen, ["PM-1", "PM-2", "PM-3", "PM-9", "list", "page-2"]);
        let first = std::fs::read_to_string(dir.path().join("postmortems/index.html")).unwrap();
        assert!(first.contains(r#"<a href="../incidents/1.html">"#));
        let third =
            std::fs::read_to_string(dir.path().join("postmortems/list/page-3.html")).unwrap();
        assert!(third.contains(r#"<a href="../../incidents/4.html">"#));
        for id in ["page-2", "list"] {
            let page = dir.path().join(format!("postmortems/{id}.html"));
            assert!(page.is_file(), "{id}'s own page");
        }
        assert!(!dir.path().join("postmortems/list/page-4.html").exists());
    }
}
