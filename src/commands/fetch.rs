//! `pagerproof fetch pagerduty|jira|statuspage|github`: read the APIs, write snapshots under `content/`.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::{FetchGithubArgs, FetchJiraArgs, FetchPagerdutyArgs, FetchStatuspageArgs};
use crate::config::Config;
use indicatif::ProgressBar;

use super::progress;
use crate::fetch::{github, jira, pagerduty, statuspage};

pub fn pagerduty(args: &FetchPagerdutyArgs) -> Result<ExitCode> {
    let config = Config::load(&args.site.site)?;
    let token = std::env::var(pagerduty::TOKEN_ENV)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .with_context(|| {
            format!(
                "set {} to a PagerDuty REST API key (read-only is enough)",
                pagerduty::TOKEN_ENV
            )
        })?;
    let start = args.since.unwrap_or(config.period.start);
    let end = args.until.unwrap_or(config.period.end);
    anyhow::ensure!(end >= start, "--until {end} is before --since {start}");
    let (since, until) = pagerduty::period_bounds(config.tz(), start, end)?;
    let region = match args.region {
        crate::cli::Region::Us => pagerduty::Region::Us,
        crate::cli::Region::Eu => pagerduty::Region::Eu,
    };
    let base = pagerduty::base_url(args.api_url.as_deref(), region);
    let from = args
        .from
        .clone()
        .or_else(|| std::env::var(pagerduty::FROM_ENV).ok())
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty());
    let mut client = pagerduty::client(&base, &token)?;
    if args.keep_raw {
        client = client.keeping_raw();
    }
    let bar = progress::bar(args.quiet, progress::RECORDS);
    let progress =
        |endpoint: &str, read: u64, total: Option<u64>| show(&bar, endpoint, read, total);
    let dir = config.path(&config.inputs.pagerduty);
    // The snapshot directory is replaced whole; the site directory stays.
    let _lock = crate::util::lock_dir(&config.root)?;
    let result = pagerduty::fetch(&client, from.as_deref(), since, until, &progress)
        .and_then(|snap| pagerduty::write_snapshot(&dir, &snap).map(|()| snap));
    bar.finish_and_clear();
    let snap = result.map_err(|e| anyhow::anyhow!(client.scrub(&format!("{e:#}"))))?;
    println!(
        "fetched {} incidents, {} log entries, {} escalation policies, {} schedules, {} overrides, \
         {} services, {} priorities, {} users, {} audit records ({} request windows, all reconciled) \
         into {}",
        snap.incidents.len(),
        snap.log_entries.len(),
        snap.escalation_policies.len(),
        snap.schedules.len(),
        snap.overrides.len(),
        snap.services.len(),
        snap.priorities.len(),
        snap.users.len(),
        snap.audit_records.len(),
        snap.record.windows.len(),
        config.inputs.pagerduty
    );
    for w in snap.record.windows.iter().filter(|w| {
        w.note
            .as_deref()
            .is_some_and(|n| n.starts_with("unavailable"))
    }) {
        eprintln!(
            "warning: {}: {}",
            w.endpoint,
            w.note.as_deref().unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn jira(args: &FetchJiraArgs) -> Result<ExitCode> {
    let config = Config::load(&args.site.site)?;
    let base = args
        .api_url
        .clone()
        .or_else(|| config.links.jira.clone())
        .context("no Jira URL: pass --api-url or set [links] jira in site.toml")?;
    let keys = crate::ingest::jira_refs::referenced_keys(&config)?;
    let (mut client, flavor) = jira::client_from_env(&base)?;
    if args.keep_raw {
        client = client.keeping_raw();
    }
    let bar = progress::bar(args.quiet, progress::RECORDS);
    let progress =
        |endpoint: &str, read: u64, total: Option<u64>| show(&bar, endpoint, read, total);
    let dir = config.path(&config.inputs.jira);
    // The snapshot directory is replaced whole; the site directory stays.
    let _lock = crate::util::lock_dir(&config.root)?;
    let result = jira::fetch(&client, flavor, &keys, &progress)
        .and_then(|snap| jira::write_snapshot(&dir, &snap).map(|()| snap));
    bar.finish_and_clear();
    let snap = result.map_err(|e| anyhow::anyhow!(client.scrub(&format!("{e:#}"))))?;
    println!(
        "fetched {} of {} referenced Jira issues into {}",
        snap.issues.len(),
        keys.len(),
        config.inputs.jira
    );
    if !snap.missing.is_empty() {
        eprintln!("warning: Jira does not know {}", snap.missing.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// The records read of the window being read: of its reported total when the API gave one,
/// a running count otherwise.
fn show(bar: &ProgressBar, endpoint: &str, read: u64, total: Option<u64>) {
    bar.set_message(endpoint.to_string());
    match total {
        Some(total) => {
            if bar.length().is_none() {
                bar.set_style(progress::style(progress::RECORDS_OF));
            }
            // One update, so no frame shows this window's total with the last one's count.
            bar.update(|s| {
                s.set_len(total);
                s.set_pos(read);
            });
        }
        None => {
            if bar.length().is_some() {
                bar.set_style(progress::style(progress::RECORDS));
                bar.unset_length();
            }
            bar.set_position(read);
        }
    }
}

/// A credential from the environment, trimmed; an empty value counts as unset.
fn secret_env(name: &str, what: &str) -> Result<String> {
    std::env::var(name)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .with_context(|| format!("set {name} to {what}"))
}

pub fn statuspage(args: &FetchStatuspageArgs) -> Result<ExitCode> {
    let config = Config::load(&args.site.site)?;
    let key = secret_env(statuspage::KEY_ENV, "a Statuspage API key (Manage API)")?;
    let base = args.api_url.as_deref().unwrap_or(statuspage::DEFAULT_API);
    let mut client = statuspage::client(base, &key)?;
    if args.keep_raw {
        client = client.keeping_raw();
    }
    let bar = progress::bar(args.quiet, progress::RECORDS);
    let progress =
        |endpoint: &str, read: u64, total: Option<u64>| show(&bar, endpoint, read, total);
    let dir = config.path(&config.inputs.statuspage);
    let _lock = crate::util::lock_dir(&config.root)?;
    let result = statuspage::fetch(&client, &args.page_id, &progress)
        .and_then(|snap| statuspage::write_snapshot(&dir, &snap).map(|()| snap));
    bar.finish_and_clear();
    let snap = result.map_err(|e| anyhow::anyhow!(client.scrub(&format!("{e:#}"))))?;
    println!(
        "fetched {} Statuspage incidents ({} pages) into {}",
        snap.incidents.len(),
        snap.record.windows.iter().map(|w| w.pages).sum::<u64>(),
        config.inputs.statuspage
    );
    Ok(ExitCode::SUCCESS)
}

pub fn github(args: &FetchGithubArgs) -> Result<ExitCode> {
    let config = Config::load(&args.site.site)?;
    let token = secret_env(github::TOKEN_ENV, "a GitHub token that can read the issues")?;
    let refs = crate::ingest::github_refs::referenced_issues(&config)?;
    let base = args.api_url.as_deref().unwrap_or(github::DEFAULT_API);
    let mut client = github::client(base, &token)?;
    if args.keep_raw {
        client = client.keeping_raw();
    }
    let bar = progress::bar(args.quiet, progress::RECORDS);
    let progress =
        |endpoint: &str, read: u64, total: Option<u64>| show(&bar, endpoint, read, total);
    let dir = config.path(&config.inputs.github);
    let _lock = crate::util::lock_dir(&config.root)?;
    let result = github::fetch(&client, &refs, &progress)
        .and_then(|snap| github::write_snapshot(&dir, &snap).map(|()| snap));
    bar.finish_and_clear();
    let snap = result.map_err(|e| anyhow::anyhow!(client.scrub(&format!("{e:#}"))))?;
    println!(
        "fetched {} of {} tracked GitHub issues into {}",
        snap.issues.len(),
        refs.len(),
        config.inputs.github
    );
    if !snap.missing.is_empty() {
        eprintln!("warning: GitHub does not know {}", snap.missing.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_a_window_of_its_reported_total_or_without_one() {
        let bar = ProgressBar::hidden();
        show(&bar, "/incidents", 100, Some(250));
        assert_eq!((bar.position(), bar.length()), (100, Some(250)));
        show(&bar, "/audit/records", 40, None);
        assert_eq!((bar.position(), bar.length()), (40, None));
        assert_eq!(bar.message(), "/audit/records");
    }
}
