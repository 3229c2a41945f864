//! Writes every page of the site into an output directory.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use tera::Tera;

use super::markdown;
use super::theme;
use super::views::*;
use crate::config::Config;
use crate::evidence::{Evidence, ExceptionKind, Part, Subject};
use crate::model::Inputs;
use crate::model::{Postmortem, SourceKind};
use crate::util::{local_time, local_time_secs, utc_rfc3339};

/// Everything a page renderer needs.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub inputs: &'a Inputs,
    pub evidence: &'a Evidence,
    pub tera: Tera,
    pub site: SiteView,
    pub rows: Vec<IncidentRowView>,
    pub out: &'a Path,
    /// Exceptions by subject, so a page finds its own without scanning them all.
    pub by_subject: BTreeMap<&'a Subject, Vec<&'a crate::evidence::Exception>>,
    /// Management responses by exception id.
    pub responses: BTreeMap<&'a str, &'a crate::model::Response>,
    pub jira: JiraLinks,
}

/// Renders the whole site into `out` (which must exist and be empty).
pub fn render_site(
    config: &Config,
    inputs: &Inputs,
    evidence: &Evidence,
    out: &Path,
) -> Result<()> {
    let tera = theme::templates(&config.root, &config.theme.name)?;
    let has_oncall = super::oncall::has_oncall(inputs);
    let has_audit = super::oncall::has_audit_log(inputs);
    let mut by_subject: BTreeMap<&Subject, Vec<&crate::evidence::Exception>> = BTreeMap::new();
    for e in &evidence.exceptions {
        by_subject.entry(&e.subject).or_default().push(e);
    }
    let jira = JiraLinks::new(config, inputs);
    let rows = register_rows(config, inputs, evidence, &jira);
    let ctx = Ctx {
        jira,
        rows,
        config,
        inputs,
        evidence,
        tera,
        site: SiteView::new(config, has_oncall, has_audit, !inputs.samples.is_empty()),
        out,
        by_subject,
        responses: inputs
            .responses
            .iter()
            .map(|r| (r.exception.as_str(), r))
            .collect(),
    };
    write_assets(&ctx)?;
    copy_sources(&ctx)?;
    let charts = super::charts_page::write_charts(&ctx)?;
    index(&ctx, &charts)?;
    severity_pages(&ctx)?;
    register(&ctx)?;
    incident_pages(&ctx)?;
    postmortem_pages(&ctx, &charts)?;
    policy_pages(&ctx)?;
    population(&ctx)?;
    exceptions(&ctx, &charts)?;
    controls(&ctx)?;
    method(&ctx)?;
    verify(&ctx)?;
    samples(&ctx)?;
    super::oncall::pages(&ctx, &charts)?;
    write(
        out,
        "data/summary.json",
        evidence.summary.to_json().as_bytes(),
    )?;
    super::register::write_csv(out, config, &ctx.rows)?;
    super::register::write_xlsx(out, config, &ctx.rows)?;
    Ok(())
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

impl Ctx<'_> {
    /// Renders `template` to `rel` with the common context (site, root prefix, title, crumbs).
    pub fn page(&self, template: &str, rel: &str, title: &str, data: Value) -> Result<()> {
        let html = self.render_page(template, rel, title, data)?;
        write(self.out, rel, html.as_bytes())
    }

    pub fn render_page(
        &self,
        template: &str,
        rel: &str,
        title: &str,
        data: Value,
    ) -> Result<String> {
        let depth = rel.matches('/').count();
        let root = "../".repeat(depth);
        let mut context = tera::Context::new();
        context.insert("site", &self.site);
        context.insert("root", &root);
        context.insert("title", title);
        context.insert("page_path", rel);
        if let Value::Object(map) = data {
            for (k, v) in map {
                context.insert(k, &v);
            }
        }
        self.tera.render(template, &context).map_err(|e| {
            anyhow::anyhow!("rendering {rel} with {template}: {}", theme::tera_chain(&e))
        })
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.config.tz()
    }
}

fn write_assets(ctx: &Ctx) -> Result<()> {
    for (name, bytes) in theme::assets(&ctx.config.root, &ctx.config.theme.name)? {
        write(ctx.out, &format!("assets/{name}"), &bytes)?;
    }
    Ok(())
}

/// Verbatim copies of every input under `sources/`.
fn copy_sources(ctx: &Ctx) -> Result<()> {
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
    }
    Ok(())
}

fn source_href(ctx: &Ctx, file: &str) -> String {
    ctx.inputs
        .sources
        .iter()
        .find(|s| s.path == file)
        .map(|s| crate::util::encode_href(&s.copy))
        .unwrap_or_default()
}

/// Per severity: the headline figures of the dashboard, from summary.json's numbers.
/// `n` of `d` as a percentage with one decimal, or a dash when nothing was judged.
fn share(n: u64, d: u64) -> String {
    if d == 0 {
        "–".to_string()
    } else {
        format!("{:.1} %", n as f64 * 100.0 / d as f64)
    }
}

/// Per severity: the headline figures of the dashboard, the same numbers as summary.json.
fn severity_figures(ctx: &Ctx) -> Vec<Value> {
    let by_sev = &ctx.evidence.summary.by_severity;
    let policy = ctx.inputs.policy();
    let unclassified = crate::evidence::summary::SeverityCounts {
        incidents: by_sev.unclassified,
        ..Default::default()
    };
    let levels = policy
        .severities
        .iter()
        .map(|s| {
            let counts = by_sev
                .levels
                .iter()
                .find(|(l, _)| *l == s.level)
                .map(|(_, c)| *c);
            (
                s.level.clone(),
                s.name.clone(),
                Some(s),
                counts.unwrap_or_default(),
            )
        })
        .chain(std::iter::once((
            "unclassified".to_string(),
            "Unclassified".to_string(),
            None,
            unclassified,
        )));
    levels
        .map(|(level, name, sev, c)| {
            let target =
                |t: Option<crate::model::Target>| t.map(|t| t.to_string()).unwrap_or_default();
            let req = c.postmortem_required;
            json!({
                "level": level, "name": name,
                "incidents": c.incidents,
                "ack_target": target(sev.and_then(|s| s.ack)),
                "resolve_target": target(sev.and_then(|s| s.resolve)),
                "postmortem_target": target(sev.and_then(|s| s.postmortem)),
                "ack_met": c.ack_met, "ack_breached": c.ack_breached,
                "ack_pct": share(c.ack_met, c.ack_met + c.ack_breached),
                "resolve_met": c.resolve_met, "resolve_breached": c.resolve_breached,
                "resolve_pct": share(c.resolve_met, c.resolve_met + c.resolve_breached),
                "pm_required": req,
                "pm_present": c.postmortem_present,
                "pm_on_time": c.postmortem_on_time,
                "pm_complete": c.postmortem_complete,
                "pm_present_pct": share(c.postmortem_present, req),
                "pm_on_time_pct": share(c.postmortem_on_time, req),
                "pm_complete_pct": share(c.postmortem_complete, req),
                "href": format!("severities/{}.html", page_name(&level)),
            })
        })
        .collect()
}

fn exception_counts(ctx: &Ctx) -> Vec<Value> {
    ExceptionKind::ALL
        .iter()
        .map(|k| {
            let n = ctx.evidence.exceptions.iter().filter(|e| e.kind == *k).count();
            let answered = ctx
                .evidence
                .exceptions
                .iter()
                .filter(|e| e.kind == *k && response_for(ctx, &e.id).is_some())
                .count();
            json!({"kind": k.name(), "label": kind_label(*k), "count": n, "answered": answered,
                   "criterion": k.criterion(), "href": format!("exceptions.html#kind-{}", k.name())})
        })
        .collect()
}

pub fn kind_label(k: ExceptionKind) -> &'static str {
    match k {
        ExceptionKind::AckBreach => "Acknowledged after the target",
        ExceptionKind::ResolveBreach => "Resolved after the target",
        ExceptionKind::SeverityMissing => "No severity matching the policy",
        ExceptionKind::ResponseDataMissing => "No response-time data",
        ExceptionKind::PostmortemMissing => "Required postmortem missing",
        ExceptionKind::PostmortemLate => "Postmortem completed late",
        ExceptionKind::PostmortemIncomplete => "Postmortem lacks required parts",
        ExceptionKind::OrphanPostmortem => "Postmortem linked to no known incident",
        ExceptionKind::ActionItemUntracked => "Action item without a tracker ticket",
        ExceptionKind::ActionItemOverdue => "Action item overdue",
        ExceptionKind::CoverageGap => "Nobody on call (coverage gap)",
        ExceptionKind::EscalationDrift => "Escalation path differs from the policy",
    }
}

fn response_for<'a>(ctx: &'a Ctx, id: &str) -> Option<&'a crate::model::Response> {
    ctx.responses.get(id).copied()
}

/// The evidence facts of an in-period incident (they are sorted by number).
fn facts_of<'a>(ctx: &'a Ctx, number: u64) -> Option<&'a crate::evidence::IncidentFacts> {
    let facts = &ctx.evidence.incidents;
    facts
        .binary_search_by_key(&number, |f| f.number)
        .ok()
        .map(|i| &facts[i])
}

fn index(ctx: &Ctx, charts: &[super::charts_page::ChartView]) -> Result<()> {
    let a = &ctx.inputs.accounting;
    let policy = ctx.inputs.policy();
    let total_exceptions = ctx.evidence.exceptions.len();
    let answered = ctx
        .evidence
        .exceptions
        .iter()
        .filter(|e| response_for(ctx, &e.id).is_some())
        .count();
    let p1 = severity_figures(ctx).into_iter().next();
    ctx.page(
        "index.html",
        "index.html",
        "Incident management evidence",
        json!({
            "population": a,
            "policy": {"title": policy.title, "version": policy.version, "href": format!("policies/{}.html", policy.slug),
                       "effective": policy.effective.map(|d| d.to_string()), "approved_by": policy.approved_by},
            "severities": severity_figures(ctx),
            "first": p1,
            "exception_counts": exception_counts(ctx),
            "exceptions_total": total_exceptions,
            "exceptions_answered": answered,
            "postmortems": ctx.inputs.postmortems.len(),
            "months": month_rows(ctx),
            "charts": charts,
        }),
    )
}

/// The per-month trend table of the dashboard.
fn month_rows(ctx: &Ctx) -> Vec<Value> {
    ctx.evidence
        .months
        .iter()
        .map(|m| {
            let sum = |f: fn(&crate::evidence::MonthSeverity) -> u64| {
                m.by_severity.iter().map(f).sum::<u64>()
            };
            let (am, ab) = (sum(|s| s.ack_met), sum(|s| s.ack_breached));
            let (rm, rb) = (sum(|s| s.resolve_met), sum(|s| s.resolve_breached));
            json!({
                "month": m.month,
                "incidents": sum(|s| s.incidents),
                "by_severity": m.by_severity.iter().map(|s| s.incidents).collect::<Vec<_>>(),
                "ack_pct": share(am, am + ab), "ack_breached": ab,
                "resolve_pct": share(rm, rm + rb), "resolve_breached": rb,
                "pm_on_time": m.postmortems_on_time, "pm_late": m.postmortems_late,
                "pm_missing": m.postmortems_missing, "pm_pending": m.postmortems_pending,
            })
        })
        .collect()
}

/// One page per severity level (and unclassified): its figures, its charts, its incidents.
fn severity_pages(ctx: &Ctx) -> Result<()> {
    let figures = severity_figures(ctx);
    let policy = ctx.inputs.policy();
    for fig in &figures {
        let level = fig["level"].as_str().unwrap_or_default();
        let sev = policy.severity(level);
        let charts: Vec<super::charts_page::ChartView> = match sev {
            Some(s) => super::charts_page::write_charts_for(
                ctx,
                super::charts::severity_charts(&ctx.evidence.months, s),
            )?,
            None => Vec::new(),
        };
        let rows: Vec<&IncidentRowView> = ctx.rows.iter().filter(|r| r.severity == level).collect();
        let rel = format!("severities/{}.html", page_name(level));
        let title = match sev {
            Some(s) => format!("{} {}", s.level, s.name),
            None => "Unclassified incidents".to_string(),
        };
        ctx.page(
            "severity.html",
            &rel,
            &title,
            json!({"figure": fig, "definition": sev.map(|s| s.definition.clone()),
                   "aliases": sev.map(|s| s.aliases.join(", ")), "charts": charts, "rows": rows,
                   "policy_href": format!("policies/{}.html", policy.slug)}),
        )?;
    }
    Ok(())
}

fn register(ctx: &Ctx) -> Result<()> {
    let levels: Vec<String> = ctx
        .inputs
        .policy()
        .severities
        .iter()
        .map(|s| s.level.clone())
        .chain(std::iter::once("unclassified".to_string()))
        .collect();
    ctx.page(
        "register.html",
        "incidents/index.html",
        "Incident register",
        json!({"rows_html": register_rows_html(ctx)?, "row_count": ctx.rows.len(),
               "levels": levels, "population": ctx.inputs.accounting}),
    )
}

/// The register's rows, each rendered from `register-row.html` in parallel. One small context per
/// row instead of one context holding every row keeps a 100,000-incident register affordable.
fn register_rows_html(ctx: &Ctx) -> Result<String> {
    let rows: Vec<String> = ctx
        .rows
        .par_iter()
        .map(|r| {
            let mut context = tera::Context::new();
            context.insert("r", r);
            context.insert("root", "../");
            ctx.tera.render("register-row.html", &context).map_err(|e| {
                anyhow::anyhow!(
                    "rendering a register row with register-row.html: {}",
                    theme::tera_chain(&e)
                )
            })
        })
        .collect::<Result<_>>()?;
    Ok(rows.concat())
}

fn incident_pages(ctx: &Ctx) -> Result<()> {
    let facts = &ctx.evidence.incidents;
    (0..facts.len()).into_par_iter().try_for_each(|i| {
        let f = &facts[i];
        let incident = ctx
            .inputs
            .incident(f.number)
            .expect("facts come from the population");
        let row = &ctx.rows[i];
        let data = incident_data(ctx, incident, f, row, i);
        let rel = format!("incidents/{}.html", f.number);
        let title = format!("#{} {}", f.number, incident.title());
        ctx.page("incident.html", &rel, &title, data)
    })
}

fn incident_data(
    ctx: &Ctx,
    incident: &crate::model::Incident,
    f: &crate::evidence::IncidentFacts,
    row: &IncidentRowView,
    i: usize,
) -> Value {
    let tz = ctx.tz();
    let fields = &incident.fields;
    let facts = &ctx.evidence.incidents;
    let sources: Vec<Value> = incident
        .sources
        .iter()
        .map(|r| {
            json!({"file": r.file, "line": r.line, "href": source_href(ctx, &r.file),
                        "api": r.file.ends_with(".json")})
        })
        .collect();
    let conflicts: Vec<Value> = incident
        .conflicts
        .iter()
        .map(|c| json!({"file": c.at.file, "line": c.at.line, "field": c.field, "kept": c.kept, "other": c.other,
                        "href": source_href(ctx, &c.at.file)}))
        .collect();
    let timeline: Vec<Value> = fields
        .timeline
        .iter()
        .map(|e| {
            json!({"at": local_time_secs(e.at, tz), "utc": utc_rfc3339(e.at), "kind": e.kind,
                        "summary": e.summary, "agent": e.agent, "channel": e.channel})
        })
        .collect();
    let postmortems: Vec<Value> = f
        .postmortems
        .iter()
        .filter_map(|id| {
            let (pm, pf) = postmortem_by_id(ctx, id)?;
            Some(json!({"id": pm.id, "title": pm.title, "status": pm.status, "href": format!("../postmortems/{}.html", page_name(&pm.id)),
                        "completed": pf.completed.map(|t| local_time(t, tz)),
                        "parts": pf.parts_present.len(), "missing": pf.parts_missing.iter().map(|p| p.label()).collect::<Vec<_>>()}))
        })
        .collect();
    let exceptions = exceptions_about(ctx, &Subject::Incident { number: f.number });
    let severity = f
        .severity
        .level
        .as_deref()
        .and_then(|l| ctx.inputs.policy().severity(l));
    json!({
        "row": row,
        "fields": {
            "status": fields.status, "team": fields.team, "escalation_policy": fields.escalation_policy,
            "service_id": fields.service_id, "escalation_policy_id": fields.escalation_policy_id,
            "auto_resolved": fields.auto_resolved, "acknowledged_by": fields.acknowledged_by,
            "assigned_to": fields.assigned_to, "resolved_by": fields.resolved_by,
            "escalation_count": fields.escalation_count, "duration_text": fields.duration_text,
            "url": fields.url.clone().or_else(|| pd_link(ctx, fields.id.as_deref())),
        },
        "severity_definition": severity.map(|s| format!("{} ({})", s.name, s.definition)),
        "severity_postmortem": f.severity.postmortem,
        "postmortem_due": f.postmortem_due.map(|t| local_time_secs(t, tz)),
        "postmortem_completed": f.postmortem_completed.map(|t| local_time_secs(t, tz)),
        "sources": sources,
        "conflicts": conflicts,
        "timeline": timeline,
        "postmortems": postmortems,
        "exceptions": exceptions,
        "prev": i.checked_sub(1).map(|j| facts[j].number),
        "next": facts.get(i + 1).map(|n| n.number),
    })
}

fn pd_link(ctx: &Ctx, id: Option<&str>) -> Option<String> {
    let base = ctx.config.links.pagerduty.as_ref()?;
    Some(format!("{}/incidents/{}", base.trim_end_matches('/'), id?))
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

fn postmortem_by_id<'a>(
    ctx: &'a Ctx,
    id: &str,
) -> Option<(&'a Postmortem, &'a crate::evidence::PostmortemFacts)> {
    let i = ctx
        .inputs
        .postmortems
        .binary_search_by(|p| p.id.as_str().cmp(id))
        .ok()?;
    Some((&ctx.inputs.postmortems[i], &ctx.evidence.postmortems[i]))
}

fn postmortem_pages(ctx: &Ctx, charts: &[super::charts_page::ChartView]) -> Result<()> {
    let tz = ctx.tz();
    let mut list = Vec::new();
    for (pm, pf) in ctx.inputs.postmortems.iter().zip(&ctx.evidence.postmortems) {
        let incidents: Vec<Value> = pf
            .links
            .iter()
            .map(|l| {
                let facts = l.number.and_then(|n| facts_of(ctx, n));
                json!({"label": l.label, "number": l.number, "mismatch": l.mismatch,
                       "in_period": facts.is_some(),
                       "href": l.number.filter(|_| facts.is_some()).map(|n| format!("../incidents/{n}.html")),
                       "due": facts.and_then(|f| f.postmortem_due).map(|t| local_time_secs(t, tz)),
                       "state": facts.map(|f| postmortem_state_text(f.postmortem))})
            })
            .collect();
        let items: Vec<Value> = pm
            .action_items
            .iter()
            .zip(&pf.action_items)
            .map(|(a, af)| {
                let href = a.tracker_key.as_deref().and_then(|k| ctx.jira.href(k)).or(a.tracker_url.clone().filter(|u| crate::util::is_web_url(u)));
                json!({"key": a.key, "title": a.title, "type": a.kind, "owner": a.owner,
                       "due": a.due_date.map(|d| d.to_string()), "status": a.status,
                       "tracker": a.tracker_key.clone().or(a.tracker_url.clone()), "href": href,
                       "done": af.done, "status_source": af.status_source, "jira_status": af.jira_status,
                       "untracked": af.untracked, "overdue": af.overdue,
                       "exceptions": exceptions_about(ctx, &Subject::ActionItem { postmortem: pm.id.clone(), item: a.key.clone() })})
            })
            .collect();
        let parts: Vec<Value> = Part::ALL
            .iter()
            .map(|p| json!({"label": p.label(), "present": pf.parts_present.contains(p)}))
            .collect();
        let t = &pm.timestamps;
        let times: Vec<Value> = [
            ("Impact started", t.impact_started_at),
            ("Detected", t.detected_at),
            ("Acknowledged", t.acknowledged_at),
            ("Mitigated", t.mitigated_at),
            ("Resolved", t.resolved_at),
            ("Postmortem created", t.created_at),
            ("Postmortem completed", t.completed_at),
        ]
        .iter()
        .filter_map(|(label, at)| {
            at.map(|at| json!({"label": label, "at": local_time(at, tz), "utc": utc_rfc3339(at)}))
        })
        .collect();
        let md = |s: &Option<String>| s.as_deref().map(markdown::to_html);
        let data = json!({
            "pm": {
                "id": pm.id, "title": pm.title, "status": pm.status, "severity": pm.severity, "priority": pm.priority,
                "services": pm.services, "owner": pm.owner, "responders": pm.responders,
                "analysis_method": pm.analysis_method, "detection": pm.detection,
                "summary": md(&pm.summary), "resolution": md(&pm.resolution),
                "impact_description": md(&pm.impact_description),
                "impact": pm.impact.as_ref().map(|fields| fields.iter().map(|(k, v)| json!({"k": k.replace('_', " "), "v": v})).collect::<Vec<_>>()),
                "root_causes": pm.root_causes.iter().map(|r| markdown::to_html(r)).collect::<Vec<_>>(),
                "preventive_measures": pm.preventive_measures.iter().map(|r| markdown::inline(r)).collect::<Vec<_>>(),
                "timeline": pm.timeline.iter().map(|e| json!({"at": e.at.map(|a| local_time(a, tz)), "event": markdown::inline(&e.event), "source": e.source})).collect::<Vec<_>>(),
                "lessons": pm.lessons.iter().map(|(k, items)| json!({"k": k, "items": items.iter().map(|i| markdown::inline(i)).collect::<Vec<_>>()})).collect::<Vec<_>>(),
                "review": pm.review,
                "extensions": if pm.extensions.is_empty() { None } else { serde_json::to_string_pretty(&pm.extensions).ok() },
                "source": pm.source, "source_href": format!("../{}", source_href(ctx, &pm.source)),
            },
            "facts": pf,
            "incidents": incidents,
            "items": items,
            "parts": parts,
            "times": times,
            "exceptions": exceptions_about(ctx, &Subject::Postmortem { id: pm.id.clone() }),
        });
        let rel = format!("postmortems/{}.html", page_name(&pm.id));
        ctx.page(
            "postmortem.html",
            &rel,
            &format!("{} {}", pm.id, pm.title),
            data,
        )?;
        list.push(json!({
            "id": pm.id, "title": pm.title, "status": pm.status, "severity": pm.severity,
            "href": format!("{}.html", page_name(&pm.id)),
            "incidents": pf.links.iter().map(|l| json!({"label": l.label, "number": l.number,
                "href": l.number.filter(|n| facts_of(ctx, *n).is_some()).map(|n| format!("../incidents/{n}.html"))})).collect::<Vec<_>>(),
            "completed": pf.completed.map(|t| local_time(t, tz)),
            "parts": pf.parts_present.len(), "orphan": pf.orphan, "in_scope": pf.in_scope,
            "items": pm.action_items.len(),
            "items_open": pf.action_items.iter().filter(|a| !a.done).count(),
        }));
    }
    let orphans: Vec<&Value> = list.iter().filter(|p| p["orphan"] == json!(true)).collect();
    ctx.page(
        "postmortems.html",
        "postmortems/index.html",
        "Postmortems",
        json!({"postmortems": list, "orphans": orphans,
               "chart": charts.iter().find(|c| c.file.starts_with("postmortems"))}),
    )
}

fn exceptions_about(ctx: &Ctx, subject: &Subject) -> Vec<Value> {
    ctx.by_subject
        .get(subject)
        .into_iter()
        .flatten()
        .map(|e| json!({"id": e.id, "kind": e.kind.name(), "label": kind_label(e.kind), "anchor": anchor(&e.id), "response": response_for(ctx, &e.id).is_some()}))
        .collect()
}

fn policy_pages(ctx: &Ctx) -> Result<()> {
    let mut list = Vec::new();
    for (i, p) in ctx.inputs.policies.iter().enumerate() {
        let data = json!({
            "policy": p,
            "is_response_policy": i == ctx.inputs.policy,
            "body": markdown::to_html(&p.body_markdown),
            "severities": p.severities.iter().map(|s| json!({
                "level": s.level, "name": s.name, "aliases": s.aliases.join(", "), "definition": s.definition,
                "ack": s.ack.map(|t| t.to_string()), "resolve": s.resolve.map(|t| t.to_string()),
                "postmortem": s.postmortem.map(|t| t.to_string())})).collect::<Vec<_>>(),
            "escalation": p.escalation.iter().map(|e| json!({"level": e.level, "role": e.role,
                "paged_after": crate::util::human_target(e.paged_after_secs)})).collect::<Vec<_>>(),
            "source_href": format!("../{}", source_href(ctx, &p.source)),
        });
        ctx.page(
            "policy.html",
            &format!("policies/{}.html", p.slug),
            &p.title,
            data,
        )?;
        list.push(json!({"title": p.title, "version": p.version, "effective": p.effective, "approved_by": p.approved_by,
                         "approved_on": p.approved_on, "href": format!("{}.html", p.slug), "is_response_policy": i == ctx.inputs.policy}));
    }
    ctx.page(
        "policies.html",
        "policies/index.html",
        "Policies",
        json!({"policies": list}),
    )
}

fn population(ctx: &Ctx) -> Result<()> {
    let numbers: Vec<u64> = ctx.inputs.incidents.iter().map(|i| i.number).collect();
    let in_period: Vec<u64> = ctx
        .inputs
        .incidents
        .iter()
        .filter(|i| i.in_period)
        .map(|i| i.number)
        .collect();
    let gaps: Vec<Value> = crate::ingest::population::number_gaps(&numbers)
        .into_iter()
        .map(|(a, b)| json!({"from": a, "to": b, "count": b - a + 1}))
        .collect();
    let sources: Vec<Value> = ctx
        .inputs
        .sources
        .iter()
        .map(|s| json!({"path": s.path, "href": crate::util::encode_href(&s.copy), "kind": source_kind(s.kind), "sha256": s.sha256, "bytes": s.bytes,
                        "accounting": s.accounting, "notes": s.notes,
                        "renamed": s.copy != format!("sources/{}", s.path),
                        "incidents": matches!(s.kind, SourceKind::IncidentCsv | SourceKind::PagerDutySnapshot) && s.accounting.rows_read > 0}))
        .collect();
    let rejected: Vec<Value> = ctx
        .inputs
        .rejected
        .iter()
        .map(|r| json!({"file": r.at.file, "line": r.at.line, "reason": r.reason, "href": source_href(ctx, &r.at.file)}))
        .collect();
    let conflicts: Vec<Value> = ctx
        .inputs
        .incidents
        .iter()
        .flat_map(|i| i.conflicts.iter())
        .map(|c| json!({"number": c.number, "file": c.at.file, "line": c.at.line, "field": c.field, "kept": c.kept, "other": c.other,
                        "href": source_href(ctx, &c.at.file)}))
        .collect();
    let tz = ctx.tz();
    ctx.page(
        "population.html",
        "population.html",
        "Population: completeness and accuracy",
        json!({
            "total": ctx.inputs.accounting,
            "balances": ctx.inputs.accounting.balances(),
            "sources": sources,
            "rejected": rejected,
            "conflicts": conflicts,
            "first": in_period.first(), "last": in_period.last(),
            "first_any": numbers.first(), "last_any": numbers.last(),
            "gaps": gaps,
            "period_start": local_time(ctx.evidence.period_start, tz), "period_start_utc": utc_rfc3339(ctx.evidence.period_start),
            "period_end": local_time(ctx.evidence.period_end, tz), "period_end_utc": utc_rfc3339(ctx.evidence.period_end),
            "fetch": super::oncall::fetch_records(ctx),
            "findings": ctx.inputs.findings.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        }),
    )
}

fn source_kind(k: SourceKind) -> &'static str {
    match k {
        SourceKind::IncidentCsv => "incident export (CSV)",
        SourceKind::Postmortem => "postmortem",
        SourceKind::Policy => "policy",
        SourceKind::PagerDutySnapshot => "PagerDuty API snapshot",
        SourceKind::JiraSnapshot => "Jira snapshot",
        SourceKind::Response => "management response",
        SourceKind::Sample => "sample record",
    }
}

/// Link to the page that evidences an exception's subject.
fn subject_link(ctx: &Ctx, s: &Subject) -> Link {
    match s {
        Subject::Incident { number } => Link {
            label: format!("Incident #{number}"),
            href: format!("incidents/{number}.html"),
        },
        Subject::Postmortem { id } => Link {
            label: id.clone(),
            href: format!("postmortems/{}.html", page_name(id)),
        },
        Subject::ActionItem { postmortem, item } => Link {
            label: format!("{postmortem} action item {item}"),
            href: format!(
                "postmortems/{}.html#item-{}",
                page_name(postmortem),
                anchor(item)
            ),
        },
        Subject::CoverageGap {
            escalation_policy,
            start,
        } => Link {
            label: format!(
                "{} from {start}",
                super::oncall::policy_name(ctx, escalation_policy)
            ),
            href: format!("oncall/index.html#ep-{}", anchor(escalation_policy)),
        },
        Subject::EscalationDrift {
            escalation_policy,
            level,
        } => Link {
            label: format!(
                "{} level {level}",
                super::oncall::policy_name(ctx, escalation_policy)
            ),
            href: format!("oncall/index.html#ep-{}", anchor(escalation_policy)),
        },
    }
}

#[derive(Serialize)]
struct KindGroup {
    kind: &'static str,
    label: &'static str,
    criterion: &'static str,
    items: Vec<Value>,
}

fn exceptions(ctx: &Ctx, charts: &[super::charts_page::ChartView]) -> Result<()> {
    let mut groups = Vec::new();
    for kind in ExceptionKind::ALL {
        let items: Vec<Value> = ctx
            .evidence
            .exceptions
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| {
                let response = response_for(ctx, &e.id).map(|r| json!({
                    "owner": r.owner, "date": r.date.to_string(), "status": r.status, "remediation": r.remediation,
                    "body": markdown::to_html(&r.body_markdown), "href": source_href(ctx, &r.source)}));
                json!({"id": e.id, "anchor": anchor(&e.id), "subject": subject_link(ctx, &e.subject), "rule": e.rule,
                       "required": e.required, "actual": e.actual, "response": response})
            })
            .collect();
        groups.push(KindGroup {
            kind: kind.name(),
            label: kind_label(kind),
            criterion: kind.criterion(),
            items,
        });
    }
    let known: std::collections::BTreeSet<&str> = ctx
        .evidence
        .exceptions
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    let unmatched: Vec<Value> = ctx
        .inputs
        .responses
        .iter()
        .filter(|r| !known.contains(r.exception.as_str()))
        .map(|r| json!({"exception": r.exception, "source": r.source, "href": source_href(ctx, &r.source)}))
        .collect();
    let chart = charts.iter().find(|c| c.file.starts_with("exceptions"));
    ctx.page(
        "exceptions.html",
        "exceptions.html",
        "Exceptions",
        json!({"groups": groups, "counts": exception_counts(ctx), "total": ctx.evidence.exceptions.len(),
               "unmatched": unmatched, "chart": chart}),
    )
}

/// The criteria this package evidences, by id and a short title in our own words (the AICPA
/// criteria text is copyrighted and not reproduced).
pub const CRITERIA: &[(&str, &str, &str)] = &[
    (
        "CC7.2",
        "Monitoring and detection",
        "Anomalies are detected by monitoring and reach a responder: every incident of the population, how it was detected, and whether response data exists for it.",
    ),
    (
        "CC7.3",
        "Evaluation and response to incidents",
        "Events are evaluated and classified by severity, assigned through escalation policies and on-call schedules, and answered within the documented response targets.",
    ),
    (
        "CC7.4",
        "Incident response program and analysis",
        "Incidents that require it are analysed in postmortems with timeline, root cause, customer impact, corrective and preventive actions.",
    ),
    (
        "CC7.5",
        "Recovery and remediation",
        "Corrective actions are tracked to completion in the ticketing system by their due dates.",
    ),
];

fn controls(ctx: &Ctx) -> Result<()> {
    let evidence_for = |id: &str| -> Vec<Value> {
        let l = |label: &str, href: &str| json!({"label": label, "href": href});
        match id {
            "CC7.2" => vec![
                l(
                    "Population: every input row accounted for",
                    "population.html",
                ),
                l("Incident register", "incidents/index.html"),
                l("Register (CSV)", "data/register.csv"),
            ],
            "CC7.3" => vec![
                l(
                    "Incident response policy: severity matrix and targets",
                    &format!("policies/{}.html", ctx.inputs.policy().slug),
                ),
                l("Incident register with verdicts", "incidents/index.html"),
                l("Response figures per severity", "index.html#figures"),
                l("On-call and escalation", "oncall/index.html"),
                l(
                    "PagerDuty audit log: administration of the incident tooling",
                    "audit-log/index.html",
                ),
                l("Samples drawn for testing", "sample.html"),
                l("Method: the rules as applied", "method.html"),
            ],
            "CC7.4" => vec![
                l(
                    "Postmortems and their five-part checklist",
                    "postmortems/index.html",
                ),
                l("Postmortem figures per severity", "index.html#figures"),
            ],
            _ => vec![
                l(
                    "Postmortem action items and Jira status",
                    "postmortems/index.html",
                ),
                l("Exceptions and management responses", "exceptions.html"),
            ],
        }
        .into_iter()
        .filter(|v| match v["href"].as_str() {
            Some("oncall/index.html") => ctx.site.has_oncall,
            Some("audit-log/index.html") => ctx.site.has_audit_log,
            Some("sample.html") => ctx.site.has_samples,
            _ => true,
        })
        .collect()
    };
    let rows: Vec<Value> = CRITERIA
        .iter()
        .map(|(id, title, what)| {
            let kinds: Vec<Value> = ExceptionKind::ALL
                .iter()
                .filter(|k| k.criterion() == *id)
                .map(|k| json!({"kind": k.name(), "label": kind_label(*k), "count": ctx.evidence.exceptions.iter().filter(|e| e.kind == *k).count(),
                                "href": format!("exceptions.html#kind-{}", k.name())}))
                .collect();
            let total: usize = kinds.iter().map(|k| k["count"].as_u64().unwrap_or(0) as usize).sum();
            json!({"id": id, "title": title, "what": what, "evidence": evidence_for(id), "kinds": kinds, "total": total})
        })
        .collect();
    ctx.page(
        "controls.html",
        "controls.html",
        "Control matrix",
        json!({"criteria": rows}),
    )
}

fn method(ctx: &Ctx) -> Result<()> {
    let tz = ctx.tz();
    let bh = &ctx.config.business_hours;
    let p = ctx.inputs.policy();
    ctx.page(
        "method.html",
        "method.html",
        "Method: the evidence rules as applied",
        json!({
            "period_start": local_time(ctx.evidence.period_start, tz), "period_start_utc": utc_rfc3339(ctx.evidence.period_start),
            "period_end": local_time(ctx.evidence.period_end, tz), "period_end_utc": utc_rfc3339(ctx.evidence.period_end),
            "now": local_time(ctx.evidence.now, tz), "now_utc": utc_rfc3339(ctx.evidence.now),
            "export_timezone": ctx.config.export_tz().name(),
            "policy": {"title": p.title, "version": p.version, "href": format!("policies/{}.html", p.slug)},
            "severities": p.severities.iter().map(|s| json!({"level": s.level, "name": s.name,
                "matches": std::iter::once(s.level.clone()).chain(std::iter::once(s.name.clone())).chain(s.aliases.iter().cloned()).collect::<Vec<_>>().join(", "),
                "ack": s.ack.map(|t| t.to_string()), "resolve": s.resolve.map(|t| t.to_string()), "postmortem": s.postmortem.map(|t| t.to_string())})).collect::<Vec<_>>(),
            "business_days": bh.days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
            "business_start": bh.start.format("%H:%M").to_string(), "business_end": bh.end.format("%H:%M").to_string(),
            "holidays": bh.holidays.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            "from_urgency": ctx.config.severity.from_urgency,
            "judgments": crate::evidence::JUDGMENTS,
        }),
    )
}

/// sample.html: every recorded sample, re-derived from its seed against the current population.
fn samples(ctx: &Ctx) -> Result<()> {
    if ctx.inputs.samples.is_empty() {
        return Ok(());
    }
    let tz = ctx.tz();
    let records: Vec<Value> = ctx
        .inputs
        .samples
        .iter()
        .map(|r| {
            let again = crate::evidence::sample::draw(ctx.config, ctx.inputs, ctx.evidence, &r.seed, r.size, r.stratify);
            let picks: Vec<Value> = r
                .picks
                .iter()
                .map(|p| {
                    let row = ctx.rows.binary_search_by_key(&p.number, |x| x.number).ok().map(|i| &ctx.rows[i]);
                    json!({"number": p.number, "stratum": p.stratum, "rank": p.rank, "rank_short": &p.rank[..p.rank.len().min(12)],
                           "in_population": row.is_some(), "row": row,
                           "created": ctx.inputs.incident(p.number).map(|i| local_time(i.created, tz))})
                })
                .collect();
            json!({
                "seed": r.seed, "size": r.size, "stratify": r.stratify, "algorithm": r.algorithm,
                "source": r.source, "href": source_href(ctx, &r.source),
                "population": r.population, "population_now": again.population,
                "same_population": again.population == r.population,
                "rederived": again.picks == r.picks,
                "picks": picks,
            })
        })
        .collect();
    ctx.page(
        "sample.html",
        "sample.html",
        "Samples",
        json!({"records": records}),
    )
}

fn verify(ctx: &Ctx) -> Result<()> {
    let name = ctx.config.package_name();
    ctx.page(
        "verify.html",
        "verify.html",
        "How to verify this package",
        json!({"name": name}),
    )
}
