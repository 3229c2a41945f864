//! End-to-end: fixture sites built by the binary, checked page by page.

mod common;

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

#[test]
fn every_page_links_relatively_and_carries_a_csp() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let problems = link_problems(&out);
    assert!(problems.is_empty(), "{problems:#?}");
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
        incident.contains(r#"href="../sources/content/incidents/a-advanced.csv""#),
        "source file linked"
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
/// show in a single byte of the site or the zip.
#[test]
fn package_is_byte_identical_whatever_the_thread_count() {
    let sites = [copy_fixture("variants"), copy_fixture("variants")];
    for (site, threads) in sites.iter().zip(["1", "2"]) {
        pagerproof()
            .args(["package", "--site"])
            .arg(site.path())
            .env("RAYON_NUM_THREADS", threads)
            .env_remove("SOURCE_DATE_EPOCH")
            .assert()
            .success();
    }
    let name = "dist/fixture-variants-inc-h1-2026.zip";
    let [a, b] = sites
        .each_ref()
        .map(|s| std::fs::read(s.path().join(name)).unwrap());
    assert!(a.len() > 1000);
    assert!(a == b, "the zips differ between 1 and 2 threads");
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
/// binary, and renders again when the site or an input changed since.
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

    // An edited site is rendered again, and the zip does not carry the edit.
    std::fs::write(&index, "edited").unwrap();
    assert!(package() == first);
    assert!(read(&index).contains("<html"));

    // A changed input is rendered again.
    let before = inode(&index);
    let toml = site.path().join("site.toml");
    std::fs::write(&toml, read(&toml) + "\n# edited\n").unwrap();
    assert!(package() != first);
    assert_ne!(inode(&index), before, "a changed input renders again");
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
        r#"<a href="sources/content/incidents/b-titlecase.csv">content/incidents/b-titlecase.csv</a>:7"#
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
