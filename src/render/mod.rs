//! Rendering: the evidence as a static site of tera pages, SVG charts, the register files,
//! `data/summary.json` and verbatim copies of every input.
//!
//! Layout: [`render_site`] lists the page families of [`pages`], each a module with its own
//! typed views; they share [`context::Ctx`], [`views`] (the register row, verdicts, links),
//! [`chart_files`] and the helpers here. Arrows run from `pages/*` down to those, never back.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use indicatif::ProgressBar;

use crate::config::Config;
use crate::evidence::Evidence;
use crate::model::Inputs;

pub mod chart_files;
pub mod charts;
pub mod context;
pub mod markdown;
pub mod pages;
pub mod register_files;
pub mod theme;
pub mod views;

use context::Ctx;

/// How long one phase of [`render_site`] took and how many files (or register rows) it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseTime {
    pub phase: &'static str,
    pub count: usize,
    pub elapsed_ms: u128,
    /// Peak resident memory of the process when the phase ended (MiB; 0 where unknown).
    pub peak_mib: u64,
}

/// Renders the whole site into `out` (which must exist and be empty) and returns how long each
/// phase took, for the build's log. `progress` counts files written of the files planned (see
/// [`planned`]), its message the phase being rendered.
pub fn render_site(
    config: &Config,
    inputs: &Inputs,
    evidence: &Evidence,
    out: &Path,
    progress: &ProgressBar,
) -> Result<Vec<PhaseTime>> {
    let mut t = Timer::new(progress, inputs, evidence);
    let tera = t.time("templates", || {
        let tera = theme::templates(&config.root, &config.theme.name)?;
        let n = tera.get_template_names().count();
        Ok((tera, n))
    })?;
    let ctx = t.time("register rows", || {
        let ctx = Ctx::new(config, inputs, evidence, tera, out, progress.clone());
        let n = ctx.rows.len();
        Ok((ctx, n))
    })?;
    t.files("assets", || write_assets(&ctx))?;
    t.files("sources", || copy_sources(&ctx))?;
    t.files("source lines", || pages::sources::render(&ctx))?;
    let charts = t.time("charts", || {
        let charts = chart_files::write_charts(&ctx)?;
        let n = charts.len();
        Ok((charts, n))
    })?;
    t.advance();
    t.files("dashboard", || pages::dashboard::render(&ctx, &charts))?;
    t.files("severities", || pages::severities::render(&ctx))?;
    t.files("register", || pages::register::render(&ctx))?;
    t.files("incidents", || pages::incidents::render(&ctx))?;
    t.files("postmortems", || pages::postmortems::render(&ctx, &charts))?;
    t.files("policies", || pages::policies::render(&ctx))?;
    t.files("population", || pages::population::render(&ctx))?;
    t.files("exceptions", || pages::exceptions::render(&ctx, &charts))?;
    t.files("controls", || pages::controls::render(&ctx))?;
    t.files("method", || pages::method::render(&ctx))?;
    t.files("verify", || pages::verify::render(&ctx))?;
    t.files("changes", || pages::changes::render(&ctx))?;
    t.files("sample", || pages::sample::render(&ctx))?;
    t.files("workpapers", || pages::workpapers::render(&ctx))?;
    t.files("oncall", || pages::oncall::render(&ctx, &charts))?;
    t.files("audit log", || pages::audit_log::render(&ctx))?;
    t.files("configuration", || pages::configuration::render(&ctx))?;
    t.files("automation", || pages::automation::render(&ctx))?;
    t.files("customers", || pages::customers::render(&ctx))?;
    t.files("data files", || {
        write(
            out,
            "data/summary.json",
            evidence.summary.to_json().as_bytes(),
        )?;
        register_files::write_csv(out, config, &ctx.rows)?;
        register_files::write_exceptions_csv(&ctx)?;
        register_files::write_xlsx(&ctx)?;
        Ok(4)
    })?;
    // Last: it hashes the files the other phases wrote.
    t.files("requests", || pages::requests::render(&ctx))?;
    Ok(t.phases)
}

/// The phases that write files, in the order [`render_site`] runs them.
const FAMILIES: &[&str] = &[
    "assets",
    "sources",
    "source lines",
    "charts",
    "dashboard",
    "severities",
    "register",
    "incidents",
    "postmortems",
    "policies",
    "population",
    "exceptions",
    "controls",
    "method",
    "verify",
    "changes",
    "sample",
    "workpapers",
    "oncall",
    "audit log",
    "configuration",
    "automation",
    "customers",
    "data files",
    "requests",
];

/// The files a family is expected to write, known before rendering: exact or nearly for the
/// families that grow with the inputs (a page per incident, a page and a search shard per
/// register page of in-period incidents, a copy and a line page per input), one for a family
/// of a page or a few.
fn planned(family: &str, inputs: &Inputs, evidence: &Evidence) -> u64 {
    let n = match family {
        "sources" | "source lines" => inputs.sources.len(),
        "incidents" => evidence.incidents.len(),
        "register" => {
            2 * evidence
                .incidents
                .len()
                .div_ceil(pages::register::PAGE_SIZE)
                .max(1)
        }
        "postmortems" => inputs.postmortems.len() + 1,
        "policies" => inputs.policies.len() + 1,
        "severities" => inputs.policy().severities.len() + 1,
        "data files" => 4,
        _ => 1,
    };
    n as u64
}

/// The phases timed so far, and the progress bar they advance.
struct Timer<'p> {
    phases: Vec<PhaseTime>,
    bar: &'p ProgressBar,
    /// [`planned`] for each family not finished yet.
    plan: BTreeMap<&'static str, u64>,
    /// Files the finished families wrote.
    written: u64,
}

impl<'p> Timer<'p> {
    /// A timer whose bar counts the files planned, from zero.
    fn new(bar: &'p ProgressBar, inputs: &Inputs, evidence: &Evidence) -> Self {
        let plan: BTreeMap<_, _> = FAMILIES
            .iter()
            .map(|&f| (f, planned(f, inputs, evidence)))
            .collect();
        bar.set_position(0);
        bar.set_length(plan.values().sum());
        // The rate so far (reading inputs) says nothing about the rate of writing pages.
        bar.reset_eta();
        Timer {
            phases: Vec::new(),
            bar,
            plan,
            written: 0,
        }
    }

    /// Counts the files of the phase just finished: its plan is replaced by what it wrote, and
    /// the position by the files written so far (pages ticked the bar as they were written,
    /// other files were not), so the bar ends exactly full whatever the estimates.
    fn advance(&mut self) {
        let Some(last) = self.phases.last() else {
            return;
        };
        let made = last.count as u64;
        let planned = self.plan.remove(last.phase).unwrap_or(0);
        self.written += made;
        let written = self.written;
        self.bar.update(|s| {
            let len = s.len().unwrap_or(0);
            s.set_len((len + made).saturating_sub(planned));
            s.set_pos(written);
        });
    }

    /// Runs one phase, which returns what it made and how many things (files, rows) that is.
    fn time<T>(
        &mut self,
        phase: &'static str,
        run: impl FnOnce() -> Result<(T, usize)>,
    ) -> Result<T> {
        self.bar.set_message(phase);
        let start = Instant::now();
        let (made, count) = run()?;
        self.phases.push(PhaseTime {
            phase,
            count,
            elapsed_ms: start.elapsed().as_millis(),
            peak_mib: crate::util::peak_rss_mib(),
        });
        Ok(made)
    }

    /// Runs one phase that writes files and returns how many.
    fn files(&mut self, phase: &'static str, run: impl FnOnce() -> Result<usize>) -> Result<()> {
        self.time(phase, || Ok(((), run()?)))?;
        self.advance();
        Ok(())
    }
}

/// Writes one file under `out`, creating parent directories.
pub fn write(out: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = out.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create", parent.display()))?;
    }
    std::fs::write(&path, bytes).with_context(|| format!("{}: cannot write", path.display()))
}

/// The line page of an input's verbatim copy (`sources/a.csv` → `sources/a.csv.html`).
pub fn line_page(copy: &str) -> String {
    format!("{copy}.html")
}

/// Where one row of an input is shown, relative to the site root: its line on the input's line
/// page (`sources/a.csv.html#L13`). A `.json` file's rows are record indexes, not lines, so they
/// link the page itself. Empty when the file was not copied.
pub fn line_href(sources: &[crate::model::SourceFile], file: &str, line: u64) -> String {
    let Some(s) = sources.iter().find(|s| s.path == file) else {
        return String::new();
    };
    let page = crate::util::encode_href(&line_page(&s.copy));
    if file.ends_with(".json") {
        page
    } else {
        format!("{page}#L{line}")
    }
}

/// Whether `rel` (a path under the site root) is a line page rather than an input's copy: a
/// `P.html` beside a file `P` (render refuses an input whose copy would be another's line page).
/// A rebuild from `sources/` leaves line pages out.
pub fn is_line_page(rel: &str, exists: impl Fn(&str) -> bool) -> bool {
    rel.strip_suffix(".html").is_some_and(exists)
}

/// File name of a postmortem page: its id, made safe for every file system and BagIt tool.
/// Injective, so two ids never share a page: any other byte (and a leading `.`) is written
/// `~XX`, and `~` appears nowhere else; `index` (any case) is escaped too, being the list page.
pub fn page_name(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for (i, c) in id.char_indices() {
        let reserved = i == 0 && (c == '.' || id.eq_ignore_ascii_case("index"));
        if !reserved && (c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("~{b:02x}"));
            }
        }
    }
    out
}

/// An HTML id for an exception id. Injective: `:` (the kind separator) becomes `-`, a `-` of
/// the id and any other byte are written `.XX`, and `.` appears nowhere else.
pub fn anchor(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if c == ':' {
            out.push('-');
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!(".{b:02x}"));
            }
        }
    }
    out
}

fn write_assets(ctx: &Ctx) -> Result<usize> {
    let assets = theme::assets(&ctx.config.root, &ctx.config.theme.name)?;
    for (name, bytes) in &assets {
        write(ctx.out, &format!("assets/{name}"), bytes)?;
    }
    Ok(assets.len())
}

/// Verbatim copies of every input under `sources/`.
fn copy_sources(ctx: &Ctx) -> Result<usize> {
    let mut seen = BTreeMap::new();
    for s in &ctx.inputs.sources {
        if let Some(other) = seen.insert(s.copy.clone(), s.path.clone()) {
            if other == s.path {
                continue;
            }
            bail!(
                "{} and {other} would both be copied to {}: rename one",
                s.path,
                s.copy
            );
        }
        let bytes = std::fs::read(ctx.config.path(&s.path))
            .with_context(|| format!("{}: cannot read", s.path))?;
        if crate::util::sha256_hex(&bytes) != s.sha256 {
            bail!(
                "{}: changed while the site was being built; build again",
                s.path
            );
        }
        write(ctx.out, &s.copy, &bytes)?;
        ctx.progress.inc(1);
    }
    Ok(seen.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::{config, incident, inputs};

    #[test]
    fn a_line_page_is_told_from_an_input_by_the_copy_beside_it() {
        let copies = ["sources/a.csv", "sources/page.html"];
        let exists = |p: &str| copies.contains(&p);
        assert_eq!(line_page("sources/a.csv"), "sources/a.csv.html");
        assert!(is_line_page("sources/a.csv.html", exists));
        assert!(is_line_page("sources/page.html.html", exists));
        // An input that is itself HTML is not a line page.
        assert!(!is_line_page("sources/page.html", exists));
        assert!(!is_line_page("sources/b.csv.html", exists));
    }

    #[test]
    fn every_phase_is_timed_with_what_it_wrote() {
        let config = config();
        let inputs = inputs(
            vec![
                incident(1).resolved("2026-03-02T16:00:00Z").build(),
                incident(2).resolved("2026-03-02T17:00:00Z").build(),
            ],
            vec![],
        );
        let evidence = crate::evidence::evaluate(&config, &inputs);
        let out = tempfile::tempdir().unwrap();
        let bar = ProgressBar::hidden();
        let phases = render_site(&config, &inputs, &evidence, out.path(), &bar).unwrap();
        let names: Vec<&str> = phases.iter().map(|p| p.phase).collect();
        assert_eq!(
            names,
            [
                "templates",
                "register rows",
                "assets",
                "sources",
                "source lines",
                "charts",
                "dashboard",
                "severities",
                "register",
                "incidents",
                "postmortems",
                "policies",
                "population",
                "exceptions",
                "controls",
                "method",
                "verify",
                "changes",
                "sample",
                "workpapers",
                "oncall",
                "audit log",
                "configuration",
                "automation",
                "customers",
                "data files",
                "requests",
            ]
        );
        let count = |name: &str| phases.iter().find(|p| p.phase == name).unwrap().count;
        assert_eq!(count("incidents"), 2);
        assert_eq!(count("register rows"), 2);
        assert!(out.path().join("incidents/2.html").is_file());
        assert_eq!(count("sample"), 0, "no sample recorded, no sample page");
        assert!(!out.path().join("sample.html").exists());
        assert_eq!(count("workpapers"), 0, "no sample, no workpapers");
        assert_eq!(count("data files"), 4);
        // Every family that writes files is planned, and the bar ends full on their files.
        let families = &names[2..];
        assert_eq!(families, FAMILIES);
        let files: usize = phases[2..].iter().map(|p| p.count).sum();
        assert_eq!(bar.position(), files as u64);
        assert_eq!(bar.length(), Some(files as u64));
    }
}
