//! The incident register, paged: `incidents/index.html` (the summary and the first page),
//! `incidents/page-<n>.html` for the rest, and the search index under `search/`
//! (`render::search_index`). A 1,000,000-incident register is one 64 MB page no browser opens;
//! pages of `paging::PAGE_SIZE` rows stay small, and search and filters load only the index shards a
//! query needs.

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::Accounting;
use crate::render::context::Ctx;
use crate::render::paging::{Nav, page_size};
use crate::render::theme;
use crate::render::views::IncidentRowView;
use crate::render::{markup, search_index};

/// Page `n`'s file name (1-based), relative to `incidents/`.
pub fn page_file(n: usize) -> String {
    if n == 1 {
        "index.html".into()
    } else {
        format!("page-{n}.html")
    }
}

#[derive(Serialize)]
struct RegisterPage<'a> {
    rows_html: String,
    row_count: usize,
    #[serde(flatten)]
    nav: Nav,
    first_row: usize,
    last_row: usize,
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
    let n = ctx.row_count();
    let pages = n.div_ceil(size).max(1);
    let in_rust = ctx.uses_default_templates(&markup::REGISTER_ROW_TEMPLATES);
    (0..pages)
        .into_par_iter()
        .map(|i| {
            let page = i + 1;
            // Only this page's rows are built, and dropped once it is written.
            let rows = ctx.rows(i * size..(page * size).min(n));
            let data = RegisterPage {
                rows_html: rows_html(ctx, &rows, in_rust)?,
                row_count: n,
                nav: Nav::new(page, pages, page_file),
                first_row: i * size + 1,
                last_row: i * size + rows.len(),
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
            )
        })
        .collect::<Result<Vec<()>>>()?;
    let index = search_index::write(n, |i| ctx.row(i), |path, bytes| ctx.out.write(path, bytes))?;
    Ok(pages + index)
}

/// The page's rows: written in Rust (`markup::register_row`) when the theme leaves the row's
/// templates to the default, else each rendered from `register-row.html` in parallel. One
/// small context per row instead of one context holding every row keeps a large register
/// affordable.
fn rows_html(ctx: &Ctx, rows: &[IncidentRowView], in_rust: bool) -> Result<String> {
    if in_rust {
        let mut html = String::with_capacity(rows.len() * 1600);
        for r in rows {
            markup::register_row(&mut html, r);
        }
        return Ok(html);
    }
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
