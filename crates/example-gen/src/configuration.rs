//! The example account's urgency and notification rules, response automation and monitoring
//! routing (evidence-rules §9), as `pagerproof fetch pagerduty` writes them.
//!
//! Three things differ from the policy on purpose:
//! - the `notifications` service was moved to support-hours urgency in August (high 09:00–17:00
//!   on weekdays, low outside), so its later P1/P2 incidents raised off hours and P4 incidents
//!   raised in hours carry the wrong urgency (`urgency_mismatch`);
//! - the Head of Security, level 1 of the security escalation policy, is notified of
//!   high-urgency incidents by e-mail and the app only (`notification_gap`);
//! - the P1 "Status Page Update" workflow documented by the policy was never built
//!   (`automation_missing:P1`).
//!
//! Response plays are gone from the API (a 404: "not used", noted in the fetch record).

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use serde_json::{Value, json};

use super::company::{Person, SERVICES};
use super::incidents::{Calendar, Inc, date};
use pagerproof::model::layout::pagerduty as layout;

/// The Head of Security, level 1 of the security escalation policy, without phone or SMS.
pub const SECURITY_USER_ID: &str = "POG1V7H";
/// The service whose urgency rule differs from the documented matrix.
pub const SUPPORT_HOURS_SERVICE: &str = "notifications";
/// A service for security alerts only (GuardDuty findings, GitHub security alerts).
pub const SECURITY_SERVICE: (&str, &str) = ("PSC4G7N", "security-monitoring");
/// Workflows that exist, and the one the policy documents that does not.
pub const MAJOR_WORKFLOW: &str = "Major Incident Response";
pub const MISSING_WORKFLOW: &str = "Status Page Update";
const SECURITY_WORKFLOW: &str = "Security Incident Triage";
const ORCHESTRATION_ID: &str = "4e9f1c2a-7b3d-4c55-9a61-2f0d8e6b1a73";

/// When Terraform moved the service to support-hours urgency (the audit log's update).
pub fn support_hours_since(cal: &Calendar) -> DateTime<Utc> {
    let k = service_index(SUPPORT_HOURS_SERVICE);
    cal.instant(
        date(cal.year(), 2 + k as u32, 10 + k as u32)
            .and_hms_opt(15, 3 * k as u32, 0)
            .unwrap(),
    )
}

fn service_index(name: &str) -> usize {
    SERVICES.iter().position(|s| s.name == name).unwrap()
}

/// Weekdays 09:00–17:00 local, the service's support hours (the same as `[business_hours]`).
fn in_support_hours(cal: &Calendar, at: DateTime<Utc>) -> bool {
    let local = cal.local(at);
    !matches!(local.weekday(), Weekday::Sat | Weekday::Sun) && (9..17).contains(&local.hour())
}

/// Applies the support-hours rule to the service's incidents raised after the change.
pub fn apply_urgency_rules(incs: &mut [Inc], cal: &Calendar) {
    let k = service_index(SUPPORT_HOURS_SERVICE);
    let since = support_hours_since(cal);
    for inc in incs
        .iter_mut()
        .filter(|i| i.service == k && i.created >= since)
    {
        inc.urgency = if in_support_hours(cal, inc.created) {
            "high"
        } else {
            "low"
        };
    }
}

/// The in-period incidents a build reports `urgency_mismatch` for (P1/P2 documented high, P4
/// low; P3 documents no urgency).
pub fn urgency_mismatches(incs: &[Inc], counted: impl Fn(usize) -> bool) -> Vec<(usize, String)> {
    incs.iter()
        .enumerate()
        .filter(|(i, inc)| {
            counted(*i)
                && match inc.priority {
                    0 | 1 => inc.urgency != "high",
                    3 => inc.urgency != "low",
                    _ => false,
                }
        })
        .map(|(i, inc)| (i, inc.number.to_string()))
        .collect()
}

/// The user ids and levels of the other two planned exceptions.
pub fn exception_subjects() -> [(&'static str, String); 2] {
    [
        ("notification_gap", SECURITY_USER_ID.to_string()),
        ("automation_missing", "P1".to_string()),
    ]
}

/// `incident_urgency_rule` and `support_hours` of service `k`.
pub fn urgency_fields(k: usize) -> (Value, Value) {
    if SERVICES[k].name == SUPPORT_HOURS_SERVICE {
        (
            json!({"type": "use_support_hours",
                "during_support_hours": {"type": "constant", "urgency": "high"},
                "outside_support_hours": {"type": "constant", "urgency": "low"}}),
            json!({"type": "fixed_time_per_day", "time_zone": "Eastern Time (US & Canada)",
                "days_of_week": [1, 2, 3, 4, 5], "start_time": "09:00:00", "end_time": "17:00:00"}),
        )
    } else {
        (
            json!({"type": "constant", "urgency": "severity_based"}),
            Value::Null,
        )
    }
}

fn vendor(id: &str, name: &str) -> Value {
    json!({"id": id, "type": "vendor_reference", "summary": name,
        "self": format!("https://api.pagerduty.com/vendors/{id}")})
}

fn integration(id: String, kind: &str, name: &str, vendor_ref: Value, created: &str) -> Value {
    json!({"id": id, "type": kind, "name": name, "summary": name, "created_at": created,
        "vendor": vendor_ref})
}

/// Full integration objects (`include[]=integrations`) of service `k` with id `pd_id`.
pub fn integrations(k: usize, pd_id: &str) -> Value {
    let tail = &pd_id[2..];
    let datadog = || vendor("PZQ6AUS", "Datadog");
    let created = format!("202{}-0{}-1{}T15:4{}:00Z", 3 + k % 3, 1 + k, k, k);
    let mut out = Vec::new();
    let (name, kind, v) = match SERVICES[k].name {
        "web-app" => (
            "Checkly",
            "events_api_v2_inbound_integration",
            vendor("PCHK1LY", "Checkly"),
        ),
        "search" => (
            "Elastic Watcher",
            "events_api_v2_inbound_integration",
            vendor("PEL4STC", "Elastic"),
        ),
        "data-pipeline" => (
            "Airflow",
            "events_api_v2_inbound_integration",
            vendor("PAF7LOW", "Apache Airflow"),
        ),
        _ => ("Datadog", "events_api_v2_inbound_integration", datadog()),
    };
    out.push(integration(format!("PI{tail}"), kind, name, v, &created));
    if matches!(SERVICES[k].name, "notifications" | "postgres-platform") {
        out.push(integration(
            format!("PW{tail}"),
            "aws_cloudwatch_inbound_integration",
            "CloudWatch alarms",
            vendor("PZD94QK", "Amazon CloudWatch"),
            &created,
        ));
    }
    Value::Array(out)
}

/// The security alerts' own service, on the security escalation policy.
pub fn security_service(policy: Value, team: Value) -> Value {
    let (id, name) = SECURITY_SERVICE;
    json!({
        "id": id, "type": "service", "summary": name, "name": name,
        "description": "Security findings only: AWS GuardDuty and GitHub security alerts, routed by event orchestration.",
        "self": format!("https://api.pagerduty.com/services/{id}"),
        "html_url": format!("https://northwind.pagerduty.com/service-directory/{id}"),
        "status": "active", "created_at": "2025-04-14T16:05:00Z",
        "escalation_policy": policy, "teams": [team],
        "integrations": [
            integration("PIG8D2F".into(), "events_api_v2_inbound_integration", "GuardDuty findings (EventBridge)",
                vendor("PGD3AWS", "Amazon GuardDuty"), "2025-04-14T16:10:00Z"),
            integration("PIH5B9C".into(), "events_api_v2_inbound_integration", "GitHub security alerts",
                vendor("PGH7HUB", "GitHub"), "2025-04-15T09:30:00Z"),
        ],
        "auto_resolve_timeout": Value::Null, "acknowledgement_timeout": Value::Null,
        "alert_creation": "create_alerts_and_incidents",
        "incident_urgency_rule": {"type": "constant", "urgency": "high"},
        "support_hours": Value::Null,
        "scheduled_actions": [],
        "last_incident_timestamp": Value::Null,
    })
}

/// Full contact methods and notification rules (`include[]=contact_methods&include[]=
/// notification_rules`). Engineers page by app, then phone after a minute (added after the
/// late-acknowledgement response); the Head of Security uses e-mail and the app only.
pub fn contact_fields(p: &Person) -> (Value, Value) {
    let tail = &p.pd_id[2..];
    let method = |prefix: &str, kind: &str, label: &str, extra: Value| {
        let mut m = json!({"id": format!("{prefix}{tail}"), "type": kind, "summary": label, "label": label});
        if let (Some(m), Some(extra)) = (m.as_object_mut(), extra.as_object()) {
            m.extend(extra.clone());
        }
        m
    };
    let mobile = "+1 555 01".to_string() + &tail[..2];
    let mut methods = vec![
        method(
            "PE",
            "email_contact_method",
            "Default",
            json!({"address": p.email, "send_short_email": false}),
        ),
        method(
            "PM",
            "push_notification_contact_method",
            "PagerDuty app",
            json!({"device_type": "ios", "blacklisted": false}),
        ),
    ];
    let security = p.pd_id == SECURITY_USER_ID;
    if !security {
        methods.insert(
            1,
            method(
                "PC",
                "phone_contact_method",
                "Mobile",
                json!({"country_code": 1, "address": mobile, "blacklisted": false}),
            ),
        );
    }
    let rule = |prefix: &str, urgency: &str, delay: u32, kind: &str, cm: &str, label: &str| {
        json!({"id": format!("{prefix}{tail}"), "type": "assignment_notification_rule",
            "urgency": urgency, "start_delay_in_minutes": delay,
            "contact_method": {"id": format!("{cm}{tail}"), "type": format!("{kind}_reference"), "summary": label}})
    };
    let mut rules = vec![
        rule(
            "PN",
            "high",
            0,
            "push_notification_contact_method",
            "PM",
            "PagerDuty app",
        ),
        rule("PL", "low", 0, "email_contact_method", "PE", "Default"),
    ];
    if security {
        rules.push(rule(
            "PR",
            "high",
            2,
            "email_contact_method",
            "PE",
            "Default",
        ));
    } else {
        rules.push(rule(
            "PR",
            "high",
            1,
            "phone_contact_method",
            "PC",
            "Mobile",
        ));
    }
    (Value::Array(methods), Value::Array(rules))
}

/// `(file, records)` of the automation and routing lists.
pub fn automation_files() -> Vec<(&'static str, Vec<Value>)> {
    let workflow = |id: &str, name: &str, description: &str| {
        json!({"id": id, "type": "incident_workflow", "name": name, "description": description,
            "created_at": "2025-09-22T14:02:11.482Z", "is_enabled": true,
            "self": format!("https://api.pagerduty.com/incident_workflows/{id}"),
            "html_url": format!("https://northwind.pagerduty.com/flex-workflows/workflows/{id}")})
    };
    let workflows = vec![
        workflow(
            "PWF3M7K",
            MAJOR_WORKFLOW,
            "Slack incident channel, Zoom bridge, incident commander and scribe roles, stakeholder update every 30 minutes.",
        ),
        workflow(
            "PWF8S2T",
            SECURITY_WORKFLOW,
            "Adds the security responders, opens a private Slack channel, snapshots the affected instances.",
        ),
    ];
    let trigger =
        |id: &str, wf: (&str, &str), kind: &str, condition: Option<&str>, services: Value| {
            let all = services.as_array().is_some_and(|s| s.is_empty()) && kind != "manual";
            json!({"id": id, "type": "workflow_trigger", "trigger_type": kind,
            "trigger_type_name": kind, "condition": condition,
            "workflow": {"id": wf.0, "name": wf.1, "type": "incident_workflow"},
            "services": services, "is_subscribed_to_all_services": all,
            "permissions": {"restricted": false, "team_id": Value::Null}})
        };
    let security_ref = json!([{"id": SECURITY_SERVICE.0, "type": "service_reference", "summary": SECURITY_SERVICE.1}]);
    let triggers = vec![
        trigger(
            "0b6c1e7a-3f52-4d8e-9a10-6c2f4e8b1d01",
            ("PWF3M7K", MAJOR_WORKFLOW),
            "conditional",
            Some("incident.priority matches 'P1' or incident.priority matches 'P2'"),
            json!([]),
        ),
        trigger(
            "5d2a9c4e-8b17-4f63-a0d5-1e7b3c9f2a02",
            ("PWF8S2T", SECURITY_WORKFLOW),
            "conditional",
            None,
            security_ref.clone(),
        ),
        trigger(
            "9e4f2b6d-1c38-47a5-b2e9-3d8a6f1c4b03",
            ("PWF8S2T", SECURITY_WORKFLOW),
            "manual",
            None,
            json!([]),
        ),
    ];
    let action = |id: &str, name: &str, class: &str, services: Value| {
        json!({"id": id, "name": name, "description": format!("{name} (runbook automation)"),
            "action_type": "script", "action_classification": class,
            "runner_type": "runner", "services": services,
            "creation_time": "2025-10-02T13:45:09.118204Z", "modify_time": "2025-10-02T13:45:09.118204Z",
            "allow_invocation_manually": true, "map_to_all_services": false})
    };
    let svc = |name: &str| {
        let s = &SERVICES[service_index(name)];
        json!([{"id": s.pd_id, "type": "service_reference", "summary": s.name}])
    };
    let actions = vec![
        action(
            "01JB8Z4K2QW7M3X9R5T1V6N0DA",
            "Restart checkout pods",
            "remediation",
            svc("checkout-api"),
        ),
        action(
            "01JB8Z6P4RY2N8C5E1H7K3M9DB",
            "Collect Postgres diagnostics",
            "diagnostic",
            svc("postgres-platform"),
        ),
    ];
    let svc_id = |name: &str| SERVICES[service_index(name)].pd_id;
    let rule = |id: &str, label: &str, expressions: &[&str], to: &str| {
        json!({"id": id, "label": label, "disabled": false,
            "conditions": expressions.iter().map(|e| json!({"expression": e})).collect::<Vec<_>>(),
            "actions": {"route_to": to}})
    };
    let orchestration = json!({
        "orchestration": {"id": ORCHESTRATION_ID, "name": "Northwind monitoring router",
            "description": "Every monitoring source sends to this one integration key.",
            "team": {"id": "PTM5E9A", "type": "team_reference"}, "routes": 4,
            "created_at": "2025-04-14T15:58:40Z", "updated_at": "2025-11-03T10:12:07Z", "version": "k2YzQ8rD"},
        "router": {"orchestration_path": {"type": "router",
            "parent": {"id": ORCHESTRATION_ID, "type": "event_orchestration_reference"},
            "sets": [{"id": "start", "rules": [
                rule("a1f3c9d2", "AWS GuardDuty findings", &["event.source matches 'aws.guardduty'"], SECURITY_SERVICE.0),
                rule("b7e2d4a8", "GitHub security alerts", &["event.custom_details.github_event matches 'dependabot_alert'", "event.custom_details.github_event matches 'secret_scanning_alert'"], SECURITY_SERVICE.0),
                rule("c3d8e1f5", "CloudWatch RDS alarms", &["event.source matches part 'aws.rds'"], svc_id("postgres-platform")),
                rule("d9a4b6c2", "CloudWatch SES alarms", &["event.source matches part 'aws.ses'"], svc_id("notifications")),
                rule("e5c7f3a9", "Datadog checkout monitors", &["event.custom_details.tags matches part 'service:checkout-api'"], svc_id("checkout-api")),
            ]}],
            "catch_all": {"actions": {"route_to": "unrouted"}},
            "created_at": "2025-04-14T15:58:40Z", "updated_at": "2025-11-03T10:12:07Z", "version": "k2YzQ8rD"}},
    });
    vec![
        (layout::INCIDENT_WORKFLOWS, workflows),
        (layout::WORKFLOW_TRIGGERS, triggers),
        (layout::AUTOMATION_ACTIONS, actions),
        (layout::EVENT_ORCHESTRATIONS, vec![orchestration]),
    ]
}

/// The policy's top-level `notify_high_urgency` (a front-matter line).
pub const POLICY_NOTIFY: &str = "notify_high_urgency = [\"phone\", \"sms\"]\n";

/// `urgency` and `automation` of level `p` (0 = P1): P1/P2 high, P4 low, P3 not documented
/// (it pages at high or low urgency as the responder judges).
pub fn policy_level_keys(p: usize) -> &'static str {
    match p {
        0 => {
            "urgency = \"high\"\nautomation = [\"Major Incident Response\", \"Status Page Update\"]\n"
        }
        1 => "urgency = \"high\"\nautomation = [\"Major Incident Response\"]\n",
        3 => "urgency = \"low\"\n",
        _ => "",
    }
}

/// The policy front matter's `[[routing]]` table.
pub const POLICY_ROUTING: &str = r#"
[[routing]]
source = "Datadog"
events = "monitors tagged service:checkout-api (other services' monitors page their own service's integration)"
service = "checkout-api"

[[routing]]
source = "Amazon CloudWatch"
events = "RDS alarms"
service = "postgres-platform"

[[routing]]
source = "Amazon CloudWatch"
events = "SES alarms"
service = "notifications"

[[routing]]
source = "AWS GuardDuty"
events = "findings"
service = "security-monitoring"

[[routing]]
source = "GitHub"
events = "Dependabot and secret-scanning alerts"
service = "security-monitoring"
"#;
