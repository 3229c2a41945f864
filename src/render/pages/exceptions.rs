//! exceptions.html: every exception by kind, each with the rule, what it required, what happened,
//! a link to its subject's page and the management response when there is one.

use anyhow::Result;
use serde::Serialize;

use super::{ExceptionCount, exception_counts, kind_label};
use crate::evidence::{ExceptionKind, Subject};
use crate::model::Response;
use crate::render::chart_files::ChartView;
use crate::render::context::Ctx;
use crate::render::views::Link;
use crate::render::{anchor, markdown, page_name};

#[derive(Serialize)]
struct ExceptionsPage<'a> {
    groups: Vec<KindGroup<'a>>,
    counts: Vec<ExceptionCount>,
    total: usize,
    unmatched: Vec<Unmatched<'a>>,
    chart: Option<&'a ChartView>,
}

#[derive(Serialize)]
struct KindGroup<'a> {
    kind: &'static str,
    label: &'static str,
    criterion: &'static str,
    items: Vec<Item<'a>>,
}

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

pub fn render(ctx: &Ctx, charts: &[ChartView]) -> Result<usize> {
    let exceptions = &ctx.evidence.exceptions;
    let groups = ExceptionKind::ALL
        .into_iter()
        .map(|kind| KindGroup {
            kind: kind.name(),
            label: kind_label(kind),
            criterion: kind.criterion(),
            items: exceptions
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| Item {
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
                })
                .collect(),
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
        total: exceptions.len(),
        unmatched,
        chart: charts.iter().find(|c| c.file.starts_with("exceptions")),
    };
    ctx.page("exceptions.html", "exceptions.html", "Exceptions", &data)?;
    Ok(1)
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
                "postmortems/{}.html#item-{}",
                page_name(postmortem),
                anchor(item)
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
