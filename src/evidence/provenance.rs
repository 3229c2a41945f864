//! When the evidence was prepared, and from what (issue 9: a truthful date). The preparation
//! instant never precedes anything the package contains: `SOURCE_DATE_EPOCH` when set (the
//! reproducible-builds convention), otherwise the newest instant the inputs record (the fetch
//! records' `finished_at`; the end of the day of a dated input: a management response's `date`,
//! a sample's `drawn_on`) or the end of `as_of`, whichever is later.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{FetchRecordFile, Inputs};

#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub prepared_at: DateTime<Utc>,
    /// What decided `prepared_at`, in words.
    pub prepared_from: String,
    /// The newest instant the inputs record, and the file that records it.
    pub newest_input: Option<(DateTime<Utc>, String)>,
    /// `SOURCE_DATE_EPOCH` names an instant before `newest_input`: a false date, refused.
    pub epoch_too_early: Option<String>,
    pub preparer: Option<String>,
    /// The site's git commit; `None` when the site is not a git checkout.
    pub content_commit: Option<String>,
    pub content_dirty: bool,
}

impl Provenance {
    /// The content commit as bag-info.txt and the site state it.
    pub fn content_commit_text(&self) -> String {
        match (&self.content_commit, self.content_dirty) {
            (Some(c), false) => c.clone(),
            (Some(c), true) => format!("{c} (with uncommitted changes)"),
            (None, _) => "none: the site was not a git checkout".into(),
        }
    }
}

/// Decides the preparation instant. `now` is the end of `as_of`; `tz` the organisation's zone,
/// in which a dated input's day ends.
pub fn provenance(
    inputs: &Inputs,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
    preparer: Option<&str>,
) -> Provenance {
    let newest_input = newest_recorded(inputs, tz);
    let env = &inputs.build_env;
    let epoch = env
        .source_date_epoch
        .and_then(|secs| DateTime::from_timestamp(secs, 0));
    let (default_at, default_from) = match &newest_input {
        Some((at, file)) if *at > now => (
            *at,
            format!("the newest instant the inputs record ({file})"),
        ),
        _ => (now, "the end of the as-of date".to_string()),
    };
    // A rebuild from the package sets SOURCE_DATE_EPOCH to the recorded instant; when that is
    // the instant the rule gives anyway, the rule is named, so the rebuilt pages say the same.
    let (prepared_at, prepared_from) = match epoch {
        Some(at) if at != default_at => (at, "SOURCE_DATE_EPOCH".to_string()),
        _ => (default_at, default_from),
    };
    let epoch_too_early = match (epoch, &newest_input) {
        (Some(at), Some((newest, file))) if at < *newest => Some(format!(
            "SOURCE_DATE_EPOCH ({}) is before {} recorded in {file}: the package would claim to \
             be prepared before its own inputs; unset it or set it to a later instant",
            crate::util::utc_rfc3339(at),
            crate::util::utc_rfc3339(*newest),
        )),
        _ => None,
    };
    Provenance {
        prepared_at,
        prepared_from,
        newest_input,
        epoch_too_early,
        preparer: preparer.map(str::to_string),
        content_commit: env.content_commit.clone(),
        content_dirty: env.content_dirty,
    }
}

/// The latest instant the inputs record: the fetch records' `finished_at`, and the end of the
/// day (in `tz`) of each management response's `date` and each sample's `drawn_on`.
fn newest_recorded(inputs: &Inputs, tz: chrono_tz::Tz) -> Option<(DateTime<Utc>, String)> {
    let records: Vec<&FetchRecordFile> = inputs
        .pagerduty
        .fetch_records
        .iter()
        .chain(&inputs.jira_fetch_records)
        .chain(&inputs.github_fetch_records)
        .chain(inputs.statuspage.iter().flat_map(|s| &s.fetch_records))
        .collect();
    let fetched = records.into_iter().filter_map(|r| {
        DateTime::parse_from_rfc3339(&r.record.finished_at)
            .ok()
            .map(|at| (at.with_timezone(&Utc), r.file.clone()))
    });
    let end_of = |day: chrono::NaiveDate| {
        day.succ_opt()
            .map(|next| crate::model::period::local_midnight(tz, next))
    };
    let responses = inputs
        .responses
        .iter()
        .filter_map(|r| end_of(r.date).map(|at| (at, r.source.clone())));
    let samples = inputs
        .samples
        .iter()
        .filter_map(|s| s.drawn_on.and_then(end_of).map(|at| (at, s.source.clone())));
    fetched
        .chain(responses)
        .chain(samples)
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BuildEnv, FetchRecord};

    const NY: chrono_tz::Tz = chrono_tz::America::New_York;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn with_fetch(finished: &str, epoch: Option<i64>) -> Inputs {
        let mut inputs = Inputs::default();
        inputs.jira_fetch_records.push(FetchRecordFile {
            file: "content/jira/fetch-record.json".into(),
            record: FetchRecord {
                finished_at: finished.into(),
                ..FetchRecord::default()
            },
        });
        inputs.build_env = BuildEnv {
            source_date_epoch: epoch,
            ..BuildEnv::default()
        };
        inputs
    }

    #[test]
    fn never_before_the_newest_fetch() {
        let now = utc("2027-01-01T05:00:00Z");
        let p = provenance(
            &with_fetch("2027-01-01T14:31:50Z", None),
            now,
            NY,
            Some("G. Liu"),
        );
        assert_eq!(p.prepared_at, utc("2027-01-01T14:31:50Z"));
        assert!(p.prepared_from.contains("content/jira/fetch-record.json"));
        assert_eq!(p.preparer.as_deref(), Some("G. Liu"));
        // A fetch before the end of as_of: the end of as_of.
        let p = provenance(&with_fetch("2026-12-30T10:00:00Z", None), now, NY, None);
        assert_eq!(p.prepared_at, now);
        assert_eq!(p.prepared_from, "the end of the as-of date");
    }

    #[test]
    fn source_date_epoch_wins_but_may_not_predate_the_inputs() {
        let now = utc("2027-01-01T05:00:00Z");
        let later = utc("2027-01-05T00:00:00Z").timestamp();
        let p = provenance(
            &with_fetch("2027-01-01T14:31:50Z", Some(later)),
            now,
            NY,
            None,
        );
        assert_eq!(p.prepared_at.timestamp(), later);
        assert!(p.epoch_too_early.is_none());
        assert_eq!(p.prepared_from, "SOURCE_DATE_EPOCH");
        // A rebuild's SOURCE_DATE_EPOCH equal to what the rule gives names the rule.
        let same = utc("2027-01-01T14:31:50Z").timestamp();
        let p = provenance(
            &with_fetch("2027-01-01T14:31:50Z", Some(same)),
            now,
            NY,
            None,
        );
        assert!(p.prepared_from.contains("content/jira/fetch-record.json"));
        let early = utc("2026-12-31T00:00:00Z").timestamp();
        let p = provenance(
            &with_fetch("2027-01-01T14:31:50Z", Some(early)),
            now,
            NY,
            None,
        );
        assert!(
            p.epoch_too_early
                .unwrap()
                .contains("before 2027-01-01T14:31:50Z")
        );
    }

    #[test]
    fn a_dated_input_counts_to_the_end_of_its_day() {
        // A sample drawn on 2027-01-06 (New York): prepared no earlier than 2027-01-07 00:00.
        let mut inputs = with_fetch("2027-01-01T14:31:50Z", None);
        inputs.samples.push(crate::model::SampleRecord {
            schema: String::new(),
            seed: "s".into(),
            size: 1,
            stratify: None,
            algorithm: String::new(),
            population: crate::model::sample::PopulationRef {
                count: 0,
                sha256: String::new(),
            },
            picks: Vec::new(),
            drawn_by: None,
            drawn_on: chrono::NaiveDate::from_ymd_opt(2027, 1, 6),
            source: "content/samples/s.json".into(),
        });
        let p = provenance(&inputs, utc("2027-01-01T05:00:00Z"), NY, None);
        assert_eq!(p.prepared_at, utc("2027-01-07T05:00:00Z"));
        assert!(
            p.prepared_from.contains("content/samples/s.json"),
            "{}",
            p.prepared_from
        );
    }
}
