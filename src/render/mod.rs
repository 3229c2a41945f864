//! Rendering: the evidence as a static site of tera pages, SVG charts, the register files,
//! `data/summary.json` and verbatim copies of every input.
//!
//! Layout: [`render_site`] lists the page families of [`pages`], each a module with its own
//! typed views; they share [`context::Ctx`], [`views`] (the register row, verdicts, links),
//! [`chart_files`] and the helpers here. Arrows run from `pages/*` down to those, never back.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Result;
use indicatif::ProgressBar;

use crate::config::Config;
use crate::evidence::Evidence;
use crate::model::Inputs;
use crate::util::sink::Sink;

pub mod chart_files;
pub mod charts;
pub mod context;
pub mod exception_places;
pub mod markdown;
pub mod markup;
pub mod pages;
pub mod paging;
pub mod register_files;
pub mod search_index;
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
    /// Resident memory when the phase ended (MiB; 0 where unknown): what it left behind.
    pub rss_mib: u64,
}

/// Renders the whole site into `out` (an empty directory, or the package being written) and
/// returns how long each phase took, for the build's log. `progress` counts files written of the files planned (see
/// [`planned`]), its message the phase being rendered.
pub fn render_site(
    config: &Config,
    inputs: &Inputs,
    evidence: &Evidence,
    out: &dyn Sink,
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
        let n = ctx.row_count();
        Ok((ctx, n))
    })?;
    // The register's CSV and workbook are long sequential jobs (3 s at 100k incidents, one core
    // for most of it): written beside every other phase, whose pages fill the other cores, rather
    // than alone with a core idle.
    t.files_beside(
        "data files",
        || write_data_files(&ctx),
        |t| -> Result<()> {
            t.files("assets", || write_assets(&ctx))?;
            let copied = t.list("source scans", || pages::sources::scan(&ctx))?;
            // The copies beside every page (see `pages::sources`), the line pages first.
            t.files_beside(
                "sources",
                || pages::sources::copy(&ctx, &copied),
                |t| render_pages(t, &ctx, &copied),
            )
        },
    )?;
    // Last: it hashes the files the other phases wrote.
    t.files("requests", || pages::requests::render(&ctx))?;
    Ok(t.phases)
}

/// Every page but the request list's, family by family, the inputs' line pages first.
fn render_pages(t: &mut Timer, ctx: &Ctx, copied: &[pages::sources::Copied]) -> Result<()> {
    t.files("source lines", || pages::sources::render(ctx, copied))?;
    let charts = t.list("charts", || chart_files::write_charts(ctx))?;
    t.advance();
    t.files("dashboard", || pages::dashboard::render(ctx, &charts))?;
    t.files("severities", || pages::severities::render(ctx))?;
    t.files("register", || pages::register::render(ctx))?;
    // The two largest single pages (every exception, every input row's fate: 6 and
    // 1.5 MB at 100k incidents, several times that while rendered) before the 100,000
    // incident pages, whose files' digests a package holds until it is written.
    t.files("exceptions", || pages::exceptions::render(ctx, &charts))?;
    t.files("population", || pages::population::render(ctx))?;
    t.files("incidents", || pages::incidents::render(ctx))?;
    t.files("postmortems", || pages::postmortems::render(ctx, &charts))?;
    t.files("policies", || pages::policies::render(ctx))?;
    t.files("controls", || pages::controls::render(ctx))?;
    t.files("method", || pages::method::render(ctx))?;
    t.files("verify", || pages::verify::render(ctx))?;
    t.files("changes", || pages::changes::render(ctx))?;
    t.files("sample", || pages::sample::render(ctx))?;
    t.files("workpapers", || pages::workpapers::render(ctx))?;
    t.files("oncall", || pages::oncall::render(ctx, &charts))?;
    t.files("audit log", || pages::audit_log::render(ctx))?;
    t.files("configuration", || pages::configuration::render(ctx))?;
    t.files("automation", || pages::automation::render(ctx))?;
    t.files("customers", || pages::customers::render(ctx))?;
    Ok(())
}

/// `data/summary.json`, the register's CSV and workbook, and exceptions.csv; how many files.
fn write_data_files(ctx: &Ctx) -> Result<usize> {
    ctx.out.write(
        "data/summary.json",
        ctx.evidence.summary.to_json().as_bytes(),
    )?;
    // The workbook takes longest; the CSVs are written beside it.
    let (csvs, xlsx) = rayon::join(
        || -> Result<()> {
            register_files::write_csv(ctx)?;
            register_files::write_exceptions_csv(ctx)
        },
        || register_files::write_xlsx(ctx),
    );
    csvs?;
    xlsx?;
    Ok(4)
}

/// The phases that write files, in the order [`render_site`] logs them (those run beside the
/// others, the inputs' copies and the data files, when they are done).
const FAMILIES: &[&str] = &[
    "assets",
    "source lines",
    "charts",
    "dashboard",
    "severities",
    "register",
    "exceptions",
    "population",
    "incidents",
    "postmortems",
    "policies",
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
    "sources",
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
        // Its pages, and about one search file of display rows per 100 incidents (the term
        // files are not known before the index is built).
        "register" => {
            let n = evidence.incidents.len();
            n.div_ceil(paging::page_size()).max(1) + n.div_ceil(search_index::ROWS_PER_SHARD)
        }
        "exceptions" => exception_places::page_count_of(&evidence.exceptions, paging::page_size()),
        "postmortems" => {
            let n = inputs.postmortems.len();
            n + paging::page_count(n, paging::page_size())
        }
        "policies" => inputs.policies.len() + 1,
        "severities" => inputs.policy().severities.len() + 1,
        "automation" => paging::page_count(evidence.automation.runs.len(), paging::page_size()),
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
        crate::util::release_freed_memory();
        self.phases.push(PhaseTime {
            phase,
            count,
            elapsed_ms: start.elapsed().as_millis(),
            peak_mib: crate::util::peak_rss_mib(),
            rss_mib: crate::util::rss_mib(),
        });
        Ok(made)
    }

    /// [`Timer::time`] for a phase whose product is a list, counted by its length.
    fn list<T>(
        &mut self,
        phase: &'static str,
        run: impl FnOnce() -> Result<Vec<T>>,
    ) -> Result<Vec<T>> {
        self.time(phase, || {
            let made = run()?;
            let count = made.len();
            Ok((made, count))
        })
    }

    /// Runs one phase that writes files and returns how many.
    fn files(&mut self, phase: &'static str, run: impl FnOnce() -> Result<usize>) -> Result<()> {
        self.time(phase, || Ok(((), run()?)))?;
        self.advance();
        Ok(())
    }

    /// Runs the phase `side` that writes files beside the phases `rest` runs (rayon::join),
    /// timed on its own and logged after them.
    fn files_beside(
        &mut self,
        side: &'static str,
        run: impl FnOnce() -> Result<usize> + Send,
        rest: impl FnOnce(&mut Self) -> Result<()> + Send,
    ) -> Result<()> {
        let timed = || {
            let start = Instant::now();
            run().map(|count| (count, start.elapsed().as_millis()))
        };
        let (done, beside) = rayon::join(|| rest(self), timed);
        done?;
        let (count, elapsed_ms) = beside?;
        self.phases.push(PhaseTime {
            phase: side,
            count,
            elapsed_ms,
            peak_mib: crate::util::peak_rss_mib(),
            rss_mib: crate::util::rss_mib(),
        });
        self.advance();
        Ok(())
    }
}

/// Lines on one line page. A 238 MB export as one page is a 481 MB HTML file no browser opens;
/// pages of this many lines stay near a megabyte, and a file this short keeps its single page.
pub const SOURCE_PAGE_LINES: u64 = 5000;

/// Tests split small inputs into many line pages with this (hidden) override.
const SOURCE_PAGE_LINES_ENV: &str = "PAGERPROOF_SOURCE_PAGE_LINES";

/// [`SOURCE_PAGE_LINES`], or its override; read once, as every link must agree with the pages.
pub fn source_page_lines() -> u64 {
    static LINES: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *LINES.get_or_init(|| {
        std::env::var(SOURCE_PAGE_LINES_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(SOURCE_PAGE_LINES)
    })
}

/// The line page of an input's verbatim copy (`sources/a.csv` → `sources/a.csv.html`): its only
/// page, or the first of a long file's.
pub fn line_page(copy: &str) -> String {
    line_page_n(copy, 1)
}

/// Line page `n` (from 1) of a copy: the first is [`line_page`], the others
/// `sources/a.csv.page-<n>.html`. Injective: `n` is written without leading zeros, and render
/// refuses an input whose copy or first line page is named like another input's page `n`.
pub fn line_page_n(copy: &str, n: u64) -> String {
    if n <= 1 {
        format!("{copy}.html")
    } else {
        format!("{copy}.page-{n}.html")
    }
}

/// The line page (from 1) holding line `line` (from 1) at `per_page` lines a page.
pub fn page_of_line(line: u64, per_page: u64) -> u64 {
    line.saturating_sub(1) / per_page + 1
}

/// How many line pages a file of `lines` lines has: an empty file still has its one page.
pub fn line_pages(lines: u64, per_page: u64) -> u64 {
    lines.div_ceil(per_page).max(1)
}

/// `(copy, n)` when `rel` is named like page `n` ≥ 2 of `copy`'s line pages.
pub fn split_line_page_n(rel: &str) -> Option<(&str, u64)> {
    let (copy, n) = rel.strip_suffix(".html")?.rsplit_once(".page-")?;
    let canonical = !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit());
    let n: u64 = n.parse().ok().filter(|&n| canonical && n >= 2)?;
    Some((copy, n))
}

/// Where one row of an input is shown, relative to the site root: its line on the line page
/// holding it (`sources/a.csv.html#L13`, `sources/a.csv.page-3.html#L10013`). A `.json` file's
/// rows are record indexes, not lines, so they link its first page. Empty when the file was not
/// copied.
pub fn line_href(sources: &[crate::model::SourceFile], file: &str, line: u64) -> String {
    sources
        .iter()
        .find(|s| s.path == file)
        .map_or_else(String::new, |s| source_line_href(s, line))
}

/// [`line_href`] of an input already found (pages look inputs up by path once, in `Ctx`).
pub fn source_line_href(s: &crate::model::SourceFile, line: u64) -> String {
    let copy = crate::util::encode_href(&s.copy);
    copy_line_href(&copy, s.path.ends_with(".json"), line)
}

/// [`source_line_href`] from the copy's href, already percent-encoded (a line page's suffix
/// needs no encoding, so the page's href is the copy's plus the suffix).
pub fn copy_line_href(copy_href: &str, json: bool, line: u64) -> String {
    if json {
        return line_page(copy_href);
    }
    let page = line_page_n(copy_href, page_of_line(line, source_page_lines()));
    format!("{page}#L{line}")
}

/// Whether `rel` (a path under the site root) is a line page rather than an input's copy: a
/// `P.html` or `P.page-<n>.html` beside a file `P` (render refuses an input whose copy would be
/// named so). A rebuild from `sources/` leaves line pages out.
pub fn is_line_page(rel: &str, exists: impl Fn(&str) -> bool) -> bool {
    rel.strip_suffix(".html").is_some_and(&exists)
        || split_line_page_n(rel).is_some_and(|(copy, _)| exists(copy))
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
        ctx.out.write(&format!("assets/{name}"), bytes)?;
    }
    Ok(assets.len())
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
        // Later pages of a long file's lines, and only names its pages can have.
        assert_eq!(line_page_n("sources/a.csv", 1), "sources/a.csv.html");
        assert_eq!(line_page_n("sources/a.csv", 3), "sources/a.csv.page-3.html");
        assert!(is_line_page("sources/a.csv.page-3.html", exists));
        assert!(is_line_page("sources/page.html.page-12.html", exists));
        for not in [
            "sources/a.csv.page-1.html",
            "sources/a.csv.page-03.html",
            "sources/a.csv.page-.html",
            "sources/a.csv.page-3x.html",
            "sources/a.csv.page-3",
            "sources/b.csv.page-3.html",
        ] {
            assert!(!is_line_page(not, exists), "{not}");
        }
        assert_eq!(
            split_line_page_n("sources/a.csv.page-10.html"),
            Some(("sources/a.csv", 10))
        );
    }

    #[test]
    fn a_line_is_on_the_page_that_holds_it() {
        // Page 1 holds lines 1..=5, page 2 lines 6..=10.
        assert_eq!(page_of_line(1, 5), 1);
        assert_eq!(page_of_line(5, 5), 1, "last line of a page");
        assert_eq!(page_of_line(6, 5), 2, "first line of the next");
        assert_eq!(page_of_line(10, 5), 2);
        assert_eq!(page_of_line(11, 5), 3);
        assert_eq!(page_of_line(0, 5), 1, "no line: the first page");
        assert_eq!(line_pages(0, 5), 1, "an empty file has its one page");
        assert_eq!(line_pages(1, 5), 1);
        assert_eq!(line_pages(5, 5), 1, "exactly a page");
        assert_eq!(line_pages(6, 5), 2);
        assert_eq!(line_pages(10, 5), 2);
    }

    #[test]
    fn a_row_links_the_line_page_holding_its_line() {
        let s = crate::model::SourceFile {
            path: "content/a b.csv".into(),
            copy: "sources/content/a b.csv".into(),
            kind: crate::model::SourceKind::IncidentCsv,
            sha256: String::new(),
            bytes: 0,
            accounting: Default::default(),
            notes: vec![],
            export: None,
        };
        let n = SOURCE_PAGE_LINES;
        let sources = [s];
        let href = |line| line_href(&sources, "content/a b.csv", line);
        assert_eq!(href(1), "sources/content/a%20b.csv.html#L1");
        assert_eq!(href(n), format!("sources/content/a%20b.csv.html#L{n}"));
        assert_eq!(
            href(n + 1),
            format!("sources/content/a%20b.csv.page-2.html#L{}", n + 1)
        );
        assert_eq!(line_href(&sources, "content/other.csv", 1), "");
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
        let phases = render_site(
            &config,
            &inputs,
            &evidence,
            &crate::util::sink::DirSink::new(out.path()),
            &bar,
        )
        .unwrap();
        let names: Vec<&str> = phases.iter().map(|p| p.phase).collect();
        assert_eq!(
            names,
            [
                "templates",
                "register rows",
                "assets",
                "source scans",
                "source lines",
                "charts",
                "dashboard",
                "severities",
                "register",
                "exceptions",
                "population",
                "incidents",
                "postmortems",
                "policies",
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
                "sources",
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
        assert_eq!(count("source scans"), 0, "no inputs, none scanned");
        // Every family that writes files is planned, and the bar ends full on their files.
        let writers: Vec<&PhaseTime> = phases[2..]
            .iter()
            .filter(|p| p.phase != "source scans")
            .collect();
        let families: Vec<&str> = writers.iter().map(|p| p.phase).collect();
        assert_eq!(families, FAMILIES);
        let files: usize = writers.iter().map(|p| p.count).sum();
        assert_eq!(bar.position(), files as u64);
        assert_eq!(bar.length(), Some(files as u64));
    }
}
