//! Response-time statistics per month and severity (the timing charts and their tables):
//! nearest-rank median and 90th percentile, each only over a sample big enough to mean something.

use serde::Serialize;

/// Fewest times a month needs for a median to be shown.
pub const MIN_SAMPLES_MEDIAN: usize = 1;
/// Fewest times a month needs for a 90th percentile to be shown.
pub const MIN_SAMPLES_P90: usize = 10;

/// A sample's size, and its median and 90th percentile where the sample is big enough.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TimeStats {
    pub n: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl TimeStats {
    pub fn of(times: &[i64]) -> TimeStats {
        let n = times.len();
        TimeStats {
            n,
            median: (n >= MIN_SAMPLES_MEDIAN)
                .then(|| nearest_rank(times, 50))
                .flatten(),
            p90: (n >= MIN_SAMPLES_P90)
                .then(|| nearest_rank(times, 90))
                .flatten(),
        }
    }
}

/// The value at nearest rank ⌈p/100 · n⌉ of the values (sorted here), or `None` when empty.
pub fn nearest_rank(values: &[i64], percentile: u32) -> Option<i64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let rank = (percentile as usize * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let march_p1 = [900, 60, 90, 120, 150, 180, 200, 240, 260, 300, 360, 420];
        assert_eq!(nearest_rank(&march_p1, 50), Some(200));
        assert_eq!(nearest_rank(&march_p1, 90), Some(420));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn percentiles_only_over_big_enough_samples() {
        assert_eq!(TimeStats::of(&[]), TimeStats::default());
        let nine: Vec<i64> = (1..=9).collect();
        assert_eq!(
            TimeStats::of(&nine),
            TimeStats {
                n: 9,
                median: Some(5),
                p90: None
            }
        );
        let ten: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(TimeStats::of(&ten).p90, Some(9));
    }
}
