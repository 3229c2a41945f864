//! Urgency and notification rules (evidence-rules §9): each incident's urgency against its
//! level's documented `urgency` (`urgency_mismatch`), each first-level on-call user's high-urgency
//! notification rules against `notify_high_urgency` (`notification_gap`), and each service's
//! urgency rule, support hours and monitoring routing as configured (shown, not judged).
//!
//! - **On call**: a user is on call for level 1 of an escalation policy when its first rule
//!   targets the user directly, or targets a schedule whose final schedule names the user at some
//!   instant of the period (clipped to the fetched window, as for coverage). Every escalation
//!   policy of the snapshot counts ("any escalation policy").
//! - **Not tested**: no documented `notify_high_urgency`, or a user the snapshot holds no
//!   notification rules for (fetched without the includes, or not in the users list).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveTime, Utc, Weekday};
use serde::Serialize;

use crate::config::Config;
use crate::evidence::{Exception, ExceptionKind, IncidentFacts, Subject};
use crate::model::{ContactKind, Inputs, Service, Snapshot, Urgency};

/// What the configuration page shows and the two exception kinds are raised from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConfigurationFacts {
    /// Levels documenting an urgency, in policy order: (level, urgency).
    pub documented_urgency: Vec<(String, Urgency)>,
    /// In-period incidents whose urgency was compared, and those that differed.
    pub urgency_tested: u64,
    pub urgency_mismatched: Vec<UrgencyMismatch>,
    /// One per service of the snapshot, sorted by id.
    pub services: Vec<ServiceConfig>,
    /// `notify_high_urgency` as documented; `None` = not documented.
    pub notify_high_urgency: Option<Vec<ContactKind>>,
    /// Every first-level on-call user, sorted by id.
    pub on_call_users: Vec<UserNotification>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UrgencyMismatch {
    pub number: u64,
    pub level: String,
    pub documented: Urgency,
    /// As recorded, trimmed and lowercase.
    pub actual: String,
}

pub fn urgency_name(u: Urgency) -> &'static str {
    match u {
        Urgency::High => "high",
        Urgency::Low => "low",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceConfig {
    pub id: String,
    pub name: String,
    /// The urgency rule in words (`constant: high`; `support hours: high, outside: low`).
    pub urgency_rule: Option<String>,
    /// Support hours in words (`Mon–Fri 09:00–17:00 America/New_York`).
    pub support_hours: Option<String>,
    /// Same days and times as `site.toml [business_hours]` (zone not compared: the service's
    /// zone is an ActiveSupport name); `None` without support hours.
    pub support_hours_match: Option<bool>,
    pub scheduled_actions: Vec<String>,
    /// In-period incidents on this service with `urgency_mismatch`.
    pub mismatched_incidents: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserNotification {
    pub id: String,
    pub name: String,
    /// Names of the escalation policies whose level 1 the user was on call for.
    pub escalation_policies: Vec<String>,
    /// Kinds used by the user's high-urgency rules (an unknown type shows as written).
    pub high_urgency_channels: Vec<String>,
    /// `None`: not tested (no documented kinds, or no rules in the snapshot).
    pub gap: Option<bool>,
}

pub fn facts(
    config: &Config,
    inputs: &Inputs,
    incidents: &[IncidentFacts],
    window: (DateTime<Utc>, DateTime<Utc>),
) -> ConfigurationFacts {
    let policy = inputs.policy();
    let documented_urgency: Vec<(String, Urgency)> = policy
        .severities
        .iter()
        .filter_map(|s| s.urgency.map(|u| (s.level.clone(), u)))
        .collect();
    let mut tested = 0;
    let mut mismatched = Vec::new();
    let mut by_service: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for f in incidents {
        let Some(expected) = f
            .severity
            .level
            .as_deref()
            .and_then(|l| documented_urgency.iter().find(|(d, _)| d == l))
        else {
            continue;
        };
        let Some(incident) = inputs.incident(f.number) else {
            continue;
        };
        let Some(actual) = incident
            .fields
            .urgency
            .as_deref()
            .and_then(|u| Urgency::parse(u).ok())
        else {
            continue;
        };
        tested += 1;
        if actual != expected.1 {
            mismatched.push(UrgencyMismatch {
                number: f.number,
                level: expected.0.clone(),
                documented: expected.1,
                actual: urgency_name(actual).to_string(),
            });
            let service = incident
                .fields
                .service_id
                .or(incident.fields.service)
                .unwrap_or_default();
            by_service
                .entry(service.to_string())
                .or_default()
                .push(f.number);
        }
    }
    let snap = &inputs.pagerduty;
    let services = snap
        .services
        .iter()
        .map(|s| service_config(config, s, &by_service))
        .collect();
    let notify = policy.notify_high_urgency.clone();
    let on_call_users = on_call_users(snap, window)
        .into_iter()
        .map(|(id, eps)| user_notification(snap, &id, eps, notify.as_deref()))
        .collect();
    ConfigurationFacts {
        documented_urgency,
        urgency_tested: tested,
        urgency_mismatched: mismatched,
        services,
        notify_high_urgency: notify,
        on_call_users,
    }
}

/// `urgency_mismatch` per mismatched incident and `notification_gap` per user with a gap.
pub fn exceptions(f: &ConfigurationFacts) -> Vec<Exception> {
    let mut out = Vec::new();
    for m in &f.urgency_mismatched {
        let documented = urgency_name(m.documented);
        out.push(Exception::new(
            ExceptionKind::UrgencyMismatch,
            Subject::Incident { number: m.number },
            format!(
                "a {} incident has the documented urgency {documented}",
                m.level
            ),
            format!("urgency {documented}"),
            format!("urgency {}", m.actual),
        ));
    }
    let Some(kinds) = &f.notify_high_urgency else {
        return out;
    };
    let wanted: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    for u in f.on_call_users.iter().filter(|u| u.gap == Some(true)) {
        out.push(Exception::new(
            ExceptionKind::NotificationGap,
            Subject::User { id: u.id.clone() },
            format!(
                "every first-level on-call user is notified of high-urgency incidents by {}",
                wanted.join(" or ")
            ),
            format!(
                "a high-urgency notification rule using {}",
                wanted.join(" or ")
            ),
            if u.high_urgency_channels.is_empty() {
                format!("{} has no high-urgency notification rule", u.name)
            } else {
                format!(
                    "{}'s high-urgency rules use {} only",
                    u.name,
                    u.high_urgency_channels.join(", ")
                )
            },
        ));
    }
    out
}

fn service_config(
    config: &Config,
    s: &Service,
    mismatched: &BTreeMap<String, Vec<u64>>,
) -> ServiceConfig {
    let urgency_rule = s.urgency_rule.as_ref().map(|r| match r.kind.as_str() {
        "constant" if r.urgency.as_deref() == Some("severity_based") => {
            "by the incident's severity (severity_based)".to_string()
        }
        "constant" => format!("always {}", r.urgency.as_deref().unwrap_or("?")),
        "use_support_hours" => format!(
            "{} in support hours, {} outside",
            r.during_support_hours.as_deref().unwrap_or("?"),
            r.outside_support_hours.as_deref().unwrap_or("?")
        ),
        other => other.to_string(),
    });
    let support_hours = s.support_hours.as_ref().map(|h| {
        let days: Vec<&str> = h.days_of_week.iter().map(|d| day_name(*d)).collect();
        format!(
            "{} {}–{} {}",
            days.join(" "),
            short_time(&h.start_time),
            short_time(&h.end_time),
            h.time_zone.as_deref().unwrap_or("")
        )
        .trim()
        .to_string()
    });
    let support_hours_match = s.support_hours.as_ref().map(|h| {
        let bh = &config.business_hours;
        let days: BTreeSet<u8> = h.days_of_week.iter().copied().collect();
        let documented: BTreeSet<u8> = bh
            .days
            .iter()
            .map(|d| d.number_from_monday() as u8)
            .collect();
        let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M:%S").ok();
        days == documented
            && time(&h.start_time) == Some(bh.start)
            && time(&h.end_time) == Some(bh.end)
    });
    let mut mismatched_incidents: Vec<u64> = [Some(&s.id), Some(&s.name)]
        .into_iter()
        .flatten()
        .filter_map(|k| mismatched.get(k))
        .flatten()
        .copied()
        .collect();
    mismatched_incidents.sort_unstable();
    mismatched_incidents.dedup();
    ServiceConfig {
        id: s.id.clone(),
        name: s.name.clone(),
        urgency_rule,
        support_hours,
        support_hours_match,
        scheduled_actions: s.scheduled_actions.clone(),
        mismatched_incidents,
    }
}

fn day_name(d: u8) -> &'static str {
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    match days.get(usize::from(d).wrapping_sub(1)) {
        Some(Weekday::Mon) => "Mon",
        Some(Weekday::Tue) => "Tue",
        Some(Weekday::Wed) => "Wed",
        Some(Weekday::Thu) => "Thu",
        Some(Weekday::Fri) => "Fri",
        Some(Weekday::Sat) => "Sat",
        Some(Weekday::Sun) => "Sun",
        None => "?",
    }
}

/// `09:00:00` → `09:00`.
fn short_time(t: &str) -> &str {
    t.strip_suffix(":00").filter(|s| s.len() == 5).unwrap_or(t)
}

/// Users on call for level 1 of any escalation policy at some instant of `window`, with the
/// names of those policies.
pub fn on_call_users(
    snap: &Snapshot,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ep in &snap.escalation_policies {
        let Some(first) = ep.rules.first() else {
            continue;
        };
        let mut users = BTreeSet::new();
        for t in &first.targets {
            if t.kind == "schedule" {
                let entries = snap
                    .schedule(&t.id)
                    .into_iter()
                    .flat_map(|s| &s.final_entries);
                for e in entries.filter(|e| e.start < to && e.end > from && e.start < e.end) {
                    users.extend(e.user.as_ref().map(|u| u.id.clone()));
                }
            } else {
                users.insert(t.id.clone());
            }
        }
        for u in users {
            out.entry(u).or_default().push(ep.name.clone());
        }
    }
    out
}

fn user_notification(
    snap: &Snapshot,
    id: &str,
    escalation_policies: Vec<String>,
    wanted: Option<&[ContactKind]>,
) -> UserNotification {
    let user = snap.users.iter().find(|u| u.id == id);
    let rules = user.and_then(|u| u.notification_rules.as_ref());
    let high: Vec<&crate::model::NotificationRule> = rules
        .into_iter()
        .flatten()
        .filter(|r| r.urgency.trim().eq_ignore_ascii_case("high"))
        .collect();
    let mut channels: Vec<String> = high
        .iter()
        .map(|r| {
            ContactKind::from_pagerduty(&r.contact_method.kind)
                .map_or_else(|| r.contact_method.kind.clone(), |k| k.name().to_string())
        })
        .collect();
    channels.sort();
    channels.dedup();
    let gap = match (wanted, rules) {
        (Some(kinds), Some(_)) => Some(!high.iter().any(|r| {
            ContactKind::from_pagerduty(&r.contact_method.kind).is_some_and(|k| kinds.contains(&k))
        })),
        _ => None,
    };
    UserNotification {
        id: id.to_string(),
        name: user
            .map(|u| u.name.clone())
            .or_else(|| {
                snap.schedules
                    .iter()
                    .flat_map(|s| &s.final_entries)
                    .filter_map(|e| e.user.as_ref())
                    .find(|u| u.id == id)
                    .and_then(|u| u.name.clone())
            })
            .unwrap_or_else(|| id.to_string()),
        escalation_policies,
        high_urgency_channels: channels,
        gap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::evaluate;
    use crate::evidence::testkit::*;
    use crate::model::{
        EscalationPolicy, EscalationRule, NotificationRule, PdRef, Schedule, ScheduleEntry,
        ScheduleVersion, User,
    };

    fn ids(e: &crate::evidence::Evidence, kind: ExceptionKind) -> Vec<String> {
        e.exceptions
            .iter()
            .filter(|x| x.kind == kind)
            .map(|x| x.id.clone())
            .collect()
    }

    #[test]
    fn urgency_is_compared_only_where_level_urgency_and_value_are_known() {
        let mut i = inputs(
            vec![
                incident(1).priority("P1").urgency(" Low ").build(),
                incident(2).priority("P1").urgency("high").build(),
                incident(3).priority("P2").urgency("low").build(),
                incident(4).urgency("low").build(),
                incident(5).priority("P1").build(),
                incident(6)
                    .priority("P1")
                    .urgency("low")
                    .outside_period()
                    .build(),
            ],
            vec![],
        );
        i.policies[0].severities[0].urgency = Some(Urgency::High);
        let e = evaluate(&config(), &i);
        assert_eq!(
            ids(&e, ExceptionKind::UrgencyMismatch),
            ["urgency_mismatch:1"]
        );
        assert_eq!(e.configuration.urgency_tested, 2);
        let x = e
            .exceptions
            .iter()
            .find(|x| x.id == "urgency_mismatch:1")
            .unwrap();
        assert_eq!(x.required, "urgency high");
        assert_eq!(x.actual, "urgency low");
        assert_eq!(x.kind.criterion(), "CC7.3");
    }

    fn user_ref(id: &str) -> PdRef {
        PdRef {
            id: id.into(),
            kind: "user".into(),
            name: Some(format!("name {id}")),
        }
    }

    fn rule(urgency: &str, kind: &str) -> NotificationRule {
        NotificationRule {
            id: format!("R-{urgency}-{kind}"),
            urgency: urgency.into(),
            start_delay_minutes: 0,
            contact_method: PdRef {
                id: "C".into(),
                kind: format!("{kind}_contact_method"),
                name: None,
            },
        }
    }

    fn user(id: &str, rules: Option<Vec<NotificationRule>>) -> User {
        User {
            id: id.into(),
            name: format!("name {id}"),
            notification_rules: rules,
            ..User::default()
        }
    }

    /// Level 1 of EP1: schedule S1 (U1 in the period, U3 only before it) and user U2 directly.
    fn on_call_inputs(users: Vec<User>) -> Inputs {
        let mut i = inputs(vec![], vec![]);
        let entry = |a: &str, b: &str, u: &str| ScheduleEntry {
            start: utc(a),
            end: utc(b),
            user: Some(user_ref(u)),
        };
        i.pagerduty.escalation_policies = vec![EscalationPolicy {
            id: "EP1".into(),
            name: "Production".into(),
            description: None,
            num_loops: 0,
            rules: vec![EscalationRule {
                id: "R1".into(),
                delay_minutes: 5,
                targets: vec![
                    PdRef {
                        id: "S1".into(),
                        kind: "schedule".into(),
                        name: None,
                    },
                    user_ref("U2"),
                ],
            }],
            services: vec![],
            teams: vec![],
            url: None,
        }];
        i.pagerduty.schedules = vec![Schedule {
            id: "S1".into(),
            name: "Primary".into(),
            version: ScheduleVersion::V2,
            time_zone: None,
            escalation_policies: vec![],
            final_entries: vec![
                entry("2025-12-01T00:00:00Z", "2025-12-31T00:00:00Z", "U3"),
                entry("2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z", "U1"),
            ],
            url: None,
        }];
        i.pagerduty.users = users;
        i.policies[0].notify_high_urgency = Some(vec![ContactKind::Phone, ContactKind::Sms]);
        i
    }

    #[test]
    fn a_first_level_user_without_phone_or_sms_for_high_urgency_is_a_gap() {
        let i = on_call_inputs(vec![
            user("U1", Some(vec![rule("high", "sms"), rule("low", "email")])),
            user(
                "U2",
                Some(vec![rule("high", "email"), rule("low", "phone")]),
            ),
            user("U3", Some(vec![])),
        ]);
        let e = evaluate(&config(), &i);
        assert_eq!(
            ids(&e, ExceptionKind::NotificationGap),
            ["notification_gap:U2"]
        );
        let listed: Vec<&str> = e
            .configuration
            .on_call_users
            .iter()
            .map(|u| u.id.as_str())
            .collect();
        assert_eq!(
            listed,
            ["U1", "U2"],
            "U3 was on call only before the period"
        );
        assert_eq!(
            e.configuration.on_call_users[1].high_urgency_channels,
            ["email"]
        );
    }

    #[test]
    fn no_rules_is_a_gap_but_no_rules_data_or_no_documented_kinds_is_not_tested() {
        let i = on_call_inputs(vec![user("U1", Some(vec![])), user("U2", None)]);
        let e = evaluate(&config(), &i);
        assert_eq!(
            ids(&e, ExceptionKind::NotificationGap),
            ["notification_gap:U1"]
        );
        assert_eq!(e.configuration.on_call_users[1].gap, None);
        let mut i = on_call_inputs(vec![user("U1", Some(vec![])), user("U2", Some(vec![]))]);
        i.policies[0].notify_high_urgency = None;
        let e = evaluate(&config(), &i);
        assert!(ids(&e, ExceptionKind::NotificationGap).is_empty());
        assert!(
            e.configuration
                .on_call_users
                .iter()
                .all(|u| u.gap.is_none())
        );
    }

    #[test]
    fn support_hours_are_compared_with_business_hours() {
        let c = config();
        let mut s = Service {
            id: "S".into(),
            name: "Checkout".into(),
            support_hours: Some(crate::model::SupportHours {
                time_zone: Some("Eastern Time (US & Canada)".into()),
                days_of_week: vec![1, 2, 3, 4, 5],
                start_time: "09:00:00".into(),
                end_time: "17:00:00".into(),
            }),
            ..Service::default()
        };
        let view = service_config(&c, &s, &BTreeMap::new());
        assert_eq!(view.support_hours_match, Some(true));
        assert_eq!(
            view.support_hours.as_deref(),
            Some("Mon Tue Wed Thu Fri 09:00–17:00 Eastern Time (US & Canada)")
        );
        s.support_hours.as_mut().unwrap().days_of_week.push(6);
        assert_eq!(
            service_config(&c, &s, &BTreeMap::new()).support_hours_match,
            Some(false)
        );
    }
}
