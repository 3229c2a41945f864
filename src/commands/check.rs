//! `pagerproof check`: load and validate everything; findings as `file:line: level: message`.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use tracing::info;

use super::ms;
use crate::cli::CheckArgs;
use crate::config::Config;
use crate::model::{Finding, Level};

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    // A file that cannot be read at all stops the check with its own exit code (README "Exit
    // codes"), so a script tells "the evidence has problems" from "fix this file".
    let config = Config::load(&args.site.site)?;
    let findings = findings(&config)?;
    for f in &findings {
        println!("{f}");
    }
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings.len() - errors;
    println!("{errors} error(s), {warnings} warning(s)");
    let fail = errors > 0 || (args.strict && warnings > 0);
    Ok(if fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Text fields of a row longer than a spreadsheet cell, with their lengths in characters.
fn over_long_cells(row: &crate::model::IncidentRow) -> Vec<(&'static str, usize)> {
    let url = row.url.as_ref().map(ToString::to_string);
    let fields = [
        ("id", row.id.as_deref()),
        ("title", row.title.as_deref()),
        ("service", row.service.as_deref()),
        ("escalation policy", row.escalation_policy.as_deref()),
        ("team", row.team.as_deref()),
        ("priority", row.priority.as_deref()),
        ("urgency", row.urgency.as_deref()),
        ("status", row.status.as_deref()),
        ("acknowledged by", row.acknowledged_by.as_deref()),
        ("assigned to", row.assigned_to.as_deref()),
        ("resolved by", row.resolved_by.as_deref()),
        ("url", url.as_deref()),
    ];
    fields
        .into_iter()
        .filter_map(|(name, value)| {
            let len = value?.chars().count();
            (len > crate::render::register_files::CELL_LIMIT).then_some((name, len))
        })
        .collect()
}

/// Every finding about a site's inputs. Malformed files are returned as `Err` (they stop `build`).
pub fn findings(config: &Config) -> Result<Vec<Finding>> {
    let phase = Instant::now();
    let mut inputs = crate::ingest::load(config)?;
    info!(
        ms = ms(phase),
        rows = inputs.accounting.rows_read,
        incidents = inputs.accounting.accepted,
        postmortems = inputs.postmortems.len(),
        findings = inputs.findings.len(),
        "load inputs"
    );
    let phase = Instant::now();
    let evidence = crate::evidence::evaluate_releasing(config, &mut inputs);
    info!(
        ms = ms(phase),
        incidents = inputs.accounting.accepted,
        exceptions = evidence.exceptions.len(),
        "evaluate"
    );
    let mut out = inputs.findings.clone();
    let warn = |file: &str, line: Option<u64>, message: String| Finding {
        level: Level::Warning,
        file: file.to_string(),
        line,
        message,
    };
    for s in &inputs.sources {
        if s.kind == crate::model::SourceKind::IncidentCsv && s.export.is_none() {
            out.push(warn(
                &s.path,
                None,
                format!(
                    "no export parameters: add a sidecar `{}.toml` saying who exported this \
                     file, when, from which screen and with which filters (`pagerproof init` \
                     writes a template)",
                    s.path
                ),
            ));
        }
    }
    // Whether an answer names a page of the site is only known once it is rendered (into
    // hashes alone: no site is written).
    if !inputs.requests.is_empty() {
        let answers = crate::model::request::answer_names(&inputs.requests);
        let site = crate::util::sink::HashSink::only(answers);
        let phases = crate::render::render_site(
            config,
            &inputs,
            &evidence,
            &site,
            &indicatif::ProgressBar::hidden(),
        )?;
        super::build::log_phases(&phases);
        for (r, message) in crate::render::pages::requests::problems(&site, &inputs.requests) {
            out.push(warn(crate::model::REQUESTS_FILE, Some(r.line), message));
        }
    }
    for r in &inputs.rejected {
        out.push(warn(
            &r.at.file,
            Some(r.at.line),
            format!("row rejected: {}", r.reason),
        ));
    }
    for i in inputs.incidents.iter() {
        if let Some(at) = i.sources.first() {
            for (column, len) in over_long_cells(&i.fields) {
                out.push(warn(
                    &at.file,
                    Some(at.line),
                    format!(
                        "incident {}: {column} has {len} characters, more than a spreadsheet \
                         cell holds ({}); register.xlsx truncates it with a note (register.csv \
                         and the pages keep it whole)",
                        i.number,
                        crate::render::register_files::CELL_LIMIT
                    ),
                ));
            }
        }
        for c in &i.conflicts {
            out.push(warn(
                &c.at.file,
                Some(c.at.line),
                format!(
                    "incident {}: {} `{}` differs from the kept `{}`",
                    c.number, c.field, c.other, c.kept
                ),
            ));
        }
    }
    for (pm, facts) in inputs.postmortems.iter().zip(&evidence.postmortems) {
        for link in &facts.links {
            if link.mismatch {
                out.push(warn(
                    &pm.source,
                    None,
                    format!(
                        "incident link {}: number and id name different incidents; the number wins",
                        link.label
                    ),
                ));
            }
            if link.number.is_none() {
                out.push(warn(
                    &pm.source,
                    None,
                    format!(
                        "incident link {} matches no incident in any input",
                        link.label
                    ),
                ));
            }
        }
        if facts.orphan {
            out.push(warn(
                &pm.source,
                None,
                format!(
                    "postmortem {} links no known incident (orphan_postmortem)",
                    pm.id
                ),
            ));
        }
    }
    let known: BTreeSet<&str> = evidence.exceptions.iter().map(|e| e.id.as_str()).collect();
    for r in &inputs.responses {
        if !known.contains(r.exception.as_str()) {
            out.push(Finding {
                level: Level::Error,
                file: r.source.clone(),
                line: Some(r.line),
                message: format!(
                    "response names exception `{}`, which this period does not have",
                    r.exception
                ),
            });
        }
    }
    out.sort();
    Ok(out)
}
