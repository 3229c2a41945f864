//! The SVG files: structure, accessibility, labels, determinism.

use super::*;

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
                "incidents (count)",
                "postmortem completed on time",
                "completed late",
                "missing: overdue, none completed (empty)",
                "pending: not yet due",
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
    // This test's name as the harness knows it (the module path without the crate).
    let this_test = format!(
        "{}::byte_identical_across_runs_and_time_zones",
        module_path!().split_once("::").expect("in a crate").1
    );
    for tz in ["Asia/Tokyo", "America/St_Johns"] {
        let out = dir.path().join(format!("{}.txt", tz.replace('/', "-")));
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &this_test])
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
