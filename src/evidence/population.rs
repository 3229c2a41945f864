//! The incident numbering of the population (population.html): the first and last numbers, in
//! the period and overall, and the gaps in the sequence an auditor asks about.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::Inputs;

/// Incident numbers as read, before and after the period filter.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Numbering {
    /// Lowest and highest in-period numbers.
    pub first: Option<u64>,
    pub last: Option<u64>,
    /// Lowest and highest numbers of every incident read, in period or not.
    pub first_any: Option<u64>,
    pub last_any: Option<u64>,
    /// Numbers absent from every incident read between `first_any` and `last_any`, split into
    /// runs that are missing and runs that belong to rejected rows.
    pub gaps: Vec<NumberGap>,
}

/// An inclusive run of missing incident numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberGap {
    pub from: u64,
    pub to: u64,
    pub count: u64,
    /// Every number of the run is that of a rejected row (read but unusable), not missing.
    pub rejected: bool,
}

/// The numbering of `inputs.incidents` (sorted by number); the rejected rows' readable numbers
/// mark their gaps "rejected".
pub fn numbering(inputs: &Inputs) -> Numbering {
    // Read from the numbers and the period flags alone, without unpacking an incident.
    let all = &inputs.incidents;
    let numbers: Vec<u64> = (0..all.len()).map(|i| all.number(i)).collect();
    let rejected: Vec<u64> = inputs.rejected.iter().filter_map(|r| r.number).collect();
    let mut in_period = all.positions(true).map(|i| all.number(i));
    let first = in_period.next();
    Numbering {
        first,
        // A single in-period incident is both first and last.
        last: in_period.next_back().or(first),
        first_any: numbers.first().copied(),
        last_any: numbers.last().copied(),
        gaps: number_gaps(&numbers, &rejected)
            .into_iter()
            .map(|(from, to, rejected)| NumberGap {
                from,
                to,
                count: to - from + 1,
                rejected,
            })
            .collect(),
    }
}

/// The numbers absent from `numbers` between its lowest and highest, as inclusive ranges, each
/// split into maximal runs that are all in `rejected` (`true`) or all not (`false`, missing).
pub fn number_gaps(numbers: &[u64], rejected: &[u64]) -> Vec<(u64, u64, bool)> {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let rejected: BTreeSet<u64> = rejected.iter().copied().collect();
    sorted
        .windows(2)
        .filter(|w| w[1] > w[0] + 1)
        .flat_map(|w| split_gap(w[0] + 1, w[1] - 1, &rejected))
        .collect()
}

/// Splits the gap `from..=to` at the rejected numbers in it. Walks the rejected numbers, not the
/// gap, which may span millions of numbers.
fn split_gap(from: u64, to: u64, rejected: &BTreeSet<u64>) -> Vec<(u64, u64, bool)> {
    let mut out = Vec::new();
    // The first number not yet covered by `out`.
    let mut next = from;
    let mut run: Option<(u64, u64)> = None;
    for &r in rejected.range(from..=to) {
        match run {
            Some((start, end)) if r == end + 1 => run = Some((start, r)),
            _ => {
                if let Some((start, end)) = run.take() {
                    out.push((start, end, true));
                    next = end + 1;
                }
                if r > next {
                    out.push((next, r - 1, false));
                }
                run = Some((r, r));
            }
        }
    }
    if let Some((start, end)) = run {
        out.push((start, end, true));
        next = end + 1;
    }
    if next <= to {
        out.push((next, to, false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::*;

    #[test]
    fn gaps_in_the_number_sequence() {
        assert_eq!(number_gaps(&[], &[]), vec![]);
        assert_eq!(number_gaps(&[5], &[5, 6]), vec![]);
        assert_eq!(
            number_gaps(&[7, 1, 2, 3, 3, 10, 5], &[]),
            vec![(4, 4, false), (6, 6, false), (8, 9, false)]
        );
    }

    #[test]
    fn rejected_numbers_split_gaps_and_are_not_missing() {
        // 2..=9 absent; 3, 4 and 7 rejected; 9 rejected at the gap's end; 20 beyond the range.
        assert_eq!(
            number_gaps(&[1, 10], &[20, 7, 3, 4, 9, 3]),
            vec![
                (2, 2, false),
                (3, 4, true),
                (5, 6, false),
                (7, 7, true),
                (8, 8, false),
                (9, 9, true)
            ]
        );
        // A whole gap rejected; a rejected number of an incident also read elsewhere is no gap.
        assert_eq!(
            number_gaps(&[1, 3, 5], &[2, 3]),
            vec![(2, 2, true), (4, 4, false)]
        );
        // A huge gap costs only its rejected numbers.
        assert_eq!(
            number_gaps(&[1, u64::MAX - 1], &[2]),
            vec![(2, 2, true), (3, u64::MAX - 2, false)]
        );
    }

    #[test]
    fn numbering_spans_the_period_and_every_incident_read() {
        let n = numbering(&inputs(
            vec![
                incident(3).outside_period().build(),
                incident(5).build(),
                incident(6).build(),
                incident(9).build(),
                incident(12).outside_period().build(),
            ],
            vec![],
        ));
        assert_eq!((n.first, n.last), (Some(5), Some(9)));
        assert_eq!((n.first_any, n.last_any), (Some(3), Some(12)));
        assert_eq!(
            n.gaps,
            vec![
                NumberGap {
                    from: 4,
                    to: 4,
                    count: 1,
                    rejected: false
                },
                NumberGap {
                    from: 7,
                    to: 8,
                    count: 2,
                    rejected: false
                },
                NumberGap {
                    from: 10,
                    to: 11,
                    count: 2,
                    rejected: false
                },
            ]
        );
    }

    #[test]
    fn numbering_marks_the_numbers_of_rejected_rows() {
        let mut i = inputs(vec![incident(1).build(), incident(5).build()], vec![]);
        for (line, number) in [(2, Some(3)), (3, None)] {
            i.rejected.push(crate::model::RejectedRow {
                at: crate::model::RowRef {
                    file: "content/incidents/a.csv".into(),
                    line,
                },
                reason: "bad created_at".into(),
                number,
            });
        }
        let gaps: Vec<(u64, u64, bool)> = numbering(&i)
            .gaps
            .iter()
            .map(|g| (g.from, g.to, g.rejected))
            .collect();
        assert_eq!(gaps, vec![(2, 2, false), (3, 3, true), (4, 4, false)]);
    }

    #[test]
    fn one_in_period_incident_is_first_and_last() {
        let n = numbering(&inputs(vec![incident(4).build()], vec![]));
        assert_eq!((n.first, n.last), (Some(4), Some(4)));
        assert!(numbering(&inputs(vec![], vec![])).first.is_none());
    }
}
