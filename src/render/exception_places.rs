//! Where each exception is listed (issue 12): on exceptions.html while there are at most a
//! page's worth, else on its kind's own pages (`render/pages/exceptions.rs` renders both). Every
//! page that links an exception asks [`Places`], through the render context.

use std::collections::HashMap;

use super::anchor;
use super::paging::page_count;
use crate::evidence::{Exception, ExceptionKind};

/// Where each exception is listed: on exceptions.html while there are at most `size` in all,
/// else on page `n` of its kind's pages.
#[derive(Debug)]
pub struct Places<'a> {
    pub size: usize,
    paged: bool,
    /// Each exception's kind and page (1-based) among its kind's, by id.
    page: HashMap<&'a str, (ExceptionKind, usize)>,
    /// Exceptions of each kind, in `ExceptionKind::ALL` order.
    counts: [usize; ExceptionKind::ALL.len()],
}

impl<'a> Places<'a> {
    pub fn new(exceptions: &'a [Exception], size: usize) -> Places<'a> {
        let mut counts = [0; ExceptionKind::ALL.len()];
        let mut page = HashMap::with_capacity(exceptions.len());
        for e in exceptions {
            let seen = &mut counts[kind_index(e.kind)];
            page.insert(e.id.as_str(), (e.kind, *seen / size + 1));
            *seen += 1;
        }
        Places {
            size,
            paged: exceptions.len() > size,
            page,
            counts,
        }
    }

    /// Whether the kinds are listed on pages of their own.
    pub fn paged(&self) -> bool {
        self.paged
    }

    /// Where the exception `id` is listed, relative to the site root
    /// (`exceptions.html#ack_breach-206`, `exceptions/ack_breach/page-3.html#ack_breach-2206`).
    /// An id of no exception links where it would be on exceptions.html.
    pub fn href(&self, id: &str) -> String {
        match self.page.get(id) {
            Some(&(kind, n)) if self.paged => format!("{}#{}", page_path(kind, n), anchor(id)),
            _ => format!("exceptions.html#{}", anchor(id)),
        }
    }

    /// Where the exceptions of `kind` are listed, relative to the site root: its first page,
    /// or its section of exceptions.html (always, for a kind with none).
    pub fn kind_href(&self, kind: ExceptionKind) -> String {
        if self.paged && self.count(kind) > 0 {
            page_path(kind, 1)
        } else {
            format!("exceptions.html#kind-{}", kind.name())
        }
    }

    /// The pages listing exceptions: exceptions.html and, when paged, each kind's.
    pub fn page_count(&self) -> usize {
        pages_listing(&self.counts, self.size)
    }

    pub fn count(&self, kind: ExceptionKind) -> usize {
        self.counts[kind_index(kind)]
    }

    pub fn pages(&self, kind: ExceptionKind) -> usize {
        page_count(self.count(kind), self.size)
    }
}

/// How many pages list `exceptions` at `size` a page, counted without placing each one (the
/// render's progress total, known before the render context exists).
pub fn page_count_of(exceptions: &[Exception], size: usize) -> usize {
    let mut counts = [0; ExceptionKind::ALL.len()];
    for e in exceptions {
        counts[kind_index(e.kind)] += 1;
    }
    pages_listing(&counts, size)
}

/// exceptions.html and, past `size` in all, each kind's pages.
fn pages_listing(counts: &[usize], size: usize) -> usize {
    if counts.iter().sum::<usize>() <= size {
        return 1;
    }
    1 + counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| page_count(n, size))
        .sum::<usize>()
}

fn kind_index(kind: ExceptionKind) -> usize {
    ExceptionKind::ALL
        .iter()
        .position(|&k| k == kind)
        .expect("every kind is in ExceptionKind::ALL")
}

/// Page `n` of `kind`'s pages, relative to the site root. Kind names are `snake_case`, so the
/// `<kind>/` directory of the later pages cannot meet another kind's `<kind>.html`.
pub fn page_path(kind: ExceptionKind, n: usize) -> String {
    if n == 1 {
        format!("exceptions/{}.html", kind.name())
    } else {
        format!("exceptions/{}/page-{n}.html", kind.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Subject;

    fn exception(kind: ExceptionKind, number: u64) -> Exception {
        let words = String::new;
        Exception::new(
            kind,
            Subject::Incident { number },
            words(),
            words(),
            words(),
        )
    }

    #[test]
    fn past_the_page_size_each_kind_is_on_pages_of_its_own() {
        use ExceptionKind::{AckBreach, ResolveBreach, SeverityMissing};
        let list: Vec<Exception> = [(AckBreach, 1), (ResolveBreach, 1), (AckBreach, 2)]
            .into_iter()
            .chain([(AckBreach, 3), (AckBreach, 4), (AckBreach, 5)])
            .map(|(k, n)| exception(k, n))
            .collect();

        let all = Places::new(&list, 6);
        assert!(!all.paged());
        assert_eq!(all.page_count(), 1);
        assert_eq!(all.href("ack_breach:5"), "exceptions.html#ack_breach-5");
        assert_eq!(all.kind_href(AckBreach), "exceptions.html#kind-ack_breach");

        let paged = Places::new(&list, 2);
        assert!(paged.paged());
        // ack_breach: 5 on 3 pages; resolve_breach: 1 on 1; 1 for exceptions.html.
        assert_eq!(paged.page_count(), 5);
        assert_eq!(page_count_of(&list, 2), 5);
        assert_eq!(page_count_of(&list, 6), 1);
        assert_eq!(
            paged.href("ack_breach:1"),
            "exceptions/ack_breach.html#ack_breach-1"
        );
        assert_eq!(
            paged.href("ack_breach:3"),
            "exceptions/ack_breach/page-2.html#ack_breach-3"
        );
        assert_eq!(
            paged.href("ack_breach:5"),
            "exceptions/ack_breach/page-3.html#ack_breach-5"
        );
        assert_eq!(
            paged.href("resolve_breach:1"),
            "exceptions/resolve_breach.html#resolve_breach-1"
        );
        assert_eq!(paged.kind_href(AckBreach), "exceptions/ack_breach.html");
        // A kind with none keeps its (empty) section of the index; an unknown id its anchor there.
        assert_eq!(
            paged.kind_href(SeverityMissing),
            "exceptions.html#kind-severity_missing"
        );
        assert_eq!(paged.href("ack_breach:99"), "exceptions.html#ack_breach-99");
    }
}
