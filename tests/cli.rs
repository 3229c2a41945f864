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
            ("P4", Some(Target::NextBusinessDay), None, Some(Urgency::Low)),
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
