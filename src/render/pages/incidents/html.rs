//! The incident page of the default theme written in Rust: 100,000 of them are most of a large
//! site's render, and tera spent about 95 µs on each (70 of them rendering, the rest building its
//! context) where this takes about 3 (issue 12; measured with the page of the example site).
//!
//! It writes exactly what `incident.html` (with `base.html`, `macros.html` and
//! `incident-parts.html`) renders from the same [`IncidentPage`], byte for byte:
//! `tests/site.rs` builds the fixture sites and the example site once as they are and once with
//! an incident.html of their own (the default's text and a comment, which takes the template
//! path), and compares every incident page. A theme whose version of any of the four templates
//! differs from the default's is rendered by tera, so a change there is always seen; a change to
//! those templates in the default theme must be made here too, or that test fails. The pieces
//! other pages share are in `render::markup`.

use std::fmt::Write as _;

use super::{IncidentPage, OnCallView};
use crate::render::markup::{esc, jira_links, link, opt, some, untitled_verdict};
use crate::render::views::SiteView;

/// The templates this module stands in for.
pub const TEMPLATES: [&str; 4] = [
    "base.html",
    "macros.html",
    "incident.html",
    "incident-parts.html",
];

/// The whole page, as `incident.html` renders it with `site`, `root` and `title`.
pub fn page(site: &SiteView, root: &str, title: &str, p: &IncidentPage) -> String {
    let mut o = String::with_capacity(16 * 1024);
    head(&mut o, site, root, title);
    content(&mut o, root, p);
    foot(&mut o, site, root);
    o
}

/// `base.html` up to its content block, with the incident page's breadcrumb.
fn head(o: &mut String, site: &SiteView, root: &str, title: &str) {
    o.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src \
         'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action \
         'none'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<title>",
    );
    esc(o, title);
    o.push_str(" · ");
    esc(o, &site.organization);
    o.push_str(" · ");
    esc(o, &site.period);
    o.push_str("</title>\n<link rel=\"stylesheet\" href=\"");
    esc(o, root);
    o.push_str(
        "assets/style.css\">\n</head>\n<body>\n<header class=\"site\">\n<div class=\"org\"><a \
         href=\"",
    );
    esc(o, root);
    o.push_str("index.html\">");
    esc(o, &site.organization);
    o.push_str("</a> · incident management evidence · <strong>");
    esc(o, &site.period);
    o.push_str("</strong> (");
    esc(o, &site.start);
    o.push_str(" – ");
    esc(o, &site.end);
    o.push_str(")</div>\n<nav aria-label=\"Sections\">\n");
    let nav = |o: &mut String, href: &str, label: &str| {
        o.push_str("<a href=\"");
        esc(o, root);
        o.push_str(href);
        o.push_str("\">");
        o.push_str(label);
        o.push_str("</a>");
    };
    // Each line as base.html has it: the optional links' tags sit inside `{% if %}` on lines
    // of their own, or after the previous link's line.
    for (href, label) in [
        ("index.html", "Dashboard"),
        ("incidents/index.html", "Register"),
        ("postmortems/index.html", "Postmortems"),
        ("exceptions.html", "Exceptions"),
    ] {
        nav(o, href, label);
        o.push('\n');
    }
    if site.has_oncall {
        nav(o, "oncall/index.html", "On-call");
    }
    o.push('\n');
    for (href, label) in [
        ("configuration.html", "Configuration"),
        ("automation.html", "Automation"),
    ] {
        nav(o, href, label);
        o.push('\n');
    }
    if site.has_audit_log {
        nav(o, "audit-log/index.html", "Audit log");
    }
    o.push('\n');
    for (href, label) in [
        ("policies/index.html", "Policies"),
        ("customers.html", "Customers"),
    ] {
        nav(o, href, label);
        o.push('\n');
    }
    nav(o, "population.html", "Population");
    if site.has_requests {
        o.push('\n');
        nav(o, "requests.html", "Requests");
    }
    o.push('\n');
    if site.has_samples {
        nav(o, "sample.html", "Samples");
    }
    if site.has_changes {
        o.push('\n');
        nav(o, "changes.html", "Changes");
    }
    o.push('\n');
    for (href, label) in [
        ("controls.html", "Controls"),
        ("method.html", "Method"),
        ("verify.html", "Verify"),
    ] {
        nav(o, href, label);
        o.push('\n');
    }
    o.push_str(
        "</nav>\n</header>\n<main>\n<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a \
         href=\"",
    );
    esc(o, root);
    o.push_str("index.html\">");
    esc(o, &site.organization);
    o.push(' ');
    esc(o, &site.period);
    o.push_str("</a> › <a href=\"index.html\">Register</a> › <span>");
    esc(o, title);
    o.push_str("</span></nav>\n<h1>");
    esc(o, title);
    o.push_str("</h1>\n");
}

/// `base.html` after its content block.
fn foot(o: &mut String, site: &SiteView, root: &str) {
    o.push_str("\n</main>\n<footer class=\"site\">\nPeriod ");
    esc(o, &site.period);
    o.push_str(": ");
    esc(o, &site.start);
    o.push_str(" to ");
    esc(o, &site.end);
    o.push_str(" inclusive, ");
    esc(o, &site.timezone);
    o.push_str(" · as of ");
    esc(o, &site.as_of);
    o.push_str(" · times shown in ");
    esc(o, &site.timezone);
    o.push_str(" with their UTC offset · pagerproof ");
    esc(o, &site.version);
    o.push_str(" ·\n<a href=\"");
    esc(o, root);
    o.push_str("method.html\">method</a> · <a href=\"");
    esc(o, root);
    o.push_str("verify.html\">how to verify</a>\n</footer>\n\n</body>\n</html>\n");
}

/// `incident.html`'s content block.
fn content(o: &mut String, root: &str, p: &IncidentPage) {
    o.push_str("\n<nav class=\"prevnext\">");
    if let Some(prev) = p.prev.filter(|&n| n != 0) {
        let _ = write!(o, "<a href=\"{prev}.html\" rel=\"prev\">← #{prev}</a>");
    }
    o.push_str(" <a href=\"index.html\">register</a> ");
    if let Some(next) = p.next.filter(|&n| n != 0) {
        let _ = write!(o, "<a href=\"{next}.html\" rel=\"next\">#{next} →</a>");
    }
    o.push_str("</nav>\n<section>\n<h2>Facts</h2>\n<table class=\"facts\">\n");
    facts(o, p);
    o.push_str("\n</table>\n</section>\n\n");
    targets(o, root, p);
    postmortems(o, p);
    if !p.timeline.is_empty() {
        o.push_str(
            "\n<section id=\"timeline\">\n<h2>Timeline</h2>\n\n<table class=\"data \
             timeline\">\n<caption>PagerDuty log entries, oldest first. ★ marks the first \
             acknowledgement, the one the acknowledge target is judged on.</caption>\n\
             <thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Event</th><th \
             scope=\"col\">By</th><th scope=\"col\">To / whom</th><th \
             scope=\"col\">Channel</th><th scope=\"col\">Log entry</th><th \
             scope=\"col\">Source</th></tr></thead>\n<tbody>",
        );
        o.push_str(&p.timeline);
        o.push_str("</tbody>\n</table>\n\n</section>\n");
    }
    o.push_str("\n\n");
    if let Some(c) = &p.on_call {
        o.push_str("\n<section id=\"on-call\">\n<h2>Who was on call</h2>\n");
        on_call(o, root, c);
        o.push_str("\n</section>\n");
    }
    sources(o, p);
}

fn facts(o: &mut String, p: &IncidentPage) {
    let row = |o: &mut String, label: &str, value: &str| {
        o.push_str("<tr><th scope=\"row\">");
        o.push_str(label);
        o.push_str("</th><td>");
        esc(o, value);
        o.push_str("</td></tr>");
    };
    let _ = write!(
        o,
        "<tr><th scope=\"row\">Number</th><td>{}</td></tr>\n<tr><th scope=\"row\">PagerDuty \
         ID</th><td>",
        p.number
    );
    if let Some(url) = some(&p.url) {
        o.push_str("<a href=\"");
        esc(o, url);
        o.push_str("\" rel=\"noopener noreferrer\">");
        opt(o, Some(&p.id));
        o.push_str("</a>");
    } else {
        opt(o, Some(&p.id));
    }
    o.push_str("</td></tr>\n<tr><th scope=\"row\">Severity</th><td><strong>");
    esc(o, &p.severity);
    o.push_str("</strong> — from ");
    esc(o, p.severity_source);
    if some(p.severity_postmortem).is_some() {
        o.push_str(" (");
        for l in &p.severity_postmortem_links {
            link(o, "../", &l.href, &l.label);
        }
        o.push(')');
    }
    if !p.severity_raw.is_empty() {
        o.push_str("; value “");
        esc(o, &p.severity_raw);
        o.push('”');
    }
    if let Some(d) = some(&p.severity_definition) {
        o.push_str("<br><span class=\"sub\">");
        esc(o, d);
        o.push_str("</span>");
    }
    o.push_str("</td></tr>\n<tr><th scope=\"row\">Urgency</th><td>");
    opt(o, Some(&p.urgency));
    o.push_str("</td></tr>\n<tr><th scope=\"row\">Service</th><td>");
    opt(o, Some(&p.service));
    sub(o, some(p.service_id));
    o.push_str("</td></tr>\n<tr><th scope=\"row\">Escalation policy</th><td>");
    opt(o, some(p.escalation_policy));
    sub(o, some(p.escalation_policy_id));
    o.push_str("</td></tr>\n");
    if let Some(t) = some(p.team) {
        row(o, "Team", t);
    }
    o.push('\n');
    if let Some(s) = some(p.status) {
        row(o, "Status", s);
    }
    o.push_str("\n<tr><th scope=\"row\">Created</th><td>");
    esc(o, &p.created);
    o.push_str(" <span class=\"sub\">");
    esc(o, &p.created_utc);
    o.push_str("</span></td></tr>\n<tr><th scope=\"row\">Acknowledged</th><td>");
    opt(o, Some(&p.acknowledged));
    if let Some(by) = some(p.acknowledged_by) {
        o.push_str(" by ");
        esc(o, by);
    }
    o.push_str("</td></tr>\n<tr><th scope=\"row\">Resolved</th><td>");
    opt(o, Some(&p.resolved));
    if let Some(by) = some(p.resolved_by) {
        o.push_str(" by ");
        esc(o, by);
    } else if p.auto_resolved == Some(true) {
        o.push_str(" (auto-resolved)");
    }
    if let Some(s) = some(p.resolved_source) {
        o.push_str("<br><span class=\"sub\">time from ");
        esc(o, s);
        o.push_str(" (the record has no resolved-at value)</span>");
    }
    o.push_str("</td></tr>\n");
    if let Some(a) = some(p.assigned_to) {
        row(o, "Assigned to", a);
    }
    o.push('\n');
    if let Some(n) = p.escalation_count {
        let _ = write!(o, "<tr><th scope=\"row\">Escalations</th><td>{n}</td></tr>");
    }
    o.push('\n');
    if let Some(d) = some(p.duration_text) {
        row(o, "Duration (as exported)", d);
    }
    o.push('\n');
    row(o, "Title", &p.incident_title);
    o.push('\n');
    if !p.jira.is_empty() {
        o.push_str("<tr><th scope=\"row\">Jira</th><td>");
        jira_links(o, &p.jira);
        o.push_str("</td></tr>");
    }
}

/// ` <span class="sub">…</span>` after a value, when there is one.
fn sub(o: &mut String, v: Option<&str>) {
    if let Some(v) = v {
        o.push_str(" <span class=\"sub\">");
        esc(o, v);
        o.push_str("</span>");
    }
}

fn targets(o: &mut String, root: &str, p: &IncidentPage) {
    o.push_str(
        "<section>\n<h2>Response targets</h2>\n<table class=\"data\">\n<thead><tr><th \
         scope=\"col\">Target</th><th scope=\"col\">Policy</th><th \
         scope=\"col\">Deadline</th><th scope=\"col\">Actual</th><th \
         scope=\"col\">Verdict</th></tr></thead>\n<tbody>\n",
    );
    for (label, v, actual, note) in [
        ("Acknowledge", &p.ack, &p.tta, p.ack_note),
        ("Resolve", &p.resolve, &p.ttr, p.resolve_note),
    ] {
        o.push_str("<tr><th scope=\"row\">");
        o.push_str(label);
        o.push_str("</th><td>");
        opt(o, Some(&v.target));
        o.push_str("</td><td>");
        opt(o, Some(&v.deadline));
        o.push_str("</td><td>");
        opt(o, Some(actual));
        if let Some(note) = note.filter(|n| !n.is_empty()) {
            o.push_str("<br><span class=\"why\">");
            esc(o, note);
            o.push_str("</span>");
        }
        // No title, unlike the register's verdicts: the row shows the target and deadline a
        // title would repeat (170 bytes of a page whose median is 8.5 KB).
        o.push_str("</td><td>");
        untitled_verdict(o, v, root);
        o.push_str("</td></tr>\n");
    }
    o.push_str("<tr><th scope=\"row\">Postmortem</th><td colspan=\"2\">");
    match some(&p.postmortem_due) {
        Some(due) => {
            o.push_str("due ");
            esc(o, due);
        }
        None => esc(o, p.postmortem_status),
    }
    o.push_str("</td><td>");
    match some(&p.postmortem_completed) {
        Some(done) => {
            o.push_str("completed ");
            esc(o, done);
        }
        None => o.push('—'),
    }
    o.push_str("</td><td><span class=\"verdict pm-");
    esc(o, &p.postmortem_status.replace(' ', "-"));
    o.push_str("\">");
    esc(o, p.postmortem_status);
    o.push_str(
        "</span></td></tr>\n</tbody>\n</table>\n<p class=\"sub\">How verdicts are decided: <a \
         href=\"../method.html#targets\">method</a>.</p>\n",
    );
    if !p.exceptions.is_empty() {
        o.push_str("\n<h3>Exceptions</h3>\n<ul>");
        for e in &p.exceptions {
            o.push_str("<li><a href=\"");
            esc(o, root);
            esc(o, &e.href);
            o.push_str("\"><code>");
            esc(o, &e.id);
            o.push_str("</code></a> ");
            esc(o, e.label);
            o.push_str(if e.response {
                " — management response recorded"
            } else {
                " — awaiting response"
            });
            o.push_str("</li>");
        }
        o.push_str("</ul>\n");
    }
    o.push_str("\n</section>\n\n");
}

fn postmortems(o: &mut String, p: &IncidentPage) {
    o.push_str("<section>\n<h2>Postmortems</h2>\n");
    if p.postmortems.is_empty() {
        o.push_str("<p>No postmortem links this incident.</p>");
    } else {
        o.push_str("\n<ul>");
        for pm in &p.postmortems {
            o.push_str("<li>");
            link(o, "", &pm.href, pm.id);
            o.push(' ');
            esc(o, pm.title);
            o.push_str(" — ");
            // `| default(value="no status")`: tera 1 replaces a null, not an empty string.
            esc(o, pm.status.as_deref().unwrap_or("no status"));
            match some(&pm.completed) {
                Some(c) => {
                    o.push_str(", completed ");
                    esc(o, c);
                }
                None => o.push_str(", not completed"),
            }
            let _ = write!(o, "; {}/5 parts", pm.parts);
            if !pm.missing.is_empty() {
                o.push_str(" (missing: ");
                esc(o, &pm.missing.join(", "));
                o.push(')');
            }
            o.push_str("</li>");
        }
        o.push_str("</ul>\n");
    }
    o.push_str("\n</section>\n\n");
}

/// `{{ parts::oncall(c=on_call, root=root) }}`.
fn on_call(o: &mut String, root: &str, c: &OnCallView) {
    o.push_str("\n<p>Escalation policy <a href=\"");
    esc(o, root);
    esc(o, &c.policy_href);
    o.push_str("\">");
    esc(o, c.policy_name);
    o.push_str("</a> as configured at the trigger");
    if let Some(from) = some(&c.version_from) {
        o.push_str(" (version in effect since ");
        esc(o, from);
        if let Some(record) = some(&c.version_record) {
            o.push_str(", audit record ");
            esc(o, record);
        }
        o.push(')');
    }
    o.push_str(
        ". Schedules resolve to the final schedule at the trigger instant, overrides \
         applied.</p>\n<table class=\"data oncall-chain\">\n<thead><tr><th \
         scope=\"col\">Level</th><th scope=\"col\">Paged after</th><th scope=\"col\">On call \
         at the trigger</th><th scope=\"col\">Acknowledged</th></tr></thead>\n<tbody>",
    );
    o.push_str(&c.levels);
    o.push_str("</tbody>\n</table>\n<p>");
    match (
        c.acknowledged_level.filter(|&l| l != 0),
        some(&c.acknowledged_by),
    ) {
        (Some(level), by) => {
            let _ = write!(o, "Acknowledged at level {level} by ");
            esc(o, by.unwrap_or_default());
            o.push('.');
        }
        (None, Some(by)) => {
            o.push_str("Acknowledged by ");
            esc(o, by);
            o.push_str(", who was not on the chain at the trigger.");
        }
        (None, None) => o.push_str("Not acknowledged."),
    }
    o.push('\n');
    o.push_str(match c.followed {
        "n/a" => "No timeout escalation to judge.",
        "yes" => "Escalations came at the configured delays (✓).",
        _ => "<strong>Escalations did not follow the configured delays (✗).</strong>",
    });
    o.push_str("</p>\n");
    if !c.missed.is_empty() {
        o.push_str(
            "<p class=\"missed-escalation\"><strong>Escalation that should have fired and did \
             not (✗):</strong> ",
        );
        esc(o, &c.missed.join("; "));
        o.push_str(" — still unacknowledged then, with no escalation in the log by then.</p>");
    }
    o.push('\n');
    if !c.escalations.is_empty() {
        o.push_str(
            "<table class=\"data\"><thead><tr><th scope=\"col\">Escalation to level</th><th \
             scope=\"col\">At</th><th scope=\"col\">After the trigger</th><th \
             scope=\"col\">Configured</th><th scope=\"col\">How</th><th scope=\"col\">On \
             time</th></tr></thead>\n<tbody>",
        );
        o.push_str(&c.escalations);
        o.push_str("</tbody></table>");
    }
    o.push('\n');
}

fn sources(o: &mut String, p: &IncidentPage) {
    o.push_str(
        "\n\n<section>\n<h2>Source rows</h2>\n<p>Read from (first row decides its bucket; later \
         rows merge field by field):</p>\n<ul>",
    );
    for (i, s) in p.sources.iter().enumerate() {
        o.push_str("<li>");
        link(o, "../", &s.href, s.file);
        o.push_str(", ");
        o.push_str(if s.api { "record" } else { "line" });
        let _ = write!(o, " {}", s.line);
        o.push_str(if i == 0 { " (first)" } else { " (duplicate)" });
        o.push_str("</li>");
    }
    o.push_str("</ul>\n");
    if !p.conflicts.is_empty() {
        o.push_str(
            "\n<h3>Conflicting values</h3>\n<table class=\"data\"><thead><tr><th \
             scope=\"col\">Field</th><th scope=\"col\">Kept</th><th scope=\"col\">Other \
             value</th><th scope=\"col\">At</th></tr></thead>\n<tbody>",
        );
        for c in &p.conflicts {
            o.push_str("<tr><td>");
            esc(o, c.field);
            o.push_str("</td><td>");
            esc(o, c.kept);
            o.push_str("</td><td>");
            esc(o, c.other);
            o.push_str("</td><td>");
            link(o, "../", &c.href, c.file);
            let _ = write!(o, ":{}</td></tr>", c.line);
        }
        o.push_str("</tbody></table>\n");
    }
    o.push_str("\n</section>\n");
}
