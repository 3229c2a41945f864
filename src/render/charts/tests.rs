use super::*;
use crate::evidence::Subject;

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

#[test]
fn renders_every_chart_in_a_fixed_order() {
    let files: Vec<String> = all().into_iter().map(|c| c.file).collect();
    assert_eq!(
        files,
        [
            "incidents-per-month.svg",
            "time-to-acknowledge.svg",
            "time-to-resolve.svg",
            "acknowledged-within-target.svg",
            "postmortems-per-month.svg",
            "exceptions-by-kind.svg",
            "oncall-load.svg",
            "oncall-coverage.svg",
        ]
    );
    let without_coverage = render_parts(&months(), &exceptions(), &levels(), &load(), &[]);
    assert_eq!(without_coverage.len(), 7);
}

#[test]
fn every_svg_parses_with_title_desc_and_aria() {
    for chart in all() {
        let doc = roxmltree::Document::parse(&chart.svg)
            .unwrap_or_else(|e| panic!("{}: {e}", chart.file));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg", "{}", chart.file);
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(
            root.attribute("viewBox"),
            Some(&*format!(
                "0 0 {} {}",
                root.attribute("width").unwrap(),
                root.attribute("height").unwrap()
            ))
        );
        let mut children = root.children().filter(|n| n.is_element());
        let title = children.next().unwrap();
        let desc = children.next().unwrap();
        assert_eq!(title.tag_name().name(), "title");
        assert_eq!(title.text(), Some(chart.title.as_str()));
        assert_eq!(desc.tag_name().name(), "desc");
        assert_eq!(desc.text(), Some(chart.description.as_str()));
        let ids = [
            title.attribute("id").unwrap(),
            desc.attribute("id").unwrap(),
        ]
        .join(" ");
        assert_eq!(root.attribute("aria-labelledby"), Some(ids.as_str()));
        for text in doc.descendants().filter(|n| n.has_tag_name("text")) {
            assert_eq!(
                text.attribute("font-family"),
                Some("sans-serif"),
                "{}",
                chart.file
            );
        }
        // No external references: the only URL is the SVG namespace itself.
        assert!(!chart.svg.contains("href") && !chart.svg.contains("file:"));
        assert_eq!(chart.svg.matches("http").count(), 1, "{}", chart.file);
        assert!(texts(&chart.svg).contains(&chart.title), "{}", chart.file);
        assert!(!chart.table.rows.is_empty(), "{}", chart.file);
        assert!(
            chart
                .table
                .rows
                .iter()
                .all(|r| r.len() == chart.table.headers.len())
        );
    }
}

#[test]
fn axis_titles_with_units_and_legends_are_drawn() {
    let charts = all();
    let expect = [
        (
            "incidents-per-month.svg",
            &[
                "incidents (count)",
                MONTH_AXIS,
                "P1 Critical",
                "unclassified",
            ][..],
        ),
        (
            "time-to-acknowledge.svg",
            &[
                "minutes",
                "median",
                "90th percentile",
                "target",
                "P1 Critical, target 5m",
                "P4 Low, target next business day (not drawn)",
            ],
        ),
        (
            "time-to-resolve.svg",
            &[
                "hours",
                "P4 Low, no target",
                "P3 Medium, target next business day (not drawn)",
            ],
        ),
        (
            "acknowledged-within-target.svg",
            &["% of judged incidents", "P2 High"],
        ),
        (
            "postmortems-per-month.svg",
            &[
                "postmortems (count)",
                "on time",
                "late",
                "missing",
                "pending",
            ],
        ),
        (
            "exceptions-by-kind.svg",
            &["exceptions (count)", "ack_breach", "escalation_drift"],
        ),
        (
            "oncall-load.svg",
            &[
                "pages (count)",
                "business hours",
                "off-hours",
                "hours unknown",
                "Ben <Ops> & Co",
            ],
        ),
        (
            "oncall-coverage.svg",
            &["% of time covered", "no data", "99.2%"],
        ),
    ];
    for (file, labels) in expect {
        let found = texts(&chart_named(&charts, file).svg);
        for label in labels {
            assert!(
                found.iter().any(|t| t == label),
                "{file}: no text {label:?} in {found:?}"
            );
        }
    }
    // Month axis: every month named, empty February included.
    let found = texts(&chart_named(&charts, "incidents-per-month.svg").svg);
    for name in ["Jan", "Feb", "Mar", "Dec", "2026"] {
        assert!(found.iter().any(|t| t == name), "no month label {name}");
    }
}

#[test]
fn incident_counts_equal_month_facts() {
    let months = months();
    let chart = incidents_per_month(&months, &levels());
    let t = &chart.table;
    assert_eq!(
        t.headers,
        [
            "Month",
            "P1 Critical",
            "P2 High",
            "P3 Medium",
            "P4 Low",
            "unclassified",
            "Total"
        ]
    );
    assert_eq!(t.rows.len(), 12);
    let march = &months[2];
    let p1 = march
        .by_severity
        .iter()
        .find(|s| s.level == "P1")
        .unwrap()
        .incidents;
    assert_eq!(row(t, &["2026-03"])[1], p1.to_string());
    let total: u64 = march.by_severity.iter().map(|s| s.incidents).sum();
    assert_eq!(row(t, &["2026-03"])[6], total.to_string());
    assert_eq!(row(t, &["2026-02"])[1..], ["0", "0", "0", "0", "0", "0"]);
    assert_eq!(row(t, &["2026-06"])[5], "1");
    // The empty month keeps its slot and its "0" label.
    assert!(texts(&chart.svg).iter().any(|t| t == "0"));
}

#[test]
fn nearest_rank_percentiles() {
    let march_p1 = [900, 60, 90, 120, 150, 180, 200, 240, 260, 300, 360, 420];
    assert_eq!(nearest_rank(&march_p1, 50), Some(200));
    assert_eq!(nearest_rank(&march_p1, 90), Some(420));
    assert_eq!(nearest_rank(&[7], 90), Some(7));
    assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
    assert_eq!(nearest_rank(&[], 50), None);
}

#[test]
fn time_tables_give_percentiles_or_say_too_few() {
    let chart = time_to_acknowledge(&months(), &levels());
    let t = &chart.table;
    assert_eq!(
        row(t, &["2026-03", "P1"])[2..],
        ["12", "3m 20s", "7m 00s", "5m"]
    );
    // January P1 has one time: a median, but too few for a 90th percentile.
    assert_eq!(
        row(t, &["2026-01", "P1"])[2..],
        ["1", "1m 40s", "too few (1)", "5m"]
    );
    assert_eq!(row(t, &["2026-02", "P3"])[2..], ["0", "none", "none", "1h"]);
    assert_eq!(row(t, &["2026-01", "P4"])[5], "next business day");
    assert!(chart.description.contains("nearest-rank"));
    assert!(
        t.notes
            .iter()
            .any(|n| n.starts_with("P4: the target is the next business day"))
    );
    let resolve = time_to_resolve(&months(), &levels());
    assert_eq!(
        row(&resolve.table, &["2026-03", "P1"])[3..],
        ["1h 40m", "3h 30m", "4h"]
    );
    assert_eq!(row(&resolve.table, &["2026-03", "P4"])[5], "none");
}

#[test]
fn ack_share_table_counts_met_and_breached() {
    let chart = acknowledged_within_target(&months(), &levels());
    // March P1: 9 of 12 within 5 minutes.
    assert_eq!(
        row(&chart.table, &["2026-03", "P1"])[2..],
        ["9", "3", "75.0%"]
    );
    assert_eq!(
        row(&chart.table, &["2026-02", "P1"])[2..],
        ["0", "0", "none judged"]
    );
}

#[test]
fn postmortem_exception_load_and_coverage_tables() {
    let charts = all();
    let pm = &chart_named(&charts, "postmortems-per-month.svg").table;
    assert_eq!(row(pm, &["2026-05"])[1..], ["3", "0", "1", "0", "4"]);
    assert_eq!(row(pm, &["2026-02"])[1..], ["0", "1", "0", "0", "1"]);

    let ex = &chart_named(&charts, "exceptions-by-kind.svg").table;
    assert_eq!(ex.rows.len(), ExceptionKind::ALL.len());
    assert_eq!(row(ex, &["ack_breach"])[1..], ["CC7.3", "3"]);
    assert_eq!(row(ex, &["coverage_gap"])[2], "0");

    let load = &chart_named(&charts, "oncall-load.svg").table;
    let order: Vec<&str> = load.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        order,
        ["Ben <Ops> & Co", "Dara O'Neil", "Ana Lima", "Chen Wei"]
    );
    assert_eq!(row(load, &["Ana Lima"])[1..], ["31", "9", "29.0%"]);
    assert_eq!(row(load, &["Chen Wei"])[2..], ["unknown", "unknown"]);

    let cov = &chart_named(&charts, "oncall-coverage.svg").table;
    assert_eq!(row(cov, &["2026-07"])[1], "no data");
    assert_eq!(row(cov, &["2026-01"])[1], "99.2%");
}

#[test]
fn severity_pages_get_their_own_files() {
    let levels = levels();
    let charts = severity_charts(&months(), &levels[0]);
    let files: Vec<&str> = charts.iter().map(|c| c.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "time-to-acknowledge-p1.svg",
            "time-to-resolve-p1.svg",
            "acknowledged-within-target-p1.svg"
        ]
    );
    assert_eq!(
        charts[0].title,
        "Time to acknowledge per month, P1 Critical: median and 90th percentile"
    );
    assert!(
        charts
            .iter()
            .all(|c| c.table.rows.iter().all(|r| r[1] == "P1"))
    );
    assert!(
        charts[0]
            .svg
            .contains("aria-labelledby=\"chart-time-to-acknowledge-p1-title")
    );
}

#[test]
fn long_names_are_shortened_in_the_svg_only() {
    let long = "Maximiliane Alexandra von Hohenzollern-Sigmaringen (secondary on-call)";
    let chart = oncall_load(&[ResponderLoad {
        responder: long.to_string(),
        pages: 3,
        off_hours: None,
    }]);
    assert_eq!(chart.table.rows[0][0], long);
    let shown = texts(&chart.svg);
    let cut = shown
        .iter()
        .find(|t| t.ends_with('…'))
        .expect("a shortened label");
    assert!(long.starts_with(cut.trim_end_matches('…')));
}

#[test]
fn crowded_month_axis_labels_every_other_month() {
    let mut long = months();
    long.extend(months().into_iter().map(|mut m| {
        m.month = m.month.replace("2026", "2027");
        m
    }));
    let chart = incidents_per_month(&long, &levels());
    assert_eq!(chart.table.rows.len(), 24);
    let shown = texts(&chart.svg);
    let count = |label: &str| shown.iter().filter(|t| *t == label).count();
    assert_eq!((count("Jan"), count("Feb"), count("Nov")), (2, 0, 2));
    assert_eq!((count("2026"), count("2027")), (1, 1));
}

#[test]
fn empty_inputs_still_render_valid_charts() {
    let charts = render_parts(&[], &[], &[], &[], &[]);
    assert_eq!(charts.len(), 7);
    for chart in charts {
        roxmltree::Document::parse(&chart.svg).unwrap_or_else(|e| panic!("{}: {e}", chart.file));
    }
}

/// All charts (dashboard and severity pages) as one string, for byte comparisons.
fn rendered() -> String {
    let mut charts = all();
    for level in &levels() {
        charts.extend(severity_charts(&months(), level));
    }
    charts
        .iter()
        .map(|c| format!("{}\n{}", c.file, c.svg))
        .collect()
}

const CHILD_OUT: &str = "PAGERPROOF_CHARTS_TEST_OUT";

/// Renders in a child process of this test binary with another time zone and locale, and
/// compares bytes. In the child (`CHILD_OUT` set) it writes its render there instead.
#[test]
fn byte_identical_across_runs_and_time_zones() {
    if let Some(out) = std::env::var_os(CHILD_OUT) {
        std::fs::write(out, rendered()).expect("write child render");
        return;
    }
    let here = rendered();
    assert_eq!(here, rendered(), "two renders in one process differ");
    let dir = tempfile::tempdir().unwrap();
    for tz in ["Asia/Tokyo", "America/St_Johns"] {
        let out = dir.path().join(format!("{}.txt", tz.replace('/', "-")));
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "render::charts::tests::byte_identical_across_runs_and_time_zones",
            ])
            .args(["--test-threads", "1"])
            .env("TZ", tz)
            .env("LC_ALL", "de_DE.UTF-8")
            .env(CHILD_OUT, &out)
            .output()
            .expect("run child test");
        assert!(
            child.status.success(),
            "{}",
            String::from_utf8_lossy(&child.stdout)
        );
        let there = std::fs::read_to_string(&out).expect("child wrote its render");
        assert!(there == here, "render under TZ={tz} differs");
    }
}
