//! Management responses against the exceptions: how many of each kind are answered, and which
//! responses name no exception of this build (a typo, or an exception that went away).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Exception, ExceptionKind};
use crate::model::Response;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResponseFacts {
    /// Every kind in `ExceptionKind::ALL` order, zeros included.
    pub by_kind: Vec<KindTally>,
    /// Exceptions with a response, all kinds together.
    pub answered: usize,
    /// Indices into `Inputs::responses` of the responses naming no exception, in input order.
    pub unmatched: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindTally {
    pub kind: ExceptionKind,
    pub count: usize,
    pub answered: usize,
}

pub fn facts(exceptions: &[Exception], responses: &[Response]) -> ResponseFacts {
    let answered_ids: BTreeSet<&str> = responses.iter().map(|r| r.exception.as_str()).collect();
    let known: BTreeSet<&str> = exceptions.iter().map(|e| e.id.as_str()).collect();
    let by_kind: Vec<KindTally> = ExceptionKind::ALL
        .into_iter()
        .map(|kind| {
            let of_kind = || exceptions.iter().filter(move |e| e.kind == kind);
            KindTally {
                kind,
                count: of_kind().count(),
                answered: of_kind()
                    .filter(|e| answered_ids.contains(e.id.as_str()))
                    .count(),
            }
        })
        .collect();
    ResponseFacts {
        answered: by_kind.iter().map(|k| k.answered).sum(),
        by_kind,
        unmatched: responses
            .iter()
            .enumerate()
            .filter(|(_, r)| !known.contains(r.exception.as_str()))
            .map(|(i, _)| i)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Subject;

    fn exception(kind: ExceptionKind, number: u64) -> Exception {
        Exception::new(
            kind,
            Subject::Incident { number },
            String::new(),
            String::new(),
            String::new(),
        )
    }

    fn response(exception: &str) -> Response {
        Response {
            exception: exception.into(),
            owner: "CISO".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            status: None,
            remediation: None,
            body_markdown: String::new(),
            source: "content/responses/r.md".into(),
            line: 1,
        }
    }

    #[test]
    fn answered_per_kind_and_unmatched_responses() {
        let exceptions = [
            exception(ExceptionKind::AckBreach, 1),
            exception(ExceptionKind::AckBreach, 2),
            exception(ExceptionKind::ResolveBreach, 1),
        ];
        let responses = [
            response("ack_breach:2"),
            response("ack_breach:9"),
            response("resolve_breach:1"),
        ];
        let f = facts(&exceptions, &responses);
        assert_eq!(f.by_kind.len(), ExceptionKind::ALL.len());
        let ack = &f.by_kind[0];
        assert_eq!(
            (ack.kind, ack.count, ack.answered),
            (ExceptionKind::AckBreach, 2, 1)
        );
        let resolve = &f.by_kind[1];
        assert_eq!((resolve.count, resolve.answered), (1, 1));
        assert!(
            f.by_kind[2..]
                .iter()
                .all(|k| k.count == 0 && k.answered == 0)
        );
        assert_eq!(f.answered, 2);
        assert_eq!(f.unmatched, vec![1]);
    }
}
