//! Serializable views handed to templates. Templates never see internal types with behaviour;
//! every time is pre-formatted in the organization's zone, every verdict pre-worded.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::Config;
use crate::evidence::{IncidentFacts, PostmortemState, SeveritySource, Verdict, VerdictState};
use crate::model::Inputs;
use crate::model::{Incident, PolicyDoc, Target};
use crate::util::{human_duration, local_time_secs, utc_rfc3339};

/// Whether the PagerDuty snapshot documents on-call (escalation policies or schedules).
pub fn has_oncall(inputs: &Inputs) -> bool {
    let s = &inputs.pagerduty;
    !s.escalation_policies.is_empty() || !s.schedules.is_empty()
}

/// Whether there is an audit log to show, or a note on why it could not be fetched.
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

/// Site-wide facts every page shows in its header and footer.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub organization: String,
    pub period: String,
    pub start: String,
    pub end: String,
    pub as_of: String,
    pub timezone: String,
    pub version: String,
    pub has_oncall: bool,
    pub has_audit_log: bool,
    pub has_samples: bool,
    /// Whether changes.html exists: the build has a previous period's package.
    pub has_changes: bool,
    /// The site has an auditor's request list (requests.html).
    pub has_requests: bool,
}

impl SiteView {
    pub fn new(
        config: &Config,
        has_oncall: bool,
        has_audit_log: bool,
        has_samples: bool,
        has_changes: bool,
    ) -> Self {
        SiteView {
            organization: config.organization.name.clone(),
            period: config.period.name.clone(),
            start: config.period.start.to_string(),
            end: config.period.end.to_string(),
            as_of: config.period.as_of().to_string(),
            timezone: config.tz().name().to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            has_oncall,
            has_audit_log,
            has_samples,
            has_changes,
            has_requests: false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub label: String,
    pub href: String,
}

/// A verdict as words first (met / breached by 7m 12s / pending / no data / n/a), colour second.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictView {
    pub state: &'static str,
    pub text: String,
    pub target: String,
    pub deadline: String,
}

impl VerdictView {
    /// The verdict `v` on `target`, its severity's (none for an n/a verdict).
    pub fn new(v: &Verdict, target: Option<Target>, tz: Tz) -> Self {
        let (state, text) = match v.state {
            VerdictState::Met => ("met", "met".to_string()),
            VerdictState::Breached => (
                "breached",
                match v.by_secs.get() {
                    Some(s) => format!("breached by {}", human_duration(s)),
                    None => "breached".to_string(),
                },
            ),
            VerdictState::Pending => ("pending", "pending".to_string()),
            VerdictState::NoData => ("no-data", "no data".to_string()),
            VerdictState::NotApplicable => ("na", "n/a".to_string()),
        };
        VerdictView {
            state,
            text,
            target: target.map(|t| t.to_string()).unwrap_or_default(),
            deadline: v
                .deadline
                .map(|d| local_time_secs(d, tz))
                .unwrap_or_default(),
        }
    }
}

pub fn severity_source_text(s: SeveritySource) -> &'static str {
    match s {
        SeveritySource::Priority => "priority",
        SeveritySource::Postmortem => "postmortem",
        SeveritySource::Urgency => "mapped from urgency",
        SeveritySource::None => "no source",
    }
}

pub fn postmortem_state_text(s: PostmortemState) -> &'static str {
    match s {
        PostmortemState::NotRequired => "not required",
        PostmortemState::OnTime => "on time",
        PostmortemState::Pending => "pending",
        PostmortemState::Missing => "missing",
        PostmortemState::Late => "late",
    }
}

/// Jira browse URLs by key: the snapshot's URL, else an action item's tracker URL, else
/// `[links] jira` + `/browse/` + key. Built once per render.
pub struct JiraLinks {
    base: Option<String>,
    urls: std::collections::BTreeMap<String, String>,
}

impl JiraLinks {
    pub fn new(config: &Config, inputs: &Inputs) -> Self {
        let mut urls = std::collections::BTreeMap::new();
        for (key, issue) in &inputs.jira {
            if let Some(url) = issue.url.as_ref().filter(|u| crate::util::is_web_url(u)) {
                urls.insert(key.clone(), url.clone());
            }
        }
        for pm in &inputs.postmortems {
            for item in &pm.action_items {
                let url = item
                    .tracker_url
                    .as_ref()
                    .filter(|u| crate::util::is_web_url(u));
                if let (Some(k), Some(u)) = (&item.tracker_key, url) {
                    urls.entry(k.clone()).or_insert_with(|| u.clone());
                }
            }
        }
        let base = config
            .links
            .jira
            .as_ref()
            .map(|b| b.trim_end_matches('/').to_string());
        JiraLinks { base, urls }
    }

    pub fn href(&self, key: &str) -> Option<String> {
        self.urls
            .get(key)
            .cloned()
            .or_else(|| self.base.as_ref().map(|b| format!("{b}/browse/{key}")))
    }
}

/// One register row: everything the register table, CSV and XLSX show for an incident.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentRowView {
    pub number: u64,
    pub id: String,
    pub title: String,
    pub service: String,
    pub severity: String,
    pub severity_raw: String,
    pub severity_source: &'static str,
    pub urgency: String,
    pub created: String,
    /// `2026-03`: the creation month in the organization's zone (the register's month filter).
    pub month: String,
    pub created_utc: String,
    pub acknowledged: String,
    pub resolved: String,
    pub tta: String,
    pub tta_secs: Option<i64>,
    pub ttr: String,
    pub ttr_secs: Option<i64>,
    pub ack: VerdictView,
    pub resolve: VerdictView,
    pub responder: String,
    pub postmortems: Vec<String>,
    /// The same postmortems as links relative to the site root.
    pub postmortem_links: Vec<Link>,
    pub postmortem_status: &'static str,
    pub jira: Vec<Link>,
    pub customer_impact: String,
    pub href: String,
    /// The first input row it was read from (`content/incidents/q1.csv:4`) and that row's line
    /// on the input's line page, relative to the site root.
    pub source: String,
    pub source_href: String,
    /// `security` or `operational` (`site.toml [classification]`).
    pub class: &'static str,
}

pub fn incident_row(
    config: &Config,
    policy: &PolicyDoc,
    jira: &JiraLinks,
    incident: &Incident,
    facts: &IncidentFacts,
) -> IncidentRowView {
    let tz = config.tz();
    let severity = facts.severity.level.and_then(|l| policy.severity(&l));
    let f = &incident.fields;
    let opt_time = |t: Option<DateTime<Utc>>| t.map(|t| local_time_secs(t, tz)).unwrap_or_default();
    IncidentRowView {
        number: incident.number,
        id: f.id.as_deref().unwrap_or_default().to_string(),
        title: incident.title().to_string(),
        service: f.service.as_deref().unwrap_or_default().to_string(),
        severity: facts
            .severity
            .level
            .map_or_else(|| "unclassified".into(), |l| l.to_string()),
        severity_raw: facts
            .severity
            .raw
            .map(|r| r.to_string())
            .unwrap_or_default(),
        severity_source: severity_source_text(facts.severity.source),
        urgency: f.urgency.as_deref().unwrap_or_default().to_string(),
        created: local_time_secs(incident.created, tz),
        month: crate::model::period::month_of(tz, incident.created),
        created_utc: utc_rfc3339(incident.created),
        acknowledged: opt_time(incident.acknowledged_at()),
        resolved: opt_time(incident.resolved_at()),
        tta: facts
            .time_to_ack
            .get()
            .map(human_duration)
            .unwrap_or_default(),
        tta_secs: facts.time_to_ack.get(),
        ttr: facts
            .time_to_resolve
            .get()
            .map(human_duration)
            .unwrap_or_default(),
        ttr_secs: facts.time_to_resolve.get(),
        ack: VerdictView::new(&facts.ack, severity.and_then(|s| s.ack), tz),
        resolve: VerdictView::new(&facts.resolve, severity.and_then(|s| s.resolve), tz),
        responder: facts.responder.map(|r| r.to_string()).unwrap_or_default(),
        postmortems: facts.postmortems.to_vec(),
        postmortem_links: facts
            .postmortems
            .iter()
            .map(|id| Link {
                label: id.clone(),
                href: format!("postmortems/{}.html", super::page_name(id)),
            })
            .collect(),
        postmortem_status: postmortem_state_text(facts.postmortem),
        jira: facts
            .jira_keys
            .iter()
            .map(|k| Link {
                label: k.clone(),
                href: jira.href(k).unwrap_or_default(),
            })
            .collect(),
        customer_impact: facts
            .customer_impact
            .map(|c| c.to_string())
            .unwrap_or_default(),
        href: format!("incidents/{}.html", incident.number),
        source: incident
            .sources
            .first()
            .map(|r| format!("{}:{}", r.file, r.line))
            .unwrap_or_default(),
        source_href: String::new(),
        class: facts.class.name(),
    }
}

/// Inputs by site-relative path.
pub type SourceIndex<'a> = std::collections::HashMap<&'a str, &'a crate::model::SourceFile>;

/// [`super::line_href`] through the index: the input's line page at `line`, empty when the file
/// was not copied.
pub fn indexed_line_href(sources: &SourceIndex, file: &str, line: u64) -> String {
    sources
        .get(file)
        .map(|s| super::source_line_href(s, line))
        .unwrap_or_default()
}

/// The register row of an in-period incident.
pub fn register_row(
    config: &Config,
    inputs: &Inputs,
    jira: &JiraLinks,
    sources: &SourceIndex,
    facts: &IncidentFacts,
) -> IncidentRowView {
    let incident = inputs
        .incident(facts.number)
        .expect("facts come from the population");
    let mut row = incident_row(config, inputs.policy(), jira, &incident, facts);
    if let Some(r) = incident.sources.first() {
        row.source_href = indexed_line_href(sources, &r.file, r.line);
    }
    row
}

/// Two sources disagreeing about one field of an incident (incident and population pages).
#[derive(Debug, Clone, Serialize)]
pub struct ConflictView<'a> {
    pub number: u64,
    pub file: &'a str,
    pub line: u64,
    pub field: &'a str,
    pub kept: &'a str,
    pub other: &'a str,
    /// The source's verbatim copy, relative to the site root.
    pub href: String,
}

impl<'a> ConflictView<'a> {
    pub fn new(c: &'a crate::model::Conflict, href: String) -> Self {
        ConflictView {
            number: c.number,
            file: &c.at.file,
            line: c.at.line,
            field: &c.field,
            kept: &c.kept,
            other: &c.other,
            href,
        }
    }
}
