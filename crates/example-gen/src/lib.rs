//! A seeded generator of realistic example sites: a fictional SaaS company's audit year of
//! PagerDuty exports, postmortems, policies and management responses.
//!
//! The repository's own example (`site.toml` and `content/` at the root) and the benchmark sites
//! are made by it. The same options always give byte-identical files: the only randomness is the
//! seeded [`rng::Rng`], and nothing iterates a hash map.
//!
//! The generator also computes which exceptions the evidence rules must find in its data
//! (evidence-rules.md §4–§6), so management responses answer exceptions that exist by
//! construction and the [`Summary`] can be compared with a build.
//!
//! It is a workspace member of its own, not part of the product: only the root package's
//! `examples/generate.rs` and `benches/build.rs` use it (as a dev-dependency). It reads the product
//! only for the snapshot layout, the fetch record types and a few formatting helpers, so the files
//! it writes have the shape `pagerproof fetch` would give them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Utc};

pub mod company;
pub mod configuration;
pub mod documents;
pub mod exports;
pub mod fetch_pages;
pub mod github;
pub mod incidents;
pub mod jira;
pub mod pagerduty;
pub mod period;
pub mod postmortems;
pub mod rng;
pub mod statuspage;
pub mod timelines;

use exports::{Corruption, Messiness};
use incidents::{Calendar, Inc, POSTMORTEM, Population, Verdict};
use pagerproof::model::layout::pagerduty as layout;
pub use period::Period;
use postmortems::Pm;
use rng::Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The audit year (its calendar, policy version and incident numbers).
    pub period: Period,
    /// Incidents created in the period (a few more from the previous December are added).
    pub incidents: usize,
    pub seed: u64,
    pub org: String,
    /// Replace the generated parts of an existing site (site.toml and the content folders the
    /// generator writes) instead of refusing.
    pub force: bool,
}

pub const DEFAULT_SEED: u64 = 2026;
pub const DEFAULT_INCIDENTS: usize = 2000;

impl Default for Options {
    fn default() -> Self {
        Options {
            period: Period::default(),
            incidents: DEFAULT_INCIDENTS,
            seed: DEFAULT_SEED,
            org: company::ORG.into(),
            force: false,
        }
    }
}

/// One exception the evidence rules will report, by construction.
#[derive(Debug, Clone)]
pub struct Exception {
    pub kind: &'static str,
    pub subject: String,
    /// Incident index, when the subject is an incident.
    pub incident: Option<usize>,
    /// Postmortem index, when the subject is a postmortem or one of its action items.
    pub postmortem: Option<usize>,
}

impl Exception {
    pub fn id(&self) -> String {
        format!("{}:{}", self.kind, self.subject)
    }
}

/// Per-priority figures of the in-period, classified population.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriorityFigures {
    pub incidents: usize,
    pub ack_met: usize,
    pub ack_breached: usize,
    pub ack_pending: usize,
    pub resolve_met: usize,
    pub resolve_breached: usize,
    pub resolve_pending: usize,
    pub postmortem_required: usize,
    pub postmortem_present: usize,
}

/// What was generated and what a build of it must show.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Relative path and data rows of every incident export.
    pub exports: Vec<(String, usize)>,
    /// Incidents created in the period (whether or not their row survives).
    pub generated: usize,
    /// In-period incidents whose rows are accepted.
    pub accepted: usize,
    pub outside_period: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub by_priority: [PriorityFigures; 4],
    pub unclassified: usize,
    pub postmortems: usize,
    /// Every exception, sorted by kind then subject.
    pub exceptions: Vec<String>,
    pub responses: Vec<String>,
}

impl Summary {
    pub fn count(&self, kind: &str) -> usize {
        self.exceptions
            .iter()
            .filter(|e| e.split(':').next() == Some(kind))
            .count()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "incidents generated in period: {}", self.generated)?;
        let rows: usize = self.exports.iter().map(|e| e.1).sum();
        writeln!(
            f,
            "rows: {rows} = accepted {} + duplicates {} + outside period {} + rejected {}",
            self.accepted, self.duplicates, self.outside_period, self.rejected
        )?;
        for (path, n) in &self.exports {
            writeln!(f, "  {path}: {n} rows")?;
        }
        let classified: usize = self.by_priority.iter().map(|p| p.incidents).sum();
        for (p, fig) in self.by_priority.iter().enumerate() {
            let pct = |a: usize, b: usize| match b {
                0 => "n/a".to_string(),
                _ => format!("{:.1} %", a as f64 * 100.0 / b as f64),
            };
            writeln!(
                f,
                "P{}: {} incidents ({} of all); ack met {} ({} breached, {} pending); resolve met {} ({} breached, {} pending); postmortem present for {} of {} required",
                p + 1,
                fig.incidents,
                pct(fig.incidents, classified + self.unclassified),
                pct(fig.ack_met, fig.ack_met + fig.ack_breached),
                fig.ack_breached,
                fig.ack_pending,
                pct(fig.resolve_met, fig.resolve_met + fig.resolve_breached),
                fig.resolve_breached,
                fig.resolve_pending,
                fig.postmortem_present,
                fig.postmortem_required,
            )?;
        }
        writeln!(f, "unclassified: {}", self.unclassified)?;
        writeln!(f, "postmortems: {}", self.postmortems)?;
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &self.exceptions {
            *kinds.entry(e.split(':').next().unwrap_or("")).or_default() += 1;
        }
        writeln!(f, "exceptions: {}", self.exceptions.len())?;
        for (kind, n) in kinds {
            writeln!(f, "  {kind}: {n}")?;
        }
        writeln!(f, "responses:")?;
        for r in &self.responses {
            writeln!(f, "  {r}")?;
        }
        Ok(())
    }
}

/// Writes a complete site into `out`: `site.toml`, `content/policies`, `content/incidents`,
/// `content/postmortems/<year>`, `content/responses` and the API snapshots `content/pagerduty` and
/// `content/jira`.
pub fn generate(opts: &Options, out: &Path) -> Result<Summary> {
    if opts.incidents < 100 {
        bail!("--incidents must be at least 100 (got {})", opts.incidents);
    }
    prepare(out, opts.force)?;
    let site = Site::new(opts);
    site.write(out)?;
    Ok(site.summary())
}

/// The generated site in memory.
struct Site {
    org: String,
    cal: Calendar,
    pop: Population,
    corrupt: BTreeMap<usize, Corruption>,
    unprioritised: BTreeSet<usize>,
    pms: Vec<Pm>,
    /// Incident index → the postmortems linking it.
    links: BTreeMap<usize, Vec<usize>>,
    jira: jira::Jira,
    oncall: pagerduty::OnCall,
    seed: u64,
    exceptions: Vec<Exception>,
    responses: Vec<documents::Response>,
    statuspage: Vec<statuspage::Notice>,
}

impl Site {
    fn new(opts: &Options) -> Site {
        let cal = Calendar::of(opts.period);
        let mut pop = incidents::generate(opts.incidents, opts.seed, &cal);
        configuration::apply_urgency_rules(&mut pop.incidents, &cal);
        let (corrupt, unprioritised) = messiness(&pop.incidents, &cal, opts.seed, opts.incidents);
        let excluded = |i: usize| corrupt.contains_key(&i) || unprioritised.contains(&i);
        let pms = postmortems::plan(&pop, &excluded, &cal, opts.seed);
        let oncall = pagerduty::plan(&pop.incidents, &cal);
        let mut site = Site {
            org: opts.org.clone(),
            cal,
            pop,
            corrupt,
            unprioritised,
            links: BTreeMap::new(),
            pms,
            jira: jira::Jira::default(),
            oncall,
            seed: opts.seed,
            exceptions: Vec::new(),
            responses: Vec::new(),
            statuspage: Vec::new(),
        };
        for (k, pm) in site.pms.iter().enumerate() {
            for i in pm.links.iter().filter_map(|l| l.incident()) {
                site.links.entry(i).or_default().push(k);
            }
        }
        let judged = |k: usize| {
            site.pms[k]
                .links
                .iter()
                .filter_map(|l| l.incident())
                .any(|i| site.counted(i))
        };
        site.jira = jira::plan(&site.pms, site.incs(), &site.cal, &judged, opts.seed);
        site.statuspage = statuspage::plan(site.incs(), &|i| site.counted(i), site.cal.year());
        site.exceptions = site.find_exceptions();
        site.responses = site.respond();
        site
    }

    fn incs(&self) -> &[Inc] {
        &self.pop.incidents
    }

    /// In the period and read from a row that is not rejected.
    fn counted(&self, i: usize) -> bool {
        self.incs()[i].in_period && !self.corrupt.contains_key(&i)
    }

    fn linking(&self, i: usize) -> &[usize] {
        self.links.get(&i).map_or(&[], Vec::as_slice)
    }

    fn due(&self, i: usize) -> Option<DateTime<Utc>> {
        let inc = &self.incs()[i];
        Some(inc.resolved_at()? + Duration::seconds(POSTMORTEM[inc.priority]?))
    }

    /// evidence-rules.md §3–§6 applied to what was generated.
    fn find_exceptions(&self) -> Vec<Exception> {
        let now = self.cal.now;
        let mut out = Vec::new();
        let mut add = |kind, subject: String, incident, postmortem| {
            out.push(Exception {
                kind,
                subject,
                incident,
                postmortem,
            });
        };
        for (i, inc) in self.incs().iter().enumerate() {
            if !self.counted(i) {
                continue;
            }
            let n = inc.number.to_string();
            if self.unprioritised.contains(&i) {
                add("severity_missing", n, Some(i), None);
                continue;
            }
            if let Verdict::Breached(_) = incidents::ack_verdict(inc, &self.cal) {
                add("ack_breach", n.clone(), Some(i), None);
            }
            if let Verdict::Breached(_) = incidents::resolve_verdict(inc, &self.cal) {
                add("resolve_breach", n.clone(), Some(i), None);
            }
            let Some(due) = self.due(i) else { continue };
            let linked = self.linking(i);
            let completions: Vec<DateTime<Utc>> = linked
                .iter()
                .filter_map(|&k| self.pms[k].completed_at)
                .collect();
            if linked.is_empty() {
                if due < now {
                    add("postmortem_missing", n, Some(i), None);
                }
            } else if (completions.is_empty() && due < now)
                || completions.iter().min().is_some_and(|c| *c > due)
            {
                add("postmortem_late", n, Some(i), None);
            }
        }
        for (k, pm) in self.pms.iter().enumerate() {
            let links: Vec<usize> = pm.links.iter().filter_map(|l| l.incident()).collect();
            if links.is_empty() {
                add("orphan_postmortem", pm.id.clone(), None, Some(k));
                continue;
            }
            let judged = links.iter().any(|&i| {
                self.counted(i)
                    && !self.unprioritised.contains(&i)
                    && self
                        .due(i)
                        .is_some_and(|due| pm.completed_at.is_some() || due < now)
            });
            if judged && pm.flaws.any() {
                add("postmortem_incomplete", pm.id.clone(), None, Some(k));
            }
            if !links.iter().any(|&i| self.counted(i)) {
                continue;
            }
            let as_of = self.cal.as_of();
            for item in &pm.items {
                let subject = format!("{}/{}", pm.id, item.id);
                if item.tracker.is_none() {
                    add("action_item_untracked", subject.clone(), None, Some(k));
                }
                let done = self.jira.done(item.tracker.as_deref(), item.done());
                if !done && item.due.is_some_and(|d| d <= as_of) {
                    add("action_item_overdue", subject, None, Some(k));
                }
            }
        }
        for (kind, subject) in self.oncall.exception_subjects() {
            add(kind, subject, None, None);
        }
        let counted = |i: usize| self.counted(i) && !self.unprioritised.contains(&i);
        for (i, n) in configuration::urgency_mismatches(self.incs(), counted) {
            add("urgency_mismatch", n, Some(i), None);
        }
        for (kind, subject) in configuration::exception_subjects() {
            add(kind, subject, None, None);
        }
        for n in &self.statuspage {
            if let Some(kind) = n.exception {
                add(kind, n.id.clone(), None, None);
            }
        }
        out.sort_by(|a, b| (a.kind, &a.subject).cmp(&(b.kind, &b.subject)));
        out
    }

    fn first(&self, kind: &str, prefer: impl Fn(&Exception) -> bool) -> Option<&Exception> {
        let of_kind = || self.exceptions.iter().filter(move |e| e.kind == kind);
        of_kind().find(|e| prefer(e)).or_else(|| of_kind().next())
    }

    /// Management responses to a handful of exceptions that exist by construction.
    fn respond(&self) -> Vec<documents::Response> {
        let as_of = self.cal.as_of();
        let after = |at: DateTime<Utc>, days: i64| {
            (self.cal.local(at).date() + Duration::days(days)).min(as_of)
        };
        let human = pagerproof::util::human_duration;
        let mut out = Vec::new();
        let incs = self.incs();

        // The P1 acknowledged latest at night or at a weekend.
        let overage = |e: &&Exception| match e
            .incident
            .map(|i| incidents::ack_verdict(&incs[i], &self.cal))
        {
            Some(Verdict::Breached(by)) => by,
            _ => 0,
        };
        let night_p1 = self
            .exceptions
            .iter()
            .filter(|e| e.kind == "ack_breach")
            .filter(|e| {
                e.incident
                    .is_some_and(|i| incs[i].priority == 0 && self.cal.off_hours(incs[i].created))
            })
            .max_by_key(overage);
        if let Some(e) = night_p1.or_else(|| self.first("ack_breach", |_| true)) {
            let inc = &incs[e.incident.unwrap()];
            let Verdict::Breached(by) = incidents::ack_verdict(inc, &self.cal) else {
                unreachable!()
            };
            out.push(documents::Response {
                exception: e.id(),
                owner: company::SRE_LEAD.name,
                date: after(inc.created, 9),
                status: "remediated",
                remediation: "Phone-call notification rule made mandatory for the primary rotation; secondary paged after 5 minutes.".into(),
                body: format!(
                    "Incident {} (\"{}\") was raised at {} and acknowledged {} after its target. The primary's \
                     push notification was silenced by the phone's focus mode overnight; the escalation to the \
                     secondary worked as designed.\n\nWe reviewed every late acknowledgement of the quarter: most \
                     happened at night or at weekends. Since then PagerDuty's notification rules for the primary \
                     rotation include a phone call after one minute, and the on-call checklist asks engineers to \
                     test their notifications at hand-off.",
                    inc.number,
                    inc.title.trim(),
                    pagerproof::util::local_time(inc.created, self.cal.tz),
                    human(by)
                ),
            });
        }
        if let Some(e) = self.first("resolve_breach", |e| e.incident == self.pop.left_open) {
            let inc = &incs[e.incident.unwrap()];
            out.push(documents::Response {
                exception: e.id(),
                owner: company::ENG_MANAGER.name,
                date: as_of,
                status: "in progress",
                remediation: "Fix scheduled for the first release of January; the incident stays open until it ships.".into(),
                body: format!(
                    "Incident {} is still open at year end. Customer impact was mitigated with a workaround on the \
                     day it was raised, and the underlying fix needs a schema migration that we did not want to \
                     ship during the December change freeze.\n\nThe fix is scheduled for the first release in \
                     January; the incident will be resolved when it is deployed.",
                    inc.number
                ),
            });
        }
        // A postmortem completed late (not one still unfinished).
        let completed_late = |e: &Exception| {
            e.incident.is_some_and(|i| {
                self.linking(i)
                    .iter()
                    .any(|&k| self.pms[k].completed_at.is_some())
            })
        };
        if let Some(e) = self.first("postmortem_late", completed_late) {
            let linked = self.linking(e.incident.unwrap());
            let pm = linked
                .iter()
                .map(|&k| &self.pms[k])
                .find(|pm| pm.completed_at.is_some())
                .unwrap();
            let pm_id = &pm.id;
            out.push(documents::Response {
                exception: e.id(),
                owner: company::VP_ENG,
                date: after(pm.completed_at.unwrap(), 3),
                status: "remediated",
                remediation: "Postmortem due dates are now created as Jira tasks assigned to the owner when the incident is resolved.".into(),
                body: format!(
                    "The postmortem {pm_id} for incident {} was completed after the five days the policy allows. \
                     The owner was on leave the following week and the document was not handed over.\n\n\
                     Postmortem due dates are now tracked as Jira tasks with the owner as assignee and reviewed in \
                     the weekly reliability meeting, so a due date cannot pass unnoticed.",
                    e.subject
                ),
            });
        }
        if let Some(e) = self.first("postmortem_missing", |_| true) {
            let inc = &incs[e.incident.unwrap()];
            out.push(documents::Response {
                exception: e.id(),
                owner: company::SRE_LEAD.name,
                date: after(inc.resolved_at().unwrap_or(inc.created), 21),
                status: "accepted",
                remediation: "Reviewed in the reliability meeting; no separate postmortem document will be written.".into(),
                body: format!(
                    "Incident {} was a repeat of an earlier incident with the same root cause, whose postmortem \
                     and action items were still open at the time. The team reviewed it in the weekly \
                     reliability meeting instead of writing a separate document, and added its timeline to the \
                     open action items.\n\nWe accept this deviation from the policy. The policy will state \
                     explicitly how repeat incidents are handled at its next review.",
                    inc.number
                ),
            });
        }
        if let Some(e) = self.first("postmortem_incomplete", |_| true) {
            let pm = &self.pms[e.postmortem.unwrap()];
            out.push(documents::Response {
                exception: e.id(),
                owner: company::VP_ENG,
                date: after(pm.completed_at.unwrap_or(pm.created_at), 14),
                status: "accepted",
                remediation: "The postmortem template now marks every required section; reviewers check them before approval.".into(),
                body: format!(
                    "Postmortem {} was approved although one of its required parts was left empty. The missing \
                     content was discussed in the review meeting but not written back into the document.\n\n\
                     The postmortem template now marks the five required parts, and reviewers confirm each of \
                     them before approving.",
                    pm.id
                ),
            });
        }
        if let Some(e) = self.first("action_item_overdue", |_| true) {
            let pm = &self.pms[e.postmortem.unwrap()];
            out.push(documents::Response {
                exception: e.id(),
                owner: company::ENG_MANAGER.name,
                date: as_of,
                status: "in progress",
                remediation: format!(
                    "Re-planned for the first sprint of Q1 {} with a new due date.",
                    self.cal.year() + 1
                ),
                body: format!(
                    "Action item {} from postmortem {} slipped behind customer-facing work in the last quarter. \
                     The risk it addresses is reduced by the monitoring added in the same postmortem.\n\nThe item \
                     is planned for the first sprint of the new year and is reviewed weekly until done.",
                    e.subject, pm.id
                ),
            });
        }
        if let Some(e) = self.first("orphan_postmortem", |_| true) {
            let (year, number) = (self.cal.year(), self.cal.period.orphan_incident());
            out.push(documents::Response {
                exception: e.id(),
                owner: company::SRE_LEAD.name,
                date: incidents::date(year, 1, 20),
                status: "accepted",
                remediation: format!(
                    "None needed: the postmortem covers incident {number} of November {}, outside this period's exports.",
                    year - 1
                ),
                body: format!(
                    "Postmortem {} was completed in January {year} for incident {number}, raised in November {}. \
                     That incident belongs to the previous audit period, so no {} export contains it. The \
                     document is kept with this year's postmortems because its action items were tracked in {year}.",
                    e.subject,
                    year - 1,
                    self.cal.period.name(),
                ),
            });
        }
        if let Some(e) = self.first("coverage_gap", |_| true) {
            let (start, end) = self.oncall.gap;
            out.push(documents::Response {
                exception: e.id(),
                owner: company::SRE_LEAD.name,
                date: after(start, 4),
                status: "remediated",
                remediation: "Schedule edits that move a layer boundary need a second reviewer; a daily check alerts on any gap in the next 14 days of every final schedule.".into(),
                body: format!(
                    "On the Friday before, the primary schedule's weekly layer was replaced by a new \
                     one while preparing to add a new engineer to the rotation. The old layer was ended at the hand-off, {}, \
                     but the new one was given a start of {}, so nobody was on call for level 1 of \
                     \"{}\" in between. {}\n\nThe layer dates were \
                     reviewed the following week. Schedule changes that touch a hand-off now need a \
                     second reviewer, and a daily job checks the next 14 days of every final \
                     schedule for gaps and posts them to the SRE channel.",
                    pagerproof::util::local_time(start, self.cal.tz),
                    pagerproof::util::local_time(end, self.cal.tz),
                    company::ESCALATION_POLICY,
                    match incs.iter().filter(|i| (start..end).contains(&i.created)).count() {
                        0 => format!(
                            "No incident was raised in those {}; a page would have escalated to \
                             the secondary after five minutes.",
                            human((end - start).num_seconds())
                        ),
                        n => format!(
                            "{n} incidents were raised in those {}; each escalated to the \
                             secondary after five minutes.",
                            human((end - start).num_seconds())
                        ),
                    },
                ),
            });
        }
        if let Some(e) = self.first("severity_missing", |_| true) {
            let inc = &incs[e.incident.unwrap()];
            out.push(documents::Response {
                exception: e.id(),
                owner: company::SRE_LEAD.name,
                date: after(inc.created, 7),
                status: "remediated",
                remediation: "A PagerDuty incident workflow now requires a priority on acknowledgement.".into(),
                body: format!(
                    "Incident {} was handled without a priority being set in PagerDuty. It was a low-impact \
                     alert and was treated as P4.\n\nA PagerDuty incident workflow now prompts for the priority \
                     when an incident is acknowledged and posts a reminder in the incident channel until one is set.",
                    inc.number
                ),
            });
        }
        out
    }

    fn write(&self, out: &Path) -> Result<()> {
        let period = self.cal.period;
        write_file(
            out,
            "site.toml",
            documents::site_toml(&self.org, period).as_bytes(),
        )?;
        write_file(
            out,
            "content/policies/incident-response.md",
            documents::incident_response_policy(&self.org, period).as_bytes(),
        )?;
        write_file(
            out,
            "content/policies/on-call.md",
            documents::on_call_policy(&self.org, period).as_bytes(),
        )?;
        let mess = Messiness {
            corrupt: &self.corrupt,
            unprioritised: &self.unprioritised,
        };
        exports::write_all(self.incs(), &self.cal, &mess, out)?;
        write_file(
            out,
            "content/requests.csv",
            documents::requests_csv().as_bytes(),
        )?;
        for pm in &self.pms {
            let json = postmortems::to_json(pm, self.incs(), &self.cal);
            write_file(
                out,
                &format!("content/postmortems/{}/{}.json", self.cal.year(), pm.id),
                json.as_bytes(),
            )?;
        }
        for r in &self.responses {
            write_file(out, &r.file_name(), r.render().as_bytes())?;
        }
        // The notification-rule change of the late-acknowledgement response, in the audit log.
        let rules_changed = self
            .responses
            .iter()
            .find(|r| r.exception.starts_with("ack_breach:"))
            .map_or(incidents::date(self.cal.year(), 3, 16), |r| r.date);
        pagerduty::write(
            out,
            self.incs(),
            &self.cal,
            &self.oncall,
            rules_changed,
            self.seed,
            timelines::records(
                self.incs(),
                &self.cal,
                &|i| !self.corrupt.contains_key(&i),
                &|i| self.unprioritised.contains(&i),
                self.seed,
            ),
        )?;
        jira::write(out, &self.jira, &self.cal)?;
        let tickets: Vec<github::Ticket> = self
            .pms
            .iter()
            .flat_map(|pm| pm.items.iter().filter_map(|it| it.tracker.as_deref()))
            .filter_map(|key| self.jira.issues.get(key))
            .map(|issue| github::Ticket {
                key: &issue.key,
                summary: &issue.summary,
                done_at: issue.resolved.filter(|_| issue.done()),
                created: issue.created,
                updated: issue.updated,
            })
            .collect();
        github::write(out, &tickets, &self.cal)?;
        statuspage::write(out, &self.statuspage, &self.cal)
    }

    fn summary(&self) -> Summary {
        let mut exports_rows = Vec::new();
        let mut seen = BTreeSet::new();
        let (mut accepted, mut outside, mut duplicates, mut rejected) = (0, 0, 0, 0);
        for export in &exports::exports(&self.cal) {
            let mut rows = 0;
            for (i, inc) in self.incs().iter().enumerate() {
                if !export.holds(inc, &self.cal) {
                    continue;
                }
                rows += 1;
                if self.corrupt.contains_key(&i) {
                    rejected += 1;
                } else if !seen.insert(i) {
                    duplicates += 1;
                } else if !inc.in_period {
                    outside += 1;
                } else {
                    accepted += 1;
                }
            }
            exports_rows.push((export.path.clone(), rows));
        }
        // The API snapshot repeats every surviving in-period incident after the CSV exports.
        let api = timelines::count(self.incs(), &|i| !self.corrupt.contains_key(&i));
        exports_rows.push((format!("content/pagerduty/{}", layout::INCIDENTS), api));
        duplicates += api;
        let mut by_priority: [PriorityFigures; 4] = Default::default();
        let mut unclassified = 0;
        for (i, inc) in self.incs().iter().enumerate() {
            if !self.counted(i) {
                continue;
            }
            if self.unprioritised.contains(&i) {
                unclassified += 1;
                continue;
            }
            let fig = &mut by_priority[inc.priority];
            fig.incidents += 1;
            match incidents::ack_verdict(inc, &self.cal) {
                Verdict::Met => fig.ack_met += 1,
                Verdict::Breached(_) => fig.ack_breached += 1,
                Verdict::Pending => fig.ack_pending += 1,
                Verdict::NotApplicable => {}
            }
            match incidents::resolve_verdict(inc, &self.cal) {
                Verdict::Met => fig.resolve_met += 1,
                Verdict::Breached(_) => fig.resolve_breached += 1,
                Verdict::Pending => fig.resolve_pending += 1,
                Verdict::NotApplicable => {}
            }
            if POSTMORTEM[inc.priority].is_some() {
                fig.postmortem_required += 1;
                if !self.linking(i).is_empty() {
                    fig.postmortem_present += 1;
                }
            }
        }
        Summary {
            exports: exports_rows,
            generated: self.incs().iter().filter(|i| i.in_period).count(),
            accepted,
            outside_period: outside,
            duplicates,
            rejected,
            by_priority,
            unclassified,
            postmortems: self.pms.len(),
            exceptions: self.exceptions.iter().map(Exception::id).collect(),
            responses: self.responses.iter().map(|r| r.exception.clone()).collect(),
        }
    }
}

/// Picks the rows to mangle (three, each the incident's only row) and the incidents left without a
/// priority.
fn messiness(
    incs: &[Inc],
    cal: &Calendar,
    seed: u64,
    n: usize,
) -> (BTreeMap<usize, Corruption>, BTreeSet<usize>) {
    let mut rng = Rng::stream(seed, "messiness");
    let files = exports::exports(cal);
    let p4_only_in = |export: usize| -> Vec<usize> {
        (0..incs.len())
            .filter(|&i| incs[i].in_period && incs[i].priority == 3 && incs[i].ack_secs.is_some())
            .filter(|&i| exports::only_in(&files, export, &incs[i], cal))
            .collect()
    };
    let mut corrupt = BTreeMap::new();
    let mut h1 = p4_only_in(1);
    rng.shuffle(&mut h1);
    if let Some(&i) = h1.first() {
        corrupt.insert(i, Corruption::FormulaError);
    }
    let mut h2 = p4_only_in(2);
    rng.shuffle(&mut h2);
    // Someone typed 09-31 for 10-01: prefer an incident of 1 October for the impossible date.
    let october_first = incidents::date(cal.year(), 10, 1);
    let pos = h2
        .iter()
        .position(|&i| cal.local(incs[i].created).date() == october_first)
        .unwrap_or(0);
    if !h2.is_empty() {
        corrupt.insert(h2.remove(pos), Corruption::ImpossibleDate);
    }
    if let Some(i) = h2.pop() {
        corrupt.insert(i, Corruption::TextSeconds);
    }
    let unprioritised = h2.into_iter().take((n / 700).max(3)).collect();
    (corrupt, unprioritised)
}

/// Refuses to write over an existing site unless `force`; with `force`, removes what a previous run
/// wrote (and nothing else under `content/`).
fn prepare(out: &Path, force: bool) -> Result<()> {
    const GENERATED: [&str; 8] = [
        "content/incidents",
        "content/postmortems",
        "content/policies",
        "content/responses",
        "content/pagerduty",
        "content/jira",
        "content/statuspage",
        "content/github",
    ];
    let existing: Vec<&str> = GENERATED
        .iter()
        .copied()
        .filter(|d| out.join(d).exists())
        .collect();
    if !existing.is_empty() || out.join("site.toml").exists() {
        if !force {
            bail!(
                "{}: a site already exists there (use --force to replace its generated parts)",
                out.display()
            );
        }
        for dir in existing {
            remove_generated(&out.join(dir))?;
        }
    }
    Ok(())
}

/// Removes a generated directory whole (the generator writes every file in it, export
/// sidecars included).
fn remove_generated(dir: &Path) -> Result<()> {
    std::fs::remove_dir_all(dir).with_context(|| format!("{}: cannot remove", dir.display()))
}

pub(crate) fn write_file(out: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = out.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
    }
    std::fs::write(&path, bytes).with_context(|| format!("{}: cannot write", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pagerproof::ingest::population::RowOutcome;

    fn site(n: usize, seed: u64) -> (tempfile::TempDir, Summary) {
        let dir = tempfile::tempdir().unwrap();
        let opts = Options {
            incidents: n,
            seed,
            ..Options::default()
        };
        let summary = generate(&opts, dir.path()).unwrap();
        (dir, summary)
    }

    /// Every file under `dir`, relative path → bytes, in path order.
    fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect()
    }

    #[test]
    fn same_seed_gives_identical_bytes() {
        let (a, _) = site(400, 7);
        let (b, _) = site(400, 7);
        let (fa, fb) = (files(a.path()), files(b.path()));
        assert!(fa.len() > 10);
        assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
        for (path, bytes) in &fa {
            assert!(
                bytes == &fb[path],
                "{path} differs between two runs with one seed"
            );
        }
    }

    #[test]
    fn different_seeds_give_different_data() {
        let (a, _) = site(400, 7);
        let (b, _) = site(400, 8);
        let path = "content/incidents/2026-h1-analytics.csv";
        assert_ne!(files(a.path())[path], files(b.path())[path]);
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let (dir, _) = site(200, 1);
        let opts = Options {
            incidents: 200,
            seed: 1,
            ..Options::default()
        };
        let err = generate(&opts, dir.path()).unwrap_err().to_string();
        assert!(err.contains("--force"), "{err}");
        // --force rewrites every generated file, the export sidecars included, to the same bytes.
        let sidecar = dir
            .path()
            .join("content/incidents/2026-h1-analytics.csv.toml");
        let before = files(dir.path());
        std::fs::write(&sidecar, "exported_by = \"Dana\"\n").unwrap();
        let opts = Options {
            force: true,
            ..opts
        };
        generate(&opts, dir.path()).unwrap();
        assert!(
            std::fs::read_to_string(&sidecar)
                .unwrap()
                .contains("Grace Liu")
        );
        assert_eq!(files(dir.path()), before);
    }

    #[test]
    fn priority_mix_and_targets_are_realistic() {
        let (_dir, s) = site(2000, DEFAULT_SEED);
        let total = (s.accepted) as f64;
        let share = |p: usize| s.by_priority[p].incidents as f64 * 100.0 / total;
        assert!((2.0..=4.0).contains(&share(0)), "P1 {}", share(0));
        assert!((8.0..=12.0).contains(&share(1)), "P2 {}", share(1));
        assert!((30.0..=40.0).contains(&share(2)), "P3 {}", share(2));
        assert!((44.0..=60.0).contains(&share(3)), "P4 {}", share(3));
        for (p, fig) in s.by_priority.iter().enumerate() {
            let met = fig.ack_met as f64 / (fig.ack_met + fig.ack_breached) as f64;
            assert!(
                (0.85..0.99).contains(&met),
                "P{} ack met share {met}",
                p + 1
            );
            assert!(
                fig.ack_breached > 0,
                "P{} has no late acknowledgement",
                p + 1
            );
        }
        assert!(
            (30..=60).contains(&s.postmortems),
            "{} postmortems",
            s.postmortems
        );
        assert_eq!(s.unclassified, s.count("severity_missing"));
    }

    #[test]
    fn every_exception_kind_occurs_and_responses_answer_real_ones() {
        let (dir, s) = site(2000, DEFAULT_SEED);
        for kind in [
            "ack_breach",
            "resolve_breach",
            "severity_missing",
            "postmortem_missing",
            "postmortem_late",
            "postmortem_incomplete",
            "orphan_postmortem",
            "action_item_untracked",
            "action_item_overdue",
        ] {
            assert!(s.count(kind) > 0, "no {kind}");
        }
        assert_eq!(s.count("coverage_gap"), 1);
        assert_eq!(s.count("escalation_drift"), 1);
        assert!((4..=9).contains(&s.responses.len()));
        for id in &s.responses {
            assert!(
                s.exceptions.contains(id),
                "response to {id}, which does not occur"
            );
        }
        for (path, bytes) in files(dir.path()).range("content/responses/".to_string()..) {
            if !path.starts_with("content/responses/") {
                break;
            }
            let text = String::from_utf8(bytes.clone()).unwrap();
            let fm = text
                .strip_prefix("+++\n")
                .unwrap()
                .split("\n+++\n")
                .next()
                .unwrap();
            let v: toml::Table = toml::from_str(fm).unwrap();
            let keys: BTreeSet<&str> = v.keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["date", "exception", "owner", "remediation", "status"]),
                "{path}"
            );
            assert!(
                v["date"].as_datetime().is_some(),
                "{path}: date is a TOML date"
            );
        }
    }

    #[test]
    fn rows_are_accounted_for() {
        let (_dir, s) = site(1000, 3);
        let rows: usize = s.exports.iter().map(|e| e.1).sum();
        assert_eq!(
            rows,
            s.accepted + s.duplicates + s.outside_period + s.rejected
        );
        assert_eq!(s.rejected, 3);
        assert_eq!(s.outside_period, incidents::BEFORE_PERIOD);
        assert!(s.duplicates > 10, "the exports overlap");
        assert_eq!(s.accepted + s.rejected, s.generated);
    }

    #[test]
    fn csv_exports_parse_with_the_expected_headers() {
        let (dir, s) = site(1000, 5);
        let expected: [&[&str]; 4] = [
            &[
                "id",
                "incident_number",
                "description",
                "service_id",
                "service_name",
                "escalation_policy_id",
                "escalation_policy_name",
                "created_on",
                "resolved_on",
                "seconds_to_first_ack",
                "seconds_to_resolve",
                "auto_resolved",
                "escalation_count",
                "auto_escalation_count",
                "acknowledge_count",
                "assignment_count",
                "acknowledged_by_user_ids",
                "acknowledged_by_user_names",
                "assigned_to_user_ids",
                "assigned_to_user_names",
                "resolved_by_user_id",
                "resolved_by_user_name",
                "urgency",
            ],
            &[
                "id",
                "incident_number",
                "description",
                "status",
                "urgency",
                "priority_name",
                "created_at",
            ],
            &[
                "Incident ID",
                "Incident Number",
                "Title",
                "Service",
                "Created At",
                "Resolved At",
                "Priority",
                "Urgency",
                "Seconds To First Ack",
                "Seconds To Resolve",
                "Auto Resolved",
                "Acknowledged By",
                "Resolved By",
            ],
            &[
                "#",
                "Service",
                "Opened On",
                "Resolved On",
                "Resolve By",
                "Duration",
                "#Escalations",
            ],
        ];
        for ((path, rows), header) in s.exports.iter().zip(expected) {
            let mut r = csv::Reader::from_path(dir.path().join(path)).unwrap();
            let got: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
            assert_eq!(&got[..header.len()], header, "{path}");
            let records: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
            assert_eq!(records.len(), *rows, "{path}");
            assert!(
                records.iter().all(|rec| rec.len() == got.len()),
                "{path}: ragged rows"
            );
            // Incident numbers rise through each file (sorted by creation).
            let col = usize::from(!path.contains("basic"));
            let numbers: Vec<u64> = records
                .iter()
                .map(|rec| rec[col].parse().unwrap())
                .collect();
            assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{path}");
        }
        let advanced = std::fs::read_to_string(dir.path().join(&s.exports[0].0)).unwrap();
        assert!(
            advanced.contains("\r\n") && advanced.contains("-05:00") && advanced.contains("-04:00")
        );
        let h2 = std::fs::read_to_string(dir.path().join(&s.exports[2].0)).unwrap();
        assert!(h2.starts_with("\"Incident ID\",\"Incident Number\""));
        assert!(h2.contains("\"2026-09-31T"), "the impossible date is there");
        let basic = std::fs::read_to_string(dir.path().join(&s.exports[3].0)).unwrap();
        assert!(
            basic.contains(" EDT,") && basic.contains(" EST,"),
            "both sides of the DST change"
        );
    }

    #[test]
    fn postmortems_are_postmortem_v1() {
        let (dir, s) = site(1000, 9);
        let mut ids = BTreeSet::new();
        let mut linked_by = BTreeSet::new();
        for (path, bytes) in files(dir.path()) {
            if !path.starts_with("content/postmortems/") {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(v["schema"], "postmortem.v1", "{path}");
            let id = v["id"].as_str().unwrap().to_string();
            assert!(path.ends_with(&format!("/{id}.json")));
            assert!(!v["title"].as_str().unwrap().is_empty());
            assert!(v["severity"].is_string());
            for link in v["incidents"].as_array().unwrap() {
                let keys: Vec<&str> = link
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                linked_by.insert(keys.join("+"));
            }
            for item in v["action_items"].as_array().unwrap() {
                if let Some(key) = item["tracker"]["key"].as_str() {
                    // A Jira key, or (the web team's) a GitHub issue reference.
                    if item["tracker"]["system"] == "github" {
                        assert_eq!(
                            pagerproof::util::github_issue_ref(key).as_deref(),
                            Some(key)
                        );
                    } else {
                        assert_eq!(pagerproof::util::jira_keys(key), vec![key.to_string()]);
                    }
                }
            }
            assert!(ids.insert(id));
        }
        assert_eq!(ids.len(), s.postmortems);
        for style in ["id", "number", "url", "id+number+url"] {
            assert!(
                linked_by.contains(style),
                "no link by {style}: {linked_by:?}"
            );
        }
    }

    #[test]
    fn api_snapshots_load_and_a_build_finds_exactly_the_planned_exceptions() {
        let (dir, s) = site(2000, DEFAULT_SEED);
        let config = pagerproof::Config::load(dir.path()).unwrap();
        let mut read: Vec<Vec<RowOutcome>> = Vec::new();
        let pd = pagerproof::ingest::pagerduty::load(&config, &mut read).unwrap();
        // One incident file: every surviving in-period incident, each with its timeline, whose
        // first acknowledgement and escalations are the exports' (so no figure moves).
        assert_eq!((pd.files.len(), read.len()), (1, 1));
        let rows: Vec<&pagerproof::model::IncidentRow> = read[0]
            .iter()
            .map(|r| r.as_ref().expect("no API record is rejected"))
            .collect();
        assert_eq!(rows.len(), s.accepted);
        let planned = Site::new(&Options::default());
        let by_number: BTreeMap<u64, &Inc> = planned.incs().iter().map(|i| (i.number, i)).collect();
        for row in rows {
            let inc = by_number[&row.number.unwrap()];
            assert!(!row.timeline.is_empty());
            assert_eq!(row.acknowledged, inc.acked_at(), "#{}", inc.number);
            assert_eq!(row.resolved, inc.resolved_at(), "#{}", inc.number);
            assert_eq!(row.escalation_count, Some(u64::from(inc.escalations)));
        }
        let snap = &pd.snapshot;
        assert_eq!(snap.escalation_policies.len(), 3);
        assert_eq!(snap.schedules.len(), 3);
        let v3 = snap.schedule(pagerduty::BUSINESS_HOURS_SCHEDULE).unwrap();
        assert_eq!(v3.version, pagerproof::model::ScheduleVersion::V3);
        assert!(v3.final_entries.len() > 200);
        assert!(v3.final_entries.iter().all(|e| {
            e.user.as_ref().and_then(|u| u.name.as_deref()) == Some(company::SRE_LEAD.name)
        }));
        assert_eq!(snap.overrides.len(), company::OVERRIDES_2026.len());
        // Every company service, and the security alerts' own service.
        assert_eq!(snap.services.len(), company::SERVICES.len() + 1);
        assert!(snap.services.iter().all(|sv| {
            sv.escalation_policy.as_ref().map(|r| r.id.as_str())
                == Some(company::ESCALATION_POLICY_ID)
                || sv.id == configuration::SECURITY_SERVICE.0
        }));
        assert!(snap.users.iter().all(|u| u.notification_rules.is_some()));
        assert_eq!(snap.workflows.as_ref().map(Vec::len), Some(2));
        assert!(snap.response_plays.is_none(), "a 404: not used");
        let names: Vec<&str> = snap.priorities.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["P1", "P2", "P3", "P4"]);
        assert!(snap.users.len() >= 10);
        assert!((24..=60).contains(&snap.audit_records.len()));
        let production = snap
            .escalation_policy(company::ESCALATION_POLICY_ID)
            .unwrap();
        assert_eq!(production.name, company::ESCALATION_POLICY);
        // As documented again at the snapshot; level 3 at 20m only between the two edits.
        assert_eq!(production.paged_after_secs(), vec![0, 300, 900, 1800]);
        // The fetch record reconciles with the files: every list window holds what was written.
        let [record] = &snap.fetch_records[..] else {
            panic!("one fetch record")
        };
        let window = |endpoint: &str| {
            record
                .record
                .windows
                .iter()
                .filter(|w| w.endpoint == endpoint)
                .map(|w| w.received)
                .sum::<u64>()
        };
        assert!(record.record.windows.iter().all(|w| w.reconciled()));
        assert_eq!(window("/services"), snap.services.len() as u64);
        assert_eq!(window("/users"), snap.users.len() as u64);
        assert_eq!(window("/audit/records"), snap.audit_records.len() as u64);
        assert_eq!(
            window(&format!(
                "/schedules/{}/overrides",
                pagerduty::PRIMARY_SCHEDULE
            )),
            snap.overrides.len() as u64
        );

        let issues = pagerproof::ingest::jira::load(&config).unwrap().issues;
        let mut tracked = 0;
        for path in files(dir.path())
            .keys()
            .filter(|p| p.contains("/postmortems/"))
        {
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.path().join(path)).unwrap()).unwrap();
            for key in pagerproof::ingest::jira_refs::postmortem_keys(&doc) {
                assert!(
                    issues.contains_key(&key),
                    "{path}: {key} not in the snapshot"
                );
                tracked += 1;
            }
        }
        assert!(tracked > 50);
        // The web team's items are tracked in GitHub, each issue in the snapshot.
        let github = pagerproof::ingest::github::load(&config).unwrap().issues;
        assert!(github.len() >= 3, "{}", github.len());
        assert!(
            github.values().any(|i| i.state == "closed")
                && github.values().any(|i| i.state == "open")
        );

        let inputs = pagerproof::ingest::load(&config).unwrap();
        let evidence = pagerproof::evidence::evaluate(&config, &inputs);
        // Rejected rows are planned as a count (the corrupted rows), not by file and line.
        let (rejected, built): (Vec<&str>, Vec<&str>) = evidence
            .exceptions
            .iter()
            .map(|e| e.id.as_str())
            .partition(|id| id.starts_with("row_rejected:"));
        assert_eq!(rejected.len(), s.rejected);
        let mut planned: Vec<&str> = s.exceptions.iter().map(String::as_str).collect();
        let mut sorted = built.clone();
        sorted.sort();
        planned.sort();
        assert_eq!(sorted, planned);
        let one = |kind: &str| built.iter().filter(|id| id.starts_with(kind)).count();
        assert_eq!(one("coverage_gap:"), 1);
        assert_eq!(one("escalation_drift:"), 1);
        assert_eq!(one("statuspage_unmatched:"), 1);
        assert_eq!(one("detected_after_customers:"), 1);
        let sp = &evidence.summary.statuspage;
        assert!(
            sp.incidents >= 10 && sp.detected_first + 2 == sp.incidents,
            "{sp:?}"
        );
        assert_eq!(evidence.customers.maintenance.len(), 2);
        let classes = &evidence.summary.by_class;
        assert!(classes.security.incidents > 0);
        assert_eq!(
            classes.security.incidents + classes.operational.incidents,
            evidence.incidents.len() as u64
        );
        assert!(built.contains(&"escalation_drift:PZ4K7QD/level-3"));
        for r in &s.responses {
            assert!(built.contains(&r.as_str()), "response to {r}");
        }
    }

    fn fy2025(dir: &Path) -> Summary {
        let period = Period::Fy2025;
        let opts = Options {
            period,
            incidents: period.default_incidents(),
            seed: period.default_seed(),
            ..Options::default()
        };
        generate(&opts, dir).unwrap()
    }

    #[test]
    fn fy2025_is_deterministic_smaller_and_under_an_older_policy() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let s = fy2025(a.path());
        fy2025(b.path());
        let (fa, fb) = (files(a.path()), files(b.path()));
        assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
        for (path, bytes) in &fa {
            assert!(bytes == &fb[path], "{path} differs between two FY2025 runs");
        }
        assert_eq!(s.generated, 1200);
        assert!(
            s.exports
                .iter()
                .filter(|(p, _)| p.starts_with("content/incidents/"))
                .all(|(p, _)| p.contains("2025")),
            "{:?}",
            s.exports
        );
        assert!(
            fa.keys()
                .any(|p| p.starts_with("content/postmortems/2025/PM-2025-"))
        );

        let config = pagerproof::Config::load(a.path()).unwrap();
        assert_eq!(config.period.name, "FY2025");
        assert_eq!(config.period.start, incidents::date(2025, 1, 1));
        let holidays = &config.business_hours.holidays;
        assert!(holidays.contains(&incidents::date(2025, 7, 4)));
        assert!(!holidays.contains(&incidents::date(2025, 7, 3)));
        let inputs = pagerproof::ingest::load(&config).unwrap();
        let policy = inputs.policy();
        assert_eq!(policy.version.as_deref(), Some("2.4"));
        let now = documents::incident_response_policy(company::ORG, Period::Fy2026);
        assert!(now.contains("version = \"3.2\""));
        let p2 = policy.severity("P2").unwrap();
        assert!(matches!(
            p2.resolve,
            Some(pagerproof::model::Target::Elapsed(172_800))
        ));

        // The build reads the older policy as the generator planned: the same exceptions.
        let evidence = pagerproof::evidence::evaluate(&config, &inputs);
        let mut built: Vec<&str> = evidence
            .exceptions
            .iter()
            .map(|e| e.id.as_str())
            .filter(|id| !id.starts_with("row_rejected:"))
            .collect();
        built.sort();
        let mut planned: Vec<&str> = s.exceptions.iter().map(String::as_str).collect();
        planned.sort();
        assert_eq!(built, planned);
        let numbers: Vec<u64> = inputs.incidents.iter().map(|i| i.number).collect();
        assert!(
            numbers
                .iter()
                .all(|n| *n < Period::Fy2026.first_number() - 5)
        );
    }

    #[test]
    fn jira_decides_where_it_disagrees_with_the_postmortem() {
        let cal = Calendar::fy2026();
        let site = Site::new(&Options::default());
        assert_eq!(site.jira.disagreements.len(), 3);
        let as_of = incidents::date(2026, 12, 31);
        let overdue: BTreeSet<String> = site
            .exceptions
            .iter()
            .filter(|e| e.kind == "action_item_overdue")
            .map(|e| e.subject.clone())
            .collect();
        let mut reopened = 0;
        for pm in &site.pms {
            for item in &pm.items {
                let Some(key) = &item.tracker else { continue };
                if !site.jira.disagreements.contains(key) {
                    continue;
                }
                let issue = &site.jira.issues[key];
                assert_ne!(issue.done(), item.done(), "{key}");
                assert!(item.due.is_some_and(|d| d <= as_of));
                let subject = format!("{}/{}", pm.id, item.id);
                assert_eq!(overdue.contains(&subject), !issue.done(), "{subject}");
                reopened += usize::from(item.done());
            }
        }
        assert_eq!(reopened, 2, "two items done on paper, open in Jira");
        for i in site.jira.issues.values() {
            assert!(i.created < i.updated && i.updated < cal.now, "{}", i.key);
            assert_eq!(i.resolved.is_some(), i.done(), "{}", i.key);
            assert!(i.resolved.is_none_or(|r| i.created < r && r <= i.updated));
        }
    }

    #[test]
    fn site_toml_and_policies_follow_the_config_contract() {
        let (dir, _) = site(300, 1);
        let config = pagerproof::Config::load(dir.path()).unwrap();
        assert_eq!(config.organization.name, company::ORG);
        assert_eq!(config.business_hours.holidays.len(), 10);
        let allowed = BTreeSet::from([
            "title",
            "version",
            "effective",
            "approved_by",
            "approved_on",
            "owner",
            "next_review",
            "escalation_policy",
            "severity",
            "escalation",
            "notify_high_urgency",
            "routing",
        ]);
        for name in ["incident-response.md", "on-call.md"] {
            let text =
                std::fs::read_to_string(dir.path().join("content/policies").join(name)).unwrap();
            let fm = text
                .strip_prefix("+++\n")
                .unwrap()
                .split("\n+++\n")
                .next()
                .unwrap();
            let v: toml::Table = toml::from_str(fm).unwrap_or_else(|e| panic!("{name}: {e}"));
            for key in v.keys() {
                assert!(allowed.contains(key.as_str()), "{name}: key {key}");
            }
        }
        let text = std::fs::read_to_string(dir.path().join(&config.policy.file)).unwrap();
        let fm: toml::Table = toml::from_str(text[4..].split("\n+++\n").next().unwrap()).unwrap();
        let levels = fm["severity"].as_array().unwrap();
        assert_eq!(levels.len(), 4);
        for level in levels {
            for key in ["ack", "resolve", "postmortem"] {
                if let Some(t) = level.get(key) {
                    pagerproof::model::Target::parse(t.as_str().unwrap()).unwrap();
                }
            }
        }
        assert_eq!(levels[3]["ack"].as_str(), Some("next-business-day"));
        let after: Vec<i64> = fm["escalation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| pagerproof::model::parse_duration(e["paged_after"].as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(after, vec![0, 300, 900, 1800]);
    }
}
