//! Sample selection (evidence-rules.md §8): platform-independent, reproducible from the
//! auditor's seed alone.
//!
//! Every in-period incident is ranked by SHA-256(seed as UTF-8 ‖ "\n" ‖ incident number in
//! decimal), lowest first (ties, which SHA-256 makes practically impossible, by number). Without
//! strata the N lowest are taken. Stratified, each non-empty stratum gets a share proportional to
//! its size by the largest-remainder method (ties in remainder go to the stratum listed first),
//! at least one, at most its size, and takes its lowest-ranked incidents. The population hash is
//! the SHA-256 of the sorted in-period incident numbers, each followed by "\n".

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::Inputs;
use crate::model::sample::{Pick, PopulationRef, SCHEMA, SampleRecord, Stratify};

pub const ALGORITHM: &str = "rank by SHA-256(seed \\n number), lowest first; strata by largest remainder, at least one each";

/// The rank of an incident for a seed.
pub fn rank(seed: &str, number: u64) -> String {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(b"\n");
    h.update(number.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// SHA-256 of the sorted numbers, one per line.
pub fn population_hash(numbers: &[u64]) -> String {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    let mut h = Sha256::new();
    for n in sorted {
        h.update(format!("{n}\n").as_bytes());
    }
    hex::encode(h.finalize())
}

/// Selects `size` incidents from `population` (number, stratum). Strata are taken in the order
/// they first appear in `strata_order`; pass an empty order for an unstratified sample.
pub fn select(
    seed: &str,
    size: usize,
    population: &[(u64, Option<String>)],
    strata_order: &[String],
) -> Vec<Pick> {
    let ranked = |members: Vec<&(u64, Option<String>)>, take: usize| -> Vec<Pick> {
        let mut with_rank: Vec<Pick> = members
            .into_iter()
            .map(|(n, s)| Pick {
                number: *n,
                stratum: s.clone(),
                rank: rank(seed, *n),
            })
            .collect();
        with_rank.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.number.cmp(&b.number)));
        with_rank.truncate(take);
        with_rank
    };
    if strata_order.is_empty() {
        return ranked(population.iter().collect(), size);
    }
    let groups: Vec<Vec<&(u64, Option<String>)>> = strata_order
        .iter()
        .map(|s| {
            population
                .iter()
                .filter(|(_, st)| st.as_deref() == Some(s.as_str()))
                .collect()
        })
        .collect();
    let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
    let shares = allocate(size, &sizes);
    groups
        .into_iter()
        .zip(shares)
        .flat_map(|(members, take)| ranked(members, take))
        .collect()
}

/// Largest-remainder allocation of `size` over strata of the given sizes; every non-empty stratum
/// gets at least one and no stratum more than its size.
pub fn allocate(size: usize, sizes: &[usize]) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return vec![0; sizes.len()];
    }
    let size = size.min(total);
    let mut shares: Vec<usize> = sizes.iter().map(|s| size * s / total).collect();
    let mut remainders: Vec<(usize, usize)> = sizes
        .iter()
        .enumerate()
        .map(|(i, s)| ((size * s) % total, i))
        .collect();
    // Largest remainder first; ties to the stratum listed first.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = size - shares.iter().sum::<usize>();
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    for (share, s) in shares.iter_mut().zip(sizes) {
        if *s > 0 && *share == 0 {
            *share = 1;
        }
        *share = (*share).min(*s);
    }
    shares
}

/// Draws a sample from the in-period population of an evaluated site (pure: same inputs, same
/// record).
pub fn draw(
    config: &crate::Config,
    inputs: &Inputs,
    evidence: &super::Evidence,
    seed: &str,
    size: usize,
    stratify: Option<Stratify>,
) -> SampleRecord {
    let tz = config.tz();
    let stratum = |f: &super::IncidentFacts| -> Option<String> {
        match stratify? {
            Stratify::Severity => Some(
                f.severity
                    .level
                    .map_or_else(|| "unclassified".into(), |l| l.to_string()),
            ),
            Stratify::Quarter => {
                use chrono::Datelike;
                let created = inputs.created_of(f.number)?;
                let date = crate::model::period::local_date(tz, created);
                Some(format!("{}-Q{}", date.year(), (date.month() - 1) / 3 + 1))
            }
        }
    };
    let population: Vec<(u64, Option<String>)> = evidence
        .incidents
        .iter()
        .map(|f| (f.number, stratum(f)))
        .collect();
    let order: Vec<String> = match stratify {
        None => Vec::new(),
        Some(Stratify::Severity) => inputs
            .policy()
            .severities
            .iter()
            .map(|s| s.level.clone())
            .chain(std::iter::once("unclassified".to_string()))
            .collect(),
        Some(Stratify::Quarter) => {
            let mut quarters: Vec<String> =
                population.iter().filter_map(|(_, s)| s.clone()).collect();
            quarters.sort();
            quarters.dedup();
            quarters
        }
    };
    let numbers: Vec<u64> = population.iter().map(|(n, _)| *n).collect();
    SampleRecord {
        schema: SCHEMA.into(),
        seed: seed.to_string(),
        size,
        stratify,
        algorithm: ALGORITHM.into(),
        population: PopulationRef {
            count: numbers.len(),
            sha256: population_hash(&numbers),
        },
        picks: select(seed, size, &population, &order),
        drawn_by: None,
        drawn_on: None,
        source: String::new(),
    }
}

/// A recorded sample drawn again from its seed against the current population (sample.html).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleCheck {
    /// The in-period population as it is now.
    pub population_now: PopulationRef,
    /// The population is the one the sample was drawn from.
    pub same_population: bool,
    /// Drawing again gives exactly the recorded picks.
    pub rederived: bool,
}

/// Re-derives every recorded sample of `inputs`, in their order.
pub fn checks(
    config: &crate::Config,
    inputs: &Inputs,
    evidence: &super::Evidence,
) -> Vec<SampleCheck> {
    inputs
        .samples
        .iter()
        .map(|r| {
            let again = draw(config, inputs, evidence, &r.seed, r.size, r.stratify);
            SampleCheck {
                same_population: again.population == r.population,
                rederived: again.picks == r.picks,
                population_now: again.population,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_is_sha256_of_seed_newline_number() {
        // printf 'audit-2027\n1042' | sha256sum
        assert_eq!(
            rank("audit-2027", 1042),
            hex::encode(Sha256::digest(b"audit-2027\n1042"))
        );
    }

    #[test]
    fn population_hash_ignores_input_order() {
        assert_eq!(population_hash(&[3, 1, 2]), population_hash(&[1, 2, 3]));
        assert_eq!(
            population_hash(&[1, 2]),
            hex::encode(Sha256::digest(b"1\n2\n"))
        );
    }

    #[test]
    fn same_seed_same_sample_and_size_respected() {
        let pop: Vec<(u64, Option<String>)> = (1..=500).map(|n| (n, None)).collect();
        let a = select("seed-1", 25, &pop, &[]);
        let b = select("seed-1", 25, &pop, &[]);
        let c = select("seed-2", 25, &pop, &[]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 25);
        assert!(a.windows(2).all(|w| w[0].rank < w[1].rank));
    }

    #[test]
    fn largest_remainder_with_at_least_one_per_stratum() {
        // 10 over 70/20/9/1: quotas 7, 2, 0.9, 0.1 → 7, 2, 1 (largest remainder), then 1 for the last.
        assert_eq!(allocate(10, &[70, 20, 9, 1]), vec![7, 2, 1, 1]);
        assert_eq!(allocate(5, &[0, 3]), vec![0, 3]);
        assert_eq!(allocate(100, &[2, 3]), vec![2, 3]);
    }

    #[test]
    fn stratified_selection_draws_from_each_stratum() {
        let mut pop: Vec<(u64, Option<String>)> =
            (1..=90).map(|n| (n, Some("P3".into()))).collect();
        pop.extend((91..=100).map(|n| (n, Some("P1".into()))));
        let picks = select("s", 10, &pop, &["P1".into(), "P3".into()]);
        assert_eq!(
            picks
                .iter()
                .filter(|p| p.stratum.as_deref() == Some("P1"))
                .count(),
            1
        );
        assert_eq!(
            picks
                .iter()
                .filter(|p| p.stratum.as_deref() == Some("P3"))
                .count(),
            9
        );
    }

    #[test]
    fn recorded_samples_are_checked_against_the_population_now() {
        use crate::evidence::testkit::{config, incident, inputs};
        let config = config();
        let mut inputs = inputs((1..=40).map(|n| incident(n).build()).collect(), vec![]);
        let evidence = crate::evidence::evaluate(&config, &inputs);
        let kept = draw(&config, &inputs, &evidence, "seed", 5, None);
        let mut tampered = kept.clone();
        tampered.picks[0].number = 99;
        let mut older = kept.clone();
        older.population.count = 39;
        inputs.samples = vec![kept, tampered, older];
        let checks = checks(&config, &inputs, &evidence);
        assert_eq!(checks.len(), 3);
        assert!(checks[0].same_population && checks[0].rederived);
        assert!(checks[1].same_population && !checks[1].rederived);
        assert!(!checks[2].same_population && checks[2].rederived);
        assert_eq!(checks[2].population_now.count, 40);
        let evaluated = crate::evidence::evaluate(&config, &inputs);
        assert_eq!(evaluated.samples, checks);
    }
}
