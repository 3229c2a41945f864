//! policies/index.html and policies/<slug>.html: every policy document, its severity matrix and
//! escalation path, the response policy marked.

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use crate::model::PolicyDoc;
use crate::render::context::Ctx;
use crate::render::markdown;
use crate::util::human_target;

#[derive(Serialize)]
struct PolicyPage<'a> {
    policy: &'a PolicyDoc,
    is_response_policy: bool,
    body: String,
    severities: Vec<SeverityRow<'a>>,
    escalation: Vec<EscalationRow<'a>>,
    source_href: String,
    /// Past its `next_review` as of `as_of`.
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct SeverityRow<'a> {
    level: &'a str,
    name: &'a str,
    aliases: String,
    definition: &'a str,
    ack: Option<String>,
    resolve: Option<String>,
    postmortem: Option<String>,
}

#[derive(Serialize)]
struct EscalationRow<'a> {
    level: u32,
    role: &'a str,
    paged_after: String,
}

#[derive(Serialize)]
struct IndexPage<'a> {
    policies: Vec<ListItem<'a>>,
}

#[derive(Serialize)]
struct ListItem<'a> {
    title: &'a str,
    version: &'a Option<String>,
    effective: Option<NaiveDate>,
    approved_by: &'a Option<String>,
    approved_on: Option<NaiveDate>,
    href: String,
    is_response_policy: bool,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let mut list = Vec::new();
    for (i, p) in ctx.inputs.policies.iter().enumerate() {
        let is_response_policy = i == ctx.inputs.policy;
        let data = PolicyPage {
            policy: p,
            is_response_policy,
            body: markdown::to_html(&p.body_markdown),
            severities: p
                .severities
                .iter()
                .map(|s| SeverityRow {
                    level: &s.level,
                    name: &s.name,
                    aliases: s.aliases.join(", "),
                    definition: &s.definition,
                    ack: s.ack.map(|t| t.to_string()),
                    resolve: s.resolve.map(|t| t.to_string()),
                    postmortem: s.postmortem.map(|t| t.to_string()),
                })
                .collect(),
            escalation: p
                .escalation
                .iter()
                .map(|e| EscalationRow {
                    level: e.level,
                    role: &e.role,
                    paged_after: human_target(e.paged_after_secs),
                })
                .collect(),
            source_href: format!("../{}", ctx.source_href(&p.source)),
            warnings: crate::evidence::warnings::policy(p, ctx.config.period.as_of()),
        };
        let rel = format!("policies/{}.html", p.slug);
        ctx.page("policy.html", &rel, &p.title, &data)?;
        list.push(ListItem {
            title: &p.title,
            version: &p.version,
            effective: p.effective,
            approved_by: &p.approved_by,
            approved_on: p.approved_on,
            href: format!("{}.html", p.slug),
            is_response_policy,
        });
    }
    let count = list.len() + 1;
    ctx.page(
        "policies.html",
        "policies/index.html",
        "Policies",
        &IndexPage { policies: list },
    )?;
    Ok(count)
}
