//! audit-log/index.html: PagerDuty's audit records in the period (who changed the incident
//! tooling, and what), or why they could not be fetched.

use anyhow::Result;
use serde::Serialize;

use crate::model::PdRef;
use crate::render::context::Ctx;
use crate::util::{local_time, utc_rfc3339};

#[derive(Serialize)]
struct AuditPage<'a> {
    records: Vec<RecordView<'a>>,
    /// The fetch record's notes on audit windows (e.g. the account's plan lacks the audit API).
    notes: Vec<String>,
}

#[derive(Serialize)]
struct RecordView<'a> {
    at: String,
    utc: String,
    action: &'a str,
    actors: String,
    method: &'a Option<String>,
    resource: String,
    changes: Vec<String>,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    if !ctx.site.has_audit_log {
        return Ok(0);
    }
    let tz = ctx.tz();
    let snap = &ctx.inputs.pagerduty;
    let records = ctx
        .evidence
        .audit_records
        .iter()
        .map(|&i| &snap.audit_records[i])
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
                let list = |v: &[PdRef]| v.iter().map(name).collect::<Vec<_>>().join(", ");
                if !refs.added.is_empty() {
                    changes.push(format!("{}: added {}", refs.name, list(&refs.added)));
                }
                if !refs.removed.is_empty() {
                    changes.push(format!("{}: removed {}", refs.name, list(&refs.removed)));
                }
            }
            RecordView {
                at: local_time(r.at, tz),
                utc: utc_rfc3339(r.at),
                action: &r.action,
                actors: r.actors.iter().map(name).collect::<Vec<_>>().join(", "),
                method: &r.method,
                resource,
                changes,
            }
        })
        .collect();
    let notes = snap
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
        &AuditPage { records, notes },
    )?;
    Ok(1)
}

fn name(r: &PdRef) -> String {
    r.name.clone().unwrap_or_else(|| r.id.clone())
}
