//! customers.html: every public Statuspage incident of the period against the PagerDuty incident
//! that detected it (evidence-rules §9; the matching is `evidence::customers`), scheduled
//! maintenance listed apart.

use anyhow::Result;
use serde::Serialize;

use crate::evidence::customers::{Outcome, PublicIncident};
use crate::model::StatuspageIncident;
use crate::render::anchor;
use crate::render::context::Ctx;
use crate::util::{human_duration, human_target, local_time};

#[derive(Serialize)]
struct CustomersPage<'a> {
    tested: bool,
    window: String,
    /// (component as named in site.toml, with its Statuspage name when that is an id; services).
    mapping: Vec<(String, String)>,
    incidents: u64,
    matched: u64,
    detected_first: u64,
    median_lead: String,
    public: Vec<PublicView<'a>>,
    maintenance: Vec<MaintenanceView<'a>>,
}

#[derive(Serialize)]
struct PublicView<'a> {
    id: &'a str,
    anchor: String,
    name: &'a str,
    shortlink: Option<&'a str>,
    impact: &'a str,
    posted: String,
    components: String,
    services: String,
    number: Option<u64>,
    /// The matched incident has its own page (it is in the period).
    linked: bool,
    pd_created: Option<String>,
    lead: Option<String>,
    outcome: Outcome,
    exception: Option<String>,
    /// Where the exception is listed, relative to the site root.
    exception_href: Option<String>,
    source: &'a str,
    line: u64,
    href: String,
}

#[derive(Serialize)]
struct MaintenanceView<'a> {
    id: &'a str,
    name: &'a str,
    posted: String,
    scheduled: Option<String>,
    until: Option<String>,
    components: String,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let facts = &ctx.evidence.customers;
    let list: &[StatuspageIncident] = ctx
        .inputs
        .statuspage
        .as_ref()
        .map_or(&[], |s| s.incidents.as_slice());
    let summary = &ctx.evidence.summary.statuspage;
    let tz = ctx.tz();
    let page = CustomersPage {
        tested: facts.tested,
        window: human_target(facts.match_window_secs),
        mapping: ctx
            .config
            .statuspage
            .components
            .iter()
            .map(|(c, s)| (component_label(ctx, c), s.join(", ")))
            .collect(),
        incidents: summary.incidents,
        matched: summary.matched,
        detected_first: summary.detected_first,
        median_lead: signed(summary.median_lead_seconds),
        public: facts
            .public
            .iter()
            .map(|p| public(ctx, p, &list[p.index]))
            .collect(),
        maintenance: facts
            .maintenance
            .iter()
            .map(|&i| {
                let m = &list[i];
                MaintenanceView {
                    id: &m.id,
                    name: &m.name,
                    posted: local_time(m.created_at, tz),
                    scheduled: m.scheduled_for.map(|t| local_time(t, tz)),
                    until: m.scheduled_until.map(|t| local_time(t, tz)),
                    components: components(m),
                }
            })
            .collect(),
    };
    ctx.page("customers.html", "customers.html", "Customers", &page)?;
    Ok(1)
}

fn public<'a>(ctx: &Ctx, p: &'a PublicIncident, sp: &'a StatuspageIncident) -> PublicView<'a> {
    let tz = ctx.tz();
    let exception = ctx
        .exceptions_of(&crate::evidence::Subject::Statuspage { id: p.id.clone() })
        .next();
    let pd = p.matched.and_then(|n| ctx.inputs.incident(n));
    PublicView {
        id: &p.id,
        anchor: format!("sp-{}", anchor(&p.id)),
        name: &sp.name,
        shortlink: sp.shortlink.as_deref(),
        impact: sp.impact.as_deref().unwrap_or("—"),
        posted: local_time(sp.created_at, tz),
        components: components(sp),
        services: p.services.join(", "),
        number: p.matched,
        linked: p.matched.is_some_and(|n| ctx.facts_of(n).is_some()),
        pd_created: pd.map(|i| local_time(i.created, tz)),
        lead: p.lead_secs.map(signed),
        outcome: p.outcome,
        exception: exception.map(|e| e.id.clone()),
        exception_href: exception.map(|e| ctx.exception_href(&e.id)),
        source: &sp.source,
        line: sp.line,
        href: ctx.source_href(&sp.source),
    }
}

/// `[statuspage] components` key: a component id shown as "Name (id)" when the snapshot's
/// `components.jsonl` names it, otherwise as written.
fn component_label(ctx: &Ctx, key: &str) -> String {
    match ctx
        .inputs
        .statuspage
        .as_ref()
        .and_then(|s| s.component_name(key))
    {
        Some(name) if name != key => format!("{name} ({key})"),
        _ => key.to_string(),
    }
}

fn components(sp: &StatuspageIncident) -> String {
    let names: Vec<&str> = sp
        .components
        .iter()
        .map(|c| c.name.as_deref().unwrap_or(&c.id))
        .collect();
    if names.is_empty() {
        "—".into()
    } else {
        names.join(", ")
    }
}

/// A lead with its sign in words: "45m before" customers were told, or "10m after".
fn signed(secs: i64) -> String {
    match secs {
        0 => "at the same second".into(),
        s if s > 0 => format!("{} before", human_duration(s)),
        s => format!("{} after", human_duration(-s)),
    }
}
