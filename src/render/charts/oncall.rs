//! On-call charts: pages per responder and first-level coverage per month.

use super::*;

/// Chart 7: pages per responder, split into business hours and off-hours where known.
pub fn oncall_load(load: &[ResponderLoad]) -> Chart {
    const TITLE: &str = "On-call load: pages per responder";
    let mut load = load.to_vec();
    load.sort_by(|a, b| {
        b.pages
            .cmp(&a.pages)
            .then_with(|| a.responder.cmp(&b.responder))
    });
    let split = load.iter().any(|r| r.off_hours.is_some());
    let parts: Vec<(&str, Look)> = if split {
        let mut parts = vec![("business hours", MEDIAN), ("off-hours", LATE)];
        if load.iter().any(|r| r.off_hours.is_none()) {
            parts.push(("hours unknown", UNKNOWN));
        }
        parts
    } else {
        vec![("pages", MEDIAN)]
    };
    let values = load
        .iter()
        .map(|r| match (split, r.off_hours) {
            (false, _) => vec![r.pages as f64],
            (true, Some(off)) => {
                let off = off.min(r.pages);
                vec![(r.pages - off) as f64, off as f64, 0.0]
            }
            (true, None) => vec![0.0, 0.0, r.pages as f64],
        })
        .collect();
    let svg = bars::horizontal_bars(&HBars {
        title: TITLE,
        legend: parts
            .iter()
            .map(|(name, look)| (name.to_string(), Key::Bar(*look)))
            .collect(),
        categories: load.iter().map(|r| r.responder.clone()).collect(),
        looks: parts.iter().map(|(_, look)| *look).collect(),
        values,
        labels: load.iter().map(|r| r.pages.to_string()).collect(),
        scale: Scale::nice(load.iter().map(|r| r.pages).max().unwrap_or(0) as f64, true),
        value_title: "pages (count)",
        empty: "No pages could be attributed to a responder",
    });
    let total: u64 = load.iter().map(|r| r.pages).sum();
    let description = format!(
        "Horizontal bar chart of the {total} in-period pages attributed to {} responders, most \
         paged first{}. A page's responder is the register's Responder: who acknowledged the \
         incident, else who resolved it, else who it was assigned to; the bar \"{}\" counts \
         exactly the incidents whose Responder is blank in the register. The number after each \
         bar is the responder's total. Horizontal axis: pages (count), from zero.",
        load.len(),
        if split {
            ", each bar split into pages in and outside business hours (organization's time zone)"
        } else {
            ""
        },
        crate::evidence::responders::NOBODY
    );
    let table = DataTable {
        caption: TITLE.to_string(),
        headers: ["Responder", "Pages", "Off-hours pages", "Off-hours share"]
            .map(String::from)
            .to_vec(),
        rows: load
            .iter()
            .map(|r| {
                let (off, share) = match r.off_hours {
                    Some(_) if r.pages == 0 => ("0".to_string(), "none".to_string()),
                    Some(off) => (off.to_string(), format_percent(percent(off, r.pages))),
                    None => ("unknown".to_string(), "unknown".to_string()),
                };
                vec![r.responder.clone(), r.pages.to_string(), off, share]
            })
            .collect(),
        notes: vec![],
    };
    chart("oncall-load.svg", TITLE, description, &svg, table)
}

/// Chart 8: share of time the on-call schedules covered, per month of the period.
pub fn oncall_coverage(months: &[MonthFacts], coverage: &[(String, f64)]) -> Chart {
    const TITLE: &str = "On-call coverage per month";
    let values: Vec<Option<f64>> = months
        .iter()
        .map(|m| {
            coverage
                .iter()
                .find(|(month, _)| *month == m.month)
                .map(|(_, pct)| pct.clamp(0.0, 100.0))
        })
        .collect();
    let bar = ON_TIME;
    let cells: Vec<String> = values
        .iter()
        .map(|v| v.map_or_else(|| "no data".to_string(), format_percent))
        .collect();
    let names = month_names(months);
    let svg = bars::stacked_bars(&Bars {
        title: TITLE,
        legend: vec![("time covered".to_string(), Key::Bar(bar))],
        months: &names,
        looks: vec![bar],
        values: values.iter().map(|v| vec![v.unwrap_or(0.0)]).collect(),
        labels: cells.clone(),
        scale: Scale::percent(),
        value_title: "% of time covered",
        month_title: MONTH_AXIS,
    });
    let description = format!(
        "Bar chart of the share of time the on-call schedules had someone on call, per calendar \
         month (organization's time zone), {}. The figure above each bar is the month's share; \
         \"no data\" marks a month without schedule data. Vertical axis: percent, 0 to 100.",
        period_text(months)
    );
    let table = DataTable {
        caption: format!("{TITLE}, {}", period_text(months)),
        headers: ["Month", "Covered"].map(String::from).to_vec(),
        rows: months
            .iter()
            .zip(cells)
            .map(|(m, cell)| vec![m.month.clone(), cell])
            .collect(),
        notes: vec![],
    };
    chart("oncall-coverage.svg", TITLE, description, &svg, table)
}
