//! The API snapshots under `content/`: where `fetch` writes them (the file layout) and what
//! `ingest` reads back from them.

use serde::Serialize;

use super::*;

/// File names of the snapshot directories (`[inputs] pagerduty`, `[inputs] jira`). `fetch` writes
/// them, `ingest` reads them; the formats are documented in `fetch::pagerduty` and `fetch::jira`.
pub mod layout {
    /// `fetch --keep-raw`: the response bodies, `raw/<n>.json.gz` under a snapshot directory.
    pub const RAW_DIR: &str = "raw";

    /// `content/pagerduty/`: one JSON record per line, except the fetch record.
    pub mod pagerduty {
        pub const INCIDENTS: &str = "incidents.jsonl";
        pub const LOG_ENTRIES: &str = "log_entries.jsonl";
        pub const ESCALATION_POLICIES: &str = "escalation_policies.jsonl";
        pub const SCHEDULES: &str = "schedules.jsonl";
        pub const OVERRIDES: &str = "overrides.jsonl";
        pub const SERVICES: &str = "services.jsonl";
        pub const PRIORITIES: &str = "priorities.jsonl";
        pub const USERS: &str = "users.jsonl";
        pub const AUDIT_RECORDS: &str = "audit_records.jsonl";
        pub const INCIDENT_WORKFLOWS: &str = "incident_workflows.jsonl";
        pub const WORKFLOW_TRIGGERS: &str = "workflow_triggers.jsonl";
        /// Written only when `/response_plays` answered; a 404 (legacy feature gone) is noted in
        /// the fetch record as "not used" and the file is left out.
        pub const RESPONSE_PLAYS: &str = "response_plays.jsonl";
        pub const AUTOMATION_ACTIONS: &str = "automation_actions.jsonl";
        /// `{"orchestration": {...}, "router": {...}}`: each global orchestration with its router.
        pub const EVENT_ORCHESTRATIONS: &str = "event_orchestrations.jsonl";
        pub const FETCH_RECORD: &str = "fetch-record.json";
    }

    /// `content/jira/`.
    pub mod jira {
        pub const ISSUES: &str = "issues.jsonl";
        pub const FETCH_RECORD: &str = "fetch-record.json";
    }

    /// `content/statuspage/`: the page's incidents, one per line, sorted by id.
    pub mod statuspage {
        pub const INCIDENTS: &str = "incidents.jsonl";
        /// The page's components (id, name): not incidents.
        pub const COMPONENTS: &str = "components.jsonl";
        pub const FETCH_RECORD: &str = "fetch-record.json";
    }

    /// `content/github/`: the tracked GitHub issues, one per line, sorted by `owner/repo#number`.
    pub mod github {
        pub const ISSUES: &str = "issues.jsonl";
        pub const FETCH_RECORD: &str = "fetch-record.json";
    }
}

/// Snapshot contents other than incidents, and the fetch records proving completeness.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {
    /// Sorted by id.
    pub escalation_policies: Vec<EscalationPolicy>,
    pub schedules: Vec<Schedule>,
    pub overrides: Vec<Override>,
    pub services: Vec<Service>,
    /// In the account's order (highest first, as PagerDuty lists them).
    pub priorities: Vec<Priority>,
    pub users: Vec<User>,
    /// Oldest first.
    pub audit_records: Vec<AuditRecord>,
    /// Response automation and routing; `None` when the snapshot has no such file (not fetched,
    /// or the feature is unavailable), so what depends on it is not tested. Sorted by id.
    pub workflows: Option<Vec<IncidentWorkflow>>,
    pub workflow_triggers: Option<Vec<WorkflowTrigger>>,
    pub response_plays: Option<Vec<ResponsePlay>>,
    pub automation_actions: Option<Vec<AutomationAction>>,
    pub orchestrations: Option<Vec<Orchestration>>,
    pub fetch_records: Vec<FetchRecordFile>,
}

impl Snapshot {
    pub fn escalation_policy(&self, id: &str) -> Option<&EscalationPolicy> {
        self.escalation_policies.iter().find(|e| e.id == id)
    }

    pub fn schedule(&self, id: &str) -> Option<&Schedule> {
        self.schedules.iter().find(|s| s.id == id)
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// The note a fetch recorded for an endpoint it could not read (`not used: 404 ...`).
    pub fn unavailable_note(&self, endpoint: &str) -> Option<&str> {
        self.fetch_records
            .iter()
            .flat_map(|f| &f.record.windows)
            .filter(|w| w.endpoint == endpoint && w.requests.is_empty())
            .find_map(|w| w.note.as_deref())
    }
}

/// A fetch record and the snapshot file it was read from.
#[derive(Debug, Clone, Serialize)]
pub struct FetchRecordFile {
    pub file: String,
    pub record: FetchRecord,
}
