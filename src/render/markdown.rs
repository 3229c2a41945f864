//! Markdown → sanitized HTML. Every piece of user-written text that is rendered as markdown
//! goes through ammonia, so a postmortem or policy can never inject script or remote content.

use pulldown_cmark::{Options, Parser, html};

/// Renders markdown to HTML and sanitizes it: no scripts, no event handlers, no remote images,
/// links limited to http(s), mailto and relative URLs.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let mut raw = String::new();
    let markdown = crate::util::cap_markdown_nesting(markdown);
    html::push_html(&mut raw, Parser::new_ext(&markdown, options));
    sanitize(&raw)
}

fn sanitize(html: &str) -> String {
    let mut tags = std::collections::HashSet::new();
    tags.insert("input");
    ammonia::Builder::default()
        .add_tags(tags)
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Inline markdown (one paragraph) without the wrapping `<p>`.
pub fn inline(markdown: &str) -> String {
    let html = to_html(markdown);
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html =
            to_html("Hello <script>alert(1)</script> <a href=\"javascript:x\" onclick=\"y\">l</a>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn remote_images_are_dropped_and_tables_kept() {
        let html = to_html("![x](https://evil.example/p.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(!html.contains("evil.example"), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn inline_strips_the_paragraph() {
        assert_eq!(inline("**bold**"), "<strong>bold</strong>");
    }
}
