//! `pagerproof fetch pagerduty`: every PagerDuty record the evidence needs over one period.
//!
//! # Snapshot layout (`[inputs] pagerduty`, by default `content/pagerduty/`)
//!
//! One JSON record per line (JSON Lines), each line the API object exactly as received, with
//! keys sorted; the 1-based line number is the record index that the population page cites.
//!
//! | file | records | order |
//! |---|---|---|
//! | `incidents.jsonl` | `GET /incidents` (priorities, external references) | incident number |
//! | `log_entries.jsonl` | `GET /log_entries` + `GET /incidents/{id}/log_entries` | incident id, then oldest first |
//! | `escalation_policies.jsonl` | `GET /escalation_policies` | id |
//! | `schedules.jsonl` | `GET /schedules/{id}` (v2) or `GET /v3/schedules/{id}` with the final schedule over the period | id |
//! | `overrides.jsonl` | `{"schedule_id", "override"}` from each schedule's overrides | schedule id, start, id |
//! | `services.jsonl`, `priorities.jsonl`, `users.jsonl` | the account's lists; services with `include[]=integrations`, users with `include[]=contact_methods` and `include[]=notification_rules` | id (priorities: API order) |
//!
//! The automation and routing lists are optional features of an account: an answer of 402, 403
//! or 404 is recorded as a window with a note (and no file), so the evidence says "not tested"
//! rather than "nothing configured".
//! | `audit_records.jsonl` | `GET /audit/records` in windows of at most 31 days | execution time, id |
//! | `incident_workflows.jsonl`, `workflow_triggers.jsonl` | `GET /incident_workflows`, `GET /incident_workflows/triggers` (cursor) | id |
//! | `response_plays.jsonl` | `GET /response_plays` (legacy; 400/403/404 = not used: no file, a noted window) | id |
//! | `automation_actions.jsonl` | `GET /automation_actions/actions` (cursor) | id |
//! | `event_orchestrations.jsonl` | `{"orchestration", "router"}`: `GET /event_orchestrations` and each `GET /event_orchestrations/{id}/router` | id |
//! | `fetch-record.json` | the [`FetchRecord`]: every request window, its parameters, counts received and reported, and every page's request, instant, status and body SHA-256 | request order |
//! | `raw/<n>.json.gz` | `--keep-raw` only: each answered body, gzip (no name, mtime 0), as the record's `raw` names it | request order |
//!
//! A fetch writes into a hidden sibling directory and renames it into place only when every
//! list was read and reconciled, so an interrupted or failed fetch leaves the previous snapshot
//! (or none) and never a partial one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::client::{ApiClient, Credential, FetchError};
use super::pagination::{
    ListRequest, Progress, cursor_all, cursor_windowed, new_window, offset_all, windowed,
};
use crate::model::layout::pagerduty::*;
use crate::model::{FetchRecord, FetchWindow};
use crate::util::utc_rfc3339;

pub const US_API: &str = "https://api.pagerduty.com";
pub const EU_API: &str = "https://api.eu.pagerduty.com";
pub const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";
pub const TOKEN_ENV: &str = "PAGERDUTY_API_TOKEN";
/// The email sent as `From` when `--from` is not given.
pub const FROM_ENV: &str = "PAGERDUTY_FROM";

/// `/incidents` refuses since/until ranges over six months.
const INCIDENT_WINDOW_MONTHS: u32 = 6;
/// `/audit/records` refuses `until` more than 31 days after `since`.
const AUDIT_WINDOW_DAYS: i64 = 31;
const LIMIT: u64 = 100;

/// `--api-url` when given, else the region's API.
pub fn base_url(api_url: Option<&str>, region: Region) -> String {
    match (api_url, region) {
        (Some(url), _) => url.to_string(),
        (None, Region::Us) => US_API.to_string(),
        (None, Region::Eu) => EU_API.to_string(),
    }
}

/// The PagerDuty service region an account lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Us,
    Eu,
}

/// A PagerDuty REST client for `base` with the token.
pub fn client(base: &str, token: &str) -> Result<ApiClient> {
    ApiClient::new(
        "PagerDuty",
        base,
        Credential::pagerduty_token(token),
        ACCEPT,
        TOKEN_ENV,
    )
}

/// Everything one fetch read, ready to be written.
#[derive(Debug, Default)]
pub struct PdSnapshot {
    pub incidents: Vec<Value>,
    pub log_entries: Vec<Value>,
    pub escalation_policies: Vec<Value>,
    pub schedules: Vec<Value>,
    pub overrides: Vec<Value>,
    pub services: Vec<Value>,
    pub priorities: Vec<Value>,
    pub users: Vec<Value>,
    pub audit_records: Vec<Value>,
    /// `None`: the account does not offer the list (the fetch record notes why).
    pub incident_workflows: Option<Vec<Value>>,
    pub workflow_triggers: Option<Vec<Value>>,
    pub response_plays: Option<Vec<Value>>,
    pub automation_actions: Option<Vec<Value>>,
    pub event_orchestrations: Option<Vec<Value>>,
    pub record: FetchRecord,
    /// `--keep-raw`: (path under the snapshot, gzip body) of every answer, in request order.
    pub raw: Vec<(String, Vec<u8>)>,
}

/// Reads every list for incidents created in [since, until). `from` is the email of the user
/// the token acts for, sent as `From` on the calls that need it with an account token.
pub fn fetch(
    client: &ApiClient,
    from: Option<&str>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    progress: Progress,
) -> Result<PdSnapshot> {
    let started = utc_rfc3339(Utc::now());
    let mut windows = Vec::new();
    let tz = || vec![("time_zone".to_string(), "UTC".to_string())];

    let incidents = fetch_incidents(client, since, until, &mut windows, progress)?;
    let log_entries = fetch_log_entries(client, &incidents, since, until, &mut windows, progress)?;

    let mut list =
        |endpoint: &str, key: &str, params: Vec<(String, String)>| -> Result<Vec<Value>> {
            let req = ListRequest {
                endpoint,
                params,
                list_key: key,
                limit: LIMIT,
            };
            let (items, window) = offset_all(client, &req, None, progress)?;
            windows.push(window);
            Ok(items)
        };
    let escalation_policies = sorted_by_id(list(
        "/escalation_policies",
        "escalation_policies",
        Vec::new(),
    )?);
    let schedule_list = sorted_by_id(list("/schedules", "schedules", tz())?);
    let include = |values: &[&str]| -> Vec<(String, String)> {
        values
            .iter()
            .map(|v| ("include[]".to_string(), v.to_string()))
            .collect()
    };
    let mut service_params = tz();
    service_params.extend(include(&["integrations"]));
    let services = sorted_by_id(list("/services", "services", service_params)?);
    let priorities = list("/priorities", "priorities", Vec::new())?;
    let users = sorted_by_id(list(
        "/users",
        "users",
        include(&["contact_methods", "notification_rules"]),
    )?);
    let automation = fetch_automation(client, from, &mut windows, progress)?;

    let mut schedules = Vec::new();
    let mut overrides = Vec::new();
    for s in &schedule_list {
        let (schedule, mut o) = fetch_schedule(client, s, since, until, &mut windows, progress)?;
        schedules.push(schedule);
        overrides.append(&mut o);
    }

    let audit_records = fetch_audit(client, since, until, &mut windows, progress)?;

    Ok(PdSnapshot {
        incidents,
        log_entries,
        escalation_policies,
        schedules,
        overrides,
        services,
        priorities,
        users,
        audit_records,
        incident_workflows: automation.incident_workflows,
        workflow_triggers: automation.workflow_triggers,
        response_plays: automation.response_plays,
        automation_actions: automation.automation_actions,
        event_orchestrations: automation.event_orchestrations,
        record: FetchRecord {
            source: "pagerduty".into(),
            tool: concat!("pagerproof ", env!("CARGO_PKG_VERSION")).into(),
            api_url: client.base().to_string(),
            since: Some(utc_rfc3339(since)),
            until: Some(utc_rfc3339(until)),
            started_at: started,
            finished_at: utc_rfc3339(Utc::now()),
            windows,
            missing_keys: Vec::new(),
        },
        raw: client.take_raw(),
    })
}

fn fetch_incidents(
    client: &ApiClient,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    windows: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Vec<Value>> {
    let req = ListRequest {
        endpoint: "/incidents",
        params: vec![
            ("time_zone".into(), "UTC".into()),
            ("sort_by".into(), "created_at:asc".into()),
            ("include[]".into(), "priorities".into()),
            ("include[]".into(), "external_references".into()),
        ],
        list_key: "incidents",
        limit: LIMIT,
    };
    let items = windowed(
        client,
        &req,
        since,
        until,
        INCIDENT_WINDOW_MONTHS,
        windows,
        progress,
    )?;
    let mut seen = BTreeSet::new();
    let mut out: Vec<Value> = items
        .into_iter()
        .filter(|i| seen.insert(i["id"].as_str().unwrap_or_default().to_string()))
        .collect();
    out.sort_by_key(|i| (i["incident_number"].as_u64().unwrap_or(u64::MAX), id_of(i)));
    Ok(out)
}

/// Timelines: the account-wide log in the incidents' windows (the same entries as per-incident
/// requests for incidents that ended inside the period), plus per-incident requests for the
/// incidents still open, or resolved after, the period's end.
fn fetch_log_entries(
    client: &ApiClient,
    incidents: &[Value],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    windows: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Vec<Value>> {
    let ids: BTreeSet<String> = incidents.iter().map(id_of).collect();
    let mut by_incident: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    if !incidents.is_empty() {
        let req = ListRequest {
            endpoint: "/log_entries",
            params: vec![("time_zone".into(), "UTC".into())],
            list_key: "log_entries",
            limit: LIMIT,
        };
        for e in windowed(
            client,
            &req,
            since,
            until,
            INCIDENT_WINDOW_MONTHS,
            windows,
            progress,
        )? {
            let incident = e["incident"]["id"].as_str().unwrap_or_default().to_string();
            if ids.contains(&incident) {
                by_incident.entry(incident).or_default().push(e);
            }
        }
    }
    for inc in incidents.iter().filter(|i| open_at(i, until)) {
        let id = id_of(inc);
        let endpoint = format!("/incidents/{id}/log_entries");
        let req = ListRequest {
            endpoint: &endpoint,
            params: vec![("time_zone".into(), "UTC".into())],
            list_key: "log_entries",
            limit: LIMIT,
        };
        let note = Some("incident open at the end of the period: its whole log".to_string());
        let (items, window) = offset_all(client, &req, note, progress)?;
        windows.push(window);
        by_incident.insert(id, items);
    }
    let mut out = Vec::new();
    for (_, mut entries) in by_incident {
        // The API lists newest first; reversing keeps same-second entries in the order they happened.
        entries.reverse();
        let mut seen = BTreeSet::new();
        entries.retain(|e| seen.insert(id_of(e)));
        entries.sort_by_key(|e| parse_time(&e["created_at"]));
        out.extend(entries);
    }
    Ok(out)
}

/// Not resolved before `until` (so log entries after the windows may exist). An object of an
/// older API version may say `status: "resolved"` without `resolved_at`: its
/// `last_status_change_at` is then the resolution, not a sign that it is open.
fn open_at(incident: &Value, until: DateTime<Utc>) -> bool {
    let resolved = parse_time(&incident["resolved_at"]).or_else(|| {
        (incident["status"].as_str() == Some("resolved"))
            .then(|| parse_time(&incident["last_status_change_at"]))
            .flatten()
    });
    match resolved {
        Some(r) => r >= until,
        None => incident["status"].as_str() != Some("resolved"),
    }
}

/// One schedule rendered over the period (v2, or v3 when it says so or v2 refuses it) and its
/// overrides.
fn fetch_schedule(
    client: &ApiClient,
    listed: &Value,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    windows: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<(Value, Vec<Value>)> {
    let id = id_of(listed);
    let range = vec![
        ("since".to_string(), utc_rfc3339(since)),
        ("until".to_string(), utc_rfc3339(until)),
        ("time_zone".to_string(), "UTC".to_string()),
    ];
    let v3 = listed["type"].as_str() == Some("schedule_v3");
    let mut get_one =
        |endpoint: String, params: Vec<(String, String)>| -> Result<Value, FetchError> {
            let mut window = new_window(&endpoint, &params, "none", None);
            let (v, mut request) = client.get_recorded(&endpoint, &params)?;
            request.received = 1;
            window.requests.push(request);
            window.pages = 1;
            window.received = 1;
            windows.push(window);
            progress(&endpoint, 1, Some(1));
            Ok(v)
        };
    let v2_result = if v3 {
        None
    } else {
        Some(get_one(format!("/schedules/{id}"), range.clone()))
    };
    let (schedule, prefix) = match v2_result {
        Some(Ok(v)) => (v, ""),
        Some(Err(e)) if e.status() != Some(400) => return Err(e.into()),
        _ => {
            let mut params = range.clone();
            params.push(("include[]".into(), "final_schedule".into()));
            (get_one(format!("/v3/schedules/{id}"), params)?, "/v3")
        }
    };
    let schedule = schedule["schedule"].clone();
    anyhow::ensure!(
        schedule.is_object(),
        "PagerDuty {prefix}/schedules/{id}: no `schedule` object"
    );
    let endpoint = format!("{prefix}/schedules/{id}/overrides");
    let req = ListRequest {
        endpoint: &endpoint,
        params: range,
        list_key: "overrides",
        limit: LIMIT,
    };
    let (items, window) = offset_all(client, &req, None, progress)?;
    windows.push(window);
    let mut overrides: Vec<Value> = items
        .into_iter()
        .map(|o| json!({"schedule_id": id, "override": o}))
        .collect();
    overrides.sort_by_key(|o| (parse_time(&o["override"]["start"]), id_of(&o["override"])));
    Ok((schedule, overrides))
}

/// Audit records; a plan or key without access (402/403) is recorded, not fatal.
fn fetch_audit(
    client: &ApiClient,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    windows: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Vec<Value>> {
    let req = ListRequest {
        endpoint: "/audit/records",
        params: Vec::new(),
        list_key: "records",
        limit: LIMIT,
    };
    let mut got = Vec::new();
    match cursor_windowed(
        client,
        &req,
        since,
        until,
        AUDIT_WINDOW_DAYS,
        &mut got,
        progress,
    ) {
        Ok(mut records) => {
            windows.append(&mut got);
            records.sort_by_key(|r| (parse_time(&r["execution_time"]), id_of(r)));
            Ok(records)
        }
        Err(e) => match e.downcast_ref::<FetchError>() {
            Some(
                fe @ FetchError::Status {
                    status: 402 | 403, ..
                },
            ) => {
                windows.append(&mut got);
                let mut w = new_window(req.endpoint, &[], "cursor", None);
                w.note = Some(format!("unavailable: {fe}"));
                windows.push(w);
                Ok(Vec::new())
            }
            _ => Err(e),
        },
    }
}

/// The `/response_plays` window's note when no `From` header was sent.
pub const NO_FROM_NOTE: &str =
    "sent without a From header (no --from or PAGERDUTY_FROM): an account token may be refused";

/// The optional lists of response automation and routing.
#[derive(Default)]
struct Automation {
    incident_workflows: Option<Vec<Value>>,
    workflow_triggers: Option<Vec<Value>>,
    response_plays: Option<Vec<Value>>,
    automation_actions: Option<Vec<Value>>,
    event_orchestrations: Option<Vec<Value>>,
}

/// Incident workflows and their triggers, response plays, automation actions, and each global
/// event orchestration with its router.
fn fetch_automation(
    client: &ApiClient,
    from: Option<&str>,
    windows: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Automation> {
    let req = |endpoint: &'static str, list_key: &'static str| ListRequest {
        endpoint,
        params: Vec::new(),
        list_key,
        limit: LIMIT,
    };
    let mut out = Automation {
        incident_workflows: optional(
            windows,
            "/incident_workflows",
            &[402, 403, 404],
            "unavailable",
            offset_all(
                client,
                &req("/incident_workflows", "incident_workflows"),
                None,
                progress,
            ),
        )?,
        ..Automation::default()
    };
    if out.incident_workflows.is_some() {
        out.workflow_triggers = optional(
            windows,
            "/incident_workflows/triggers",
            &[402, 403, 404],
            "unavailable",
            cursor_all(
                client,
                &req("/incident_workflows/triggers", "triggers"),
                progress,
            ),
        )?;
    }
    // Legacy: removed from the API in 2025; an account without them answers 400, 403 or 404.
    // With an account token PagerDuty wants `From: <email>` here (go-pagerduty always sends it).
    let from_header: Vec<(&'static str, &str)> = from.map(|f| ("From", f)).into_iter().collect();
    let plays = client
        .get_recorded_with("/response_plays", &[], &from_header)
        .map_err(anyhow::Error::from)
        .and_then(|(v, mut request)| {
            let items = v["response_plays"].as_array().cloned().with_context(|| {
                format!(
                    "{} /response_plays: no `response_plays` list",
                    client.base()
                )
            })?;
            let mut window = new_window("/response_plays", &[], "none", None);
            request.received = items.len() as u64;
            window.requests.push(request);
            window.pages = 1;
            window.received = items.len() as u64;
            progress("/response_plays", window.received, None);
            Ok((items, window))
        });
    out.response_plays = optional(
        windows,
        "/response_plays",
        &[400, 403, 404],
        "not used",
        plays,
    )?;
    if from.is_none() {
        // Said in the record either way: a refusal may be the missing header, not a legacy account.
        if let Some(w) = windows
            .iter_mut()
            .rfind(|w| w.endpoint == "/response_plays")
        {
            w.note = Some(match w.note.take() {
                Some(n) => format!("{n}; {NO_FROM_NOTE}"),
                None => NO_FROM_NOTE.to_string(),
            });
        }
    }
    out.automation_actions = optional(
        windows,
        "/automation_actions/actions",
        &[402, 403, 404],
        "unavailable",
        cursor_all(
            client,
            &req("/automation_actions/actions", "actions"),
            progress,
        ),
    )?;
    let listed = optional(
        windows,
        "/event_orchestrations",
        &[402, 403, 404],
        "unavailable",
        offset_all(
            client,
            &req("/event_orchestrations", "orchestrations"),
            None,
            progress,
        ),
    )?;
    if let Some(listed) = listed {
        let mut records = Vec::new();
        for o in sorted_by_id(listed) {
            let endpoint = format!("/event_orchestrations/{}/router", id_of(&o));
            let mut window = new_window(&endpoint, &[], "none", None);
            let (router, mut request) = client.get_recorded(&endpoint, &[])?;
            request.received = 1;
            window.requests.push(request);
            window.pages = 1;
            window.received = 1;
            windows.push(window);
            progress(&endpoint, 1, Some(1));
            records.push(json!({"orchestration": o, "router": router}));
        }
        out.event_orchestrations = Some(records);
    }
    for list in [
        &mut out.incident_workflows,
        &mut out.workflow_triggers,
        &mut out.response_plays,
        &mut out.automation_actions,
    ]
    .into_iter()
    .flatten()
    {
        list.sort_by_key(id_of);
    }
    Ok(out)
}

/// A list the account may not offer: one of `absent` statuses becomes a window noting
/// `<word>: <error>` and `None`; anything else fails the fetch.
fn optional(
    windows: &mut Vec<FetchWindow>,
    endpoint: &str,
    absent: &[u16],
    word: &str,
    got: Result<(Vec<Value>, FetchWindow)>,
) -> Result<Option<Vec<Value>>> {
    match got {
        Ok((items, window)) => {
            windows.push(window);
            Ok(Some(items))
        }
        Err(e) => match e.downcast_ref::<FetchError>() {
            Some(fe) if fe.status().is_some_and(|s| absent.contains(&s)) => {
                let mut w = new_window(endpoint, &[], "none", None);
                w.note = Some(format!("{word}: {fe}"));
                windows.push(w);
                Ok(None)
            }
            _ => Err(e),
        },
    }
}

/// Writes the snapshot into `dir`, replacing what was there only once everything is written.
pub fn write_snapshot(dir: &Path, snap: &PdSnapshot) -> Result<()> {
    let files: [(&str, &[Value]); 9] = [
        (INCIDENTS, &snap.incidents),
        (LOG_ENTRIES, &snap.log_entries),
        (ESCALATION_POLICIES, &snap.escalation_policies),
        (SCHEDULES, &snap.schedules),
        (OVERRIDES, &snap.overrides),
        (SERVICES, &snap.services),
        (PRIORITIES, &snap.priorities),
        (USERS, &snap.users),
        (AUDIT_RECORDS, &snap.audit_records),
    ];
    let optional: [(&str, &Option<Vec<Value>>); 5] = [
        (INCIDENT_WORKFLOWS, &snap.incident_workflows),
        (WORKFLOW_TRIGGERS, &snap.workflow_triggers),
        (RESPONSE_PLAYS, &snap.response_plays),
        (AUTOMATION_ACTIONS, &snap.automation_actions),
        (EVENT_ORCHESTRATIONS, &snap.event_orchestrations),
    ];
    super::write_dir_atomically(dir, |tmp| {
        for (name, records) in files {
            super::write_jsonl(&tmp.join(name), records)?;
        }
        for (name, records) in optional {
            if let Some(records) = records {
                super::write_jsonl(&tmp.join(name), records)?;
            }
        }
        super::write_raw(tmp, &snap.raw)?;
        super::write_json(
            &tmp.join(FETCH_RECORD),
            &serde_json::to_value(&snap.record)?,
        )
    })
}

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

fn sorted_by_id(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by_key(id_of);
    items
}

/// An RFC 3339 timestamp (any offset, optional fraction) as UTC.
pub fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The period [start 00:00 local, the day after end 00:00 local) as UTC instants.
pub fn period_bounds(
    tz: chrono_tz::Tz,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let local_midnight = |d: chrono::NaiveDate| -> Result<DateTime<Utc>> {
        use chrono::TimeZone;
        let naive = d.and_hms_opt(0, 0, 0).context("midnight")?;
        let t = tz
            .from_local_datetime(&naive)
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                    .earliest()
            })
            .with_context(|| format!("{d} 00:00 does not exist in {tz}"))?;
        Ok(t.with_timezone(&Utc))
    };
    let next = end.succ_opt().context("end date out of range")?;
    Ok((local_midnight(start)?, local_midnight(next)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_is_whole_local_days_end_inclusive() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (a, b) = period_bounds(
            chrono_tz::America::New_York,
            d("2026-01-01"),
            d("2026-06-30"),
        )
        .unwrap();
        assert_eq!(utc_rfc3339(a), "2026-01-01T05:00:00Z");
        assert_eq!(utc_rfc3339(b), "2026-07-01T04:00:00Z");
    }

    #[test]
    fn region_picks_the_api_unless_a_url_is_given() {
        assert_eq!(base_url(None, Region::Us), "https://api.pagerduty.com");
        assert_eq!(base_url(None, Region::Eu), "https://api.eu.pagerduty.com");
        assert_eq!(
            base_url(Some("http://127.0.0.1:9"), Region::Eu),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn open_incidents_are_those_unresolved_at_the_end() {
        let until = parse_time(&json!("2026-07-01T04:00:00Z")).unwrap();
        assert!(open_at(&json!({"resolved_at": null}), until));
        assert!(open_at(
            &json!({"resolved_at": "2026-07-01T04:00:00Z"}),
            until
        ));
        assert!(!open_at(
            &json!({"resolved_at": "2026-06-30T04:00:00Z"}),
            until
        ));
        // An older API version's object: resolved, no `resolved_at`, its last status change
        // is the resolution (devlake capture, incident #6).
        let old = json!({"status": "resolved", "last_status_change_at": "2022-11-03T06:51:44Z"});
        assert!(!open_at(&old, until));
        assert!(!open_at(&json!({"status": "resolved"}), until));
        assert!(open_at(&json!({"status": "acknowledged"}), until));
    }
}
