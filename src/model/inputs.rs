//! Everything a site's inputs say, as read by `ingest` and judged by `evidence`.

use std::collections::BTreeMap;

use super::*;

/// Everything a site's inputs say, before any rule is applied.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Every input file in reading order (copied verbatim to `sources/`).
    pub sources: Vec<SourceFile>,
    /// Every identity read from a non-rejected row (accepted, duplicate or outside the period),
    /// sorted by incident number. Packed once evaluation begins ([`Incidents::pack`]).
    pub incidents: Incidents,
    pub rejected: Vec<RejectedRow>,
    /// Totals over every incident source.
    pub accounting: Accounting,
    /// Every policy document, sorted by slug.
    pub policies: Vec<PolicyDoc>,
    /// Index into `policies` of the incident response policy named by `[policy] file`.
    pub policy: usize,
    /// Sorted by id.
    pub postmortems: Vec<Postmortem>,
    pub responses: Vec<Response>,
    /// Recorded sample selections, sorted by file.
    pub samples: Vec<SampleRecord>,
    /// Jira issue snapshots by key.
    pub jira: BTreeMap<String, JiraIssue>,
    /// PagerDuty API snapshot contents other than incidents (on-call configuration, audit records)
    /// and the fetch records proving completeness.
    pub pagerduty: Snapshot,
    /// The Jira fetch record(s) under `[inputs] jira`: when, what was asked, which keys are missing.
    pub jira_fetch_records: Vec<FetchRecordFile>,
    /// GitHub issue snapshots by `owner/repo#number`.
    pub github: BTreeMap<String, GithubIssue>,
    /// The GitHub fetch record(s) under `[inputs] github`.
    pub github_fetch_records: Vec<FetchRecordFile>,
    /// The Statuspage snapshot under `[inputs] statuspage`; `None` when there is none.
    pub statuspage: Option<StatuspageSnapshot>,
    /// Facts about how this build was made that are not files: `SOURCE_DATE_EPOCH`, the
    /// content's git commit.
    pub build_env: BuildEnv,
    /// The auditor's request list (`content/requests.csv`), in file order; empty without one.
    pub requests: Vec<Request>,
    /// Warnings (and, from `check`, errors) found while loading.
    pub findings: Vec<Finding>,
    /// The previous period's package, when `[package] previous` names one (set by `commands`).
    pub previous: Option<super::PreviousPeriod>,
}

impl Inputs {
    pub fn policy(&self) -> &PolicyDoc {
        &self.policies[self.policy]
    }

    /// Incident `number`'s creation, read without unpacking the incident.
    pub fn created_of(&self, number: u64) -> Option<chrono::DateTime<chrono::Utc>> {
        let i = self.incidents.position(number)?;
        Some(self.incidents.created(i))
    }

    pub fn incident(&self, number: u64) -> Option<std::borrow::Cow<'_, Incident>> {
        let i = self.incidents.position(number)?;
        Some(self.incidents.get(i))
    }
}

/// The environment of a build that its output records (evidence-rules: provenance).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildEnv {
    /// `SOURCE_DATE_EPOCH` (seconds), the reproducible-builds convention for "prepared at".
    pub source_date_epoch: Option<i64>,
    /// The git commit of the site's content, `None` when the site is not a git checkout.
    pub content_commit: Option<String>,
    /// Uncommitted changes in the site's checkout when it was built.
    pub content_dirty: bool,
}

#[cfg(test)]
mod tests {
    use crate::model::{Incident, IncidentRow};

    fn incident(number: u64) -> Incident {
        Incident {
            number,
            fields: IncidentRow::default(),
            created: chrono::DateTime::UNIX_EPOCH,
            sources: Vec::new(),
            conflicts: Default::default(),
            in_period: true,
            rows: Default::default(),
        }
    }

    #[test]
    fn every_incident_is_found_by_number_whatever_the_gaps() {
        for numbers in [
            vec![1, 2, 3, 4, 5],
            vec![7, 9, 10, 40, 41, 42, 1000],
            vec![100],
            vec![3, 4, 50_000, 50_001],
        ] {
            let inputs = super::Inputs {
                incidents: numbers
                    .iter()
                    .map(|&n| incident(n))
                    .collect::<Vec<_>>()
                    .into(),
                ..Default::default()
            };
            for n in 0..=numbers.last().unwrap() + 2 {
                let found = inputs.incident(n).map(|i| i.number);
                let expected = numbers.contains(&n).then_some(n);
                assert_eq!(found, expected, "number {n} in {numbers:?}");
            }
        }
        assert!(super::Inputs::default().incident(1).is_none());
    }
}
