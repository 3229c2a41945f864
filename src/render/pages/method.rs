//! method.html: the evidence rules as applied to this site. Period bounds, "now", the severity
//! matrix, business hours and the judgments taken where the rules do not settle a case.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::render::context::Ctx;
use crate::util::{local_time, utc_rfc3339};

#[derive(Serialize)]
struct MethodPage<'a> {
    period_start: String,
    period_start_utc: String,
    period_end: String,
    period_end_utc: String,
    now: String,
    now_utc: String,
    export_timezone: &'static str,
    policy: PolicyRef<'a>,
    severities: Vec<SeverityRule<'a>>,
    business_days: String,
    business_start: String,
    business_end: String,
    holidays: Vec<String>,
    from_urgency: &'a BTreeMap<String, String>,
    judgments: &'static [&'static str],
}

#[derive(Serialize)]
struct PolicyRef<'a> {
    title: &'a str,
    version: &'a Option<String>,
    href: String,
}

#[derive(Serialize)]
struct SeverityRule<'a> {
    level: &'a str,
    name: &'a str,
    /// Every value that classifies an incident as this level.
    matches: String,
    ack: Option<String>,
    resolve: Option<String>,
    postmortem: Option<String>,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let tz = ctx.tz();
    let bh = &ctx.config.business_hours;
    let p = ctx.inputs.policy();
    let e = ctx.evidence;
    let data = MethodPage {
        period_start: local_time(e.period_start, tz),
        period_start_utc: utc_rfc3339(e.period_start),
        period_end: local_time(e.period_end, tz),
        period_end_utc: utc_rfc3339(e.period_end),
        now: local_time(e.now, tz),
        now_utc: utc_rfc3339(e.now),
        export_timezone: ctx.config.export_tz().name(),
        policy: PolicyRef {
            title: &p.title,
            version: &p.version,
            href: format!("policies/{}.html", p.slug),
        },
        severities: p
            .severities
            .iter()
            .map(|s| SeverityRule {
                level: &s.level,
                name: &s.name,
                matches: std::iter::once(s.level.as_str())
                    .chain(std::iter::once(s.name.as_str()))
                    .chain(s.aliases.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", "),
                ack: s.ack.map(|t| t.to_string()),
                resolve: s.resolve.map(|t| t.to_string()),
                postmortem: s.postmortem.map(|t| t.to_string()),
            })
            .collect(),
        business_days: bh
            .days
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        business_start: bh.start.format("%H:%M").to_string(),
        business_end: bh.end.format("%H:%M").to_string(),
        holidays: bh.holidays.iter().map(|d| d.to_string()).collect(),
        from_urgency: &ctx.config.severity.from_urgency,
        judgments: crate::evidence::JUDGMENTS,
    };
    ctx.page(
        "method.html",
        "method.html",
        "Method: the evidence rules as applied",
        &data,
    )?;
    Ok(1)
}

#[cfg(test)]
mod tests {
    use crate::evidence::ExceptionKind;

    /// Every exception kind's rule link lands on a section of the default theme's method.html.
    #[test]
    fn every_exception_kind_cites_an_existing_method_section() {
        let template = include_str!("../../../themes/default/templates/method.html");
        for kind in ExceptionKind::ALL {
            let id = format!("id=\"{}\"", kind.rule_id());
            assert_eq!(
                template.matches(&id).count(),
                1,
                "{}: method.html needs exactly one {id}",
                kind.name()
            );
        }
    }
}
