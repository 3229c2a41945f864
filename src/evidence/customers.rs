//! "Detected before customers" (evidence-rules §9): each public Statuspage incident of the
//! period matched to the PagerDuty incident that detected it, and the lead between them.
//!
//! The match is the earliest-created PagerDuty incident on a service mapped (`site.toml
//! [statuspage] components`) to one of the public incident's components, created within
//! `match_window` before or after it. Lead = Statuspage `created_at` − PagerDuty `created`:
//! negative is `detected_after_customers`, no match is `statuspage_unmatched`. Scheduled
//! maintenance is listed apart and never matched.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Exception, ExceptionKind, Subject};
use crate::config::StatuspageConfig;
use crate::model::{Incident, Incidents, StatuspageIncident};

/// How one public incident came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Matched with lead ≥ 0: the positive finding.
    DetectedFirst,
    /// Matched with lead < 0: `detected_after_customers`.
    DetectedAfter,
    /// `statuspage_unmatched`.
    Unmatched,
}

/// One public (non-maintenance) Statuspage incident created in the period.
#[derive(Debug, Clone, Serialize)]
pub struct PublicIncident {
    /// Index into the snapshot's incidents (`Inputs.statuspage`).
    pub index: usize,
    pub id: String,
    /// The PagerDuty services its components map to (as written in site.toml), unique.
    pub services: Vec<String>,
    /// The matched PagerDuty incident number.
    pub matched: Option<u64>,
    /// Statuspage `created_at` − PagerDuty `created`, seconds.
    pub lead_secs: Option<i64>,
    pub outcome: Outcome,
}

/// The Customers page's facts; `tested` is false without a Statuspage snapshot.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CustomerFacts {
    pub tested: bool,
    pub match_window_secs: i64,
    /// Oldest first.
    pub public: Vec<PublicIncident>,
    /// Indices of the scheduled maintenance created in the period, oldest first.
    pub maintenance: Vec<usize>,
}

/// `summary.json` `statuspage` (all zeros without a snapshot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatuspageSummary {
    pub incidents: u64,
    pub matched: u64,
    pub detected_first: u64,
    /// Median lead of the matched incidents, the lower middle value for an even count.
    pub median_lead_seconds: i64,
}

impl CustomerFacts {
    pub fn summary(&self) -> StatuspageSummary {
        let mut leads: Vec<i64> = self.public.iter().filter_map(|p| p.lead_secs).collect();
        leads.sort_unstable();
        StatuspageSummary {
            incidents: self.public.len() as u64,
            matched: leads.len() as u64,
            detected_first: self
                .public
                .iter()
                .filter(|p| p.outcome == Outcome::DetectedFirst)
                .count() as u64,
            median_lead_seconds: if leads.is_empty() {
                0
            } else {
                leads[(leads.len() - 1) / 2]
            },
        }
    }
}

/// Names and ids compare case-insensitively after trimming (§9).
fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The services mapped to any of the incident's components (by component id or name).
pub fn mapped_services(
    sp: &StatuspageIncident,
    components: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &sp.components {
        for (key, services) in components {
            let hit = same(key, &c.id) || c.name.as_deref().is_some_and(|n| same(key, n));
            for s in services.iter().filter(|_| hit) {
                if !out.iter().any(|o| same(o, s)) {
                    out.push(s.clone());
                }
            }
        }
    }
    out
}

/// Whether an incident created `at` is within the match window of a public incident `created`:
/// |created - at| < window + 1 s (whole seconds, truncated), as two instants compared without
/// a subtraction per candidate. Every incident of the population is one (a million, for each
/// public incident), so the window is tested first, on the creation alone, and the service, a
/// string comparison, only within it.
fn within(created: DateTime<Utc>, window_secs: i64) -> impl Fn(DateTime<Utc>) -> bool {
    let slack = chrono::TimeDelta::try_seconds(window_secs.saturating_add(1));
    let bounds = slack.and_then(|s| {
        Some((
            created.checked_sub_signed(s)?,
            created.checked_add_signed(s)?,
        ))
    });
    move |at| match bounds {
        Some((after, before)) => after < at && at < before,
        None => (created - at).num_seconds().abs() <= window_secs,
    }
}

/// The matching PagerDuty incident and the lead in seconds, if any (§9). Ties on the creation
/// instant go to the lower incident number.
pub fn best_match<'a>(
    created: DateTime<Utc>,
    services: &[String],
    window_secs: i64,
    candidates: impl IntoIterator<Item = &'a Incident>,
) -> Option<(u64, i64)> {
    let on_service = |i: &Incident| {
        let f = &i.fields;
        services.iter().any(|s| {
            f.service_id.as_deref().is_some_and(|id| same(id, s))
                || f.service.as_deref().is_some_and(|name| same(name, s))
        })
    };
    let near = within(created, window_secs);
    candidates
        .into_iter()
        .filter(|i| near(i.created) && on_service(i))
        .min_by_key(|i| (i.created, i.number))
        .map(|i| (i.number, (created - i.created).num_seconds()))
}

/// Every public Statuspage incident created in [start, end), matched against `incidents` (the
/// whole population: a detection just before the period still counts), and the maintenance.
pub fn facts(
    config: &StatuspageConfig,
    snapshot: Option<&[StatuspageIncident]>,
    incidents: &Incidents,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> CustomerFacts {
    let Some(list) = snapshot else {
        return CustomerFacts {
            match_window_secs: config.match_window_secs,
            ..CustomerFacts::default()
        };
    };
    let mut facts = CustomerFacts {
        tested: true,
        match_window_secs: config.match_window_secs,
        ..CustomerFacts::default()
    };
    for (index, sp) in list.iter().enumerate() {
        if sp.created_at < start || sp.created_at >= end {
            continue;
        }
        if sp.is_maintenance() {
            facts.maintenance.push(index);
            continue;
        }
        let services = mapped_services(sp, &config.components);
        // Only the incidents created within the window are unpacked.
        let near = within(sp.created_at, config.match_window_secs);
        let candidates: Vec<_> = (0..incidents.len())
            .filter(|&i| near(incidents.created(i)))
            .map(|i| incidents.get(i))
            .collect();
        let found = best_match(
            sp.created_at,
            &services,
            config.match_window_secs,
            candidates.iter().map(|c| &**c),
        );
        let outcome = match found {
            None => Outcome::Unmatched,
            Some((_, lead)) if lead < 0 => Outcome::DetectedAfter,
            Some(_) => Outcome::DetectedFirst,
        };
        facts.public.push(PublicIncident {
            index,
            id: sp.id.clone(),
            services,
            matched: found.map(|m| m.0),
            lead_secs: found.map(|m| m.1),
            outcome,
        });
    }
    facts
}

/// `statuspage_unmatched` and `detected_after_customers`, one per public incident.
pub fn exceptions(facts: &CustomerFacts, list: &[StatuspageIncident]) -> Vec<Exception> {
    let window = crate::util::human_target(facts.match_window_secs);
    facts
        .public
        .iter()
        .filter_map(|p| {
            let sp = &list[p.index];
            let subject = Subject::Statuspage { id: p.id.clone() };
            let when = crate::util::utc_rfc3339(sp.created_at);
            match (p.outcome, p.matched, p.lead_secs) {
                (Outcome::Unmatched, ..) => Some(Exception::new(
                    ExceptionKind::StatuspageUnmatched,
                    subject,
                    format!(
                        "a public incident is matched by a PagerDuty incident on a mapped service \
                         created within {window} of it"
                    ),
                    format!("a PagerDuty incident on {} within {window}", services(p)),
                    if p.services.is_empty() {
                        format!(
                            "\"{}\" (posted {when}): none of its components is mapped to a service",
                            sp.name
                        )
                    } else {
                        format!(
                            "\"{}\" (posted {when}): no PagerDuty incident on {} within {window}",
                            sp.name,
                            services(p)
                        )
                    },
                )),
                (Outcome::DetectedAfter, Some(number), Some(lead)) => Some(Exception::new(
                    ExceptionKind::DetectedAfterCustomers,
                    subject,
                    "the incident is detected (PagerDuty) before customers are told (Statuspage)"
                        .into(),
                    "PagerDuty incident created at or before the public incident".into(),
                    format!(
                        "\"{}\" (posted {when}): PagerDuty incident #{number} was created {} after it",
                        sp.name,
                        crate::util::human_duration(-lead)
                    ),
                )),
                _ => None,
            }
        })
        .collect()
}

fn services(p: &PublicIncident) -> String {
    if p.services.is_empty() {
        "a mapped service".into()
    } else {
        p.services.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::utc;
    use crate::model::{IncidentRow, StatuspageComponent};

    fn pd(number: u64, service: &str, created: &str) -> Incident {
        Incident {
            number,
            fields: IncidentRow {
                service: Some(service.into()),
                service_id: Some(format!("P{number}").into()),
                ..IncidentRow::default()
            },
            created: utc(created),
            sources: Vec::new(),
            conflicts: Default::default(),
            rows: Default::default(),
            in_period: true,
        }
    }

    fn sp(id: &str, created: &str, component: &str) -> StatuspageIncident {
        StatuspageIncident {
            id: id.into(),
            name: format!("Outage {id}"),
            status: Some("resolved".into()),
            impact: Some("major".into()),
            created_at: utc(created),
            resolved_at: None,
            scheduled_for: None,
            scheduled_until: None,
            components: vec![StatuspageComponent {
                id: format!("c-{component}"),
                name: Some(component.into()),
            }],
            shortlink: None,
            source: "content/statuspage/incidents.jsonl".into(),
            line: 1,
        }
    }

    fn config() -> StatuspageConfig {
        StatuspageConfig {
            components: BTreeMap::from([("api".to_string(), vec![" Checkout ".to_string()])]),
            match_window_secs: 7200,
        }
    }

    /// Matched against the incidents packed, as `build` holds them.
    fn run(list: &[StatuspageIncident], pds: &[Incident]) -> CustomerFacts {
        let mut packed = Incidents::from(pds.to_vec());
        packed.pack();
        facts(
            &config(),
            Some(list),
            &packed,
            utc("2026-01-01T05:00:00Z"),
            utc("2027-01-01T05:00:00Z"),
        )
    }

    #[test]
    fn the_earliest_created_match_in_the_window_decides_the_lead_and_its_sign() {
        let pds = [
            pd(7, "checkout", "2026-03-01T10:30:00Z"),
            pd(5, "Checkout", "2026-03-01T09:10:00Z"),
            pd(6, "Billing", "2026-03-01T08:00:00Z"),
            // Outside the window (2h01m before).
            pd(4, "Checkout", "2026-03-01T07:59:00Z"),
        ];
        let f = run(&[sp("a", "2026-03-01T10:00:00Z", "API")], &pds);
        let p = &f.public[0];
        assert_eq!((p.matched, p.lead_secs), (Some(5), Some(3000)));
        assert_eq!(p.outcome, Outcome::DetectedFirst);

        // Customers told first: the only match comes 30 minutes later.
        let late = run(
            &[sp("b", "2026-03-01T10:00:00Z", "API")],
            &[pd(7, "Checkout", "2026-03-01T10:30:00Z")],
        );
        assert_eq!(late.public[0].lead_secs, Some(-1800));
        assert_eq!(late.public[0].outcome, Outcome::DetectedAfter);
        let e = exceptions(&late, &[sp("b", "2026-03-01T10:00:00Z", "API")]);
        assert_eq!(e[0].id, "detected_after_customers:b");
        assert!(
            e[0].actual.contains("#7 was created 30m"),
            "{}",
            e[0].actual
        );

        // Exactly at the window's edge still matches; a same-instant detection is first.
        let edge = run(
            &[sp("c", "2026-03-01T10:00:00Z", "API")],
            &[pd(9, "Checkout", "2026-03-01T12:00:00Z")],
        );
        assert_eq!(edge.public[0].lead_secs, Some(-7200));
        // The window counts whole seconds, truncated: half a second past its edge is within it,
        // a whole second past is not.
        for (created, matched) in [
            ("2026-03-01T12:00:00.5Z", Some(9)),
            ("2026-03-01T07:59:59.5Z", Some(9)),
            ("2026-03-01T12:00:01Z", None),
            ("2026-03-01T07:59:59Z", None),
        ] {
            let f = run(
                &[sp("e", "2026-03-01T10:00:00Z", "API")],
                &[pd(9, "Checkout", created)],
            );
            assert_eq!(f.public[0].matched, matched, "created {created}");
        }
        let tie = run(
            &[sp("d", "2026-03-01T10:00:00Z", "API")],
            &[pd(9, "Checkout", "2026-03-01T10:00:00Z")],
        );
        assert_eq!(tie.public[0].lead_secs, Some(0));
        assert_eq!(tie.public[0].outcome, Outcome::DetectedFirst);
    }

    #[test]
    fn maintenance_is_apart_and_unmapped_components_are_unmatched() {
        let mut maint = sp("m", "2026-05-01T10:00:00Z", "API");
        maint.impact = Some("maintenance".into());
        let mut scheduled = sp("s", "2026-05-02T10:00:00Z", "API");
        scheduled.scheduled_for = Some(utc("2026-05-03T10:00:00Z"));
        let before = sp("old", "2025-12-31T10:00:00Z", "API");
        let unmapped = sp("u", "2026-05-04T10:00:00Z", "Website");
        let list = [before, maint, scheduled, unmapped];
        let pds = [pd(1, "Checkout", "2026-05-01T09:00:00Z")];
        let f = run(&list, &pds);
        assert_eq!(f.maintenance, vec![1, 2]);
        assert_eq!(f.public.len(), 1, "the 2025 incident is outside the period");
        assert_eq!(f.public[0].outcome, Outcome::Unmatched);
        let e = exceptions(&f, &list);
        assert_eq!(e[0].id, "statuspage_unmatched:u");
        assert!(e[0].actual.contains("none of its components is mapped"));
        assert_eq!(
            f.summary(),
            StatuspageSummary {
                incidents: 1,
                matched: 0,
                detected_first: 0,
                median_lead_seconds: 0
            }
        );
    }

    #[test]
    fn the_median_lead_is_the_lower_middle_and_no_snapshot_is_all_zeros() {
        let list = [
            sp("a", "2026-03-01T10:00:00Z", "API"),
            sp("b", "2026-04-01T10:00:00Z", "API"),
            sp("c", "2026-05-01T10:00:00Z", "API"),
            sp("d", "2026-06-01T10:00:00Z", "API"),
        ];
        let pds = [
            pd(1, "Checkout", "2026-03-01T09:50:00Z"),
            pd(2, "Checkout", "2026-04-01T09:00:00Z"),
            pd(3, "Checkout", "2026-05-01T10:05:00Z"),
            pd(4, "Checkout", "2026-06-01T09:59:00Z"),
        ];
        let s = run(&list, &pds).summary();
        // Leads 600, 3600, -300, 60 → sorted -300, 60, 600, 3600 → lower middle 60.
        assert_eq!(
            (
                s.incidents,
                s.matched,
                s.detected_first,
                s.median_lead_seconds
            ),
            (4, 4, 3, 60)
        );
        let none = facts(
            &config(),
            None,
            &Incidents::from(pds.to_vec()),
            utc("2026-01-01T05:00:00Z"),
            utc("2027-01-01T05:00:00Z"),
        );
        assert!(!none.tested);
        assert_eq!(none.summary(), StatuspageSummary::default());
    }
}
