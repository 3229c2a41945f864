//! The example's Statuspage snapshot (`content/statuspage/`): a year of public incidents posted
//! after PagerDuty detected them, one posted before (`detected_after_customers`), one on a
//! component no service is mapped to (`statuspage_unmatched`), and scheduled maintenance.
//!
//! Outcomes hold by construction under evidence-rules §9: a "detected first" notice is posted
//! after its incident, so the earliest match is at or before it; the "after" notice is placed
//! where no incident of its component's services precedes it within the window.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::company::SERVICES;
use crate::incidents::{Calendar, Inc};
use pagerproof::model::{FetchRecord, FetchWindow};
use pagerproof::util::utc_rfc3339;

/// `site.toml [statuspage] components`: component name → PagerDuty service names.
pub const COMPONENTS: [(&str, &[&str]); 4] = [
    ("Checkout", &["checkout-api", "payments-gateway"]),
    ("Web app", &["web-app"]),
    ("Login", &["auth-service"]),
    ("Search", &["search"]),
];
/// A component no service is mapped to: its notice cannot be matched.
const UNMAPPED: &str = "Email delivery";
/// `match_window` in site.toml.
pub const WINDOW_MINUTES: i64 = 120;
const PUBLIC: usize = 11;

/// One planned notice and its outcome.
pub struct Notice {
    pub record: Value,
    /// `Some(kind)` when the notice is an exception.
    pub exception: Option<&'static str>,
    pub id: String,
}

fn component_of(service: usize) -> Option<(usize, &'static str)> {
    COMPONENTS
        .iter()
        .enumerate()
        .find(|(_, (_, services))| services.contains(&SERVICES[service].name))
        .map(|(i, (name, _))| (i, *name))
}

fn record(
    id: &str,
    name: &str,
    impact: &str,
    created: DateTime<Utc>,
    component: (usize, &str),
) -> Value {
    json!({
        "id": id, "name": name, "status": "resolved", "impact": impact,
        "created_at": created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "resolved_at": (created + Duration::minutes(75)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "scheduled_for": null,
        "shortlink": format!("https://stspg.io/{id}"),
        "components": [{"id": format!("cmp{:02}", component.0 + 1), "name": component.1}],
    })
}

/// The notices for the population; `counted(i)` is an in-period incident with an accepted row.
pub fn plan(incs: &[Inc], counted: &dyn Fn(usize) -> bool, year: i32) -> Vec<Notice> {
    let candidates: Vec<usize> = (0..incs.len())
        .filter(|&i| counted(i) && incs[i].priority <= 1 && component_of(incs[i].service).is_some())
        .collect();
    let mut out = Vec::new();
    if candidates.is_empty() {
        return out;
    }
    let step = (candidates.len() / PUBLIC).max(1);
    let window = Duration::minutes(WINDOW_MINUTES);
    // Any incident (whatever its row) of the component's services in [from, to).
    let busy = |component: usize, from: DateTime<Utc>, to: DateTime<Utc>| {
        incs.iter().any(|o| {
            component_of(o.service).map(|c| c.0) == Some(component)
                && o.created >= from
                && o.created < to
        })
    };
    let mut after_done = false;
    for (k, &i) in candidates.iter().step_by(step).take(PUBLIC).enumerate() {
        let inc = &incs[i];
        let component = component_of(inc.service).expect("filtered");
        let id = format!("sp{:04}", inc.number);
        let name = format!("Degraded {}", component.1.to_lowercase());
        let impact = if inc.priority == 0 { "major" } else { "minor" };
        // The middle notice is posted before PagerDuty had the incident, where nothing of its
        // component came earlier within the window.
        let early = inc.created - Duration::minutes(18);
        if !after_done && k >= PUBLIC / 2 && !busy(component.0, early - window, inc.created) {
            after_done = true;
            out.push(Notice {
                record: record(&id, &name, impact, early, component),
                exception: Some("detected_after_customers"),
                id,
            });
            continue;
        }
        let lead = Duration::minutes(6 + (k as i64 * 7) % 30);
        out.push(Notice {
            record: record(&id, &name, impact, inc.created + lead, component),
            exception: None,
            id,
        });
    }
    let at = |m: u32, d: u32, h: u32| Utc.with_ymd_and_hms(year, m, d, h, 5, 0).unwrap();
    out.push(Notice {
        record: record(
            "spmail0812",
            "Delayed order confirmation emails",
            "minor",
            at(8, 12, 14),
            (COMPONENTS.len(), UNMAPPED),
        ),
        exception: Some("statuspage_unmatched"),
        id: "spmail0812".into(),
    });
    for (id, name, m, d) in [
        (
            "spmaint0307",
            "Database maintenance: postgres 16 upgrade",
            3,
            7,
        ),
        (
            "spmaint1017",
            "Scheduled maintenance: payment provider cutover",
            10,
            17,
        ),
    ] {
        let mut r = record(
            id,
            name,
            "maintenance",
            at(m, d - 5, 15),
            (0, COMPONENTS[0].0),
        );
        r["status"] = json!("completed");
        r["scheduled_for"] = json!(at(m, d, 7).format("%Y-%m-%dT%H:%M:%SZ").to_string());
        r["scheduled_until"] = json!(at(m, d, 9).format("%Y-%m-%dT%H:%M:%SZ").to_string());
        out.push(Notice {
            record: r,
            exception: None,
            id: id.into(),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// `content/statuspage/incidents.jsonl` (sorted by id, as `fetch statuspage` writes it).
pub fn write(out: &Path, notices: &[Notice], cal: &Calendar) -> Result<()> {
    let mut text = String::new();
    for n in notices {
        text.push_str(&serde_json::to_string(&n.record)?);
        text.push('\n');
    }
    crate::write_file(out, "content/statuspage/incidents.jsonl", text.as_bytes())?;
    let components = components();
    let mut text = String::new();
    for c in &components {
        text.push_str(&serde_json::to_string(c)?);
        text.push('\n');
    }
    crate::write_file(out, "content/statuspage/components.jsonl", text.as_bytes())?;
    let record = fetch_record(notices, &components, cal);
    let mut text = serde_json::to_string_pretty(&serde_json::to_value(&record)?)?;
    text.push('\n');
    crate::write_file(out, "content/statuspage/fetch-record.json", text.as_bytes())
}

/// The page's components as `GET /v1/pages/{page_id}/components` lists them, sorted by id.
fn components() -> Vec<Value> {
    COMPONENTS
        .iter()
        .map(|(name, _)| *name)
        .chain([UNMAPPED])
        .enumerate()
        .map(|(i, name)| {
            json!({"id": format!("cmp{:02}", i + 1), "page_id": PAGE_ID, "name": name,
                   "status": "operational", "position": i + 1, "group": false})
        })
        .collect()
}

/// The Statuspage page of the example.
const PAGE_ID: &str = "nw7k2pq4x9ds";

/// `fetch statuspage --page-id` run after the Jira fetch: the incidents newest first in pages of
/// 100 until a short one, then the components; one second between requests.
fn fetch_record(notices: &[Notice], components: &[Value], cal: &Calendar) -> FetchRecord {
    use crate::fetch_pages::answered;
    let started = cal.now + Duration::hours(9) + Duration::minutes(36) + Duration::seconds(12);
    let mut clock = started;
    let mut newest_first: Vec<&Value> = notices.iter().map(|n| &n.record).collect();
    newest_first.sort_by(|a, b| b["created_at"].as_str().cmp(&a["created_at"].as_str()));
    let mut windows = Vec::new();
    for (list, size_key, all) in [
        ("incidents", "limit", newest_first),
        ("components", "per_page", components.iter().collect()),
    ] {
        clock += Duration::seconds(1);
        let at = utc_rfc3339(clock);
        // A full last page is followed by an empty one: `fetch` stops at a short page.
        let pages: Vec<&[&Value]> = all.chunks(100).chain([&[][..]]).collect();
        let pages = &pages[..all.len() / 100 + 1];
        let requests = pages
            .iter()
            .enumerate()
            .map(|(i, page)| {
                let params = [(size_key, "100".to_string()), ("page", (i + 1).to_string())];
                answered(&params, &at, &json!(page), page.len())
            })
            .collect::<Vec<_>>();
        clock += Duration::seconds(requests.len() as i64);
        windows.push(FetchWindow {
            endpoint: format!("/v1/pages/{PAGE_ID}/{list}"),
            params: Vec::new(),
            fetched_at: at,
            pagination: "page".into(),
            pages: requests.len() as u64,
            received: all.len() as u64,
            reported: None,
            note: None,
            requests,
        });
    }
    FetchRecord {
        source: "statuspage".into(),
        tool: concat!("pagerproof ", env!("CARGO_PKG_VERSION")).into(),
        api_url: pagerproof::fetch::statuspage::DEFAULT_API.into(),
        since: None,
        until: None,
        started_at: utc_rfc3339(started),
        finished_at: utc_rfc3339(clock + Duration::seconds(1)),
        windows,
        missing_keys: Vec::new(),
    }
}
