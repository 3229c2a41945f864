//! The data tables beneath the charts: the same figures as the evidence.

use super::*;

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
fn time_tables_give_percentiles_or_say_too_few() {
    let chart = time_to_acknowledge(&months(), &levels());
    let t = &chart.table;
    assert_eq!(
        row(t, &["2026-03", "P1"])[2..],
        [
            "12",
            "3m 20s",
            "7m 00s",
            "5m",
            "3",
            "6m 00s, 7m 00s, 15m 00s"
        ]
    );
    // January P1 has one time: a median, but too few for a 90th percentile.
    assert_eq!(
        row(t, &["2026-01", "P1"])[2..],
        ["1", "1m 40s", "too few (1)", "5m", "0", "none"]
    );
    assert_eq!(
        row(t, &["2026-02", "P3"])[2..],
        ["0", "none", "none", "1h", "0", "none"]
    );
    assert_eq!(row(t, &["2026-01", "P4"])[5], "next business day");
    assert!(chart.description.contains("nearest-rank"));
    assert!(
        t.notes
            .iter()
            .any(|n| n.starts_with("P4: the target is the next business day"))
    );
    let resolve = time_to_resolve(&months(), &levels());
    assert_eq!(
        row(&resolve.table, &["2026-03", "P1"])[3..6],
        ["1h 40m", "3h 30m", "4h"]
    );
    assert_eq!(row(&resolve.table, &["2026-03", "P4"])[5], "none");
}

#[test]
fn every_breach_is_drawn_even_where_percentiles_are_not() {
    // The highest number on the chart: the value axis's top tick (sample counts stay ≤ 12).
    let top = |chart: &Chart| {
        texts(&chart.svg)
            .iter()
            .filter_map(|t| t.parse::<f64>().ok())
            .filter(|v| *v < 1000.0) // not the year under the month axis
            .fold(0.0, f64::max)
    };
    // March P1 has 12 times (enough for percentiles); its 15-minute ack is far above the
    // 7-minute 90th percentile, and only drawing it as a point stretches the axis past 15.
    let chart = severity_charts(&months(), &levels()[0]).remove(0);
    assert!(top(&chart) >= 15.0, "{:?}", texts(&chart.svg));
    assert!(
        texts(&chart.svg)
            .iter()
            .any(|t| t == "one incident over target")
    );
    assert!(
        chart
            .description
            .contains("no breach hides behind a median")
    );
    // With every P1 ack at one minute, nothing is over the 5-minute target and the axis is low.
    let mut quiet = months();
    for m in &mut quiet {
        m.by_severity[0] = super::severity_month("P1", vec![60; 12], vec![60; 12]);
    }
    let chart = severity_charts(&quiet, &levels()[0]).remove(0);
    assert!(top(&chart) < 15.0, "{:?}", texts(&chart.svg));
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
    assert_eq!(pm.headers[5], "Incidents requiring a postmortem");
    assert!(
        pm.caption
            .starts_with("Incidents requiring a postmortem per month")
    );
    let pm_chart = chart_named(&charts, "postmortems-per-month.svg");
    assert!(
        pm_chart
            .description
            .contains("counts incidents, not postmortem documents")
    );
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
        "Time to acknowledge per month, P1 Critical: every breach shown"
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
