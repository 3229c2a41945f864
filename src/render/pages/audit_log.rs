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
    /// `audit-<anchor(id)>`: the on-call page links the records that changed a policy.
    id: String,
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
                    let show = |v: &Option<String>| {
                        v.as_deref()
                            .map_or_else(|| "∅".into(), |v| show_value(v, tz))
                    };
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
                id: format!("audit-{}", crate::render::anchor(&r.id)),
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

/// A changed value as shown: an instant (PagerDuty writes them in UTC) in the organization's
/// zone with its offset, the UTC text after it; anything else as written.
fn show_value(value: &str, tz: chrono_tz::Tz) -> String {
    match chrono::DateTime::parse_from_rfc3339(value) {
        Ok(at) => format!("{} ({value})", local_time(at.to_utc(), tz)),
        Err(_) => value.to_string(),
    }
}

fn name(r: &PdRef) -> String {
    r.name.clone().unwrap_or_else(|| r.id.clone())
}

#[cfg(test)]
mod tests {
    use super::show_value;

    #[test]
    fn changed_instants_show_in_the_organizations_zone_with_offset() {
        let tz = chrono_tz::America::New_York;
        assert_eq!(
            show_value("2026-07-03T04:00:00Z", tz),
            "2026-07-03 00:00 -04:00 (2026-07-03T04:00:00Z)"
        );
        assert_eq!(show_value("high", tz), "high");
        assert_eq!(show_value("1", tz), "1");
    }
}
