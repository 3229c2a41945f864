//! Responder load (the on-call load chart): in-period incidents by the person who answered them,
//! and how many of those were created outside business hours.

use std::collections::BTreeMap;

use serde::Serialize;

use super::IncidentFacts;
use super::sla::in_business_hours;
use crate::config::Config;
use crate::model::{Incident, Inputs, Sym};

/// The load chart's bar for incidents with no responder: the register's blank Responder cells.
pub const NOBODY: &str = "(no responder recorded)";

/// Pages for one responder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponderLoad {
    pub responder: String,
    pub pages: u64,
    /// Pages created outside business hours, when known.
    pub off_hours: Option<u64>,
}

/// The one definition of an incident's responder, shared by the register's Responder column and
/// the on-call load chart (so the chart's "no responder" bar equals the register's blank cells):
/// who acknowledged it (the row, else the timeline's first `acknowledge` agent), else who
/// resolved it, else who it was assigned to (the person paged).
pub fn responder(incident: &Incident) -> Option<Sym> {
    let f = &incident.fields;
    f.acknowledged_by
        .or_else(|| {
            f.timeline
                .iter()
                .find(|e| e.kind == "acknowledge")
                .and_then(|e| e.agent)
        })
        .or(f.resolved_by)
        .or(f.assigned_to)
}

/// Pages per responder ([`responder`], else [`NOBODY`]) over the in-period incidents, with how
/// many were created outside business hours; most pages first, then by name.
pub fn load(config: &Config, inputs: &Inputs, incidents: &[IncidentFacts]) -> Vec<ResponderLoad> {
    let tz = config.tz();
    let mut by: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for facts in incidents {
        let Some(incident) = inputs.incident(facts.number) else {
            continue;
        };
        let who = responder(&incident).map_or_else(|| NOBODY.to_string(), |r| r.to_string());
        let e = by.entry(who).or_default();
        e.0 += 1;
        if !in_business_hours(&config.business_hours, tz, incident.created) {
            e.1 += 1;
        }
    }
    let mut load: Vec<ResponderLoad> = by
        .into_iter()
        .map(|(responder, (pages, off))| ResponderLoad {
            responder,
            pages,
            off_hours: Some(off),
        })
        .collect();
    load.sort_by(|a, b| {
        b.pages
            .cmp(&a.pages)
            .then_with(|| a.responder.cmp(&b.responder))
    });
    load
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::evaluate;
    use crate::evidence::testkit::*;

    fn by(b: IncidentBuilder, acked_by: Option<&str>, resolved_by: Option<&str>) -> Incident {
        let mut i = b.resolved("2026-03-02T16:00:00Z").build();
        i.fields.acknowledged_by = acked_by.map(crate::model::Sym::from);
        i.fields.resolved_by = resolved_by.map(crate::model::Sym::from);
        i
    }

    #[test]
    fn pages_by_acknowledger_then_resolver_with_off_hours_counted() {
        let config = config();
        let inputs = inputs(
            vec![
                // Monday 10:00 EST: business hours.
                by(incident(1), Some("ana"), Some("bo")),
                // Monday 20:00 EST: off hours.
                by(
                    incident(2).created("2026-03-03T01:00:00Z"),
                    Some("ana"),
                    None,
                ),
                by(incident(3), None, Some("bo")),
                by(incident(4), None, None),
                by(incident(5).outside_period(), Some("zed"), None),
            ],
            vec![],
        );
        let evidence = evaluate(&config, &inputs);
        let r = |name: &str, pages, off| ResponderLoad {
            responder: name.into(),
            pages,
            off_hours: Some(off),
        };
        assert_eq!(
            load(&config, &inputs, &evidence.incidents),
            vec![r("ana", 2, 1), r(NOBODY, 1, 0), r("bo", 1, 0)]
        );
        assert_eq!(
            evidence.responders,
            load(&config, &inputs, &evidence.incidents)
        );
    }

    #[test]
    fn responder_is_acknowledger_then_resolver_then_assignee() {
        let mut i = incident(1).build();
        assert_eq!(responder(&i), None);
        i.fields.assigned_to = Some("cy".into());
        assert_eq!(responder(&i).as_deref(), Some("cy"));
        i.fields.resolved_by = Some("bo".into());
        assert_eq!(responder(&i).as_deref(), Some("bo"));
        i.fields.acknowledged_by = Some("ana".into());
        assert_eq!(responder(&i).as_deref(), Some("ana"));
    }

    #[test]
    fn the_no_responder_bar_counts_exactly_the_blank_register_cells() {
        let config = config();
        let mut assigned = incident(3).build();
        assigned.fields.assigned_to = Some("cy".into());
        let inputs = inputs(
            vec![
                by(incident(1), None, None),
                by(incident(2), None, None),
                assigned,
                by(incident(4), Some("ana"), None),
            ],
            vec![],
        );
        let evidence = evaluate(&config, &inputs);
        let blank = evidence
            .incidents
            .iter()
            .filter(|f| f.responder.is_none())
            .count() as u64;
        let nobody = evidence
            .responders
            .iter()
            .find(|r| r.responder == NOBODY)
            .map(|r| r.pages);
        assert_eq!(blank, 2);
        assert_eq!(nobody, Some(blank));
        assert!(evidence.responders.iter().any(|r| r.responder == "cy"));
    }
}
