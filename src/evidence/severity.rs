//! Severity of an incident (evidence-rules.md §3).

use super::{SeverityDecision, SeveritySource};
use crate::config::SeverityConfig;
use crate::model::{Incident, PolicyDoc, Postmortem, Sym};

/// `Empty, N/A, -, null, none (any case)` mean "no value" (§1), whatever the source.
pub fn is_value(text: &str) -> bool {
    let t = text.trim();
    !(t.is_empty()
        || ["n/a", "-", "null", "none"]
            .iter()
            .any(|n| t.eq_ignore_ascii_case(n)))
}

fn value(text: Option<&Sym>) -> Option<&str> {
    text_value(text.map(|t| t.as_str()))
}

fn text_value(text: Option<&str>) -> Option<&str> {
    text.filter(|t| is_value(t))
}

/// Decides an incident's severity. The first source with a value decides, even when that value
/// matches no level: the row's priority (already the first of `priority`, `priority_name`,
/// `severity`, API `priority.summary`), then the postmortem whose id sorts first among `linked`
/// (its `severity`, then its `priority`), then `from_urgency`.
///
/// `linked` are the postmortems linking the incident; only the first by id is consulted, so a
/// later postmortem's severity never fills in for an earlier one that has none.
pub fn decide(
    policy: &PolicyDoc,
    config: &SeverityConfig,
    incident: &Incident,
    linked: &[&Postmortem],
) -> SeverityDecision {
    if let Some(raw) = value(incident.fields.priority.as_ref()) {
        return matched(policy, raw, SeveritySource::Priority, None);
    }
    if let Some(pm) = linked.iter().min_by(|a, b| a.id.cmp(&b.id))
        && let Some(raw) =
            text_value(pm.severity.as_deref()).or_else(|| text_value(pm.priority.as_deref()))
    {
        return matched(
            policy,
            raw,
            SeveritySource::Postmortem,
            Some(Sym::new(&pm.id)),
        );
    }
    if let Some(urgency) = value(incident.fields.urgency.as_ref())
        && let Some((_, mapped)) = config
            .from_urgency
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(urgency.trim()))
    {
        return matched(policy, mapped, SeveritySource::Urgency, None);
    }
    SeverityDecision {
        level: None,
        raw: None,
        source: SeveritySource::None,
        postmortem: None,
    }
}

fn matched(
    policy: &PolicyDoc,
    raw: &str,
    source: SeveritySource,
    postmortem: Option<Sym>,
) -> SeverityDecision {
    SeverityDecision {
        level: policy.match_severity(raw).map(|l| Sym::new(&l.level)),
        raw: Some(Sym::new(raw.trim())),
        source,
        postmortem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::*;

    fn urgency_map() -> SeverityConfig {
        let mut c = SeverityConfig::default();
        c.from_urgency.insert("high".into(), "P2".into());
        c
    }

    #[test]
    fn priority_matches_level_name_or_alias() {
        let policy = policy();
        for raw in ["P1", " critical ", "sev-1"] {
            let i = incident(1).priority(raw).build();
            let d = decide(&policy, &SeverityConfig::default(), &i, &[]);
            assert_eq!(d.level.as_deref(), Some("P1"), "{raw}");
            assert_eq!(d.source, SeveritySource::Priority);
        }
    }

    #[test]
    fn postmortem_severity_decides_when_the_row_has_none() {
        let policy = policy();
        let a = pm("PM-2").severity("P3").build();
        let b = pm("PM-1").priority("High").build();
        let i = incident(1).urgency("high").build();
        let d = decide(&policy, &urgency_map(), &i, &[&a, &b]);
        assert_eq!(
            d.level.as_deref(),
            Some("P2"),
            "PM-1 sorts first; its priority decides"
        );
        assert_eq!(d.source, SeveritySource::Postmortem);
        assert_eq!(d.postmortem.as_deref(), Some("PM-1"));
    }

    #[test]
    fn unknown_priority_is_unclassified_even_with_a_valid_postmortem_severity() {
        let policy = policy();
        let p = pm("PM-1").severity("P1").build();
        let i = incident(1).priority("Urgent!!").build();
        let d = decide(&policy, &SeverityConfig::default(), &i, &[&p]);
        assert_eq!(d.level, None);
        assert_eq!(d.raw.as_deref(), Some("Urgent!!"));
        assert_eq!(d.source, SeveritySource::Priority);
    }

    #[test]
    fn urgency_maps_only_without_any_other_value() {
        let policy = policy();
        let i = incident(1).urgency("High").build();
        let d = decide(&policy, &urgency_map(), &i, &[]);
        assert_eq!(d.level.as_deref(), Some("P2"));
        assert_eq!(d.source, SeveritySource::Urgency);
        let low = incident(2).urgency("low").build();
        let d = decide(&policy, &urgency_map(), &low, &[]);
        assert_eq!((d.level, d.source), (None, SeveritySource::None));
    }

    #[test]
    fn no_value_words_are_not_values() {
        let policy = policy();
        let i = incident(1).priority("N/A").build();
        let d = decide(&policy, &urgency_map(), &i, &[]);
        assert_eq!((d.level, d.raw), (None, None));
    }
}
