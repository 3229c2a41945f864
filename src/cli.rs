//! Command-line definitions (clap derive). Each subcommand's work lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// SOC 2 incident-management evidence (CC7.3) as one verifiable static site.
///
/// Reads PagerDuty incident exports and API snapshots, postmortems (postmortem.v1 JSON), the
/// incident response policy (markdown with TOML front matter) and Jira snapshots from a site
/// directory holding `site.toml`, tests every incident against the documented policy, and writes
/// a browsable, hash-manifested site that opens from disk.
#[derive(Debug, Parser)]
#[command(
    name = "pagerproof",
    version = env!("PAGERPROOF_VERSION"),
    propagate_version = true,
    after_long_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log each phase (load inputs, evaluate, render, swap into place, …) with its duration and
    /// counts to stderr. A command's --quiet silences it.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the evidence site into the output directory (default: public/ under the site).
    Build(BuildArgs),
    /// Load and validate every input; print findings as file:line: message; non-zero exit on errors.
    Check(CheckArgs),
    /// Create a small site in DIR that builds as is.
    Init(InitArgs),
    /// Build the site and serve it on 127.0.0.1 for preview.
    Serve(ServeArgs),
    /// Build the site and write the audit package: a deterministic zip of one BagIt bag.
    Package(PackageArgs),
    /// Verify a package (zip or unzipped bag): every manifest line, Payload-Oxum, extra or missing
    /// files, unsafe paths, and the signature when a public key is given.
    Verify(VerifyArgs),
    /// Write a minisign-compatible key pair for signing packages.
    Keygen(KeygenArgs),
    /// Verify packages of several periods and gather them in one browsable archive: each site
    /// unpacked under DIR/<org>-<period>/, DIR/index.html listing every period and the hash chain.
    Archive(ArchiveArgs),
    /// Draw a reproducible sample of in-period incidents from the auditor's seed and record it
    /// under content/samples/ (shown on sample.html).
    Sample(SampleArgs),
    /// Fetch snapshots from PagerDuty or Jira into content/ (the only command that uses the network).
    #[command(subcommand)]
    Fetch(FetchCommand),
    /// Print a shell completion script to stdout, e.g. `pagerproof completions bash`.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, or write one page per subcommand with --out DIR.
    Man(ManArgs),
}

/// The exit codes (crate::exit), shown by `--help` and in the man page.
pub(crate) const EXIT_CODES: &str = "Exit status:
  0  success
  1  check found errors (or warnings with --strict), verify found a problem, or another failure
  2  usage error: unknown command or option, missing argument
  3  input error: a malformed site.toml, policy, postmortem or other input (file:line named)
  4  I/O error: a file or directory could not be read or written";

#[derive(Debug, Clone, Args)]
pub struct SiteArg {
    /// Site directory holding site.toml.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub site: PathBuf,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// Output directory (default: `[output] dir` of site.toml, relative to the site).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Do not show a progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Build even when no incident falls in the period (an error otherwise).
    #[arg(long)]
    pub allow_empty: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// Also fail on warnings.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create (must not exist or be empty).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8088)]
    pub port: u16,
    /// Serve an archive made by `pagerproof archive` instead of building the site.
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// Sign the zip with this minisign secret key (passphrase from PAGERPROOF_KEY_PASSWORD).
    #[arg(long, value_name = "KEYFILE")]
    pub sign: Option<PathBuf>,
    /// Package even when no incident falls in the period (an error otherwise).
    #[arg(long)]
    pub allow_empty: bool,
    /// Do not show a progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The package zip, or an unzipped bag directory.
    pub path: PathBuf,
    /// minisign public key file; checks `<zip>.minisig` beside the zip.
    #[arg(long, value_name = "FILE")]
    pub pubkey: Option<PathBuf>,
    /// After verifying, rebuild the site from the package's own `data/sources/` (with the date
    /// and commit its bag-info.txt records) and report whether it is identical file for file.
    #[arg(long)]
    pub rebuild: bool,
    /// Do not show a progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The archive directory (created if missing; the packages it already holds are kept).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Package zips to add (a zip of the same file name replaces the one held).
    #[arg(value_name = "ZIP")]
    pub zips: Vec<PathBuf>,
    /// minisign public key file; checks each `<zip>.minisig` beside its zip.
    #[arg(long, value_name = "FILE")]
    pub pubkey: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Secret key path to write (the public key goes beside it with `.pub`).
    #[arg(long, value_name = "FILE", default_value = "pagerproof.key")]
    pub out: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// The auditor's seed (any text; the same seed always draws the same sample).
    #[arg(long)]
    pub seed: String,
    /// How many incidents to draw.
    #[arg(long)]
    pub size: usize,
    /// Draw proportionally from each severity or each calendar quarter (at least one per stratum).
    #[arg(long, value_enum)]
    pub stratify: Option<Stratify>,
    /// Who draws the sample (recorded and shown on sample.html), e.g. "Priya Raman, Hale & Co.".
    #[arg(long, value_name = "NAME")]
    pub drawn_by: Option<String>,
    /// The date the sample is drawn (default: today in the organization's time zone).
    #[arg(long, value_name = "DATE")]
    pub drawn_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Subcommand)]
pub enum FetchCommand {
    /// Fetch incidents, log entries, escalation policies, schedules, overrides, services,
    /// priorities, users and audit records. Token: PAGERDUTY_API_TOKEN (never a flag).
    Pagerduty(FetchPagerdutyArgs),
    /// Fetch the Jira issues referenced by postmortems and incidents. Auth: JIRA_EMAIL +
    /// JIRA_API_TOKEN (Cloud, Basic) or JIRA_PAT (Data Center, Bearer).
    Jira(FetchJiraArgs),
    /// Fetch a Statuspage page's incidents and scheduled maintenance. Key: STATUSPAGE_API_KEY
    /// (never a flag).
    Statuspage(FetchStatuspageArgs),
    /// Fetch the GitHub issues that postmortem action items track. Token: GITHUB_TOKEN.
    Github(FetchGithubArgs),
}

#[derive(Debug, Args)]
pub struct FetchPagerdutyArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// First day (default: period start), in the organization's time zone.
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// Last day, inclusive (default: period end).
    #[arg(long, value_name = "DATE")]
    pub until: Option<chrono::NaiveDate>,
    /// API base URL (default from --region).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// PagerDuty service region.
    #[arg(long, value_enum, default_value = "us")]
    pub region: Region,
    /// Email of the user the token acts for, sent as `From` on `/response_plays` (required there
    /// with an account token; without it the fetch record says it was not sent). Default: the
    /// PAGERDUTY_FROM environment variable.
    #[arg(long, value_name = "EMAIL")]
    pub from: Option<String>,
    /// Also keep every raw response body, gzip-compressed, under the snapshot's `raw/` (their
    /// SHA-256 are in the fetch record either way); `build` and `package` carry them.
    #[arg(long)]
    pub keep_raw: bool,
    /// Do not show a progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Region {
    Us,
    Eu,
}

/// `--stratify`: how a sample is stratified (converted to the model's `Stratify` in `commands`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Stratify {
    Severity,
    Quarter,
}

#[derive(Debug, Args)]
pub struct FetchJiraArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// Jira base URL (default: `[links] jira` of site.toml).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Also keep every raw response body, gzip-compressed, under the snapshot's `raw/` (their
    /// SHA-256 are in the fetch record either way); `build` and `package` carry them.
    #[arg(long)]
    pub keep_raw: bool,
    /// Do not show a progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct FetchStatuspageArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// The Statuspage page id (Manage API), as in `/v1/pages/{page_id}/incidents`.
    #[arg(long, value_name = "ID")]
    pub page_id: String,
    /// API base URL (default https://api.statuspage.io).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Also keep every raw response body, gzip-compressed, under the snapshot's `raw/`.
    #[arg(long)]
    pub keep_raw: bool,
    /// Do not show a progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct FetchGithubArgs {
    #[command(flatten)]
    pub site: SiteArg,
    /// API base URL (default https://api.github.com).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Also keep every raw response body, gzip-compressed, under the snapshot's `raw/`.
    #[arg(long)]
    pub keep_raw: bool,
    /// Do not show a progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write pagerproof.1 and one page per subcommand (pagerproof-build.1, ...) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
