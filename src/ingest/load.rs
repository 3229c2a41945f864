//! `load`: every input of a site, in reading order, into [`Inputs`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use super::population::RowSink;
use super::{
    csv_incidents, jira, pagerduty, policy, population, postmortem, requests, responses, samples,
    sidecar,
};
use crate::config::Config;
use crate::model::{Finding, Inputs, Level, Postmortem, SourceFile, SourceKind};

/// Reads and validates every input. Malformed files are errors naming file and line; bad CSV rows
/// become rejected rows. Errors carry their exit code (`exit::input_or_io`).
pub fn load(config: &Config) -> Result<Inputs> {
    read_all(config).map_err(crate::exit::input_or_io)
}

fn read_all(config: &Config) -> Result<Inputs> {
    for (key, dir) in config.inputs.configured() {
        if !config.path(dir).exists() {
            bail!("site.toml: [inputs] {key} = \"{dir}\" does not exist");
        }
    }
    let mut inputs = Inputs::default();
    let (period_start, period_end) = (
        crate::model::period::period_start(config),
        crate::model::period::period_end(config),
    );

    // Incident sources: CSV exports in path byte order, then API snapshots (evidence-rules §2),
    // each file's rows put in the population as soon as they are read. The snapshot's log
    // entries (its largest file) are read beside the exports: incident records need them, the
    // exports do not. An export's error is reported before the log's, as when read in turn.
    let mut assembly = population::Assembly::new(period_start, period_end);
    let (exports, log) = rayon::join(
        || read_exports(config, &mut assembly),
        || pagerduty::read_log(config),
    );
    // What the two readers freed on their threads goes back to the system now (see
    // `release_freed_memory`), not after the API's records are read too: at 1M incidents the
    // load's peak was the sum of both.
    crate::util::release_freed_memory();
    let (mut incident_sources, sidecars) = exports?;
    let api = pagerduty::load_with(log?, &mut assembly)?;
    incident_sources.extend(api.files);
    inputs.pagerduty = api.snapshot;

    let pop = assembly.finish();
    for (mut source, accounting) in incident_sources.into_iter().zip(pop.per_file) {
        source.accounting = accounting;
        if source.kind == SourceKind::IncidentCsv && accounting.rows_read == 20_000 {
            inputs.findings.push(Finding {
                level: Level::Warning,
                file: source.path.clone(),
                line: None,
                message: "exactly 20,000 rows: PagerDuty truncates report exports at 20,000 rows, \
                          so this file may be partial; split the export into shorter periods"
                    .into(),
            });
            source
                .notes
                .push("exactly 20,000 rows: possibly truncated by PagerDuty's export cap".into());
        }
        inputs.sources.push(source);
    }
    // The sidecars are inputs too: copied to `sources/` with their hashes.
    inputs.sources.extend(sidecars);
    inputs.sources.extend(api.other_files);
    inputs.incidents = pop.incidents;
    inputs.rejected = pop.rejected;
    inputs.accounting = pop.total;

    // Policies, with the incident response policy named by [policy] file.
    let policy_path = normalise(&config.policy.file);
    let mut policy_paths = files(config, &config.inputs.policies, "md")?;
    let policy_abs = config.path(&policy_path);
    if !policy_abs.is_file() {
        bail!(
            "site.toml: [policy] file `{}` does not exist",
            config.policy.file
        );
    }
    if !policy_paths.iter().any(|p| rel(config, p) == policy_path) {
        policy_paths.push(policy_abs);
    }
    for path in policy_paths {
        let (source, bytes) = source_file(config, &path, SourceKind::Policy)?;
        let text = utf8(&source.path, bytes)?;
        warn_deep_markdown(&mut inputs.findings, &source.path, &text);
        inputs.policies.push(policy::parse(&source.path, &text)?);
        inputs.sources.push(source);
    }
    inputs.policies.sort_by(|a, b| a.slug.cmp(&b.slug));
    dedupe_slugs(&mut inputs.policies);
    inputs.policy = inputs
        .policies
        .iter()
        .position(|p| p.source == policy_path)
        .expect("the policy file was just read");
    if inputs.policy().severities.is_empty() {
        bail!("{policy_path}: the incident response policy defines no [[severity]] levels");
    }

    // Postmortems: read and parsed in parallel (a 100k-incident year has 2,700 files), then
    // taken in path order, so the first bad file in that order is the error, as read in turn;
    // ids unique across the site.
    let read: Vec<Result<(SourceFile, Postmortem, Vec<Finding>)>> =
        files(config, &config.inputs.postmortems, "json")?
            .par_iter()
            .map(|path| read_postmortem(config, path))
            .collect();
    let mut by_id: BTreeMap<String, String> = BTreeMap::new();
    for postmortem in read {
        let (source, pm, findings) = postmortem?;
        inputs.findings.extend(findings);
        if let Some(other) = by_id.insert(pm.id.clone(), source.path.clone()) {
            bail!(
                "{}: postmortem id `{}` is also used by {other}",
                source.path,
                pm.id
            );
        }
        inputs.postmortems.push(pm);
        inputs.sources.push(source);
    }
    inputs.postmortems.sort_by(|a, b| a.id.cmp(&b.id));

    // One response per exception: a second one would silently replace the first.
    let mut answered: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for path in files(config, &config.inputs.responses, "md")? {
        let (source, bytes) = source_file(config, &path, SourceKind::Response)?;
        let text = utf8(&source.path, bytes)?;
        warn_deep_markdown(&mut inputs.findings, &source.path, &text);
        let response = responses::parse(&source.path, &text)?;
        let here = (response.source.clone(), response.line);
        if let Some((file, line)) = answered.insert(response.exception.clone(), here) {
            bail!(
                "{}:{}: a second management response to exception `{}`; the first is \
                 {file}:{line} (merge them into one)",
                response.source,
                response.line,
                response.exception
            );
        }
        inputs.responses.push(response);
        inputs.sources.push(source);
    }

    for path in files(config, &config.inputs.samples, "json")? {
        let (source, bytes) = source_file(config, &path, SourceKind::Sample)?;
        let text = utf8(&source.path, bytes)?;
        inputs.samples.push(samples::parse(&source.path, &text)?);
        inputs.sources.push(source);
    }

    let requests = config.root.join(crate::model::REQUESTS_FILE);
    if requests.is_file() {
        let (source, bytes) = source_file(config, &requests, SourceKind::RequestList)?;
        inputs.requests = requests::parse(&source.path, &bytes)?;
        inputs.sources.push(source);
    }

    check_from_urgency(config, &mut inputs);

    let jira = jira::load(config)?;
    inputs.jira = jira.issues;
    inputs.sources.extend(jira.files);
    inputs.jira_fetch_records = jira.fetch_records;
    let github = super::github::load(config)?;
    inputs.github = github.issues;
    inputs.sources.extend(github.files);
    inputs.github_fetch_records = github.fetch_records;
    let (statuspage, files) = super::statuspage::load(config)?;
    inputs.statuspage = statuspage;
    inputs.sources.extend(files);

    // site.toml and the site's own theme files: with them, `sources/` alone rebuilds the site.
    let (site_toml, _) = source_file(
        config,
        &config.root.join("site.toml"),
        SourceKind::SiteConfig,
    )?;
    inputs.sources.push(site_toml);
    for path in theme_files(config)? {
        inputs
            .sources
            .push(source_file(config, &path, SourceKind::Theme)?.0);
    }
    inputs.build_env = super::provenance::build_env(config)?;
    Ok(inputs)
}

/// One postmortem file: its source, the postmortem, and the warnings about its tracker URLs.
fn read_postmortem(config: &Config, path: &Path) -> Result<(SourceFile, Postmortem, Vec<Finding>)> {
    let (source, bytes) = source_file(config, path, SourceKind::Postmortem)?;
    let text = utf8(&source.path, bytes)?;
    let pm = postmortem::parse(&source.path, &text)?;
    let findings = pm
        .action_items
        .iter()
        .filter_map(|a| a.tracker_url.as_deref())
        .filter(|url| !url.trim().is_empty() && !crate::util::is_web_url(url))
        .map(|url| Finding {
            level: Level::Warning,
            file: source.path.clone(),
            line: line_containing(&text, url),
            message: format!(
                "tracker URL `{url}` is not an http(s) URL; it is shown as text, not linked"
            ),
        })
        .collect();
    Ok((source, pm, findings))
}

/// The CSV exports under `[inputs] incidents` in path byte order, their rows into `assembly`;
/// their source files, and those of the export sidecars beside them.
fn read_exports(
    config: &Config,
    assembly: &mut population::Assembly,
) -> Result<(Vec<SourceFile>, Vec<SourceFile>)> {
    let mut incident_sources: Vec<SourceFile> = Vec::new();
    let mut sidecars = Vec::new();
    for path in files(config, &config.inputs.incidents, "csv")? {
        let (mut source, bytes) = source_file(config, &path, SourceKind::IncidentCsv)?;
        let mut sidecar_path = path.clone().into_os_string();
        sidecar_path.push(sidecar::SUFFIX);
        let sidecar_path = PathBuf::from(sidecar_path);
        if sidecar_path.is_file() {
            let (file, bytes) = source_file(config, &sidecar_path, SourceKind::ExportSidecar)?;
            let text = utf8(&file.path, bytes)?;
            source.export = Some(sidecar::parse(&file.path, &text)?);
            sidecars.push(file);
        }
        // Each block of rows goes into the population as it is read.
        assembly.start_file();
        let read =
            csv_incidents::read_in_blocks(&source.path, &bytes, config.export_tz(), |rows| {
                assembly.take_rows(&source.path, rows)
            })?;
        source
            .notes
            .push(format!("export variant: {}", read.variant));
        source.notes.extend(read.notes);
        incident_sources.push(source);
    }
    Ok((incident_sources, sidecars))
}

/// Every file under `themes/<name>/` of the site, in byte order of their relative path.
fn theme_files(config: &Config) -> Result<Vec<PathBuf>> {
    let root = config.root.join("themes").join(&config.theme.name);
    if !root.is_dir() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.with_context(|| format!("{}: cannot list", root.display()))?;
        if entry.file_type().is_file() {
            found.push(entry.into_path());
        }
    }
    found.sort_by(|a, b| rel(config, a).as_bytes().cmp(rel(config, b).as_bytes()));
    Ok(found)
}

/// Files with extension `ext` under `dir` (relative to the site), recursively, in byte order of
/// their relative path. A missing directory holds no files (`load` has already refused a
/// configured one that is missing). Symbolic links are followed while they stay inside the site
/// (an export linked in from a sibling folder is read under the link's name); one that leads
/// out of the site, or a loop, is an error naming it.
pub fn files(config: &Config, dir: &str, ext: &str) -> Result<Vec<PathBuf>> {
    let root = config.path(dir);
    if !root.exists() {
        return Ok(Vec::new());
    }
    let site = config
        .root
        .canonicalize()
        .with_context(|| format!("{}: cannot open the site directory", config.root.display()))?;
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| match e.loop_ancestor() {
            Some(_) => anyhow::anyhow!(
                "{}: symbolic link loop; refused",
                e.path()
                    .map(|p| rel(config, p))
                    .unwrap_or_else(|| dir.to_string())
            ),
            None => anyhow::Error::new(e).context(format!("{dir}: cannot list")),
        })?;
        if entry.path_is_symlink() {
            let target = entry
                .path()
                .canonicalize()
                .with_context(|| format!("{}: broken symbolic link", rel(config, entry.path())))?;
            if !target.starts_with(&site) {
                bail!(
                    "{}: symbolic link to {}, outside the site; refused (copy the file into the site)",
                    rel(config, entry.path()),
                    target.display()
                );
            }
        }
        let is_ext = entry
            .path()
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case(ext));
        if entry.file_type().is_file() && is_ext {
            found.push(entry.into_path());
        }
    }
    found.sort_by(|a, b| rel(config, a).as_bytes().cmp(rel(config, b).as_bytes()));
    for path in &found {
        super::file_names::check_file_name(&rel(config, path))?;
    }
    Ok(found)
}

/// Path relative to the site root with `/` separators.
pub fn rel(config: &Config, path: &Path) -> String {
    let r = path.strip_prefix(&config.root).unwrap_or(path);
    r.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn normalise(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
}

/// Reads a file into a [`SourceFile`] (hash, size, where its verbatim copy goes).
pub fn source_file(
    config: &Config,
    path: &Path,
    kind: SourceKind,
) -> Result<(SourceFile, Vec<u8>)> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let rel = rel(config, path);
    let source = SourceFile {
        copy: copy_path(&rel),
        path: rel,
        kind,
        sha256: crate::util::sha256_hex(&bytes),
        bytes: bytes.len() as u64,
        accounting: Default::default(),
        notes: Vec::new(),
        export: None,
    };
    Ok((source, bytes))
}

/// `sources/<path>`; a name with characters BagIt tools disagree on (`%`, CR, LF) gets a slug
/// (the population page records the original name).
pub fn copy_path(rel: &str) -> String {
    let safe: Vec<String> = rel
        .split('/')
        .map(|seg| {
            if seg.contains(['%', '\r', '\n']) || seg.starts_with('.') {
                let (stem, ext) = seg.rsplit_once('.').unwrap_or((seg, ""));
                let stem = crate::util::slug(stem);
                let stem = if stem.is_empty() {
                    "file".to_string()
                } else {
                    stem
                };
                if ext.is_empty() {
                    stem
                } else {
                    format!("{stem}.{}", crate::util::slug(ext))
                }
            } else {
                seg.to_string()
            }
        })
        .collect();
    format!("sources/{}", safe.join("/"))
}

fn utf8(name: &str, bytes: Vec<u8>) -> Result<String> {
    if crate::util::looks_utf16(&bytes) {
        bail!("{name}:1: UTF-16 text; save it as UTF-8");
    }
    String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        anyhow::anyhow!("{name}:{line}: not valid UTF-8")
    })
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_containing(text: &str, needle: &str) -> Option<u64> {
    let first = needle.lines().next().unwrap_or(needle);
    text.lines()
        .position(|l| l.contains(first))
        .map(|i| i as u64 + 1)
}

fn warn_deep_markdown(findings: &mut Vec<Finding>, file: &str, text: &str) {
    let depth = crate::util::markdown_nesting(text);
    if depth > crate::util::MAX_MARKDOWN_NESTING {
        let line = text
            .lines()
            .position(|l| crate::util::markdown_nesting(l) == depth)
            .map(|i| i as u64 + 1);
        findings.push(Finding {
            level: Level::Warning,
            file: file.to_string(),
            line,
            message: format!(
                "markdown nested {depth} levels deep; levels beyond {} are flattened",
                crate::util::MAX_MARKDOWN_NESTING
            ),
        });
    }
}

/// `[severity] from_urgency`: keys are PagerDuty urgencies (`high`, `low`), values name a level
/// of the incident response policy. Anything else would leave incidents unclassified silently.
fn check_from_urgency(config: &Config, inputs: &mut Inputs) {
    let text = std::fs::read_to_string(config.root.join("site.toml")).unwrap_or_default();
    let policy = inputs.policy();
    let mut found = Vec::new();
    for (urgency, level) in &config.severity.from_urgency {
        let known = policy.severities.iter().any(|s| s.matches(level));
        let message = if !matches!(urgency.as_str(), "high" | "low") {
            format!(
                "[severity] from_urgency key `{urgency}` is not a PagerDuty urgency (high, low)"
            )
        } else if !known {
            format!(
                "[severity] from_urgency maps `{urgency}` to `{level}`, which is no level of {}",
                policy.source
            )
        } else {
            continue;
        };
        found.push(Finding {
            level: Level::Warning,
            file: "site.toml".into(),
            line: line_containing(&text, "from_urgency"),
            message,
        });
    }
    inputs.findings.extend(found);
}

/// Two policy files whose names slug alike get `-2`, `-3` so every page has its own file;
/// `index` is the list page's, so a policy `index.md` becomes `index-2`.
fn dedupe_slugs(policies: &mut [crate::model::PolicyDoc]) {
    let mut taken: std::collections::BTreeSet<String> = ["index".to_string()].into();
    for p in policies.iter_mut() {
        let base = p.slug.clone();
        let mut n = 1;
        while !taken.insert(p.slug.clone()) {
            n += 1;
            p.slug = format!("{base}-{n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_keep_safe_names_and_slug_unsafe_ones() {
        assert_eq!(
            copy_path("content/incidents/q1.csv"),
            "sources/content/incidents/q1.csv"
        );
        assert_eq!(
            copy_path("content/incidents/100%.csv"),
            "sources/content/incidents/100.csv"
        );
        assert_eq!(
            copy_path("content/incidents/a\nb.csv"),
            "sources/content/incidents/a-b.csv"
        );
    }
}
