//! sample.html: every recorded sample, re-derived from its seed against the current population
//! (the re-derivation is the evidence's; this page shows it).

use anyhow::Result;
use serde::Serialize;

use crate::evidence::sample::SampleCheck;
use crate::model::sample::{PopulationRef, SampleRecord, Stratify};
use crate::render::context::Ctx;
use crate::render::views::IncidentRowView;
use crate::util::local_time;

#[derive(Serialize)]
struct SamplePage<'a> {
    records: Vec<RecordView<'a>>,
}

#[derive(Serialize)]
struct RecordView<'a> {
    seed: &'a str,
    size: usize,
    /// Who drew it and on which day, "not recorded" for records made before they were kept.
    drawn_by: String,
    drawn_on: String,
    /// Why more were drawn than asked (one per non-empty stratum), when they were.
    larger: Option<String>,
    stratify: Option<Stratify>,
    algorithm: &'a str,
    source: &'a str,
    href: String,
    population: &'a PopulationRef,
    population_now: &'a PopulationRef,
    same_population: bool,
    rederived: bool,
    picks: Vec<PickView<'a>>,
}

#[derive(Serialize)]
struct PickView<'a> {
    number: u64,
    stratum: &'a Option<String>,
    rank: &'a str,
    rank_short: &'a str,
    in_population: bool,
    row: Option<IncidentRowView>,
    created: Option<String>,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    if ctx.inputs.samples.is_empty() {
        return Ok(0);
    }
    let records = ctx
        .inputs
        .samples
        .iter()
        .zip(&ctx.evidence.samples)
        .map(|(r, check)| record(ctx, r, check))
        .collect();
    ctx.page(
        "sample.html",
        "sample.html",
        "Samples",
        &SamplePage { records },
    )?;
    Ok(1)
}

/// Stratified draws give every non-empty stratum at least one incident, which can exceed the
/// requested size: the page says so rather than leaving the reader to spot the count.
fn larger_than_asked(asked: usize, drawn: usize) -> Option<String> {
    (drawn > asked)
        .then(|| format!("{asked} asked, {drawn} drawn: every non-empty stratum gets at least one"))
}

fn record<'a>(ctx: &'a Ctx, r: &'a SampleRecord, check: &'a SampleCheck) -> RecordView<'a> {
    let tz = ctx.tz();
    let picks = r
        .picks
        .iter()
        .map(|p| {
            let row = ctx.row_of(p.number);
            PickView {
                number: p.number,
                stratum: &p.stratum,
                rank: &p.rank,
                rank_short: &p.rank[..p.rank.len().min(12)],
                in_population: row.is_some(),
                row,
                created: ctx
                    .inputs
                    .incident(p.number)
                    .map(|i| local_time(i.created, tz)),
            }
        })
        .collect();
    RecordView {
        seed: &r.seed,
        size: r.size,
        drawn_by: r.drawn_by.clone().unwrap_or_else(|| "not recorded".into()),
        drawn_on: r
            .drawn_on
            .map_or_else(|| "not recorded".into(), |d| d.to_string()),
        larger: larger_than_asked(r.size, r.picks.len()),
        stratify: r.stratify,
        algorithm: &r.algorithm,
        source: &r.source,
        href: ctx.source_href(&r.source),
        population: &r.population,
        population_now: &check.population_now,
        same_population: check.same_population,
        rederived: check.rederived,
        picks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_larger_than_asked_says_why() {
        assert_eq!(
            larger_than_asked(25, 26).as_deref(),
            Some("25 asked, 26 drawn: every non-empty stratum gets at least one")
        );
        assert_eq!(larger_than_asked(25, 25), None);
        // A population smaller than asked gives fewer: nothing to explain there.
        assert_eq!(larger_than_asked(25, 3), None);
    }
}
