//! configuration.html: each service's urgency rule and support hours against the documented
//! matrix and `[business_hours]`, each first-level on-call user's high-urgency channels, and the
//! monitoring routing (integrations, orchestration routes, the documented `[[routing]]`).

use anyhow::Result;
use serde::Serialize;

use crate::evidence::configuration::urgency_name;
use crate::evidence::{ExceptionKind, Subject};
use crate::render::anchor;
use crate::render::context::Ctx;
use crate::util::local_time;

#[derive(Serialize)]
struct ConfigurationPage<'a> {
    has_snapshot: bool,
    matrix: Vec<MatrixRow<'a>>,
    business_hours: String,
    urgency_tested: u64,
    mismatches: Vec<MismatchView<'a>>,
    services: Vec<ServiceView<'a>>,
    notify: Option<String>,
    users: Vec<UserView<'a>>,
    users_untested: usize,
    routing: Vec<RouteDoc<'a>>,
    orchestrations: Vec<OrchestrationView<'a>>,
}

#[derive(Serialize)]
struct MatrixRow<'a> {
    level: &'a str,
    name: &'a str,
    urgency: Option<&'static str>,
}

#[derive(Serialize)]
struct MismatchView<'a> {
    number: u64,
    level: &'a str,
    documented: &'static str,
    actual: &'a str,
    /// Where its urgency_mismatch exception is listed, relative to the site root.
    exception_href: String,
}

#[derive(Serialize)]
struct ServiceView<'a> {
    id: &'a str,
    anchor: String,
    name: &'a str,
    urgency_rule: &'a Option<String>,
    support_hours: &'a Option<String>,
    support_hours_match: Option<bool>,
    scheduled_actions: String,
    mismatched: &'a [u64],
    integrations: Vec<IntegrationView<'a>>,
    routed_from: Vec<String>,
}

#[derive(Serialize)]
struct IntegrationView<'a> {
    name: &'a Option<String>,
    vendor: &'a Option<String>,
    kind: &'a str,
    created: Option<String>,
}

#[derive(Serialize)]
struct UserView<'a> {
    id: &'a str,
    anchor: String,
    name: &'a str,
    escalation_policies: String,
    channels: String,
    gap: Option<bool>,
    /// Where its notification_gap exception is listed, relative to the site root.
    exception_href: Option<String>,
}

#[derive(Serialize)]
struct RouteDoc<'a> {
    source: &'a str,
    events: &'a str,
    service: &'a str,
    /// The snapshot's service it names, when found (by id or name).
    service_anchor: Option<String>,
}

#[derive(Serialize)]
struct OrchestrationView<'a> {
    name: &'a str,
    routes: Vec<RouteView<'a>>,
    catch_all: Option<String>,
}

#[derive(Serialize)]
struct RouteView<'a> {
    label: &'a Option<String>,
    conditions: String,
    to: String,
    disabled: bool,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let tz = ctx.tz();
    let snap = &ctx.inputs.pagerduty;
    let policy = ctx.inputs.policy();
    let f = &ctx.evidence.configuration;
    let service_name = |id: &str| {
        snap.service(id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    };
    let find_service = |key: &str| {
        snap.services
            .iter()
            .find(|s| s.id == key || s.name.trim().eq_ignore_ascii_case(key.trim()))
    };
    let orchestrations = snap.orchestrations.iter().flatten().collect::<Vec<_>>();
    let services = f
        .services
        .iter()
        .filter_map(|v| snap.service(&v.id).map(|s| (v, s)))
        .map(|(v, s)| ServiceView {
            id: &v.id,
            anchor: anchor(&v.id),
            name: &v.name,
            urgency_rule: &v.urgency_rule,
            support_hours: &v.support_hours,
            support_hours_match: v.support_hours_match,
            scheduled_actions: v.scheduled_actions.join("; "),
            mismatched: &v.mismatched_incidents,
            integrations: s
                .integrations
                .iter()
                .map(|i| IntegrationView {
                    name: &i.name,
                    vendor: &i.vendor,
                    kind: &i.kind,
                    created: i.created.map(|t| local_time(t, tz)),
                })
                .collect(),
            routed_from: orchestrations
                .iter()
                .flat_map(|o| o.routes.iter().map(move |r| (o, r)))
                .filter(|(_, r)| r.route_to == s.id)
                .map(|(o, r)| {
                    format!(
                        "{} › {}{}",
                        o.name,
                        r.label.as_deref().unwrap_or(&r.id),
                        if r.disabled { " (disabled)" } else { "" }
                    )
                })
                .chain(
                    orchestrations
                        .iter()
                        .filter(|o| o.catch_all.as_deref() == Some(s.id.as_str()))
                        .map(|o| format!("{} › catch-all", o.name)),
                )
                .collect(),
        })
        .collect();
    let users = f
        .on_call_users
        .iter()
        .map(|u| UserView {
            id: &u.id,
            anchor: anchor(&u.id),
            name: &u.name,
            escalation_policies: u.escalation_policies.join(", "),
            channels: u.high_urgency_channels.join(", "),
            gap: u.gap,
            exception_href: (u.gap == Some(true)).then(|| {
                ctx.exception_href_of(
                    ExceptionKind::NotificationGap,
                    &Subject::User { id: u.id.clone() },
                )
            }),
        })
        .collect::<Vec<_>>();
    let bh = &ctx.config.business_hours;
    let data = ConfigurationPage {
        has_snapshot: !snap.services.is_empty() || !snap.users.is_empty(),
        matrix: policy
            .severities
            .iter()
            .map(|s| MatrixRow {
                level: &s.level,
                name: &s.name,
                urgency: s.urgency.map(urgency_name),
            })
            .collect(),
        business_hours: format!(
            "{} {}–{}",
            bh.days
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            bh.start.format("%H:%M"),
            bh.end.format("%H:%M")
        ),
        urgency_tested: f.urgency_tested,
        mismatches: f
            .urgency_mismatched
            .iter()
            .map(|m| MismatchView {
                number: m.number,
                level: &m.level,
                documented: urgency_name(m.documented),
                actual: &m.actual,
                exception_href: ctx.exception_href_of(
                    ExceptionKind::UrgencyMismatch,
                    &Subject::Incident { number: m.number },
                ),
            })
            .collect(),
        services,
        notify: f
            .notify_high_urgency
            .as_ref()
            .map(|k| k.iter().map(|k| k.name()).collect::<Vec<_>>().join(" or ")),
        users_untested: users.iter().filter(|u| u.gap.is_none()).count(),
        users,
        routing: policy
            .routing
            .iter()
            .map(|r| RouteDoc {
                source: &r.source,
                events: &r.events,
                service: &r.service,
                service_anchor: find_service(&r.service).map(|s| anchor(&s.id)),
            })
            .collect(),
        orchestrations: orchestrations
            .iter()
            .map(|o| OrchestrationView {
                name: &o.name,
                routes: o
                    .routes
                    .iter()
                    .map(|r| RouteView {
                        label: &r.label,
                        conditions: if r.conditions.is_empty() {
                            "every event".into()
                        } else {
                            r.conditions.join(" or ")
                        },
                        to: service_name(&r.route_to),
                        disabled: r.disabled,
                    })
                    .collect(),
                catch_all: o.catch_all.as_deref().map(service_name),
            })
            .collect(),
    };
    ctx.page(
        "configuration.html",
        "configuration.html",
        "Configuration",
        &data,
    )?;
    Ok(1)
}
