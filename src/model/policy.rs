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
