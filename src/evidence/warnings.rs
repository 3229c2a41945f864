//! Warnings shown on the page concerned (issue 9): disagreements between inputs that are no
//! exception under the rules, but that an auditor would want to see before relying on a page.

use chrono::NaiveDate;

use super::postmortems::item_jira_key;
use super::{IncidentFacts, ResolvedLink};
use crate::model::{Inputs, PolicyDoc, Postmortem};

/// A postmortem whose severity differs from an in-period linked incident's, and action items
/// whose Jira ticket has another due date. `facts` are the in-period incidents, sorted by number;
/// `links` the postmortem's links as evaluation resolved them (by number, else by id: no scan of
/// the incidents per link, which at a million incidents took minutes).
pub fn postmortem(
    inputs: &Inputs,
    facts: &[IncidentFacts],
    pm: &Postmortem,
    links: &[ResolvedLink],
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(raw) = pm.severity.as_deref().or(pm.priority.as_deref()) {
        let own = inputs
            .policy()
            .match_severity(raw)
            .map(|s| s.level.as_str());
        for number in links.iter().filter_map(|l| l.number) {
            let Ok(i) = facts.binary_search_by_key(&number, |f| f.number) else {
                continue;
            };
            let theirs = facts[i].severity.level.as_deref();
            if theirs.is_some() && own != theirs {
                out.push(format!(
                    "Severity “{raw}”{} differs from incident #{number}'s severity {}",
                    // The level the value matches, when the value is an alias of it.
                    own.filter(|l| *l != raw)
                        .map_or(String::new(), |l| format!(" ({l})")),
                    theirs.unwrap_or_default(),
                ));
            }
        }
    }
    for item in &pm.action_items {
        let Some(key) = item_jira_key(item) else {
            continue;
        };
        let jira_due = inputs.jira.get(&key).and_then(|j| j.due_date);
        if let (Some(own), Some(jira)) = (item.due_date, jira_due)
            && own != jira
        {
            out.push(format!(
                "Action item {}: due {own} here, but {key} is due {jira} in Jira",
                item.key
            ));
        }
    }
    out
}

/// A policy past its `next_review` date as of `as_of`.
pub fn policy(doc: &PolicyDoc, as_of: NaiveDate) -> Vec<String> {
    match doc.next_review {
        Some(due) if due < as_of => vec![format!(
            "Past its review: the next review was due {due}, before the as-of date {as_of}"
        )],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{policy, postmortem};
    use crate::evidence::testkit::{config, date, incident, inputs, pm};

    #[test]
    fn severity_and_due_date_disagreements_are_flagged() {
        // pm() carries one action item, `action("AI-1")`.
        let pm_with = |sev: &str| pm("PM-1").link(1).severity(sev).build();
        let mut i = inputs(
            vec![incident(1).priority("P1").build()],
            vec![pm_with("P2")],
        );
        let issue = |due: &str| crate::model::JiraIssue {
            key: "OPS-1234".into(),
            summary: None,
            status: None,
            status_category: None,
            url: None,
            resolution: None,
            resolution_date: None,
            due_date: Some(date(due)),
            assignee: None,
            source: "content/jira/issues.jsonl".into(),
            line: 1,
        };
        i.jira.insert("OPS-1234".into(), issue("2026-04-15"));
        let e = crate::evidence::evaluate(&config(), &i);
        assert_eq!(
            postmortem(&i, &e.incidents, &i.postmortems[0], &e.postmortems[0].links),
            vec![
                "Severity “P2” differs from incident #1's severity P1".to_string(),
                "Action item AI-1: due 2026-03-30 here, but OPS-1234 is due 2026-04-15 in Jira"
                    .to_string(),
            ]
        );
        // Agreeing severity (by alias) and due date: nothing to say.
        i.postmortems = vec![pm_with("SEV-1")];
        i.jira.insert("OPS-1234".into(), issue("2026-03-30"));
        let e = crate::evidence::evaluate(&config(), &i);
        assert!(
            postmortem(&i, &e.incidents, &i.postmortems[0], &e.postmortems[0].links).is_empty()
        );
    }

    #[test]
    fn a_policy_past_its_next_review_is_flagged() {
        let mut doc = inputs(vec![], vec![]).policy().clone();
        assert!(policy(&doc, date("2026-12-31")).is_empty());
        doc.next_review = Some(date("2026-12-31"));
        assert!(policy(&doc, date("2026-12-31")).is_empty(), "due on as_of");
        doc.next_review = Some(date("2026-06-30"));
        assert_eq!(
            policy(&doc, date("2026-12-31")),
            vec![
                "Past its review: the next review was due 2026-06-30, before the as-of date 2026-12-31"
            ]
        );
    }
}
