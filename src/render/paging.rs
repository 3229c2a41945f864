//! Paging shared by the register, the severity pages, the exceptions by kind and a long input's
//! line pages: one page size (not the line pages'), and the navigation (first, last and the pages
//! near the current one) they all show.

use serde::Serialize;

/// Rows per page (register pages, its search shards and the severity pages' incident lists).
pub const PAGE_SIZE: usize = 1000;

/// Tests build many pages from a few incidents with this (hidden) override.
const PAGE_SIZE_ENV: &str = "PAGERPROOF_REGISTER_PAGE_SIZE";

pub fn page_size() -> usize {
    std::env::var(PAGE_SIZE_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(PAGE_SIZE)
}

/// One entry of a page-number navigation; an empty `href` is a gap (`…`).
#[derive(Serialize)]
pub struct PageLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// Where page `page` of `pages` (1-based) sits among them, as every paged page's template reads
/// it (flattened into the page's data): its number, the previous and next pages and the
/// page-number navigation, `href(n)` naming page `n`.
#[derive(Serialize)]
pub struct Nav {
    pub page: usize,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub page_links: Vec<PageLink>,
}

impl Nav {
    pub fn new(page: usize, pages: usize, href: impl Fn(usize) -> String) -> Nav {
        Nav {
            page,
            pages,
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            page_links: page_links(page, pages, href),
        }
    }
}

/// The page-number navigation of page `page` of `pages` (1-based), `href(n)` naming page `n`.
/// First, last and the pages near this one: 1,000 links on every page of a 1M register would
/// outweigh its rows.
pub fn page_links(page: usize, pages: usize, href: impl Fn(usize) -> String) -> Vec<PageLink> {
    nav_numbers(page, pages)
        .into_iter()
        .map(|n| match n {
            Some(n) => PageLink {
                label: n.to_string(),
                href: href(n),
                current: n == page,
            },
            None => PageLink {
                label: "…".into(),
                href: String::new(),
                current: false,
            },
        })
        .collect()
}

/// The pages shown in the page-number navigation of page `page` of `pages`, with `None` for a gap.
fn nav_numbers(page: usize, pages: usize) -> Vec<Option<usize>> {
    let near = page.saturating_sub(3).max(1)..=(page + 3).min(pages);
    let mut out = Vec::new();
    let mut last = 0;
    for n in std::iter::once(1).chain(near).chain(std::iter::once(pages)) {
        if n <= last {
            continue;
        }
        if n > last + 1 {
            out.push(None);
        }
        out.push(Some(n));
        last = n;
    }
    out
}

/// How many pages `rows` rows fill; an empty list still has its (empty) first page.
pub fn page_count(rows: usize, size: usize) -> usize {
    rows.div_ceil(size).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_shows_ends_and_neighbours_with_gaps() {
        assert_eq!(nav_numbers(1, 1), [Some(1)]);
        assert_eq!(nav_numbers(2, 3), [Some(1), Some(2), Some(3)]);
        assert_eq!(
            nav_numbers(50, 1000),
            [
                Some(1),
                None,
                Some(47),
                Some(48),
                Some(49),
                Some(50),
                Some(51),
                Some(52),
                Some(53),
                None,
                Some(1000)
            ]
        );
        let links = page_links(2, 9, |n| format!("p{n}"));
        assert_eq!(links.len(), 7);
        assert!(links[1].current && links[1].href == "p2");
        assert_eq!((links[5].label.as_str(), links[5].href.as_str()), ("…", ""));
        assert_eq!(links[6].href, "p9");
    }

    #[test]
    fn an_empty_list_has_one_page() {
        assert_eq!(page_count(0, 1000), 1);
        assert_eq!(page_count(1000, 1000), 1);
        assert_eq!(page_count(1001, 1000), 2);
    }
}
