//! The Statuspage snapshot written by `pagerproof fetch statuspage` (layout:
//! [`crate::model::layout::statuspage`]): every `*.jsonl` file under `[inputs] statuspage` holds
//! one incident per line as the Manage API returns it; `fetch-record.json` is provenance.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::Config;
use crate::ingest::pagerduty::{records, snapshot_paths, source_file_of};
use crate::model::layout::statuspage::{COMPONENTS, FETCH_RECORD};
use crate::model::{
    FetchRecord, FetchRecordFile, SourceFile, SourceKind, StatuspageComponent, StatuspageIncident,
    StatuspageSnapshot,
};

/// The snapshot (`None` without an `[inputs] statuspage` directory) and its files.
pub fn load(config: &Config) -> Result<(Option<StatuspageSnapshot>, Vec<SourceFile>)> {
    let dir = config.path(&config.inputs.statuspage);
    if !dir.is_dir() {
        return Ok((None, Vec::new()));
    }
    let paths = snapshot_paths(config, &dir);
    let mut snap = StatuspageSnapshot::default();
    let mut files = Vec::new();
    for (rel, path) in paths {
        let bytes = std::fs::read(&path).with_context(|| format!("{rel}: cannot read"))?;
        let mut source = source_file_of(&rel, &bytes, SourceKind::StatuspageSnapshot);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name == COMPONENTS {
            for (line, v) in records(&rel, &bytes)? {
                let id = text(&v["id"])
                    .with_context(|| format!("{rel}:{line}: Statuspage component without `id`"))?;
                snap.components.push(StatuspageComponent {
                    id,
                    name: text(&v["name"]),
                });
            }
            source.notes.push("the page's components (names)".into());
        } else if name.ends_with(".jsonl") {
            for (line, v) in records(&rel, &bytes)? {
                let incident = incident(&v, &rel, line as u64)
                    .with_context(|| format!("{rel}:{line}: Statuspage incident"))?;
                if let Some(other) = snap.incidents.iter().find(|i| i.id == incident.id) {
                    bail!(
                        "{rel}:{line}: Statuspage incident `{}` is also at {}:{}",
                        incident.id,
                        other.source,
                        other.line
                    );
                }
                snap.incidents.push(incident);
            }
        } else if name == FETCH_RECORD {
            let record: FetchRecord = serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{rel}:{}: not a fetch record: {e}", e.line()))?;
            source.notes.push("fetch record (provenance)".into());
            snap.fetch_records.push(FetchRecordFile {
                file: rel.clone(),
                record,
            });
        } else {
            source
                .notes
                .push("not an incident snapshot: copied, not read".into());
        }
        files.push(source);
    }
    snap.incidents
        .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    snap.components.sort_by(|a, b| a.id.cmp(&b.id));
    // An incident may list a component by id only: name it from the page's list.
    for c in snap
        .incidents
        .iter_mut()
        .flat_map(|i| i.components.iter_mut())
    {
        if c.name.is_none() {
            c.name = snap
                .components
                .iter()
                .find(|k| k.id == c.id)
                .and_then(|k| k.name.clone());
        }
    }
    Ok((Some(snap), files))
}

fn incident(v: &Value, source: &str, line: u64) -> Result<StatuspageIncident> {
    let id = text(&v["id"]).context("no `id`")?;
    let created_at = time(&v["created_at"], "created_at")?.context("no `created_at`")?;
    let components = v["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some(StatuspageComponent {
                id: text(&c["id"])?,
                name: text(&c["name"]),
            })
        })
        .collect();
    Ok(StatuspageIncident {
        name: text(&v["name"]).unwrap_or_default(),
        status: text(&v["status"]),
        impact: text(&v["impact"]),
        created_at,
        resolved_at: time(&v["resolved_at"], "resolved_at")?,
        scheduled_for: time(&v["scheduled_for"], "scheduled_for")?,
        scheduled_until: time(&v["scheduled_until"], "scheduled_until")?,
        components,
        shortlink: text(&v["shortlink"]).filter(|l| crate::util::is_web_url(l)),
        id,
        source: source.to_string(),
        line,
    })
}

/// An RFC 3339 instant (Statuspage writes an offset or `Z`); null or absent is `None`.
fn time(v: &Value, key: &str) -> Result<Option<DateTime<Utc>>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => DateTime::parse_from_rfc3339(s.trim())
            .map(|t| Some(t.with_timezone(&Utc)))
            .with_context(|| format!("`{key}` = `{s}` is not an RFC 3339 time")),
        other => bail!("`{key}` = {other} is not a time"),
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn incidents_keep_components_and_maintenance_flags() {
        let v = json!({"id": "tks5", "name": "Data Layer Migration", "status": "scheduled",
            "impact": "maintenance", "created_at": "2013-04-21T11:45:33-06:00",
            "scheduled_for": "2013-05-07T03:00:00.007Z", "resolved_at": null,
            "components": [{"id": "8kbf", "name": "API", "status": "operational"}, {"name": "no id"}]});
        let i = incident(&v, "content/statuspage/incidents.jsonl", 4).unwrap();
        assert!(i.is_maintenance());
        assert_eq!(i.created_at.to_rfc3339(), "2013-04-21T17:45:33+00:00");
        assert_eq!(
            i.components,
            vec![StatuspageComponent {
                id: "8kbf".into(),
                name: Some("API".into())
            }]
        );
        let live = json!({"id": "a1", "impact": "major", "created_at": "2026-03-01T10:00:00Z"});
        assert!(!incident(&live, "x", 1).unwrap().is_maintenance());
        let bad = json!({"id": "a2", "created_at": "yesterday"});
        let err = format!("{:#}", incident(&bad, "x", 1).unwrap_err());
        assert!(err.contains("created_at"), "{err}");
    }
}
