//! `site.toml` → [`Config`] (design/config.md). Unknown keys are errors naming file, line and key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone)]
pub struct Config {
    /// Directory holding site.toml; every configured path is relative to it.
    pub root: PathBuf,
    pub organization: Organization,
    pub period: Period,
    pub policy: PolicyRef,
    pub business_hours: BusinessHours,
    pub severity: SeverityConfig,
    pub inputs: Inputs,
    pub theme: Theme,
    pub links: Links,
    pub output: Output,
    pub trackers: Trackers,
    pub package: Package,
    /// `[controls]`: criterion id → the company's own control ids (`"CC7.3" = ["IR-03"]`).
    pub controls: BTreeMap<String, Vec<String>>,
    pub statuspage: StatuspageConfig,
    pub classification: Classification,
}

/// `[statuspage]`: how public Statuspage incidents are matched to PagerDuty incidents
/// (evidence-rules §9).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatuspageConfig {
    /// Statuspage component (id or name) → the PagerDuty services (ids or names) behind it.
    #[serde(default)]
    pub components: BTreeMap<String, Vec<String>>,
    /// How far before or after a Statuspage incident's creation a PagerDuty incident may be
    /// created to match it (`<integer><s|m|h|d>`, default `2h`), in seconds.
    #[serde(
        default = "d_match_window",
        rename = "match_window",
        deserialize_with = "de_window"
    )]
    pub match_window_secs: i64,
}

impl Default for StatuspageConfig {
    fn default() -> Self {
        StatuspageConfig {
            components: BTreeMap::new(),
            match_window_secs: d_match_window(),
        }
    }
}

fn d_match_window() -> i64 {
    2 * 3600
}

/// `<integer><s|m|h|d>` → seconds (the policy's duration grammar; at most a year here).
fn de_window<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let text = String::deserialize(d)?;
    let t = text.trim();
    let err = || {
        serde::de::Error::custom(format!(
            "`{text}` is not a duration (an integer followed by s, m, h or d, e.g. `2h`)"
        ))
    };
    let unit_at = t.char_indices().last().map_or(0, |(i, _)| i);
    let (digits, unit) = t.split_at(unit_at);
    let n: i64 = digits.parse().map_err(|_| err())?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(err()),
    };
    n.checked_mul(mult)
        .filter(|secs| (0..=366 * 86_400).contains(secs))
        .ok_or_else(err)
}

/// `[classification]`: which incidents are security events (evidence-rules §9); every other
/// in-period incident is operational.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// PagerDuty service ids or names.
    #[serde(default)]
    pub security_services: Vec<String>,
    /// PagerDuty team ids or names.
    #[serde(default)]
    pub security_teams: Vec<String>,
}

/// The criteria the package evidences, the only keys `[controls]` accepts.
pub const CRITERIA_IDS: [&str; 4] = ["CC7.2", "CC7.3", "CC7.4", "CC7.5"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    #[serde(deserialize_with = "de_tz")]
    pub timezone: Tz,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub name: String,
    #[serde(deserialize_with = "de_date")]
    pub start: NaiveDate,
    #[serde(deserialize_with = "de_date")]
    pub end: NaiveDate,
    #[serde(default, deserialize_with = "de_opt_date")]
    pub as_of: Option<NaiveDate>,
}

impl Period {
    /// The build's only "now" date: `as_of`, by default the period's end.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of.unwrap_or(self.end)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRef {
    pub file: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    #[serde(default = "default_days", deserialize_with = "de_days")]
    pub days: Vec<Weekday>,
    #[serde(default = "default_start", deserialize_with = "de_time")]
    pub start: NaiveTime,
    #[serde(default = "default_end", deserialize_with = "de_time")]
    pub end: NaiveTime,
    #[serde(default, deserialize_with = "de_dates")]
    pub holidays: Vec<NaiveDate>,
}

impl Default for BusinessHours {
    fn default() -> Self {
        BusinessHours {
            days: default_days(),
            start: default_start(),
            end: default_end(),
            holidays: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityConfig {
    #[serde(default)]
    pub from_urgency: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    #[serde(default, deserialize_with = "de_opt_tz")]
    pub export_timezone: Option<Tz>,
    #[serde(default = "d_incidents")]
    pub incidents: String,
    #[serde(default = "d_postmortems")]
    pub postmortems: String,
    #[serde(default = "d_policies")]
    pub policies: String,
    #[serde(default = "d_pagerduty")]
    pub pagerduty: String,
    #[serde(default = "d_jira")]
    pub jira: String,
    #[serde(default = "d_responses")]
    pub responses: String,
    #[serde(default = "d_samples")]
    pub samples: String,
    #[serde(default = "d_statuspage")]
    pub statuspage: String,
    #[serde(default = "d_github")]
    pub github: String,
}

impl Inputs {
    /// Every input directory with its `[inputs]` key.
    pub fn dirs(&self) -> [(&'static str, &str); 9] {
        [
            ("incidents", &self.incidents),
            ("postmortems", &self.postmortems),
            ("policies", &self.policies),
            ("pagerduty", &self.pagerduty),
            ("jira", &self.jira),
            ("responses", &self.responses),
            ("samples", &self.samples),
            ("statuspage", &self.statuspage),
            ("github", &self.github),
        ]
    }

    /// The input directories site.toml sets to something other than the default: these must
    /// exist (a mistyped path would otherwise read as an empty directory).
    pub fn configured(&self) -> Vec<(&'static str, &str)> {
        let defaults = Inputs::default();
        self.dirs()
            .into_iter()
            .zip(defaults.dirs())
            .filter(|((_, dir), (_, default))| dir != default)
            .map(|(pair, _)| pair)
            .collect()
    }
}

impl Default for Inputs {
    fn default() -> Self {
        toml::from_str("").expect("defaults")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    #[serde(default = "d_theme")]
    pub name: String,
}

impl Default for Theme {
    fn default() -> Self {
        Theme { name: d_theme() }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Links {
    pub pagerduty: Option<String>,
    pub jira: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    #[serde(default = "d_out")]
    pub dir: String,
    #[serde(default = "d_dist")]
    pub dist: String,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            dir: d_out(),
            dist: d_dist(),
        }
    }
}

/// `[trackers]`: how corrective-action tickets are judged (evidence-rules §9).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trackers {
    /// Resolutions that close a ticket without fixing anything: such a ticket is not a completed
    /// corrective action (compared case-insensitively after trimming).
    #[serde(default = "d_non_fix")]
    pub non_fix_resolutions: Vec<String>,
}

impl Default for Trackers {
    fn default() -> Self {
        Trackers {
            non_fix_resolutions: d_non_fix(),
        }
    }
}

fn d_non_fix() -> Vec<String> {
    [
        "Won't Do",
        "Won't Fix",
        "Duplicate",
        "Cannot Reproduce",
        "Declined",
    ]
    .map(String::from)
    .to_vec()
}

/// `[package]`: who prepares the package.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Shown in bag-info.txt and on verify.html (`Grace Liu, Security Lead`).
    pub preparer: Option<String>,
    /// The previous period's package zip, relative to the site: its SHA-256 and identifier go
    /// into bag-info.txt (the hash chain) and its figures and sources into changes.html.
    pub previous: Option<String>,
}

/// The file as written; converted into [`Config`] after validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    organization: Organization,
    period: Period,
    policy: PolicyRef,
    #[serde(default)]
    business_hours: BusinessHours,
    #[serde(default)]
    severity: SeverityConfig,
    #[serde(default)]
    inputs: Inputs,
    #[serde(default)]
    theme: Theme,
    #[serde(default)]
    links: Links,
    #[serde(default)]
    output: Output,
    #[serde(default)]
    trackers: Trackers,
    #[serde(default)]
    package: Package,
    #[serde(default)]
    controls: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    statuspage: StatuspageConfig,
    #[serde(default)]
    classification: Classification,
}

impl Config {
    /// Reads `<dir>/site.toml`.
    /// Errors carry their exit code (`exit::input_or_io`).
    pub fn load(dir: &Path) -> Result<Config> {
        let path = dir.join("site.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let hint = (e.kind() == std::io::ErrorKind::NotFound)
                .then_some("run `pagerproof init DIR` to create a site, or pass --site DIR");
            let error = anyhow::Error::new(e).context(format!(
                "{}: cannot read the site configuration",
                path.display()
            ));
            crate::exit::with_hint(error, hint)
        })?;
        Config::parse(dir, &text, &path.display().to_string()).map_err(crate::exit::input_or_io)
    }

    /// Parses site.toml text; `name` is the file name used in error messages.
    pub fn parse(root: &Path, text: &str, name: &str) -> Result<Config> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(name, text, &e))?;
        let config = Config {
            root: root.to_path_buf(),
            organization: raw.organization,
            period: raw.period,
            policy: raw.policy,
            business_hours: raw.business_hours,
            severity: raw.severity,
            inputs: raw.inputs,
            theme: raw.theme,
            links: raw.links,
            output: raw.output,
            trackers: raw.trackers,
            package: raw.package,
            controls: raw.controls,
            statuspage: raw.statuspage,
            classification: raw.classification,
        };
        config.validate(name)?;
        config.validate_lines(name, text)?;
        Ok(config)
    }

    fn validate(&self, name: &str) -> Result<()> {
        let p = &self.period;
        if p.end < p.start {
            bail!("{name}: [period] end {} is before start {}", p.end, p.start);
        }
        if self.business_hours.end <= self.business_hours.start {
            bail!("{name}: [business_hours] end must be after start");
        }
        if self.business_hours.days.is_empty() {
            bail!("{name}: [business_hours] days must name at least one day");
        }
        if self.organization.name.trim().is_empty() {
            bail!("{name}: [organization] name is empty");
        }
        if self.period.name.trim().is_empty() {
            bail!("{name}: [period] name is empty");
        }
        for link in [&self.links.pagerduty, &self.links.jira]
            .into_iter()
            .flatten()
        {
            if !(link.starts_with("https://") || link.starts_with("http://")) {
                bail!("{name}: [links] `{link}` must be an http(s) URL");
            }
        }
        Ok(())
    }

    /// Checks whose errors point at a line of site.toml.
    fn validate_lines(&self, name: &str, text: &str) -> Result<()> {
        // The line of `key` in `[table]` (tables are written once in site.toml).
        let line = |table: &str, key: &str| {
            let lines: Vec<&str> = text.lines().collect();
            let start = lines
                .iter()
                .position(|l| l.trim() == format!("[{table}]"))
                .unwrap_or(0);
            lines[start..]
                .iter()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(start + 1, |i| start + i + 1)
        };
        for (criterion, ids) in &self.controls {
            // Keys are written bare or quoted; `"CC7.3"` must be quoted since it has a dot.
            let at = || {
                let lines: Vec<&str> = text.lines().collect();
                let start = lines
                    .iter()
                    .position(|l| l.split('#').next().unwrap_or("").trim() == "[controls]")
                    .unwrap_or(0);
                lines[start..]
                    .iter()
                    .position(|l| {
                        let l = l.trim_start().trim_start_matches(['"', '\'']);
                        l.starts_with(criterion.as_str())
                    })
                    .map_or(start + 1, |i| start + i + 1)
            };
            if !CRITERIA_IDS.contains(&criterion.as_str()) {
                bail!(
                    "{name}:{}: [controls] unknown criterion `{criterion}`: expected one of {}",
                    at(),
                    CRITERIA_IDS.join(", ")
                );
            }
            if ids.is_empty() || ids.iter().any(|id| id.trim().is_empty()) {
                bail!(
                    "{name}:{}: [controls] `{criterion}` needs one or more non-empty control ids",
                    at()
                );
            }
        }
        let p = &self.period;
        if let Some(as_of) = p.as_of
            && as_of < p.start
        {
            bail!(
                "{name}:{}: [period] as_of {as_of} is before the period's start {}",
                line("period", "as_of"),
                p.start
            );
        }
        let theme = &self.theme.name;
        if theme != "default" && !self.root.join("themes").join(theme).is_dir() {
            bail!(
                "{name}:{}: [theme] name `{theme}`: there is no themes/{theme}/ directory in the site",
                line("theme", "name")
            );
        }
        Ok(())
    }

    /// Zone of timestamps written without offset.
    pub fn export_tz(&self) -> Tz {
        self.inputs
            .export_timezone
            .unwrap_or(self.organization.timezone)
    }

    pub fn tz(&self) -> Tz {
        self.organization.timezone
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn out_dir(&self) -> PathBuf {
        self.root.join(&self.output.dir)
    }

    /// `<org-slug>-<period-slug>`, the package and bag name.
    pub fn package_name(&self) -> String {
        format!(
            "{}-{}",
            crate::util::slug(&self.organization.name),
            crate::util::slug(&self.period.name)
        )
    }
}

/// A TOML error as `file:line: message`, naming the key (toml's own message names it).
pub fn toml_error(name: &str, text: &str, e: &toml::de::Error) -> anyhow::Error {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let msg = e.message().trim().to_string();
    match line {
        Some(line) => anyhow::anyhow!("{name}:{line}: {msg}"),
        None => anyhow::anyhow!("{name}: {msg}"),
    }
}

fn default_days() -> Vec<Weekday> {
    use Weekday::*;
    vec![Mon, Tue, Wed, Thu, Fri]
}
fn default_start() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 0, 0).unwrap()
}
fn default_end() -> NaiveTime {
    NaiveTime::from_hms_opt(17, 0, 0).unwrap()
}
fn d_incidents() -> String {
    "content/incidents".into()
}
fn d_postmortems() -> String {
    "content/postmortems".into()
}
fn d_policies() -> String {
    "content/policies".into()
}
fn d_pagerduty() -> String {
    "content/pagerduty".into()
}
fn d_jira() -> String {
    "content/jira".into()
}
fn d_responses() -> String {
    "content/responses".into()
}
fn d_samples() -> String {
    "content/samples".into()
}
fn d_statuspage() -> String {
    "content/statuspage".into()
}
fn d_github() -> String {
    "content/github".into()
}
fn d_theme() -> String {
    "default".into()
}
fn d_out() -> String {
    "public".into()
}
fn d_dist() -> String {
    "dist".into()
}

/// A TOML date (`2026-01-01`) or a string holding one.
#[derive(Deserialize)]
#[serde(untagged)]
enum DateLike {
    Toml(toml::value::Datetime),
    Text(String),
}

fn date_from(v: DateLike) -> Result<NaiveDate, String> {
    let text = match v {
        DateLike::Toml(dt) => match (dt.date, dt.time) {
            (Some(d), None) => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
            _ => return Err(format!("`{dt}` must be a date (YYYY-MM-DD) without a time")),
        },
        DateLike::Text(s) => s,
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

pub fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    date_from(DateLike::deserialize(d)?).map_err(serde::de::Error::custom)
}

pub fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    de_date(d).map(Some)
}

fn de_dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    Vec::<DateLike>::deserialize(d)?
        .into_iter()
        .map(|v| date_from(v).map_err(serde::de::Error::custom))
        .collect()
}

fn de_tz<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    let s = String::deserialize(d)?;
    s.parse::<Tz>().map_err(|_| {
        serde::de::Error::custom(format!(
            "`{s}` is not an IANA time zone (e.g. America/New_York)"
        ))
    })
}

fn de_opt_tz<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Tz>, D::Error> {
    de_tz(d).map(Some)
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let s = String::deserialize(d)?;
    NaiveTime::parse_from_str(&s, "%H:%M")
        .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a time of day (HH:MM)")))
}

fn de_days<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
    Vec::<String>::deserialize(d)?
        .into_iter()
        .map(|s| {
            s.parse::<Weekday>().map_err(|_| {
                serde::de::Error::custom(format!("`{s}` is not a day (mon, tue, ...)"))
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The smallest valid site.toml (FY2026, Acme Corp, America/New_York); other tests build on it.
    pub(crate) const MIN: &str = r#"
[organization]
name = "Acme Corp"
timezone = "America/New_York"
[period]
name = "FY2026"
start = 2026-01-01
end = 2026-12-31
[policy]
file = "content/policies/incident-response.md"
"#;

    #[test]
    fn statuspage_and_classification_tables_parse_strictly() {
        let c = Config::parse(Path::new("."), MIN, "site.toml").unwrap();
        assert_eq!(c.statuspage.match_window_secs, 7200);
        assert!(c.classification.security_services.is_empty());
        let ok = format!(
            "{MIN}[statuspage]\ncomponents = {{ API = [\"Checkout\", \"PABC123\"] }}\n\
             match_window = \"90m\"\n[classification]\nsecurity_services = [\"Sec\"]\n\
             security_teams = [\"T1\"]\n"
        );
        let c = Config::parse(Path::new("."), &ok, "site.toml").unwrap();
        assert_eq!(c.statuspage.components["API"], vec!["Checkout", "PABC123"]);
        assert_eq!(c.statuspage.match_window_secs, 5400);
        assert_eq!(c.classification.security_teams, vec!["T1"]);
        for bad in [
            "[statuspage]\nmatch_window = \"2 hours\"\n",
            "[statuspage]\nwindow = \"2h\"\n",
            "[classification]\nsecurity = []\n",
        ] {
            let err = Config::parse(Path::new("."), &format!("{MIN}{bad}"), "site.toml")
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("site.toml:"), "{err}");
        }
    }

    #[test]
    fn controls_map_criteria_to_company_ids_and_unknown_criteria_name_their_line() {
        let ok = format!("{MIN}[controls]\n\"CC7.3\" = [\"IR-03\", \"IR-04\"]\n");
        let c = Config::parse(Path::new("."), &ok, "site.toml").unwrap();
        assert_eq!(c.controls["CC7.3"], vec!["IR-03", "IR-04"]);
        assert!(
            Config::parse(Path::new("."), MIN, "site.toml")
                .unwrap()
                .controls
                .is_empty()
        );
        let bad = format!("{MIN}[controls]\n\"CC7.3\" = [\"IR-03\"]\n\"CC9.9\" = [\"X\"]\n");
        let err = Config::parse(Path::new("."), &bad, "site.toml")
            .unwrap_err()
            .to_string();
        let line = MIN.lines().count() + 3;
        assert!(err.starts_with(&format!("site.toml:{line}: ")), "{err}");
        assert!(err.contains("CC9.9"), "{err}");
        let empty = format!("{MIN}[controls]\n\"CC7.4\" = []\n");
        let err = Config::parse(Path::new("."), &empty, "site.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("CC7.4") && err.contains("non-empty"), "{err}");
    }

    #[test]
    fn minimal_config_takes_defaults() {
        let c = Config::parse(Path::new("."), MIN, "site.toml").unwrap();
        assert_eq!(
            c.period.as_of(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        assert_eq!(c.inputs.incidents, "content/incidents");
        assert_eq!(c.export_tz(), chrono_tz::America::New_York);
        assert_eq!(c.package_name(), "acme-corp-fy2026");
        assert_eq!(c.business_hours.days.len(), 5);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = format!("{MIN}\n[output]\ndir = \"x\"\ndirectory = \"y\"\n");
        let err = Config::parse(Path::new("."), &text, "site.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:14:"), "{err}");
        assert!(err.contains("directory"), "{err}");
    }

    #[test]
    fn bad_timezone_is_named() {
        let text = MIN.replace("America/New_York", "Mars/Olympus");
        let err = Config::parse(Path::new("."), &text, "site.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("Mars/Olympus"), "{err}");
        assert!(err.starts_with("site.toml:4:"), "{err}");
    }
}
