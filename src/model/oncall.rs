//! PagerDuty on-call configuration and provenance, as read from API snapshots: escalation
//! policies, schedules (final schedule), overrides, services, priorities, users, audit records and
//! the fetch record that proves the snapshot's completeness.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A reference to another PagerDuty object (`{"id", "type", "summary"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PdRef {
    pub id: String,
    /// The reference type without `_reference` (`user`, `schedule`, `service`, ...).
    pub kind: String,
    /// Display name (`summary`).
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationPolicy {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub num_loops: u32,
    /// In PagerDuty order: rule 1 is paged at the trigger.
    pub rules: Vec<EscalationRule>,
    pub services: Vec<PdRef>,
    pub teams: Vec<PdRef>,
    pub url: Option<String>,
}

impl EscalationPolicy {
    /// Seconds after the trigger at which each rule is paged (cumulative: rule N waits for the
    /// delays of rules 1..N-1), the same scale as the documented policy's `paged_after`.
    pub fn paged_after_secs(&self) -> Vec<i64> {
        let mut at = 0;
        self.rules
            .iter()
            .map(|r| {
                let this = at;
                at += r.delay_minutes * 60;
                this
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationRule {
    pub id: String,
    /// `escalation_delay_in_minutes`: the wait before the next rule is paged.
    pub delay_minutes: i64,
    /// Users and schedules paged by this rule (`kind` is `user` or `schedule`).
    pub targets: Vec<PdRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleVersion {
    /// `GET /schedules/{id}`: layers and `final_schedule.rendered_schedule_entries`.
    V2,
    /// `GET /v3/schedules/{id}`: rotations and `final_schedule.computed_shift_assignments`.
    V3,
}

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub id: String,
    pub name: String,
    pub version: ScheduleVersion,
    pub time_zone: Option<String>,
    pub escalation_policies: Vec<PdRef>,
    /// The final schedule (layers and overrides combined) as rendered over the fetched period,
    /// sorted by start. Entries may overlap (v3).
    pub final_entries: Vec<ScheduleEntry>,
    pub url: Option<String>,
}

/// Someone (or, for a v3 `empty_member`, no one) on call from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScheduleEntry {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub user: Option<PdRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Override {
    pub id: String,
    pub schedule_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub user: Option<PdRef>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub status: Option<String>,
    pub escalation_policy: Option<PdRef>,
    pub teams: Vec<PdRef>,
    pub url: Option<String>,
    /// `incident_urgency_rule`; `None` when the snapshot does not carry it.
    pub urgency_rule: Option<UrgencyRule>,
    pub support_hours: Option<SupportHours>,
    /// `scheduled_actions`, each in words (`urgency to high at support_hours_start`).
    pub scheduled_actions: Vec<String>,
    /// Full integration objects (`include[]=integrations`); references only carry id and type.
    pub integrations: Vec<Integration>,
}

/// A service's `incident_urgency_rule`. Urgencies are kept as PagerDuty writes them (`high`,
/// `low`, `severity_based`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrgencyRule {
    /// `constant` or `use_support_hours`.
    pub kind: String,
    /// For `constant`.
    pub urgency: Option<String>,
    /// For `use_support_hours`.
    pub during_support_hours: Option<String>,
    pub outside_support_hours: Option<String>,
}

/// `support_hours` (`fixed_time_per_day`): wall-clock times in the service's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportHours {
    pub time_zone: Option<String>,
    /// 1 = Monday .. 7 = Sunday.
    pub days_of_week: Vec<u8>,
    pub start_time: String,
    pub end_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Integration {
    pub id: String,
    /// The API `type` (`aws_cloudwatch_inbound_integration`, ...), kept open.
    pub kind: String,
    pub name: Option<String>,
    /// `vendor.summary` (Datadog, Amazon CloudWatch, ...).
    pub vendor: Option<String>,
    pub created: Option<DateTime<Utc>>,
}

/// A user's contact method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactMethod {
    pub id: String,
    /// The API `type` without `_reference` (`phone_contact_method`, ...).
    pub kind: String,
    pub label: Option<String>,
    /// `blacklisted` (the provider refuses it) or `enabled: false`.
    pub disabled: bool,
}

/// A user's notification rule: which contact method is used, for which urgency, after how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRule {
    pub id: String,
    /// `high` or `low`.
    pub urgency: String,
    pub start_delay_minutes: i64,
    /// The contact method's id and type (without `_reference`).
    pub contact_method: PdRef,
}

/// An incident workflow and the triggers that start it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentWorkflow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    pub url: Option<String>,
}

/// `GET /incident_workflows/triggers`: when a workflow starts and on which services.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowTrigger {
    pub id: String,
    pub workflow_id: String,
    pub workflow_name: Option<String>,
    /// `manual`, `conditional`, `incident_type`.
    pub trigger_type: String,
    /// A PCL condition (`incident.priority matches 'P1'`); none fires on every new incident.
    pub condition: Option<String>,
    pub all_services: bool,
    pub services: Vec<PdRef>,
}

/// A legacy response play.
#[derive(Debug, Clone, Serialize)]
pub struct ResponsePlay {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

/// An automation action (runbook or auto-remediation).
#[derive(Debug, Clone, Serialize)]
pub struct AutomationAction {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// `script` or `process_automation`.
    pub action_type: Option<String>,
    /// `diagnostic` or `remediation`.
    pub classification: Option<String>,
    pub services: Vec<PdRef>,
}

/// A global event orchestration and its router rules.
#[derive(Debug, Clone, Serialize)]
pub struct Orchestration {
    pub id: String,
    pub name: String,
    /// The router's rules in evaluation order.
    pub routes: Vec<OrchestrationRoute>,
    /// `catch_all.actions.route_to` (`unrouted` by default).
    pub catch_all: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrchestrationRoute {
    pub id: String,
    pub label: Option<String>,
    /// Condition expressions; the rule matches when any matches (none: every event).
    pub conditions: Vec<String>,
    /// The service id events go to, or the `dynamic_route_to` description.
    pub route_to: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Priority {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Option<String>,
    pub time_zone: Option<String>,
    /// `None` when the snapshot was fetched without `include[]=contact_methods`.
    pub contact_methods: Option<Vec<ContactMethod>>,
    /// `None` when fetched without `include[]=notification_rules`: not tested (§9).
    pub notification_rules: Option<Vec<NotificationRule>>,
}

/// One PagerDuty audit record (an administrative change).
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub id: String,
    pub at: DateTime<Utc>,
    /// `create`, `update`, `delete`, ...
    pub action: String,
    pub actors: Vec<PdRef>,
    /// `method.type`: browser, api_token, identity_provider, ...
    pub method: Option<String>,
    pub root_resource: PdRef,
    pub resource: Option<PdRef>,
    pub fields: Vec<FieldChange>,
    /// Membership-style changes (`details.references`): team members, notification rules, ...
    pub references: Vec<ReferenceChange>,
}

/// One `details.references` entry of an audit record: what was added to and removed from a list.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceChange {
    pub name: String,
    pub added: Vec<PdRef>,
    pub removed: Vec<PdRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The provenance of one `pagerproof fetch` run: every request window with its parameters and
/// the counts received and reported. Never holds a credential.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct FetchRecord {
    /// Which system: `pagerduty` or `jira`.
    pub source: String,
    pub tool: String,
    pub api_url: String,
    /// The fetched period (RFC 3339 UTC), when the fetch was bounded by one.
    pub since: Option<String>,
    pub until: Option<String>,
    pub started_at: String,
    pub finished_at: String,
    pub windows: Vec<FetchWindow>,
    /// Jira: referenced keys the API did not return (deleted, moved, or not visible to the
    /// fetching account).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_keys: Vec<String>,
}

/// One request window: one endpoint over one parameter set, all its pages.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct FetchWindow {
    /// Path relative to the API root (`/incidents`).
    pub endpoint: String,
    /// Query parameters of the first page (paging parameters excluded), in request order.
    pub params: Vec<(String, String)>,
    /// When the first page was requested (RFC 3339 UTC).
    pub fetched_at: String,
    /// `offset`, `cursor`, `token` or `none`.
    pub pagination: String,
    pub pages: u64,
    /// Records received over all pages.
    pub received: u64,
    /// The count the API reported (`total=true`), when it reports one.
    pub reported: Option<u64>,
    /// Why the window exists or what became of it (split because over the cap, unavailable, ...).
    pub note: Option<String>,
    /// Every page, as answered (empty in records written before pages were recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<FetchRequest>,
}

/// One HTTP request of a window (one page) and what came back: enough to prove which body the
/// records were read from. The credential travels in a header, so `params` never holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FetchRequest {
    /// Every query parameter sent, paging included, in request order.
    pub params: Vec<(String, String)>,
    /// When the answered attempt was sent (RFC 3339 UTC).
    pub requested_at: String,
    pub status: u16,
    /// The count this answer reported (`total`), when it reports one.
    pub reported: Option<u64>,
    /// Records in this answer.
    pub received: u64,
    /// SHA-256 (hex) of the response body exactly as received.
    pub sha256: String,
    pub bytes: u64,
    /// The kept body, gzip-compressed, relative to the snapshot directory (`fetch --keep-raw`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

impl FetchWindow {
    /// Received equals reported (or nothing was reported to compare with).
    pub fn reconciled(&self) -> bool {
        self.reported.is_none_or(|r| r == self.received)
    }
}
