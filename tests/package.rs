//! The audit package: deterministic zip of one BagIt bag, `verify`, `keygen`, signatures.
//! Packages are written from hand-made directories (the site build is tested elsewhere).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use chrono::NaiveDate;
use pagerproof::package::bagit::BagInfo;
use pagerproof::package::verify::{VerifyReport, verify_path};
use pagerproof::package::{PackageIdentity, archive, sign, write_package};
use predicates::prelude::*;

const NAME: &str = "acme-corp-fy2026";

/// The hand-made site: nested dirs, `sources/`, a space and non-ASCII names.
const SITE: &[(&str, &str)] = &[
    (
        "index.html",
        "<!doctype html><title>Acme</title><a href=\"verify.html\">verify</a>\n",
    ),
    ("verify.html", "<!doctype html><title>Verify</title>\n"),
    (
        "incidents/P1ABC.html",
        "<!doctype html><title>P1ABC</title>\n",
    ),
    (
        "incidents/index.html",
        "<!doctype html><title>Incidents</title>\n",
    ),
    ("sources/incidents.csv", "id,title\nP1ABC,Database down\n"),
    (
        "sources/postmortems/pm-1.json",
        "{\"schema\":\"postmortem.v1\"}\n",
    ),
    (
        "sources/policy file.md",
        "+++\ntitle = \"IR policy\"\n+++\n# Policy\n",
    ),
    ("sources/données.csv", "a,b\n1,2\n"),
];

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn info() -> BagInfo {
    BagInfo {
        organization: "Acme Corp".into(),
        period: "FY2026".into(),
        start: date("2026-01-01"),
        end: date("2026-12-31"),
        as_of: date("2026-12-31"),
        identifier: "pagerproof:acme-corp:fy2026".into(),
        prepared: None,
        previous: None,
    }
}

/// Writes [`SITE`] under `dir/public`, in the given or reversed order.
fn write_site(dir: &Path, reversed: bool) -> PathBuf {
    let site = dir.join("public");
    let mut files: Vec<&(&str, &str)> = SITE.iter().collect();
    if reversed {
        files.reverse();
    }
    for (path, body) in files {
        let path = site.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, body).unwrap();
    }
    site
}

/// A package of [`SITE`] in `dir/dist`.
fn package(dir: &Path) -> PackageIdentity {
    let site = write_site(dir, false);
    let mtime = archive::zip_time(date("2026-12-31"), None).unwrap();
    write_package(&site, &dir.join("dist"), NAME, &info(), mtime).unwrap()
}

fn zip_names(zip: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect()
}

/// All entries of a zip, in order.
fn zip_entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// Writes `entries` as a plain zip, for crafting tampered packages.
fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::DEFAULT;
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// Unzips the package into `dir` (the test's own extraction, names are trusted here).
fn unzip(zip: &Path, dir: &Path) -> PathBuf {
    for (name, bytes) in zip_entries(zip) {
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir.join(NAME)
}

fn assert_problem(report: &VerifyReport, expected: &str) {
    assert!(
        report.problems.iter().any(|p| p.contains(expected)),
        "expected a problem containing {expected:?}, got {:#?}",
        report.problems
    );
}

// ---------------------------------------------------------------------------------------------
// Shape

#[test]
fn zip_holds_exactly_one_bag_named_like_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    assert_eq!(id.zip, dir.path().join("dist").join(format!("{NAME}.zip")));
    let mut expected: Vec<String> = [
        "bag-info.txt",
        "bagit.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ]
    .iter()
    .map(|f| format!("{NAME}/{f}"))
    .chain(SITE.iter().map(|(p, _)| format!("{NAME}/data/{p}")))
    .collect();
    expected.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(zip_names(&id.zip), expected);
}

#[test]
fn tag_files_follow_bagit_1_0() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let entries = zip_entries(&id.zip);
    let get = |name: &str| {
        let full = format!("{NAME}/{name}");
        let (_, bytes) = entries.iter().find(|(n, _)| *n == full).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    };
    assert_eq!(
        get("bagit.txt"),
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    );
    let bytes: usize = SITE.iter().map(|(_, body)| body.len()).sum();
    let bag_info = get("bag-info.txt");
    for line in [
        "Source-Organization: Acme Corp".to_string(),
        "External-Description: SOC 2 CC7.3 incident evidence, \
         period FY2026 (2026-01-01..2026-12-31)"
            .to_string(),
        "External-Identifier: pagerproof:acme-corp:fy2026".to_string(),
        "Bagging-Date: 2026-12-31".to_string(),
        format!("Payload-Oxum: {bytes}.{}", SITE.len()),
        format!(
            "Bag-Software-Agent: {}",
            pagerproof::package::bagit::SOFTWARE_AGENT
        ),
    ] {
        assert!(
            bag_info.lines().any(|l| l == line),
            "{line:?} not in\n{bag_info}"
        );
    }
    let manifest = get("manifest-sha256.txt");
    let paths: Vec<&str> = manifest.lines().map(|l| &l[66..]).collect();
    let mut sorted = paths.clone();
    sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), SITE.len());
    let index = pagerproof::util::sha256_hex(SITE[0].1.as_bytes());
    assert!(
        manifest.contains(&format!("{index}  data/index.html\n")),
        "{manifest}"
    );
    assert_eq!(get("manifest-sha512.txt").lines().count(), SITE.len());
    assert_eq!(get("tagmanifest-sha512.txt").lines().count(), 4);
    assert_eq!(
        id.tagmanifest_sha256,
        pagerproof::util::sha256_hex(get("tagmanifest-sha256.txt").as_bytes())
    );
}

#[test]
fn coreutils_sha256sum_checks_the_bag_and_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let bag = unzip(&id.zip, &dir.path().join("unzipped"));
    for (cwd, file) in [
        (bag.as_path(), "manifest-sha256.txt"),
        (bag.as_path(), "tagmanifest-sha256.txt"),
        (id.zip.parent().unwrap(), &*format!("{NAME}.zip.sha256")),
    ] {
        let out = Command::new("sha256sum")
            .arg("-c")
            .arg("--strict")
            .arg(file)
            .current_dir(cwd)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "sha256sum -c {file}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let out = Command::new("sha512sum")
        .args(["-c", "manifest-sha512.txt"])
        .current_dir(&bag)
        .output()
        .unwrap();
    assert!(out.status.success());
    let checksums = std::fs::read_to_string(&id.checksum_file).unwrap();
    assert!(checksums.contains(&id.tagmanifest_sha256));
    assert!(checksums.contains(&format!("{}  {NAME}.zip\n", id.zip_sha256)));
}

#[test]
fn names_bagit_tools_disagree_on_are_refused() {
    for bad in ["100%.html", "a\nb.html", "a\rb.html"] {
        let dir = tempfile::tempdir().unwrap();
        let site = write_site(dir.path(), false);
        std::fs::write(site.join(bad), "x").unwrap();
        let mtime = archive::zip_time(date("2026-12-31"), None).unwrap();
        let err = write_package(&site, &dir.path().join("dist"), NAME, &info(), mtime).unwrap_err();
        assert!(
            format!("{err:#}").contains("BagIt tools disagree"),
            "{bad:?}: {err:#}"
        );
    }
}

#[test]
fn symlinks_in_the_site_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let site = write_site(dir.path(), false);
    std::os::unix::fs::symlink("/etc/hostname", site.join("link.html")).unwrap();
    let mtime = archive::zip_time(date("2026-12-31"), None).unwrap();
    let err = write_package(&site, &dir.path().join("dist"), NAME, &info(), mtime).unwrap_err();
    assert!(format!("{err:#}").contains("symbolic links"), "{err:#}");
}

// ---------------------------------------------------------------------------------------------
// Determinism: the golden test

/// Runs only in a child process (see `golden_zip_is_byte_identical_*`): writes the site in the
/// order and with the permissions the environment asks for, then packages it.
#[test]
#[ignore = "run by golden_zip_is_byte_identical_across_tz_umask_locale_and_file_order"]
fn golden_child() {
    let dir =
        PathBuf::from(std::env::var_os("PAGERPROOF_GOLDEN_DIR").expect("PAGERPROOF_GOLDEN_DIR"));
    let reversed = std::env::var_os("PAGERPROOF_GOLDEN_REVERSED").is_some();
    let site = write_site(&dir, reversed);
    if reversed {
        // Other permissions and modification times than the first tree's.
        use std::os::unix::fs::PermissionsExt;
        for (path, _) in SITE {
            let path = site.join(path);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400))
                .unwrap();
        }
    }
    let mtime = archive::zip_time(date("2026-12-31"), None).unwrap();
    write_package(&site, &dir.join("dist"), NAME, &info(), mtime).unwrap();
}

fn run_golden_child(dir: &Path, shell_prefix: &str, env: &[(&str, &str)]) -> Vec<u8> {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "{shell_prefix}; exec \"$0\" --exact golden_child --ignored --test-threads 1 -q"
        ))
        .arg(exe)
        .env("PAGERPROOF_GOLDEN_DIR", dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(dir.join("dist").join(format!("{NAME}.zip"))).unwrap()
}

#[test]
fn golden_zip_is_byte_identical_across_tz_umask_locale_and_file_order() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = run_golden_child(a.path(), "umask 022", &[("TZ", "UTC"), ("LC_ALL", "C")]);
    let second = run_golden_child(
        b.path(),
        "umask 077",
        &[
            ("TZ", "Pacific/Chatham"),
            ("LC_ALL", "C.UTF-8"),
            ("PAGERPROOF_GOLDEN_REVERSED", "1"),
        ],
    );
    assert!(!first.is_empty());
    assert!(first == second, "the zips differ");
    let tree = |d: &Path| std::fs::read(d.join("dist").join(format!("{NAME}.zip.sha256"))).unwrap();
    assert_eq!(tree(a.path()), tree(b.path()));
}

#[test]
fn zip_entries_carry_the_fixed_time_and_mode() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&id.zip).unwrap()).unwrap();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        let t = entry.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour(), t.minute()),
            (2026, 12, 31, 0, 0)
        );
        assert_eq!(
            entry.unix_mode(),
            Some(0o100644),
            "{}",
            entry.name().unwrap()
        );
        assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
        assert!(entry.extra_data().is_none_or(|e| e.is_empty()));
    }
}

#[test]
fn source_date_epoch_changes_only_the_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let site = write_site(dir.path(), false);
    let epoch = archive::zip_time(date("2026-12-31"), Some(1_767_225_600)).unwrap();
    let id = write_package(&site, &dir.path().join("dist"), NAME, &info(), epoch).unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&id.zip).unwrap()).unwrap();
    let t = archive.by_index(0).unwrap().last_modified().unwrap();
    assert_eq!((t.year(), t.month(), t.day()), (2026, 1, 1));
    assert_eq!(
        id.tagmanifest_sha256,
        package(tempfile::tempdir().unwrap().path()).tagmanifest_sha256
    );
}

// ---------------------------------------------------------------------------------------------
// Verify: a good package

#[test]
fn a_fresh_package_verifies_as_zip_and_as_directory() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let report = verify_path(&id.zip, None);
    assert!(report.is_ok(), "{:#?}", report.problems);
    assert_eq!(report.bag, NAME);
    assert_eq!(report.payload, id.oxum);
    assert_eq!(report.manifest_algorithms, ["sha256", "sha512"]);
    assert_eq!(report.manifest_lines, 2 * SITE.len());
    assert_eq!(report.tagmanifest_lines, 8);
    assert_eq!(report.zip_sha256.as_deref(), Some(id.zip_sha256.as_str()));
    assert_eq!(
        report.tagmanifest_sha256.as_deref(),
        Some(id.tagmanifest_sha256.as_str())
    );

    let bag = unzip(&id.zip, &dir.path().join("unzipped"));
    let report = verify_path(&bag, None);
    assert!(report.is_ok(), "{:#?}", report.problems);
    assert_eq!(
        report.tagmanifest_sha256.as_deref(),
        Some(id.tagmanifest_sha256.as_str())
    );
}

#[test]
fn verify_cli_prints_what_was_verified() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    cargo_bin_cmd!("pagerproof")
        .arg("verify")
        .arg(&id.zip)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{} files", SITE.len())))
        .stdout(predicate::str::contains("sha256, sha512"))
        .stdout(predicate::str::contains(&id.zip_sha256))
        .stdout(predicate::str::contains(&id.tagmanifest_sha256));
}

// ---------------------------------------------------------------------------------------------
// Verify: tampering, each caught and named

/// Verifies a copy of the package's entries changed by `edit`, rewritten as a zip.
fn verify_tampered_zip(edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> VerifyReport {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let mut entries = zip_entries(&id.zip);
    edit(&mut entries);
    let tampered = dir.path().join("tampered.zip");
    write_zip(&tampered, &entries);
    verify_path(&tampered, None)
}

fn entry<'a>(entries: &'a mut [(String, Vec<u8>)], name: &str) -> &'a mut Vec<u8> {
    let full = format!("{NAME}/{name}");
    &mut entries.iter_mut().find(|(n, _)| *n == full).unwrap().1
}

#[test]
fn a_flipped_byte_in_a_payload_file_is_named() {
    let report = verify_tampered_zip(|e| entry(e, "data/sources/incidents.csv")[3] ^= 0x01);
    assert_problem(&report, "data/sources/incidents.csv: sha256 mismatch");
    assert_problem(&report, "data/sources/incidents.csv: sha512 mismatch");
    assert!(!report.is_ok());
}

#[test]
fn a_flipped_byte_in_a_tag_file_is_named() {
    let report = verify_tampered_zip(|e| entry(e, "bag-info.txt")[0] ^= 0x20);
    assert_problem(
        &report,
        "bag-info.txt: sha256 mismatch: tagmanifest-sha256.txt:1",
    );
    let report = verify_tampered_zip(|e| {
        let manifest = entry(e, "manifest-sha256.txt");
        manifest[0] = if manifest[0] == b'0' { b'1' } else { b'0' };
    });
    assert_problem(
        &report,
        "manifest-sha256.txt: sha256 mismatch: tagmanifest-sha256.txt:3",
    );
    assert_problem(&report, "data/");
}

#[test]
fn an_added_file_is_named() {
    let report =
        verify_tampered_zip(|e| e.push((format!("{NAME}/data/extra.html"), b"x".to_vec())));
    assert_problem(
        &report,
        "data/extra.html: unexpected file: not listed in manifest-sha256.txt",
    );
    assert_problem(
        &report,
        "data/extra.html: unexpected file: not listed in manifest-sha512.txt",
    );
    assert_problem(&report, "bag-info.txt: Payload-Oxum");
    let report = verify_tampered_zip(|e| e.push((format!("{NAME}/notes.txt"), b"x".to_vec())));
    assert_problem(
        &report,
        "notes.txt: unexpected file: not listed in tagmanifest-sha256.txt",
    );
}

#[test]
fn a_deleted_file_is_named() {
    let report = verify_tampered_zip(|e| e.retain(|(n, _)| !n.ends_with("/data/verify.html")));
    assert_problem(
        &report,
        "data/verify.html: missing (listed in manifest-sha256.txt:",
    );
    assert_problem(
        &report,
        "data/verify.html: missing (listed in manifest-sha512.txt:",
    );
    let report = verify_tampered_zip(|e| e.retain(|(n, _)| !n.ends_with("/manifest-sha512.txt")));
    assert_problem(
        &report,
        "manifest-sha512.txt: missing (listed in tagmanifest-sha256.txt:4)",
    );
    let report = verify_tampered_zip(|e| e.retain(|(n, _)| !n.ends_with("/bagit.txt")));
    assert_problem(&report, "bagit.txt: missing (required)");
}

#[test]
fn a_bad_payload_oxum_is_named() {
    let report = verify_tampered_zip(|e| {
        let info = entry(e, "bag-info.txt");
        let text = String::from_utf8(info.clone()).unwrap();
        let (head, tail) = text.split_once("Payload-Oxum: ").unwrap();
        *info = format!("{head}Payload-Oxum: 1{tail}").into_bytes();
    });
    assert_problem(&report, "bag-info.txt: Payload-Oxum 1");
    assert_problem(&report, "the payload has");
}

#[test]
fn unsafe_zip_paths_are_named() {
    let report = verify_tampered_zip(|e| {
        e.push(("../x".to_string(), b"zip slip".to_vec()));
        e.push(("/etc/cron.d/x".to_string(), b"abs".to_vec()));
        e.push((format!("{NAME}/data/../../y"), b"y".to_vec()));
    });
    assert_problem(&report, "../x: unsafe path in zip (`..` component)");
    assert_problem(&report, "/etc/cron.d/x: unsafe path in zip (absolute path)");
    assert_problem(&report, "data/../../y: unsafe path in zip");
}

#[test]
fn a_second_top_level_directory_is_named() {
    let report = verify_tampered_zip(|e| e.push(("other/bagit.txt".to_string(), b"x".to_vec())));
    assert_problem(&report, "more than one top-level directory");
}

#[test]
fn tampering_in_an_unzipped_bag_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let bag = unzip(&id.zip, &dir.path().join("unzipped"));
    let index = bag.join("data/index.html");
    let mut bytes = std::fs::read(&index).unwrap();
    bytes[0] ^= 0x01;
    std::fs::write(&index, bytes).unwrap();
    std::fs::write(bag.join("data/new.html"), "x").unwrap();
    std::fs::remove_file(bag.join("data/incidents/P1ABC.html")).unwrap();
    let report = verify_path(&bag, None);
    assert_problem(&report, "data/index.html: sha256 mismatch");
    assert_problem(&report, "data/new.html: unexpected file");
    assert_problem(&report, "data/incidents/P1ABC.html: missing");

    cargo_bin_cmd!("pagerproof")
        .arg("verify")
        .arg(&bag)
        .assert()
        .failure()
        .stderr(predicate::str::contains("data/index.html: sha256 mismatch"))
        .stderr(predicate::str::contains("data/new.html: unexpected file"))
        .stderr(predicate::str::contains(
            "data/incidents/P1ABC.html: missing",
        ));
}

#[test]
fn not_a_zip_is_a_problem_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zip");
    std::fs::write(&path, "not a zip").unwrap();
    let report = verify_path(&path, None);
    assert_problem(&report, "not a readable zip");
    cargo_bin_cmd!("pagerproof")
        .arg("verify")
        .arg(&path)
        .assert()
        .failure();
}

// ---------------------------------------------------------------------------------------------
// Keys and signatures

fn signed_package(dir: &Path) -> (PackageIdentity, PathBuf) {
    let id = package(dir);
    let key = dir.join("test.key");
    let keys = sign::keygen(&key, None, false).unwrap();
    let comment = sign::trusted_comment(&info(), &id);
    sign::sign_zip(&id.zip, &key, None, &comment).unwrap();
    (id, keys.public)
}

#[test]
fn a_signed_package_verifies_with_its_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let (id, public) = signed_package(dir.path());
    let report = verify_path(&id.zip, Some(&public));
    assert!(report.is_ok(), "{:#?}", report.problems);
    let comment = report.signature.unwrap().trusted_comment;
    assert_eq!(
        sign::comment_field(&comment, "organization"),
        Some("Acme Corp")
    );
    assert_eq!(
        sign::comment_field(&comment, "period"),
        Some("FY2026 2026-01-01..2026-12-31")
    );
    assert_eq!(
        sign::comment_field(&comment, "sha256"),
        Some(id.zip_sha256.as_str())
    );
    let sig = std::fs::read_to_string(sign::signature_path(&id.zip)).unwrap();
    assert!(!sig.contains("timestamp"), "{sig}");
    assert_eq!(sig.lines().count(), 4);

    // An unzipped bag beside its zip: the signature is checked against the zip.
    let bag = unzip(&id.zip, id.zip.parent().unwrap());
    let report = verify_path(&bag, Some(&public));
    assert!(report.is_ok(), "{:#?}", report.problems);
    assert!(report.signature.is_some());
}

#[test]
fn a_tampered_signature_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (id, public) = signed_package(dir.path());
    let sig_path = sign::signature_path(&id.zip);
    let original = std::fs::read_to_string(&sig_path).unwrap();

    let forged = original.replace("organization:Acme Corp", "organization:Evil Corp");
    std::fs::write(&sig_path, forged).unwrap();
    assert_problem(
        &verify_path(&id.zip, Some(&public)),
        "Comment signature verification failed",
    );

    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    let flipped: String = lines[1]
        .char_indices()
        .map(|(i, c)| {
            if i == 20 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    lines[1] = flipped;
    std::fs::write(&sig_path, lines.join("\n") + "\n").unwrap();
    let report = verify_path(&id.zip, Some(&public));
    assert!(!report.is_ok());
    assert_problem(&report, &format!("{NAME}.zip.minisig"));

    cargo_bin_cmd!("pagerproof")
        .arg("verify")
        .arg(&id.zip)
        .arg("--pubkey")
        .arg(&public)
        .assert()
        .failure()
        .stderr(predicate::str::contains(".zip.minisig"));
}

#[test]
fn a_tampered_zip_fails_its_signature() {
    let dir = tempfile::tempdir().unwrap();
    let (id, public) = signed_package(dir.path());
    let mut bytes = std::fs::read(&id.zip).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&id.zip, &bytes).unwrap();
    assert_problem(
        &verify_path(&id.zip, Some(&public)),
        "Signature verification failed",
    );
}

#[test]
fn the_wrong_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (id, _) = signed_package(dir.path());
    let other = sign::keygen(&dir.path().join("other.key"), None, false).unwrap();
    let report = verify_path(&id.zip, Some(&other.public));
    assert_problem(&report, "is different from public key");
}

#[test]
fn a_missing_signature_fails_when_a_key_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let keys = sign::keygen(&dir.path().join("k.key"), None, false).unwrap();
    assert_problem(
        &verify_path(&id.zip, Some(&keys.public)),
        ".zip.minisig: missing",
    );
}

#[test]
fn keygen_cli_encrypts_with_the_environment_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("ci.key");
    cargo_bin_cmd!("pagerproof")
        .args(["keygen", "--out"])
        .arg(&key)
        .env("PAGERPROOF_KEY_PASSWORD", "correct horse")
        .assert()
        .success()
        .stdout(predicate::str::contains("encrypted"))
        .stderr(predicate::str::contains("UNENCRYPTED").not());
    assert!(sign::load_secret_key(&key, None).is_err());
    assert!(sign::load_secret_key(&key, Some("correct horse".into())).is_ok());
    let public = std::fs::read_to_string(dir.path().join("ci.pub")).unwrap();
    assert!(
        public.starts_with("untrusted comment: minisign public key"),
        "{public}"
    );
    // base64("Ed" ‖ key ID ‖ Ed25519 key), 42 bytes: 56 characters starting `RW`.
    let encoded = public.lines().nth(1).unwrap();
    assert!(encoded.starts_with("RW") && encoded.len() == 56, "{public}");
}

#[test]
fn keygen_cli_warns_when_unencrypted_and_refuses_to_overwrite() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("plain.key");
    let keygen = || {
        let mut cmd = cargo_bin_cmd!("pagerproof");
        cmd.args(["keygen", "--out"])
            .arg(&key)
            .env_remove("PAGERPROOF_KEY_PASSWORD");
        cmd
    };
    keygen()
        .assert()
        .success()
        .stderr(predicate::str::contains("UNENCRYPTED"));
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(sign::load_secret_key(&key, None).is_ok());
    let before = std::fs::read(&key).unwrap();
    keygen()
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(&key).unwrap(), before);
    keygen().arg("--force").assert().success();
    assert_ne!(std::fs::read(&key).unwrap(), before);
}

// ---------------------------------------------------------------------------------------------
// Verify: zip structure read as written (issue 14, defect 3)

#[path = "common/rawzip.rs"]
mod rawzip;

use rawzip::{RawEntry, stored_zip};

/// Verifies the package's entries reassembled by hand (stored), after `edit`.
fn verify_raw_zip(edit: impl FnOnce(&mut Vec<RawEntry>)) -> VerifyReport {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let mut entries: Vec<RawEntry> = zip_entries(&id.zip)
        .iter()
        .map(|(name, bytes)| RawEntry::new(name, bytes))
        .collect();
    edit(&mut entries);
    let crafted = dir.path().join("crafted.zip");
    std::fs::write(&crafted, stored_zip(&entries)).unwrap();
    verify_path(&crafted, None)
}

#[test]
fn a_hand_assembled_copy_of_a_good_package_verifies() {
    let report = verify_raw_zip(|_| {});
    assert!(report.is_ok(), "{:#?}", report.problems);
}

#[test]
fn a_duplicate_entry_name_is_refused() {
    // Fails before issue 14: the zip library kept one entry per name and said "verified" while
    // `unzip -n` extracts the first, tampered copy.
    let report = verify_raw_zip(|e| {
        let name = format!("{NAME}/data/index.html");
        e.insert(
            0,
            RawEntry::new(&name, b"<!doctype html><title>Forged</title>\n"),
        );
    });
    assert_problem(
        &report,
        &format!("{NAME}/data/index.html: duplicate entry in zip"),
    );
    assert!(!report.is_ok());
}

#[test]
fn a_local_header_naming_another_file_is_refused() {
    let report = verify_raw_zip(|e| {
        let genuine = e
            .iter_mut()
            .find(|x| x.central.ends_with("/data/index.html"))
            .unwrap();
        genuine.local = format!("{NAME}/data/evil.html");
    });
    assert_problem(
        &report,
        &format!("{NAME}/data/index.html: the local header names it `{NAME}/data/evil.html`"),
    );
}

#[test]
fn a_truncated_zip_is_not_readable() {
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let bytes = std::fs::read(&id.zip).unwrap();
    for cut in [1, 10, bytes.len() / 2] {
        let truncated = dir.path().join("truncated.zip");
        std::fs::write(&truncated, &bytes[..bytes.len() - cut]).unwrap();
        let report = verify_path(&truncated, None);
        assert_problem(&report, "not a readable zip");
    }
}

#[test]
fn an_entry_is_streamed_not_buffered() {
    // 64 MiB of zeros deflate to a fraction of a MiB; verify must hash them as they stream
    // (the entry is unlisted, so it is also named). Peak memory is not asserted here, but a
    // size lie in the central directory would be caught by the byte count.
    let dir = tempfile::tempdir().unwrap();
    let id = package(dir.path());
    let mut entries = zip_entries(&id.zip);
    entries.push((format!("{NAME}/data/zeros.bin"), Vec::new()));
    let big = dir.path().join("big.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&big).unwrap());
    let options = zip::write::SimpleFileOptions::DEFAULT;
    for (name, bytes) in &entries {
        zip.start_file(name.as_str(), options).unwrap();
        if name.ends_with("zeros.bin") {
            let chunk = vec![0u8; 1 << 20];
            for _ in 0..64 {
                zip.write_all(&chunk).unwrap();
            }
        } else {
            zip.write_all(bytes).unwrap();
        }
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&big).unwrap().len() < 4 << 20);
    let report = verify_path(&big, None);
    assert_problem(&report, "data/zeros.bin: unexpected file");
}

#[test]
fn a_deleted_sha512_tag_manifest_is_named() {
    // Found by the zip property: no other file lists tagmanifest-sha512.txt, so its deletion
    // went unnoticed before.
    let report =
        verify_tampered_zip(|e| e.retain(|(n, _)| !n.ends_with("/tagmanifest-sha512.txt")));
    assert_problem(
        &report,
        "tagmanifest-sha512.txt: missing (manifest-sha512.txt has no tag manifest of its algorithm)",
    );
}
