//! Chart tests: shared fixtures here, the SVG's structure in `svg`, the data tables in `tables`.

use super::*;
use crate::evidence::Subject;
use crate::evidence::stats::TimeStats;

fn level(code: &str, name: &str, ack: Option<Target>, resolve: Option<Target>) -> SeverityLevel {
    SeverityLevel {
        level: code.to_string(),
        name: name.to_string(),
        aliases: vec![],
        definition: String::new(),
        ack,
        resolve,
        postmortem: None,
        urgency: None,
        automation: None,
    }
}

fn levels() -> Vec<SeverityLevel> {
    use Target::{Elapsed, NextBusinessDay};
    vec![
        level(
            "P1",
            "Critical",
            Some(Elapsed(300)),
            Some(Elapsed(4 * 3600)),
        ),
        level("P2", "High", Some(Elapsed(900)), Some(Elapsed(24 * 3600))),
        level("P3", "Medium", Some(Elapsed(3600)), Some(NextBusinessDay)),
        level("P4", "Low", Some(NextBusinessDay), None),
    ]
}

/// `n` times starting at `base` seconds, `step` apart.
fn times(n: u64, base: i64, step: i64) -> Vec<i64> {
    (0..n as i64).map(|k| base + k * step).collect()
}

fn severity_month(code: &str, ack_times: Vec<i64>, resolve_times: Vec<i64>) -> MonthSeverity {
    let target = levels()
        .iter()
        .find(|l| l.level == code)
        .and_then(|l| l.ack);
    let met = match target {
        Some(Target::Elapsed(t)) => ack_times.iter().filter(|s| **s <= t).count() as u64,
        _ => ack_times.len() as u64,
    };
    MonthSeverity {
        level: code.to_string(),
        incidents: ack_times.len() as u64,
        ack_met: met,
        ack_breached: ack_times.len() as u64 - met,
        resolve_met: 0,
        resolve_breached: 0,
        ack: TimeStats::of(&ack_times),
        resolve: TimeStats::of(&resolve_times),
        ack_times,
        resolve_times,
    }
}

/// Twelve months of 2026; February has no incidents; March's P1 times are hand-picked.
fn months() -> Vec<MonthFacts> {
    (0..12_i64)
        .map(|i| {
            let month = format!("2026-{:02}", i + 1);
            let mut by_severity: Vec<MonthSeverity> = if i == 1 {
                ["P1", "P2", "P3", "P4"]
                    .iter()
                    .map(|c| severity_month(c, vec![], vec![]))
                    .collect()
            } else {
                let u = i as u64;
                vec![
                    severity_month(
                        "P1",
                        times(1 + u % 3, 100 + 37 * i, 90),
                        times(1 + u % 3, 5400 + 600 * i, 1800),
                    ),
                    severity_month(
                        "P2",
                        times(2 + u % 4, 240 + 20 * i, 200),
                        times(2 + u % 4, 20_000, 3600),
                    ),
                    severity_month(
                        "P3",
                        times(8 + (u * 5) % 7, 600, 300 + 10 * i),
                        times(8 + (u * 5) % 7, 30_000, 4000),
                    ),
                    severity_month(
                        "P4",
                        times(15 + (u * 3) % 5, 1800, 600),
                        times(15 + (u * 3) % 5, 80_000, 9000),
                    ),
                ]
            };
            if i == 2 {
                let p1 = vec![60, 90, 120, 150, 180, 200, 240, 260, 300, 360, 420, 900];
                by_severity[0] =
                    severity_month("P1", p1.clone(), p1.iter().map(|s| s * 30).collect());
            }
            if i == 5 {
                by_severity.push(severity_month("unclassified", vec![400], vec![9000]));
            }
            MonthFacts {
                month,
                by_severity,
                postmortems_on_time: if i == 1 { 0 } else { 2 + i as u64 % 3 },
                postmortems_late: i as u64 % 2,
                postmortems_missing: u64::from(i == 4),
                postmortems_pending: u64::from(i >= 10),
            }
        })
        .collect()
}

fn exceptions() -> Vec<Exception> {
    let e = |kind, number| {
        let subject = Subject::Incident { number };
        Exception::new(
            kind,
            subject,
            "rule".into(),
            "required".into(),
            "actual".into(),
        )
    };
    vec![
        e(ExceptionKind::AckBreach, 1001),
        e(ExceptionKind::AckBreach, 1002),
        e(ExceptionKind::AckBreach, 1003),
        e(ExceptionKind::PostmortemLate, 1004),
        e(ExceptionKind::SeverityMissing, 1005),
    ]
}

fn load() -> Vec<ResponderLoad> {
    let r = |name: &str, pages, off| ResponderLoad {
        responder: name.to_string(),
        pages,
        off_hours: off,
    };
    vec![
        r("Ana Lima", 31, Some(9)),
        r("Ben <Ops> & Co", 44, Some(20)),
        r("Chen Wei", 12, None),
        r("Dara O'Neil", 44, Some(0)),
    ]
}

fn coverage() -> Vec<(String, f64)> {
    (1..=12)
        .filter(|m| *m != 7)
        .map(|m| (format!("2026-{m:02}"), 100.0 - f64::from(m % 4) * 0.75))
        .collect()
}

fn all() -> Vec<Chart> {
    render_parts(&months(), &exceptions(), &levels(), &load(), &coverage())
}

fn chart_named<'a>(charts: &'a [Chart], file: &str) -> &'a Chart {
    charts.iter().find(|c| c.file == file).expect(file)
}

fn row<'a>(table: &'a DataTable, first: &[&str]) -> &'a [String] {
    table
        .rows
        .iter()
        .find(|r| r.iter().zip(first).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no row {first:?} in {}", table.caption))
}

fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("valid SVG");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

mod svg;
mod tables;
