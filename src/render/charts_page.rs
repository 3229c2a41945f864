//! Charts as files under `charts/`, with the data tables the pages show beneath them.

use anyhow::Result;
use chrono::{Datelike, TimeZone};
use serde::Serialize;

use super::charts::{self, DataTable, ResponderLoad};
use super::site::{Ctx, write};

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
    let load = responder_load(ctx);
    let coverage = super::oncall::coverage_by_month(ctx);
    let all = charts::render_all(
        ctx.evidence,
        &ctx.inputs.policy().severities,
        &load,
        &coverage,
    );
    write_charts_for(ctx, all)
}

/// Writes the given charts under `charts/` and returns their views.
pub fn write_charts_for(ctx: &Ctx, charts: Vec<charts::Chart>) -> Result<Vec<ChartView>> {
    let mut views = Vec::new();
    for chart in charts {
        write(
            ctx.out,
            &format!("charts/{}", chart.file),
            chart.svg.as_bytes(),
        )?;
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

/// Pages per responder: in-period incidents by the person who acknowledged them (else who
/// resolved them), and how many of those were created outside business hours.
fn responder_load(ctx: &Ctx) -> Vec<ResponderLoad> {
    use std::collections::BTreeMap;
    let tz = ctx.tz();
    let bh = &ctx.config.business_hours;
    let mut by: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for facts in &ctx.evidence.incidents {
        let Some(incident) = ctx.inputs.incident(facts.number) else {
            continue;
        };
        let f = &incident.fields;
        let who = f
            .acknowledged_by
            .clone()
            .or_else(|| {
                f.timeline
                    .iter()
                    .find(|e| e.kind == "acknowledge")
                    .and_then(|e| e.agent.clone())
            })
            .or_else(|| f.resolved_by.clone())
            .unwrap_or_else(|| "(nobody: auto-resolved or unassigned)".to_string());
        let local = tz.from_utc_datetime(&incident.created.naive_utc());
        let business = bh.days.contains(&local.weekday())
            && !bh.holidays.contains(&local.date_naive())
            && local.time() >= bh.start
            && local.time() < bh.end;
        let e = by.entry(who).or_default();
        e.0 += 1;
        if !business {
            e.1 += 1;
        }
    }
    let mut load: Vec<ResponderLoad> = by
        .into_iter()
        .map(|(name, (pages, off))| ResponderLoad {
            responder: name,
            pages,
            off_hours: Some(off),
        })
        .collect();
    load.sort_by(|a, b| {
        b.pages
            .cmp(&a.pages)
            .then_with(|| a.responder.cmp(&b.responder))
    });
    load
}
