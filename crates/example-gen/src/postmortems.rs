//! Postmortems (postmortem.v1) for the P1s and some P2s, of deliberately varying quality.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::company::{self, ENGINEERS, ITEM_OWNERS, SCENARIOS, SERVICES, Scenario};
use super::incidents::{Calendar, Inc, POSTMORTEM, Population, SRE_LEAD, person};
use super::rng::Rng;

/// How a postmortem names an incident (postmortem-format.md allows number, id and url).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Full(usize),
    Number(usize),
    Id(usize),
    Url(usize),
    /// An incident no export holds (the orphan).
    Absent {
        number: u64,
    },
}

impl Link {
    pub fn incident(self) -> Option<usize> {
        match self {
            Link::Full(i) | Link::Number(i) | Link::Id(i) | Link::Url(i) => Some(i),
            Link::Absent { .. } => None,
        }
    }
}

/// Parts deliberately left out (evidence-rules.md §5, the five parts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flaws {
    pub no_timeline: bool,
    pub no_root_cause: bool,
    pub no_preventive: bool,
    pub item_without_owner_or_due: bool,
}

impl Flaws {
    pub fn any(&self) -> bool {
        self.no_timeline
            || self.no_root_cause
            || self.no_preventive
            || self.item_without_owner_or_due
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub title: &'static str,
    pub kind: &'static str,
    pub owner: Option<&'static str>,
    pub due: Option<NaiveDate>,
    pub status: &'static str,
    /// Jira key; `None` when the item was never ticketed.
    pub tracker: Option<String>,
}

impl Item {
    pub fn done(&self) -> bool {
        matches!(self.status, "done" | "closed" | "completed" | "resolved")
    }
}

#[derive(Debug, Clone)]
pub struct Pm {
    pub id: String,
    pub links: Vec<Link>,
    pub scenario: &'static Scenario,
    pub severity: String,
    pub status: &'static str,
    pub owner: usize,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub flaws: Flaws,
    pub items: Vec<Item>,
    pub users_affected: u64,
}

/// Which incidents get postmortems and how good they are.
pub fn plan(
    pop: &Population,
    excluded: &dyn Fn(usize) -> bool,
    cal: &Calendar,
    seed: u64,
) -> Vec<Pm> {
    let mut rng = Rng::stream(seed, "postmortems");
    let incs = &pop.incidents;
    let eligible = |i: usize, p: usize| incs[i].in_period && incs[i].priority == p && !excluded(i);
    let related_b = pop.related.map(|r| r.1);
    let related_a = pop.related.map(|r| r.0);
    let p1: Vec<usize> = (0..incs.len()).filter(|&i| eligible(i, 0)).collect();
    let p2: Vec<usize> = (0..incs.len())
        .filter(|&i| eligible(i, 1) && Some(i) != related_b)
        .collect();

    // A P1 or two never got a postmortem: resolved long before the year closed, so it is missing.
    let due_cutoff = cal.now - Duration::days(30);
    let mut old: Vec<usize> = p1
        .iter()
        .copied()
        .filter(|&i| Some(i) != related_a && incs[i].resolved_at().is_some_and(|r| r < due_cutoff))
        .collect();
    rng.shuffle(&mut old);
    let missing: Vec<usize> = old.into_iter().take((p1.len() / 40).max(1)).collect();

    let mut voluntary = p2.clone();
    rng.shuffle(&mut voluntary);
    voluntary.truncate((p2.len() * 4 / 100).max(3).min(p2.len()));

    let mut subjects: Vec<Vec<usize>> = p1
        .iter()
        .filter(|i| !missing.contains(i) && incs[**i].resolved_at().is_some())
        .map(|&i| {
            if Some(i) == related_a {
                vec![i, related_b.unwrap()]
            } else {
                vec![i]
            }
        })
        .chain(
            voluntary
                .iter()
                .filter(|&&i| incs[i].resolved_at().is_some())
                .map(|&i| vec![i]),
        )
        .collect();
    subjects.sort_by_key(|s| incs[s[0]].created);

    let mut pms = vec![orphan(&mut rng, cal)];
    for (k, subject) in subjects.iter().enumerate() {
        pms.push(postmortem(
            &mut rng,
            incs,
            subject,
            format!("PM-{}-{:04}", cal.year(), k + 2),
            cal,
        ));
    }
    degrade(&mut pms[1..], incs, cal, &mut rng);
    pms
}

/// Written in January for an incident of the previous November that no export of the period
/// holds.
fn orphan(rng: &mut Rng, cal: &Calendar) -> Pm {
    let scenario = &SCENARIOS[6];
    let created_at = cal.instant(
        super::incidents::date(cal.year(), 1, 6)
            .and_hms_opt(15, 20, 0)
            .unwrap(),
    );
    let mut pm = Pm {
        id: format!("PM-{}-0001", cal.year()),
        links: vec![Link::Absent {
            number: cal.period.orphan_incident(),
        }],
        scenario,
        severity: "P1".into(),
        status: "completed",
        owner: 2,
        created_at,
        completed_at: Some(created_at + Duration::days(2) + Duration::hours(3)),
        flaws: Flaws::default(),
        items: Vec::new(),
        users_affected: 3400,
    };
    pm.items = items(rng, &pm, 4, cal);
    pm
}

fn postmortem(rng: &mut Rng, incs: &[Inc], subject: &[usize], id: String, cal: &Calendar) -> Pm {
    let inc = &incs[subject[0]];
    let resolved = inc
        .resolved_at()
        .expect("postmortems cover resolved incidents");
    let service = SERVICES[inc.service].name;
    let stories: Vec<&'static Scenario> =
        SCENARIOS.iter().filter(|s| s.service == service).collect();
    let scenario = *rng.pick(&stories);
    let alias = rng.chance(150);
    let severity = match (inc.priority, alias) {
        (0, true) => "SEV-1",
        (1, true) => "SEV-2",
        (0, false) => "P1",
        _ => "P2",
    };
    let created_at = resolved + Duration::seconds(rng.between(3600, 20 * 3600));
    let window = POSTMORTEM[inc.priority].unwrap_or(10 * 86_400);
    let completed = resolved + Duration::seconds(rng.between(86_400, window * 9 / 10));
    let mut pm = Pm {
        id,
        links: subject.iter().map(|&i| Link::Full(i)).collect(),
        scenario,
        severity: severity.into(),
        status: if rng.chance(400) {
            "published"
        } else {
            "completed"
        },
        owner: if rng.chance(500) {
            SRE_LEAD
        } else {
            inc.acked_by.filter(|&p| p < 6).unwrap_or(inc.assigned)
        },
        created_at,
        completed_at: Some(completed),
        flaws: Flaws::default(),
        items: Vec::new(),
        users_affected: rng.between(40, 25_000) as u64,
    };
    let n_items = scenario.actions.len();
    pm.items = items(rng, &pm, n_items, cal);
    settle_completion(&mut pm, cal);
    pm
}

/// A completion after the as-of date cannot be in the snapshot: the document is still in review.
fn settle_completion(pm: &mut Pm, cal: &Calendar) {
    if pm.completed_at.is_some_and(|c| c >= cal.now) {
        pm.completed_at = None;
        pm.status = "in_review";
    }
}

fn items(rng: &mut Rng, pm: &Pm, count: usize, cal: &Calendar) -> Vec<Item> {
    let base = pm.completed_at.unwrap_or(pm.created_at).date_naive();
    let as_of = cal.as_of();
    let project = SERVICES
        .iter()
        .find(|s| s.name == pm.scenario.service)
        .map_or("SRE", |s| s.jira);
    pm.scenario
        .actions
        .iter()
        .take(count)
        .enumerate()
        .map(|(k, (title, kind))| {
            let due = base + Duration::days(rng.between(14, 75));
            let status = if due <= as_of {
                *rng.pick(&[
                    "done",
                    "done",
                    "done",
                    "done",
                    "done",
                    "done",
                    "done",
                    "done",
                    "done",
                    "done",
                    "in_progress",
                    "open",
                ])
            } else {
                *rng.pick(&["open", "open", "in_progress", "in_progress", "done"])
            };
            let owner = if rng.chance(300) {
                *rng.pick(&ITEM_OWNERS)
            } else {
                rng.pick(&ENGINEERS).name
            };
            Item {
                id: format!("AI-{}", k + 1),
                title,
                kind,
                owner: Some(owner),
                due: Some(due),
                status,
                tracker: Some(format!("{project}-{}", rng.between(140, 2400))),
            }
        })
        .collect()
}

/// Makes some postmortems late, unfinished, incomplete, loosely linked or untracked.
fn degrade(pms: &mut [Pm], incs: &[Inc], cal: &Calendar, rng: &mut Rng) {
    let p1: Vec<usize> = (0..pms.len())
        .filter(|&k| pms[k].severity.ends_with('1'))
        .collect();
    // The year's last P1 postmortem is still in review at the as-of date.
    let last = p1.last().copied();
    let mut order: Vec<usize> = p1.iter().copied().filter(|&k| Some(k) != last).collect();
    rng.shuffle(&mut order);
    let mut take = |n: usize, ok: &dyn Fn(&Pm) -> bool| -> Vec<usize> {
        let picked: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&k| ok(&pms[k]))
            .take(n)
            .collect();
        order.retain(|k| !picked.contains(k));
        picked
    };
    let scale = (p1.len() / 10).max(2);
    let resolved = |pm: &Pm| incs[pm.links[0].incident().unwrap()].resolved_at().unwrap();
    let before_october = |pm: &Pm| {
        resolved(pm)
            < cal
                .instant(super::incidents::date(cal.year(), 10, 1).and_time(chrono::NaiveTime::MIN))
    };
    let completed = |pm: &Pm| pm.completed_at.is_some();

    let late = take(scale, &|pm| completed(pm) && before_october(pm));
    let draft = take(1, &before_october);
    let flawed: Vec<Vec<usize>> = (0..4)
        .map(|_| take((p1.len() / 50).max(1), &completed))
        .collect();
    let url_only = take(2, &|pm| pm.links.len() == 1);
    let id_only = take(scale, &|pm| pm.links.len() == 1);
    let number_only = take(scale, &|pm| pm.links.len() == 1);

    for k in late {
        let due = resolved(&pms[k]) + Duration::seconds(POSTMORTEM[0].unwrap());
        let done = due + Duration::seconds(rng.between(86_400, 20 * 86_400));
        pms[k].completed_at = Some(done);
        settle_completion(&mut pms[k], cal);
    }
    for k in draft {
        pms[k].completed_at = None;
        pms[k].status = "draft";
    }
    if let Some(k) = last {
        pms[k].completed_at = None;
        pms[k].status = "in_review";
    }
    for (kind, ks) in flawed.iter().enumerate() {
        for &k in ks {
            let f = &mut pms[k].flaws;
            match kind {
                0 => f.no_timeline = true,
                1 => f.no_root_cause = true,
                2 => f.no_preventive = true,
                _ => f.item_without_owner_or_due = true,
            }
        }
    }
    for (ks, style) in [(url_only, 0), (id_only, 1), (number_only, 2)] {
        for k in ks {
            let i = pms[k].links[0].incident().unwrap();
            pms[k].links[0] = [Link::Url(i), Link::Id(i), Link::Number(i)][style];
        }
    }
    for pm in pms.iter_mut() {
        if pm.flaws.no_preventive {
            // Without a prevent-type item or a preventive measure the fifth part is missing.
            for item in &mut pm.items {
                if item.kind == "prevent" {
                    item.kind = "mitigate";
                }
            }
        }
        if pm.flaws.item_without_owner_or_due {
            pm.items[0].owner = None;
            if let Some(second) = pm.items.get_mut(1) {
                second.due = None;
            }
        }
    }
    // A few follow-ups were agreed in the meeting but never ticketed.
    let mut all: Vec<(usize, usize)> = pms
        .iter()
        .enumerate()
        .flat_map(|(k, pm)| (0..pm.items.len()).map(move |j| (k, j)))
        .collect();
    rng.shuffle(&mut all);
    let untracked = (all.len() / 60).max(2);
    for (k, j) in all.into_iter().take(untracked) {
        pms[k].items[j].tracker = None;
    }
}

// ---- postmortem.v1 JSON ----

#[derive(Serialize)]
struct Doc {
    schema: &'static str,
    id: String,
    title: String,
    status: &'static str,
    severity: String,
    incidents: Vec<LinkOut>,
    services: Vec<&'static str>,
    owner: OwnerOut,
    responders: Vec<ResponderOut>,
    timestamps: TimestampsOut,
    summary: String,
    detection: DetectionOut,
    timeline: Vec<TimelineOut>,
    root_causes: Vec<String>,
    analysis_method: &'static str,
    impact: ImpactOut,
    resolution: String,
    action_items: Vec<ItemOut>,
    preventive_measures: Vec<String>,
    lessons: LessonsOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<ReviewOut>,
    extensions: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct LinkOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// postmortem.v1 accepts an owner as a plain name or as an object.
#[derive(Serialize)]
#[serde(untagged)]
enum OwnerOut {
    Name(&'static str),
    Person {
        name: &'static str,
        email: &'static str,
    },
}

#[derive(Serialize)]
struct ResponderOut {
    name: &'static str,
    role: &'static str,
}

#[derive(Serialize)]
struct TimestampsOut {
    impact_started_at: String,
    detected_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledged_at: Option<String>,
    mitigated_at: String,
    resolved_at: String,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed_at: Option<String>,
}

#[derive(Serialize)]
struct DetectionOut {
    monitor: &'static str,
    detected_at: String,
}

#[derive(Serialize)]
struct TimelineOut {
    at: String,
    event: String,
    source: &'static str,
}

#[derive(Serialize)]
struct ImpactOut {
    customer_impact: bool,
    users_affected: u64,
    duration_minutes: i64,
    data_exposure: &'static str,
    description: String,
}

#[derive(Serialize)]
struct ItemOut {
    id: String,
    title: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_date: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tracker: Option<TrackerOut>,
}

#[derive(Serialize)]
struct TrackerOut {
    system: &'static str,
    key: String,
    url: String,
}

#[derive(Serialize)]
struct LessonsOut {
    went_well: Vec<String>,
    went_wrong: Vec<String>,
    got_lucky: Vec<String>,
}

#[derive(Serialize)]
struct ReviewOut {
    approved: bool,
    reviewed_by: Vec<ReviewerOut>,
}

#[derive(Serialize)]
struct ReviewerOut {
    name: &'static str,
    at: String,
}

fn ts(at: DateTime<Utc>) -> String {
    pagerproof::util::utc_rfc3339(at)
}

/// The postmortem as a postmortem.v1 document (pretty JSON, trailing newline).
pub fn to_json(pm: &Pm, incs: &[Inc], cal: &Calendar) -> String {
    let first = pm.links[0].incident().map(|i| &incs[i]);
    // The orphan's incident is not in any export: its times are told by the document alone.
    let (created, acked, resolved, number) = match first {
        Some(inc) => (
            inc.created,
            inc.acked_at(),
            inc.resolved_at().unwrap(),
            inc.number,
        ),
        None => {
            let c = cal.instant(
                super::incidents::date(cal.year() - 1, 11, 18)
                    .and_hms_opt(2, 41, 17)
                    .unwrap(),
            );
            (
                c,
                Some(c + Duration::seconds(262)),
                c + Duration::seconds(3 * 3600 + 1460),
                4012,
            )
        }
    };
    let commander = person(SRE_LEAD).name;
    let responder = first.map_or(ENGINEERS[2].name, |i| person(i.assigned).name);
    let impact_start = created - Duration::seconds(60 + (number % 7) as i64 * 50);
    let mitigated = resolved - (resolved - acked.unwrap_or(created)) / 4;
    let s = pm.scenario;

    let mut timeline = vec![
        TimelineOut {
            at: ts(impact_start),
            event: "Customer-facing errors begin (from dashboards)".into(),
            source: "datadog",
        },
        TimelineOut {
            at: ts(created),
            event: format!("{}: alert fired, on-call paged", s.monitor),
            source: "pagerduty",
        },
    ];
    if let Some(a) = acked {
        timeline.push(TimelineOut {
            at: ts(a),
            event: format!("Acknowledged by {responder}"),
            source: "pagerduty",
        });
        timeline.push(TimelineOut {
            at: ts(a + Duration::seconds(240)),
            event: format!("{commander} takes incident command; #inc-{number} opened, status page set to Investigating"),
            source: "slack",
        });
    }
    timeline.push(TimelineOut {
        at: ts(mitigated),
        event: format!("Mitigation: {}", s.resolution),
        source: "slack",
    });
    timeline.push(TimelineOut {
        at: ts(resolved),
        event: "Monitors recovered; incident resolved".into(),
        source: "pagerduty",
    });
    if pm.flaws.no_timeline {
        timeline.clear();
    }

    let links = pm
        .links
        .iter()
        .map(|l| match *l {
            Link::Full(i) => LinkOut {
                number: Some(incs[i].number),
                id: Some(incs[i].id.clone()),
                url: Some(incs[i].url()),
            },
            Link::Number(i) => LinkOut {
                number: Some(incs[i].number),
                id: None,
                url: None,
            },
            Link::Id(i) => LinkOut {
                number: None,
                id: Some(incs[i].id.clone()),
                url: None,
            },
            Link::Url(i) => LinkOut {
                number: None,
                id: None,
                url: Some(incs[i].url()),
            },
            Link::Absent { number } => LinkOut {
                number: Some(number),
                id: Some("Q2W8RK4ZL0ND3X".into()),
                url: Some(format!("{}/incidents/Q2W8RK4ZL0ND3X", company::PAGERDUTY)),
            },
        })
        .collect();
    let mut services = vec![s.service];
    for l in &pm.links {
        if let Some(i) = l.incident() {
            let name = SERVICES[incs[i].service].name;
            if !services.contains(&name) {
                services.push(name);
            }
        }
    }
    let owner_person = person(pm.owner);
    // Some teams write the owner as a plain name; postmortem.v1 accepts both.
    let owner = if pm.id.ends_with(['3', '7']) {
        OwnerOut::Name(owner_person.name)
    } else {
        OwnerOut::Person {
            name: owner_person.name,
            email: owner_person.email,
        }
    };
    let minutes = (resolved - impact_start).num_minutes();
    let doc = Doc {
        schema: "postmortem.v1",
        id: pm.id.clone(),
        title: s.title.into(),
        status: pm.status,
        severity: pm.severity.clone(),
        incidents: links,
        services,
        owner,
        responders: vec![
            ResponderOut {
                name: commander,
                role: "incident_commander",
            },
            ResponderOut {
                name: responder,
                role: "primary_on_call",
            },
            ResponderOut {
                name: company::ENG_MANAGER.name,
                role: "communications",
            },
        ],
        timestamps: TimestampsOut {
            impact_started_at: ts(impact_start),
            detected_at: ts(created),
            acknowledged_at: acked.map(ts),
            mitigated_at: ts(mitigated),
            resolved_at: ts(resolved),
            created_at: ts(pm.created_at),
            completed_at: pm.completed_at.map(ts),
        },
        summary: s.summary.into(),
        detection: DetectionOut {
            monitor: s.monitor,
            detected_at: ts(created),
        },
        timeline,
        root_causes: if pm.flaws.no_root_cause {
            Vec::new()
        } else {
            vec![s.root_cause.into(), format!("Trigger: {}", s.trigger)]
        },
        analysis_method: "5-whys",
        impact: ImpactOut {
            customer_impact: true,
            users_affected: pm.users_affected,
            duration_minutes: minutes,
            data_exposure: "none",
            description: format!(
                "About {} customers were affected for {} minutes. No data was lost or exposed.",
                pm.users_affected, minutes
            ),
        },
        resolution: s.resolution.into(),
        action_items: pm
            .items
            .iter()
            .map(|it| ItemOut {
                id: it.id.clone(),
                title: it.title,
                kind: it.kind,
                owner: it.owner,
                due_date: it.due.map(|d| d.to_string()),
                status: it.status,
                tracker: it.tracker.as_ref().map(|key| {
                    match (crate::github::tracked_as(key), crate::github::url(key)) {
                        (Some(tracked), Some(url)) => TrackerOut {
                            system: "github",
                            key: tracked,
                            url,
                        },
                        _ => TrackerOut {
                            system: "jira",
                            key: key.clone(),
                            url: format!("{}/browse/{key}", company::JIRA),
                        },
                    }
                }),
            })
            .collect(),
        preventive_measures: if pm.flaws.no_preventive {
            Vec::new()
        } else {
            vec![s.preventive.into()]
        },
        lessons: LessonsOut {
            went_well: vec!["The alert fired before customers reported the problem.".into()],
            went_wrong: vec!["The runbook did not cover this failure mode.".into()],
            got_lucky: if number % 3 == 0 {
                vec!["The incident started outside the EU business day.".into()]
            } else {
                Vec::new()
            },
        },
        review: pm.completed_at.map(|at| ReviewOut {
            approved: true,
            reviewed_by: vec![ReviewerOut {
                name: company::VP_ENG,
                at: ts(at - Duration::hours(2)),
            }],
        }),
        extensions: serde_json::Map::new(),
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("postmortem serializes");
    text.push('\n');
    text
}
