//! Share charts: incidents acknowledged within their target, per month.

use super::*;

/// Chart 4: share of judged incidents acknowledged within target, per month and severity.
pub fn acknowledged_within_target(months: &[MonthFacts], levels: &[SeverityLevel]) -> Chart {
    ack_share(months, &Scope::all(levels))
}

pub(super) fn ack_share(months: &[MonthFacts], scope: &Scope<'_>) -> Chart {
    let levels = scope.levels;
    let title = format!(
        "Incidents acknowledged within target, per month{}",
        scope.name
    );
    let mut series = Vec::new();
    let mut legend = Vec::new();
    let mut rows = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        let look = LOOKS[i % LOOKS.len()];
        let label = match level.ack {
            Some(_) => level_label(level),
            None => format!("{} (no target)", level_label(level)),
        };
        legend.push((label, Key::Line(look)));
        let mut values = Vec::new();
        for m in months {
            let (met, breached) =
                severity(m, &level.level).map_or((0, 0), |s| (s.ack_met, s.ack_breached));
            let judged = met + breached;
            let share = (judged > 0).then(|| percent(met, judged));
            values.push(share);
            rows.push(vec![
                m.month.clone(),
                level.level.clone(),
                met.to_string(),
                breached.to_string(),
                share.map_or_else(|| "none judged".to_string(), format_percent),
            ]);
        }
        series.push((look, values));
    }
    let names = month_names(months);
    let svg = lines::line_panels(&Lines {
        title: &title,
        legend,
        months: &names,
        panels: if levels.is_empty() {
            vec![]
        } else {
            vec![Panel {
                points: Vec::new(),
                heading: String::new(),
                value_title: "% of judged incidents".to_string(),
                scale: Scale::percent(),
                series,
                target: None,
                counts: vec![],
            }]
        },
        panel_height: 230,
        month_title: MONTH_AXIS,
        empty: "The policy defines no severity levels",
    });
    let description = format!(
        "Line chart of the share of incidents acknowledged within their severity's target, per \
         calendar month (organization's time zone), {}, one line per severity, told apart by \
         colour, marker and dash as in the legend; points of one month are set slightly apart \
         so equal values stay visible. The share is met ÷ (met + breached); incidents still \
         pending or without acknowledgement data are not judged. A month with no judged \
         incident has no point. Vertical axis: percent, 0 to 100.",
        period_text(months)
    );
    let table = DataTable {
        caption: format!("{title}, {}", period_text(months)),
        headers: ["Month", "Severity", "Met", "Breached", "Within target"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec![
            "Within target = met ÷ (met + breached); pending and no-data incidents are not \
             judged."
                .to_string(),
        ],
    };
    chart(
        &format!("acknowledged-within-target{}.svg", scope.suffix),
        &title,
        description,
        &svg,
        table,
    )
}
