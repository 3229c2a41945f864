//! What every page renderer shares: the inputs, the evidence, the templates and the lookups
//! built once per render, and the one way a page is rendered and written.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;
use tera::Tera;

use super::theme;
use super::views::{IncidentRowView, JiraLinks, SiteView, SourceIndex, indexed_line_href};
use crate::config::Config;
use crate::evidence::{Evidence, Exception, IncidentFacts, PostmortemFacts, Subject};
use crate::model::{Inputs, Postmortem, Response};
use crate::util::sink::Sink;

/// Everything a page renderer needs.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub inputs: &'a Inputs,
    pub evidence: &'a Evidence,
    pub tera: Tera,
    pub site: SiteView,
    /// A page's context before its own fields: `site`, converted once rather than per page.
    base: tera::Context,
    pub out: &'a dyn Sink,
    /// Exceptions by subject, so a page finds its own without scanning them all.
    pub by_subject: BTreeMap<&'a Subject, Vec<&'a Exception>>,
    /// Management responses by exception id.
    pub responses: BTreeMap<&'a str, &'a Response>,
    /// Which page lists each exception.
    pub exception_places: super::exception_places::Places<'a>,
    pub jira: JiraLinks,
    /// Inputs by site-relative path: pages link source rows by the thousand, so no scans.
    pub sources: SourceIndex<'a>,
    /// Advanced by one for every page written (from any thread); see `render_site`.
    pub progress: indicatif::ProgressBar,
}

impl<'a> Ctx<'a> {
    pub fn new(
        config: &'a Config,
        inputs: &'a Inputs,
        evidence: &'a Evidence,
        tera: Tera,
        out: &'a dyn Sink,
        progress: indicatif::ProgressBar,
    ) -> Self {
        let mut by_subject: BTreeMap<&Subject, Vec<&Exception>> = BTreeMap::new();
        for e in &evidence.exceptions {
            by_subject.entry(&e.subject).or_default().push(e);
        }
        let jira = JiraLinks::new(config, inputs);
        let sources: SourceIndex = inputs
            .sources
            .iter()
            .map(|s| (s.path.as_str(), s))
            .collect();
        let site = SiteView {
            has_requests: !inputs.requests.is_empty(),
            ..SiteView::new(
                config,
                super::views::has_oncall(inputs),
                super::views::has_audit_log(inputs),
                !inputs.samples.is_empty(),
                evidence.changes.is_some(),
            )
        };
        let mut base = tera::Context::new();
        base.insert("site", &site);
        Ctx {
            base,
            sources,
            progress,
            jira,
            config,
            inputs,
            evidence,
            tera,
            site,
            out,
            by_subject,
            exception_places: super::exception_places::Places::new(
                &evidence.exceptions,
                super::paging::page_size(),
            ),
            responses: inputs
                .responses
                .iter()
                .map(|r| (r.exception.as_str(), r))
                .collect(),
        }
    }

    /// Renders `template` to `rel` with the common context (site, root prefix, title, crumbs).
    pub fn page(
        &self,
        template: &str,
        rel: &str,
        title: &str,
        data: &impl Serialize,
    ) -> Result<()> {
        let html = self.render_page(template, rel, title, data)?;
        self.out.write(rel, html.as_bytes())?;
        self.progress.inc(1);
        Ok(())
    }

    /// Writes a page made without a template (see `pages::incidents::html`).
    pub fn write_page(&self, rel: &str, html: &[u8]) -> Result<()> {
        self.out.write(rel, html)?;
        self.progress.inc(1);
        Ok(())
    }

    /// Whether the site's theme leaves every one of `templates` to the default theme: then
    /// markup written in Rust (`render::markup`) may stand in for them.
    pub fn uses_default_templates(&self, templates: &[&str]) -> bool {
        let theme = &self.config.theme.name;
        !templates
            .iter()
            .any(|t| theme::overrides(&self.config.root, theme, t))
    }

    /// The page as text: `data`'s fields at the top level of the template context, over the
    /// common `site`, `root` (the relative path back to the site root), `title` and `page_path`.
    pub fn render_page(
        &self,
        template: &str,
        rel: &str,
        title: &str,
        data: &impl Serialize,
    ) -> Result<String> {
        let root = root_of(rel);
        let mut context = self.base.clone();
        context.insert("root", &root);
        context.insert("title", title);
        context.insert("page_path", rel);
        let data = tera::Context::from_serialize(data)
            .map_err(|e| anyhow::anyhow!("{rel}: {}", theme::tera_chain(&e)))?;
        context.extend(data);
        self.tera.render(template, &context).map_err(|e| {
            anyhow::anyhow!("rendering {rel} with {template}: {}", theme::tera_chain(&e))
        })
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.config.tz()
    }

    /// Where an input's verbatim copy lives, relative to the site root (empty when not copied).
    pub fn source_href(&self, file: &str) -> String {
        self.sources
            .get(file)
            .map(|s| crate::util::encode_href(&s.copy))
            .unwrap_or_default()
    }

    /// Where one row of an input is shown, relative to the site root: its line on the input's
    /// line page (`sources/a.csv.html#L13`). A `.json` file's rows are record indexes, not
    /// lines, so they link the page itself. Empty when the file was not copied.
    pub fn line_href(&self, file: &str, line: u64) -> String {
        indexed_line_href(&self.sources, file, line)
    }

    /// The management response to an exception, if any.
    pub fn response_for(&self, id: &str) -> Option<&'a Response> {
        self.responses.get(id).copied()
    }

    /// Where the exception `id` is listed, relative to the site root.
    pub fn exception_href(&self, id: &str) -> String {
        self.exception_places.href(id)
    }

    /// Where the exception of `kind` about `subject` is listed, relative to the site root.
    pub fn exception_href_of(
        &self,
        kind: crate::evidence::ExceptionKind,
        subject: &Subject,
    ) -> String {
        self.exception_href(&crate::evidence::Exception::id_of(kind, subject))
    }

    /// Where the exceptions of one kind are listed, relative to the site root.
    pub fn exception_kind_href(&self, kind: crate::evidence::ExceptionKind) -> String {
        self.exception_places.kind_href(kind)
    }

    /// The exceptions about one subject, in evidence order.
    pub fn exceptions_of(&self, subject: &Subject) -> impl Iterator<Item = &'a Exception> + '_ {
        self.by_subject.get(subject).into_iter().flatten().copied()
    }

    /// The evidence facts of an in-period incident (they are sorted by number).
    pub fn facts_of(&self, number: u64) -> Option<&'a IncidentFacts> {
        let facts = &self.evidence.incidents;
        facts
            .binary_search_by_key(&number, |f| f.number)
            .ok()
            .map(|i| &facts[i])
    }

    /// How many register rows there are: one per in-period incident.
    pub fn row_count(&self) -> usize {
        self.evidence.incidents.len()
    }

    /// The `i`th register row (the `i`th in-period incident's), built when a page needs it:
    /// 100k rows held for the whole render were 230 MB (issue 12).
    pub fn row(&self, i: usize) -> IncidentRowView {
        let facts = &self.evidence.incidents[i];
        super::views::register_row(self.config, self.inputs, &self.jira, &self.sources, facts)
    }

    /// The rows `range`, in order.
    pub fn rows(&self, range: std::ops::Range<usize>) -> Vec<IncidentRowView> {
        range.map(|i| self.row(i)).collect()
    }

    /// The register row of incident `number`, if it is in the period.
    pub fn row_of(&self, number: u64) -> Option<IncidentRowView> {
        let facts = &self.evidence.incidents;
        let i = facts.binary_search_by_key(&number, |f| f.number).ok()?;
        Some(self.row(i))
    }

    /// A postmortem and its facts by id (both are sorted by id).
    pub fn postmortem_by_id(&self, id: &str) -> Option<(&'a Postmortem, &'a PostmortemFacts)> {
        let i = self
            .inputs
            .postmortems
            .binary_search_by(|p| p.id.as_str().cmp(id))
            .ok()?;
        Some((&self.inputs.postmortems[i], &self.evidence.postmortems[i]))
    }
}

/// The relative path from the page `rel` back to the site root (`root` in every template).
pub fn root_of(rel: &str) -> String {
    "../".repeat(rel.matches('/').count())
}

/// Runs `render` with a context over these inputs, the default theme and a new directory for
/// output; gives the directory, for a test to read what was written.
#[cfg(test)]
pub fn render_in_dir<R>(
    config: &Config,
    inputs: &Inputs,
    evidence: &Evidence,
    render: impl FnOnce(&Ctx) -> R,
) -> (tempfile::TempDir, R) {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::util::sink::DirSink::new(dir.path());
    let tera = theme::templates(dir.path(), "default").unwrap();
    let bar = indicatif::ProgressBar::hidden();
    let made = render(&Ctx::new(config, inputs, evidence, tera, &out, bar));
    (dir, made)
}

/// The page `file` written under `dir`, and the second group `row` captures on it, row by row;
/// each row's first group (the way from the page to the site root) must be `root`.
#[cfg(test)]
pub fn read_rows(
    dir: &std::path::Path,
    file: &str,
    row: &regex::Regex,
    root: &str,
) -> (String, Vec<String>) {
    let html = std::fs::read_to_string(dir.join(file)).unwrap();
    let rows = row
        .captures_iter(&html)
        .map(|c| {
            assert_eq!(&c[1], root, "{file}");
            c[2].to_string()
        })
        .collect();
    (html, rows)
}
