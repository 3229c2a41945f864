//! exceptions.html: every exception by kind, each with the rule, what it required, what happened,
//! a link to its subject's page and the management response when there is one.
//!
//! Past a page's worth (1,000), one page no longer holds them all (11k exceptions at 100k
//! incidents made a 6 MB page, the largest single allocation of a render): exceptions.html is
//! then the index of kinds, and each kind is listed on its own pages, `exceptions/<kind>.html`
//! and `exceptions/<kind>/page-<n>.html`. [`crate::render::exception_places::Places`] says
//! where each one is, so every page links an exception where it is listed.

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use super::{ExceptionCount, exception_counts, kind_label};
use crate::evidence::{Exception, ExceptionKind, Subject};
use crate::model::Response;
use crate::render::chart_files::ChartView;
use crate::render::context::Ctx;
use crate::render::exception_places::page_path;
use crate::render::paging::{Nav, PageLink, page_links};
use crate::render::views::Link;
use crate::render::{anchor, markdown, page_name};

#[derive(Serialize)]
struct ExceptionsPage<'a> {
    groups: Vec<KindGroup<'a>>,
    counts: Vec<ExceptionCount>,
    total: usize,
    unmatched: Vec<Unmatched<'a>>,
    chart: Option<&'a ChartView>,
    /// The kinds are listed on pages of their own; `groups` hold no items, only page links.
    paged: bool,
    page_size: usize,
}

#[derive(Serialize)]
struct KindGroup<'a> {
    kind: &'static str,
    label: &'static str,
    criterion: &'static str,
    count: usize,
    items: Vec<Item<'a>>,
    /// Its own pages, when the kinds are paged (hrefs relative to the site root).
    page_links: Vec<PageLink>,
    pages: usize,
}

/// One page of one kind's exceptions.
#[derive(Serialize)]
struct KindPage<'a> {
    kind: &'static str,
    label: &'static str,
    criterion: &'static str,
    count: usize,
    items: Vec<Item<'a>>,
    /// Links relative to the site root.
    #[serde(flatten)]
    nav: Nav,
    first: usize,
    last: usize,
}

/// Hrefs are relative to the site root.
#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    anchor: String,
    subject: Link,
    /// The input line a `row_rejected` exception is about (`sources/<file>.html#L<n>`).
    source_row: Option<String>,
    rule: &'a str,
    /// `method.html#ack-target`: the section stating the rule.
    rule_href: String,
    required: &'a str,
    actual: &'a str,
    response: Option<ResponseView<'a>>,
}

/// Management's answer to an exception.
#[derive(Serialize)]
struct ResponseView<'a> {
    owner: &'a str,
    date: String,
    status: &'a Option<String>,
    remediation: &'a Option<String>,
    body: String,
    href: String,
}

/// A response naming no exception of this build.
#[derive(Serialize)]
struct Unmatched<'a> {
    exception: &'a str,
    source: &'a str,
    href: String,
}

/// Renders exceptions.html and, when the kinds are paged, their pages; returns the page count.
pub fn render(ctx: &Ctx, charts: &[ChartView]) -> Result<usize> {
    let places = &ctx.exception_places;
    let groups = ExceptionKind::ALL
        .into_iter()
        .map(|kind| KindGroup {
            kind: kind.name(),
            label: kind_label(kind),
            criterion: kind.criterion(),
            count: places.count(kind),
            items: if places.paged() {
                Vec::new()
            } else {
                items_of(ctx, kind).map(|e| item(ctx, e)).collect()
            },
            pages: places.pages(kind),
            page_links: if places.paged() && places.count(kind) > 0 {
                // Seen from the index, no page is the current one: page 0.
                page_links(0, places.pages(kind), |n| page_path(kind, n))
            } else {
                Vec::new()
            },
        })
        .collect();
    let unmatched = ctx
        .evidence
        .responses
        .unmatched
        .iter()
        .map(|&i| &ctx.inputs.responses[i])
        .map(|r| Unmatched {
            exception: &r.exception,
            source: &r.source,
            href: ctx.source_href(&r.source),
        })
        .collect();
    let data = ExceptionsPage {
        groups,
        counts: exception_counts(ctx),
        total: ctx.evidence.exceptions.len(),
        unmatched,
        chart: charts.iter().find(|c| c.file.starts_with("exceptions")),
        paged: places.paged(),
        page_size: places.size,
    };
    ctx.page("exceptions.html", "exceptions.html", "Exceptions", &data)?;
    if !places.paged() {
        return Ok(1);
    }
    let jobs: Vec<(ExceptionKind, usize)> = ExceptionKind::ALL
        .into_iter()
        .filter(|&k| places.count(k) > 0)
        .flat_map(|k| (1..=places.pages(k)).map(move |n| (k, n)))
        .collect();
    jobs.par_iter()
        .map(|&(kind, n)| kind_page(ctx, kind, n))
        .collect::<Result<Vec<()>>>()?;
    debug_assert_eq!(1 + jobs.len(), places.page_count());
    Ok(1 + jobs.len())
}

/// Page `n` of the exceptions of `kind`.
fn kind_page(ctx: &Ctx, kind: ExceptionKind, n: usize) -> Result<()> {
    let places = &ctx.exception_places;
    let (size, pages) = (places.size, places.pages(kind));
    let items: Vec<Item> = items_of(ctx, kind)
        .skip((n - 1) * size)
        .take(size)
        .map(|e| item(ctx, e))
        .collect();
    let first = (n - 1) * size + 1;
    let data = KindPage {
        kind: kind.name(),
        label: kind_label(kind),
        criterion: kind.criterion(),
        count: places.count(kind),
        first,
        last: first + items.len() - 1,
        items,
        nav: Nav::new(n, pages, |p| page_path(kind, p)),
    };
    let title = if pages == 1 {
        format!("{} ({})", kind_label(kind), kind.name())
    } else {
        format!(
            "{} ({}), page {n} of {pages}",
            kind_label(kind),
            kind.name()
        )
    };
    ctx.page("exception-kind.html", &page_path(kind, n), &title, &data)
}

/// The exceptions of `kind`, in evidence order.
fn items_of<'a>(ctx: &Ctx<'a>, kind: ExceptionKind) -> impl Iterator<Item = &'a Exception> {
    ctx.evidence
        .exceptions
        .iter()
        .filter(move |e| e.kind == kind)
}

fn item<'a>(ctx: &Ctx<'a>, e: &'a Exception) -> Item<'a> {
    Item {
        id: &e.id,
        anchor: anchor(&e.id),
        subject: subject_link(ctx, &e.subject),
        source_row: match &e.subject {
            Subject::RejectedRow { file, line, .. } => {
                Some(ctx.line_href(file, *line)).filter(|h| !h.is_empty())
            }
            _ => None,
        },
        rule: &e.rule,
        rule_href: format!("method.html#{}", e.rule_id),
        required: &e.required,
        actual: &e.actual,
        response: ctx.response_for(&e.id).map(|r| response(ctx, r)),
    }
}

fn response<'a>(ctx: &Ctx, r: &'a Response) -> ResponseView<'a> {
    ResponseView {
        owner: &r.owner,
        date: r.date.to_string(),
        status: &r.status,
        remediation: &r.remediation,
        body: markdown::to_html(&r.body_markdown),
        href: ctx.source_href(&r.source),
    }
}

/// Link to the page that evidences an exception's subject.
fn subject_link(ctx: &Ctx, s: &Subject) -> Link {
    match s {
        Subject::Incident { number } => Link {
            label: format!("Incident #{number}"),
            href: format!("incidents/{number}.html"),
        },
        Subject::Postmortem { id } => Link {
            label: id.clone(),
            href: format!("postmortems/{}.html", page_name(id)),
        },
        Subject::ActionItem { postmortem, item } => Link {
            label: format!("{postmortem} action item {item}"),
            href: format!(
                "postmortems/{}.html#{}",
                page_name(postmortem),
                super::postmortems::item_anchor(item)
            ),
        },
        Subject::CoverageGap {
            escalation_policy,
            start,
        } => Link {
            label: format!("{} from {start}", policy_name(ctx, escalation_policy)),
            href: format!("oncall/index.html#ep-{}", anchor(escalation_policy)),
        },
        Subject::EscalationDrift {
            escalation_policy,
            level,
        } => Link {
            label: format!("{} level {level}", policy_name(ctx, escalation_policy)),
            href: format!("oncall/index.html#ep-{}", anchor(escalation_policy)),
        },
        Subject::RejectedRow { file, line, number } => Link {
            label: match number {
                Some(n) => format!("{file} line {line} (incident #{n})"),
                None => format!("{file} line {line}"),
            },
            href: format!("population.html#{}", super::rejected_anchor(file, *line)),
        },
        Subject::User { id } => Link {
            label: format!(
                "On-call user {}",
                ctx.inputs
                    .pagerduty
                    .users
                    .iter()
                    .find(|u| u.id == *id)
                    .map_or(id.as_str(), |u| u.name.as_str())
            ),
            href: format!("configuration.html#user-{}", anchor(id)),
        },
        Subject::Level { level } => Link {
            label: format!("{level} automation"),
            href: format!("automation.html#level-{}", anchor(level)),
        },
        Subject::Statuspage { id } => Link {
            label: format!("Statuspage incident {id}"),
            href: format!("customers.html#sp-{}", anchor(id)),
        },
    }
}

/// A PagerDuty escalation policy's name by id (the id itself when unknown).
fn policy_name(ctx: &Ctx, id: &str) -> String {
    ctx.inputs
        .pagerduty
        .escalation_policies
        .iter()
        .find(|p| p.id == id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}
