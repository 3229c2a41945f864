//! The test attributes of a sampled incident's workpaper, each concluded from figures the other
//! rules computed: a tickmark (pass, exception, not applicable) and why.

use serde::Serialize;

use crate::evidence::on_call_chain::OnCallChain;
use crate::evidence::timeline::{Step, StepKind};
use crate::evidence::{IncidentFacts, PostmortemFacts, PostmortemState, VerdictState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tick {
    Pass,
    Exception,
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    RecordedAndAssigned,
    AcknowledgedInTime,
    ResolvedInTime,
    Postmortem,
    CorrectiveActions,
}

impl Attribute {
    pub const ALL: [Attribute; 5] = [
        Attribute::RecordedAndAssigned,
        Attribute::AcknowledgedInTime,
        Attribute::ResolvedInTime,
        Attribute::Postmortem,
        Attribute::CorrectiveActions,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Attribute::RecordedAndAssigned => {
                "Recorded, and assigned through the escalation policy"
            }
            Attribute::AcknowledgedInTime => "Acknowledged within target",
            Attribute::ResolvedInTime => "Resolved within target",
            Attribute::Postmortem => "Postmortem when required, on time, complete",
            Attribute::CorrectiveActions => "Corrective actions tracked and done",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Tested {
    pub attribute: Attribute,
    pub tick: Tick,
    pub why: String,
}

/// Every attribute, in [`Attribute::ALL`] order.
pub fn attributes(
    f: &IncidentFacts,
    steps: &[Step],
    chain: Option<&OnCallChain>,
    postmortems: &[&PostmortemFacts],
) -> Vec<Tested> {
    Attribute::ALL
        .iter()
        .map(|&attribute| {
            let (tick, why) = match attribute {
                Attribute::RecordedAndAssigned => assigned(steps, chain),
                Attribute::AcknowledgedInTime => verdict(f.ack.state, "acknowledged"),
                Attribute::ResolvedInTime => verdict(f.resolve.state, "resolved"),
                Attribute::Postmortem => postmortem(f, postmortems),
                Attribute::CorrectiveActions => actions(f, postmortems),
            };
            Tested {
                attribute,
                tick,
                why,
            }
        })
        .collect()
}

fn assigned(steps: &[Step], chain: Option<&OnCallChain>) -> (Tick, String) {
    let Some(chain) = chain else {
        return (
            Tick::Exception,
            "no escalation policy for the incident in the PagerDuty snapshot".into(),
        );
    };
    let first = chain.levels.first();
    let assignee = steps
        .iter()
        .find(|s| s.kind == StepKind::Assign)
        .and_then(|s| s.subject);
    let on_level_one =
        |who: &str| first.is_some_and(|l| l.on_call.iter().any(|p| p.name.as_deref() == Some(who)));
    if let Some(m) = chain.missed.first() {
        return (
            Tick::Exception,
            format!(
                "level {} of {} should have been paged {}s after the trigger and was not",
                m.level, chain.policy_name, m.expected_secs
            ),
        );
    }
    match assignee {
        Some(who) if on_level_one(who) => (
            Tick::Pass,
            format!(
                "recorded in PagerDuty and assigned to {who}, on call for level 1 of {}",
                chain.policy_name
            ),
        ),
        Some(who) => (
            Tick::Exception,
            format!("assigned to {who}, who was not on call for level 1 at the trigger"),
        ),
        None => (
            Tick::Exception,
            "no assignment in the incident's log entries".into(),
        ),
    }
}

fn verdict(state: VerdictState, what: &str) -> (Tick, String) {
    match state {
        VerdictState::Met => (Tick::Pass, format!("{what} by the deadline")),
        VerdictState::Breached => (Tick::Exception, format!("not {what} by the deadline")),
        VerdictState::Pending => (Tick::NotApplicable, "deadline after the as-of date".into()),
        VerdictState::NoData => (Tick::Exception, "no data in the exports".into()),
        VerdictState::NotApplicable => (Tick::NotApplicable, "no target for the severity".into()),
    }
}

fn postmortem(f: &IncidentFacts, pms: &[&PostmortemFacts]) -> (Tick, String) {
    let incomplete: Vec<&str> = pms
        .iter()
        .filter(|p| p.incomplete)
        .map(|p| p.id.as_str())
        .collect();
    match f.postmortem {
        PostmortemState::NotRequired => (
            Tick::NotApplicable,
            "the severity requires no postmortem".into(),
        ),
        PostmortemState::Pending => (Tick::NotApplicable, "not yet due".into()),
        PostmortemState::Missing => (Tick::Exception, "required and missing".into()),
        PostmortemState::Late => (Tick::Exception, "completed after its due date".into()),
        PostmortemState::OnTime if !incomplete.is_empty() => (
            Tick::Exception,
            format!("on time, but incomplete: {}", incomplete.join(", ")),
        ),
        PostmortemState::OnTime => (Tick::Pass, "on time and complete".into()),
    }
}

fn actions(f: &IncidentFacts, pms: &[&PostmortemFacts]) -> (Tick, String) {
    let items: Vec<_> = pms.iter().flat_map(|p| &p.action_items).collect();
    if items.is_empty() {
        return match f.postmortem {
            PostmortemState::NotRequired | PostmortemState::Pending if pms.is_empty() => {
                (Tick::NotApplicable, "no postmortem, no action items".into())
            }
            _ => (Tick::Exception, "no corrective action recorded".into()),
        };
    }
    let untracked = items.iter().filter(|i| i.untracked).count();
    let overdue = items.iter().filter(|i| i.overdue).count();
    let open = items.iter().filter(|i| !i.done).count();
    match (untracked, overdue, open) {
        (0, 0, 0) => (
            Tick::Pass,
            format!("{} action item(s), all tracked and done", items.len()),
        ),
        (0, 0, n) => (
            Tick::NotApplicable,
            format!("{n} of {} still open, none overdue", items.len()),
        ),
        (u, o, _) => (
            Tick::Exception,
            format!(
                "{u} untracked, {o} overdue of {} action item(s)",
                items.len()
            ),
        ),
    }
}
