//! Export sidecars: `<export>.csv.toml` beside a CSV export records who exported it, when, from
//! which screen and with which filters (issue 16). An auditor relying on an export (information
//! produced by the entity) tests exactly these parameters; PagerDuty writes none of them into the
//! file itself.

use anyhow::{Result, bail};
use serde::Deserialize;
use toml::value::Datetime;

use crate::model::ExportParams;

/// The sidecar's suffix after the export's own file name.
pub const SUFFIX: &str = ".toml";

/// The file as written; unknown keys are refused so that a misspelt filter is not silently lost.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sidecar {
    exported_by: String,
    exported_at: Datetime,
    screen: String,
    #[serde(default)]
    filters: Filters,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Filters {
    since: Option<Datetime>,
    until: Option<Datetime>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default)]
    urgency: Vec<String>,
}

/// Parses the sidecar `rel` (its path relative to the site). Errors name the file and line.
pub fn parse(rel: &str, text: &str) -> Result<ExportParams> {
    let raw: Sidecar =
        toml::from_str(text).map_err(|e| crate::config::toml_error(rel, text, &e))?;
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(1, |i| i + 1)
    };
    for (key, value) in [("exported_by", &raw.exported_by), ("screen", &raw.screen)] {
        if value.trim().is_empty() {
            bail!(
                "{rel}:{}: `{key}` is empty; say who or which screen",
                line_of(key)
            );
        }
    }
    if raw.exported_at.date.is_none() || raw.exported_at.time.is_none() {
        bail!(
            "{rel}:{}: `exported_at` must be a date and time (e.g. 2026-07-02T09:14:00-04:00)",
            line_of("exported_at")
        );
    }
    for u in &raw.filters.urgency {
        if !matches!(u.as_str(), "high" | "low") {
            bail!(
                "{rel}:{}: urgency `{u}` is not a PagerDuty urgency (high, low)",
                line_of("urgency")
            );
        }
    }
    // Dates as `YYYY-MM-DD` compare as text.
    let day = |d: &Option<Datetime>| d.as_ref().and_then(|d| d.date).map(|d| d.to_string());
    if let (Some(since), Some(until)) = (day(&raw.filters.since), day(&raw.filters.until))
        && since > until
    {
        bail!(
            "{rel}:{}: filters since {since} is after until {until}",
            line_of("since")
        );
    }
    Ok(ExportParams {
        sidecar: rel.to_string(),
        exported_by: raw.exported_by.trim().to_string(),
        exported_at: raw.exported_at.to_string(),
        screen: raw.screen.trim().to_string(),
        since: raw.filters.since.map(|d| d.to_string()),
        until: raw.filters.until.map(|d| d.to_string()),
        services: raw.filters.services,
        teams: raw.filters.teams,
        urgency: raw.filters.urgency,
    })
}

/// The template `init` writes beside its export, and the shape every sidecar follows.
pub const TEMPLATE: &str = r#"# Export parameters of incidents.csv (pagerproof reads this beside the CSV it names).
# Who downloaded the export, when, from which PagerDuty screen, and with which filters.
exported_by = "Grace Liu, Security Lead"
exported_at = 2026-12-31T16:30:00-05:00
screen = "Analytics > Insights > Incident Activity > Download CSV"

[filters]
# The report's date range as chosen on the screen (dates or date-times).
since = 2026-01-01
until = 2026-12-31
# Empty lists mean no filter: every service, every team, both urgencies.
services = []
teams = []
urgency = []
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses() {
        let p = parse("content/incidents/incidents.csv.toml", TEMPLATE).unwrap();
        assert_eq!(p.exported_by, "Grace Liu, Security Lead");
        assert_eq!(p.exported_at, "2026-12-31T16:30:00-05:00");
        assert_eq!(p.since.as_deref(), Some("2026-01-01"));
        assert_eq!(p.until.as_deref(), Some("2026-12-31"));
        assert!(p.services.is_empty() && p.urgency.is_empty());
    }

    #[test]
    fn filters_are_kept() {
        let text = "exported_by = \"Dana\"\nexported_at = 2026-07-01T09:30:00Z\nscreen = \"s\"\n\
                    [filters]\nservices = [\"checkout\"]\nteams = [\"Payments\"]\nurgency = [\"high\"]\n";
        let p = parse("a.csv.toml", text).unwrap();
        assert_eq!(p.services, vec!["checkout"]);
        assert_eq!(p.teams, vec!["Payments"]);
        assert_eq!(p.urgency, vec!["high"]);
        assert_eq!(p.since, None);
    }

    #[test]
    fn errors_name_file_and_line() {
        let unknown = "exported_by = \"Dana\"\nexported_at = 2026-07-01T09:30:00Z\nscreen = \"s\"\n\
                       [filters]\nservice = [\"checkout\"]\n";
        let e = parse("a.csv.toml", unknown).unwrap_err().to_string();
        assert!(
            e.starts_with("a.csv.toml:5:") && e.contains("service"),
            "{e}"
        );
        let malformed = "exported_by = \"Dana\"\nexported_at = = 3\n";
        let e = parse("a.csv.toml", malformed).unwrap_err().to_string();
        assert!(e.starts_with("a.csv.toml:2:"), "{e}");
        let missing = "exported_by = \"Dana\"\nexported_at = 2026-07-01T09:30:00Z\n";
        let e = parse("a.csv.toml", missing).unwrap_err().to_string();
        assert!(e.contains("screen"), "{e}");
        let date_only = "exported_by = \"Dana\"\nexported_at = 2026-07-01\nscreen = \"s\"\n";
        let e = parse("a.csv.toml", date_only).unwrap_err().to_string();
        assert!(e.starts_with("a.csv.toml:2:"), "{e}");
        let urgency = "exported_by = \"D\"\nexported_at = 2026-07-01T09:30:00Z\nscreen = \"s\"\n\
                       [filters]\nurgency = [\"urgent\"]\n";
        let e = parse("a.csv.toml", urgency).unwrap_err().to_string();
        assert!(e.starts_with("a.csv.toml:5:"), "{e}");
    }
}
