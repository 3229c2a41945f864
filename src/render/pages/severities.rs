//! severities/<level>.html: one page per severity level (and unclassified) with its figures, its
//! charts and its incidents. A level with more incidents than a page holds lists the rest on
//! `severities/<level>/page-<n>.html` (n ≥ 2), paged like the register, so no page carries a
//! 100,000-row table; a level that fits keeps its single page. Pages render in parallel and each
//! is written as soon as it is done, so only the pages in flight have their rows in a context.

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use super::{SeverityFigure, severity_figures};
use crate::evidence::ExceptionKind;
use crate::render::chart_files::{ChartView, write_charts_for};
use crate::render::charts::severity_charts;
use crate::render::context::Ctx;
use crate::render::page_name;
use crate::render::paging::{Nav, page_count, page_size};
use crate::render::views::{IncidentRowView, VerdictView};
use crate::render::{markup, theme};

/// The columns a severity page lists, borrowed from the register row: serializing only these
/// into each page's context, not the row's thirty fields, is most of the page's cost.
#[derive(Serialize)]
struct SeverityRow<'a> {
    number: u64,
    href: &'a str,
    created: &'a str,
    service: &'a str,
    title: &'a str,
    tta: &'a str,
    ack: &'a VerdictView,
    ttr: &'a str,
    resolve: &'a VerdictView,
    postmortem_status: &'a str,
}

impl<'a> SeverityRow<'a> {
    fn of(r: &'a IncidentRowView) -> Self {
        SeverityRow {
            number: r.number,
            href: &r.href,
            created: &r.created,
            service: &r.service,
            title: &r.title,
            tta: &r.tta,
            ack: &r.ack,
            ttr: &r.ttr,
            resolve: &r.resolve,
            postmortem_status: r.postmortem_status,
        }
    }
}

#[derive(Serialize)]
struct SeverityPage<'a> {
    figure: &'a SeverityFigure,
    definition: Option<&'a str>,
    aliases: Option<String>,
    charts: Vec<ChartView>,
    rows: Vec<SeverityRow<'a>>,
    /// The rows as markup, in place of `rows`, for [`theme::SEVERITY_ROWS_IN_RUST`].
    rows_html: String,
    policy_href: String,
    /// Where the severity_missing exceptions are listed, relative to the site root.
    missing_href: String,
    /// Links relative to the site root.
    #[serde(flatten)]
    nav: Nav,
    first_row: usize,
    last_row: usize,
}

/// Page `n` of level `level`'s pages, relative to the site root: the first is the level's page
/// everything links to. `page_name` never yields a `/`, so the `<name>/` directory of the later
/// pages cannot meet another level's `<name>.html`.
pub fn page_path(level: &str, n: usize) -> String {
    let name = page_name(level);
    if n == 1 {
        format!("severities/{name}.html")
    } else {
        format!("severities/{name}/page-{n}.html")
    }
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let figures = severity_figures(ctx);
    let policy = ctx.inputs.policy();
    let size = page_size();
    let in_rust = ctx.uses_default_templates(&markup::SEVERITY_ROW_TEMPLATES);
    // Each level's register rows in order, as row indexes: a page builds only its own rows.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); figures.len()];
    for (k, facts) in ctx.evidence.incidents.iter().enumerate() {
        let level = facts.severity.level.as_deref().unwrap_or("unclassified");
        if let Some(i) = figures.iter().position(|f| f.level == level) {
            rows[i].push(k);
        }
    }
    // (level index, page) for every page of every level, rendered in parallel.
    let jobs: Vec<(usize, usize)> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, r)| (1..=page_count(r.len(), size)).map(move |p| (i, p)))
        .collect();
    jobs.par_iter()
        .map(|&(i, page)| {
            let fig = &figures[i];
            let level = fig.level.as_str();
            let sev = policy.severity(level);
            let pages = page_count(rows[i].len(), size);
            let charts = match sev {
                Some(s) if page == 1 => {
                    write_charts_for(ctx, severity_charts(&ctx.evidence.months, s))?
                }
                _ => Vec::new(),
            };
            let name = match sev {
                Some(s) => format!("{} {}", s.level, s.name),
                None => "Unclassified incidents".to_string(),
            };
            let title = if page == 1 {
                name
            } else {
                format!("{name}, page {page} of {pages}")
            };
            let chunk: Vec<IncidentRowView> = rows[i]
                .chunks(size)
                .nth(page - 1)
                .unwrap_or(&[])
                .iter()
                .map(|&k| ctx.row(k))
                .collect();
            let first_row = (page - 1) * size + 1;
            let rel = page_path(level, page);
            let mut rows_html = String::new();
            if in_rust {
                let root = crate::render::context::root_of(&rel);
                for r in &chunk {
                    markup::severity_row(&mut rows_html, &root, r);
                }
            }
            let data = SeverityPage {
                figure: fig,
                definition: sev.map(|s| s.definition.as_str()),
                aliases: sev.map(|s| s.aliases.join(", ")),
                charts,
                rows: match in_rust {
                    true => Vec::new(),
                    false => chunk.iter().map(SeverityRow::of).collect(),
                },
                rows_html,
                policy_href: format!("policies/{}.html", policy.slug),
                missing_href: ctx.exception_kind_href(ExceptionKind::SeverityMissing),
                nav: Nav::new(page, pages, |n| page_path(level, n)),
                first_row,
                last_row: first_row + chunk.len() - 1,
            };
            let template = match in_rust {
                true => theme::SEVERITY_ROWS_IN_RUST,
                false => "severity.html",
            };
            ctx.page(template, &rel, &title, &data)
        })
        .collect::<Result<Vec<()>>>()?;
    Ok(jobs.len())
}
