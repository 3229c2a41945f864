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

/// A month's times as a chart draws them one by one, so that no breach hides behind a median:
/// every time over the target, and, in a month too small for a 90th percentile, every time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TimePoints {
    /// Times at or under the target (or with no elapsed target), drawn only in small months.
    pub within: Vec<i64>,
    /// Times over the elapsed target, always drawn.
    pub over: Vec<i64>,
}

impl TimePoints {
    /// `times` sorted or not; `target` is the elapsed target in seconds, if the policy has one.
    pub fn of(times: &[i64], target: Option<i64>) -> TimePoints {
        let small = times.len() < MIN_SAMPLES_P90;
        let mut points = TimePoints::default();
        for &t in times {
            match target {
                Some(limit) if t > limit => points.over.push(t),
                _ if small => points.within.push(t),
                _ => {}
            }
        }
        points.within.sort_unstable();
        points.over.sort_unstable();
        points
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

    #[test]
    fn small_months_draw_every_time_and_every_month_draws_its_breaches() {
        // Nine P1 acks, two late (target 300 s): all nine are points, two of them over.
        let nine = [60, 1680, 90, 120, 400, 150, 180, 200, 240];
        let p = TimePoints::of(&nine, Some(300));
        assert_eq!(p.over, vec![400, 1680]);
        assert_eq!(p.within, vec![60, 90, 120, 150, 180, 200, 240]);
        // A big month draws only the times over the target; its percentiles show the rest.
        let mut ten: Vec<i64> = (1..=10).map(|i| i * 60).collect();
        ten.push(301);
        let p = TimePoints::of(&ten, Some(300));
        assert_eq!(p.over, vec![301, 360, 420, 480, 540, 600]);
        assert!(p.within.is_empty());
        // No elapsed target: nothing is "over", small months still show every time.
        assert_eq!(TimePoints::of(&[5, 3], None).within, vec![3, 5]);
        assert!(TimePoints::of(&ten, None).within.is_empty());
    }
}
