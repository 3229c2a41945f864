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
    row: Option<&'a IncidentRowView>,
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

fn record<'a>(ctx: &'a Ctx, r: &'a SampleRecord, check: &'a SampleCheck) -> RecordView<'a> {
    let tz = ctx.tz();
    let picks = r
        .picks
        .iter()
        .map(|p| {
            let row = ctx
                .rows
                .binary_search_by_key(&p.number, |x| x.number)
                .ok()
                .map(|i| &ctx.rows[i]);
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
