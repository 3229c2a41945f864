//! `pagerproof build`: inputs → evidence → site, replacing the previous output only on success.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tracing::info;

use super::{ms, progress};
use crate::cli::BuildArgs;
use crate::config::Config;
use crate::model::Level;
use crate::util::sink::{DirSink, Tally};

pub fn run(args: &BuildArgs) -> Result<ExitCode> {
    let config = Config::load(&args.site.site)?;
    let out = match &args.out {
        Some(dir) => dir.clone(),
        None => config.out_dir(),
    };
    refuse_out_inside_inputs(&config, &out)?;
    let options = BuildOptions {
        quiet: args.quiet,
        allow_empty: args.allow_empty,
        ..BuildOptions::default()
    };
    let built = build_site_with(&config, &out, options)?;
    println!("{}", built.summary);
    Ok(ExitCode::SUCCESS)
}

/// What a build made: a one-line summary, and the provenance the package records.
pub struct Built {
    pub summary: String,
    pub provenance: crate::evidence::provenance::Provenance,
    /// The previous period's package, for bag-info.txt's hash chain.
    pub previous: Option<crate::package::bagit::PreviousRef>,
}

/// Builds the site into `out`. The new site is rendered into a temporary sibling directory and
/// swapped in only when complete, so a failed build leaves the previous output intact.
/// `env` replaces the detected build environment (`verify --rebuild` rebuilds a package with the
/// commit and date its bag-info.txt records).
pub fn build_site(
    config: &Config,
    out: &Path,
    quiet: bool,
    env: Option<crate::model::BuildEnv>,
) -> Result<Built> {
    let options = BuildOptions {
        quiet,
        env,
        ..BuildOptions::default()
    };
    build_site_with(config, out, options)
}

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// No progress bar.
    pub quiet: bool,
    /// Build even when no incident falls in the period (otherwise an error: an empty site is far
    /// more often a mistyped path or period than a quiet year).
    pub allow_empty: bool,
    /// Replaces the detected build environment (see [`build_site`]).
    pub env: Option<crate::model::BuildEnv>,
    /// Keep `out` when it already holds a build of the same inputs by the same binary (see
    /// [`fingerprint`]) instead of rendering it again: `package` bags it as it stands.
    pub reuse: bool,
}

/// `build_site` with every option, under an exclusive lock on `out` for the whole build.
pub fn build_site_with(config: &Config, out: &Path, options: BuildOptions) -> Result<Built> {
    let _lock = crate::util::lock_beside(out)?;
    build_site_locked(config, out, options)
}

/// `build_site_with` for a caller that already holds `util::lock_beside(out)`.
pub fn build_site_locked(config: &Config, out: &Path, options: BuildOptions) -> Result<Built> {
    let evaluated = evaluate(config, &options)?;
    if options.reuse && evaluated.is_built_in(out) {
        info!(
            "reuse {}: built from the same inputs by this binary",
            out.display()
        );
    } else {
        evaluated.bar.set_message("rendering");
        evaluated.bar.set_style(progress::style(progress::FILES));
        let Evaluated {
            inputs,
            evidence,
            bar,
            ..
        } = &evaluated;
        let stored = render_into(config, inputs, evidence, out, bar)?;
        // Written only once the new site is in place: a stamp never describes a partial site.
        let stamp = stamp_path(out);
        std::fs::write(&stamp, stamp_text(&evaluated.fingerprint, stored, out))
            .with_context(|| format!("{}: cannot write", stamp.display()))?;
    }
    Ok(evaluated.done(out))
}

/// Inputs read and tested against the policy: what a render needs.
pub struct Evaluated {
    pub inputs: crate::model::Inputs,
    pub evidence: crate::evidence::Evidence,
    /// What decides every byte of the site (see [`fingerprint`]).
    fingerprint: String,
    started: Instant,
    pub bar: indicatif::ProgressBar,
}

impl Evaluated {
    /// Whether `out` holds a build of the same inputs by this binary.
    pub fn is_built_in(&self, out: &Path) -> bool {
        stamp_matches(&stamp_path(out), &self.fingerprint, out)
    }

    /// Logs the whole build's time and says what it made (of a site in `out`).
    pub fn done(self, out: &Path) -> Built {
        self.bar.finish_and_clear();
        info!(
            ms = ms(self.started),
            peak_mib = crate::util::peak_rss_mib(),
            "build"
        );
        let (inputs, evidence) = (self.inputs, self.evidence);
        let a = &inputs.accounting;
        let summary = format!(
            "built {} ({} incidents in period: rows read {} = accepted {} + duplicates {} + outside {} + rejected {}; {} postmortems; {} exceptions)",
            out.display(),
            a.accepted,
            a.rows_read,
            a.accepted,
            a.duplicates,
            a.outside_period,
            a.rejected,
            inputs.postmortems.len(),
            evidence.exceptions.len()
        );
        Built {
            summary,
            provenance: evidence.provenance,
            previous: inputs.previous.as_ref().map(super::previous::reference),
        }
    }
}

/// Reads the inputs and evaluates them: the first half of a build, shared with `package`.
pub fn evaluate(config: &Config, options: &BuildOptions) -> Result<Evaluated> {
    let bar = progress::bar(options.quiet, progress::SPINNER);
    let started = Instant::now();
    bar.set_message("reading inputs");
    let phase = Instant::now();
    // The binary's digest (part of the fingerprint, 20 ms of hashing) is taken while the
    // inputs are read, not after.
    let (inputs, binary) = rayon::join(|| crate::ingest::load(config), binary_sha256);
    let mut inputs = inputs?;
    if let Some(env) = options.env.clone() {
        inputs.build_env = env;
    }
    inputs.previous = super::previous::load(config)?;
    if inputs.accounting.accepted == 0 && !options.allow_empty {
        bail!(
            "no incident in the period {} to {} ({} rows read from {} incident sources): check \
             [inputs] incidents and [period] in site.toml, or pass --allow-empty to build an \
             empty site",
            config.period.start,
            config.period.end,
            inputs.accounting.rows_read,
            inputs
                .sources
                .iter()
                .filter(|s| s.kind == crate::model::SourceKind::IncidentCsv
                    || s.kind == crate::model::SourceKind::PagerDutySnapshot)
                .count()
        );
    }
    crate::util::release_freed_memory();
    let a = &inputs.accounting;
    info!(
        ms = ms(phase),
        rows = a.rows_read,
        incidents = a.accepted,
        postmortems = inputs.postmortems.len(),
        findings = inputs.findings.len(),
        rss_mib = crate::util::rss_mib(),
        peak_mib = crate::util::peak_rss_mib(),
        "load inputs"
    );
    for f in inputs.findings.iter().filter(|f| f.level == Level::Warning) {
        bar.suspend(|| eprintln!("{f}"));
    }
    bar.set_message(format!(
        "testing {} incidents against the policy",
        inputs.accounting.accepted
    ));
    let phase = Instant::now();
    let evidence = crate::evidence::evaluate_releasing(config, &mut inputs);
    crate::util::release_freed_memory();
    info!(
        ms = ms(phase),
        incidents = inputs.accounting.accepted,
        exceptions = evidence.exceptions.len(),
        rss_mib = crate::util::rss_mib(),
        peak_mib = crate::util::peak_rss_mib(),
        "evaluate"
    );
    if let Some(why) = &evidence.provenance.epoch_too_early {
        bail!("{why}");
    }
    let fingerprint = fingerprint(&binary?, &inputs);
    Ok(Evaluated {
        inputs,
        evidence,
        fingerprint,
        started,
        bar,
    })
}

/// Renders into a staging directory beside `out` and swaps it in; what it stored.
fn render_into(
    config: &Config,
    inputs: &crate::model::Inputs,
    evidence: &crate::evidence::Evidence,
    out: &Path,
    bar: &indicatif::ProgressBar,
) -> Result<Tally> {
    // The stamp goes first: from here until the new stamp, `out` is not a known build.
    let stamp = stamp_path(out);
    if stamp.exists() {
        std::fs::remove_file(&stamp)
            .with_context(|| format!("{}: cannot remove", stamp.display()))?;
    }
    let staging = staging_dir(out)?;
    let phase = Instant::now();
    let sink = DirSink::new(&staging);
    let phases = match crate::render::render_site(config, inputs, evidence, &sink, bar) {
        Ok(phases) => phases,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    log_phases(&phases);
    let stored = sink.stored();
    info!(
        ms = ms(phase),
        pages = stored.pages,
        files = stored.files,
        bytes = stored.bytes,
        "render"
    );
    let phase = Instant::now();
    // Removing a large previous build takes a while.
    bar.set_message("replacing the previous build");
    replace_dir(&staging, out)?;
    info!(ms = ms(phase), "swap into place");
    Ok(stored)
}

/// One log line per render phase (`--verbose`).
pub fn log_phases(phases: &[crate::render::PhaseTime]) {
    for p in phases {
        info!(
            ms = p.elapsed_ms as u64,
            count = p.count,
            rss_mib = p.rss_mib,
            peak_mib = p.peak_mib,
            "render {}",
            p.phase
        );
    }
}

/// What decides every byte of a build: this binary (its SHA-256), every input file (site.toml
/// and the theme included), the build environment and the previous period's package.
fn fingerprint(binary_sha256: &str, inputs: &crate::model::Inputs) -> String {
    use std::fmt::Write as _;
    let mut text = format!("binary {binary_sha256}\n");
    for s in &inputs.sources {
        let _ = writeln!(text, "source {} {} {}", s.sha256, s.path, s.copy);
    }
    let _ = writeln!(text, "env {:?}", inputs.build_env);
    let previous = inputs.previous.as_ref().map(super::previous::reference);
    let _ = writeln!(text, "previous {previous:?}");
    crate::util::sha256_hex(text.as_bytes())
}

/// The SHA-256 of the running pagerproof binary.
fn binary_sha256() -> Result<String> {
    let exe = std::env::current_exe().context("cannot locate the pagerproof binary")?;
    crate::package::file_sha256(&exe)
}

/// The stamp of the build in `out`, beside it (inside it, it would be packaged):
/// `.<name>.pagerproof-build`.
fn stamp_path(out: &Path) -> PathBuf {
    let (parent, name) = crate::util::beside(out);
    parent.join(format!(".{name}.pagerproof-build"))
}

/// The fingerprint, the file count and bytes of the site it made, and the site directory's
/// inode: a site edited since (a file added, removed or resized) or replaced by another build
/// (one that wrote no stamp: an older pagerproof) is not reused.
/// `stored`: what the build wrote into `out`, or what `out` holds now (see [`stamp_matches`]).
fn stamp_text(fingerprint: &str, stored: Tally, out: &Path) -> String {
    format!(
        "{fingerprint}\n{} files {} bytes\ndirectory {}\n",
        stored.files,
        stored.bytes,
        dir_identity(out)
    )
}

#[cfg(unix)]
fn dir_identity(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).map_or(0, |m| m.ino())
}

#[cfg(not(unix))]
fn dir_identity(_: &Path) -> u64 {
    0
}

fn stamp_matches(stamp: &Path, fingerprint: &str, out: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(stamp) else {
        return false;
    };
    out.join("data/summary.json").is_file() && text == stamp_text(fingerprint, tally(out), out)
}

/// What `dir` holds: every file under it, counted as [`DirSink::stored`] counts what it writes,
/// so that a build's stamp matches its site for as long as nothing in it changes.
fn tally(dir: &Path) -> Tally {
    let mut t = Tally::default();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        t.files += 1;
        t.bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        if crate::util::sink::is_page(&entry.file_name().to_string_lossy()) {
            t.pages += 1;
        }
    }
    t
}

/// An output directory inside an input directory would be read back as input on the next build
/// (and a build replaces its output wholesale).
fn refuse_out_inside_inputs(config: &Config, out: &Path) -> Result<()> {
    let absolute = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        // Lexically: `out` need not exist yet; `..` is resolved against what does.
        let clean = crate::util::lexically_clean(&p);
        clean.canonicalize().unwrap_or(clean)
    };
    let out_abs = absolute(out);
    for (key, dir) in config.inputs.dirs() {
        let input = absolute(&config.path(dir));
        if out_abs.starts_with(&input) || input.starts_with(&out_abs) {
            bail!(
                "{}: the output directory must not be inside or contain the input directory \
                 [inputs] {key} (`{dir}`)",
                out.display()
            );
        }
    }
    Ok(())
}

/// A fresh, empty directory beside `out` (same file system, so the final rename is atomic),
/// named for this run alone. Called under the lock on `out`.
fn staging_dir(out: &Path) -> Result<PathBuf> {
    let (parent, _) = crate::util::beside(out);
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("{}: cannot create", parent.display()))?;
    remove_stopped_staging(out)?;
    let staging = crate::util::unique_sibling(out, "staging");
    std::fs::create_dir(&staging)
        .with_context(|| format!("{}: cannot create", staging.display()))?;
    Ok(staging)
}

/// Removes the staging directories that builds of `out` stopped before finishing (killed,
/// interrupted, the machine lost power) left beside it: at a million incidents one is a 12 GB
/// hidden directory. Only a build holding the lock on `out` stages beside it, and the caller
/// holds that lock, so every one found is a stopped build's.
fn remove_stopped_staging(out: &Path) -> Result<()> {
    let (parent, name) = crate::util::beside(out);
    let prefix = format!(".{name}.pagerproof-staging-");
    let entries =
        std::fs::read_dir(&parent).with_context(|| format!("{}: cannot read", parent.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("{}: cannot read", parent.display()))?;
        let stopped = entry.file_name().to_string_lossy().starts_with(&prefix)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if stopped {
            let path = entry.path();
            std::fs::remove_dir_all(&path).with_context(|| {
                format!(
                    "{}: cannot remove a stopped build's staging",
                    path.display()
                )
            })?;
            info!(path = %path.display(), "removed a stopped build's staging directory");
        }
    }
    Ok(())
}

/// Replaces `out` with `staging`. Refuses to delete a non-empty directory that is not a previous
/// pagerproof build, so a mistyped `--out` cannot wipe unrelated files. The previous build is
/// moved to a name of this run's own, so nothing this run did not create is ever deleted.
fn replace_dir(staging: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !out.join("data/summary.json").is_file() {
            let _ = std::fs::remove_dir_all(staging);
            bail!(
                "{}: exists and is not a previous pagerproof build (no data/summary.json); refusing to replace it: pass another --out, or empty it yourself",
                out.display()
            );
        }
        let old = crate::util::unique_sibling(out, "old");
        std::fs::rename(out, &old)
            .with_context(|| format!("{}: cannot move aside", out.display()))?;
        if let Err(e) = std::fs::rename(staging, out) {
            let _ = std::fs::rename(&old, out);
            return Err(e).with_context(|| format!("{}: cannot move into place", out.display()));
        }
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("{}: cannot remove", old.display()))?;
    } else {
        std::fs::rename(staging, out)
            .with_context(|| format!("{}: cannot move into place", out.display()))?;
    }
    Ok(())
}
