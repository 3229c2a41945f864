//! End-to-end: fixture sites built by the binary, checked page by page.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use predicates::prelude::*;

#[test]
fn variants_fixture_accounts_for_every_row() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    let pop = &summary["population"];
    // a-advanced: 2 accepted, 1 outside, 2 rejected; b-titlecase: 3 accepted, 2 duplicates,
    // 1 outside; c-analytics: 2 accepted; d-basic: 2 accepted, 1 rejected (PST is ambiguous).
    assert_eq!(pop["rows_read"], 16);
    assert_eq!(pop["accepted"], 9);
    assert_eq!(pop["duplicates"], 2);
    assert_eq!(pop["outside_period"], 2);
    assert_eq!(pop["rejected"], 3);
    let pages: Vec<String> = files(&out.join("incidents"))
        .into_iter()
        .filter(|f| f != "index.html")
        .collect();
    assert_eq!(
        pages,
        [
            "201", "202", "206", "207", "208", "210", "211", "212", "213"
        ]
        .map(|n| format!("{n}.html"))
    );
    let population = read(&out.join("population.html"));
    for (file, line) in [
        ("a-advanced.csv", 7),
        ("a-advanced.csv", 8),
        ("d-basic.csv", 4),
    ] {
        let cell = format!(r#"content/incidents/{file}</a></td><td class="num">{line}</td>"#);
        assert!(
            population.contains(&cell),
            "rejected row {file}:{line} not listed"
        );
    }
    assert!(
        population.contains("worker-v2"),
        "the service conflict of #202 is listed"
    );
    for f in [
        "a-advanced.csv",
        "b-titlecase.csv",
        "c-analytics.csv",
        "d-basic.csv",
    ] {
        let src = out.join("sources/content/incidents").join(f);
        assert_eq!(
            std::fs::read(&src).unwrap(),
            std::fs::read(site.path().join("content/incidents").join(f)).unwrap()
        );
    }
}

#[test]
fn every_rejected_row_is_a_row_rejected_exception_with_its_number() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(summary["exceptions"]["by_kind"]["row_rejected"], 3);
    let exceptions = read(&out.join("exceptions.html"));
    for id in [
        "row_rejected:content/incidents/a-advanced.csv:7",
        "row_rejected:content/incidents/a-advanced.csv:8",
        "row_rejected:content/incidents/d-basic.csv:4",
    ] {
        assert!(exceptions.contains(id), "{id} not on exceptions.html");
    }
    // #204's number is readable though its creation time is not; #205's row is too short but
    // its number column still reads.
    assert!(exceptions.contains("a-advanced.csv line 7 (incident #204)"));
    assert!(exceptions.contains("a-advanced.csv line 8 (incident #205)"));
    let population = read(&out.join("population.html"));
    assert!(population.contains(r#"<tr id="row-content.2fincidents.2fa.2dadvanced.2ecsv-7">"#));
    assert!(population.contains(
        r#"href="exceptions.html#row_rejected-content.2fincidents.2fa.2dadvanced.2ecsv-7""#
    ));
}

/// Real PagerDuty objects (tests/fixtures/devlake-capture/SOURCE.md): the verdicts their raw
/// data says.
#[test]
fn real_captured_api_objects_give_the_verdicts_their_data_says() {
    let site = copy_fixture("devlake-capture");
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    let p2 = &summary["by_severity"]["P2"];
    // #4 (empty acknowledgements array, acknowledged 1 s in per the log) and #5: acknowledged
    // in time; both still open at the end of the period: resolve breached.
    assert_eq!(
        (p2["incidents"].as_u64(), p2["ack_met"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(p2["resolve_breached"], 2);
    // #6: resolved without `resolved_at`; the resolve log entry resolves it in time.
    assert_eq!(summary["by_severity"]["P4"]["resolve_met"], 1);
    let page = read(&out.join("incidents/4.html"));
    assert!(
        page.contains("2022-11-03 06:23:07 +00:00 by Keon Amini"),
        "first ack from the log"
    );
    // Each timeline row links the line of the log it was read from, on its line page.
    let timeline = &page[page.find(r#"<section id="timeline">"#).expect("a timeline")..];
    // (The link's text is the file's name, its target the whole path.)
    let link = regex::Regex::new(r##"<a href="\.\./(sources/content/pagerduty/log_entries\.jsonl[^"#]*\.html)#L(\d+)">log_entries\.jsonl:(\d+)</a>"##).unwrap();
    let mut rows = 0;
    for c in link.captures_iter(timeline) {
        assert_eq!(&c[2], &c[3], "the link names the line it lands on");
        let lines = read(&out.join(&c[1]));
        assert!(lines.contains(&format!(r#"<li id="L{}">"#, &c[2])));
        rows += 1;
    }
    assert!(rows >= 2, "timeline rows link their log lines: {rows}");

    // Without log entries, #6 still resolves: from `last_status_change_at`, not as "open".
    let log = site.path().join("content/pagerduty/log_entries.jsonl");
    let kept: String = read(&log)
        .lines()
        .filter(|l| !l.contains("Q1OHFWFP3GPXOG"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&log, kept).unwrap();
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(summary["by_severity"]["P4"]["resolve_met"], 1);
}

/// Real Jira issues (tests/fixtures/devlake-jira/SOURCE.md) as corrective actions: done only in
/// the done category, with a fix resolution, resolved on or before `as_of` (2020-06-30).
#[test]
fn real_captured_jira_issues_give_the_verdicts_their_data_says() {
    let site = copy_fixture("devlake-jira");
    let out = build(site.path());
    let page = read(&out.join("postmortems/PM-1.html"));
    let row = |item: &str| -> String {
        let start = page
            .find(&format!(r#"<tr id="item-{}">"#, item.replace('-', ".2d")))
            .unwrap_or_else(|| panic!("{item} row"));
        let len = page[start..].find("</tr>").unwrap();
        page[start..start + len].to_string()
    };
    // EE-2: done category, fix resolution on 2020-06-23: done; late against a 2020-06-20 due date.
    assert!(row("AI-1").contains("resolution 完成, 2020-06-23"));
    assert!(row("AI-1").contains("done <span class=\"sub\">(jira)</span>"));
    assert!(!row("AI-1").contains("closed after its due date"));
    assert!(row("AI-2").contains("closed after its due date"));
    // EE-17: done in Jira, but resolved 2020-07-22, after as_of.
    assert!(row("AI-3").contains("not done: resolved after the as-of date"));
    // EE-20: Won't Do fixes nothing, and the item is past its due date.
    assert!(row("AI-4").contains("resolved as `Won&#x27;t Do`, which fixes nothing"));
    assert!(row("AI-4").contains("action_item_overdue:PM-1/AI-4"));
    // EE-1 and EE-35: named 已完成 ("Done") with a resolution, but in the `new` category.
    for item in ["AI-5", "AI-6"] {
        assert!(
            row(item).contains("not done: Jira status `已完成` is not in the done category"),
            "{item}"
        );
    }
    assert!(row("AI-6").contains("resolution Won&#x27;t Do, 2020-06-15"));
    // K5-2: To Do, no resolution.
    assert!(row("AI-7").contains("not done: Jira status `To Do` is not in the done category"));
    // EE-1's due date comes from the due-date capture.
    assert!(
        page.contains("Action item AI-5: due 2020-07-31 here, but EE-1 is due 2025-03-09 in Jira")
    );
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(summary["exceptions"]["by_kind"]["action_item_overdue"], 3);
}

/// Issue 10 step 5: every input has a line page beside its unchanged copy, and every source-row
/// link lands on the row's own line.
#[test]
fn source_row_links_land_on_their_line_beside_the_original_bytes() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    for rel in [
        "content/incidents/a-advanced.csv",
        "content/postmortems/PM-1.json",
        "content/policies/incident-response.md",
        "site.toml",
    ] {
        let original = std::fs::read(site.path().join(rel)).unwrap();
        assert_eq!(
            std::fs::read(out.join("sources").join(rel)).unwrap(),
            original,
            "{rel}"
        );
        let page = read(&out.join(format!("sources/{rel}.html")));
        let name = rel.rsplit('/').next().unwrap();
        assert!(
            page.contains(&format!(r#"<a href="{name}">sources/{rel}</a>"#)),
            "{rel}"
        );
        let lines = String::from_utf8(original).unwrap().lines().count();
        assert!(
            page.contains(&format!(r#"id="L{lines}""#)),
            "{rel}: last line"
        );
        assert!(!page.contains(&format!(r#"id="L{}""#, lines + 1)), "{rel}");
    }
    let postmortem = read(&out.join("sources/content/postmortems/PM-1.json.html"));
    // Lines are text nodes: markup is escaped, quotes need not be.
    assert!(postmortem.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
    assert!(!postmortem.contains("<script>alert"));

    // Each link's line holds the row it names.
    let line_of = |page: &str, n: u64| -> String {
        let text = read(&out.join(page));
        let start = text
            .find(&format!(r#"<li id="L{n}">"#))
            .unwrap_or_else(|| panic!("{page}: no line {n}"));
        let len = text[start..].find("</li>").unwrap();
        text[start..start + len].to_string()
    };
    let link = regex::Regex::new(r##"href="(?:\.\./)?(sources/[^"#]+\.html)#L(\d+)""##).unwrap();
    let mut checked = 0;
    for number in [201, 204, 206, 212] {
        let Ok(page) = std::fs::read_to_string(out.join(format!("incidents/{number}.html"))) else {
            continue;
        };
        for c in link.captures_iter(&page) {
            let line = line_of(&c[1], c[2].parse().unwrap());
            assert!(line.contains(&number.to_string()), "#{number}: {line}");
            checked += 1;
        }
    }
    assert!(checked >= 3, "{checked} incident source links");
    let population = read(&out.join("population.html"));
    let exceptions = read(&out.join("exceptions.html"));
    for (page, html) in [("population", &population), ("exceptions", &exceptions)] {
        let found: Vec<_> = link.captures_iter(html).collect();
        assert!(!found.is_empty(), "{page}: no source-row link");
        for c in found {
            line_of(&c[1], c[2].parse().unwrap());
        }
    }
    // The register names each incident's first source row and links its line.
    let register = read(&out.join("incidents/index.html"));
    assert!(register.contains(
        r#"<td><a href="../sources/content/incidents/a-advanced.csv.html#L2">content/incidents/a-advanced.csv:2</a></td>"#
    ));
    assert!(
        read(&out.join("data/register.csv"))
            .contains(",incidents/201.html,content/incidents/a-advanced.csv:2")
    );
    // The rejected row #204 (a-advanced.csv line 7), from its exception and its population row.
    let target = r#"href="sources/content/incidents/a-advanced.csv.html#L7""#;
    assert!(exceptions.contains(target) && population.contains(target));
    assert!(line_of("sources/content/incidents/a-advanced.csv.html", 7).contains(",204,"));
}

/// An input whose copy would be another input's line page is refused, naming both.
#[test]
fn an_input_named_like_another_inputs_line_page_is_refused() {
    let site = copy_fixture("variants");
    let jira = site.path().join("content/jira");
    std::fs::create_dir_all(&jira).unwrap();
    std::fs::write(jira.join("notes.txt"), "kept\n").unwrap();
    std::fs::write(jira.join("notes.txt.html"), "<p>kept</p>\n").unwrap();
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/jira/notes.txt: its line page sources/content/jira/notes.txt.html would replace the copy of another input",
        ));
}

/// Issue 12: at 3 lines a line page (the hidden override), a-advanced.csv's 8 lines make 3
/// pages that link each other; every source-row link lands on the page holding its line, and
/// the package still rebuilds file for file (its later line pages are told from inputs).
#[test]
fn long_inputs_are_split_into_line_pages_that_links_land_on() {
    const PAGE_LINES: &str = "PAGERPROOF_SOURCE_PAGE_LINES";
    let site = copy_fixture("variants");
    for command in ["build", "package"] {
        pagerproof()
            .env(PAGE_LINES, "3")
            .args([command, "--quiet", "--site"])
            .arg(site.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .assert()
            .success();
    }
    let out = site.path().join("public");
    let dir = out.join("sources/content/incidents");
    let page = |name: &str| read(&dir.join(name));
    let first = page("a-advanced.csv.html");
    assert!(first.contains("Lines 1–3 of 8, page 1 of 3"));
    assert!(first.contains(r#"<a href="a-advanced.csv.page-2.html" rel="next">"#));
    assert!(first.contains(r#"<a href="a-advanced.csv.page-3.html">7–8</a>"#));
    assert!(first.contains(r#"id="L3""#) && !first.contains(r#"id="L4""#));
    let second = page("a-advanced.csv.page-2.html");
    assert!(second.contains("Lines 4–6 of 8, page 2 of 3"));
    assert!(second.contains(r#"<a href="a-advanced.csv.html" rel="prev">"#));
    assert!(
        second.contains(r#"<a href="a-advanced.csv">sources/content/incidents/a-advanced.csv</a>"#)
    );
    let last = page("a-advanced.csv.page-3.html");
    assert!(last.contains(r#"id="L7""#) && last.contains(r#"id="L8""#));
    assert!(!last.contains(r#"id="L9""#) && !last.contains(r#"rel="next""#));
    assert!(!dir.join("a-advanced.csv.page-4.html").exists());
    // A 3-line file keeps its one page, without a pager.
    let short = page("c-analytics.csv.html");
    assert!(!short.contains("Line pages") && !dir.join("c-analytics.csv.page-2.html").exists());

    // Every source-row link resolves to an element with its id, some on a later page.
    let link = regex::Regex::new(r##"href="(?:\.\./)?(sources/[^"#]+\.html)#L(\d+)""##).unwrap();
    let mut later = 0;
    let mut pages: Vec<String> = ["population.html", "exceptions.html", "incidents/index.html"]
        .map(String::from)
        .to_vec();
    pages.extend((201..=215).map(|n| format!("incidents/{n}.html")));
    for from in pages.iter().filter(|p| out.join(p).is_file()) {
        for c in link.captures_iter(&read(&out.join(from))) {
            let target = read(&out.join(&c[1]));
            assert!(
                target.contains(&format!(r#"<li id="L{}">"#, &c[2])),
                "{from}: {}#L{} does not hold its line",
                &c[1],
                &c[2]
            );
            later += usize::from(c[1].contains(".page-"));
        }
    }
    assert!(later > 0, "no link to a later line page");
    // The rejected row #204 is line 7: on page 3.
    assert!(
        read(&out.join("exceptions.html"))
            .contains(r#"href="sources/content/incidents/a-advanced.csv.page-3.html#L7""#)
    );
    assert!(page("a-advanced.csv.page-3.html").contains(",204,"));

    std::fs::remove_dir_all(site.path().join("content")).unwrap();
    pagerproof()
        .env(PAGE_LINES, "3")
        .arg("verify")
        .arg(site.path().join("dist/fixture-variants-inc-h1-2026.zip"))
        .arg("--rebuild")
        .assert()
        .success()
        .stdout(predicate::str::contains("identical: every file"));
}

/// An input named like a later line page of another input is refused, naming both.
#[test]
fn an_input_named_like_another_inputs_later_line_page_is_refused() {
    let site = copy_fixture("variants");
    let jira = site.path().join("content/jira");
    std::fs::create_dir_all(&jira).unwrap();
    std::fs::write(jira.join("notes.txt"), "kept\n").unwrap();
    std::fs::write(jira.join("notes.txt.page-2.html"), "<p>kept</p>\n").unwrap();
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/jira/notes.txt.page-2.html: sources/content/jira/notes.txt.page-2.html is named like page 2 of the line pages of content/jira/notes.txt: rename one",
        ));
}

/// A part of the workbook (an XLSX is a zip of XML parts).
fn xlsx_part(xlsx: &std::path::Path, name: &str) -> String {
    let bytes = std::fs::read(xlsx).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// Issue 10 step 6: the workbook's sheets, real date-time cells in the named zone, and
/// exceptions.csv with one row per exception.
#[test]
fn the_workbook_has_its_sheets_with_real_dates_and_exceptions_csv_every_exception() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let xlsx = out.join("data/register.xlsx");
    let sheets = |xlsx: &std::path::Path| -> Vec<String> {
        let workbook = xlsx_part(xlsx, "xl/workbook.xml");
        regex::Regex::new(r#"<sheet name="([^"]+)""#)
            .unwrap()
            .captures_iter(&workbook)
            .map(|c| c[1].to_string())
            .collect()
    };
    assert_eq!(sheets(&xlsx), ["Register", "Exceptions", "Population"]);

    // Date-time cells: numbers (no `t=` type) whose style has a date format.
    let styles = xlsx_part(&xlsx, "xl/styles.xml");
    let date_format =
        regex::Regex::new(r#"<numFmt numFmtId="(\d+)" formatCode="yyyy-mm-dd hh:mm:ss"/>"#)
            .unwrap()
            .captures(&styles)
            .expect("a date-time number format")[1]
            .to_string();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf_formats: Vec<String> = regex::Regex::new(r#"<xf numFmtId="(\d+)""#)
        .unwrap()
        .captures_iter(xfs)
        .map(|c| c[1].to_string())
        .collect();
    for (part, cell, header) in [
        (
            "xl/worksheets/sheet1.xml",
            "I2",
            "Created (America/Chicago)",
        ),
        (
            "xl/worksheets/sheet1.xml",
            "J2",
            "Acknowledged (America/Chicago)",
        ),
        ("xl/worksheets/sheet2.xml", "G2", "Since (America/Chicago)"),
    ] {
        // Register and Exceptions are written in constant-memory mode: strings inline.
        let sheet = xlsx_part(&xlsx, part);
        assert!(
            sheet.contains(&format!("<is><t>{header}</t></is>")),
            "{header}"
        );
        let c = regex::Regex::new(&format!(r#"<c r="{cell}" s="(\d+)"><v>([0-9.]+)</v></c>"#))
            .unwrap()
            .captures(&sheet)
            .unwrap_or_else(|| panic!("{part} {cell} is not a styled number"));
        let serial: f64 = c[2].parse().unwrap();
        assert!((45_000.0..48_000.0).contains(&serial), "{cell}: {serial}");
        let style: usize = c[1].parse().unwrap();
        assert_eq!(xf_formats[style], date_format, "{part} {cell}");
    }
    // The header row is frozen and filtered on every sheet.
    for n in 1..=3 {
        let sheet = xlsx_part(&xlsx, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(
            sheet.contains(r#"state="frozen""#) && sheet.contains("<autoFilter"),
            "sheet{n}"
        );
    }

    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    let mut csv = csv::Reader::from_path(out.join("data/exceptions.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len() as u64,
        summary["exceptions"]["total"].as_u64().unwrap()
    );
    let breach = rows.iter().find(|r| &r[0] == "ack_breach:206").unwrap();
    assert_eq!(&breach[7], "113", "age in days as of 2026-06-30");
    assert_eq!(&breach[8], "", "a dated exception needs no note");
    assert_eq!(&breach[13], "exceptions.html#ack_breach-206");

    // With a sample recorded, a Sample sheet.
    pagerproof()
        .args(["sample", "--seed", "auditor 2026", "--size", "4", "--site"])
        .arg(site.path())
        .args(["--drawn-on", "2027-01-06"])
        .assert()
        .success();
    let out = build(site.path());
    let xlsx = out.join("data/register.xlsx");
    assert_eq!(
        sheets(&xlsx),
        ["Register", "Exceptions", "Population", "Sample"]
    );
    assert!(xlsx_part(&xlsx, "xl/sharedStrings.xml").contains("sample-auditor-2026-4.json"));
}

#[test]
fn every_page_links_relatively_and_carries_a_csp() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let problems = link_problems(&out);
    assert!(problems.is_empty(), "{problems:#?}");
    let problems = fragment_problems(&out);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Issue 12: past a page's worth of exceptions (2, by the hidden override) each kind is listed
/// on pages of its own, and every link to an exception (from its subject's page, the CSV, the
/// workbook's source) lands on the one page that lists it. Under the page size, exceptions.html
/// lists them all, as before.
#[test]
fn exceptions_past_a_page_are_listed_by_kind_and_every_link_finds_its_page() {
    let site = copy_fixture("variants");
    let out = build_with_page_size(site.path(), 2);
    let problems = fragment_problems(&out);
    assert!(problems.is_empty(), "{problems:#?}");
    let problems = link_problems(&out);
    assert!(problems.is_empty(), "{problems:#?}");

    let article = regex::Regex::new(r#"<article class="exception" id="([^"]+)">"#).unwrap();
    let index = read(&out.join("exceptions.html"));
    assert_eq!(
        article.find_iter(&index).count(),
        0,
        "paged: the index lists none"
    );
    let mut listed: std::collections::BTreeMap<String, String> = Default::default();
    for rel in files(&out.join("exceptions")) {
        let html = read(&out.join("exceptions").join(&rel));
        let here: Vec<String> = article
            .captures_iter(&html)
            .map(|c| c[1].to_string())
            .collect();
        assert!(
            (1..=2).contains(&here.len()),
            "{rel}: {} listed",
            here.len()
        );
        for a in here {
            let again = listed.insert(a.clone(), format!("exceptions/{rel}"));
            assert!(again.is_none(), "{a} listed twice");
        }
    }
    let mut csv = csv::Reader::from_path(out.join("data/exceptions.csv")).unwrap();
    let link = csv
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "Link")
        .unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert!(
        rows.len() > 4,
        "the fixture has exceptions on several pages"
    );
    assert_eq!(rows.len(), listed.len(), "each exception listed once");
    let kinds: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[1]).collect();
    for r in &rows {
        let (page, anchor) = r[link].split_once('#').unwrap();
        assert_eq!(
            listed.get(anchor).map(String::as_str),
            Some(page),
            "{}",
            &r[0]
        );
        assert!(page.starts_with(&format!("exceptions/{}", &r[1])), "{page}");
    }
    for kind in kinds {
        assert!(
            index.contains(&format!(r#"<a href="exceptions/{kind}.html">"#)),
            "{kind}: the index links its first page"
        );
    }

    let flat_site = copy_fixture("variants");
    let flat = build(flat_site.path());
    let index = read(&flat.join("exceptions.html"));
    assert_eq!(article.find_iter(&index).count(), rows.len());
    assert!(!flat.join("exceptions").exists());
}

#[test]
fn every_exception_links_its_rule_to_an_anchor_on_method_html() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let exceptions = read(&out.join("exceptions.html"));
    let method = read(&out.join("method.html"));
    let rule_links: Vec<String> = links(&exceptions)
        .into_iter()
        .filter(|l| l.starts_with("method.html#"))
        .collect();
    let articles = exceptions.matches("<article class=\"exception\"").count();
    assert!(articles > 0);
    assert_eq!(rule_links.len(), articles, "one rule link per exception");
    for link in rule_links {
        let (_, id) = link.split_once('#').expect("rule links carry an anchor");
        assert!(method.contains(&format!("id=\"{id}\"")), "{link}");
    }
    for cite in ["evidence-rules", "config.md"] {
        assert!(!exceptions.contains(cite), "exceptions.html cites {cite}");
    }
}

#[test]
fn postmortem_review_times_are_local_with_their_offset() {
    let site = copy_fixture("variants");
    let path = site.path().join("content/postmortems/PM-1.json");
    let mut doc: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    doc["review"] = serde_json::json!({"approved": true,
        "reviewed_by": [{"name": "Dana Whitfield", "at": "2026-02-03T15:00:00Z"}]});
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let out = build(site.path());
    let pm = read(&out.join("postmortems/PM-1.html"));
    assert!(
        pm.contains(r#"reviewed by Dana Whitfield at <span title="2026-02-03T15:00:00Z">2026-02-03 09:00 -06:00</span>"#),
        "review time in the organisation's zone"
    );
}

#[test]
fn cross_links_run_incident_to_postmortem_to_jira_and_back() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let incident = read(&out.join("incidents/201.html"));
    assert!(incident.contains(r#"href="../postmortems/PM-1.html""#));
    assert!(
        incident.contains(r#"href="../sources/content/incidents/a-advanced.csv.html#L2""#),
        "source row linked at its line"
    );
    let pm = read(&out.join("postmortems/PM-1.html"));
    assert!(
        pm.contains(r#"href="../incidents/201.html""#),
        "postmortem links back"
    );
    assert!(
        pm.contains(r#"href="https://fixture.atlassian.net/browse/OPS-101""#),
        "action item → Jira"
    );
    assert!(
        !pm.contains("<script>alert"),
        "postmortem markdown is sanitized"
    );
    let title_key = read(&out.join("incidents/206.html"));
    assert!(
        title_key.contains(r#"href="https://fixture.atlassian.net/browse/OPS-7""#),
        "Jira key in a title is linked"
    );
    let index = read(&out.join("postmortems/index.html"));
    assert!(
        index.contains("link no known incident") && index.contains("PM-2"),
        "orphan listed"
    );
}

#[test]
fn output_is_byte_identical_across_builds_and_time_zones() {
    let site = copy_fixture("variants");
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for (out, tz) in [
        (a.path().join("o"), "UTC"),
        (b.path().join("o"), "Pacific/Chatham"),
    ] {
        pagerproof()
            .env("TZ", tz)
            .args(["build", "--quiet", "--site"])
            .arg(site.path())
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
    }
    let (fa, fb) = (files(&a.path().join("o")), files(&b.path().join("o")));
    assert_eq!(fa, fb);
    for f in fa {
        assert_eq!(
            std::fs::read(a.path().join("o").join(&f)).unwrap(),
            std::fs::read(b.path().join("o").join(&f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn broken_postmortem_fails_check_and_build_and_keeps_previous_output() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let before = read(&out.join("index.html"));
    let pm = site.path().join("content/postmortems/PM-1.json");
    let text = read(&pm).replace("\"status\": \"completed\",", "\"status\": \"completed\"");
    std::fs::write(&pm, text).unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("content/postmortems/PM-1.json:6:"));
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("content/postmortems/PM-1.json:6:"));
    assert_eq!(
        read(&out.join("index.html")),
        before,
        "previous output intact"
    );
}

#[test]
fn csv_without_identity_column_is_an_error_naming_file_and_headers() {
    let site = copy_fixture("variants");
    std::fs::write(
        site.path().join("content/incidents/e-bad.csv"),
        "Title,Service\nx,y\n",
    )
    .unwrap();
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("content/incidents/e-bad.csv")
                .and(predicate::str::contains("Title")),
        );
}

#[test]
fn unknown_site_toml_key_names_file_line_and_key() {
    let site = copy_fixture("variants");
    let toml =
        read(&site.path().join("site.toml")).replace("[links]", "[links]\nconfluence = \"x\"");
    std::fs::write(site.path().join("site.toml"), toml).unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("site.toml:17:").and(predicate::str::contains("confluence")),
        );
}

#[test]
fn check_reports_rejected_rows_and_strict_fails_on_warnings() {
    let site = copy_fixture("variants");
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "content/incidents/d-basic.csv:4: warning: row rejected",
        ));
    pagerproof()
        .args(["check", "--strict", "--site"])
        .arg(site.path())
        .assert()
        .failure();
}

#[test]
fn response_naming_an_unknown_exception_is_a_check_error() {
    let site = copy_fixture("variants");
    std::fs::write(
        site.path().join("content/responses/typo.md"),
        "+++\nexception = \"ack_breach:9999\"\nowner = \"x\"\ndate = 2026-07-01\n+++\n",
    )
    .unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stdout(
            predicate::str::contains("content/responses/typo.md")
                .and(predicate::str::contains("ack_breach:9999")),
        );
}

#[test]
fn init_scaffolds_a_site_that_builds_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("new");
    pagerproof().arg("init").arg(&site).assert().success();
    pagerproof()
        .args(["check", "--strict", "--site"])
        .arg(&site)
        .assert()
        .success();
    let out = build(&site);
    assert!(out.join("incidents/101.html").is_file());
    let exceptions = read(&out.join("exceptions.html"));
    assert!(
        exceptions.contains("ack_breach:102") && exceptions.contains("Head of SRE"),
        "response shown"
    );
    pagerproof().arg("init").arg(&site).assert().failure();
}

#[test]
fn build_refuses_to_replace_a_directory_it_did_not_write() {
    let site = copy_fixture("variants");
    let precious = site.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("notes.txt"), "keep me").unwrap();
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .arg("--out")
        .arg(&precious)
        .assert()
        .failure();
    assert_eq!(read(&precious.join("notes.txt")), "keep me");
}

/// Copies a fixture writing its files in reverse order, so directory order differs from a
/// forward copy on file systems that list in creation order.
fn copy_fixture_reversed(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture(name);
    let mut entries: Vec<_> = walkdir::WalkDir::new(&from)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    entries.reverse();
    for e in &entries {
        let target = dir.path().join(e.path().strip_prefix(&from).unwrap());
        if e.file_type().is_file() {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
    dir
}

#[test]
fn the_package_rebuilds_from_itself_file_for_file() {
    let site = copy_fixture("variants");
    pagerproof()
        .args(["package", "--site"])
        .arg(site.path())
        .env_remove("SOURCE_DATE_EPOCH")
        .assert()
        .success();
    let zip = site.path().join("dist/fixture-variants-inc-h1-2026.zip");
    // site.toml travels in the package, so the rebuild needs nothing else.
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    assert!(
        archive
            .file_names()
            .flatten()
            .any(|n| n.ends_with("/data/sources/site.toml")),
        "site.toml is packaged"
    );
    std::fs::remove_dir_all(site.path().join("content")).unwrap();
    pagerproof()
        .arg("verify")
        .arg(&zip)
        .arg("--rebuild")
        .assert()
        .success()
        .stdout(predicate::str::contains("identical: every file"));
}

#[test]
fn source_date_epoch_before_the_newest_fetch_is_refused() {
    let site = copy_fixture("variants");
    let jira = site.path().join("content/jira");
    std::fs::create_dir_all(&jira).unwrap();
    std::fs::write(
        jira.join("fetch-record.json"),
        r#"{"source": "jira", "tool": "pagerproof", "api_url": "https://x.atlassian.net",
            "since": null, "until": null, "started_at": "2026-07-02T10:00:00Z",
            "finished_at": "2026-08-02T10:00:05Z", "windows": [], "missing_keys": ["OPS-404"]}"#,
    )
    .unwrap();
    pagerproof()
        .args(["build", "--site"])
        .arg(site.path())
        .env("SOURCE_DATE_EPOCH", "1767225600") // 2026-01-01
        .assert()
        .failure()
        .stderr(predicate::str::contains("before 2026-08-02T10:00:05Z"));
}

#[test]
fn package_is_byte_identical_across_tz_umask_and_file_order() {
    let a = copy_fixture("variants");
    let b = copy_fixture_reversed("variants");
    let bin = assert_cmd::cargo::cargo_bin("pagerproof");
    for (site, tz, umask) in [
        (a.path(), "UTC", "022"),
        (b.path(), "Asia/Kathmandu", "077"),
    ] {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" package --site \"$1\""))
            .arg(&bin)
            .arg(site)
            .env("TZ", tz)
            .env("LC_ALL", "C")
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let name = "fixture-variants-inc-h1-2026.zip";
    let za = std::fs::read(a.path().join("dist").join(name)).unwrap();
    let zb = std::fs::read(b.path().join("dist").join(name)).unwrap();
    assert!(za == zb, "zips differ");
    pagerproof()
        .arg("verify")
        .arg(a.path().join("dist").join(name))
        .assert()
        .success();
}

/// Pages render and the bag hashes and deflates in parallel (rayon): the thread count must not
/// show in a single byte of the site or the zip. And the zip `package` renders straight into is
/// the one it makes of a site `build` wrote to disk.
#[test]
fn package_is_byte_identical_whatever_the_thread_count_and_route() {
    let sites = [copy_fixture("variants"), copy_fixture("variants")];
    let run = |site: &std::path::Path, command: &str, threads: &str| {
        pagerproof()
            .args([command, "--site"])
            .arg(site)
            .env("RAYON_NUM_THREADS", threads)
            // Two lines a line page: every input splits into pages, rendered in parallel batches.
            .env("PAGERPROOF_SOURCE_PAGE_LINES", "2")
            .env_remove("SOURCE_DATE_EPOCH")
            .assert()
            .success();
    };
    let name = "dist/fixture-variants-inc-h1-2026.zip";
    let zip = |site: &std::path::Path| std::fs::read(site.join(name)).unwrap();
    for (site, threads) in sites.iter().zip(["1", "2"]) {
        run(site.path(), "package", threads);
        assert!(
            !site.path().join("public").exists(),
            "rendered into the zip, not to disk"
        );
    }
    let [a, b] = sites.each_ref().map(|s| zip(s.path()));
    assert!(a.len() > 1000);
    assert!(a == b, "the zips differ between 1 and 2 threads");
    for (site, threads) in sites.iter().zip(["1", "2"]) {
        run(site.path(), "build", threads);
        std::fs::remove_file(site.path().join(name)).unwrap();
        // Bags the site `build` wrote (the other thread count's build).
        let other = if threads == "1" { "2" } else { "1" };
        run(site.path(), "package", other);
        assert!(zip(site.path()) == a, "the bag of the site on disk differs");
    }
    let tree = |root: &std::path::Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let public = root.join("public");
        walkdir::WalkDir::new(&public)
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(&public).unwrap().to_path_buf();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect()
    };
    assert!(
        tree(sites[0].path()) == tree(sites[1].path()),
        "the sites differ"
    );
}

/// `package` bags the site `build` left when it was built from the same inputs by the same
/// binary, and renders again (into the zip) when the site or an input changed since.
#[test]
fn package_reuses_an_unchanged_build_and_rebuilds_a_changed_one() {
    let site = copy_fixture("variants");
    let package = || {
        pagerproof()
            .args(["package", "--site"])
            .arg(site.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .assert()
            .success();
        std::fs::read(site.path().join("dist/fixture-variants-inc-h1-2026.zip")).unwrap()
    };
    let index = site.path().join("public/index.html");
    let inode = |p: &std::path::Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).unwrap().ino()
    };
    pagerproof()
        .args(["build", "--site"])
        .arg(site.path())
        .assert()
        .success();
    let built = inode(&index);
    let first = package();
    assert_eq!(inode(&index), built, "an unchanged build is reused");

    // An edited site is rendered again, into the zip (which does not carry the edit): `package`
    // leaves `public/` as it found it.
    std::fs::write(&index, "edited").unwrap();
    assert!(package() == first);
    assert_eq!(read(&index), "edited");

    // A changed input is rendered again.
    let toml = site.path().join("site.toml");
    std::fs::write(&toml, read(&toml) + "\n# edited\n").unwrap();
    assert!(package() != first);
    assert_eq!(read(&index), "edited");
}

#[test]
fn a_site_theme_overrides_templates_and_assets_by_name() {
    let site = copy_fixture("variants");
    let templates = site.path().join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("controls.html"),
        "{% extends \"base.html\" %}{% block content %}<p>Custom control matrix for {{ site.organization }}</p>{% endblock content %}",
    )
    .unwrap();
    std::fs::create_dir_all(site.path().join("themes/default/static")).unwrap();
    std::fs::write(
        site.path().join("themes/default/static/style.css"),
        "body { color: black; }\n",
    )
    .unwrap();
    let out = build(site.path());
    assert!(
        read(&out.join("controls.html"))
            .contains("Custom control matrix for Fixture Variants Inc.")
    );
    assert_eq!(
        read(&out.join("assets/style.css")),
        "body { color: black; }\n"
    );
    assert!(
        read(&out.join("exceptions.html")).contains("Every deviation"),
        "other templates keep the default"
    );
}

#[test]
fn a_site_theme_adds_its_own_partials() {
    let site = copy_fixture("variants");
    let templates = site.path().join("themes/default/templates");
    std::fs::create_dir_all(templates.join("partials")).unwrap();
    std::fs::write(
        templates.join("partials/auditor-note.html"),
        "<aside class=\"auditor-note\">Reviewed by {{ site.organization }}</aside>",
    )
    .unwrap();
    std::fs::write(
        templates.join("verify.html"),
        "{% extends \"base.html\" %}{% block content %}{% include \"partials/auditor-note.html\" %}{% endblock content %}",
    )
    .unwrap();
    let out = build(site.path());
    assert!(
        read(&out.join("verify.html"))
            .contains("<aside class=\"auditor-note\">Reviewed by Fixture Variants Inc.</aside>")
    );
    assert!(!read(&out.join("controls.html")).contains("auditor-note"));
}

/// A raw HTTP/1.0 GET on loopback; returns the status line and the body.
fn http_get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_builds_and_serves_on_loopback_without_escaping_the_site() {
    use std::io::BufRead;
    let site = copy_fixture("variants");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pagerproof"))
        .args(["serve", "--port", "0", "--site"])
        .arg(site.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let addr = std::io::BufReader::new(stdout)
        .lines()
        .map(Result::unwrap)
        .find_map(|l| {
            l.split_once("http://").map(|(_, rest)| {
                rest.trim_end_matches(|c| c != '/')
                    .trim_end_matches('/')
                    .to_string()
            })
        })
        .unwrap();
    let (status, body) = http_get(&addr, "/");
    let (bad, _) = http_get(&addr, "/../site.toml");
    let (encoded, _) = http_get(&addr, "/%2e%2e/site.toml");
    let (svg, _) = http_get(&addr, "/charts/incidents-per-month.svg");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("Incident management evidence"));
    assert!(
        bad.contains("404") && encoded.contains("404"),
        "{bad} / {encoded}"
    );
    assert!(svg.contains("200"), "{svg}");
}

/// The rendered incident page, byte for byte: any change to what an auditor reads shows up in
/// review as a snapshot diff (`cargo insta review`).
#[test]
fn incident_page_snapshot() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    insta::assert_snapshot!("incident_206", read(&out.join("incidents/206.html")));
    insta::assert_snapshot!("summary_json", read(&out.join("data/summary.json")));
}

#[test]
fn sample_is_reproducible_recorded_and_shown() {
    let site = copy_fixture("variants");
    let run = |extra: &[&str]| {
        pagerproof()
            .args(["sample", "--seed", "auditor 2026", "--size", "4", "--site"])
            .arg(site.path())
            .args(extra)
            .assert()
            .success();
    };
    run(&[
        "--drawn-by",
        "Priya Raman, Hale & Co.",
        "--drawn-on",
        "2027-01-06",
    ]);
    let record = site
        .path()
        .join("content/samples/sample-auditor-2026-4.json");
    let first = read(&record);
    run(&[]);
    assert_eq!(
        read(&record),
        first,
        "same seed, same record, as first drawn"
    );
    let json: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(json["drawn_by"], "Priya Raman, Hale & Co.");
    assert_eq!(json["drawn_on"], "2027-01-06");
    assert_eq!(json["picks"].as_array().unwrap().len(), 4);
    assert_eq!(json["population"]["count"], 9);
    run(&["--stratify", "severity"]);
    let strat: serde_json::Value = serde_json::from_str(&read(
        &site
            .path()
            .join("content/samples/sample-auditor-2026-4-by-severity.json"),
    ))
    .unwrap();
    let strata: std::collections::BTreeSet<&str> = strat["picks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stratum"].as_str().unwrap())
        .collect();
    assert_eq!(
        strata,
        ["P1", "P2", "P3", "P4", "unclassified"]
            .into_iter()
            .collect(),
        "one per non-empty stratum"
    );
    let out = build(site.path());
    let page = read(&out.join("sample.html"));
    assert!(page.contains("same selection") && page.contains("unchanged"));
    let first_pick = json["picks"][0]["number"].as_u64().unwrap();
    assert!(page.contains(&format!(r#"href="incidents/{first_pick}.html""#)));
    // Every pick has its workpaper, linked from the sample page, carrying every attribute with a
    // tickmark, the drawing auditor and blank sign-off boxes; the printable page holds them all.
    assert!(page.contains(r#"href="workpapers/index.html""#));
    let all = read(&out.join("workpapers/index.html"));
    let mut drawn_by_shown = 0;
    for pick in json["picks"].as_array().unwrap() {
        let n = pick["number"].as_u64().unwrap();
        assert!(page.contains(&format!(r#"href="workpapers/{n}.html""#)));
        let w = read(&out.join(format!("workpapers/{n}.html")));
        assert!(w.contains(&format!(r#"id="workpaper" data-incident="{n}""#)));
        for attribute in [
            "Recorded, and assigned through the escalation policy",
            "Acknowledged within target",
            "Resolved within target",
            "Postmortem when required, on time, complete",
            "Corrective actions tracked and done",
        ] {
            assert!(w.contains(attribute), "#{n}: {attribute}");
        }
        assert_eq!(w.matches(r#"<td class="tick">"#).count(), 5, "#{n}");
        // The source row inline, as it stands in the file, linked to its line.
        assert!(w.contains(r#"<code class="source-line">"#), "#{n}");
        assert!(w.contains(".html#L"), "#{n}");
        // The first record (by file name) that drew it: the stratified one has no --drawn-by.
        assert!(w.contains("drawn by "));
        drawn_by_shown +=
            usize::from(w.contains("drawn by Priya Raman, Hale &amp; Co. on 2027-01-06"));
        assert!(w.contains("Prepared by") && w.contains("Reviewed by"));
        assert!(all.contains(&format!(r#"data-incident="{n}""#)));
    }
    assert!(drawn_by_shown > 0, "the auditor and draw date are shown");
    // A later change to the population is visible on the page, not hidden.
    let csv = site.path().join("content/incidents/c-analytics.csv");
    let mut text = read(&csv);
    text.push_str("299,Late addition,2026-06-01T10:00:00,2026-06-01T10:30:00,worker,Platform,Production,low,P4,false,60,1800\n");
    std::fs::write(&csv, text).unwrap();
    let page = read(&build(site.path()).join("sample.html"));
    assert!(page.contains("changed since the sample was drawn"));
}

#[test]
fn verbose_logs_each_build_phase_to_stderr_and_quiet_silences_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    pagerproof().arg("init").arg(&site).assert().success();
    let stderr = |args: &[&str]| {
        let out = pagerproof()
            .args(args)
            .arg("--site")
            .arg(&site)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?} failed");
        String::from_utf8(out.stderr).unwrap()
    };

    let log = stderr(&["build", "--verbose"]);
    // One line per command-level phase, in order, each with its duration and no timestamp.
    let mut lines = log.lines();
    for (phase, counts) in [
        ("load inputs", "rows=4 incidents=4 postmortems=2"),
        ("evaluate", "incidents=4 exceptions=1"),
        ("render dashboard", "count=1"),
        ("render", "pages="),
        ("swap into place", ""),
        ("build", ""),
    ] {
        let line = lines
            .find(|l| l.starts_with(&format!(" INFO {phase} ms=")))
            .unwrap_or_else(|| panic!("no `{phase}` line after the previous phase in:\n{log}"));
        assert!(line.contains(counts), "{line}");
    }
    // The global flag works before the subcommand too, and `check` logs its phases.
    let log = stderr(&["-v", "check"]);
    assert!(log.contains(" INFO load inputs ms="), "{log}");
    assert!(log.contains(" INFO evaluate ms="), "{log}");

    // Without --verbose only warnings would show (this site has none); --quiet wins over -v.
    assert_eq!(stderr(&["build"]), "");
    assert_eq!(stderr(&["build", "--quiet"]), "");
    assert_eq!(stderr(&["build", "--verbose", "--quiet"]), "");
}

/// Issue 9 (pages part A), on the variants fixture: the out-of-period rows are listed for the
/// cut-off test, the rejected numbers are marked so in the gap list, and the dashboard and
/// verify.html carry the provenance and the rebuild procedure.
#[test]
fn population_lists_outside_rows_and_rejected_numbers_and_pages_carry_provenance() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let population = read(&out.join("population.html"));
    assert!(population.contains(r#"<h2 id="outside">Rows outside the period (2)</h2>"#));
    assert!(population.contains(
        r#"<td class="num">#203</td><td title="2026-01-01T05:30:00Z">2025-12-31 23:30:00 -06:00"#
    ));
    assert!(population.contains(
        r#"<a href="sources/content/incidents/b-titlecase.csv.html#L7">content/incidents/b-titlecase.csv</a>:7"#
    ));
    // #204 and #205 were read but rejected: not "missing".
    assert!(population.contains(
        r##"<td>#204</td><td>#205</td><td class="num">2</td><td><a href="#rejected">rejected</a></td>"##
    ));

    let index = read(&out.join("index.html"));
    // The newest dated input is a management response of 2026-07-10: the end of its day, which
    // is after the end of as_of (2026-06-30).
    assert!(
        index.contains("Prepared at 2026-07-11 00:00:00 -05:00"),
        "end of the newest dated input's day, local"
    );
    assert!(index.contains(
        "2026-07-11T05:00:00Z; decided by the newest instant the inputs record (content/responses/orphan.md)"
    ));
    assert!(index.contains("by not named"));
    assert!(index.contains("none: the site was not a git checkout"));
    assert!(index.contains(&format!("pagerproof {}", env!("CARGO_PKG_VERSION"))));
    let verify = read(&out.join("verify.html"));
    assert!(verify.contains("pagerproof verify --rebuild fixture-variants-inc-h1-2026.zip"));
    assert!(verify.contains("--site fixture-variants-inc-h1-2026/data/sources --out rebuilt"));
    assert!(verify.contains("diff -r rebuilt fixture-variants-inc-h1-2026/data"));
    assert!(!verify.contains("from the same <code>site.toml</code>"));

    // A named preparer is shown as named.
    let toml = site.path().join("site.toml");
    let text = read(&toml) + "\n[package]\npreparer = \"Grace Liu, Security Lead\"\n";
    std::fs::write(&toml, text).unwrap();
    let out = build(site.path());
    assert!(read(&out.join("verify.html")).contains("<td>Grace Liu, Security Lead</td>"));
}

/// Issue 9 (pages part A), on real captured PagerDuty objects: where a resolution time came
/// from, an open incident past its deadline, and fetch records without reported totals.
#[test]
fn incident_pages_explain_verdicts_and_fetch_records_say_not_reported() {
    let site = copy_fixture("devlake-capture");
    let record = |source: &str, missing: &str| {
        format!(
            r#"{{"source":"{source}","tool":"pagerproof 0.1.0","api_url":"https://api.example","since":null,"until":null,
"started_at":"2022-12-01T10:00:00Z","finished_at":"2022-12-01T10:00:05Z","missing_keys":[{missing}],
"windows":[{{"endpoint":"/things","params":[["a","b"]],"fetched_at":"2022-12-01T10:00:01Z","pagination":"cursor","pages":1,"received":3,"reported":null,"note":null}}]}}"#
        )
    };
    let content = site.path().join("content");
    std::fs::write(
        content.join("pagerduty/fetch-record.json"),
        record("pagerduty", ""),
    )
    .unwrap();
    std::fs::create_dir_all(content.join("jira")).unwrap();
    std::fs::write(
        content.join("jira/fetch-record.json"),
        record("jira", r#""OPS-9""#),
    )
    .unwrap();
    let out = build(site.path());
    // #4 is still open past its resolve deadline; #6 was resolved without `resolved_at`.
    let open = read(&out.join("incidents/4.html"));
    assert!(open.contains(r#"<span class="why">not resolved by the deadline</span>"#));
    assert!(!open.contains("Resolved after"));
    let resolved = read(&out.join("incidents/6.html"));
    assert!(resolved.contains("time from the resolve log entry"));
    let population = read(&out.join("population.html"));
    assert!(population.contains("PagerDuty fetch record</h2>"));
    assert!(population.contains("Jira fetch record</h2>"));
    assert!(population.contains(r#"<span class="verdict v-na">not reported</span>"#));
    assert!(!population.contains(r#"<span class="verdict v-met">yes</span>"#));
    assert!(population.contains("1: OPS-9</span>"));
    // The newest fetch decides the preparation instant.
    assert!(read(&out.join("index.html")).contains("Prepared at 2022-12-01 10:00:05 +00:00"));
}

#[test]
fn configuration_and_automation_pages_say_not_tested_then_judge_what_the_snapshot_holds() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let config = read(&out.join("configuration.html"));
    assert!(
        config
            .contains("documents no <code>notify_high_urgency</code>: <strong>not tested</strong>")
    );
    let automation = read(&out.join("automation.html"));
    assert!(
        automation.contains("<strong>Not tested</strong>: the PagerDuty snapshot holds neither")
    );

    // Document P1 automation, and give the snapshot one workflow: the other name is missing.
    let policy = site.path().join("content/policies/incident-response.md");
    let text = read(&policy).replacen(
        "name = \"Critical\"",
        "name = \"Critical\"\nautomation = [\"Major incident\", \"Status page <update>\"]",
        1,
    );
    std::fs::write(&policy, text).unwrap();
    let pd = site.path().join("content/pagerduty");
    std::fs::create_dir_all(&pd).unwrap();
    std::fs::write(
        pd.join("incident_workflows.jsonl"),
        "{\"id\":\"PWF1\",\"name\":\"Major Incident\",\"type\":\"incident_workflow\"}\n",
    )
    .unwrap();
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(summary["exceptions"]["by_kind"]["automation_missing"], 1);
    let automation = read(&out.join("automation.html"));
    assert!(automation.contains("id=\"level-P1\""));
    assert!(automation.contains("Status page &lt;update&gt;"), "escaped");
    let exceptions = read(&out.join("exceptions.html"));
    assert!(exceptions.contains("automation.html#level-P1"));
    assert!(exceptions.contains("method.html#automation-rule"));
}

#[test]
fn export_sidecars_are_read_shown_copied_and_checked() {
    let site = copy_fixture("variants");
    let incidents = site.path().join("content/incidents");
    std::fs::write(
        incidents.join("a-advanced.csv.toml"),
        "exported_by = \"Dana Ruiz\"\nexported_at = 2026-07-02T09:14:00-05:00\n\
         screen = \"Analytics > Incidents > Download CSV\"\n[filters]\nsince = 2026-01-01\n\
         until = 2026-06-30\nservices = [\"checkout-api\"]\nurgency = [\"high\", \"low\"]\n",
    )
    .unwrap();
    // The exports without a sidecar are named by check; the one with a sidecar is not.
    let check = pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.contains("content/incidents/b-titlecase.csv: warning: no export parameters"),
        "{stdout}"
    );
    assert!(!stdout.contains("a-advanced.csv: warning: no export parameters"));

    let out = build(site.path());
    let population = read(&out.join("population.html"));
    assert!(
        population.contains("Exported by Dana Ruiz at 2026-07-02T09:14:00-05:00")
            && population.contains("date range 2026-01-01 to 2026-06-30")
            && population.contains("services: checkout-api;")
            && population.contains("teams: all (no filter)"),
        "export parameters shown"
    );
    assert!(population.contains("No export parameters: no sidecar"));
    let copy = out.join("sources/content/incidents/a-advanced.csv.toml");
    assert!(copy.is_file(), "the sidecar is an input copied to sources/");
    let sha = pagerproof::util::sha256_hex(&std::fs::read(&copy).unwrap());
    assert!(
        population.contains(&sha),
        "the sidecar is listed with its hash"
    );

    // An unknown key (a misspelt filter) stops the build, naming the file and line.
    std::fs::write(
        incidents.join("a-advanced.csv.toml"),
        "exported_by = \"Dana\"\nexported_at = 2026-07-02T09:14:00Z\nscreen = \"s\"\n\
         [filters]\nteam = [\"Payments\"]\n",
    )
    .unwrap();
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/incidents/a-advanced.csv.toml:5:",
        ));
}

#[test]
fn exports_are_reconciled_with_an_api_snapshot_of_the_period() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let only_exports: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert!(
        only_exports["population"].get("reconciliation").is_none(),
        "absent with exports only"
    );
    let accepted = only_exports["population"]["accepted"].as_u64().unwrap();

    // #201 agrees, #202 differs on created, urgency and resolved, #999 is in the API only.
    let dir = site.path().join("content/pagerduty");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("incidents.jsonl"),
        "{\"id\":\"QADV0000000001\",\"incident_number\":201,\"created_at\":\"2026-02-02T16:00:00Z\",\
         \"status\":\"resolved\",\"resolved_at\":\"2026-02-02T17:00:00Z\",\"urgency\":\"high\"}\n\
         {\"id\":\"QADV0000000002\",\"incident_number\":202,\"created_at\":\"2026-02-03T09:05:00Z\",\
         \"status\":\"resolved\",\"resolved_at\":\"2026-02-03T11:30:00Z\",\"urgency\":\"low\"}\n\
         {\"id\":\"QAPI0000000999\",\"incident_number\":999,\"created_at\":\"2026-03-01T12:00:00Z\",\
         \"status\":\"triggered\",\"urgency\":\"high\"}\n",
    )
    .unwrap();
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    let r = &summary["population"]["reconciliation"];
    assert_eq!(r["both"], 2, "{r}");
    assert_eq!(r["export_only"].as_u64().unwrap(), accepted - 2);
    assert_eq!(r["api_only"], 1);
    assert_eq!(r["field_differences"], 3);

    let page = read(&out.join("population.html"));
    let section = &page[page.find("id=\"reconciliation\"").expect("the section")..];
    assert!(section.contains("In both 2; export only"));
    let api_only = &section[section.find("reconciliation-api-only").unwrap()..];
    assert!(api_only.contains("<a href=\"incidents/999.html\">#999</a>"));
    assert!(
        api_only.contains("content/pagerduty/incidents.jsonl</a>:3"),
        "linked to its record"
    );
    let diffs = &section[section.find("reconciliation-differences").unwrap()..];
    for expected in [
        "<td>created</td><td>2026-02-03T09:00:00Z",
        "2026-02-03T09:05:00Z",
        "<td>urgency</td><td>high",
        "<td>resolved</td><td>2026-02-03T11:00:00Z",
    ] {
        assert!(diffs.contains(expected), "{expected}");
    }
    assert!(!diffs.contains("#201<"), "#201 agrees on every field");
}

#[test]
fn the_request_list_maps_each_request_to_its_pages_with_their_hashes() {
    let site = copy_fixture("variants");
    std::fs::write(
        site.path().join("content/requests.csv"),
        "request_id,request,answered_by\n\
         PBC-01,\"Complete population of incidents, with how it was produced\",population.html; data/register.csv\n\
         PBC-02,Incident response policy,\n\
         PBC-03,Escalation evidence,nope.html\n",
    )
    .unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("content/requests.csv:3: warning: request PBC-02 has no answer")
                .and(predicate::str::contains(
                    "content/requests.csv:4: warning: request PBC-03 is answered by `nope.html`, which is no page or file of the site",
                ))
                .and(predicate::str::contains("PBC-01").not()),
        );
    let out = build(site.path());
    let page = read(&out.join("requests.html"));
    for file in ["population.html", "data/register.csv"] {
        let sha = pagerproof::util::sha256_hex(&std::fs::read(out.join(file)).unwrap());
        assert!(
            page.contains(&format!(
                "<a href=\"{file}\">{file}</a><br><code class=\"hash\">{sha}</code>"
            )),
            "{file} with the hash of the file as built"
        );
    }
    assert!(page.contains("1 of 3 requests answered"));
    assert!(page.contains("nope.html: no such page or file in this site"));
    assert!(read(&out.join("index.html")).contains("href=\"requests.html\""));
    assert!(out.join("sources/content/requests.csv").is_file());
}

/// The register at a page size of 4 (the hidden override): 9 incidents make 3 pages, linked in
/// order, and a search index whose row shard holds every incident once, whose filter lists
/// cover every row once, and whose term shards find each title's words.
#[test]
fn register_pages_and_search_shards_cover_every_incident_once() {
    let site = copy_fixture("variants");
    let out = build_with_page_size(site.path(), 4);
    let csp = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'">"#;
    let mut rows_seen = 0;
    for (page, file, rows) in [
        (1, "index.html", 4),
        (2, "page-2.html", 4),
        (3, "page-3.html", 1),
    ] {
        let html = read(&out.join("incidents").join(file));
        assert!(html.contains(csp), "{file}: CSP changed");
        assert!(html.contains(r#"data-pages="3""#), "{file}");
        assert_eq!(html.matches("<tr data-sev=").count(), rows, "{file}");
        rows_seen += rows;
        if page < 3 {
            assert!(html.contains(&format!(r#"<a href="page-{}.html" rel="next">"#, page + 1)));
        } else {
            assert!(!html.contains(r#"rel="next""#));
        }
        if page == 2 {
            assert!(html.contains(r#"<a href="index.html" rel="prev">"#));
            assert!(html.contains(r#"<strong aria-current="page">2</strong>"#));
        }
    }
    assert_eq!(rows_seen, 9);
    assert!(!out.join("incidents/page-4.html").exists());
    // The search index: one value per file, each file named in what loads it.
    let search = out.join("search");
    let value = |stem: &str| -> serde_json::Value {
        let js = read(&search.join(format!("{stem}.js")));
        let prefix =
            format!("(window.PAGERPROOF_SEARCH = window.PAGERPROOF_SEARCH || {{}})[\"{stem}\"] = ");
        let json = js
            .strip_prefix(&prefix)
            .and_then(|s| s.strip_suffix(";\n"))
            .unwrap_or_else(|| panic!("{stem}: unexpected form"));
        serde_json::from_str(json).unwrap()
    };
    let decode = |deltas: &serde_json::Value| -> Vec<u64> {
        let mut at = 0;
        deltas
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                at += d.as_u64().unwrap();
                at
            })
            .collect()
    };
    let records = value("rows-0");
    let records = records.as_array().unwrap();
    let numbers: Vec<u64> = records.iter().map(|r| r[0].as_u64().unwrap()).collect();
    let index = value("index");
    assert_eq!(index["rows"], 9);
    assert_eq!(decode(&index["first"]), [201]);
    let mut files: Vec<String> = std::fs::read_dir(&search)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut want: Vec<String> = ["index", "rows-0"]
        .into_iter()
        .map(String::from)
        .chain(
            ["ack", "class", "month", "pm", "res", "sev"]
                .iter()
                .map(|f| format!("facet-{f}")),
        )
        .chain(
            index["terms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| format!("terms-{}", k.as_str().unwrap())),
        )
        .map(|stem| format!("{stem}.js"))
        .collect();
    want.sort();
    assert_eq!(
        files, want,
        "the index lists exactly the term shards written"
    );
    // Each filter field's values cover every row once.
    for field in ["sev", "ack", "res", "pm", "class", "month"] {
        let mut ids: Vec<u64> = value(&format!("facet-{field}"))
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|v| decode(&v[1]))
            .collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..9).collect::<Vec<_>>(), "facet-{field}");
    }
    // Every word of every title finds its row in the shard its key names.
    for (id, r) in records.iter().enumerate() {
        let title = r[1].as_str().unwrap();
        for word in title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 1 && w.is_ascii())
        {
            let term = word.to_lowercase();
            let shard = value(&format!("terms-{}", &term[..2]));
            assert!(
                decode(&shard[&term]).contains(&(id as u64)),
                "{term} of {title}"
            );
        }
    }
    assert_eq!(numbers, [201, 202, 206, 207, 208, 210, 211, 212, 213]);
}

/// Issue 12: a severity with more incidents than a page holds (page size 2 by the hidden
/// override) lists them on `severities/<level>.html` and `severities/<level>/page-<n>.html`,
/// linked both ways, whose rows are exactly the level's rows of register.csv, in order. The
/// pages and the workbook (constant-memory sheets) are the same bytes with 1 or 2 threads.
#[test]
fn severity_pages_past_the_page_size_list_every_incident_of_the_level_once() {
    let sites = [copy_fixture("variants"), copy_fixture("variants")];
    for (site, threads) in sites.iter().zip(["1", "2"]) {
        pagerproof()
            .env("PAGERPROOF_REGISTER_PAGE_SIZE", "2")
            .env("RAYON_NUM_THREADS", threads)
            .args(["build", "--quiet", "--site"])
            .arg(site.path())
            .assert()
            .success();
    }
    let out = sites[0].path().join("public");
    let mut by_level: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut csv = csv::Reader::from_path(out.join("data/register.csv")).unwrap();
    for r in csv.records().map(Result::unwrap) {
        by_level
            .entry(r[4].to_string())
            .or_default()
            .push(r[0].to_string());
    }
    let row =
        regex::Regex::new(r#"<tr><td><a href="\.\./(?:\.\./)?incidents/(\d+)\.html">"#).unwrap();
    let mut paged = 0;
    for (level, numbers) in &by_level {
        let first = out.join(format!("severities/{level}.html"));
        let html = read(&first);
        assert!(
            html.contains(&format!(
                "<tr><th scope=\"row\">Incidents</th><td>{}</td></tr>",
                numbers.len()
            )),
            "{level}: the summary stays on the first page"
        );
        let pages = numbers.len().div_ceil(2);
        let mut seen = Vec::new();
        for page in 1..=pages {
            let path = if page == 1 {
                first.clone()
            } else {
                out.join(format!("severities/{level}/page-{page}.html"))
            };
            let html = read(&path);
            seen.extend(row.captures_iter(&html).map(|c| c[1].to_string()));
            let root = if page == 1 { "../" } else { "../../" };
            let href = |n: usize| {
                if n == 1 {
                    format!("{root}severities/{level}.html")
                } else {
                    format!("{root}severities/{level}/page-{n}.html")
                }
            };
            assert_eq!(
                html.contains(&format!(r#"<a href="{}" rel="next">"#, href(page + 1))),
                page < pages,
                "{level} page {page}: next"
            );
            if page > 1 {
                assert!(
                    html.contains(&format!(r#"<a href="{}" rel="prev">"#, href(page - 1))),
                    "{level} page {page}: prev"
                );
                assert!(html.contains(r#"<strong aria-current="page">"#));
                assert!(
                    !html.contains("<table class=\"facts\">"),
                    "summary on page 1 only"
                );
            }
            // Each row's links resolve from where the page is.
            for c in row.captures_iter(&html) {
                let target = path.parent().unwrap().join(c[0].split('"').nth(1).unwrap());
                assert!(target.is_file(), "{}", target.display());
            }
        }
        assert_eq!(
            &seen, numbers,
            "{level}: every incident once, in register order"
        );
        assert!(
            !out.join(format!("severities/{level}/page-{}.html", pages + 1))
                .exists()
        );
        if pages == 1 {
            assert!(!out.join(format!("severities/{level}")).exists(), "{level}");
        } else {
            paged += 1;
        }
    }
    assert!(paged > 0, "the fixture must page at least one level");
    let bytes = |rel: &str| {
        sites
            .each_ref()
            .map(|s| std::fs::read(s.path().join("public").join(rel)).unwrap())
    };
    for rel in ["data/register.xlsx", "data/register.csv"] {
        let [a, b] = bytes(rel);
        assert!(a == b, "{rel} differs between 1 and 2 threads");
    }
}

/// Issue 12: the default theme's incident page and register row are written in Rust
/// (`render::pages::incidents::html`, `render::markup`): the incident page in 3 µs where tera
/// took 95. A theme whose incident.html or register-row.html differs from the default's (here:
/// the default's text and a comment, which renders nothing) is rendered by tera from the
/// templates.
/// Both give the same bytes for every incident page and register page of the fixtures and of
/// the example site (2,000 generated incidents); the example's own `themes/default/`, a verbatim
/// copy of the embedded theme, is not an override.
#[test]
fn pages_written_in_rust_match_the_templates() {
    let example = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("site.toml"), example.path().join("site.toml")).unwrap();
    for dir in ["content", "themes"] {
        copy_dir(&root.join(dir), &example.path().join(dir));
    }
    let sites = [
        copy_fixture("variants"),
        copy_fixture("devlake-capture"),
        copy_fixture("devlake-jira"),
        example,
    ];
    let templates = root.join("themes/default/templates");
    for site in &sites {
        // Every page under incidents/ (the incidents' and the register's) and severities/.
        let pages = |out: &Path| -> BTreeMap<String, String> {
            ["incidents", "severities"]
                .iter()
                .flat_map(|dir| walkdir::WalkDir::new(out.join(dir)))
                .map(|e| e.unwrap().into_path())
                .filter(|p| p.extension().is_some_and(|x| x == "html"))
                .map(|p| {
                    let rel = p.strip_prefix(out).unwrap();
                    (rel.to_string_lossy().into_owned(), read(&p))
                })
                .collect()
        };
        let in_rust = pages(&build(site.path()));
        assert!(in_rust.contains_key("incidents/index.html") && in_rust.len() >= 2);
        assert!(in_rust.keys().any(|k| k.starts_with("severities/")));
        let own = site.path().join("themes/default/templates");
        std::fs::create_dir_all(&own).unwrap();
        for name in ["incident.html", "register-row.html", "severity.html"] {
            let text = read(&templates.join(name));
            std::fs::write(
                own.join(name),
                format!("{text}{{# this theme's own copy #}}"),
            )
            .unwrap();
        }
        let from_templates = pages(&build(site.path()));
        assert_eq!(in_rust.len(), from_templates.len());
        for (name, page) in &in_rust {
            assert_eq!(
                page,
                &from_templates[name],
                "{}: {name} differs",
                site.path().display()
            );
        }
    }
}
