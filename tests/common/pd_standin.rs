//! A loopback PagerDuty stand-in serving a generated account from memory, with the API's traps:
//! offset pagination with `more`, the 10,000 offset+limit cap (400), the 6-month `/incidents`
//! range limit (400), the 31-day audit window (400), cursor pagination, 429 with and without
//! headers, a 502, a v3 schedule that v2 refuses (400), and 401 for a wrong token.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Months, Utc};
use serde_json::{Value, json};

use super::mock_http::{MockServer, Req, Resp};

pub const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";

#[derive(Debug, Clone)]
pub struct Options {
    pub token: String,
    /// [start, end) of the period the in-period incidents fill.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub in_period: u64,
    /// Incidents created before the start and after the end (each side).
    pub outside_each_side: u64,
    /// Serve 429/429/502 once each on /priorities, /users, /services.
    pub traps: bool,
    /// `ratelimit-reset` of the trapped 429 on /priorities.
    pub reset_secs: u64,
    /// Report `total` one higher than the truth on /incidents.
    pub lie_about_total: bool,
    /// Hold every /users answer this long (to interrupt a fetch midway).
    pub stall_users_ms: u64,
}

pub struct Account {
    /// (created, incident), oldest first.
    pub incidents: Vec<(DateTime<Utc>, Value)>,
    /// (created, entry), oldest first.
    pub log_entries: Vec<(DateTime<Utc>, Value)>,
    pub in_period_numbers: BTreeSet<u64>,
    /// Start of the hole left in schedule PSCH002 (6 hours).
    pub gap_start: DateTime<Utc>,
}

pub fn rfc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn incident_id(number: u64) -> String {
    format!("Q{number:013}")
}

/// The account: outside-before, in-period, outside-after incidents with 3–4 log entries each.
pub fn account(o: &Options) -> Account {
    let mut incidents = Vec::new();
    let mut log_entries = Vec::new();
    let mut in_period_numbers = BTreeSet::new();
    let mut number = 0u64;
    let mut add = |created: DateTime<Utc>, resolved: Option<DateTime<Utc>>, in_period: bool| {
        number += 1;
        let n = number;
        if in_period {
            in_period_numbers.insert(n);
        }
        let id = incident_id(n);
        let priority = match n % 5 {
            0 => Value::Null,
            k => {
                json!({"id": format!("PPRI00{k}"), "type": "priority_reference", "summary": format!("P{k}")})
            }
        };
        let title = if n.is_multiple_of(100) {
            format!("Checkout errors, see OPS-{n}")
        } else {
            format!("Disk full on db-{}", n % 7)
        };
        let refs = if n.is_multiple_of(50) {
            json!([{"id": format!("PX{n}"), "type": "external_reference", "summary": format!("Jira issue SEC-{n}"),
                    "external_id": format!("SEC-{n}"), "external_url": format!("https://acme.atlassian.net/browse/SEC-{n}")}])
        } else {
            json!([])
        };
        incidents.push((
            created,
            json!({
                "id": id, "type": "incident", "incident_number": n, "title": title, "summary": format!("[#{n}] {title}"),
                "created_at": rfc(created), "resolved_at": resolved.map(rfc),
                "status": if resolved.is_some() { "resolved" } else { "triggered" },
                "urgency": if n.is_multiple_of(3) { "low" } else { "high" },
                "html_url": format!("https://acme.pagerduty.com/incidents/{id}"),
                "service": {"id": "PSVC001", "type": "service_reference", "summary": "API"},
                "escalation_policy": {"id": "PEP0001", "type": "escalation_policy_reference", "summary": "Production Services"},
                "teams": [], "assignments": [], "acknowledgements": [],
                "priority": priority, "external_references": refs
            }),
        ));
        let entry = |k: &str, at: DateTime<Utc>, agent: Value, seq: u32| {
            json!({"id": format!("R{n:012}{seq}"), "type": format!("{k}_log_entry"), "summary": format!("{k} #{n}"),
                   "created_at": rfc(at), "agent": agent, "channel": {"type": "auto"},
                   "incident": {"id": id, "type": "incident_reference"}})
        };
        let user = json!({"id": "PUSER01", "type": "user_reference", "summary": "Jane Doe"});
        let service = json!({"id": "PSVC001", "type": "service_reference", "summary": "API"});
        log_entries.push((created, entry("trigger", created, service.clone(), 1)));
        log_entries.push((created, entry("assign", created, service.clone(), 2)));
        if !n.is_multiple_of(10) {
            let ack = created + Duration::minutes(3);
            let kind = if n.is_multiple_of(13) {
                "acknowledgement"
            } else {
                "acknowledge"
            };
            log_entries.push((ack, entry(kind, ack, user.clone(), 3)));
        }
        if let Some(r) = resolved {
            let agent = if n.is_multiple_of(7) { service } else { user };
            log_entries.push((r, entry("resolve", r, agent, 4)));
        }
    };
    let span = (o.end - o.start).num_seconds();
    for i in 0..o.outside_each_side {
        let created = o.start - Duration::days(2) - Duration::hours(i as i64);
        add(created, Some(created + Duration::minutes(40)), false);
    }
    // One incident before the period resolved inside it: its resolve entry is in the account log.
    add(
        o.start - Duration::minutes(10),
        Some(o.start + Duration::minutes(30)),
        false,
    );
    for i in 0..o.in_period {
        let created = o.start + Duration::seconds(span * i as i64 / o.in_period as i64 + 1);
        let resolved = match o.in_period - i {
            1 => None,
            2 | 3 => Some(o.end + Duration::days(2)),
            _ => Some(created + Duration::minutes(40)),
        };
        add(created, resolved, true);
    }
    for i in 0..o.outside_each_side {
        let created = o.end + Duration::hours(1 + i as i64);
        add(created, Some(created + Duration::minutes(40)), false);
    }
    incidents.sort_by_key(|(t, v)| (*t, v["incident_number"].as_u64()));
    log_entries.sort_by(|a, b| (a.0, a.1["id"].as_str()).cmp(&(b.0, b.1["id"].as_str())));
    Account {
        incidents,
        log_entries,
        in_period_numbers,
        gap_start: o.start + Duration::days(15),
    }
}

fn pd_error(status: u16, message: &str, errors: &[&str]) -> Resp {
    Resp::json(
        status,
        &json!({"error": {"message": message, "code": 2001, "errors": errors}}),
    )
}

/// Offset page over `items` with `more` and, when asked, `total`; enforces the cap.
fn offset_page(req: &Req, key: &str, items: &[&Value], total_bias: u64) -> Resp {
    let limit: u64 = req
        .param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25);
    let offset: u64 = req
        .param("offset")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    if limit > 100 {
        return pd_error(
            400,
            "Invalid Input Provided",
            &["Limit must be at most 100."],
        );
    }
    if offset + limit > 10_000 {
        return pd_error(
            400,
            "Invalid Input Provided",
            &["Offset must be less than 10000."],
        );
    }
    let total = items.len() as u64;
    let page: Vec<&Value> = items
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .copied()
        .collect();
    let reported = if req.param("total") == Some("true") {
        json!(total + total_bias)
    } else {
        Value::Null
    };
    Resp::json(
        200,
        &json!({key: page, "limit": limit, "offset": offset, "more": offset + limit < total, "total": reported}),
    )
}

/// since/until of a ranged request, or the 400 PagerDuty gives.
fn range(
    req: &Req,
    max_months: Option<u32>,
    max_days: Option<i64>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), Resp> {
    let (Some(since), Some(until)) = (
        req.param("since").and_then(parse),
        req.param("until").and_then(parse),
    ) else {
        return Err(pd_error(
            400,
            "Invalid Input Provided",
            &["since and until are required by this stand-in"],
        ));
    };
    if let Some(m) = max_months
        && until > since.checked_add_months(Months::new(m)).unwrap()
    {
        return Err(pd_error(
            400,
            "Invalid Input Provided",
            &["The maximum range of since and until is 6 months."],
        ));
    }
    if let Some(d) = max_days
        && until > since + Duration::days(d)
    {
        return Err(pd_error(
            400,
            "Invalid Input Provided",
            &["until must be within 31 days of since."],
        ));
    }
    Ok((since, until))
}

fn in_range(
    list: &[(DateTime<Utc>, Value)],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> &[(DateTime<Utc>, Value)] {
    let lo = list.partition_point(|(t, _)| *t < since);
    let hi = list.partition_point(|(t, _)| *t < until);
    &list[lo..hi]
}

fn user_ref(id: &str, name: &str) -> Value {
    json!({"id": id, "type": "user_reference", "summary": name})
}

/// v2 final schedule PSCH002: daily shifts of three users over [since, until), except a 6-hour
/// hole at `gap`.
fn v2_schedule(since: DateTime<Utc>, until: DateTime<Utc>, gap: DateTime<Utc>) -> Value {
    let users = [
        ("PUSER01", "Jane Doe"),
        ("PUSER02", "Sam Lee"),
        ("PUSER03", "Ana Ruiz"),
    ];
    let mut entries = Vec::new();
    let mut at = since;
    let mut i = 0;
    while at < until {
        let end = (at + Duration::days(1)).min(until);
        let (id, name) = users[i % 3];
        let mut push = |a: DateTime<Utc>, b: DateTime<Utc>| {
            if a < b {
                entries.push(json!({"start": rfc(a), "end": rfc(b), "user": user_ref(id, name)}));
            }
        };
        if gap >= at && gap < end {
            push(at, gap);
            push(gap + Duration::hours(6), end);
        } else {
            push(at, end);
        }
        at = end;
        i += 1;
    }
    json!({"schedule": {"id": "PSCH002", "type": "schedule", "name": "Primary", "time_zone": "America/New_York",
        "escalation_policies": [{"id": "PEP0001", "type": "escalation_policy_reference", "summary": "Production Services"}],
        "schedule_layers": [], "overrides_subschedule": {"name": "Overrides", "rendered_schedule_entries": []},
        "final_schedule": {"name": "Final Schedule", "rendered_schedule_entries": entries}}})
}

/// v3 schedule PSCH003: weekly computed shift assignments over [since, until), fully covered.
fn v3_schedule(since: DateTime<Utc>, until: DateTime<Utc>) -> Value {
    let mut shifts = Vec::new();
    let mut at = since;
    while at < until {
        let end = (at + Duration::days(7)).min(until);
        shifts.push(json!({"start_time": rfc(at), "end_time": rfc(end),
            "member": {"type": "user_member", "user_id": "PUSER03"}, "source": {"type": "rotation", "rotation_id": "ROT1"}}));
        at = end;
    }
    json!({"schedule": {"id": "PSCH003", "type": "schedule_v3", "name": "Data on-call", "time_zone": "UTC",
        "rotations": [], "final_schedule": {"computed_shift_assignments": shifts}}})
}

pub struct Standin {
    pub server: MockServer,
    pub in_period_numbers: BTreeSet<u64>,
    pub gap_start: DateTime<Utc>,
}

/// An account of captured API objects (one JSON object a line each, as a snapshot holds them),
/// keyed by `created_at` as the API filters and sorts them.
pub fn captured(incidents_jsonl: &str, log_entries_jsonl: &str) -> Account {
    let keyed = |text: &str| -> Vec<(DateTime<Utc>, Value)> {
        let mut list: Vec<(DateTime<Utc>, Value)> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let at = v["created_at"].as_str().and_then(parse).unwrap();
                (at, v)
            })
            .collect();
        list.sort_by(|a, b| (a.0, a.1["id"].as_str()).cmp(&(b.0, b.1["id"].as_str())));
        list
    };
    Account {
        incidents: keyed(incidents_jsonl),
        log_entries: keyed(log_entries_jsonl),
        in_period_numbers: BTreeSet::new(),
        gap_start: DateTime::<Utc>::MIN_UTC,
    }
}

/// The generated account of `o`.
pub fn start(o: Options) -> Standin {
    let acct = account(&o);
    serve(o, acct)
}

/// Serves `acct` (its incidents and log entries) with the stand-in's other lists and traps.
pub fn serve(o: Options, acct: Account) -> Standin {
    let acct = Arc::new(acct);
    let (numbers, gap) = (acct.in_period_numbers.clone(), acct.gap_start);
    let trapped: Mutex<BTreeSet<&'static str>> = Mutex::default();
    let audit: Vec<(DateTime<Utc>, Value)> = (0..60)
        .map(|i| {
            let at = o.start + Duration::days(3 * i) + Duration::hours(5);
            (at, json!({"id": format!("AUD{i:04}"), "execution_time": rfc(at), "action": "update",
                "actors": [user_ref("PUSER01", "Jane Doe")], "method": {"type": "browser"},
                "root_resource": {"id": "PEP0001", "type": "escalation_policy_reference", "summary": "Production Services"},
                "details": {"resource": {"id": "PEP0001", "type": "escalation_policy_reference"},
                            "fields": [{"name": "num_loops", "before_value": "0", "value": "2"}]}}))
        })
        .collect();
    let server = MockServer::start(move |req| {
        if req.header("Authorization") != Some(format!("Token token={}", o.token).as_str()) {
            return Resp::json(
                401,
                &json!({"error": {"message": "Unauthorized", "code": 2006}}),
            );
        }
        if req.header("Accept") != Some(ACCEPT) {
            return pd_error(
                400,
                "Invalid Input Provided",
                &["Accept must pin version 2"],
            );
        }
        let once = |name: &'static str| o.traps && trapped.lock().unwrap().insert(name);
        let path = req.path.as_str();
        let needs_utc = path == "/incidents"
            || path == "/log_entries"
            || path.starts_with("/schedules/PSCH002");
        if needs_utc && req.param("time_zone") != Some("UTC") {
            return pd_error(
                400,
                "Invalid Input Provided",
                &["this stand-in wants time_zone=UTC"],
            );
        }
        match path {
            "/incidents" => match range(req, Some(6), None) {
                Err(r) => r,
                Ok((since, until)) => {
                    let items: Vec<&Value> = in_range(&acct.incidents, since, until)
                        .iter()
                        .map(|(_, v)| v)
                        .collect();
                    offset_page(req, "incidents", &items, u64::from(o.lie_about_total))
                }
            },
            "/log_entries" => match range(req, None, None) {
                Err(r) => r,
                Ok((since, until)) => {
                    let items: Vec<&Value> = in_range(&acct.log_entries, since, until)
                        .iter()
                        .rev()
                        .map(|(_, v)| v)
                        .collect();
                    offset_page(req, "log_entries", &items, 0)
                }
            },
            p if p.starts_with("/incidents/") && p.ends_with("/log_entries") => {
                let id = &p["/incidents/".len()..p.len() - "/log_entries".len()];
                let items: Vec<&Value> = acct
                    .log_entries
                    .iter()
                    .rev()
                    .map(|(_, v)| v)
                    .filter(|v| v["incident"]["id"] == id)
                    .collect();
                offset_page(req, "log_entries", &items, 0)
            }
            "/escalation_policies" => {
                let eps = [
                    json!({"id": "PEP0001", "type": "escalation_policy", "name": "Production Services", "num_loops": 0,
                        "escalation_rules": [
                            {"id": "R1", "escalation_delay_in_minutes": 10, "targets": [{"id": "PSCH002", "type": "schedule_reference", "summary": "Primary"}]},
                            {"id": "R2", "escalation_delay_in_minutes": 10, "targets": [user_ref("PUSER02", "Sam Lee")]},
                            {"id": "R3", "escalation_delay_in_minutes": 10, "targets": [user_ref("PUSER03", "Ana Ruiz")]}],
                        "services": [{"id": "PSVC001", "type": "service_reference", "summary": "API"}], "teams": []}),
                    json!({"id": "PEP0002", "type": "escalation_policy", "name": "Data Platform", "num_loops": 1,
                        "escalation_rules": [{"id": "R9", "escalation_delay_in_minutes": 15,
                            "targets": [{"id": "PSCH003", "type": "schedule_reference", "summary": "Data on-call"}]}],
                        "services": [{"id": "PSVC002", "type": "service_reference", "summary": "Pipeline"}], "teams": []}),
                ];
                offset_page(
                    req,
                    "escalation_policies",
                    &eps.iter().collect::<Vec<_>>(),
                    0,
                )
            }
            "/schedules" => {
                let list = [
                    json!({"id": "PSCH002", "type": "schedule", "name": "Primary"}),
                    json!({"id": "PSCH003", "type": "schedule", "name": "Data on-call"}),
                ];
                offset_page(req, "schedules", &list.iter().collect::<Vec<_>>(), 0)
            }
            "/schedules/PSCH002" => match range(req, None, None) {
                Err(r) => r,
                Ok((since, until)) => Resp::json(200, &v2_schedule(since, until, gap)),
            },
            "/schedules/PSCH003" => pd_error(
                400,
                "Invalid Input Provided",
                &["This schedule was upgraded; use /v3/schedules"],
            ),
            "/v3/schedules/PSCH003" => match range(req, None, None) {
                Err(r) => r,
                Ok(_) if req.param("include[]") != Some("final_schedule") => {
                    pd_error(400, "Invalid Input Provided", &["include[]=final_schedule"])
                }
                Ok((since, until)) => Resp::json(200, &v3_schedule(since, until)),
            },
            "/schedules/PSCH002/overrides" => {
                let at = o.start + Duration::days(40);
                Resp::json(
                    200,
                    &json!({"overrides": [{"id": "POV0001", "start": rfc(at), "end": rfc(at + Duration::days(1)),
                    "user": user_ref("PUSER02", "Sam Lee")}]}),
                )
            }
            "/v3/schedules/PSCH003/overrides" => offset_page(req, "overrides", &[], 0),
            "/services" if once("services-502") => Resp {
                status: 502,
                headers: Vec::new(),
                body: "<html>Bad Gateway</html>".into(),
            },
            "/services" => {
                let integrations = if req.params("include[]").contains(&"integrations") {
                    json!([{"id": "PINT001", "type": "aws_cloudwatch_inbound_integration", "name": "CloudWatch alarms",
                        "created_at": "2025-02-03T04:05:06Z",
                        "vendor": {"id": "PVEN001", "type": "vendor_reference", "summary": "Amazon CloudWatch"}}])
                } else {
                    json!([{"id": "PINT001", "type": "aws_cloudwatch_inbound_integration_reference"}])
                };
                let list = [
                    json!({"id": "PSVC001", "type": "service", "name": "API", "status": "active",
                        "integrations": integrations,
                        "incident_urgency_rule": {"type": "constant", "urgency": "high"},
                        "escalation_policy": {"id": "PEP0001", "type": "escalation_policy_reference", "summary": "Production Services"}}),
                    json!({"id": "PSVC002", "type": "service", "name": "Pipeline", "status": "active",
                        "escalation_policy": {"id": "PEP0002", "type": "escalation_policy_reference", "summary": "Data Platform"}}),
                ];
                offset_page(req, "services", &list.iter().collect::<Vec<_>>(), 0)
            }
            "/priorities" if once("priorities-429") => Resp {
                status: 429,
                headers: vec![
                    ("ratelimit-limit".into(), "960".into()),
                    ("ratelimit-remaining".into(), "0".into()),
                    ("ratelimit-reset".into(), o.reset_secs.to_string()),
                ],
                body: json!({"error": {"message": "Rate Limit Exceeded", "code": 2020}})
                    .to_string(),
            },
            "/priorities" => {
                let list: Vec<Value> = (1..=4)
                    .map(|k| json!({"id": format!("PPRI00{k}"), "type": "priority", "name": format!("P{k}"), "summary": format!("P{k}")}))
                    .collect();
                offset_page(req, "priorities", &list.iter().collect::<Vec<_>>(), 0)
            }
            "/users" if once("users-429") => Resp::empty(429),
            "/users" if o.stall_users_ms > 0 => {
                std::thread::sleep(std::time::Duration::from_millis(o.stall_users_ms));
                Resp::empty(503)
            }
            "/users" => {
                let full = req.params("include[]").contains(&"notification_rules")
                    && req.params("include[]").contains(&"contact_methods");
                let jane_rules = if full {
                    json!([{"id": "PNR0001", "type": "assignment_notification_rule", "urgency": "high",
                        "start_delay_in_minutes": 0,
                        "contact_method": {"id": "PCM0001", "type": "sms_contact_method_reference"}}])
                } else {
                    json!([{"id": "PNR0001", "type": "assignment_notification_rule_reference"}])
                };
                let list = [
                    json!({"id": "PUSER01", "type": "user", "name": "Jane Doe", "email": "jane@example.com", "role": "admin",
                        "contact_methods": [{"id": "PCM0001", "type": "sms_contact_method", "address": "5550100", "country_code": 1}],
                        "notification_rules": jane_rules}),
                    json!({"id": "PUSER02", "type": "user", "name": "Sam Lee", "email": "sam@example.com", "role": "user"}),
                    json!({"id": "PUSER03", "type": "user", "name": "Ana Ruiz", "email": "ana@example.com", "role": "user"}),
                ];
                offset_page(req, "users", &list.iter().collect::<Vec<_>>(), 0)
            }
            "/audit/records" => match range(req, None, Some(31)) {
                Err(r) => r,
                Ok((since, until)) => {
                    let items: Vec<&Value> = in_range(&audit, since, until)
                        .iter()
                        .rev()
                        .map(|(_, v)| v)
                        .collect();
                    let limit: usize = req
                        .param("limit")
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(10)
                        .min(3);
                    let start: usize = req
                        .param("cursor")
                        .and_then(|c| c.strip_prefix("cur-"))
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(0);
                    let page: Vec<&Value> = items.iter().skip(start).take(limit).copied().collect();
                    let next =
                        (start + limit < items.len()).then(|| format!("cur-{}", start + limit));
                    Resp::json(
                        200,
                        &json!({"records": page, "limit": limit, "next_cursor": next}),
                    )
                }
            },
            "/incident_workflows" => {
                let list: Vec<Value> = (1..=3)
                    .map(|k| json!({"id": format!("PWF000{k}"), "type": "incident_workflow", "name": format!("Workflow {k}")}))
                    .collect();
                // Pages of one: the fetch must follow `more`.
                let mut one = req.clone();
                one.query.retain(|(k, _)| k != "limit");
                one.query.push(("limit".into(), "1".into()));
                offset_page(
                    &one,
                    "incident_workflows",
                    &list.iter().collect::<Vec<_>>(),
                    0,
                )
            }
            "/incident_workflows/triggers" => {
                let first = req.param("cursor").is_none();
                let trigger = if first {
                    json!({"id": "T1", "trigger_type": "conditional", "condition": "incident.priority matches 'P1'",
                        "is_subscribed_to_all_services": true, "services": [], "workflow": {"id": "PWF0001", "name": "Workflow 1"}})
                } else {
                    json!({"id": "T2", "trigger_type": "manual", "is_subscribed_to_all_services": false,
                        "services": [{"id": "PSVC001", "type": "service_reference", "summary": "API"}],
                        "workflow": {"id": "PWF0002", "name": "Workflow 2"}})
                };
                let next = first.then_some("trig-2");
                Resp::json(
                    200,
                    &json!({"triggers": [trigger], "limit": 1, "next_cursor": next, "more": first}),
                )
            }
            "/automation_actions/actions" => {
                let first = req.param("cursor").is_none();
                let action = json!({"id": if first { "01AUTOMATIONACTION0000001" } else { "01AUTOMATIONACTION0000002" },
                    "name": if first { "Restart pods" } else { "Collect diagnostics" }, "action_type": "script",
                    "action_classification": if first { "remediation" } else { "diagnostic" }, "services": [],
                    "creation_time": "2025-11-08T14:54:02.267989Z"});
                Resp::json(
                    200,
                    &json!({"actions": [action], "limit": 1, "next_cursor": first.then_some("act-2")}),
                )
            }
            "/event_orchestrations" => {
                let list = [json!({"id": "b2c3-orch", "name": "Global routing"})];
                offset_page(req, "orchestrations", &list.iter().collect::<Vec<_>>(), 0)
            }
            "/event_orchestrations/b2c3-orch/router" => Resp::json(
                200,
                &json!({"orchestration_path": {"type": "router", "sets": [{"id": "start", "rules": [
                    {"id": "r1", "label": "Pipeline events", "conditions": [{"expression": "event.source matches 'airflow'"}],
                     "actions": {"route_to": "PSVC002"}}]}],
                    "catch_all": {"actions": {"route_to": "PSVC001"}}}}),
            ),
            // `/response_plays` falls through: a 404, as on accounts after the feature's removal.
            _ => pd_error(404, "Not Found", &[]),
        }
    });
    Standin {
        server,
        in_period_numbers: numbers,
        gap_start: gap,
    }
}
