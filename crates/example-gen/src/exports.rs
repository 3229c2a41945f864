//! The incident exports, each in a different PagerDuty CSV variant (pagerduty-formats.md §1).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::company::{self, SERVICES};
use super::incidents::{Calendar, Inc, date, person};

/// A row written wrong on purpose, as hand-edited or truncated exports are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// A spreadsheet formula error pasted over `seconds_to_resolve`.
    FormulaError,
    /// A creation date that does not exist (31 September).
    ImpossibleDate,
    /// Seconds to first ack retyped as text (`4m 12s`).
    TextSeconds,
}

/// One export file: its path under the site and which incidents (by local creation date) it holds.
pub struct Export {
    pub path: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// The period's exports, read in this (byte) order by pagerproof: the March re-export first, then
/// the two halves, then the Basic Reporting export of the week the clocks went back (every row a
/// duplicate).
pub fn exports(cal: &Calendar) -> Vec<Export> {
    let y = cal.year();
    let export = |name: String, first: NaiveDate, last: NaiveDate| Export {
        path: format!("content/incidents/{name}"),
        first,
        last,
    };
    vec![
        export(
            format!("{y}-03-advanced-report.csv"),
            date(y, 3, 3),
            date(y, 3, 9),
        ),
        export(
            format!("{y}-h1-analytics.csv"),
            date(y - 1, 12, 28),
            date(y, 6, 30),
        ),
        export(
            format!("{y}-h2-incidents.csv"),
            date(y, 6, 24),
            date(y, 12, 31),
        ),
        export(
            format!("basic-report-{y}-10-28.csv"),
            date(y, 10, 28),
            date(y, 11, 3),
        ),
    ]
}

impl Export {
    pub fn holds(&self, inc: &Inc, cal: &Calendar) -> bool {
        let day = cal.local(inc.created).date();
        day >= self.first && day <= self.last
    }
}

/// Incidents only the given export holds (so that mangling its row loses the incident).
pub fn only_in(exports: &[Export], export: usize, inc: &Inc, cal: &Calendar) -> bool {
    exports
        .iter()
        .enumerate()
        .all(|(k, e)| (k == export) == e.holds(inc, cal))
}

pub struct Messiness<'a> {
    pub corrupt: &'a BTreeMap<usize, Corruption>,
    /// Incidents whose priority was never set in PagerDuty.
    pub unprioritised: &'a BTreeSet<usize>,
}

/// Writes every export; returns (path, data rows written) per file.
pub fn write_all(
    incs: &[Inc],
    cal: &Calendar,
    mess: &Messiness,
    out: &std::path::Path,
) -> Result<Vec<(String, usize)>> {
    let mut written = Vec::new();
    for (k, export) in exports(cal).iter().enumerate() {
        let rows: Vec<usize> = (0..incs.len())
            .filter(|&i| export.holds(&incs[i], cal))
            .collect();
        let bytes = match k {
            0 => advanced(incs, &rows, cal)?,
            1 => analytics(incs, &rows, cal, mess)?,
            2 => title_case(incs, &rows, mess)?,
            _ => basic(incs, &rows, cal)?,
        };
        super::write_file(out, &export.path, &bytes)?;
        let sidecar = format!("{}.toml", export.path);
        super::write_file(
            out,
            &sidecar,
            sidecar_text(k, export, cal.year()).as_bytes(),
        )?;
        written.push((export.path.clone(), rows.len()));
    }
    Ok(written)
}

/// The export's sidecar (`<export>.csv.toml`): who downloaded it, when, from which screen, with
/// which filters, as the preparer would record them on the day.
fn sidecar_text(k: usize, export: &Export, y: i32) -> String {
    let (by, at, screen, urgency, note) = match k {
        0 => (
            "Marcus Chen, SRE Manager",
            format!("{y}-03-10T10:12:00-04:00"),
            "Analytics > Reports > Incidents report > Download CSV",
            "[\"high\", \"low\"]",
            "Re-export of the week of the March clock change, asked for by the auditor.".to_string(),
        ),
        1 => (
            "Grace Liu, Security Lead",
            format!("{y}-07-01T09:30:00-04:00"),
            "Analytics > Insights > Incident Activity > Export CSV",
            "[]",
            format!("First half of FY{y}; the range starts a few days early so the cut-off can be tested."),
        ),
        2 => (
            "Grace Liu, Security Lead",
            format!("{}-01-04T11:05:00-05:00", y + 1),
            "public-support-scripts get_incidents.py (REST API incidents list, CSV output)",
            "[]",
            format!("Second half of FY{y}; overlaps the first half by a week."),
        ),
        _ => (
            "Daniel Brooks, Compliance Analyst",
            format!("{y}-11-04T15:40:00-05:00"),
            "Reports > Incidents (Basic Reporting) > Download CSV",
            "[]",
            "The week the clocks went back, from Basic Reporting; every row is also in the second-half export.".to_string(),
        ),
    };
    format!(
        "# Export parameters of {file} (read by pagerproof beside the CSV).\n\
         # {note}\n\
         exported_by = \"{by}\"\n\
         exported_at = {at}\n\
         screen = \"{screen}\"\n\
         \n\
         [filters]\n\
         since = {since}\n\
         until = {until}\n\
         services = []\n\
         teams = []\n\
         urgency = {urgency}\n",
        file = export.path.rsplit('/').next().unwrap_or(&export.path),
        since = export.first,
        until = export.last,
    )
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn name(p: Option<usize>) -> String {
    p.map(|p| person(p).name.to_string()).unwrap_or_default()
}

/// Advanced Reporting "raw incidents" CSV: 23 snake_case columns, offsets in the account zone,
/// CRLF line ends as downloaded. No priority column.
fn advanced(incs: &[Inc], rows: &[usize], cal: &Calendar) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record([
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
    ])?;
    let offset = |at: DateTime<Utc>| {
        cal.tz
            .from_utc_datetime(&at.naive_utc())
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    for (k, &i) in rows.iter().enumerate() {
        let inc = &incs[i];
        let s = &SERVICES[inc.service];
        // A responder renamed one incident between the two exports: a merge conflict to list.
        let mut title = inc.title.clone();
        if k == rows.len() / 2 {
            title = format!("{} (OPS-1520)", title.trim_end());
        }
        w.write_record([
            inc.id.clone(),
            inc.number.to_string(),
            title,
            s.pd_id.into(),
            s.name.into(),
            company::ESCALATION_POLICY_ID.into(),
            company::ESCALATION_POLICY.into(),
            offset(inc.created),
            opt(inc.resolved_at().map(offset)),
            opt(inc.ack_secs),
            opt(inc.resolve_secs),
            u8::from(inc.auto_resolved).to_string(),
            inc.escalations.to_string(),
            inc.escalations.to_string(),
            u8::from(inc.ack_secs.is_some()).to_string(),
            (1 + inc.escalations).to_string(),
            opt(inc.acked_by.map(|p| person(p).pd_id)),
            name(inc.acked_by),
            person(inc.assigned).pd_id.into(),
            person(inc.assigned).name.into(),
            opt(inc.resolved_by.map(|p| person(p).pd_id)),
            name(inc.resolved_by),
            inc.urgency.into(),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Analytics / Insights incident CSV: the analytics raw-incident field names, naive local times
/// (the export's zone), `priority_name`.
fn analytics(incs: &[Inc], rows: &[usize], cal: &Calendar, mess: &Messiness) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "incident_number",
        "description",
        "status",
        "urgency",
        "priority_name",
        "created_at",
        "resolved_at",
        "service_id",
        "service_name",
        "team_name",
        "escalation_policy_id",
        "escalation_policy_name",
        "seconds_to_first_ack",
        "seconds_to_resolve",
        "escalation_count",
        "assignment_count",
        "acknowledged_user_names",
        "assigned_user_names",
        "resolved_by_user_name",
        "auto_resolved",
        "major",
    ])?;
    let naive = |at: DateTime<Utc>| cal.local(at).format("%Y-%m-%dT%H:%M:%S").to_string();
    for &i in rows {
        let inc = &incs[i];
        let s = &SERVICES[inc.service];
        let mut resolve = opt(inc.resolve_secs);
        if mess.corrupt.get(&i) == Some(&Corruption::FormulaError) {
            resolve = "#VALUE!".into();
        }
        w.write_record([
            inc.id.clone(),
            inc.number.to_string(),
            inc.title.clone(),
            status(inc).into(),
            inc.urgency.into(),
            priority(inc, i, mess),
            naive(inc.created),
            opt(inc.resolved_at().map(naive)),
            s.pd_id.into(),
            s.name.into(),
            company::TEAM.into(),
            company::ESCALATION_POLICY_ID.into(),
            company::ESCALATION_POLICY.into(),
            opt(inc.ack_secs),
            resolve,
            inc.escalations.to_string(),
            (1 + inc.escalations).to_string(),
            name(inc.acked_by),
            person(inc.assigned).name.into(),
            name(inc.resolved_by),
            inc.auto_resolved.to_string(),
            (inc.priority == 0).to_string(),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// The Title Case incident export: every field quoted, times in UTC with `Z`.
fn title_case(incs: &[Inc], rows: &[usize], mess: &Messiness) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    w.write_record([
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
    ])?;
    let z = pagerproof::util::utc_rfc3339;
    for &i in rows {
        let inc = &incs[i];
        let mut created = z(inc.created);
        let mut ack = opt(inc.ack_secs);
        match mess.corrupt.get(&i) {
            Some(Corruption::ImpossibleDate) => {
                created = format!("{}-09-31T{}Z", &created[..4], &created[11..19])
            }
            Some(Corruption::TextSeconds) => {
                let secs = inc.ack_secs.unwrap_or(252);
                ack = format!("{}m {}s", secs / 60, secs % 60);
            }
            _ => {}
        }
        w.write_record([
            inc.id.clone(),
            inc.number.to_string(),
            inc.title.clone(),
            SERVICES[inc.service].name.into(),
            created,
            opt(inc.resolved_at().map(z)),
            priority(inc, i, mess),
            inc.urgency.into(),
            ack,
            opt(inc.resolve_secs),
            inc.auto_resolved.to_string(),
            name(inc.acked_by),
            name(inc.resolved_by),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Basic Reporting "Incidents" CSV: seven columns, local times with a zone abbreviation
/// (`2026-11-01 01:30:00 EST`), no acknowledgement data.
fn basic(incs: &[Inc], rows: &[usize], cal: &Calendar) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "#",
        "Service",
        "Opened On",
        "Resolved On",
        "Resolve By",
        "Duration",
        "#Escalations",
    ])?;
    let abbreviated = |at: DateTime<Utc>| {
        cal.tz
            .from_utc_datetime(&at.naive_utc())
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    };
    for &i in rows {
        let inc = &incs[i];
        let duration = inc
            .resolve_secs
            .map(|s| format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60));
        w.write_record([
            inc.number.to_string(),
            SERVICES[inc.service].name.into(),
            abbreviated(inc.created),
            opt(inc.resolved_at().map(abbreviated)),
            name(inc.resolved_by),
            opt(duration),
            inc.escalations.to_string(),
        ])?;
    }
    Ok(w.into_inner()?)
}

fn status(inc: &Inc) -> &'static str {
    match (inc.resolve_secs, inc.ack_secs) {
        (Some(_), _) => "resolved",
        (None, Some(_)) => "acknowledged",
        (None, None) => "triggered",
    }
}

fn priority(inc: &Inc, i: usize, mess: &Messiness) -> String {
    if mess.unprioritised.contains(&i) {
        String::new()
    } else {
        inc.level()
    }
}
