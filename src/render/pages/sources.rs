//! `sources/<path>.html`: every input file as a page with one anchored element per line
//! (`#L13`), beside its verbatim copy, so a "source row" link lands on the row itself.
//!
//! Inputs can be large (a 100k-row export), so the page's frame is rendered once through the
//! theme and the lines are streamed into it: no template call per line, no page held in memory.

use std::io::Write;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::super::context::Ctx;
use super::super::line_page;
use crate::model::SourceFile;

/// Stands where the lines go in the rendered frame; it survives HTML escaping unchanged.
const LINES: &str = "@@pagerproof-source-lines@@";

#[derive(Serialize)]
struct SourcePage<'a> {
    file: &'a SourceFile,
    /// The verbatim copy, relative to this page (it sits beside it).
    original: String,
    lines: &'static str,
    /// Why the lines are not shown, or how they were decoded.
    note: Option<&'static str>,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let copies: std::collections::BTreeSet<&str> =
        ctx.inputs.sources.iter().map(|s| s.copy.as_str()).collect();
    let mut written = std::collections::BTreeSet::new();
    for s in &ctx.inputs.sources {
        let page = line_page(&s.copy);
        if copies.contains(page.as_str()) {
            bail!(
                "{}: its line page {page} would replace the copy of another input: rename one",
                s.path
            );
        }
        if !written.insert(page.clone()) {
            continue;
        }
        let bytes = std::fs::read(ctx.config.path(&s.path))
            .with_context(|| format!("{}: cannot read", s.path))?;
        write_page(ctx, s, &page, &bytes)?;
        ctx.progress.inc(1);
    }
    Ok(written.len())
}

fn write_page(ctx: &Ctx, s: &SourceFile, page: &str, bytes: &[u8]) -> Result<()> {
    let binary = bytes.contains(&0);
    let text = String::from_utf8_lossy(bytes);
    let note = if binary {
        Some("binary file: no lines to show")
    } else if matches!(text, std::borrow::Cow::Owned(_)) {
        Some("not valid UTF-8: undecodable bytes are shown as �")
    } else {
        None
    };
    let name = s.copy.rsplit('/').next().unwrap_or(&s.copy);
    let data = SourcePage {
        file: s,
        original: crate::util::encode_href(name),
        lines: LINES,
        note,
    };
    let html = ctx.render_page("source.html", page, &s.path, &data)?;
    let Some((head, tail)) = html.split_once(LINES) else {
        bail!("the theme's source.html must show {{{{ lines }}}} once");
    };
    let path = ctx.out.join(page);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create", parent.display()))?;
    }
    let file = std::fs::File::create(&path)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all(head.as_bytes())?;
    if !binary {
        write_lines(&mut out, &text)?;
    }
    out.write_all(tail.as_bytes())?;
    out.flush()
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// One `<span id="L<n>">` per line, numbered from 1 as ingest numbers lines (split at `\n`, a
/// trailing `\r` dropped), the text escaped.
fn write_lines(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Ok(());
    }
    for (i, line) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        write!(
            out,
            r##"<span class="line" id="L{n}"><a class="ln" href="#L{n}">{n}</a>"##
        )?;
        escape_into(out, line)?;
        out.write_all(b"\n</span>")?;
    }
    Ok(())
}

fn escape_into(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    let mut from = 0;
    for (i, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#x27;",
            _ => continue,
        };
        out.write_all(&text.as_bytes()[from..i])?;
        out.write_all(entity.as_bytes())?;
        from = i + 1;
    }
    out.write_all(&text.as_bytes()[from..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> String {
        let mut out = Vec::new();
        write_lines(&mut out, text).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_line_is_anchored_numbered_and_escaped() {
        let html = lines("a,b\r\n<x>&\"'\n\nlast");
        assert_eq!(
            html,
            concat!(
                r##"<span class="line" id="L1"><a class="ln" href="#L1">1</a>a,b"##,
                "\n</span>",
                r##"<span class="line" id="L2"><a class="ln" href="#L2">2</a>&lt;x&gt;&amp;&quot;&#x27;"##,
                "\n</span>",
                r##"<span class="line" id="L3"><a class="ln" href="#L3">3</a>"##,
                "\n</span>",
                r##"<span class="line" id="L4"><a class="ln" href="#L4">4</a>last"##,
                "\n</span>",
            )
        );
        // A final newline ends the last line; it does not start another.
        assert_eq!(lines("one\n").matches("class=\"line\"").count(), 1);
        assert_eq!(lines(""), "");
    }
}
