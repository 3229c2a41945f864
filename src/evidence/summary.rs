//! `data/summary.json` (evidence-rules.md §7): stable key order, integers only, no wall clock.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{
    Exception, ExceptionKind, IncidentFacts, MonthFacts, MonthSeverity, PostmortemFacts,
    PostmortemState, VerdictState,
};
use crate::config::Config;
use crate::ingest::Inputs;
use crate::model::Accounting;

pub const SCHEMA: &str = "pagerproof.summary.v1";

/// The summary; fields serialize in declaration order, which is the documented order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub schema: &'static str,
    pub period: PeriodSummary,
    pub population: Population,
    pub by_severity: BySeverity,
    pub exceptions: ExceptionCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodSummary {
    pub name: String,
    pub start: String,
    pub end: String,
    pub as_of: String,
    pub timezone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Population {
    pub rows_read: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub outside_period: u64,
    pub rejected: u64,
}

impl From<&Accounting> for Population {
    fn from(a: &Accounting) -> Self {
        Population {
            rows_read: a.rows_read,
            accepted: a.accepted,
            duplicates: a.duplicates,
            outside_period: a.outside_period,
            rejected: a.rejected,
        }
    }
}

/// Figures of one policy level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub incidents: u64,
    pub ack_met: u64,
    pub ack_breached: u64,
    pub resolve_met: u64,
    pub resolve_breached: u64,
    pub postmortem_required: u64,
    pub postmortem_present: u64,
    pub postmortem_on_time: u64,
    pub postmortem_complete: u64,
}

/// The policy's levels in policy order, then `unclassified` with its incident count only;
/// serialized as one JSON object in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BySeverity {
    pub levels: Vec<(String, SeverityCounts)>,
    pub unclassified: u64,
}

#[derive(Serialize)]
struct Unclassified {
    incidents: u64,
}

impl Serialize for BySeverity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.levels.len() + 1))?;
        for (level, counts) in &self.levels {
            map.serialize_entry(level, counts)?;
        }
        map.serialize_entry(
            "unclassified",
            &Unclassified {
                incidents: self.unclassified,
            },
        )?;
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionCounts {
    pub total: u64,
    pub by_kind: ByKind,
}

/// Every kind of §6 in §6 order, zeros included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByKind(pub Vec<(ExceptionKind, u64)>);

impl Serialize for ByKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (kind, n) in &self.0 {
            map.serialize_entry(kind.name(), n)?;
        }
        map.end()
    }
}

/// Builds the summary from the final exception list (the on-call exceptions included), so a
/// caller that appends exceptions rebuilds it with this.
pub fn build(
    config: &Config,
    inputs: &Inputs,
    incidents: &[IncidentFacts],
    postmortems: &[PostmortemFacts],
    exceptions: &[Exception],
) -> Summary {
    let period = &config.period;
    Summary {
        schema: SCHEMA,
        period: PeriodSummary {
            name: period.name.clone(),
            start: period.start.to_string(),
            end: period.end.to_string(),
            as_of: period.as_of().to_string(),
            timezone: config.tz().name().to_string(),
        },
        population: Population::from(&inputs.accounting),
        by_severity: by_severity(inputs, incidents, postmortems),
        exceptions: exception_counts(exceptions),
    }
}

fn by_severity(
    inputs: &Inputs,
    incidents: &[IncidentFacts],
    postmortems: &[PostmortemFacts],
) -> BySeverity {
    let policy = inputs.policy();
    let complete = |id: &String| {
        postmortems
            .iter()
            .any(|p| &p.id == id && p.parts_missing.is_empty())
    };
    let levels = policy
        .severities
        .iter()
        .map(|level| {
            let mut c = SeverityCounts::default();
            for f in incidents.iter().filter(|f| f.severity.level.as_ref() == Some(&level.level)) {
                c.incidents += 1;
                c.ack_met += u64::from(f.ack.state == VerdictState::Met);
                c.ack_breached += u64::from(f.ack.state == VerdictState::Breached);
                c.resolve_met += u64::from(f.resolve.state == VerdictState::Met);
                c.resolve_breached += u64::from(f.resolve.state == VerdictState::Breached);
                if level.postmortem.is_some() {
                    c.postmortem_required += 1;
                    c.postmortem_present += u64::from(!f.postmortems.is_empty());
                    c.postmortem_on_time += u64::from(f.postmortem == PostmortemState::OnTime);
                    c.postmortem_complete += u64::from(f.postmortems.iter().any(complete));
                }
            }
            (level.level.clone(), c)
        })
        .collect();
    BySeverity {
        levels,
        unclassified: incidents.iter().filter(|f| f.severity.level.is_none()).count() as u64,
    }
}

fn exception_counts(exceptions: &[Exception]) -> ExceptionCounts {
    let by_kind: Vec<(ExceptionKind, u64)> = ExceptionKind::ALL
        .iter()
        .map(|&k| (k, exceptions.iter().filter(|e| e.kind == k).count() as u64))
        .collect();
    ExceptionCounts {
        total: by_kind.iter().map(|(_, n)| n).sum(),
        by_kind: ByKind(by_kind),
    }
}

impl Summary {
    /// Pretty-printed JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("summary serializes");
        text.push('\n');
        text
    }
}

/// Per calendar month of the period (incidents by creation month in the organization's zone).
pub fn months(config: &Config, inputs: &Inputs, incidents: &[IncidentFacts]) -> Vec<MonthFacts> {
    let tz = config.tz();
    let month_of = |f: &IncidentFacts| {
        inputs
            .incident(f.number)
            .map(|i| super::period::month_of(tz, i.created))
    };
    let mut levels: Vec<Option<&str>> = inputs
        .policy()
        .severities
        .iter()
        .map(|s| Some(s.level.as_str()))
        .collect();
    levels.push(None);
    super::period::months(config)
        .into_iter()
        .map(|month| {
            let of_month: Vec<&IncidentFacts> = incidents
                .iter()
                .filter(|f| month_of(f).as_deref() == Some(month.as_str()))
                .collect();
            let count = |state: PostmortemState| {
                of_month.iter().filter(|f| f.postmortem == state).count() as u64
            };
            MonthFacts {
                by_severity: levels
                    .iter()
                    .map(|&level| month_severity(level, &of_month))
                    .collect(),
                postmortems_on_time: count(PostmortemState::OnTime),
                postmortems_late: count(PostmortemState::Late),
                postmortems_missing: count(PostmortemState::Missing),
                postmortems_pending: count(PostmortemState::Pending),
                month,
            }
        })
        .collect()
}

fn month_severity(level: Option<&str>, incidents: &[&IncidentFacts]) -> MonthSeverity {
    let of_level: Vec<&&IncidentFacts> = incidents
        .iter()
        .filter(|f| f.severity.level.as_deref() == level)
        .collect();
    let count = |pred: &dyn Fn(&IncidentFacts) -> bool| {
        of_level.iter().filter(|f| pred(f)).count() as u64
    };
    let mut ack_times: Vec<i64> = of_level.iter().filter_map(|f| f.time_to_ack).collect();
    let mut resolve_times: Vec<i64> = of_level.iter().filter_map(|f| f.time_to_resolve).collect();
    ack_times.sort_unstable();
    resolve_times.sort_unstable();
    MonthSeverity {
        level: level.unwrap_or("unclassified").to_string(),
        incidents: of_level.len() as u64,
        ack_met: count(&|f| f.ack.state == VerdictState::Met),
        ack_breached: count(&|f| f.ack.state == VerdictState::Breached),
        resolve_met: count(&|f| f.resolve.state == VerdictState::Met),
        resolve_breached: count(&|f| f.resolve.state == VerdictState::Breached),
        ack_times,
        resolve_times,
    }
}
