//! incidents/index.html: the incident register, every in-period incident in one filterable table.

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::Accounting;
use crate::render::context::Ctx;
use crate::render::theme;

#[derive(Serialize)]
struct RegisterPage<'a> {
    rows_html: String,
    row_count: usize,
    levels: Vec<&'a str>,
    /// The period's months, for the month filter the dashboard's trend table links to.
    months: Vec<&'a str>,
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
    let data = RegisterPage {
        rows_html: rows_html(ctx)?,
        row_count: ctx.rows.len(),
        levels,
        months: ctx
            .evidence
            .months
            .iter()
            .map(|m| m.month.as_str())
            .collect(),
        population: &ctx.inputs.accounting,
    };
    ctx.page(
        "register.html",
        "incidents/index.html",
        "Incident register",
        &data,
    )?;
    Ok(1)
}

/// The register's rows, each rendered from `register-row.html` in parallel. One small context per
/// row instead of one context holding every row keeps a 100,000-incident register affordable.
fn rows_html(ctx: &Ctx) -> Result<String> {
    let rows: Vec<String> = ctx
        .rows
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
