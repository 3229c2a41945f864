//! The Jira snapshot of the example, in the layout `pagerproof fetch jira` writes (see
//! [`pagerproof::fetch::jira`]): every issue the postmortems' action items and the incident titles
//! reference, as Jira Cloud returns them, plus the fetch record.
//!
//! The tickets mostly agree with the action items' own status. A few do not, as in real life,
//! and the snapshot decides (evidence-rules.md §5): items marked done in the postmortem whose
//! ticket is still open or in review (so they are overdue), and an item the document still calls
//! open whose ticket was closed.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use super::company::{self, SERVICES};
use super::exports;
use super::incidents::{Calendar, Inc, person};
use super::postmortems::Pm;
use super::rng::Rng;
use super::write_file;
use pagerproof::model::{FetchRecord, FetchWindow};
use pagerproof::util::utc_rfc3339;

/// A Jira workflow status: name, `statusCategory.key`, resolution when closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub name: &'static str,
    pub category: &'static str,
    pub resolution: Option<&'static str>,
}

const TO_DO: Status = Status {
    name: "To Do",
    category: "new",
    resolution: None,
};
const IN_PROGRESS: Status = Status {
    name: "In Progress",
    category: "indeterminate",
    resolution: None,
};
const IN_REVIEW: Status = Status {
    name: "In Review",
    category: "indeterminate",
    resolution: None,
};
const DONE: Status = Status {
    name: "Done",
    category: "done",
    resolution: Some("Done"),
};

#[derive(Debug, Clone)]
pub struct Issue {
    pub key: String,
    pub summary: String,
    pub status: Status,
    pub due: Option<NaiveDate>,
    pub assignee: Option<&'static str>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub resolved: Option<DateTime<Utc>>,
    pub issuetype: &'static str,
}

impl Issue {
    pub fn done(&self) -> bool {
        self.status.category == "done"
    }
}

/// The snapshot's issues by key, and the keys whose ticket disagrees with its action item.
#[derive(Debug, Clone, Default)]
pub struct Jira {
    pub issues: BTreeMap<String, Issue>,
    pub disagreements: Vec<String>,
}

impl Jira {
    /// Done as the build decides it: by the ticket when the snapshot holds it.
    pub fn done(&self, key: Option<&str>, own: bool) -> bool {
        key.and_then(|k| self.issues.get(k))
            .map_or(own, Issue::done)
    }
}

fn status_of(item_status: &str) -> Status {
    match item_status {
        "done" | "closed" | "completed" | "resolved" => DONE,
        "in_progress" => IN_PROGRESS,
        _ => TO_DO,
    }
}

/// The tickets of every tracked action item and of the incident titles the exports hold.
/// `judged(k)`: postmortem `k` links an incident the build counts, so its items are judged.
pub fn plan(
    pms: &[Pm],
    incs: &[Inc],
    cal: &Calendar,
    judged: &dyn Fn(usize) -> bool,
    seed: u64,
) -> Jira {
    let mut rng = Rng::stream(seed, "jira");
    let as_of = cal.as_of();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for item in pms.iter().flat_map(|pm| &pm.items) {
        if let Some(key) = &item.tracker {
            *uses.entry(key.as_str()).or_default() += 1;
        }
    }
    let mut jira = Jira::default();
    // Candidates for disagreement: a key of one item only, in a judged postmortem, due by the
    // as-of date. (postmortem, item) indices.
    let mut marked_done = Vec::new();
    let mut marked_open = Vec::new();
    for (k, pm) in pms.iter().enumerate() {
        let opened =
            (pm.created_at + Duration::hours(rng.between(2, 30))).min(cal.now - Duration::hours(8));
        for (j, item) in pm.items.iter().enumerate() {
            let Some(key) = &item.tracker else { continue };
            if jira.issues.contains_key(key) {
                continue;
            }
            let status = status_of(item.status);
            let created = opened + Duration::minutes(j as i64 * rng.between(1, 9));
            let (updated, resolved) = timestamps(&mut rng, cal, created, item.due, status);
            jira.issues.insert(
                key.clone(),
                Issue {
                    key: key.clone(),
                    summary: item.title.to_string(),
                    status,
                    due: item.due,
                    assignee: item.owner,
                    created,
                    updated,
                    resolved,
                    issuetype: "Task",
                },
            );
            let candidate =
                uses[key.as_str()] == 1 && judged(k) && item.due.is_some_and(|d| d <= as_of);
            if candidate && item.done() {
                marked_done.push(key.clone());
            } else if candidate {
                marked_open.push(key.clone());
            }
        }
    }
    rng.shuffle(&mut marked_done);
    rng.shuffle(&mut marked_open);
    let reopened = marked_done
        .iter()
        .take(2)
        .cloned()
        .zip([IN_PROGRESS, IN_REVIEW]);
    let closed = marked_open.first().cloned().map(|k| (k, DONE));
    for (key, status) in reopened.chain(closed) {
        let issue = jira.issues.get_mut(&key).expect("planned above");
        let (updated, resolved) = timestamps(&mut rng, cal, issue.created, issue.due, status);
        issue.status = status;
        issue.updated = updated;
        issue.resolved = resolved;
        jira.disagreements.push(key);
    }
    jira.disagreements.sort();
    for (key, i) in title_keys(incs, cal) {
        if jira.issues.contains_key(&key) {
            continue;
        }
        let inc = &incs[i];
        let created = inc.created - Duration::hours(rng.between(1, 24 * 20));
        let status = if rng.chance(850) { DONE } else { IN_PROGRESS };
        let (updated, resolved) = timestamps(&mut rng, cal, inc.created, None, status);
        let title = inc.title.trim();
        let summary = title.split(" (OPS-").next().unwrap_or(title);
        jira.issues.insert(
            key.clone(),
            Issue {
                key,
                summary: format!("Recurring alert: {summary}"),
                status,
                due: None,
                assignee: Some(person(inc.acked_by.unwrap_or(inc.assigned)).name),
                created,
                updated,
                resolved,
                issuetype: "Bug",
            },
        );
    }
    jira
}

/// Keys in the titles of the incidents the CSV exports hold (what `fetch jira` also asks for),
/// each with the first incident naming it.
fn title_keys(incs: &[Inc], cal: &Calendar) -> BTreeMap<String, usize> {
    let mut keys = BTreeMap::new();
    let exports = exports::exports(cal);
    for (i, inc) in incs.iter().enumerate() {
        if !inc.title.contains('-') || !exports.iter().any(|e| e.holds(inc, cal)) {
            continue;
        }
        for key in pagerproof::util::jira_keys(&inc.title) {
            keys.entry(key).or_insert(i);
        }
    }
    keys
}

/// Last update and resolution time of a ticket in `status`, before the snapshot was taken.
fn timestamps(
    rng: &mut Rng,
    cal: &Calendar,
    created: DateTime<Utc>,
    due: Option<NaiveDate>,
    status: Status,
) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    let latest = cal.now - Duration::hours(1);
    let around_due = due.map_or(created + Duration::days(20), |d| {
        cal.instant(d.and_hms_opt(12, 0, 0).unwrap())
    });
    let mut at = around_due
        - Duration::hours(rng.between(2, 24 * 6))
        - Duration::seconds(rng.between(0, 3599));
    if at > latest {
        // Due after the snapshot: worked on in its last fortnight.
        at = latest - Duration::seconds(rng.between(3600, 14 * 86_400));
    }
    let at = at.max(created + Duration::hours(3)).min(latest);
    match status.resolution {
        Some(_) => (
            at + Duration::minutes(rng.between(1, 50)).min(latest - at),
            Some(at),
        ),
        None => (at, None),
    }
}

fn project_name(project: &str) -> &'static str {
    match project {
        "CHK" => "Checkout",
        "WEB" => "Web App",
        "PAY" => "Payments",
        "IAM" => "Identity & Access",
        "SRCH" => "Search",
        "DATA" => "Data Platform",
        "NOTIF" => "Notifications",
        "DBA" => "Database Platform",
        "OPS" => "Operations",
        _ => "Site Reliability",
    }
}

/// Jira Cloud's timestamp form: milliseconds and a `+0000` offset.
fn jira_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

fn account_id(name: &str) -> String {
    let digest = pagerproof::util::sha256_hex(name.as_bytes());
    format!("712020:{}", &digest[..32])
}

fn issue_json(issue: &Issue, id: u64) -> Value {
    let project = issue.key.split('-').next().unwrap_or_default();
    let project_id = SERVICES
        .iter()
        .position(|s| s.jira == project)
        .map_or(10_000, |p| 10_001 + p as u64);
    let status_id = match issue.status.name {
        "To Do" => "10000",
        "In Progress" => "3",
        "In Review" => "10002",
        _ => "10001",
    };
    let category = match issue.status.category {
        "new" => json!({"id": 2, "key": "new", "name": "To Do"}),
        "indeterminate" => json!({"id": 4, "key": "indeterminate", "name": "In Progress"}),
        _ => json!({"id": 3, "key": "done", "name": "Done"}),
    };
    json!({
        "id": id.to_string(),
        "key": issue.key,
        "self": format!("{}/rest/api/3/issue/{id}", company::JIRA),
        "fields": {
            "summary": issue.summary,
            "issuetype": {"id": if issue.issuetype == "Bug" { "10004" } else { "10002" }, "name": issue.issuetype},
            "project": {"id": project_id.to_string(), "key": project, "name": project_name(project)},
            "status": {"id": status_id, "name": issue.status.name, "statusCategory": category},
            "resolution": issue.status.resolution.map(|r| json!({"id": "10000", "name": r})),
            "resolutiondate": issue.resolved.map(jira_time),
            "created": jira_time(issue.created),
            "updated": jira_time(issue.updated),
            "duedate": issue.due.map(|d| d.to_string()),
            "priority": {"id": "3", "name": "Medium"},
            "assignee": issue.assignee.map(|name| json!({
                "accountId": account_id(name),
                "displayName": name,
                "active": true,
                "timeZone": "America/New_York",
            })),
        },
    })
}

/// Writes `content/jira/issues.jsonl` and `content/jira/fetch-record.json`.
pub fn write(out: &Path, jira: &Jira, cal: &Calendar) -> Result<()> {
    let mut text = String::new();
    // Issue ids grow with creation, as Jira numbers them.
    let mut by_creation: Vec<&Issue> = jira.issues.values().collect();
    by_creation.sort_by(|a, b| (a.created, &a.key).cmp(&(b.created, &b.key)));
    let ids: BTreeMap<&str, u64> = by_creation
        .iter()
        .enumerate()
        .map(|(n, i)| (i.key.as_str(), 31_400 + 7 * n as u64))
        .collect();
    for issue in jira.issues.values() {
        text.push_str(&serde_json::to_string(&issue_json(
            issue,
            ids[issue.key.as_str()],
        ))?);
        text.push('\n');
    }
    write_file(
        out,
        &format!("content/jira/{}", pagerproof::model::layout::jira::ISSUES),
        text.as_bytes(),
    )?;
    let mut record = serde_json::to_value(fetch_record(jira, cal))?;
    record["missing_keys"] = json!([]);
    let mut text = serde_json::to_string_pretty(&record)?;
    text.push('\n');
    write_file(
        out,
        &format!(
            "content/jira/{}",
            pagerproof::model::layout::jira::FETCH_RECORD
        ),
        text.as_bytes(),
    )
}

/// Jira Cloud searches in batches of 50 keys, one page each, fetched after the PagerDuty
/// snapshot on the first day after the period.
fn fetch_record(jira: &Jira, cal: &Calendar) -> FetchRecord {
    let started = cal.now + Duration::hours(9) + Duration::minutes(31) + Duration::seconds(44);
    let keys: Vec<&str> = jira.issues.keys().map(String::as_str).collect();
    let windows: Vec<FetchWindow> = keys
        .chunks(50)
        .enumerate()
        .map(|(n, batch)| FetchWindow {
            endpoint: "/rest/api/3/search/jql".into(),
            params: vec![
                (
                    "jql".into(),
                    format!("key in ({}) ORDER BY key", batch.join(",")),
                ),
                ("fields".into(), pagerproof::fetch::jira::FIELDS.into()),
                ("maxResults".into(), "50".into()),
            ],
            fetched_at: utc_rfc3339(started + Duration::seconds(n as i64 + 1)),
            pagination: "token".into(),
            pages: 1,
            received: batch.len() as u64,
            reported: None,
            note: None,
            // Generated, not fetched: there is no response body to hash.
            requests: Vec::new(),
        })
        .collect();
    let finished = started + Duration::seconds(windows.len() as i64 + 2);
    FetchRecord {
        source: "jira".into(),
        tool: concat!("pagerproof ", env!("CARGO_PKG_VERSION")).into(),
        api_url: company::JIRA.into(),
        since: None,
        until: None,
        started_at: utc_rfc3339(started),
        finished_at: utc_rfc3339(finished),
        windows,
        missing_keys: Vec::new(),
    }
}
