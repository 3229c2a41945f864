//! The population page's completeness-proof block (its own partial, `population-proof.html`):
//! per `/incidents` fetch window, the total the API reported against the records received, with
//! an explicit sentence for a window the API reported empty.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::evidence::population_proof::WindowTotal;
use crate::render::context::Ctx;
use crate::util::local_time;

/// The block's data, included in the population page's as `proof`.
#[derive(Serialize)]
pub struct ProofView {
    pub windows: Vec<WindowRow>,
}

#[derive(Serialize)]
pub struct WindowRow {
    pub since: String,
    pub until: String,
    pub reported: String,
    pub received: u64,
    pub reconciled: bool,
    pub split: bool,
    pub pages: u64,
    pub pages_hashed: u64,
    /// Said in words, whatever the counts: never silence about a window.
    pub sentence: String,
}

pub fn view(ctx: &Ctx) -> ProofView {
    let tz = ctx.tz();
    let shown = |t: &Option<String>| match t.as_deref().and_then(parse) {
        Some(at) => local_time(at, tz),
        None => t.clone().unwrap_or_else(|| "(not given)".into()),
    };
    let windows = ctx
        .evidence
        .incident_windows
        .iter()
        .map(|w| {
            let (since, until) = (shown(&w.since), shown(&w.until));
            WindowRow {
                sentence: sentence(w, &since, &until),
                since,
                until,
                reported: w
                    .reported
                    .map_or("not reported".to_string(), |r| r.to_string()),
                received: w.received,
                reconciled: w.reconciled,
                split: w.split,
                pages: w.pages,
                pages_hashed: w.pages_hashed,
            }
        })
        .collect();
    ProofView { windows }
}

fn sentence(w: &WindowTotal, since: &str, until: &str) -> String {
    let plural = |n: u64| if n == 1 { "incident" } else { "incidents" };
    match w.reported {
        Some(0) if w.received == 0 => {
            format!(
                "The API reported 0 incidents created between {since} and {until}, and none were received."
            )
        }
        Some(r) if w.split => format!(
            "The API reported {r} {} created between {since} and {until}; over the offset cap, the window was read in halves (below) that together returned {}.",
            plural(r),
            w.received
        ),
        Some(r) => format!(
            "The API reported {r} {} created between {since} and {until}; {} received.",
            plural(r),
            w.received
        ),
        None => format!(
            "The API reported no total for incidents created between {since} and {until}; {} received.",
            w.received
        ),
    }
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(reported: Option<u64>, received: u64) -> WindowTotal {
        WindowTotal {
            file: "f".into(),
            since: None,
            until: None,
            reported,
            received,
            reconciled: reported.is_none_or(|r| r == received),
            split: false,
            pages: 1,
            pages_hashed: 1,
        }
    }

    #[test]
    fn an_empty_window_is_said_in_words() {
        assert_eq!(
            sentence(&total(Some(0), 0), "2026-01-01 00:00", "2026-07-01 00:00"),
            "The API reported 0 incidents created between 2026-01-01 00:00 and 2026-07-01 00:00, and none were received."
        );
        assert!(sentence(&total(Some(1), 1), "a", "b").contains("reported 1 incident created"));
        assert!(sentence(&total(None, 3), "a", "b").contains("no total"));
    }
}
