//! The incident register, paged: `incidents/index.html` (the summary and the first page),
//! `incidents/page-<n>.html` for the rest, and a search index sharded one file per page,
//! `search/register-<n>.js`. A 1,000,000-incident register is one 64 MB page no browser opens;
//! pages of `paging::PAGE_SIZE` rows stay small, and search and filters run over the index shards, which
//! plain `<script>` tags load from file:// (fetch() of file:// is blocked; no eval, so the CSP's
//! `script-src 'self'` holds).

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use super::paging::{PageLink, page_links, page_size};
use crate::model::Accounting;
use crate::render::context::Ctx;
use crate::render::theme;
use crate::render::views::{IncidentRowView, nav_numbers};

/// Page `n`'s file name (1-based), relative to `incidents/`.
pub fn page_file(n: usize) -> String {
    if n == 1 {
        "index.html".into()
    } else {
        format!("page-{n}.html")
    }
}

/// Search shard `n`'s path, relative to the site root.
pub fn shard_file(n: usize) -> String {
    format!("search/register-{n}.js")
}

#[derive(Serialize)]
struct RegisterPage<'a> {
    rows_html: String,
    row_count: usize,
    page: usize,
    pages: usize,
    first_row: usize,
    last_row: usize,
    prev: Option<String>,
    next: Option<String>,
    page_links: Vec<PageLink>,
    levels: &'a [&'a str],
    /// The period's months, for the month filter the dashboard's trend table links to.
    months: &'a [&'a str],
    population: &'a Accounting,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let levels: Vec<&str> = ctx
        .inputs
        .policy()
        .severities
        .iter()
        .map(|s| s.level.as_str())
        .chain(std::iter::once("unclassified"))
        .collect();
    let months: Vec<&str> = ctx
        .evidence
        .months
        .iter()
        .map(|m| m.month.as_str())
        .collect();
    let size = page_size();
    // An empty period still has its (empty) first page.
    let chunks: Vec<&[IncidentRowView]> = if ctx.rows.is_empty() {
        vec![&[]]
    } else {
        ctx.rows.chunks(size).collect()
    };
    let pages = chunks.len();
    chunks
        .par_iter()
        .enumerate()
        .map(|(i, rows)| {
            let page = i + 1;
            let data = RegisterPage {
                rows_html: rows_html(ctx, rows)?,
                row_count: ctx.rows.len(),
                page,
                pages,
                first_row: i * size + 1,
                last_row: i * size + rows.len(),
                prev: (page > 1).then(|| page_file(page - 1)),
                next: (page < pages).then(|| page_file(page + 1)),
                page_links: page_links(page, pages, page_file),
                levels: &levels,
                months: &months,
                population: &ctx.inputs.accounting,
            };
            let title = if page == 1 {
                "Incident register".to_string()
            } else {
                format!("Incident register, page {page} of {pages}")
            };
            ctx.page(
                "register.html",
                &format!("incidents/{}", page_file(page)),
                &title,
                &data,
            )?;
            super::super::write(ctx.out, &shard_file(page), &shard(page, rows)?)
        })
        .collect::<Result<Vec<()>>>()?;
    Ok(2 * pages)
}

/// One search record: the fields search and the filters read, in this order (the page's
/// script reads them by position): number, title, service, severity, acknowledge verdict,
/// resolve verdict, postmortem status, class, month, created, responder, Jira keys.
#[derive(Serialize)]
struct Record<'a>(
    u64,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    String,
);

/// Shard `page`: a script assigning the page's records into the global `PAGERPROOF_REGISTER`.
/// JSON is a JavaScript expression, and serde_json escapes every quote and control character,
/// so no title can end the statement.
fn shard(page: usize, rows: &[IncidentRowView]) -> Result<Vec<u8>> {
    let records: Vec<Record> = rows
        .iter()
        .map(|r| {
            Record(
                r.number,
                &r.title,
                &r.service,
                &r.severity,
                r.ack.state,
                r.resolve.state,
                r.postmortem_status,
                r.class,
                &r.month,
                &r.created,
                &r.responder,
                r.jira
                    .iter()
                    .map(|l| l.label.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })
        .collect();
    let json = serde_json::to_string(&records)?
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    Ok(format!(
        "(window.PAGERPROOF_REGISTER = window.PAGERPROOF_REGISTER || {{}})[{page}] = {json};\n"
    )
    .into_bytes())
}

/// The page's rows, each rendered from `register-row.html` in parallel. One small context per
/// row instead of one context holding every row keeps a large register affordable.
fn rows_html(ctx: &Ctx, rows: &[IncidentRowView]) -> Result<String> {
    let rows: Vec<String> = rows
        .par_iter()
        .map(|r| {
            let mut context = tera::Context::new();
            context.insert("r", r);
            context.insert("root", "../");
            ctx.tera.render("register-row.html", &context).map_err(|e| {
                anyhow::anyhow!(
                    "rendering a register row with register-row.html: {}",
                    theme::tera_chain(&e)
                )
            })
        })
        .collect::<Result<_>>()?;
    Ok(rows.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_files_are_index_then_numbered() {
        assert_eq!(page_file(1), "index.html");
        assert_eq!(page_file(7), "page-7.html");
    }
}
