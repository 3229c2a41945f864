//! workpapers/<number>.html: one workpaper per sampled incident (the test attributes with their
//! tickmarks and evidence, the row, the timeline, the on-call chain, exceptions and responses,
//! blank sign-off boxes), and workpapers/index.html with all of them, one per printed page.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use super::incidents::{CopyHrefs, OnCallView, oncall_view, timeline_rows};
use super::{ExceptionRef, exceptions_about};
use crate::evidence::workpaper::{self, Tick};
use crate::evidence::{Subject, on_call_chain, timeline};
use crate::render::context::Ctx;
use crate::render::page_name;
use crate::render::views::IncidentRowView;

#[derive(Serialize)]
struct Workpaper<'a> {
    number: u64,
    title: &'a str,
    /// The sample that drew it.
    seed: &'a str,
    drawn_by: String,
    drawn_on: String,
    stratum: &'a Option<String>,
    row: IncidentRowView,
    attributes: Vec<AttributeView>,
    sources: Vec<SourceView<'a>>,
    /// The timeline table's rows, already HTML.
    timeline: String,
    on_call: Option<OnCallView<'a>>,
    exceptions: Vec<ExceptionRef>,
}

#[derive(Serialize)]
struct AttributeView {
    label: &'static str,
    tick: Tick,
    mark: &'static str,
    why: String,
    /// The evidence, relative to the site root.
    href: String,
}

#[derive(Serialize)]
struct SourceView<'a> {
    file: &'a str,
    line: u64,
    /// The line on the input's line page (`sources/<file>.html#L<n>`).
    href: String,
    /// The row as it stands in the file (escaped by the template); `None` for a `.json` file,
    /// whose rows are record indexes, or a line the file no longer has.
    text: Option<String>,
}

/// The inputs' lines, each file read once however many workpapers quote it.
#[derive(Default)]
struct Lines(std::collections::BTreeMap<String, Option<Vec<String>>>);

impl Lines {
    fn get(&mut self, ctx: &Ctx, file: &str, line: u64) -> Option<String> {
        if file.ends_with(".json") {
            return None;
        }
        let lines = self.0.entry(file.to_owned()).or_insert_with(|| {
            std::fs::read(ctx.config.path(file))
                .ok()
                .filter(|b| !b.contains(&0))
                .map(|b| split_lines(&String::from_utf8_lossy(&b)))
        });
        let i = usize::try_from(line.checked_sub(1)?).ok()?;
        lines.as_ref()?.get(i).cloned()
    }
}

/// A file's lines as the line pages number them (from 1), without their `\n` or `\r\n`.
fn split_lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

#[derive(Serialize)]
struct One<'a> {
    w: Workpaper<'a>,
}

#[derive(Serialize)]
struct All<'a> {
    workpapers: Vec<Workpaper<'a>>,
}

pub fn mark(t: Tick) -> &'static str {
    match t {
        Tick::Pass => "✓",
        Tick::Exception => "✗",
        Tick::NotApplicable => "n/a",
    }
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let mut seen = BTreeSet::new();
    let mut all = Vec::new();
    let mut lines = Lines::default();
    let hrefs = CopyHrefs::new(ctx);
    // Each picked incident unpacked once, held while its workpaper and the index are made.
    let mut picked = Vec::new();
    for record in &ctx.inputs.samples {
        for pick in &record.picks {
            if seen.insert(pick.number)
                && let Some(incident) = ctx.inputs.incident(pick.number)
            {
                picked.push((record, pick, incident));
            }
        }
    }
    for (record, pick, incident) in &picked {
        {
            let Some(w) = workpaper(ctx, &hrefs, &mut lines, record, pick, incident) else {
                continue;
            };
            ctx.page(
                "workpaper.html",
                &format!("workpapers/{}.html", w.number),
                &format!("Workpaper #{}", w.number),
                &One { w },
            )?;
            let again = workpaper(ctx, &hrefs, &mut lines, record, pick, incident);
            all.push(again.expect("made above"));
        }
    }
    if all.is_empty() {
        return Ok(0);
    }
    let n = all.len();
    ctx.page(
        "workpapers.html",
        "workpapers/index.html",
        "Workpapers",
        &All { workpapers: all },
    )?;
    Ok(n + 1)
}

fn workpaper<'a>(
    ctx: &'a Ctx,
    hrefs: &CopyHrefs,
    lines: &mut Lines,
    record: &'a crate::model::SampleRecord,
    pick: &'a crate::model::sample::Pick,
    incident: &'a crate::model::Incident,
) -> Option<Workpaper<'a>> {
    let f = ctx.facts_of(pick.number)?;
    let row = ctx.row_of(pick.number)?;
    let pms: Vec<_> = f
        .postmortems
        .iter()
        .filter_map(|id| ctx.postmortem_by_id(id).map(|(_, pf)| pf))
        .collect();
    let steps = timeline::steps(incident);
    let chain = on_call_chain::chain(
        &ctx.inputs.pagerduty,
        &ctx.evidence.oncall.history,
        incident,
    );
    let page = format!("incidents/{}.html", pick.number);
    let pm_href = f.postmortems.first().map_or_else(
        || page.clone(),
        |id| format!("postmortems/{}.html", page_name(id)),
    );
    let attributes = workpaper::attributes(f, &steps, chain.as_ref(), &pms)
        .into_iter()
        .map(|t| AttributeView {
            label: t.attribute.label(),
            tick: t.tick,
            mark: mark(t.tick),
            why: t.why,
            href: match t.attribute {
                workpaper::Attribute::RecordedAndAssigned => format!("{page}#on-call"),
                workpaper::Attribute::AcknowledgedInTime | workpaper::Attribute::ResolvedInTime => {
                    format!("{page}#timeline")
                }
                workpaper::Attribute::Postmortem | workpaper::Attribute::CorrectiveActions => {
                    pm_href.clone()
                }
            },
        })
        .collect();
    Some(Workpaper {
        number: pick.number,
        title: incident.title(),
        seed: &record.seed,
        drawn_by: record
            .drawn_by
            .clone()
            .unwrap_or_else(|| "not recorded".into()),
        drawn_on: record
            .drawn_on
            .map_or_else(|| "not recorded".into(), |d| d.to_string()),
        stratum: &pick.stratum,
        row,
        attributes,
        sources: incident
            .sources
            .iter()
            .map(|r| SourceView {
                file: &r.file,
                line: r.line,
                href: ctx.line_href(&r.file, r.line),
                text: lines.get(ctx, &r.file, r.line),
            })
            .collect(),
        // Workpapers are `workpapers/<number>.html` and `workpapers/index.html`.
        timeline: timeline_rows(ctx, hrefs, incident, "../"),
        on_call: oncall_view(ctx, incident),
        exceptions: exceptions_about(
            ctx,
            &Subject::Incident {
                number: pick.number,
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::split_lines;

    #[test]
    fn lines_are_numbered_as_the_line_pages_number_them() {
        let lines = split_lines("number,title\r\n7,<b>db</b> down\n8,ok");
        assert_eq!(lines[1], "7,<b>db</b> down", "line 2, CR LF dropped");
        assert_eq!(lines.len(), 3);
    }
}
