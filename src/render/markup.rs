//! Markup of the default theme written in Rust where rendering it from its template costs too
//! much at scale: the incident page (`pages::incidents::html`), the register's row
//! ([`register_row`]) and the severity pages' row ([`severity_row`]), 100,000 of each for a
//! large year. Each writes exactly what its templates render from the same view, byte for byte,
//! and is used only while the site's theme leaves those templates to the default
//! (`Ctx::uses_default_templates`): `tests/site.rs` builds the fixture sites and the example site
//! both ways and compares the pages.
//!
//! Tera's truthiness is followed where a template tests a value: an empty string, an empty
//! list, `None` and the number 0 are false.

use std::fmt::Write as _;

pub use super::theme::push_escaped_html as esc;
use super::views::{IncidentRowView, Link, VerdictView};

/// `{{ m::opt(v=…) }}` of a value that is absent.
const NONE: &str = "<span class=\"none\">—</span>";

/// A text value as `{% if v %}` sees it: present and not empty.
pub fn some<S: AsRef<str>>(v: &Option<S>) -> Option<&str> {
    v.as_ref().map(AsRef::as_ref).filter(|s| !s.is_empty())
}

/// `{{ m::opt(v=…) }}` (macros.html).
pub fn opt(o: &mut String, v: Option<&str>) {
    match v.filter(|s| !s.is_empty()) {
        Some(s) => esc(o, s),
        None => o.push_str(NONE),
    }
}

/// `{{ m::verdict(v=…, root=…) }}` (macros.html).
pub fn verdict(o: &mut String, v: &VerdictView, root: &str) {
    verdict_link(o, v, root, true);
}

/// A verdict's link without the title: where its row already shows the target and deadline the
/// title would repeat (the incident page's targets table).
pub fn untitled_verdict(o: &mut String, v: &VerdictView, root: &str) {
    verdict_link(o, v, root, false);
}

fn verdict_link(o: &mut String, v: &VerdictView, root: &str, titled: bool) {
    o.push_str("<a class=\"verdict v-");
    esc(o, v.state);
    o.push_str("\" href=\"");
    esc(o, root);
    o.push_str("method.html#targets\"");
    if titled && v.deadline.is_empty() {
        o.push_str(" title=\"how verdicts are decided\"");
    } else if titled {
        o.push_str(" title=\"target ");
        esc(o, &v.target);
        o.push_str(", deadline ");
        esc(o, &v.deadline);
        o.push_str("; how verdicts are decided\"");
    }
    o.push('>');
    esc(o, &v.text);
    o.push_str("</a>");
}

/// One row of a severity page's table, as severity.html's loop writes it.
pub fn severity_row(o: &mut String, root: &str, r: &IncidentRowView) {
    o.push_str("<tr><td>");
    link(o, root, &r.href, &r.number.to_string());
    for cell in [&r.created, &r.service, &r.title] {
        o.push_str("</td><td>");
        esc(o, cell);
    }
    o.push_str("</td><td>");
    esc(o, &r.tta);
    o.push(' ');
    verdict(o, &r.ack, root);
    o.push_str("</td><td>");
    esc(o, &r.ttr);
    o.push(' ');
    verdict(o, &r.resolve, root);
    o.push_str("</td><td>");
    esc(o, r.postmortem_status);
    o.push_str("</td></tr>");
}

/// `<a href="{prefix}{href}">{label}</a>`, href and label escaped: the link every row of these
/// pages repeats (`prefix` is `../` or the page's root, or empty).
pub fn link(o: &mut String, prefix: &str, href: &str, label: &str) {
    o.push_str("<a href=\"");
    esc(o, prefix);
    esc(o, href);
    o.push_str("\">");
    esc(o, label);
    o.push_str("</a>");
}

/// Jira links as the incident page and the register list them: each link (or, without an
/// address, its label) followed by a space.
pub fn jira_links(o: &mut String, jira: &[Link]) {
    for j in jira {
        if j.href.is_empty() {
            esc(o, &j.label);
        } else {
            o.push_str("<a href=\"");
            esc(o, &j.href);
            o.push_str("\" rel=\"noopener noreferrer\">");
            esc(o, &j.label);
            o.push_str("</a>");
        }
        o.push(' ');
    }
}

/// The templates [`register_row`] stands in for.
pub const REGISTER_ROW_TEMPLATES: [&str; 2] = ["register-row.html", "macros.html"];

/// The templates [`severity_row`] stands in for (in `theme::SEVERITY_ROWS_IN_RUST`).
pub const SEVERITY_ROW_TEMPLATES: [&str; 2] = ["severity.html", "macros.html"];

/// One register row as `register-row.html` renders it with `r` and `root` = `../`.
pub fn register_row(o: &mut String, r: &IncidentRowView) {
    let root = "../";
    o.push_str("<tr data-sev=\"");
    esc(o, &r.severity);
    o.push_str("\" data-ack=\"");
    esc(o, r.ack.state);
    o.push_str("\" data-res=\"");
    esc(o, r.resolve.state);
    o.push_str("\" data-pm=\"");
    esc(o, r.postmortem_status);
    o.push_str("\" data-month=\"");
    esc(o, &r.month);
    o.push_str("\" data-class=\"");
    esc(o, r.class);
    let n = r.number;
    let _ = write!(
        o,
        "\">\n<td class=\"num\" data-v=\"{n}\"><a href=\"{n}.html\">{n}</a></td>\n<td data-v=\""
    );
    esc(o, &r.created_utc);
    o.push_str("\">");
    esc(o, &r.created);
    o.push_str("</td>\n<td>");
    esc(o, &r.severity);
    if r.severity_source != "priority" {
        o.push_str(" <span class=\"sub\">(");
        esc(o, r.severity_source);
        if !r.severity_raw.is_empty() && r.severity == "unclassified" {
            o.push_str(": “");
            esc(o, &r.severity_raw);
            o.push('”');
        }
        o.push_str(")</span>");
    }
    o.push_str("</td>\n<td>");
    esc(o, &r.service);
    o.push_str("</td>\n<td>");
    esc(o, r.class);
    o.push_str("</td>\n<td>");
    esc(o, &r.title);
    o.push_str("</td>\n");
    for (secs, text, v) in [
        (r.tta_secs, &r.tta, &r.ack),
        (r.ttr_secs, &r.ttr, &r.resolve),
    ] {
        let _ = write!(o, "<td class=\"num\" data-v=\"{}\">", secs.unwrap_or(-1));
        esc(o, text);
        o.push_str("</td>\n<td>");
        verdict(o, v, root);
        o.push_str("</td>\n");
    }
    o.push_str("<td>");
    for p in &r.postmortem_links {
        link(o, root, &p.href, &p.label);
        o.push(' ');
    }
    o.push_str("<span class=\"sub\">");
    esc(o, r.postmortem_status);
    o.push_str("</span></td>\n<td>");
    jira_links(o, &r.jira);
    o.push_str("</td>\n<td>");
    if r.source_href.is_empty() {
        esc(o, &r.source);
    } else {
        link(o, root, &r.source_href, &r.source);
    }
    o.push_str("</td>\n</tr>\n");
}
