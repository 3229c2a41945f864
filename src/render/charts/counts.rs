//! Count charts: incidents per month by severity, postmortems per month by state, exceptions
//! by kind.

use super::*;

/// The count chart's series: the policy's levels in order, then levels found only in the data
/// (`unclassified`) that have incidents, so every month's segments add up to its total.
fn count_series(months: &[MonthFacts], levels: &[SeverityLevel]) -> Vec<(String, String)> {
    let mut series: Vec<(String, String)> = levels
        .iter()
        .map(|l| (l.level.clone(), level_label(l)))
        .collect();
    for s in months.iter().flat_map(|m| &m.by_severity) {
        if s.incidents > 0 && !series.iter().any(|(code, _)| *code == s.level) {
            series.push((s.level.clone(), s.level.clone()));
        }
    }
    series
}

/// Table rows `month, count…, total` for per-month counts.
fn count_rows<C: AsRef<[u64]>>(months: &[MonthFacts], counts: &[C]) -> Vec<Vec<String>> {
    months
        .iter()
        .zip(counts)
        .map(|(m, c)| {
            let c = c.as_ref();
            let mut row = vec![m.month.clone()];
            row.extend(c.iter().map(u64::to_string));
            row.push(c.iter().sum::<u64>().to_string());
            row
        })
        .collect()
}

/// Chart 1: incidents per month, stacked by severity.
pub fn incidents_per_month(months: &[MonthFacts], levels: &[SeverityLevel]) -> Chart {
    const TITLE: &str = "Incidents per month by severity";
    let series = count_series(months, levels);
    let counts: Vec<Vec<u64>> = months
        .iter()
        .map(|m| {
            series
                .iter()
                .map(|(code, _)| severity(m, code).map_or(0, |s| s.incidents))
                .collect()
        })
        .collect();
    let totals: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    let looks: Vec<Look> = (0..series.len()).map(|i| LOOKS[i % LOOKS.len()]).collect();
    let legend = series
        .iter()
        .zip(&looks)
        .map(|((_, label), look)| (label.clone(), Key::Bar(*look)))
        .collect();
    let names = month_names(months);
    let svg = bars::stacked_bars(&Bars {
        title: TITLE,
        legend,
        months: &names,
        looks,
        values: counts
            .iter()
            .map(|c| c.iter().map(|v| *v as f64).collect())
            .collect(),
        labels: totals.iter().map(u64::to_string).collect(),
        scale: Scale::nice(totals.iter().copied().max().unwrap_or(0) as f64, true),
        value_title: "incidents (count)",
        month_title: MONTH_AXIS,
    });
    let labels: Vec<&str> = series.iter().map(|(_, l)| l.as_str()).collect();
    let description = format!(
        "Stacked bar chart of the {} in-period incidents by the calendar month they were created \
         in (organization's time zone), {}, one segment per severity ({}), told apart by colour \
         and fill pattern as in the legend. The number above each bar is the month's total; a \
         month without incidents shows 0 and no bar. Vertical axis: incidents (count), from zero.",
        totals.iter().sum::<u64>(),
        period_text(months),
        labels.join(", ")
    );
    let mut headers = vec!["Month".to_string()];
    headers.extend(labels.iter().map(|l| l.to_string()));
    headers.push("Total".to_string());
    let rows = count_rows(months, &counts);
    let table = DataTable {
        caption: format!("{TITLE}, {}", period_text(months)),
        headers,
        rows,
        notes: vec![],
    };
    chart("incidents-per-month.svg", TITLE, description, &svg, table)
}

/// Chart 5: incidents requiring a postmortem per month, by the state of their postmortem. A bar
/// segment counts incidents, not documents: a missing postmortem is drawn as an empty,
/// outlined segment so it never looks like a document that exists.
pub fn postmortems_per_month(months: &[MonthFacts]) -> Chart {
    const TITLE: &str = "Incidents requiring a postmortem per month, by postmortem state";
    let states: [(&str, Look); 4] = [
        ("postmortem completed on time", ON_TIME),
        ("completed late", LATE),
        ("missing: overdue, none completed (empty)", MISSING),
        ("pending: not yet due", PENDING),
    ];
    let counts: Vec<[u64; 4]> = months
        .iter()
        .map(|m| {
            [
                m.postmortems_on_time,
                m.postmortems_late,
                m.postmortems_missing,
                m.postmortems_pending,
            ]
        })
        .collect();
    let totals: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    let names = month_names(months);
    let svg = bars::stacked_bars(&Bars {
        title: TITLE,
        legend: states
            .iter()
            .map(|(name, look)| (name.to_string(), Key::Bar(*look)))
            .collect(),
        months: &names,
        looks: states.iter().map(|(_, look)| *look).collect(),
        values: counts
            .iter()
            .map(|c| c.iter().map(|v| *v as f64).collect())
            .collect(),
        labels: totals.iter().map(u64::to_string).collect(),
        scale: Scale::nice(totals.iter().copied().max().unwrap_or(0) as f64, true),
        value_title: "incidents (count)",
        month_title: "month the incident was created (organization's time zone)",
    });
    let description = format!(
        "Stacked bar chart of the {} in-period incidents whose severity requires a postmortem, \
         by the calendar month the incident was created in (organization's time zone), {}. Each \
         bar counts incidents, not postmortem documents, split by the state of the incident's \
         postmortem: completed on time, completed late, missing (overdue and no completed \
         postmortem; drawn as an empty outlined segment, because no document exists) or pending \
         (not yet due), told apart by colour and fill pattern as in the legend. The number above \
         each bar is the month's number of incidents requiring a postmortem. Vertical axis: \
         incidents (count), from zero.",
        totals.iter().sum::<u64>(),
        period_text(months)
    );
    let rows = count_rows(months, &counts);
    let table = DataTable {
        caption: format!("{TITLE}, {}", period_text(months)),
        headers: [
            "Month",
            "Postmortem on time",
            "Postmortem late",
            "Missing (overdue, none completed)",
            "Pending (not yet due)",
            "Incidents requiring a postmortem",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![
            "Counts incidents, not documents: an incident with several linked postmortems counts \
             once, by the state of its postmortem requirement; a missing postmortem is an \
             incident without one."
                .to_string(),
        ],
    };
    chart("postmortems-per-month.svg", TITLE, description, &svg, table)
}

/// Chart 6: exceptions by kind, every kind listed (zero included).
pub fn exceptions_by_kind(exceptions: &[Exception]) -> Chart {
    const TITLE: &str = "Exceptions by kind";
    let counts: Vec<(ExceptionKind, u64)> = ExceptionKind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                exceptions.iter().filter(|e| e.kind == *k).count() as u64,
            )
        })
        .collect();
    let bar = MEDIAN;
    let svg = bars::horizontal_bars(&HBars {
        title: TITLE,
        legend: vec![("exceptions".to_string(), Key::Bar(bar))],
        categories: counts.iter().map(|(k, _)| k.name().to_string()).collect(),
        looks: vec![bar],
        values: counts.iter().map(|(_, c)| vec![*c as f64]).collect(),
        labels: counts.iter().map(|(_, c)| c.to_string()).collect(),
        scale: Scale::nice(
            counts.iter().map(|(_, c)| *c).max().unwrap_or(0) as f64,
            true,
        ),
        value_title: "exceptions (count)",
        empty: "No exceptions",
    });
    let description = format!(
        "Horizontal bar chart of the {} exceptions found, one bar per kind in the order of the \
         exceptions page, every kind listed even when it has none. The number after each bar is \
         its count. Horizontal axis: exceptions (count), from zero.",
        exceptions.len()
    );
    let table = DataTable {
        caption: TITLE.to_string(),
        headers: ["Kind", "Criterion", "Count"].map(String::from).to_vec(),
        rows: counts
            .iter()
            .map(|(k, c)| {
                vec![
                    k.name().to_string(),
                    k.criterion().to_string(),
                    c.to_string(),
                ]
            })
            .collect(),
        notes: vec![],
    };
    chart("exceptions-by-kind.svg", TITLE, description, &svg, table)
}
