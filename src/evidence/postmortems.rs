//! Postmortems: links, completion, due times, the five parts and action items
//! (evidence-rules.md §5).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::sla::Clock;
use super::{ActionItemFacts, IncidentFacts, Part, PostmortemFacts, PostmortemState, ResolvedLink};
use crate::model::{ActionItem, IncidentLink, Incidents, PolicyDoc, Postmortem, Target};
use crate::model::{GithubIssue, JiraIssue};
use crate::model::{Inputs, Sym};
use crate::util::jira_key_from_url;

/// Every incident number read, hashed: a million incidents in a B-tree took a tenth of a
/// million-incident evaluation to build.
pub type Numbers = HashSet<u64, foldhash::fast::RandomState>;
/// Incident id → number, hashed (see [`Numbers`]).
pub type Ids<'a> = HashMap<&'a str, u64, foldhash::fast::RandomState>;

/// Every postmortem's links resolved against the incidents read from any input.
#[derive(Debug, Clone, Default)]
pub struct LinkIndex {
    /// Per postmortem (same order as `Inputs::postmortems`), its entries resolved.
    pub links: Vec<Vec<ResolvedLink>>,
    /// Incident number → indices of the postmortems linking it, ascending (so sorted by id).
    pub by_incident: BTreeMap<u64, Vec<usize>>,
}

impl LinkIndex {
    /// `incidents` sorted by number, as the population is.
    pub fn build(incidents: &Incidents, postmortems: &[Postmortem]) -> LinkIndex {
        // Only the numbers and ids the postmortems name are looked up: tables of every
        // incident's were 127 MB at a million incidents, held through the whole evaluation.
        let entries = || postmortems.iter().flat_map(|pm| &pm.incidents);
        let numbers: Numbers = entries()
            .filter_map(|l| l.number)
            .filter(|&n| incidents.position(n).is_some())
            .collect();
        let wanted: HashSet<String, foldhash::fast::RandomState> =
            entries().filter_map(IncidentLink::effective_id).collect();
        // Ids are unique per account; should two incidents share one, the lower number keeps it
        // (the incidents come sorted by number).
        let mut ids = Ids::default();
        if !wanted.is_empty() {
            for i in incidents.iter() {
                // Keyed by the wanted set's copy: the incident is unpacked for this look only.
                if let Some(id) = i.fields.id.as_deref().and_then(|id| wanted.get(id)) {
                    ids.entry(id.as_str()).or_insert(i.number);
                }
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
pub fn resolve_link(link: &IncidentLink, numbers: &Numbers, ids: &Ids) -> ResolvedLink {
    let by_id = link.effective_id().map(|id| ids.get(id.as_str()).copied());
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
            pm.action_items
                .iter()
                .any(|a| a.kind.as_deref() == Some("prevent"))
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

/// What decides whether a corrective action is done as of `as_of` (evidence-rules §5, §9).
#[derive(Debug, Clone, Copy)]
pub struct Trackers<'a> {
    pub tz: chrono_tz::Tz,
    pub as_of: NaiveDate,
    /// The end of `as_of` (the build's "now").
    pub now: DateTime<Utc>,
    /// `site.toml [trackers] non_fix_resolutions`.
    pub non_fix: &'a [String],
    /// The GitHub issue snapshot by `owner/repo#number`.
    pub github: &'a BTreeMap<String, GithubIssue>,
}

/// Done: when the Jira snapshot holds its key, its `statusCategory.key` is `done`, its
/// resolution is a fix (not one of `non_fix_resolutions`) and its `resolutiondate` is at or
/// before the end of `as_of`; otherwise its own status is done, closed, completed or resolved
/// (any case).
pub fn action_item_facts(
    item: &ActionItem,
    jira: &BTreeMap<String, JiraIssue>,
    rules: &Trackers,
) -> ActionItemFacts {
    // An item tracked in GitHub is judged by GitHub (its `owner/repo#1` key is no Jira key).
    let github = [&item.tracker_url, &item.tracker_key]
        .into_iter()
        .flatten()
        .find_map(|t| crate::util::github_issue_ref(t))
        .and_then(|r| rules.github.get(&r));
    let issue = item_jira_key(item)
        .filter(|_| github.is_none())
        .and_then(|k| jira.get(&k));
    let (done, status_source, not_done) = match (issue, github) {
        (_, Some(gh)) => {
            let not_done = github_not_done(gh, rules);
            (not_done.is_none(), "github", not_done)
        }
        (Some(issue), None) => {
            let not_done = jira_not_done(issue, rules);
            (not_done.is_none(), "jira", not_done)
        }
        (None, None) => {
            let own = item.status.as_deref().map(str::trim).unwrap_or("");
            let done = ["done", "closed", "completed", "resolved"]
                .iter()
                .any(|s| own.eq_ignore_ascii_case(s));
            (done, "postmortem", None)
        }
    };
    let resolved_on = match github {
        Some(gh) => gh.closed_at,
        None => issue.and_then(|i| i.resolution_date),
    };
    let closed_late = match (resolved_on, item.due_date) {
        (Some(at), Some(due)) => due
            .succ_opt()
            .is_some_and(|next| at >= crate::model::period::local_midnight(rules.tz, next)),
        _ => false,
    };
    ActionItemFacts {
        key: item.key.clone(),
        done,
        status_source,
        jira_status: match github {
            Some(gh) => Some(gh.state.clone()),
            None => issue.and_then(|i| i.status.clone()),
        },
        jira_resolution: match github {
            Some(gh) => gh.state_reason.clone(),
            None => issue.and_then(|i| i.resolution.clone()),
        },
        resolved_on,
        not_done,
        closed_late,
        untracked: blank(item.tracker_key.as_deref()) && blank(item.tracker_url.as_deref()),
        overdue: !done && item.due_date.is_some_and(|d| d <= rules.as_of),
    }
}

/// Why a Jira ticket is not a completed corrective action as of `as_of`, or `None` when it is.
fn jira_not_done(issue: &JiraIssue, rules: &Trackers) -> Option<String> {
    if !issue.is_done() {
        return Some(format!(
            "Jira status `{}` is not in the done category",
            issue.status.as_deref().unwrap_or("?")
        ));
    }
    if let Some(r) = issue.resolution.as_deref().map(str::trim)
        && rules
            .non_fix
            .iter()
            .any(|n| n.trim().eq_ignore_ascii_case(r))
    {
        return Some(format!("resolved as `{r}`, which fixes nothing"));
    }
    match issue.resolution_date {
        Some(at) if at < rules.now => None,
        Some(_) => Some("resolved after the as-of date".into()),
        None => Some("done, but Jira records no resolution date".into()),
    }
}

/// Why a GitHub issue is not a completed corrective action as of `as_of` (evidence-rules §9):
/// done is closed on or before the end of `as_of` with `state_reason` "completed" or none.
fn github_not_done(issue: &GithubIssue, rules: &Trackers) -> Option<String> {
    if !issue.state.trim().eq_ignore_ascii_case("closed") {
        return Some(format!("GitHub issue is {}", issue.state));
    }
    if let Some(r) = issue.state_reason.as_deref().map(str::trim)
        && !r.eq_ignore_ascii_case("completed")
    {
        return Some(format!("closed as `{r}`, which is not completed"));
    }
    match issue.closed_at {
        Some(at) if at < rules.now => None,
        Some(_) => Some("closed after the as-of date".into()),
        None => Some("closed, but GitHub records no closing time".into()),
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
    let completed = linked
        .iter()
        .filter_map(|p| p.timestamps.completed_at)
        .min();
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
            if done <= due {
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
    trackers: &Trackers,
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
            let action_items: Vec<ActionItemFacts> = pm
                .action_items
                .iter()
                .map(|a| action_item_facts(a, &inputs.jira, trackers))
                .collect();
            PostmortemFacts {
                id: pm.id.clone(),
                orphan: links.iter().all(|l| l.number.is_none()),
                completed,
                incomplete: !parts_missing.is_empty()
                    && linked
                        .iter()
                        .any(|f| judged_for(f, policy, completed.is_some(), clock.now)),
                in_scope: !linked.is_empty(),
                open_items: action_items.iter().filter(|a| !a.done).count(),
                action_items,
                links: links.clone(),
                parts_present,
                parts_missing,
            }
        })
        .collect()
}

/// The `customer_impact` impact field of the first of `linked` (sorted by id) that has one.
pub fn customer_impact(linked: &[&Postmortem]) -> Option<Sym> {
    linked.iter().find_map(|pm| {
        pm.impact
            .as_ref()?
            .iter()
            .find(|(k, _)| k == "customer_impact")
            .map(|(_, v)| Sym::new(v))
    })
}

/// A postmortem's parts are judged for an in-period incident requiring one once the postmortem is
/// completed or that incident's due time has passed.
fn judged_for(
    incident: &IncidentFacts,
    policy: &PolicyDoc,
    completed: bool,
    now: DateTime<Utc>,
) -> bool {
    let requires = incident
        .severity
        .level
        .as_deref()
        .and_then(|l| policy.severity(l))
        .is_some_and(|l| l.postmortem.is_some());
    requires && (completed || incident.postmortem_due.is_some_and(|due| due < now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::*;
    use crate::evidence::{Evidence, evaluate};
    use crate::model::{Incident, JiraIssue};

    fn eval(incidents: Vec<Incident>, pms: Vec<Postmortem>) -> Evidence {
        evaluate(&config(), &inputs(incidents, pms))
    }

    fn facts_of(e: &Evidence, number: u64) -> &IncidentFacts {
        e.incidents.iter().find(|f| f.number == number).unwrap()
    }

    /// A P1 incident (48h postmortem target) resolved at `resolved`.
    fn p1_resolved(number: u64, created: &str, resolved: &str) -> Incident {
        incident(number)
            .priority("P1")
            .created(created)
            .acked(created)
            .resolved(resolved)
            .build()
    }

    #[test]
    fn customer_impact_from_the_first_linked_postmortem_that_states_it() {
        let impact = |v: &str| Some(vec![("customer_impact".to_string(), v.to_string())]);
        let pms = vec![
            pm("PM-1").link(1).with(|p| p.impact = None).build(),
            pm("PM-2")
                .link(1)
                .with(|p| p.impact = impact("checkout down"))
                .build(),
            pm("PM-3")
                .link(1)
                .with(|p| p.impact = impact("slow search"))
                .build(),
        ];
        let e = eval(vec![incident(1).build(), incident(2).build()], pms);
        assert_eq!(
            facts_of(&e, 1).customer_impact.as_deref(),
            Some("checkout down")
        );
        assert_eq!(facts_of(&e, 2).customer_impact, None);
    }

    #[test]
    fn open_items_are_the_items_not_done() {
        let mut done = action("A-2");
        done.status = Some("done".into());
        done.tracker_key = None;
        done.tracker_url = None;
        let pm = pm("PM-1")
            .link(1)
            .with(|p| p.action_items = vec![action("A-1"), done, action("A-3")])
            .build();
        let e = eval(vec![incident(1).build()], vec![pm]);
        let f = &e.postmortems[0];
        assert_eq!(
            f.action_items.iter().map(|a| a.done).collect::<Vec<_>>(),
            [false, true, false]
        );
        assert_eq!(f.open_items, 2);
    }

    #[test]
    fn links_by_number_id_or_url_and_number_wins() {
        let incidents = [incident(1).build(), incident(2).build()];
        let numbers = incidents.iter().map(|i| i.number).collect();
        let ids = Ids::from_iter([("Q1", 1), ("Q2", 2)]);
        let link = |number: Option<u64>, id: Option<&str>, url: Option<&str>| IncidentLink {
            number,
            id: id.map(Into::into),
            url: url.map(Into::into),
        };
        let r = resolve_link(&link(Some(1), Some("Q2"), None), &numbers, &ids);
        assert_eq!((r.number, r.mismatch), (Some(1), true));
        let r = resolve_link(&link(None, Some("Q2"), None), &numbers, &ids);
        assert_eq!(
            (r.number, r.mismatch, r.label.as_str()),
            (Some(2), false, "Q2")
        );
        let url = "https://acme.pagerduty.com/incidents/Q1";
        let r = resolve_link(&link(None, None, Some(url)), &numbers, &ids);
        assert_eq!((r.number, r.label.as_str()), (Some(1), url));
        // A number matching nothing is a dead link even when its id matches.
        let r = resolve_link(&link(Some(9), Some("Q1"), None), &numbers, &ids);
        assert_eq!((r.number, r.mismatch, r.label.as_str()), (None, true, "#9"));
    }

    /// The index looks up only what the postmortems name, with the same answers as a lookup
    /// of every incident: ids and URLs to the lower number of two sharing an id, numbers only
    /// when read, the rest dead links.
    #[test]
    fn the_index_resolves_what_postmortems_name_and_only_that() {
        let with_id = |n: u64, id: &str| {
            let mut i = incident(n).build();
            i.fields.id = Some(id.into());
            i
        };
        let incidents = [
            with_id(1, "Q1"),
            with_id(2, "Q2"),
            with_id(3, "Q2"),
            with_id(4, "Q4"),
        ];
        let by = |entries: Vec<IncidentLink>| pm("PM").with(|p| p.incidents = entries).build();
        let link = |number: Option<u64>, id: Option<&str>, url: Option<&str>| IncidentLink {
            number,
            id: id.map(Into::into),
            url: url.map(Into::into),
        };
        let pms = [
            by(vec![
                link(None, Some("Q2"), None),
                link(Some(9), None, None),
            ]),
            by(vec![
                link(None, None, Some("https://acme.pagerduty.com/incidents/Q1")),
                link(Some(3), None, None),
                link(None, Some("QX"), None),
            ]),
        ];
        let index = LinkIndex::build(&Incidents::from(incidents.to_vec()), &pms);
        let numbers = |n: usize| index.links[n].iter().map(|l| l.number).collect::<Vec<_>>();
        assert_eq!(numbers(0), [Some(2), None]);
        assert_eq!(numbers(1), [Some(1), Some(3), None]);
        let linking = |n: u64| index.by_incident.get(&n).cloned().unwrap_or_default();
        assert_eq!(
            [linking(1), linking(2), linking(3), linking(4)],
            [vec![1], vec![0], vec![1], vec![]]
        );
    }

    #[test]
    fn a_postmortem_linking_two_incidents_serves_both() {
        let e = eval(
            vec![
                p1_resolved(1, "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"),
                p1_resolved(2, "2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z"),
            ],
            vec![
                pm("PM-1")
                    .link(1)
                    .link(2)
                    .completed("2026-03-04T16:00:00Z")
                    .build(),
            ],
        );
        // Due 2026-03-04 16:00Z for #1 (completed exactly then: on time), 03-05 16:00Z for #2.
        assert_eq!(facts_of(&e, 1).postmortem, PostmortemState::OnTime);
        assert_eq!(facts_of(&e, 2).postmortem, PostmortemState::OnTime);
        assert_eq!(facts_of(&e, 1).postmortems, vec!["PM-1"]);
        assert_eq!(facts_of(&e, 2).postmortems, vec!["PM-1"]);
        assert!(e.postmortems[0].in_scope && !e.postmortems[0].orphan);
    }

    #[test]
    fn completed_one_second_after_due_is_late() {
        let e = eval(
            vec![p1_resolved(
                1,
                "2026-03-02T15:00:00Z",
                "2026-03-02T16:00:00Z",
            )],
            vec![pm("PM-1").link(1).completed("2026-03-04T16:00:01Z").build()],
        );
        let f = facts_of(&e, 1);
        assert_eq!(f.postmortem, PostmortemState::Late);
        assert_eq!(f.postmortem_due, Some(utc("2026-03-04T16:00:00Z")));
        assert!(e.exceptions.iter().any(|x| x.id == "postmortem_late:1"));
    }

    #[test]
    fn due_exactly_at_now_is_pending_not_missing() {
        // "now" = 2027-01-01 00:00 EST = 05:00Z; 48h before is 2026-12-30 05:00Z.
        let e = eval(
            vec![
                p1_resolved(1, "2026-12-30T04:00:00Z", "2026-12-30T05:00:00Z"),
                p1_resolved(2, "2026-12-30T04:00:00Z", "2026-12-30T04:59:59Z"),
            ],
            vec![],
        );
        assert_eq!(facts_of(&e, 1).postmortem, PostmortemState::Pending);
        assert_eq!(facts_of(&e, 2).postmortem, PostmortemState::Missing);
        let ids: Vec<&str> = e.exceptions.iter().map(|x| x.id.as_str()).collect();
        assert!(ids.contains(&"postmortem_missing:2"), "{ids:?}");
        assert!(!ids.contains(&"postmortem_missing:1"), "{ids:?}");
    }

    #[test]
    fn late_when_linked_but_never_completed_missing_when_unlinked() {
        let e = eval(
            vec![
                p1_resolved(1, "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"),
                p1_resolved(2, "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"),
                // Unresolved: no due time yet, pending.
                incident(3)
                    .priority("P1")
                    .acked("2026-03-02T15:01:00Z")
                    .unresolved()
                    .build(),
                // P3 requires no postmortem.
                incident(4)
                    .priority("P3")
                    .acked("2026-03-02T15:01:00Z")
                    .build(),
            ],
            vec![pm("PM-1").link(1).build()],
        );
        assert_eq!(facts_of(&e, 1).postmortem, PostmortemState::Late);
        assert_eq!(facts_of(&e, 2).postmortem, PostmortemState::Missing);
        assert_eq!(facts_of(&e, 3).postmortem, PostmortemState::Pending);
        assert_eq!(facts_of(&e, 4).postmortem, PostmortemState::NotRequired);
        let ids: Vec<&str> = e.exceptions.iter().map(|x| x.id.as_str()).collect();
        assert!(ids.contains(&"postmortem_late:1") && !ids.contains(&"postmortem_missing:1"));
        assert!(ids.contains(&"postmortem_missing:2") && !ids.contains(&"postmortem_late:2"));
    }

    type Change = fn(&mut Postmortem);

    #[test]
    fn each_of_the_five_parts_can_be_missing() {
        let full = pm("PM-1").build();
        assert_eq!(parts(&full), (Part::ALL.to_vec(), vec![]));
        let cases: [(Part, Change); 5] = [
            (Part::Timeline, |p| p.timeline.clear()),
            (Part::RootCause, |p| p.root_causes = vec!["  ".into()]),
            (Part::CustomerImpact, |p| p.impact = Some(vec![])),
            (Part::CorrectiveActions, |p| {
                p.action_items[0].due_date = None
            }),
            (Part::PreventiveMeasures, |p| {
                p.action_items[0].kind = Some("fix".into())
            }),
        ];
        for (part, change) in cases {
            let p = pm("PM-1").with(change).build();
            assert_eq!(parts(&p).1, vec![part], "{part:?}");
        }
        let no_owner = pm("PM-1")
            .with(|p| p.action_items[0].owner = Some(" ".into()))
            .build();
        assert_eq!(parts(&no_owner).1, vec![Part::CorrectiveActions]);
        let no_items = pm("PM-1")
            .with(|p| {
                p.action_items.clear();
                p.preventive_measures = vec!["Chaos drills".into()];
            })
            .build();
        assert_eq!(parts(&no_items).1, vec![Part::CorrectiveActions]);
        let no_impact = pm("PM-1").with(|p| p.impact = None).build();
        assert_eq!(parts(&no_impact).1, vec![Part::CustomerImpact]);
    }

    #[test]
    fn incomplete_only_once_completed_or_past_due() {
        let lacking = |id: &str| pm(id).link(1).with(|p| p.root_causes.clear());
        let incident = || p1_resolved(1, "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z");
        // Past due (and not completed): judged.
        let e = eval(vec![incident()], vec![lacking("PM-1").build()]);
        assert!(e.postmortems[0].incomplete);
        assert!(
            e.exceptions
                .iter()
                .any(|x| x.id == "postmortem_incomplete:PM-1")
        );
        // Not yet due and a draft: not judged yet.
        let recent = p1_resolved(1, "2026-12-30T15:00:00Z", "2026-12-30T16:00:00Z");
        let e = eval(vec![recent.clone()], vec![lacking("PM-1").build()]);
        assert!(!e.postmortems[0].incomplete);
        // Completed: judged even before the due time.
        let done = lacking("PM-1").completed("2026-12-30T20:00:00Z").build();
        let e = eval(vec![recent], vec![done]);
        assert!(e.postmortems[0].incomplete);
        // Linking only an incident that requires no postmortem: never judged.
        let p3 = incident_p3();
        let e = eval(
            vec![p3],
            vec![lacking("PM-1").completed("2026-03-03T00:00:00Z").build()],
        );
        assert!(!e.postmortems[0].incomplete);
    }

    fn incident_p3() -> Incident {
        incident(1)
            .priority("P3")
            .acked("2026-03-02T15:01:00Z")
            .build()
    }

    const NON_FIX: &[&str] = &["Won't Do", "Duplicate"];

    fn rules(as_of: NaiveDate) -> Trackers<'static> {
        use std::sync::OnceLock;
        static NON_FIX_OWNED: OnceLock<Vec<String>> = OnceLock::new();
        Trackers {
            tz: chrono_tz::America::New_York,
            as_of,
            now: crate::model::period::local_midnight(
                chrono_tz::America::New_York,
                as_of.succ_opt().unwrap(),
            ),
            non_fix: NON_FIX_OWNED.get_or_init(|| NON_FIX.iter().map(|s| s.to_string()).collect()),
            github: GITHUB.get_or_init(github_issues),
        }
    }

    static GITHUB: std::sync::OnceLock<BTreeMap<String, GithubIssue>> = std::sync::OnceLock::new();

    /// acme/api#1 completed 2026-06-01, #2 not planned, #3 closed with no reason on 2026-12-31
    /// 23:30 New York (after midnight UTC), #4 open.
    fn github_issues() -> BTreeMap<String, GithubIssue> {
        let gh = |n: u32, state: &str, reason: Option<&str>, closed: Option<&str>| GithubIssue {
            tracked_as: format!("acme/api#{n}"),
            title: None,
            state: state.into(),
            state_reason: reason.map(str::to_string),
            closed_at: closed.map(utc),
            url: None,
            source: "content/github/issues.jsonl".into(),
            line: u64::from(n),
        };
        [
            gh(1, "closed", Some("completed"), Some("2026-06-01T12:00:00Z")),
            gh(
                2,
                "closed",
                Some("not_planned"),
                Some("2026-06-01T12:00:00Z"),
            ),
            gh(3, "closed", None, Some("2027-01-01T04:30:00Z")),
            gh(4, "open", Some("reopened"), None),
        ]
        .into_iter()
        .map(|i| (i.tracked_as.clone(), i))
        .collect()
    }

    #[test]
    fn github_done_needs_closed_completed_or_no_reason_by_the_end_of_as_of() {
        let item = |key: &str| ActionItem {
            key: "AI-1".into(),
            title: "Fix".into(),
            kind: None,
            owner: None,
            due_date: Some(date("2026-09-30")),
            status: Some("done".into()),
            tracker_key: Some(key.into()),
            tracker_url: None,
        };
        let f = |key: &str, as_of: &str| {
            action_item_facts(&item(key), &BTreeMap::new(), &rules(date(as_of)))
        };
        let done = f("acme/api#1", "2026-12-31");
        assert!(done.done && done.status_source == "github" && !done.overdue);
        let not_planned = f("acme/api#2", "2026-12-31");
        assert!(!not_planned.done && not_planned.overdue);
        assert!(not_planned.not_done.unwrap().contains("not_planned"));
        assert!(f("acme/api#3", "2026-12-31").done, "23:30 local on as_of");
        let early = f("acme/api#3", "2026-12-30");
        assert_eq!(
            early.not_done.as_deref(),
            Some("closed after the as-of date")
        );
        assert!(
            !f("acme/api#4", "2026-12-31").done,
            "open, own status ignored"
        );
        // Not in the snapshot: its own status decides.
        let unknown = f("acme/api#9", "2026-12-31");
        assert!(unknown.done && unknown.status_source == "postmortem");
    }

    #[test]
    fn jira_done_needs_a_fix_resolved_by_as_of() {
        let as_of = date("2026-12-31");
        let mut item = action("AI-1");
        item.due_date = Some(date("2026-12-15"));
        let issue = |resolution: &str, at: Option<&str>| JiraIssue {
            key: "OPS-1234".into(),
            summary: None,
            status: Some("Closed".into()),
            status_category: Some("done".into()),
            url: None,
            resolution: Some(resolution.into()),
            resolution_date: at.map(utc),
            due_date: None,
            assignee: None,
            source: "content/jira/issues.jsonl".into(),
            line: 1,
        };
        let facts_for = |item: &ActionItem, i: JiraIssue| {
            let jira = BTreeMap::from([("OPS-1234".to_string(), i)]);
            action_item_facts(item, &jira, &rules(as_of))
        };
        let facts = |i: JiraIssue| facts_for(&item, i);
        // Done before as_of, but after the item's due date: done, closed late.
        let f = facts(issue("Done", Some("2026-12-20T10:00:00Z")));
        assert!(f.done && f.closed_late && f.not_done.is_none());
        assert_eq!(f.jira_resolution.as_deref(), Some("Done"));
        // A non-fix resolution is no corrective action, whatever the case.
        let f = facts(issue("won't do", Some("2026-12-01T10:00:00Z")));
        assert!(!f.done && f.overdue);
        assert!(f.not_done.unwrap().contains("fixes nothing"));
        // Resolved after the end of as_of (23:59 local on Dec 31 is still in time).
        assert!(facts(issue("Done", Some("2027-01-01T04:59:59Z"))).done);
        let f = facts(issue("Done", Some("2027-01-01T05:00:00Z")));
        assert!(!f.done && f.not_done.unwrap().contains("after the as-of date"));
        // No resolution date: not shown to be done as of as_of.
        assert!(!facts(issue("Done", None)).done);
        // Due the day it was closed: not late.
        let mut due_that_day = item.clone();
        due_that_day.due_date = Some(date("2026-12-20"));
        assert!(!facts_for(&due_that_day, issue("Done", Some("2026-12-20T10:00:00Z"))).closed_late);
    }

    #[test]
    fn action_item_done_via_jira_or_own_status() {
        let as_of = date("2026-12-31");
        let mut jira = BTreeMap::new();
        let issue = |cat: &str| JiraIssue {
            key: "OPS-1234".into(),
            summary: None,
            status: Some("Shipped".into()),
            status_category: Some(cat.into()),
            url: None,
            resolution: Some("Done".into()),
            resolution_date: Some(utc("2026-12-20T10:00:00Z")),
            due_date: None,
            assignee: None,
            source: "content/jira/issues.jsonl".into(),
            line: 1,
        };
        let mut item = action("AI-1");
        item.status = Some("open".into());
        jira.insert("OPS-1234".to_string(), issue("done"));
        let f = action_item_facts(&item, &jira, &rules(as_of));
        assert!(f.done && f.status_source == "jira" && !f.overdue);
        // The snapshot decides over the item's own status.
        item.status = Some("Closed".into());
        jira.insert("OPS-1234".to_string(), issue("indeterminate"));
        let f = action_item_facts(&item, &jira, &rules(as_of));
        assert!(!f.done && f.overdue);
        // Not in the snapshot: its own status, any case.
        let f = action_item_facts(&item, &BTreeMap::new(), &rules(as_of));
        assert!(f.done && f.status_source == "postmortem");
        item.status = Some("in progress".into());
        assert!(!action_item_facts(&item, &BTreeMap::new(), &rules(as_of)).done);
    }

    #[test]
    fn overdue_when_due_on_or_before_as_of() {
        let mut item = action("AI-1");
        let jira = BTreeMap::new();
        item.due_date = Some(date("2026-12-31"));
        assert!(action_item_facts(&item, &jira, &rules(date("2026-12-31"))).overdue);
        item.due_date = Some(date("2027-01-01"));
        assert!(!action_item_facts(&item, &jira, &rules(date("2026-12-31"))).overdue);
        item.due_date = None;
        assert!(!action_item_facts(&item, &jira, &rules(date("2026-12-31"))).overdue);
    }

    #[test]
    fn untracked_needs_neither_key_nor_url() {
        let mut item = action("#2");
        item.tracker_key = None;
        assert!(!action_item_facts(&item, &BTreeMap::new(), &rules(date("2026-12-31"))).untracked);
        item.tracker_url = Some(" ".into());
        assert!(action_item_facts(&item, &BTreeMap::new(), &rules(date("2026-12-31"))).untracked);
    }

    #[test]
    fn orphan_links_no_incident_from_any_input() {
        let outside = incident(7).outside_period().build();
        let e = eval(
            vec![incident(1).priority("P3").build(), outside],
            vec![
                pm("PM-1").link(99).build(),
                pm("PM-2").build(),
                pm("PM-3").link(7).build(),
            ],
        );
        let orphans: Vec<(&str, bool)> = e
            .postmortems
            .iter()
            .map(|p| (p.id.as_str(), p.orphan))
            .collect();
        assert_eq!(
            orphans,
            vec![("PM-1", true), ("PM-2", true), ("PM-3", false)]
        );
        // Linking only an outside-period incident: not an orphan, but out of scope.
        assert!(!e.postmortems[2].in_scope);
        let ids: Vec<&str> = e.exceptions.iter().map(|x| x.id.as_str()).collect();
        assert!(ids.contains(&"orphan_postmortem:PM-1") && ids.contains(&"orphan_postmortem:PM-2"));
        assert!(!ids.contains(&"orphan_postmortem:PM-3"));
    }
}
