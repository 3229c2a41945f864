//! Security incidents apart from operational ones (evidence-rules §9): an in-period incident on
//! a service or team named in `site.toml [classification]` is a security incident.

use serde::Serialize;

use super::{IncidentFacts, VerdictState};
use crate::config::Classification;
use crate::model::{Incident, Sym};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentClass {
    Security,
    Operational,
}

impl IncidentClass {
    pub const ALL: [IncidentClass; 2] = [IncidentClass::Security, IncidentClass::Operational];

    pub fn name(self) -> &'static str {
        match self {
            IncidentClass::Security => "security",
            IncidentClass::Operational => "operational",
        }
    }
}

/// Ids or names, compared case-insensitively after trimming.
pub fn classify(config: &Classification, incident: &Incident) -> IncidentClass {
    let f = &incident.fields;
    let named = |list: &[String], id: &Option<Sym>, name: &Option<Sym>| {
        list.iter().any(|want| {
            [id, name]
                .into_iter()
                .flatten()
                .any(|v| v.trim().eq_ignore_ascii_case(want.trim()))
        })
    };
    // The export's team column holds a name; the API row has no team id, so `team` is both.
    if named(&config.security_services, &f.service_id, &f.service)
        || named(&config.security_teams, &None, &f.team)
    {
        IncidentClass::Security
    } else {
        IncidentClass::Operational
    }
}

/// `summary.json` `by_class` figures of one class, summed over every level (unclassified
/// incidents count in `incidents` only: they have no target, so no verdict).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClassCounts {
    pub incidents: u64,
    pub ack_met: u64,
    pub ack_breached: u64,
    pub resolve_met: u64,
    pub resolve_breached: u64,
}

/// `by_class`: security first, then operational.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ByClass {
    pub security: ClassCounts,
    pub operational: ClassCounts,
}

impl ByClass {
    pub fn get(&self, class: IncidentClass) -> &ClassCounts {
        match class {
            IncidentClass::Security => &self.security,
            IncidentClass::Operational => &self.operational,
        }
    }
}

pub fn by_class(incidents: &[IncidentFacts]) -> ByClass {
    let mut out = ByClass::default();
    for f in incidents {
        let c = match f.class {
            IncidentClass::Security => &mut out.security,
            IncidentClass::Operational => &mut out.operational,
        };
        c.incidents += 1;
        if f.severity.level.is_some() {
            c.ack_met += u64::from(f.ack.state == VerdictState::Met);
            c.ack_breached += u64::from(f.ack.state == VerdictState::Breached);
            c.resolve_met += u64::from(f.resolve.state == VerdictState::Met);
            c.resolve_breached += u64::from(f.resolve.state == VerdictState::Breached);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IncidentRow;

    fn incident(service: &str, service_id: &str, team: Option<&str>) -> Incident {
        Incident {
            number: 1,
            fields: IncidentRow {
                service: Some(service.into()),
                service_id: Some(service_id.into()),
                team: team.map(crate::model::Sym::from),
                ..IncidentRow::default()
            },
            created: crate::evidence::testkit::utc("2026-03-01T10:00:00Z"),
            sources: Vec::new(),
            conflicts: Default::default(),
            rows: Default::default(),
            in_period: true,
        }
    }

    #[test]
    fn services_and_teams_by_id_or_name_make_security_incidents() {
        let c = Classification {
            security_services: vec![" security alerts ".into(), "PSEC01".into()],
            security_teams: vec!["SecOps".into()],
        };
        let class = |i: &Incident| classify(&c, i);
        assert_eq!(
            class(&incident("Security Alerts", "PX", None)),
            IncidentClass::Security
        );
        assert_eq!(
            class(&incident("GuardDuty", "psec01", None)),
            IncidentClass::Security
        );
        assert_eq!(
            class(&incident("Checkout", "PC", Some("secops"))),
            IncidentClass::Security
        );
        assert_eq!(
            class(&incident("Checkout", "PC", Some("Payments"))),
            IncidentClass::Operational
        );
        assert_eq!(
            classify(
                &Classification::default(),
                &incident("Security Alerts", "PX", None)
            ),
            IncidentClass::Operational
        );
    }
}
