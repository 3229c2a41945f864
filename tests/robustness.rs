//! Issue 14: hostile inputs and concurrent use. Each test names the defect it covers; each
//! failed before the fix.

mod common;

use std::path::Path;

use common::*;
use predicates::prelude::*;

fn append(path: &Path, text: &str) {
    let mut body = read(path);
    body.push_str(text);
    std::fs::write(path, body).unwrap();
}

fn replace(path: &Path, from: &str, to: &str) {
    let body = read(path);
    assert!(body.contains(from), "{}: no {from:?}", path.display());
    std::fs::write(path, body.replacen(from, to, 1)).unwrap();
}

const ADVANCED: &str = "content/incidents/a-advanced.csv";
const POLICY: &str = "content/policies/incident-response.md";

// ---------------------------------------------------------------------------------------------
// 1. Concurrent runs

#[test]
fn concurrent_builds_leave_one_complete_output() {
    let site = copy_fixture("variants");
    let reference = build(site.path());
    let expected = files(&reference);
    // A stale `.public.old` that this run did not create must survive (defect 10).
    let foreign = site.path().join(".public.old");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "not pagerproof's").unwrap();

    let runs: Vec<std::process::Child> = (0..4)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin!("pagerproof"))
                .args(["build", "--quiet", "--site"])
                .arg(site.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().unwrap().success());
    }
    assert_eq!(files(&site.path().join("public")), expected);
    assert!(foreign.join("keep.txt").is_file());
    let leftovers: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains("pagerproof-old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A build stopped before it finished leaves its staging directory beside the output; the next
/// build of that output removes it (and nothing else of the directory's).
#[test]
fn a_stopped_builds_staging_is_removed_by_the_next_build() {
    let site = copy_fixture("variants");
    let stopped = site.path().join(".public.pagerproof-staging-4194303-0");
    std::fs::create_dir_all(stopped.join("incidents")).unwrap();
    std::fs::write(stopped.join("incidents/1.html"), "half a build").unwrap();
    let foreign = site.path().join(".public.pagerproof-staging-note");
    std::fs::write(&foreign, "a file, not a build's directory").unwrap();
    let other = site.path().join(".other.pagerproof-staging-1-0");
    std::fs::create_dir(&other).unwrap();

    let out = build(site.path());
    assert!(out.join("index.html").is_file());
    assert!(!stopped.exists(), "the stopped build's staging is gone");
    assert!(foreign.is_file(), "a file is not a staging directory");
    assert!(
        other.is_dir(),
        "another output's staging is not this build's to remove"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Oversized durations

#[test]
fn an_oversized_seconds_column_rejects_the_row_instead_of_panicking() {
    let site = copy_fixture("variants");
    append(
        &site.path().join(ADVANCED),
        "QADV0000000099,299,Huge,PSVC001,checkout-api,PEP0001,Production,2026-02-05T10:00:00-06:00,,9300000000000000,,0,0,0,1,1,,,,,,,high\n",
    );
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .stdout(predicate::str::contains(
            "a-advanced.csv:9: warning: row rejected: seconds_to_first_ack 9300000000000000 is out of range",
        ))
        .code(predicate::ne(101));
    let out = build(site.path());
    let population = read(&out.join("population.html"));
    assert!(population.contains("9300000000000000 is out of range"));
}

#[test]
fn an_oversized_policy_target_is_a_check_error_at_its_line() {
    let site = copy_fixture("variants");
    replace(
        &site.path().join(POLICY),
        "resolve = \"4h\"",
        "resolve = \"200000000000d\"",
    );
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .code(3) // an input error (README "Exit codes")
        .stderr(predicate::str::contains(
            "content/policies/incident-response.md:15: severity P1 resolve: `200000000000d` is longer than 100 years",
        ));
}

#[test]
fn a_resolution_before_creation_rejects_the_row() {
    let site = copy_fixture("variants");
    append(
        &site.path().join(ADVANCED),
        "QADV0000000098,298,Backwards,PSVC001,checkout-api,PEP0001,Production,2026-02-05T10:00:00-06:00,2026-02-05T09:00:00-06:00,,,0,0,0,1,1,,,,,,,high\n",
    );
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .stdout(predicate::str::contains(
            "a-advanced.csv:9: warning: row rejected: resolved 2026-02-05T15:00:00Z is before created 2026-02-05T16:00:00Z",
        ));
}

// ---------------------------------------------------------------------------------------------
// 4. Missing inputs, empty sites, symbolic links

#[test]
fn a_configured_input_directory_that_does_not_exist_is_an_error() {
    let site = copy_fixture("variants");
    append(
        &site.path().join("site.toml"),
        "\n[inputs]\nincidents = \"content/incidnets\"\n",
    );
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "site.toml: [inputs] incidents = \"content/incidnets\" does not exist",
        ));
}

#[test]
fn a_site_without_incidents_needs_allow_empty_and_keeps_the_previous_output() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let before = files(&out);
    std::fs::remove_dir_all(site.path().join("content/incidents")).unwrap();
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("no incident in the period"))
        .stderr(predicate::str::contains("--allow-empty"));
    assert_eq!(files(&out), before, "the good site stays");
    pagerproof()
        .args(["build", "--quiet", "--allow-empty", "--site"])
        .arg(site.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("0 incidents in period"));
}

#[cfg(unix)]
#[test]
fn symbolic_links_inside_the_site_are_followed_and_those_leaving_it_refused() {
    let site = copy_fixture("variants");
    let incidents = site.path().join("content/incidents");
    let exports = site.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    std::fs::rename(incidents.join("c-analytics.csv"), exports.join("c.csv")).unwrap();
    std::os::unix::fs::symlink(exports.join("c.csv"), incidents.join("c-analytics.csv")).unwrap();
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(
        summary["population"]["rows_read"], 16,
        "the linked export is read"
    );

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.csv"), "x\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.csv"), incidents.join("e.csv")).unwrap();
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/incidents/e.csv: symbolic link to",
        ))
        .stderr(predicate::str::contains("outside the site; refused"));
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_named() {
    let site = copy_fixture("variants");
    let incidents = site.path().join("content/incidents");
    std::os::unix::fs::symlink(&incidents, incidents.join("again")).unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/incidents/again: symbolic link loop",
        ));
}

// ---------------------------------------------------------------------------------------------
// 10. Smaller: the output inside an input directory

#[test]
fn an_output_inside_an_input_directory_is_refused() {
    let site = copy_fixture("variants");
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .arg("--out")
        .arg(site.path().join("content/incidents/out"))
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "must not be inside or contain the input directory [inputs] incidents",
        ));
}

// ---------------------------------------------------------------------------------------------
// 7. Cells longer than a spreadsheet holds

#[test]
fn an_over_long_cell_is_named_by_check_and_truncated_with_a_note_in_the_workbook() {
    let site = copy_fixture("variants");
    let title = "y".repeat(40_000);
    append(
        &site.path().join(ADVANCED),
        &format!(
            "QADV0000000097,297,{title},PSVC001,checkout-api,PEP0001,Production,2026-02-05T10:00:00-06:00,2026-02-05T11:00:00-06:00,60,3600,0,0,0,1,1,,,,,,,high\n"
        ),
    );
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .stdout(predicate::str::contains(
            "content/incidents/a-advanced.csv:9: warning: incident 297: title has 40000 characters",
        ));
    // Failed before: `build` stopped at register.xlsx without naming the input.
    let out = build(site.path());
    let xlsx = std::fs::read(out.join("data/register.xlsx")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(strings.contains("truncated: 40000 characters; the full text is in register.csv]"));
    assert!(read(&out.join("data/register.csv")).contains(&title));
}

// ---------------------------------------------------------------------------------------------
// 8. Two management responses to one exception

#[test]
fn a_second_response_to_one_exception_is_an_error_naming_both_files() {
    let site = copy_fixture("variants");
    let responses = site.path().join("content/responses");
    std::fs::copy(responses.join("orphan.md"), responses.join("second.md")).unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/responses/second.md:2: a second management response to exception \
             `orphan_postmortem:PM-2`; the first is content/responses/orphan.md:2",
        ));
}

// ---------------------------------------------------------------------------------------------
// 10. Smaller defects

const PM1: &str = "content/postmortems/PM-1.json";

#[test]
fn a_javascript_tracker_url_is_text_not_a_link() {
    let site = copy_fixture("variants");
    replace(
        &site.path().join(PM1),
        r#"{"title": "Write runbook","#,
        r#"{"title": "Write runbook", "tracker": {"url": "javascript:alert(document.domain)"},"#,
    );
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .stdout(predicate::str::contains(
            "content/postmortems/PM-1.json:16: warning: tracker URL `javascript:alert(document.domain)` is not an http(s) URL",
        ));
    let out = build(site.path());
    let page = read(&out.join("postmortems/PM-1.html"));
    assert!(
        page.contains("javascript:alert(document.domain)"),
        "shown as text"
    );
    assert!(!page.contains("href=\"javascript:"), "never a link");
}

#[test]
fn as_of_before_the_period_start_is_an_error_at_its_line() {
    let site = copy_fixture("variants");
    replace(
        &site.path().join("site.toml"),
        "end = 2026-06-30\n",
        "end = 2026-06-30\nas_of = 2025-12-01\n",
    );
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "site.toml:9: [period] as_of 2025-12-01 is before the period's start 2026-01-01",
        ));
}

#[test]
fn a_mistyped_theme_name_is_an_error_at_its_line() {
    let site = copy_fixture("variants");
    append(
        &site.path().join("site.toml"),
        "\n[theme]\nname = \"defualt\"\n",
    );
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "site.toml:21: [theme] name `defualt`: there is no themes/defualt/ directory",
        ));
}

#[test]
fn an_invalid_from_urgency_value_is_a_warning_at_its_line() {
    let site = copy_fixture("variants");
    append(
        &site.path().join("site.toml"),
        "\n[severity]\nfrom_urgency = { high = \"P9\", loud = \"P1\" }\n",
    );
    pagerproof()
        .args(["check", "--strict", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "site.toml:21: warning: [severity] from_urgency maps `high` to `P9`, which is no level of content/policies/incident-response.md",
        ))
        .stdout(predicate::str::contains(
            "site.toml:21: warning: [severity] from_urgency key `loud` is not a PagerDuty urgency",
        ));
}

#[test]
fn a_duplicate_csv_header_is_an_error_at_the_header_line() {
    let site = copy_fixture("variants");
    let csv = site.path().join("content/incidents/c-analytics.csv");
    replace(&csv, "urgency,priority_name", "urgency,Urgency");
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/incidents/c-analytics.csv:1: column \"Urgency\" appears twice (columns 8 and 9)",
        ));
}

#[test]
fn a_duplicate_json_key_is_an_error_at_its_line() {
    let site = copy_fixture("variants");
    replace(
        &site.path().join(PM1),
        "  \"status\": \"completed\",\n",
        "  \"status\": \"completed\",\n  \"status\": \"draft\",\n",
    );
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/postmortems/PM-1.json:6: invalid JSON: key `status` appears twice",
        ));
}

#[test]
fn utf16_inputs_are_named_as_utf16() {
    let site = copy_fixture("variants");
    let csv = site.path().join("content/incidents/c-analytics.csv");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(read(&csv).encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(&csv, utf16).unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/incidents/c-analytics.csv:1: UTF-16 text; export or save the CSV as UTF-8",
        ));
    let response = site.path().join("content/responses/orphan.md");
    let utf16: Vec<u8> = read(&response)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(&response, utf16).unwrap();
    std::fs::remove_file(&csv).unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/responses/orphan.md:1: UTF-16 text; save it as UTF-8",
        ));
}

#[test]
fn deeply_nested_markdown_is_flattened_with_a_warning() {
    let site = copy_fixture("variants");
    let response = site.path().join("content/responses/orphan.md");
    append(&response, &format!("\n{}deep\n", ">".repeat(100_000)));
    let started = std::time::Instant::now();
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .stdout(predicate::str::contains(
            "content/responses/orphan.md:9: warning: markdown nested 100000 levels deep; levels beyond 32 are flattened",
        ));
    build(site.path());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Page-name collisions

fn postmortem(site: &Path, file: &str, id: &str) {
    let body = serde_json::json!({"schema": "postmortem.v1", "id": id, "title": format!("Postmortem {id}"),
        "incidents": [{"number": 201}]});
    std::fs::write(
        site.join("content/postmortems").join(file),
        body.to_string(),
    )
    .unwrap();
}

#[test]
fn postmortem_ids_alike_once_made_safe_get_pages_of_their_own() {
    let site = copy_fixture("variants");
    postmortem(site.path(), "a.json", "PM 1");
    postmortem(site.path(), "b.json", "PM_1");
    postmortem(site.path(), "c.json", "index");
    let out = build(site.path());
    let pages = files(&out.join("postmortems"));
    // Before: `PM 1` and `PM_1` shared PM_1.html and `index` was overwritten by the list page.
    for (page, id) in [
        ("PM~201.html", "PM 1"),
        ("PM_1.html", "PM_1"),
        ("~69ndex.html", "index"),
    ] {
        assert!(pages.contains(&page.to_string()), "{page} in {pages:?}");
        assert!(read(&out.join("postmortems").join(page)).contains(&format!("Postmortem {id}")));
    }
    assert!(read(&out.join("postmortems/index.html")).contains("PM~201.html"));
    assert_eq!(link_problems(&out), Vec::<String>::new());
}

#[test]
fn a_policy_file_named_index_does_not_replace_the_policy_list() {
    let site = copy_fixture("variants");
    std::fs::write(
        site.path().join("content/policies/index.md"),
        "+++\ntitle = \"Index Policy\"\n+++\n# The index policy\n",
    )
    .unwrap();
    let out = build(site.path());
    assert!(read(&out.join("policies/index-2.html")).contains("The index policy"));
    assert!(read(&out.join("policies/index.html")).contains("index-2.html"));
}

// ---------------------------------------------------------------------------------------------
// 6. Odd file names

#[test]
fn file_names_with_url_characters_are_linked_percent_encoded() {
    let site = copy_fixture("variants");
    let incidents = site.path().join("content/incidents");
    std::fs::rename(
        incidents.join("c-analytics.csv"),
        incidents.join("c #1?.csv"),
    )
    .unwrap();
    let out = build(site.path());
    let population = read(&out.join("population.html"));
    assert!(
        population.contains("content/incidents/c%20%231%3F.csv"),
        "encoded link"
    );
    // Before: `#` and `?` cut the link short and it led nowhere.
    assert_eq!(link_problems(&out), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_file_name_the_bag_cannot_carry_is_refused_by_check() {
    let site = copy_fixture("variants");
    let incidents = site.path().join("content/incidents");
    std::fs::rename(
        incidents.join("c-analytics.csv"),
        incidents.join("c\\1.csv"),
    )
    .unwrap();
    // Before: check passed and `package` wrote a zip that `verify` rejected.
    pagerproof()
        .args(["check", "--site"])
        .arg(site.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "content/incidents/c\\1.csv: the file name contains a backslash",
        ));
}
