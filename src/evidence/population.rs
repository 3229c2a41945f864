//! The incident numbering of the population (population.html): the first and last numbers, in
//! the period and overall, and the gaps in the sequence an auditor asks about.

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
    /// Missing numbers between `first_any` and `last_any`.
    pub gaps: Vec<NumberGap>,
}

/// An inclusive run of missing incident numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberGap {
    pub from: u64,
    pub to: u64,
    pub count: u64,
}

/// The numbering of `inputs.incidents` (sorted by number).
pub fn numbering(inputs: &Inputs) -> Numbering {
    let numbers: Vec<u64> = inputs.incidents.iter().map(|i| i.number).collect();
    let mut in_period = inputs
        .incidents
        .iter()
        .filter(|i| i.in_period)
        .map(|i| i.number);
    let first = in_period.next();
    Numbering {
        first,
        // A single in-period incident is both first and last.
        last: in_period.next_back().or(first),
        first_any: numbers.first().copied(),
        last_any: numbers.last().copied(),
        gaps: number_gaps(&numbers)
            .into_iter()
            .map(|(from, to)| NumberGap {
                from,
                to,
                count: to - from + 1,
            })
            .collect(),
    }
}

/// The missing incident numbers between the lowest and the highest, as inclusive ranges.
pub fn number_gaps(numbers: &[u64]) -> Vec<(u64, u64)> {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
        .windows(2)
        .filter(|w| w[1] > w[0] + 1)
        .map(|w| (w[0] + 1, w[1] - 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::*;

    #[test]
    fn gaps_in_the_number_sequence() {
        assert_eq!(number_gaps(&[]), vec![]);
        assert_eq!(number_gaps(&[5]), vec![]);
        assert_eq!(
            number_gaps(&[7, 1, 2, 3, 3, 10, 5]),
            vec![(4, 4), (6, 6), (8, 9)]
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
                    count: 1
                },
                NumberGap {
                    from: 7,
                    to: 8,
                    count: 2
                },
                NumberGap {
                    from: 10,
                    to: 11,
                    count: 2
                },
            ]
        );
    }

    #[test]
    fn one_in_period_incident_is_first_and_last() {
        let n = numbering(&inputs(vec![incident(4).build()], vec![]));
        assert_eq!((n.first, n.last), (Some(4), Some(4)));
        assert!(numbering(&inputs(vec![], vec![])).first.is_none());
    }
}
