//! Postmortems: `content/postmortems/**/*.json` in the postmortem.v1 format
//! (reference/postmortem-format.md). Lenient where real exports vary, strict where it matters:
//! invalid JSON, a missing required field or an unreadable time fails with file and line.

use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use crate::model::{
    ActionItem, IncidentLink, Person, Postmortem, Responder, Review, TimelineEntry, Timestamps,
};

/// Top-level fields the format defines; anything else is kept under `extensions`.
const KNOWN: &[&str] = &[
    "schema",
    "id",
    "title",
    "status",
    "severity",
    "priority",
    "incidents",
    "services",
    "owner",
    "responders",
    "timestamps",
    "summary",
    "detection",
    "timeline",
    "root_causes",
    "analysis_method",
    "impact",
    "resolution",
    "action_items",
    "preventive_measures",
    "lessons",
    "review",
    "extensions",
];

/// Parses one postmortem file; `rel` is its path relative to the site.
pub fn parse(rel: &str, text: &str) -> Result<Postmortem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = super::strict_json::from_str(text)
        .map_err(|e| anyhow!("{rel}:{}: invalid JSON: {e}", e.line().max(1)))?;
    let ctx = Ctx { rel, text };
    let obj = value
        .as_object()
        .ok_or_else(|| anyhow!("{rel}:1: a postmortem must be a JSON object"))?;
    match obj.get("schema").and_then(Value::as_str) {
        Some("postmortem.v1") => {}
        Some(other) => bail!(
            "{rel}:{}: schema is `{other}`, expected `postmortem.v1`",
            ctx.line_of("schema")
        ),
        None => bail!("{rel}:1: missing required field `schema` (\"postmortem.v1\")"),
    }
    let id = ctx.required_str(obj, "id")?;
    let title = ctx.required_str(obj, "title")?;
    let mut extensions = obj
        .get("extensions")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, v) in obj {
        if !KNOWN.contains(&k.as_str()) {
            extensions.insert(k.clone(), v.clone());
        }
    }
    let (impact, impact_description) = impact(obj.get("impact"));
    Ok(Postmortem {
        id,
        source: rel.to_string(),
        title,
        status: opt_str(obj.get("status")),
        severity: opt_str(obj.get("severity")),
        priority: opt_str(obj.get("priority")),
        incidents: ctx.incidents(obj.get("incidents"))?,
        services: list(obj.get("services"))
            .iter()
            .filter_map(name_of)
            .collect(),
        owner: obj.get("owner").and_then(person),
        responders: list(obj.get("responders"))
            .iter()
            .filter_map(|r| {
                let name = name_of(r)?;
                Some(Responder {
                    name,
                    role: opt_str(r.get("role")),
                })
            })
            .collect(),
        timestamps: ctx.timestamps(obj.get("timestamps"))?,
        summary: opt_str(obj.get("summary")),
        detection: obj.get("detection").and_then(detection),
        timeline: ctx.timeline(obj.get("timeline"))?,
        root_causes: strings(obj.get("root_causes")),
        analysis_method: opt_str(obj.get("analysis_method")),
        impact,
        impact_description,
        resolution: opt_str(obj.get("resolution")),
        action_items: ctx.action_items(obj.get("action_items"))?,
        preventive_measures: strings(obj.get("preventive_measures")),
        lessons: lessons(obj.get("lessons")),
        review: ctx.review(obj.get("review"))?,
        extensions,
    })
}

struct Ctx<'a> {
    rel: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    /// Line of the first occurrence of `"key"` (serde_json values carry no positions).
    fn line_of(&self, needle: &str) -> usize {
        let quoted = format!("\"{needle}\"");
        self.text
            .find(&quoted)
            .map_or(1, |at| self.text[..at].matches('\n').count() + 1)
    }

    fn required_str(&self, obj: &Map<String, Value>, key: &str) -> Result<String> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(_) => bail!(
                "{}:{}: `{key}` must be a non-empty string",
                self.rel,
                self.line_of(key)
            ),
            None => bail!("{}:1: missing required field `{key}`", self.rel),
        }
    }

    fn time(&self, v: Option<&Value>, what: &str) -> Result<Option<DateTime<Utc>>> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => parse_time(s).map(Some).ok_or_else(|| {
                anyhow!(
                    "{}:{}: `{what}` = `{s}` is not an RFC 3339 time",
                    self.rel,
                    self.line_of(s)
                )
            }),
            Some(other) => bail!(
                "{}:{}: `{what}` must be a string, found {other}",
                self.rel,
                self.line_of(what)
            ),
        }
    }

    fn incidents(&self, v: Option<&Value>) -> Result<Vec<IncidentLink>> {
        let mut links = Vec::new();
        for entry in list(v) {
            let link = match entry {
                Value::Number(n) => IncidentLink {
                    number: n.as_u64(),
                    ..Default::default()
                },
                Value::String(s) => match s.trim().trim_start_matches('#').parse::<u64>() {
                    Ok(n) => IncidentLink {
                        number: Some(n),
                        ..Default::default()
                    },
                    Err(_) if s.contains("://") => IncidentLink {
                        url: Some(s.clone()),
                        ..Default::default()
                    },
                    Err(_) => IncidentLink {
                        id: Some(s.trim().to_string()),
                        ..Default::default()
                    },
                },
                Value::Object(o) => IncidentLink {
                    number: match o.get("number") {
                        Some(Value::Number(n)) => n.as_u64(),
                        Some(Value::String(s)) => s.trim().trim_start_matches('#').parse().ok(),
                        _ => None,
                    },
                    id: opt_str(o.get("id")),
                    url: opt_str(o.get("url")),
                },
                other => bail!(
                    "{}:{}: an `incidents` entry must be an object, found {other}",
                    self.rel,
                    self.line_of("incidents")
                ),
            };
            links.push(link);
        }
        Ok(links)
    }

    fn timestamps(&self, v: Option<&Value>) -> Result<Timestamps> {
        let Some(o) = v.and_then(Value::as_object) else {
            return Ok(Timestamps::default());
        };
        let t = |k: &str| self.time(o.get(k), k);
        Ok(Timestamps {
            impact_started_at: t("impact_started_at")?,
            detected_at: t("detected_at")?,
            acknowledged_at: t("acknowledged_at")?,
            mitigated_at: t("mitigated_at")?,
            resolved_at: t("resolved_at")?,
            created_at: t("created_at")?,
            completed_at: t("completed_at")?,
        })
    }

    fn timeline(&self, v: Option<&Value>) -> Result<Vec<TimelineEntry>> {
        list(v)
            .iter()
            .map(|e| {
                Ok(match e {
                    Value::String(s) => TimelineEntry {
                        at: None,
                        event: s.clone(),
                        source: None,
                    },
                    _ => TimelineEntry {
                        at: self.time(e.get("at").or_else(|| e.get("time")), "at")?,
                        event: opt_str(e.get("event").or_else(|| e.get("description")))
                            .unwrap_or_default(),
                        source: opt_str(e.get("source")),
                    },
                })
            })
            .collect()
    }

    fn action_items(&self, v: Option<&Value>) -> Result<Vec<ActionItem>> {
        let mut items = Vec::new();
        for (i, item) in list(v).iter().enumerate() {
            let tracker = item.get("tracker");
            let tracker_url = tracker
                .and_then(|t| opt_str(t.get("url")))
                .or_else(|| opt_str(item.get("url")));
            let tracker_key = tracker
                .and_then(|t| opt_str(t.get("key")))
                .or_else(|| {
                    tracker_url
                        .as_deref()
                        .and_then(crate::util::jira_key_from_url)
                })
                .or_else(|| opt_str(item.get("jira")));
            let due_date = match item.get("due_date") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) => Some(parse_date(s).ok_or_else(|| {
                    anyhow!(
                        "{}:{}: action item due_date `{s}` is not a date (YYYY-MM-DD)",
                        self.rel,
                        self.line_of(s)
                    )
                })?),
                Some(other) => bail!(
                    "{}:{}: due_date must be a string, found {other}",
                    self.rel,
                    self.line_of("due_date")
                ),
            };
            items.push(ActionItem {
                key: opt_str(item.get("id")).unwrap_or_else(|| format!("#{}", i + 1)),
                title: opt_str(item.get("title").or_else(|| item.get("description")))
                    .unwrap_or_default(),
                kind: opt_str(item.get("type")),
                owner: item
                    .get("owner")
                    .and_then(person)
                    .map(|p| p.name)
                    .filter(|n| !n.trim().is_empty()),
                due_date,
                status: opt_str(item.get("status")),
                tracker_key,
                tracker_url,
            });
        }
        Ok(items)
    }

    fn review(&self, v: Option<&Value>) -> Result<Option<Review>> {
        let Some(o) = v.and_then(Value::as_object) else {
            return Ok(None);
        };
        let mut reviewed_by = Vec::new();
        for r in list(o.get("reviewed_by")) {
            if let Some(name) = name_of(r) {
                reviewed_by.push((name, self.time(r.get("at"), "at")?));
            }
        }
        Ok(Some(Review {
            approved: o.get("approved").and_then(Value::as_bool),
            reviewed_by,
        }))
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_time(s).map(|t| t.date_naive()))
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn opt_str(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        _ => list(v).iter().filter_map(|x| opt_str(Some(x))).collect(),
    }
}

/// A name given as a string or as an object with `name`.
fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(o) => opt_str(o.get("name")),
        _ => None,
    }
}

fn person(v: &Value) -> Option<Person> {
    Some(Person {
        name: name_of(v)?,
        email: v.get("email").and_then(|e| opt_str(Some(e))),
    })
}

fn detection(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .filter_map(|(k, v)| Some(format!("{k}: {}", display(v)?)))
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        _ => None,
    }
}

/// `impact` as an object → its fields for display; a bare string is shown but is not an object.
fn impact(v: Option<&Value>) -> (Option<Vec<(String, String)>>, Option<String>) {
    match v {
        Some(Value::Object(o)) => {
            let description = opt_str(o.get("description"));
            let fields = o
                .iter()
                .filter(|(k, _)| *k != "description")
                .map(|(k, v)| (k.clone(), display(v).unwrap_or_default()))
                .collect::<Vec<_>>();
            // `impact` counts as present with any field, `description` included.
            ((!o.is_empty()).then_some(fields), description)
        }
        Some(Value::String(s)) if !s.trim().is_empty() => (None, Some(s.clone())),
        _ => (None, None),
    }
}

fn lessons(v: Option<&Value>) -> Vec<(String, Vec<String>)> {
    v.and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.replace('_', " "), strings(Some(v))))
                .filter(|(_, items)| !items.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn display(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{
  "schema": "postmortem.v1",
  "id": "PM-2026-0007",
  "title": "Checkout API outage",
  "status": "completed",
  "severity": "P1",
  "incidents": [{"number": 1042, "id": "Q3YON8WNWTZMRQ"}, {"url": "https://acme.pagerduty.com/incidents/QABC"}],
  "owner": {"name": "Jane Doe", "email": "jane@example.com"},
  "timestamps": {"resolved_at": "2026-03-01T11:05:00Z", "completed_at": "2026-03-02T16:00:00Z"},
  "timeline": [{"at": "2026-03-01T10:04:00Z", "event": "Alert fired", "source": "pagerduty"}],
  "root_causes": ["Lock contention"],
  "impact": {"customer_impact": false},
  "action_items": [
    {"id": "AI-1", "title": "Lock timeout", "type": "prevent", "owner": "Sam Lee", "due_date": "2026-03-30",
     "status": "open", "tracker": {"system": "jira", "url": "https://acme.atlassian.net/browse/OPS-1234"}},
    {"title": "Runbook", "owner": {"name": "Kim"}, "due_date": "2026-04-02"}
  ],
  "custom_field": 7
}"#;

    #[test]
    fn reads_the_full_format_leniently() {
        let pm = parse("content/postmortems/pm7.json", FULL).unwrap();
        assert_eq!(pm.id, "PM-2026-0007");
        assert_eq!(pm.incidents[0].number, Some(1042));
        assert_eq!(pm.incidents[1].effective_id().as_deref(), Some("QABC"));
        assert_eq!(pm.owner.as_ref().unwrap().name, "Jane Doe");
        assert!(pm.timestamps.completed_at.is_some());
        assert_eq!(pm.action_items[0].tracker_key.as_deref(), Some("OPS-1234"));
        assert_eq!(pm.action_items[1].key, "#2");
        assert_eq!(pm.action_items[1].owner.as_deref(), Some("Kim"));
        assert_eq!(
            pm.impact.as_ref().unwrap()[0],
            ("customer_impact".into(), "no".into())
        );
        assert!(pm.extensions.contains_key("custom_field"));
    }

    #[test]
    fn invalid_json_names_file_and_line() {
        let broken = FULL.replace("\"status\": \"completed\",", "\"status\": \"completed\"");
        let err = parse("pm.json", &broken).unwrap_err().to_string();
        assert!(err.starts_with("pm.json:6:"), "{err}");
    }

    #[test]
    fn missing_required_field_is_an_error() {
        let err = parse("pm.json", r#"{"schema": "postmortem.v1", "title": "x"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("pm.json") && err.contains("`id`"), "{err}");
    }

    #[test]
    fn unreadable_time_names_its_line() {
        let bad = FULL.replace("2026-03-02T16:00:00Z", "yesterday");
        let err = parse("pm.json", &bad).unwrap_err().to_string();
        assert!(err.starts_with("pm.json:9:"), "{err}");
        assert!(err.contains("yesterday"), "{err}");
    }
}
