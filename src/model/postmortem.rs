//! postmortem.v1 documents (reference/postmortem-format.md), typed leniently.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Postmortem {
    pub id: String,
    pub source: String,
    pub title: String,
    pub status: Option<String>,
    pub severity: Option<String>,
    pub priority: Option<String>,
    pub incidents: Vec<IncidentLink>,
    pub services: Vec<String>,
    pub owner: Option<Person>,
    pub responders: Vec<Responder>,
    pub timestamps: Timestamps,
    pub summary: Option<String>,
    pub detection: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub root_causes: Vec<String>,
    pub analysis_method: Option<String>,
    /// `impact` when it is an object: field name → displayed value, in document order.
    pub impact: Option<Vec<(String, String)>>,
    pub impact_description: Option<String>,
    pub resolution: Option<String>,
    pub action_items: Vec<ActionItem>,
    pub preventive_measures: Vec<String>,
    pub lessons: Vec<(String, Vec<String>)>,
    pub review: Option<Review>,
    /// Unknown top-level fields, kept and shown, never rejected.
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// One entry of a postmortem's `incidents` list.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IncidentLink {
    pub number: Option<u64>,
    pub id: Option<String>,
    pub url: Option<String>,
}

impl IncidentLink {
    /// The incident id: `id`, else the last segment of a `/incidents/<ID>` URL.
    pub fn effective_id(&self) -> Option<String> {
        if let Some(id) = &self.id {
            return Some(id.clone());
        }
        let url = self.url.as_deref()?;
        let path = url.split(['?', '#']).next()?.trim_end_matches('/');
        let (head, last) = path.rsplit_once('/')?;
        (head.ends_with("/incidents") && !last.is_empty()).then(|| last.to_string())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Responder {
    pub name: String,
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Timestamps {
    pub impact_started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub at: Option<DateTime<Utc>>,
    pub event: String,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionItem {
    /// `id`, or `#<1-based position>` when the item has none (evidence-rules.md §6).
    pub key: String,
    pub title: String,
    pub kind: Option<String>,
    pub owner: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub status: Option<String>,
    pub tracker_key: Option<String>,
    pub tracker_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub approved: Option<bool>,
    pub reviewed_by: Vec<(String, Option<DateTime<Utc>>)>,
}
