//! Postmortems: links, completion, due times, the five parts and action items
//! (evidence-rules.md §5).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::sla::{Clock, secs_between};
use super::{ActionItemFacts, IncidentFacts, Part, PostmortemFacts, PostmortemState, ResolvedLink};
use crate::ingest::Inputs;
use crate::ingest::jira::JiraIssue;
use crate::model::{ActionItem, Incident, IncidentLink, PolicyDoc, Postmortem, Target};
use crate::util::jira_key_from_url;

/// Every postmortem's links resolved against the incidents read from any input.
#[derive(Debug, Clone, Default)]
pub struct LinkIndex {
    /// Per postmortem (same order as `Inputs::postmortems`), its entries resolved.
    pub links: Vec<Vec<ResolvedLink>>,
    /// Incident number → indices of the postmortems linking it, ascending (so sorted by id).
    pub by_incident: BTreeMap<u64, Vec<usize>>,
}

impl LinkIndex {
    pub fn build(incidents: &[Incident], postmortems: &[Postmortem]) -> LinkIndex {
        let numbers: BTreeSet<u64> = incidents.iter().map(|i| i.number).collect();
        // Ids are unique per account; should two incidents share one, the lower number keeps it.
        let mut ids: BTreeMap<&str, u64> = BTreeMap::new();
        for i in incidents {
            if let Some(id) = i.fields.id.as_deref() {
                ids.entry(id).or_insert(i.number);
            }
        }
        let mut index = LinkIndex::default();
        for (n, pm) in postmortems.iter().enumerate() {
            let links: Vec<ResolvedLink> = pm
                .incidents
                .iter()
                .map(|l| resolve_link(l, &numbers, &ids))
                .collect();
            for number in links.iter().filter_map(|l| l.number) {
                let pms = index.by_incident.entry(number).or_default();
                if pms.last() != Some(&n) {
                    pms.push(n);
                }
            }
            index.links.push(links);
        }
        index
    }

    /// The postmortems linking an incident, sorted by id.
    pub fn linking<'a>(&self, number: u64, postmortems: &'a [Postmortem]) -> Vec<&'a Postmortem> {
        self.by_incident
            .get(&number)
            .map(|ix| ix.iter().map(|&i| &postmortems[i]).collect())
            .unwrap_or_default()
    }
}

/// An entry with a number links the incident with that number (and only that one: its id is then
/// used only to detect a mismatch); an entry with only an id, or only a `/incidents/<ID>` URL,
/// links the incident with that id. No match is a dead link (`number: None`).
pub fn resolve_link(
    link: &IncidentLink,
    numbers: &BTreeSet<u64>,
    ids: &BTreeMap<&str, u64>,
) -> ResolvedLink {
    let by_id = link
        .effective_id()
        .map(|id| ids.get(id.as_str()).copied());
    let (number, mismatch) = match link.number {
        Some(n) => {
            let found = numbers.contains(&n).then_some(n);
            (found, by_id.is_some_and(|other| other != found))
        }
        None => (by_id.flatten(), false),
    };
    ResolvedLink {
        number,
        mismatch,
        label: link_label(link),
    }
}

fn link_label(link: &IncidentLink) -> String {
    match (&link.number, &link.id, &link.url) {
        (Some(n), _, _) => format!("#{n}"),
        (None, Some(id), _) => id.clone(),
        (None, None, Some(url)) => url.clone(),
        (None, None, None) => "(empty entry)".to_string(),
    }
}

/// The five parts, each present or missing, in order.
pub fn parts(pm: &Postmortem) -> (Vec<Part>, Vec<Part>) {
    Part::ALL.into_iter().partition(|&p| has_part(pm, p))
}

fn blank(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

/// Whether a part is present, exactly as §5 defines it.
pub fn has_part(pm: &Postmortem, part: Part) -> bool {
    match part {
        Part::Timeline => !pm.timeline.is_empty(),
        Part::RootCause => pm.root_causes.iter().any(|r| !r.trim().is_empty()),
        // An object with at least one field; the model may hold its `description` apart.
        Part::CustomerImpact => pm
            .impact
            .as_ref()
            .is_some_and(|fields| !fields.is_empty() || pm.impact_description.is_some()),
        Part::CorrectiveActions => {
            !pm.action_items.is_empty()
                && pm
                    .action_items
                    .iter()
                    .all(|a| !blank(a.owner.as_deref()) && a.due_date.is_some())
        }
        Part::PreventiveMeasures => {
            pm.action_items.iter().any(|a| a.kind.as_deref() == Some("prevent"))
                || pm.preventive_measures.iter().any(|m| !m.trim().is_empty())
        }
    }
}

/// The Jira key of an action item: read from a `/browse/KEY-1` URL first, else its tracker key.
pub fn item_jira_key(item: &ActionItem) -> Option<String> {
    item.tracker_url
        .as_deref()
        .and_then(jira_key_from_url)
        .or_else(|| item.tracker_key.clone().filter(|k| !k.trim().is_empty()))
}

/// Done: when the Jira snapshot holds its key, its `statusCategory.key` is `done`; otherwise its
/// own status is done, closed, completed or resolved (any case).
pub fn action_item_facts(
    item: &ActionItem,
    jira: &BTreeMap<String, JiraIssue>,
    as_of: NaiveDate,
) -> ActionItemFacts {
    let issue = item_jira_key(item).and_then(|k| jira.get(&k));
    let (done, status_source, jira_status) = match issue {
        Some(issue) => (
            issue.status_category.as_deref() == Some("done"),
            "jira",
            issue.status.clone(),
        ),
        None => {
            let own = item.status.as_deref().map(str::trim).unwrap_or("");
            let done = ["done", "closed", "completed", "resolved"]
                .iter()
                .any(|s| own.eq_ignore_ascii_case(s));
            (done, "postmortem", None)
        }
    };
    ActionItemFacts {
        key: item.key.clone(),
        done,
        status_source,
        jira_status,
        untracked: blank(item.tracker_key.as_deref()) && blank(item.tracker_url.as_deref()),
        overdue: !done && item.due_date.is_some_and(|d| d <= as_of),
    }
}

/// What §5 says about one incident's postmortem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncidentPostmortem {
    pub state: PostmortemState,
    pub due: Option<DateTime<Utc>>,
    /// Earliest completion among the linked postmortems.
    pub completed: Option<DateTime<Utc>>,
}

/// Judges an incident's postmortem: `target` is its severity's postmortem target, `resolved` its
/// resolution, `linked` the postmortems linking it.
pub fn judge(
    target: Option<Target>,
    resolved: Option<DateTime<Utc>>,
    linked: &[&Postmortem],
    clock: &Clock,
) -> IncidentPostmortem {
    let completed = linked.iter().filter_map(|p| p.timestamps.completed_at).min();
    let due = target.zip(resolved).map(|(t, r)| clock.deadline(r, t));
    let state = match (target, due, completed) {
        (None, _, _) => PostmortemState::NotRequired,
        // Unresolved: no due time yet.
        (Some(_), None, _) => PostmortemState::Pending,
        (Some(_), Some(due), _) if linked.is_empty() => {
            if due < clock.now {
                PostmortemState::Missing
            } else {
                PostmortemState::Pending
            }
        }
        (Some(_), Some(due), Some(done)) => {
            if secs_between(due, done) <= 0 {
                PostmortemState::OnTime
            } else {
                PostmortemState::Late
            }
        }
        (Some(_), Some(due), None) => {
            if due < clock.now {
                PostmortemState::Late
            } else {
                PostmortemState::Pending
            }
        }
    };
    IncidentPostmortem {
        state,
        due,
        completed,
    }
}

/// Facts for every postmortem, in input order. `incidents` are the in-period incidents' facts
/// (decide scope and `postmortem_incomplete`).
pub fn facts(
    inputs: &Inputs,
    index: &LinkIndex,
    incidents: &[IncidentFacts],
    clock: &Clock,
    as_of: NaiveDate,
) -> Vec<PostmortemFacts> {
    let policy = inputs.policy();
    let in_period: BTreeMap<u64, &IncidentFacts> =
        incidents.iter().map(|f| (f.number, f)).collect();
    inputs
        .postmortems
        .iter()
        .zip(&index.links)
        .map(|(pm, links)| {
            let (parts_present, parts_missing) = parts(pm);
            let linked: Vec<&IncidentFacts> = links
                .iter()
                .filter_map(|l| l.number.and_then(|n| in_period.get(&n).copied()))
                .collect();
            let completed = pm.timestamps.completed_at;
            PostmortemFacts {
                id: pm.id.clone(),
                orphan: links.iter().all(|l| l.number.is_none()),
                completed,
                incomplete: !parts_missing.is_empty()
                    && linked
                        .iter()
                        .any(|f| judged_for(f, policy, completed.is_some(), clock.now)),
                in_scope: !linked.is_empty(),
                action_items: pm
                    .action_items
                    .iter()
                    .map(|a| action_item_facts(a, &inputs.jira, as_of))
                    .collect(),
                links: links.clone(),
                parts_present,
                parts_missing,
            }
        })
        .collect()
}

/// A postmortem's parts are judged for an in-period incident requiring one once the postmortem is
/// completed or that incident's due time has passed.
fn judged_for(incident: &IncidentFacts, policy: &PolicyDoc, completed: bool, now: DateTime<Utc>) -> bool {
    let requires = incident
        .severity
        .level
        .as_deref()
        .and_then(|l| policy.severity(l))
        .is_some_and(|l| l.postmortem.is_some());
    requires && (completed || incident.postmortem_due.is_some_and(|due| due < now))
}
