//! The documented policies (markdown with TOML front matter) and the promises they make.

use chrono::NaiveDate;
use serde::Serialize;

/// A response target from the policy front matter (config.md "Durations").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "seconds", rename_all = "kebab-case")]
pub enum Target {
    /// Exact elapsed time in seconds (`5m`, `4h`, `7d` = 604,800 s).
    Elapsed(i64),
    /// Business-hours end on the first business day strictly after the local creation date.
    NextBusinessDay,
}

impl Target {
    /// Parses `30s`, `5m`, `4h`, `7d` or `next-business-day`.
    pub fn parse(text: &str) -> Result<Target, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("next-business-day") {
            return Ok(Target::NextBusinessDay);
        }
        parse_duration(t).map(Target::Elapsed)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::NextBusinessDay => f.write_str("next business day"),
            Target::Elapsed(secs) => f.write_str(&crate::util::human_target(*secs)),
        }
    }
}

/// The longest duration a policy may promise. Far beyond any real target, and far inside what
/// instant arithmetic can represent, so a deadline never overflows.
pub const MAX_DURATION_SECS: i64 = 100 * 366 * 86_400;

/// `<integer><s|m|h|d>` → seconds, at most `MAX_DURATION_SECS`.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let err =
        || format!("`{text}` is not a duration (an integer followed by s, m, h or d, e.g. `15m`)");
    let unit_at = t.char_indices().last().ok_or_else(err)?.0;
    let (digits, unit) = t.split_at(unit_at);
    let n: i64 = digits.parse().map_err(|_| err())?;
    if n < 0 {
        return Err(err());
    }
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(err()),
    };
    n.checked_mul(mult)
        .filter(|secs| *secs <= MAX_DURATION_SECS)
        .ok_or_else(|| format!("`{text}` is longer than 100 years"))
}

/// One severity level of the documented policy, in policy order.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityLevel {
    pub level: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub definition: String,
    pub ack: Option<Target>,
    pub resolve: Option<Target>,
    pub postmortem: Option<Target>,
    /// The PagerDuty urgency the policy documents for this level (evidence-rules §9); `None`
    /// means not documented, so not tested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    /// Incident workflow or response play names that must exist for this level (§9); `None`
    /// means not documented, so not tested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automation: Option<Vec<String>>,
}

/// PagerDuty's two incident urgencies: high pages immediately, low notifies without paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    High,
    Low,
}

impl Urgency {
    /// `high` or `low`, trimmed and case-insensitively (as PagerDuty writes them in exports).
    pub fn parse(text: &str) -> Result<Urgency, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "high" => Ok(Urgency::High),
            "low" => Ok(Urgency::Low),
            _ => Err(format!("`{text}` is not an urgency (`high` or `low`)")),
        }
    }
}

/// The kinds of PagerDuty contact method a notification rule can use (evidence-rules §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    Phone,
    Sms,
    Email,
    Push,
}

impl ContactKind {
    pub const ALL: [ContactKind; 4] = [
        ContactKind::Phone,
        ContactKind::Sms,
        ContactKind::Email,
        ContactKind::Push,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ContactKind::Phone => "phone",
            ContactKind::Sms => "sms",
            ContactKind::Email => "email",
            ContactKind::Push => "push",
        }
    }

    /// `phone`, `sms`, `email` or `push`, trimmed and case-insensitively.
    pub fn parse(text: &str) -> Result<ContactKind, String> {
        let t = text.trim();
        ContactKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                format!("`{text}` is not a contact method kind (phone, sms, email or push)")
            })
    }

    /// PagerDuty's contact method type (`phone_contact_method`, also as `..._reference`).
    pub fn from_pagerduty(kind: &str) -> Option<ContactKind> {
        let k = kind.trim().trim_end_matches("_reference");
        match k {
            "phone_contact_method" => Some(ContactKind::Phone),
            "sms_contact_method" => Some(ContactKind::Sms),
            "email_contact_method" => Some(ContactKind::Email),
            "push_notification_contact_method" => Some(ContactKind::Push),
            _ => None,
        }
    }
}

/// One row of the documented monitoring routing (`[[routing]]` in the policy front matter):
/// which alerts go to which service. Shown next to PagerDuty's integrations and orchestration
/// routes; not judged.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentedRoute {
    /// The monitoring source (`Datadog`, `AWS GuardDuty`).
    pub source: String,
    /// Which of its events (`security findings`); empty means all.
    pub events: String,
    /// The PagerDuty service (id or name) they must reach.
    pub service: String,
}

impl SeverityLevel {
    /// A value matches when, trimmed and case-insensitively, it equals the level, name or an alias.
    pub fn matches(&self, value: &str) -> bool {
        let v = value.trim();
        !v.is_empty()
            && (self.level.eq_ignore_ascii_case(v)
                || self.name.eq_ignore_ascii_case(v)
                || self
                    .aliases
                    .iter()
                    .any(|a| a.trim().eq_ignore_ascii_case(v)))
    }
}

/// One level of the documented escalation path; `paged_after` is cumulative from the trigger.
#[derive(Debug, Clone, Serialize)]
pub struct EscalationLevel {
    pub level: u32,
    pub role: String,
    pub paged_after_secs: i64,
}

/// A policy document under `content/policies/`.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyDoc {
    pub slug: String,
    pub source: String,
    pub title: String,
    pub version: Option<String>,
    pub effective: Option<NaiveDate>,
    pub approved_by: Option<String>,
    pub approved_on: Option<NaiveDate>,
    pub owner: Option<String>,
    pub next_review: Option<NaiveDate>,
    pub escalation_policy: Option<String>,
    pub severities: Vec<SeverityLevel>,
    pub escalation: Vec<EscalationLevel>,
    /// Contact method kinds every on-call user's high-urgency rules must use one of (§9);
    /// `None` means not documented, so not tested.
    pub notify_high_urgency: Option<Vec<ContactKind>>,
    /// The documented monitoring routing, in document order.
    pub routing: Vec<DocumentedRoute>,
    pub body_markdown: String,
    /// Line in the source file where the markdown body starts (for error messages).
    pub body_line: u64,
}

impl PolicyDoc {
    pub fn severity(&self, level: &str) -> Option<&SeverityLevel> {
        self.severities.iter().find(|s| s.level == level)
    }

    /// The level a raw priority value matches, if any.
    pub fn match_severity(&self, value: &str) -> Option<&SeverityLevel> {
        self.severities.iter().find(|s| s.matches(value))
    }
}
