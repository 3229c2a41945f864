//! The command line as a user meets it: `init`'s starting policy, completions, the man page,
//! `--version`, exit codes and output conventions.

mod common;

use common::*;
use pagerproof::model::{Target, Urgency};
use predicates::prelude::*;

#[test]
fn init_scaffolds_the_recommended_practice_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("new");
    pagerproof().arg("init").arg(&site).assert().success();
    let rel = "content/policies/incident-response.md";
    let policy = pagerproof::ingest::policy::read(&site.join(rel), rel).unwrap();
    let minutes = |m: i64| Some(Target::Elapsed(m * 60));
    let matrix: Vec<_> = policy
        .severities
        .iter()
        .map(|s| (s.level.as_str(), s.ack, s.postmortem, s.urgency))
        .collect();
    assert_eq!(
        matrix,
        [
            ("P1", minutes(5), minutes(48 * 60), Some(Urgency::High)),
            ("P2", minutes(15), minutes(7 * 24 * 60), Some(Urgency::High)),
            ("P3", minutes(60), None, Some(Urgency::Low)),
            (
                "P4",
                Some(Target::NextBusinessDay),
                None,
                Some(Urgency::Low)
            ),
        ]
    );
    let escalation: Vec<_> = policy
        .escalation
        .iter()
        .map(|e| (e.level, e.paged_after_secs / 60))
        .collect();
    assert_eq!(escalation, [(1, 0), (2, 10), (3, 20), (4, 30)]);

    // As scaffolded it checks clean and builds; its one late acknowledgement has a response and
    // both required postmortems are on time.
    pagerproof()
        .args(["check", "--strict", "--site"])
        .arg(&site)
        .assert()
        .success();
    let out = build(&site);
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(summary["exceptions"]["total"], 1);
    for level in ["P1", "P2"] {
        let s = &summary["by_severity"][level];
        assert_eq!(s["postmortem_required"], 1, "{level}");
        assert_eq!(s["postmortem_on_time"], 1, "{level}");
    }
}

/// The top-level subcommands every completion script and the man page must offer.
const COMMANDS: [&str; 11] = [
    "build",
    "check",
    "init",
    "serve",
    "package",
    "verify",
    "keygen",
    "sample",
    "fetch",
    "completions",
    "man",
];

#[test]
fn completions_offer_every_top_level_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = pagerproof()
            .args(["completions", shell])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let script = String::from_utf8(out).unwrap();
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: no `{command}`");
        }
        let site_option = if shell == "fish" { "-l site" } else { "--site" };
        assert!(script.contains(site_option), "{shell}: options too");
    }
    // Each script is in its shell's own form.
    let bash = pagerproof().args(["completions", "bash"]).output().unwrap();
    assert!(String::from_utf8_lossy(&bash.stdout).contains("complete -F _pagerproof"));
    let zsh = pagerproof().args(["completions", "zsh"]).output().unwrap();
    assert!(String::from_utf8_lossy(&zsh.stdout).starts_with("#compdef pagerproof"));
    let fish = pagerproof().args(["completions", "fish"]).output().unwrap();
    assert!(String::from_utf8_lossy(&fish.stdout).contains("complete -c pagerproof"));
    pagerproof()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

#[test]
fn man_page_lists_the_commands_and_exit_status() {
    let out = pagerproof().arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(page.contains("\n.TH pagerproof 1 "), "{page}");
    for command in COMMANDS {
        assert!(
            page.contains(&format!("pagerproof\\-{command}(1)")),
            "no {command}"
        );
    }
    assert!(
        !page.contains("pagerproof\\-help(1)"),
        "clap's help is not ours"
    );
    assert!(page.contains(".SH \"EXIT STATUS\""), "{page}");
    assert!(page.contains("input error"));

    let dir = tempfile::tempdir().unwrap();
    pagerproof()
        .args(["man", "--out"])
        .arg(dir.path().join("man1"))
        .assert()
        .success();
    let pages = files(&dir.path().join("man1"));
    for command in COMMANDS {
        assert!(
            pages.contains(&format!("pagerproof-{command}.1")),
            "{pages:?}"
        );
    }
    assert!(pages.contains(&"pagerproof-fetch-pagerduty.1".to_string()));
    let build = read(&dir.path().join("man1/pagerproof-build.1"));
    assert!(build.contains(".TH pagerproof-build 1 ") && build.contains("\\-\\-out"));
    assert_eq!(
        read(&dir.path().join("man1/pagerproof.1")),
        page,
        "the same page as on stdout"
    );
}

#[test]
fn version_names_the_commit_when_built_from_git() {
    let out = pagerproof().arg("--version").assert().success();
    let version = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        version.starts_with(&format!("pagerproof {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|h| h.status.success());
    if let Some(head) = head {
        let commit = String::from_utf8(head.stdout).unwrap();
        assert!(
            version.contains(&format!("(commit {})", &commit[..12])),
            "{version} vs {commit}"
        );
    }
}

/// A fresh scaffolded site in a temp dir.
fn scaffold() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    pagerproof().arg("init").arg(&site).assert().success();
    (dir, site)
}

#[test]
fn exit_codes_tell_findings_usage_input_and_io_apart() {
    let (_dir, site) = scaffold();
    pagerproof()
        .args(["check", "--site"])
        .arg(&site)
        .assert()
        .code(0);

    // 1: check has findings.
    std::fs::write(
        site.join("content/responses/typo.md"),
        "+++\nexception = \"ack_breach:9999\"\nowner = \"x\"\ndate = 2026-07-01\n+++\n",
    )
    .unwrap();
    pagerproof()
        .args(["check", "--site"])
        .arg(&site)
        .assert()
        .code(1);
    std::fs::remove_file(site.join("content/responses/typo.md")).unwrap();

    // 1: verify found a problem.
    let not_a_bag = tempfile::tempdir().unwrap();
    pagerproof()
        .arg("verify")
        .arg(not_a_bag.path())
        .assert()
        .code(1);

    // 2: usage.
    pagerproof().arg("buidl").assert().code(2);
    pagerproof()
        .args(["sample", "--size", "3"])
        .assert()
        .code(2);

    // 3: a malformed input stops check and build alike, naming file and line and what to do.
    let policy = site.join("content/policies/incident-response.md");
    let text = read(&policy).replace("ack = \"15m\"", "ack = \"15 minutes\"");
    std::fs::write(&policy, text).unwrap();
    for command in ["check", "build"] {
        pagerproof()
            .args([command, "--site"])
            .arg(&site)
            .assert()
            .code(3)
            .stderr(
                predicate::str::contains("content/policies/incident-response.md:")
                    .and(predicate::str::contains("15 minutes"))
                    .and(predicate::str::contains("hint: fix the file")),
            );
    }

    // 4: no site.toml where one is expected; the error says how to get one.
    let empty = tempfile::tempdir().unwrap();
    for command in ["check", "build"] {
        pagerproof()
            .args([command, "--site"])
            .arg(empty.path())
            .assert()
            .code(4)
            .stderr(
                predicate::str::contains("site.toml").and(predicate::str::contains(
                    "run `pagerproof init DIR` to create a site, or pass --site DIR",
                )),
            );
    }
}

#[test]
fn no_color_turns_off_ansi_escapes() {
    // CLICOLOR_FORCE makes the colour a terminal would get visible in a pipe, so the first
    // assertion shows the second one can fail.
    let forced = pagerproof()
        .arg("buidl")
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(forced.stderr.contains(&0x1b), "colour when forced");
    let plain = pagerproof()
        .arg("buidl")
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(2));
    assert!(
        !plain.stderr.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
}
