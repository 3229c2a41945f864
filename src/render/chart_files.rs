//! Charts as files under `charts/`, with the data tables the pages show beneath them.

use anyhow::Result;
use serde::Serialize;

use super::charts::{self, DataTable};
use super::context::Ctx;

/// A chart as pages embed it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    pub file: String,
    pub href: String,
    pub title: String,
    pub description: String,
    pub table: DataTable,
}

/// Renders every chart, writes `charts/<file>` and returns what pages embed.
pub fn write_charts(ctx: &Ctx) -> Result<Vec<ChartView>> {
    // The percentage is the chart's own scale; the seconds behind it are the evidence's.
    let coverage: Vec<(String, f64)> = ctx
        .evidence
        .oncall
        .by_month
        .iter()
        .map(|m| {
            let pct = m.covered_secs as f64 * 100.0 / m.total_secs as f64;
            (m.month.clone(), pct)
        })
        .collect();
    let all = charts::render_all(
        ctx.evidence,
        &ctx.inputs.policy().severities,
        &ctx.evidence.responders,
        &coverage,
    );
    write_charts_for(ctx, all)
}

/// Writes the given charts under `charts/` and returns their views.
pub fn write_charts_for(ctx: &Ctx, charts: Vec<charts::Chart>) -> Result<Vec<ChartView>> {
    let mut views = Vec::new();
    for chart in charts {
        ctx.out
            .write(&format!("charts/{}", chart.file), chart.svg.as_bytes())?;
        views.push(ChartView {
            href: format!("charts/{}", chart.file),
            file: chart.file,
            title: chart.title,
            description: chart.description,
            table: chart.table,
        });
    }
    Ok(views)
}
