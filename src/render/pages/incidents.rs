//! incidents/<number>.html: one page per in-period incident, its row, fields, timeline, sources,
//! postmortems and exceptions. Rendered in parallel: there can be 100,000 of them.

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use super::{ExceptionRef, exceptions_about};
use crate::evidence::on_call_chain;
use crate::evidence::timeline::{self, StepKind};
use crate::evidence::{IncidentFacts, Subject, VerdictState};
use crate::model::{Incident, IncidentRow, Text};
use crate::render::context::Ctx;
use crate::render::views::{ConflictView, IncidentRowView};
use crate::render::{anchor, page_name};
use crate::util::{human_duration, human_target, local_time, local_time_secs, utc_rfc3339};

#[derive(Serialize)]
struct IncidentPage<'a> {
    row: IncidentRowView,
    fields: Fields<'a>,
    severity_definition: Option<String>,
    severity_postmortem: &'a Option<String>,
    postmortem_due: Option<String>,
    postmortem_completed: Option<String>,
    /// Why the ack or resolve verdict is what it is, where the verdict alone would mislead.
    ack_note: Option<&'static str>,
    resolve_note: Option<&'static str>,
    /// Where the resolution time came from when not the record's own resolved-at value.
    resolved_source: &'a Option<Text>,
    sources: Vec<SourceRef<'a>>,
    conflicts: Vec<ConflictView<'a>>,
    timeline: Vec<TimelineEntry<'a>>,
    on_call: Option<OnCallView<'a>>,
    postmortems: Vec<PostmortemRef<'a>>,
    exceptions: Vec<ExceptionRef>,
    prev: Option<u64>,
    next: Option<u64>,
}

/// The row's own fields the page lists.
#[derive(Serialize)]
struct Fields<'a> {
    status: &'a Option<Text>,
    team: &'a Option<Text>,
    escalation_policy: &'a Option<Text>,
    service_id: &'a Option<Text>,
    escalation_policy_id: &'a Option<Text>,
    auto_resolved: Option<bool>,
    acknowledged_by: &'a Option<Text>,
    assigned_to: &'a Option<Text>,
    resolved_by: &'a Option<Text>,
    escalation_count: Option<u64>,
    duration_text: &'a Option<Text>,
    url: Option<String>,
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

/// One timeline row: a classified log entry (`evidence::timeline`), in the organisation's zone.
#[derive(Serialize)]
pub(crate) struct TimelineEntry<'a> {
    at: String,
    utc: String,
    /// `StepKind` in snake case (a CSS class) and its label.
    kind: StepKind,
    event: &'static str,
    raw_kind: &'a str,
    summary: &'a str,
    agent: Option<&'a str>,
    subject: Option<&'a str>,
    channel: Option<&'a str>,
    first_ack: bool,
    /// `file:line` of the log entry and the link to the file's copy.
    source: Option<String>,
    source_href: Option<String>,
}

/// Who was on call at the trigger, level by level (`evidence::on_call_chain`).
#[derive(Serialize)]
pub(crate) struct OnCallView<'a> {
    policy_name: &'a str,
    policy_href: String,
    /// The configuration in effect at the trigger.
    version_from: Option<String>,
    version_record: Option<&'a str>,
    levels: Vec<LevelView>,
    acknowledged_level: Option<u32>,
    acknowledged_by: Option<&'a str>,
    escalations: Vec<EscalationView>,
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

#[derive(Serialize)]
struct LevelView {
    level: u32,
    paged_after: Option<String>,
    /// "Ann (Primary, override)", "nobody on call (Primary)".
    on_call: Vec<String>,
    acknowledged: bool,
}

#[derive(Serialize)]
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
    Some(OnCallView {
        policy_name: c.policy_name,
        policy_href: format!("oncall/index.html#history-{}", anchor(c.policy_id)),
        version_from: c.version_from.map(|t| local_time(t, tz)),
        version_record: c.version_introduced_by,
        levels: c
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
            .collect(),
        acknowledged_level: c.acknowledged_level,
        acknowledged_by: c.acknowledged_by,
        escalations: c
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
            .collect(),
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

/// The incident's timeline rows (empty without log entries).
pub(crate) fn timeline_view<'a>(ctx: &Ctx, incident: &'a Incident) -> Vec<TimelineEntry<'a>> {
    let tz = ctx.tz();
    timeline::steps(incident)
        .into_iter()
        .map(|s| TimelineEntry {
            at: local_time_secs(s.at, tz),
            utc: utc_rfc3339(s.at),
            kind: s.kind,
            event: s.kind.label(),
            raw_kind: s.raw_kind,
            summary: s.summary,
            agent: s.agent,
            subject: s.subject,
            channel: s.channel,
            first_ack: s.first_ack,
            source: s.source.map(|r| format!("{}:{}", r.file, r.line)),
            source_href: s.source.map(|r| ctx.source_href(&r.file)),
        })
        .collect()
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

pub fn render(ctx: &Ctx) -> Result<usize> {
    let facts = &ctx.evidence.incidents;
    (0..facts.len()).into_par_iter().try_for_each(|i| {
        let f = &facts[i];
        let incident = ctx
            .inputs
            .incident(f.number)
            .expect("facts come from the population");
        let data = page(ctx, incident, f, i);
        let rel = format!("incidents/{}.html", f.number);
        let title = format!("#{} {}", f.number, incident.title());
        ctx.page("incident.html", &rel, &title, &data)
    })?;
    Ok(facts.len())
}

/// The page of the `i`th in-period incident (its register row is the `i`th too).
fn page<'a>(
    ctx: &'a Ctx,
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
    let timeline = timeline_view(ctx, incident);
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
    let severity = f
        .severity
        .level
        .as_deref()
        .and_then(|l| ctx.inputs.policy().severity(l));
    IncidentPage {
        row: ctx.row(i),
        fields: fields(ctx, &incident.fields),
        severity_definition: severity.map(|s| format!("{} ({})", s.name, s.definition)),
        severity_postmortem: &f.severity.postmortem,
        postmortem_due: f.postmortem_due.map(|t| local_time_secs(t, tz)),
        postmortem_completed: f.postmortem_completed.map(|t| local_time_secs(t, tz)),
        ack_note: ack_note(f),
        resolve_note: resolve_note(f),
        resolved_source: &incident.fields.resolved_source,
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
    match (f.ack.state, f.time_to_ack, f.time_to_resolve) {
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
    match (f.resolve.state, f.time_to_resolve) {
        (VerdictState::Breached, None) => Some("not resolved by the deadline"),
        (VerdictState::Breached, Some(_)) => Some("resolved after the deadline"),
        _ => None,
    }
}

fn fields<'a>(ctx: &Ctx, fields: &'a IncidentRow) -> Fields<'a> {
    Fields {
        status: &fields.status,
        team: &fields.team,
        escalation_policy: &fields.escalation_policy,
        service_id: &fields.service_id,
        escalation_policy_id: &fields.escalation_policy_id,
        auto_resolved: fields.auto_resolved,
        acknowledged_by: &fields.acknowledged_by,
        assigned_to: &fields.assigned_to,
        resolved_by: &fields.resolved_by,
        escalation_count: fields.escalation_count,
        duration_text: &fields.duration_text,
        url: fields
            .url
            .as_deref()
            .map(str::to_string)
            .or_else(|| pd_link(ctx, fields.id.as_deref())),
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
