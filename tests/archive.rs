//! Issue 15: packages of two periods chained by hash, gathered by `pagerproof archive`.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_fixture, pagerproof, read};
use predicates::prelude::*;

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{}: no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Builds `site` (the tests read its pages) and packages it (`package` bags that build).
fn package(site: &Path) {
    for command in ["build", "package"] {
        pagerproof()
            .args([command, "--site"])
            .arg(site)
            .assert()
            .success();
    }
}

/// The fixture as an earlier period: another period name, an older policy version with a
/// tighter P1 acknowledgement target, and one incident export fewer. Returns its zip.
fn previous_period(site: &Path) -> PathBuf {
    edit(
        &site.join("site.toml"),
        "name = \"H1 2026\"",
        "name = \"Prior\"",
    );
    let policy = site.join("content/policies/incident-response.md");
    edit(&policy, "version = \"1.0\"", "version = \"0.9\"");
    edit(&policy, "ack = \"5m\"", "ack = \"10m\"");
    std::fs::remove_file(site.join("content/incidents/d-basic.csv")).unwrap();
    package(site);
    site.join("dist/fixture-variants-inc-prior.zip")
}

/// The fixture chained to `previous`. Returns its zip.
fn chained_period(site: &Path, previous: &Path) -> PathBuf {
    let toml = site.join("site.toml");
    let text = format!(
        "{}\n[package]\nprevious = \"{}\"\n",
        read(&toml),
        previous.display()
    );
    std::fs::write(&toml, text).unwrap();
    package(site);
    site.join("dist/fixture-variants-inc-h1-2026.zip")
}

fn bag_info(zip: &Path) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let name = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .find(|n| n.ends_with("/bag-info.txt"))
        .unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(&name).unwrap(), &mut text).unwrap();
    text
}

struct Two {
    _old: tempfile::TempDir,
    new: tempfile::TempDir,
    old_zip: PathBuf,
    new_zip: PathBuf,
}

fn two_periods() -> Two {
    let old = copy_fixture("variants");
    let new = copy_fixture("variants");
    let old_zip = previous_period(old.path());
    let new_zip = chained_period(new.path(), &old_zip);
    Two {
        _old: old,
        new,
        old_zip,
        new_zip,
    }
}

#[test]
fn two_chained_periods_archive_with_an_intact_chain() {
    let t = two_periods();
    let info = bag_info(&t.new_zip);
    assert!(
        info.contains(&format!(
            "Previous-Package-SHA256: {}\n",
            sha256(&t.old_zip)
        )),
        "{info}"
    );
    assert!(
        info.contains("Previous-External-Identifier: pagerproof:fixture-variants-inc:prior\n"),
        "{info}"
    );
    let verify = read(&t.new.path().join("public/verify.html"));
    assert!(
        verify.contains(&sha256(&t.old_zip)),
        "verify.html names the previous zip's hash"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archive");
    pagerproof()
        .args(["archive", "--out"])
        .arg(&out)
        .arg(&t.new_zip)
        .arg(&t.old_zip)
        .assert()
        .success()
        .stdout(predicate::str::contains("chain intact"));
    let index = read(&out.join("index.html"));
    assert!(
        index.contains("<span class=\"ok\" id=\"chain\">chain intact</span>"),
        "{index}"
    );
    assert!(index.contains(&sha256(&t.old_zip)) && index.contains(&sha256(&t.new_zip)));
    assert!(
        index.contains(">Prior</a>") && index.contains(">H1 2026</a>"),
        "{index}"
    );
    assert!(index.contains("not signed"));
    assert!(index.contains("Content-Security-Policy"));
    // Both sites unpacked beside the index, with relative links into them.
    assert!(out.join("fixture-variants-inc-prior/index.html").is_file());
    assert!(
        out.join("fixture-variants-inc-h1-2026/verify.html")
            .is_file()
    );
    assert!(index.contains("href=\"fixture-variants-inc-prior/index.html\""));
    assert!(!index.contains("href=\"/"), "relative links only");
    // The older period comes first.
    assert!(index.find(">Prior</a>").unwrap() < index.find(">H1 2026</a>").unwrap());

    // Deterministic, and a re-run reads what the archive holds: with no zip given, same index.
    pagerproof()
        .args(["archive", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(read(&out.join("index.html")), index);
}

#[test]
fn re_running_with_one_more_zip_adds_a_row() {
    let t = two_periods();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archive");
    pagerproof()
        .args(["archive", "--out"])
        .arg(&out)
        .arg(&t.old_zip)
        .assert()
        .success();
    let one = read(&out.join("index.html"));
    assert_eq!(one.matches("<tr id=").count(), 1);
    pagerproof()
        .args(["archive", "--out"])
        .arg(&out)
        .arg(&t.new_zip)
        .assert()
        .success();
    let two = read(&out.join("index.html"));
    assert_eq!(two.matches("<tr id=").count(), 2);
    assert!(two.contains("chain intact"));
}

#[test]
fn a_tampered_older_zip_is_refused_by_name() {
    let t = two_periods();
    // Flip one byte of a payload file's stored data: rewrite the zip with one entry changed.
    let bytes = std::fs::read(&t.old_zip).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if name.ends_with("/data/index.html") {
            data.extend_from_slice(b"<!-- edited -->");
        }
        writer
            .start_file(name, zip::write::SimpleFileOptions::DEFAULT)
            .unwrap();
        std::io::Write::write_all(&mut writer, &data).unwrap();
    }
    std::fs::write(&t.old_zip, writer.finish().unwrap().into_inner()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archive");
    pagerproof()
        .args(["archive", "--out"])
        .arg(&out)
        .arg(&t.new_zip)
        .arg(&t.old_zip)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "fixture-variants-inc-prior.zip: refused",
        ))
        .stderr(predicate::str::contains("data/index.html"));
    assert!(!out.join("index.html").exists(), "nothing is written");
}

#[test]
fn a_held_package_that_differs_from_the_recorded_one_breaks_the_chain() {
    use pagerproof::package::collection::{Link, Row, links};
    let row = |bag: &str, sha: &str, prev: Option<(&str, &str)>| Row {
        bag: bag.into(),
        zip_name: format!("{bag}.zip"),
        organization: "O".into(),
        period: bag.into(),
        start: String::new(),
        end: String::new(),
        identifier: format!("id:{bag}"),
        zip_sha256: sha.into(),
        signature: pagerproof::package::collection::Signature::NotSigned,
        previous_sha256: prev.map(|p| p.1.to_string()),
        previous_identifier: prev.map(|p| p.0.to_string()),
        figures: Default::default(),
    };
    let rows = [row("a", "aa", None), row("b", "bb", Some(("id:a", "zz")))];
    let l = links(&rows);
    assert_eq!(l[0], Link::First);
    assert!(l[1].is_break(), "{l:?}");
    let html = pagerproof::package::collection::index_html(&rows, &l);
    assert!(html.contains("chain broken at 1 link(s)"));
    assert!(html.contains("chain break</span>: recorded <code>zz</code>"));
}

#[test]
fn the_changes_page_lists_the_policy_change_and_figure_deltas() {
    let t = two_periods();
    let html = read(&t.new.path().join("public/changes.html"));
    assert!(html.contains("Version 0.9 then 1.0."), "{html}");
    assert!(
        html.contains("<tr><td>P1 acknowledge within</td><td>10m</td><td>5m</td></tr>"),
        "{html}"
    );
    // d-basic.csv is only in this period: more incidents, a positive delta.
    let row = html
        .lines()
        .find(|l| l.starts_with("<tr><td>Incidents in period</td>"))
        .expect("an incidents row");
    assert!(row.contains("<td>+"), "{row}");
    assert!(html.contains("acknowledged within target"));
    assert!(html.contains("Postmortems on time"));
    // A period without a previous package has no changes page.
    let old_site = t.old_zip.parent().unwrap().parent().unwrap();
    assert!(!old_site.join("public/changes.html").exists());
}

/// `+3`, `-2`, `0`: a count's change as the dashboard writes it.
fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// Attainment in tenths of a percent, rounded half up, from a summary.json severity.
fn permille(s: &serde_json::Value, met: &str, breached: &str) -> i64 {
    let (m, b) = (s[met].as_i64().unwrap(), s[breached].as_i64().unwrap());
    (m * 1000 + (m + b) / 2) / (m + b)
}

#[test]
fn the_dashboard_shows_changes_since_the_previous_period_and_the_nav_links_them() {
    let t = two_periods();
    let old_site = t.old_zip.parent().unwrap().parent().unwrap().to_path_buf();
    let summary = |site: &Path| -> serde_json::Value {
        serde_json::from_str(&read(&site.join("public/data/summary.json"))).unwrap()
    };
    let (before, after) = (summary(&old_site), summary(t.new.path()));
    let dashboard = read(&t.new.path().join("public/index.html"));

    let accepted = |s: &serde_json::Value| s["population"]["accepted"].as_i64().unwrap();
    let volume = format!(
        "<span class=\"delta\">{} on Prior ({})</span>",
        signed(accepted(&after) - accepted(&before)),
        accepted(&before)
    );
    assert!(dashboard.contains(&volume), "{volume} not in\n{dashboard}");
    let total = |s: &serde_json::Value| s["exceptions"]["total"].as_i64().unwrap();
    let exceptions = format!(
        "<span class=\"delta\">{} on Prior ({};",
        signed(total(&after) - total(&before)),
        total(&before)
    );
    assert!(dashboard.contains(&exceptions), "{exceptions}");
    // P1 acknowledgement attainment, in points, next to this period's share.
    let (p1b, p1a) = (&before["by_severity"]["P1"], &after["by_severity"]["P1"]);
    let d = permille(p1a, "ack_met", "ack_breached") - permille(p1b, "ack_met", "ack_breached");
    let sign = match d.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    let pts = format!(
        "<span class=\"delta\">({sign}{}.{} pts)</span>",
        d.abs() / 10,
        d.abs() % 10
    );
    assert!(dashboard.contains(&pts), "{pts}");
    assert!(dashboard.contains("Changes on Prior: postmortems on time"));
    assert!(dashboard.contains("<a href=\"changes.html\">changes since last period</a>"));

    // The navigation links changes.html on every page of the chained period, relatively...
    assert!(dashboard.contains("<a href=\"changes.html\">Changes</a>"));
    let register = read(&t.new.path().join("public/incidents/index.html"));
    assert!(register.contains("<a href=\"../changes.html\">Changes</a>"));
    // ...and nowhere in a period without a previous one (which has no changes.html either).
    for page in ["index.html", "incidents/index.html", "exceptions.html"] {
        let html = read(&old_site.join("public").join(page));
        assert!(!html.contains("changes.html"), "{page} links changes.html");
        assert!(!html.contains("class=\"delta\""), "{page} shows deltas");
    }
}
