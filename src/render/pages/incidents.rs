//! incidents/<number>.html: one page per in-period incident, its row, fields, timeline, sources,
//! postmortems and exceptions. Rendered in parallel: there can be 100,000 of them.

use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

mod html;

use super::{ExceptionRef, exceptions_about};
use crate::evidence::on_call_chain;
use crate::evidence::timeline::{self, StepKind};
use crate::evidence::{IncidentFacts, Subject, VerdictState};
use crate::model::{Incident, Sym, Text};
use crate::render::context::Ctx;
use crate::render::views::{ConflictView, IncidentRowView, Link, VerdictView};
use crate::render::{anchor, page_name, theme};
use crate::util::{human_duration, human_target, local_time, local_time_secs};

/// One incident page's context, flat: a top-level name costs tera one map lookup, a dotted one
/// (`row.severity`) allocates at every step, and the page reads some sixty of them (issue 12).
#[derive(Serialize)]
struct IncidentPage<'a> {
    number: u64,
    id: String,
    /// The incident's own title (`title` is the page's: `#<number> <title>`).
    incident_title: String,
    /// The incident in PagerDuty: the record's own URL, else one from `[links] pagerduty`.
    url: Option<String>,
    severity: String,
    severity_source: &'static str,
    severity_raw: String,
    severity_definition: Option<&'a str>,
    severity_postmortem: &'a Option<crate::model::Sym>,
    /// The links to the postmortem the severity came from (`severity_postmortem`).
    severity_postmortem_links: Vec<Link>,
    urgency: String,
    service: String,
    service_id: &'a Option<Sym>,
    escalation_policy: &'a Option<Sym>,
    escalation_policy_id: &'a Option<Sym>,
    team: &'a Option<Sym>,
    status: &'a Option<Sym>,
    created: String,
    created_utc: String,
    acknowledged: String,
    acknowledged_by: &'a Option<Sym>,
    resolved: String,
    resolved_by: &'a Option<Sym>,
    auto_resolved: Option<bool>,
    /// Where the resolution time came from when not the record's own resolved-at value.
    resolved_source: &'a Option<Sym>,
    assigned_to: &'a Option<Sym>,
    escalation_count: Option<u64>,
    duration_text: &'a Option<Text>,
    jira: Vec<Link>,
    ack: VerdictView,
    tta: String,
    resolve: VerdictView,
    ttr: String,
    /// Why the ack or resolve verdict is what it is, where the verdict alone would mislead.
    ack_note: Option<&'static str>,
    resolve_note: Option<&'static str>,
    postmortem_status: &'static str,
    postmortem_due: Option<String>,
    postmortem_completed: Option<String>,
    sources: Vec<SourceRef<'a>>,
    conflicts: Vec<ConflictView<'a>>,
    /// The timeline table's rows, already HTML ([`timeline_rows`]).
    timeline: String,
    on_call: Option<OnCallView<'a>>,
    postmortems: Vec<PostmortemRef<'a>>,
    exceptions: Vec<ExceptionRef>,
    prev: Option<u64>,
    next: Option<u64>,
}

/// What every incident page shares, made once per render rather than once per page.
struct Shared<'a> {
    hrefs: CopyHrefs<'a>,
    /// `P2 (Major: ...)` by severity level, as the facts table shows it.
    definitions: HashMap<&'a str, String>,
}

impl<'a> Shared<'a> {
    fn new(ctx: &Ctx<'a>) -> Self {
        Shared {
            hrefs: CopyHrefs::new(ctx),
            definitions: ctx
                .inputs
                .policy()
                .severities
                .iter()
                .rev() // the first of a level wins, as `Policy::severity` finds it
                .map(|s| (s.level.as_str(), format!("{} ({})", s.name, s.definition)))
                .collect(),
        }
    }
}

/// A line of an input the incident was read from.
#[derive(Serialize)]
struct SourceRef<'a> {
    file: &'a str,
    line: u64,
    href: String,
    /// From a PagerDuty API snapshot (a JSON record, not a CSV line).
    api: bool,
}

/// Where each input's verbatim copy lives, relative to the site root, percent-encoded once per
/// page family rather than once per timeline row (empty when the input was not copied).
pub(crate) struct CopyHrefs<'a>(HashMap<&'a str, String>);

impl<'a> CopyHrefs<'a> {
    pub(crate) fn new(ctx: &Ctx<'a>) -> Self {
        CopyHrefs(
            ctx.sources
                .iter()
                .map(|(&path, s)| (path, crate::util::encode_href(&s.copy)))
                .collect(),
        )
    }

    /// Where line `line` of `file` is shown: its line on the copy's line page (a `.json`
    /// file's rows are records: its page); empty when the input was not copied.
    pub(crate) fn line(&self, file: &str, line: u64) -> String {
        match self.0.get(file) {
            Some(copy) => crate::render::copy_line_href(copy, file.ends_with(".json"), line),
            None => String::new(),
        }
    }
}

/// The incident's timeline as the `<tr>` rows of `incident-parts.html`'s timeline table (empty
/// without log entries): one row per classified log entry (`evidence::timeline`), in the
/// organisation's zone with its UTC offset (the instant, and nothing else, so no UTC title: at
/// 100k incidents those titles were 24 MB of the site). `root` leads back to the site root.
///
/// Written here rather than in the template because it is the hot loop of the largest page
/// family: a dozen dotted lookups per row cost tera about a quarter of every incident page's
/// CPU. Every value is escaped as a template's `{{ }}` escapes it ([`theme::push_escaped_html`]),
/// so the rows are byte for byte what the template loop made; the classes (`step-<kind>`) and
/// empty cells keep them styleable from the theme's CSS.
pub(crate) fn timeline_rows(
    ctx: &Ctx,
    hrefs: &CopyHrefs,
    incident: &Incident,
    root: &str,
) -> String {
    let tz = ctx.tz();
    let mut out = String::new();
    let esc = theme::push_escaped_html;
    for s in timeline::steps(incident) {
        out.push_str("<tr class=\"step-");
        esc(&mut out, kind_class(s.kind));
        out.push_str("\"><td>");
        esc(&mut out, &local_time_secs(s.at, tz));
        out.push_str("</td><td>");
        esc(&mut out, s.kind.label());
        if s.first_ack {
            out.push_str(" ★");
        }
        if s.kind == StepKind::Other {
            out.push_str(" <code>");
            esc(&mut out, s.raw_kind);
            out.push_str("</code>");
        }
        // A cell without a value is left empty: the theme marks it (`table.timeline
        // td:empty`), where a dash in a span was 27 bytes a cell, 10 MB at 100k incidents.
        for cell in [s.agent, s.subject, s.channel] {
            out.push_str("</td><td>");
            if let Some(c) = cell.filter(|c| !c.is_empty()) {
                esc(&mut out, c);
            }
        }
        out.push_str("</td><td>");
        esc(&mut out, s.summary);
        out.push_str("</td><td>");
        if let Some(r) = s.source {
            let href = hrefs.line(&r.file, r.line);
            if !href.is_empty() {
                out.push_str("<a href=\"");
                esc(&mut out, root);
                esc(&mut out, &href);
                out.push_str("\">");
            }
            // `name:line`, the file's name without its folders (the link's target names
            // the whole path): the folders were a fifth of the table's bytes. The colon
            // and digits need no escaping.
            esc(&mut out, file_name(&r.file));
            let _ = write!(out, ":{}", r.line);
            if !href.is_empty() {
                out.push_str("</a>");
            }
        }
        out.push_str("</td></tr>");
    }
    out
}

/// The last component of an input's path (`content/pagerduty/log_entries.jsonl` →
/// `log_entries.jsonl`).
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A step kind as the row's CSS class suffix: its snake-case name, as it serializes.
fn kind_class(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Trigger => "trigger",
        StepKind::Notify => "notify",
        StepKind::EscalateTimeout => "escalate_timeout",
        StepKind::EscalateManual => "escalate_manual",
        StepKind::Acknowledge => "acknowledge",
        StepKind::Unacknowledge => "unacknowledge",
        StepKind::Assign => "assign",
        StepKind::Reassign => "reassign",
        StepKind::Note => "note",
        StepKind::Resolve => "resolve",
        StepKind::Other => "other",
    }
}

/// Who was on call at the trigger, level by level (`evidence::on_call_chain`).
#[derive(Serialize)]
pub(crate) struct OnCallView<'a> {
    policy_name: &'a str,
    policy_href: String,
    /// The configuration in effect at the trigger.
    version_from: Option<String>,
    version_record: Option<&'a str>,
    /// The chain table's rows, already HTML ([`level_rows`]).
    levels: String,
    acknowledged_level: Option<u32>,
    acknowledged_by: Option<&'a str>,
    /// The escalation table's rows, already HTML ([`escalation_rows`]); empty without any.
    escalations: String,
    /// Escalations that should have fired and did not: "level 3, due 2026-03-03 10:15 (15m)".
    missed: Vec<String>,
    /// `yes`, `no`, or `n/a` (nothing to judge).
    followed: &'static str,
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "n/a",
    }
}

struct LevelView {
    level: u32,
    paged_after: Option<String>,
    /// "Ann (Primary, override)", "nobody on call (Primary)".
    on_call: Vec<String>,
    acknowledged: bool,
}

struct EscalationView {
    level: u32,
    at: String,
    actual: String,
    expected: Option<String>,
    by_timeout: bool,
    followed: &'static str,
}

pub(crate) fn oncall_view<'a>(ctx: &'a Ctx, incident: &'a Incident) -> Option<OnCallView<'a>> {
    let tz = ctx.tz();
    let c = on_call_chain::chain(
        &ctx.inputs.pagerduty,
        &ctx.evidence.oncall.history,
        incident,
    )?;
    let levels: Vec<LevelView> = c
        .levels
        .iter()
        .map(|l| LevelView {
            level: l.level,
            paged_after: l.paged_after_secs.map(human_target),
            on_call: l
                .on_call
                .iter()
                .map(|p| {
                    let who = p.name.as_deref().unwrap_or("nobody on call");
                    match (&p.schedule, p.by_override) {
                        (Some(s), true) => format!("{who} ({s}, override)"),
                        (Some(s), false) => format!("{who} ({s})"),
                        (None, _) => who.to_string(),
                    }
                })
                .collect(),
            acknowledged: c.acknowledged_level == Some(l.level),
        })
        .collect();
    let escalations: Vec<EscalationView> = c
        .escalations
        .iter()
        .map(|e| EscalationView {
            level: e.level,
            at: local_time_secs(e.at, tz),
            actual: human_duration(e.actual_secs),
            expected: e.expected_secs.map(human_target),
            by_timeout: e.by_timeout,
            followed: yes_no(e.followed),
        })
        .collect();
    Some(OnCallView {
        policy_name: c.policy_name,
        policy_href: format!("oncall/index.html#history-{}", anchor(c.policy_id)),
        version_from: c.version_from.map(|t| local_time(t, tz)),
        version_record: c.version_introduced_by,
        levels: level_rows(&levels, c.acknowledged_by),
        acknowledged_level: c.acknowledged_level,
        acknowledged_by: c.acknowledged_by,
        escalations: escalation_rows(&escalations),
        missed: c
            .missed
            .iter()
            .map(|m| {
                format!(
                    "level {}, due {} ({} after the trigger)",
                    m.level,
                    local_time_secs(m.due, tz),
                    human_target(m.expected_secs)
                )
            })
            .collect(),
        followed: yes_no(c.followed),
    })
}

/// The on-call chain table's `<tr>` rows, one per level, and the escalation table's, one per
/// escalation: written here, not in `incident-parts.html`, for the reason [`timeline_rows`] is
/// (the two loops were a sixth of an incident page's CPU), escaped as `{{ }}` escapes.
fn level_rows(levels: &[LevelView], acknowledged_by: Option<&str>) -> String {
    let mut out = String::new();
    for l in levels {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th><td>", l.level);
        match l.paged_after.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => theme::push_escaped_html(&mut out, p),
            None => out.push_str(NONE),
        }
        out.push_str("</td><td>");
        theme::push_escaped_html(&mut out, &l.on_call.join("; "));
        out.push_str("</td><td>");
        if l.acknowledged {
            out.push_str("✓ ");
            theme::push_escaped_html(&mut out, acknowledged_by.unwrap_or_default());
        }
        out.push_str("</td></tr>");
    }
    out
}

fn escalation_rows(escalations: &[EscalationView]) -> String {
    let mut out = String::new();
    for e in escalations {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th><td>", e.level);
        theme::push_escaped_html(&mut out, &e.at);
        out.push_str("</td><td>");
        theme::push_escaped_html(&mut out, &e.actual);
        out.push_str("</td><td>");
        match e.expected.as_deref().filter(|x| !x.is_empty()) {
            Some(x) => theme::push_escaped_html(&mut out, x),
            None => out.push_str(NONE),
        }
        out.push_str(if e.by_timeout {
            "</td><td>timeout</td><td>"
        } else {
            "</td><td>manual</td><td>"
        });
        out.push_str(match e.followed {
            "n/a" => "n/a",
            "yes" => "✓",
            _ => "✗",
        });
        out.push_str("</td></tr>");
    }
    out
}

#[derive(Serialize)]
struct PostmortemRef<'a> {
    id: &'a str,
    title: &'a str,
    status: &'a Option<String>,
    href: String,
    completed: Option<String>,
    parts: usize,
    missing: Vec<&'static str>,
}

/// An empty cell's mark, as the templates write it.
const NONE: &str = "<span class=\"none\">—</span>";

/// Every incident page is `incidents/<number>.html`, one level below the site root.
const ROOT: &str = "../";

pub fn render(ctx: &Ctx) -> Result<usize> {
    let facts = &ctx.evidence.incidents;
    let shared = Shared::new(ctx);
    // The default theme's page is written in Rust (see `html`), unless the site's theme
    // overrides a template it is made of.
    let written_in_rust = ctx.uses_default_templates(&html::TEMPLATES);
    (0..facts.len()).into_par_iter().try_for_each(|i| {
        let f = &facts[i];
        let incident = ctx
            .inputs
            .incident(f.number)
            .expect("facts come from the population");
        let data = page(ctx, &shared, &incident, f, i);
        let rel = format!("incidents/{}.html", f.number);
        let title = format!("#{} {}", f.number, incident.title());
        if written_in_rust {
            ctx.write_page(&rel, html::page(&ctx.site, ROOT, &title, &data).as_bytes())
        } else {
            ctx.page("incident.html", &rel, &title, &data)
        }
    })?;
    Ok(facts.len())
}

/// The page of the `i`th in-period incident (its register row is the `i`th too).
fn page<'a>(
    ctx: &'a Ctx,
    shared: &'a Shared,
    incident: &'a Incident,
    f: &'a IncidentFacts,
    i: usize,
) -> IncidentPage<'a> {
    let tz = ctx.tz();
    let facts = &ctx.evidence.incidents;
    let sources = incident
        .sources
        .iter()
        .map(|r| SourceRef {
            file: &r.file,
            line: r.line,
            href: ctx.line_href(&r.file, r.line),
            api: r.file.ends_with(".json"),
        })
        .collect();
    let conflicts = incident
        .conflicts
        .iter()
        .map(|c| ConflictView::new(c, ctx.line_href(&c.at.file, c.at.line)))
        .collect();
    let timeline = timeline_rows(ctx, &shared.hrefs, incident, ROOT);
    let postmortems = f
        .postmortems
        .iter()
        .filter_map(|id| {
            let (pm, pf) = ctx.postmortem_by_id(id)?;
            Some(PostmortemRef {
                id: &pm.id,
                title: &pm.title,
                status: &pm.status,
                href: format!("../postmortems/{}.html", page_name(&pm.id)),
                completed: pf.completed.map(|t| local_time(t, tz)),
                parts: pf.parts_present.len(),
                missing: pf.parts_missing.iter().map(|p| p.label()).collect(),
            })
        })
        .collect();
    let IncidentRowView {
        number,
        id,
        title,
        service,
        severity,
        severity_raw,
        severity_source,
        urgency,
        created,
        created_utc,
        acknowledged,
        resolved,
        tta,
        ttr,
        ack,
        resolve,
        postmortem_links,
        postmortem_status,
        jira,
        ..
    } = ctx.row(i);
    let fields = &incident.fields;
    IncidentPage {
        number,
        id,
        incident_title: title,
        url: fields
            .url
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| pd_link(ctx, fields.id.as_deref())),
        severity_definition: f
            .severity
            .level
            .as_deref()
            .and_then(|l| shared.definitions.get(l))
            .map(String::as_str),
        severity_postmortem: &f.severity.postmortem,
        severity_postmortem_links: match &f.severity.postmortem {
            Some(pm) => postmortem_links
                .into_iter()
                .filter(|l| l.label == pm.as_str())
                .collect(),
            None => Vec::new(),
        },
        severity,
        severity_source,
        severity_raw,
        urgency,
        service,
        service_id: &fields.service_id,
        escalation_policy: &fields.escalation_policy,
        escalation_policy_id: &fields.escalation_policy_id,
        team: &fields.team,
        status: &fields.status,
        created,
        created_utc,
        acknowledged,
        acknowledged_by: &fields.acknowledged_by,
        resolved,
        resolved_by: &fields.resolved_by,
        auto_resolved: fields.auto_resolved,
        resolved_source: &fields.resolved_source,
        assigned_to: &fields.assigned_to,
        escalation_count: fields.escalation_count,
        duration_text: &fields.duration_text,
        jira,
        ack,
        tta,
        resolve,
        ttr,
        ack_note: ack_note(f),
        resolve_note: resolve_note(f),
        postmortem_status,
        postmortem_due: f.postmortem_due.map(|t| local_time_secs(t, tz)),
        postmortem_completed: f.postmortem_completed.map(|t| local_time_secs(t, tz)),
        sources,
        conflicts,
        timeline,
        on_call: oncall_view(ctx, incident),
        postmortems,
        exceptions: exceptions_about(ctx, &Subject::Incident { number: f.number }),
        prev: i.checked_sub(1).map(|j| facts[j].number),
        next: facts.get(i + 1).map(|n| n.number),
    }
}

/// A never-acknowledged incident is judged by its resolution (evidence-rules §4): say so.
fn ack_note(f: &IncidentFacts) -> Option<&'static str> {
    match (f.ack.state, f.time_to_ack.get(), f.time_to_resolve.get()) {
        (VerdictState::Met, None, Some(_)) => {
            Some("never acknowledged; resolved before the acknowledge deadline")
        }
        (VerdictState::Breached, None, Some(_)) => {
            Some("never acknowledged; resolved after the acknowledge deadline")
        }
        (VerdictState::Breached, None, None) => {
            Some("neither acknowledged nor resolved by the acknowledge deadline")
        }
        _ => None,
    }
}

/// An open incident past its deadline was not "resolved after" it: it was not resolved at all.
fn resolve_note(f: &IncidentFacts) -> Option<&'static str> {
    match (f.resolve.state, f.time_to_resolve.get()) {
        (VerdictState::Breached, None) => Some("not resolved by the deadline"),
        (VerdictState::Breached, Some(_)) => Some("resolved after the deadline"),
        _ => None,
    }
}

/// The incident in PagerDuty's web app, from `[links] pagerduty`.
fn pd_link(ctx: &Ctx, id: Option<&str>) -> Option<String> {
    let base = ctx.config.links.pagerduty.as_ref()?;
    Some(format!("{}/incidents/{}", base.trim_end_matches('/'), id?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::{config, incident, inputs};

    fn facts(i: crate::model::Incident) -> IncidentFacts {
        let inputs = inputs(vec![i], vec![]);
        crate::evidence::evaluate(&config(), &inputs).incidents[0].clone()
    }

    /// The loop `incident-parts.html` rendered the timeline with before [`timeline_rows`]
    /// replaced it, kept as the oracle the Rust rows must match byte for byte.
    const TEMPLATE_LOOP: &str = r#"{% for e in rows %}<tr class="step-{{ e.kind }}"><td>{{ e.at }}</td><td>{{ e.event }}{% if e.first_ack %} ★{% endif %}{% if e.kind == "other" %} <code>{{ e.raw_kind }}</code>{% endif %}</td><td>{% if e.agent %}{{ e.agent }}{% endif %}</td><td>{% if e.subject %}{{ e.subject }}{% endif %}</td><td>{% if e.channel %}{{ e.channel }}{% endif %}</td><td>{{ e.summary }}</td><td>{% if e.source %}{% if e.source_href %}<a href="{{ root }}{{ e.source_href }}">{{ e.source }}</a>{% else %}{{ e.source }}{% endif %}{% endif %}</td></tr>{% endfor %}"#;

    #[test]
    fn timeline_rows_are_what_the_template_loop_made() {
        use crate::model::{LogEntry, RowRef};
        let entry = |kind: &str, at: &str, agent: Option<&str>, file: Option<&str>| LogEntry {
            at: at.parse().unwrap(),
            kind: kind.into(),
            summary: format!("{kind}: \"<b>it's</b>\" & more").into(),
            agent: agent.map(Into::into),
            channel: Some(if kind == "notify" { "" } else { "sms" }.into()),
            subject: (kind == "assign").then(|| "Ann <ann@x>".into()),
            source: file.map(|f| RowRef {
                file: f.into(),
                line: 12,
            }),
        };
        let mut i = incident(1).build();
        i.fields.timeline = crate::model::Timeline::from(vec![
            entry(
                "trigger",
                "2026-03-02T15:00:00Z",
                Some("api"),
                Some("pd/a#b.jsonl"),
            ),
            entry(
                "assign",
                "2026-03-02T15:00:00Z",
                Some("api"),
                Some("pd/uncopied.jsonl"),
            ),
            entry("notify", "2026-03-02T15:00:01Z", Some(""), None),
            entry(
                "acknowledge",
                "2026-03-02T15:02:00Z",
                Some("O'Brien & <Co>"),
                None,
            ),
            entry(
                "snooze<x>",
                "2026-03-02T15:03:00Z",
                None,
                Some("pd/a#b.jsonl"),
            ),
            entry(
                "resolve",
                "2026-03-02T16:00:00Z",
                Some("Ann"),
                Some("pd/a#b.jsonl"),
            ),
        ]);
        let inputs = inputs(vec![i], vec![]);
        let config = config();
        let evidence = crate::evidence::evaluate(&config, &inputs);
        let out = crate::util::sink::HashSink::default();
        let ctx = Ctx::new(
            &config,
            &inputs,
            &evidence,
            tera::Tera::default(),
            &out,
            indicatif::ProgressBar::hidden(),
        );
        let hrefs = CopyHrefs(HashMap::from([(
            "pd/a#b.jsonl",
            "sources/pd/a%23b.jsonl".to_string(),
        )]));
        let incident = &inputs.incidents.get(0);
        let tz = ctx.tz();
        let rows: Vec<_> = timeline::steps(incident)
            .iter()
            .map(|s| {
                serde_json::json!({
                    "at": local_time_secs(s.at, tz),
                    "kind": s.kind,
                    "event": s.kind.label(),
                    "raw_kind": s.raw_kind,
                    "summary": s.summary,
                    "agent": s.agent,
                    "subject": s.subject,
                    "channel": s.channel,
                    "first_ack": s.first_ack,
                    "source": s.source.map(|r| format!("{}:{}", file_name(&r.file), r.line)),
                    "source_href": s.source.map(|r| hrefs.line(&r.file, r.line)),
                })
            })
            .collect();
        let mut context = tera::Context::new();
        context.insert("rows", &rows);
        context.insert("root", "../");
        let oracle = template_loop(TEMPLATE_LOOP, &context);
        let ours = timeline_rows(&ctx, &hrefs, incident, "../");
        assert_eq!(ours, oracle);
        for needle in [
            "step-other",
            "<code>snooze&lt;x&gt;</code>",
            "O&#x27;Brien &amp; &lt;Co&gt;",
            "href=\"../sources/pd/a%23b.jsonl.html#L12\"",
            "<td>uncopied.jsonl:12</td>",
            ">a#b.jsonl:12</a>",
            " ★",
        ] {
            assert!(ours.contains(needle), "{needle} in {ours}");
        }
    }

    /// Renders `loop_` (a template's old loop, the oracle) over `rows` as the theme would.
    fn template_loop(loop_: &str, context: &tera::Context) -> String {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("rows.html", loop_).unwrap();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(theme::escape_html);
        tera.render("rows.html", context).unwrap()
    }

    #[test]
    fn on_call_rows_are_what_the_template_loops_made() {
        const LEVELS: &str = r#"{% for l in c.levels %}<tr><th scope="row">{{ l.level }}</th><td>{% if l.paged_after %}{{ l.paged_after }}{% else %}<span class="none">—</span>{% endif %}</td><td>{{ l.on_call | join(sep="; ") }}</td><td>{% if l.acknowledged %}✓ {{ c.acknowledged_by }}{% endif %}</td></tr>{% endfor %}"#;
        const ESCALATIONS: &str = r#"{% for e in c.escalations %}<tr><th scope="row">{{ e.level }}</th><td>{{ e.at }}</td><td>{{ e.actual }}</td><td>{% if e.expected %}{{ e.expected }}{% else %}<span class="none">—</span>{% endif %}</td><td>{% if e.by_timeout %}timeout{% else %}manual{% endif %}</td><td>{% if e.followed == "n/a" %}n/a{% elif e.followed == "yes" %}✓{% else %}✗{% endif %}</td></tr>{% endfor %}"#;
        let levels = vec![
            LevelView {
                level: 1,
                paged_after: None,
                on_call: vec!["O'Brien & <Co> (Primary, override)".into(), "Bo".into()],
                acknowledged: false,
            },
            LevelView {
                level: 2,
                paged_after: Some("15m".into()),
                on_call: vec![],
                acknowledged: true,
            },
        ];
        let escalations: Vec<EscalationView> = ["yes", "no", "n/a"]
            .into_iter()
            .enumerate()
            .map(|(i, followed)| EscalationView {
                level: i as u32 + 2,
                at: "2026-03-02 10:15:00 -05:00".into(),
                actual: "15m 3s".into(),
                expected: (i != 1).then(|| "<15m>".into()),
                by_timeout: i == 0,
                followed,
            })
            .collect();
        for acknowledged_by in [Some("Ann \"A\" <a@x>"), None] {
            let json = |v: &[LevelView]| -> Vec<serde_json::Value> {
                v.iter()
                    .map(|l| {
                        serde_json::json!({"level": l.level, "paged_after": l.paged_after,
                            "on_call": l.on_call, "acknowledged": l.acknowledged})
                    })
                    .collect()
            };
            let esc: Vec<serde_json::Value> = escalations
                .iter()
                .map(|e| {
                    serde_json::json!({"level": e.level, "at": e.at, "actual": e.actual,
                        "expected": e.expected, "by_timeout": e.by_timeout, "followed": e.followed})
                })
                .collect();
            let mut context = tera::Context::new();
            context.insert(
                "c",
                &serde_json::json!({"levels": json(&levels), "escalations": esc,
                    "acknowledged_by": acknowledged_by}),
            );
            assert_eq!(
                level_rows(&levels, acknowledged_by),
                template_loop(LEVELS, &context)
            );
            assert_eq!(
                escalation_rows(&escalations),
                template_loop(ESCALATIONS, &context)
            );
        }
        assert!(level_rows(&levels, None).contains("O&#x27;Brien &amp; &lt;Co&gt;"));
        assert!(escalation_rows(&escalations).contains("&lt;15m&gt;"));
    }

    #[test]
    fn step_classes_are_the_kinds_serialized_names() {
        use StepKind::*;
        for kind in [
            Trigger,
            Notify,
            EscalateTimeout,
            EscalateManual,
            Acknowledge,
            Unacknowledge,
            Assign,
            Reassign,
            Note,
            Resolve,
            Other,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind_class(kind));
        }
    }

    #[test]
    fn verdict_notes_say_why() {
        // Created 2026-03-02 15:00 UTC; P1: acknowledge within 5m, resolve within 4h.
        let quick = facts(
            incident(1)
                .priority("P1")
                .never_acked()
                .resolved("2026-03-02T15:03:00Z")
                .build(),
        );
        assert_eq!(
            ack_note(&quick),
            Some("never acknowledged; resolved before the acknowledge deadline")
        );
        assert_eq!(resolve_note(&quick), None);
        let open = facts(
            incident(2)
                .priority("P1")
                .never_acked()
                .unresolved()
                .build(),
        );
        assert_eq!(
            ack_note(&open),
            Some("neither acknowledged nor resolved by the acknowledge deadline")
        );
        assert_eq!(resolve_note(&open), Some("not resolved by the deadline"));
        let late = facts(
            incident(3)
                .priority("P1")
                .acked("2026-03-02T15:01:00Z")
                .resolved("2026-03-02T20:00:00Z")
                .build(),
        );
        assert_eq!(ack_note(&late), None);
        assert_eq!(resolve_note(&late), Some("resolved after the deadline"));
    }
}
