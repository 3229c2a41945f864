//! On-call pages (escalation path documented vs configured, first-level coverage and its gaps,
//! schedules, overrides, services) and the PagerDuty audit log, from the API snapshot.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::{Value, json};

use super::charts_page::ChartView;
use super::site::{Ctx, anchor};
use crate::evidence::Subject;
use crate::model::Inputs;
use crate::util::{human_duration, human_target, local_time, utc_rfc3339};

pub fn has_oncall(inputs: &Inputs) -> bool {
    let s = &inputs.pagerduty;
    !s.escalation_policies.is_empty() || !s.schedules.is_empty()
}

pub fn has_audit_log(inputs: &Inputs) -> bool {
    let s = &inputs.pagerduty;
    !s.audit_records.is_empty()
        || s.fetch_records.iter().any(|f| {
            f.record
                .windows
                .iter()
                .any(|w| w.endpoint.contains("audit"))
        })
}

/// First-level coverage per month over every judged escalation policy, in percent.
pub fn coverage_by_month(ctx: &Ctx) -> Vec<(String, f64)> {
    let mut by: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for c in &ctx.evidence.oncall.coverage {
        for m in &c.months {
            let e = by.entry(m.month.clone()).or_default();
            e.0 += m.covered_secs;
            e.1 += m.total_secs;
        }
    }
    by.into_iter()
        .filter(|(_, (_, total))| *total > 0)
        .map(|(month, (covered, total))| (month, covered as f64 * 100.0 / total as f64))
        .collect()
}

/// The fetch record's windows, for the population page.
pub fn fetch_records(ctx: &Ctx) -> Vec<Value> {
    let mut rows = Vec::new();
    for f in &ctx.inputs.pagerduty.fetch_records {
        for w in &f.record.windows {
            let params: Vec<String> = w.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            rows.push(json!({
                "file": f.file, "endpoint": w.endpoint, "params": params.join("&"),
                "fetched_at": w.fetched_at, "pagination": w.pagination, "pages": w.pages,
                "received": w.received, "reported": w.reported.map_or("not reported".to_string(), |r| r.to_string()),
                "ok": w.reconciled(), "note": w.note,
            }));
        }
    }
    rows
}

/// A PagerDuty escalation policy's name by id (the id itself when unknown).
pub fn policy_name(ctx: &Ctx, id: &str) -> String {
    ctx.inputs
        .pagerduty
        .escalation_policies
        .iter()
        .find(|p| p.id == id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

fn pct(covered: i64, total: i64) -> String {
    if total == 0 {
        "–".into()
    } else {
        format!("{:.2} %", covered as f64 * 100.0 / total as f64)
    }
}

fn target_names(targets: &[crate::model::PdRef]) -> String {
    targets
        .iter()
        .map(|t| {
            format!(
                "{} ({})",
                t.name.clone().unwrap_or_else(|| t.id.clone()),
                t.kind.trim_end_matches("_reference")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn pages(ctx: &Ctx, charts: &[ChartView]) -> Result<()> {
    if ctx.site.has_oncall {
        oncall_page(ctx, charts)?;
    }
    if ctx.site.has_audit_log {
        audit_page(ctx)?;
    }
    Ok(())
}

fn oncall_page(ctx: &Ctx, charts: &[ChartView]) -> Result<()> {
    let tz = ctx.tz();
    let f = &ctx.evidence.oncall;
    let snap = &ctx.inputs.pagerduty;
    let escalation = f.escalation.as_ref().map(|e| {
        json!({
            "documented_name": e.documented_name, "policy_id": e.policy_id, "policy_name": e.policy_name,
            "anchor": e.policy_id.as_deref().map(anchor),
            "levels": e.levels.iter().map(|l| json!({
                "level": l.level, "role": l.role,
                "documented": l.documented_secs.map(human_target),
                "configured": l.configured_secs.map(human_target),
                "targets": target_names(&l.targets), "drift": l.drift,
                "exception": ctx.by_subject.get(&Subject::EscalationDrift {
                    escalation_policy: e.policy_id.clone().unwrap_or_default(), level: l.level,
                }).and_then(|v| v.first()).map(|x| anchor(&x.id)),
            })).collect::<Vec<_>>(),
        })
    });
    let coverage: Vec<Value> = f
        .coverage
        .iter()
        .map(|c| {
            json!({
                "id": c.escalation_policy_id, "anchor": anchor(&c.escalation_policy_id), "name": c.name,
                "targets": target_names(&c.targets), "pct": pct(c.covered_secs, c.total_secs),
                "gaps": c.gaps.iter().map(|g| json!({
                    "start": local_time(g.start, tz), "end": local_time(g.end, tz),
                    "start_utc": utc_rfc3339(g.start), "length": human_duration((g.end - g.start).num_seconds()),
                    "anchor": anchor(&format!("coverage_gap:{}@{}", c.escalation_policy_id, utc_rfc3339(g.start))),
                })).collect::<Vec<_>>(),
                "months": c.months.iter().map(|m| json!({"month": m.month, "pct": pct(m.covered_secs, m.total_secs)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let schedules: Vec<Value> = snap
        .schedules
        .iter()
        .map(|s| {
            let users: std::collections::BTreeSet<String> =
                s.final_entries.iter().filter_map(|e| e.user.as_ref()).map(|u| u.name.clone().unwrap_or_else(|| u.id.clone())).collect();
            json!({"id": s.id, "name": s.name, "version": s.version, "time_zone": s.time_zone, "url": s.url,
                   "entries": s.final_entries.len(), "users": users.into_iter().collect::<Vec<_>>().join(", "),
                   "escalation_policies": s.escalation_policies.iter().map(|p| p.name.clone().unwrap_or_else(|| p.id.clone())).collect::<Vec<_>>().join(", ")})
        })
        .collect();
    let overrides: Vec<Value> = snap
        .overrides
        .iter()
        .map(|o| {
            let schedule = snap.schedules.iter().find(|s| s.id == o.schedule_id).map_or(o.schedule_id.clone(), |s| s.name.clone());
            json!({"schedule": schedule, "start": local_time(o.start, tz), "end": local_time(o.end, tz),
                   "user": o.user.as_ref().map(|u| u.name.clone().unwrap_or_else(|| u.id.clone()))})
        })
        .collect();
    let policies: Vec<Value> = snap
        .escalation_policies
        .iter()
        .map(|p| {
            let after = p.paged_after_secs();
            json!({"id": p.id, "anchor": anchor(&p.id), "name": p.name, "description": p.description, "num_loops": p.num_loops, "url": p.url,
                   "services": p.services.iter().map(|s| s.name.clone().unwrap_or_else(|| s.id.clone())).collect::<Vec<_>>().join(", "),
                   "rules": p.rules.iter().zip(after).enumerate().map(|(i, (r, at))| json!({"level": i + 1, "delay": format!("{}m", r.delay_minutes),
                        "paged_after": human_target(at), "targets": target_names(&r.targets)})).collect::<Vec<_>>()})
        })
        .collect();
    let services: Vec<Value> = snap
        .services
        .iter()
        .map(|s| json!({"name": s.name, "status": s.status, "escalation_policy": s.escalation_policy.as_ref().map(|p| p.name.clone().unwrap_or_else(|| p.id.clone()))}))
        .collect();
    let window = f
        .window
        .map(|(a, b)| json!({"from": local_time(a, tz), "to": local_time(b, tz)}));
    let oncall_charts: Vec<&ChartView> = charts
        .iter()
        .filter(|c| c.file.starts_with("oncall"))
        .collect();
    ctx.page(
        "oncall.html",
        "oncall/index.html",
        "On-call and escalation",
        json!({"escalation": escalation, "coverage": coverage, "schedules": schedules, "overrides": overrides,
               "policies": policies, "services": services, "window": window, "charts": oncall_charts}),
    )
}

fn audit_page(ctx: &Ctx) -> Result<()> {
    let tz = ctx.tz();
    let name = |r: &crate::model::PdRef| r.name.clone().unwrap_or_else(|| r.id.clone());
    let records: Vec<Value> = ctx
        .inputs
        .pagerduty
        .audit_records
        .iter()
        .filter(|r| r.at >= ctx.evidence.period_start && r.at < ctx.evidence.period_end)
        .map(|r| {
            let mut resource = format!("{} {}", r.root_resource.kind, name(&r.root_resource));
            if let Some(inner) = r.resource.as_ref().filter(|x| x.id != r.root_resource.id) {
                resource.push_str(&format!(" › {} {}", inner.kind, name(inner)));
            }
            let mut changes: Vec<String> = r
                .fields
                .iter()
                .map(|c| {
                    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "∅".into());
                    format!("{}: {} → {}", c.name, show(&c.before), show(&c.after))
                })
                .collect();
            for refs in &r.references {
                let list =
                    |v: &[crate::model::PdRef]| v.iter().map(name).collect::<Vec<_>>().join(", ");
                if !refs.added.is_empty() {
                    changes.push(format!("{}: added {}", refs.name, list(&refs.added)));
                }
                if !refs.removed.is_empty() {
                    changes.push(format!("{}: removed {}", refs.name, list(&refs.removed)));
                }
            }
            json!({"at": local_time(r.at, tz), "utc": utc_rfc3339(r.at), "action": r.action,
                   "actors": r.actors.iter().map(name).collect::<Vec<_>>().join(", "),
                   "method": r.method, "resource": resource, "changes": changes})
        })
        .collect();
    let unavailable: Vec<String> = ctx
        .inputs
        .pagerduty
        .fetch_records
        .iter()
        .flat_map(|f| f.record.windows.iter())
        .filter(|w| w.endpoint.contains("audit"))
        .filter_map(|w| w.note.clone())
        .collect();
    ctx.page(
        "audit-log.html",
        "audit-log/index.html",
        "PagerDuty audit log",
        json!({"records": records, "notes": unavailable}),
    )
}
