//! severities/<level>.html: one page per severity level (and unclassified) with its figures, its
//! charts and its incidents.

use anyhow::Result;
use serde::Serialize;

use super::{SeverityFigure, severity_figures};
use crate::render::chart_files::{ChartView, write_charts_for};
use crate::render::charts::severity_charts;
use crate::render::context::Ctx;
use crate::render::page_name;
use crate::render::views::IncidentRowView;

#[derive(Serialize)]
struct SeverityPage<'a> {
    figure: &'a SeverityFigure,
    definition: Option<&'a str>,
    aliases: Option<String>,
    charts: Vec<ChartView>,
    rows: Vec<&'a IncidentRowView>,
    policy_href: String,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let figures = severity_figures(ctx);
    let policy = ctx.inputs.policy();
    for fig in &figures {
        let level = fig.level.as_str();
        let sev = policy.severity(level);
        let charts = match sev {
            Some(s) => write_charts_for(ctx, severity_charts(&ctx.evidence.months, s))?,
            None => Vec::new(),
        };
        let title = match sev {
            Some(s) => format!("{} {}", s.level, s.name),
            None => "Unclassified incidents".to_string(),
        };
        let data = SeverityPage {
            figure: fig,
            definition: sev.map(|s| s.definition.as_str()),
            aliases: sev.map(|s| s.aliases.join(", ")),
            charts,
            rows: ctx.rows.iter().filter(|r| r.severity == level).collect(),
            policy_href: format!("policies/{}.html", policy.slug),
        };
        let rel = format!("severities/{}.html", page_name(level));
        ctx.page("severity.html", &rel, &title, &data)?;
    }
    Ok(figures.len())
}
