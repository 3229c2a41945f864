//! Reading whole lists: classic offset pagination (with PagerDuty's 10,000 offset+limit cap and
//! `total=true` reconciliation), time windows split until each fits, and cursor pagination.
//! Every window read is appended to the fetch record.

use anyhow::{Result, bail};
use chrono::{DateTime, Months, Utc};
use serde_json::Value;

use super::client::ApiClient;
use crate::model::{FetchRequest, FetchWindow};
use crate::util::utc_rfc3339;

/// `offset + limit` may not exceed this (PagerDuty answers HTTP 400 beyond it).
pub const OFFSET_CAP: u64 = 10_000;

/// Told after every page read: the endpoint, the records read so far in the window being read
/// (a window starts the count again), and the total the API reported for that window when it
/// reported one (classic pagination with `total=true`; cursor and page-numbered lists have none;
/// a one-record read is its own window of one). Drives the progress bar.
pub type Progress<'a> = &'a dyn Fn(&str, u64, Option<u64>);

/// One list request: endpoint, fixed parameters, the key of the list in the response.
#[derive(Debug, Clone)]
pub struct ListRequest<'a> {
    pub endpoint: &'a str,
    pub params: Vec<(String, String)>,
    pub list_key: &'a str,
    pub limit: u64,
}

/// A page of an offset-paginated list.
#[derive(Debug)]
struct Page {
    items: Vec<Value>,
    more: bool,
    total: Option<u64>,
    request: FetchRequest,
}

fn offset_page(client: &ApiClient, req: &ListRequest, offset: u64) -> Result<Page> {
    let mut params = req.params.clone();
    params.push(("limit".into(), req.limit.to_string()));
    params.push(("offset".into(), offset.to_string()));
    params.push(("total".into(), "true".into()));
    let (v, mut request) = client.get_recorded(req.endpoint, &params)?;
    let Some((items, more, total)) = read_page(&v, req.list_key) else {
        bail!(
            "{} {}: the response has no `{}` list",
            client.base(),
            req.endpoint,
            req.list_key
        );
    };
    request.received = items.len() as u64;
    request.reported = total;
    Ok(Page {
        items,
        more,
        total,
        request,
    })
}

/// A classic page's records, `more` and `total` (`null` unless asked with `total=true`); `None`
/// when it has no `list_key` list.
fn read_page(v: &Value, list_key: &str) -> Option<(Vec<Value>, bool, Option<u64>)> {
    let items = v[list_key].as_array()?.clone();
    Some((
        items,
        v["more"].as_bool().unwrap_or(false),
        v["total"].as_u64(),
    ))
}

/// Every record of an offset-paginated list, with its fetch-record window. Fails before crossing
/// the offset cap, and when the received count differs from a reported total.
pub fn offset_all(
    client: &ApiClient,
    req: &ListRequest,
    note: Option<String>,
    progress: Progress,
) -> Result<(Vec<Value>, FetchWindow)> {
    let mut window = new_window(req.endpoint, &req.params, "offset", note);
    let first = offset_page(client, req, 0)?;
    read_rest(client, req, first, &mut window, progress)
}

fn read_rest(
    client: &ApiClient,
    req: &ListRequest,
    first: Page,
    window: &mut FetchWindow,
    progress: Progress,
) -> Result<(Vec<Value>, FetchWindow)> {
    window.reported = first.total;
    let mut items = Vec::new();
    let mut page = first;
    loop {
        window.pages += 1;
        window.requests.push(page.request);
        let got = page.items.len() as u64;
        items.extend(page.items);
        progress(req.endpoint, items.len() as u64, window.reported);
        if !page.more || got == 0 {
            break;
        }
        let offset = items.len() as u64;
        if offset + req.limit > OFFSET_CAP {
            bail!(
                "{} {} with {:?}: more than {OFFSET_CAP} records, past PagerDuty's offset+limit cap \
                 (reported total {:?})",
                client.base(),
                req.endpoint,
                req.params,
                window.reported
            );
        }
        page = offset_page(client, req, offset)?;
        if page.total.is_some() && page.total != window.reported {
            bail!(
                "{} {} with {:?}: the reported total changed from {:?} to {:?} while paging",
                client.base(),
                req.endpoint,
                req.params,
                window.reported,
                page.total
            );
        }
    }
    window.received = items.len() as u64;
    if !window.reconciled() {
        bail!(
            "{} {} with {:?}: received {} records but the API reported {} (total=true); the \
             snapshot would be incomplete",
            client.base(),
            req.endpoint,
            req.params,
            window.received,
            window.reported.unwrap_or_default()
        );
    }
    Ok((items, window.clone()))
}

/// Every record created in [since, until) of a time-windowed offset list (`/incidents`,
/// `/log_entries`): windows of at most `max_months`, each split in half while its reported total
/// would pass the offset cap. Every window is recorded, oldest first; a split window's received
/// count is the sum of its halves, so it too must equal the total it reported.
pub fn windowed(
    client: &ApiClient,
    req: &ListRequest,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    max_months: u32,
    record: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Vec<Value>> {
    let mut items = Vec::new();
    for (from, to) in month_windows(since, until, max_months) {
        items.extend(read_window(client, req, from, to, record, progress)?);
    }
    Ok(items)
}

fn read_window(
    client: &ApiClient,
    req: &ListRequest,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    record: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Vec<Value>> {
    let mut wreq = req.clone();
    wreq.params.push(("since".into(), utc_rfc3339(from)));
    wreq.params.push(("until".into(), utc_rfc3339(to)));
    let mut window = new_window(req.endpoint, &wreq.params, "offset", None);
    let first = offset_page(client, &wreq, 0)?;
    let Some(total) = first.total else {
        bail!(
            "{} {}: no `total` in the response to total=true; cannot prove the window complete",
            client.base(),
            req.endpoint
        );
    };
    if total <= OFFSET_CAP {
        let (got, window) = read_rest(client, &wreq, first, &mut window, progress)?;
        record.push(window);
        return Ok(got);
    }
    let mid = from + (to - from) / 2;
    let mid = DateTime::from_timestamp(mid.timestamp(), 0).unwrap_or(mid);
    if mid <= from {
        bail!(
            "{} {}: {total} records in one second; cannot split further",
            client.base(),
            req.endpoint
        );
    }
    window.pages = 1;
    window.requests.push(first.request);
    window.reported = Some(total);
    window.note = Some(format!(
        "split at {}: total {total} exceeds the {OFFSET_CAP} offset+limit cap; received = both halves",
        utc_rfc3339(mid)
    ));
    let slot = record.len();
    record.push(window);
    let mut got = read_window(client, req, from, mid, record, progress)?;
    got.extend(read_window(client, req, mid, to, record, progress)?);
    // Should the API treat `until` as inclusive, a record at `mid` comes back in both halves.
    let mut seen = std::collections::BTreeSet::new();
    got.retain(|v| {
        v["id"]
            .as_str()
            .is_none_or(|id| seen.insert(id.to_string()))
    });
    record[slot].received = got.len() as u64;
    if got.len() as u64 != total {
        bail!(
            "{} {} with {:?}: its halves hold {} records but the window reported {total}; the \
             snapshot would be incomplete",
            client.base(),
            req.endpoint,
            wreq.params,
            got.len()
        );
    }
    Ok(got)
}

/// Every record of a cursor-paginated list (`/audit/records`) in [since, until), in windows of at
/// most `max_days` days.
pub fn cursor_windowed(
    client: &ApiClient,
    req: &ListRequest,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    max_days: i64,
    record: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Vec<Value>> {
    let mut items = Vec::new();
    let mut from = since;
    while from < until {
        let to = (from + chrono::Duration::days(max_days)).min(until);
        let mut wreq = req.clone();
        wreq.params.push(("since".into(), utc_rfc3339(from)));
        wreq.params.push(("until".into(), utc_rfc3339(to)));
        let (got, window) = cursor_all(client, &wreq, progress)?;
        record.push(window);
        items.extend(got);
        from = to;
    }
    Ok(items)
}

/// Every record of one cursor-paginated request: follow `next_cursor` until it is null.
pub fn cursor_all(
    client: &ApiClient,
    req: &ListRequest,
    progress: Progress,
) -> Result<(Vec<Value>, FetchWindow)> {
    let mut window = new_window(req.endpoint, &req.params, "cursor", None);
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = req.params.clone();
        params.push(("limit".into(), req.limit.to_string()));
        if let Some(c) = &cursor {
            params.push(("cursor".into(), c.clone()));
        }
        let (v, mut request) = client.get_recorded(req.endpoint, &params)?;
        let Some(page) = v[req.list_key].as_array() else {
            bail!(
                "{} {}: the response has no `{}` list",
                client.base(),
                req.endpoint,
                req.list_key
            );
        };
        window.pages += 1;
        request.received = page.len() as u64;
        window.requests.push(request);
        items.extend(page.iter().cloned());
        progress(req.endpoint, items.len() as u64, None);
        match v["next_cursor"].as_str().filter(|c| !c.is_empty()) {
            Some(next) if cursor.as_deref() != Some(next) => cursor = Some(next.to_string()),
            Some(_) => bail!(
                "{} {}: the cursor did not advance",
                client.base(),
                req.endpoint
            ),
            None => break,
        }
    }
    window.received = items.len() as u64;
    Ok((items, window))
}

/// [since, until) cut into consecutive windows of at most `months` calendar months.
pub fn month_windows(
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    months: u32,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut from = since;
    while from < until {
        let to = from
            .checked_add_months(Months::new(months))
            .unwrap_or(until)
            .min(until);
        out.push((from, to));
        from = to;
    }
    out
}

pub fn new_window(
    endpoint: &str,
    params: &[(String, String)],
    pagination: &str,
    note: Option<String>,
) -> FetchWindow {
    FetchWindow {
        endpoint: endpoint.to_string(),
        params: params.to_vec(),
        fetched_at: utc_rfc3339(Utc::now()),
        pagination: pagination.to_string(),
        pages: 0,
        received: 0,
        reported: None,
        note,
        requests: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_page_reports_its_total_only_when_it_has_one() {
        let v = serde_json::json!({
            "incidents": [{"id": "A"}, {"id": "B"}], "more": true, "total": 250
        });
        let (items, more, total) = read_page(&v, "incidents").unwrap();
        assert_eq!((items.len(), more, total), (2, true, Some(250)));
        // Without total=true PagerDuty answers `"total": null`.
        let v = serde_json::json!({"incidents": [], "more": false, "total": null});
        assert_eq!(read_page(&v, "incidents").unwrap().2, None);
        let v = serde_json::json!({"incidents": []});
        assert_eq!(read_page(&v, "incidents").unwrap(), (vec![], false, None));
        assert!(read_page(&v, "services").is_none());
    }

    #[test]
    fn windows_never_exceed_the_month_limit() {
        let w = month_windows(at("2026-01-01T05:00:00Z"), at("2027-01-01T05:00:00Z"), 6);
        assert_eq!(
            w,
            vec![
                (at("2026-01-01T05:00:00Z"), at("2026-07-01T05:00:00Z")),
                (at("2026-07-01T05:00:00Z"), at("2027-01-01T05:00:00Z")),
            ]
        );
        let short = month_windows(at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z"), 6);
        assert_eq!(short.len(), 1);
        assert!(
            month_windows(at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"), 6).is_empty()
        );
    }
}
