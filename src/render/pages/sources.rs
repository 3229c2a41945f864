//! `sources/<path>`: the verbatim copy of every input, and beside it `sources/<path>.html`, the
//! file with one anchored element per line (`#L13`), so a "source row" link lands on the row.
//!
//! Inputs can be large (a 238 MB log export at 100k incidents), so a file longer than
//! [`source_page_lines`] lines is split into numbered line pages, `<path>.html` then
//! `<path>.page-<n>.html` (a shorter file keeps its one page). Each input is first scanned
//! ([`scan`]: its lines counted, its text checked, on every core at gigabytes a second); its copy
//! ([`copy`]: read, hashed against the load's digest, written) then runs beside the line pages
//! and every other page, instead of before them: the largest input's copy (a 238 MB log at 100k
//! incidents, deflated in pieces into a package) was one thread's work while the other waited.
//! The line pages are read from the input a batch at a time and rendered in parallel, each page
//! a function of its own lines alone, so the bytes do not depend on the thread count and no
//! file's HTML is ever held whole.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::Serialize;

use super::super::context::Ctx;
use super::super::theme::push_escaped_text;
use super::super::{line_page, line_page_n, line_pages, source_page_lines, split_line_page_n};
use crate::model::SourceFile;
use crate::render::paging::{Nav, PageLink};
use crate::util::BlockReader;
use crate::util::sink::CopyCheck;

/// Stands where the lines go in the rendered frame; it survives HTML escaping unchanged.
const LINES: &str = "@@pagerproof-source-lines@@";

/// Line pages rendered at once, and the input bytes they may hold between them: enough to keep
/// every thread busy, few enough that memory stays flat however large the inputs.
const BATCH_PAGES: usize = 4;
const BATCH_BYTES: usize = 4 << 20;

/// An input copied to `sources/`, with what its line pages need to know of the whole file.
pub struct Copied<'a> {
    source: &'a SourceFile,
    scan: Scan,
}

/// What one pass over a file's bytes learns of it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Scan {
    /// Lines as ingest numbers them: split at `\n`, a final `\n` ending the last line.
    lines: u64,
    binary: bool,
    utf8: bool,
}

/// Counts lines and checks UTF-8 block by block; a character split across two blocks is
/// carried to the next.
#[derive(Default)]
struct Scanner {
    newlines: u64,
    last: Option<u8>,
    binary: bool,
    invalid: bool,
    carry: Vec<u8>,
}

impl Scanner {
    fn feed(&mut self, block: &[u8]) {
        let Some(&last) = block.last() else {
            return;
        };
        self.last = Some(last);
        self.newlines += memchr::memchr_iter(b'\n', block).count() as u64;
        self.binary |= memchr::memchr(0, block).is_some();
        if self.invalid {
            return;
        }
        let joined;
        let bytes = if self.carry.is_empty() {
            block
        } else {
            joined = [std::mem::take(&mut self.carry).as_slice(), block].concat();
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => self.carry = bytes[e.valid_up_to()..].to_vec(),
            Err(_) => self.invalid = true,
        }
    }

    fn finish(self) -> Scan {
        let unterminated = self.last.is_some_and(|b| b != b'\n');
        Scan {
            lines: self.newlines + u64::from(unterminated),
            binary: self.binary,
            utf8: !self.invalid && self.carry.is_empty(),
        }
    }
}

/// Every input to copy to `sources/` (each once, however often it is listed), scanned for what
/// its line pages need.
pub fn scan<'a>(ctx: &Ctx<'a>) -> Result<Vec<Copied<'a>>> {
    let mut seen = BTreeMap::new();
    let mut unique = Vec::new();
    for s in &ctx.inputs.sources {
        if let Some(other) = seen.insert(s.copy.as_str(), s.path.as_str()) {
            if other == s.path {
                continue;
            }
            bail!(
                "{} and {other} would both be copied to {}: rename one",
                s.path,
                s.copy
            );
        }
        unique.push(s);
    }
    unique
        .into_par_iter()
        .map(|source| {
            let scan = scan_one(ctx, source)?;
            Ok(Copied { source, scan })
        })
        .collect()
}

/// One pass over the input's bytes: its lines and whether it is text.
fn scan_one(ctx: &Ctx, s: &SourceFile) -> Result<Scan> {
    let from = ctx.config.path(&s.path);
    let cannot_read = || format!("{}: cannot read", s.path);
    let input = std::fs::File::open(&from).with_context(cannot_read)?;
    let mut scanner = Scanner::default();
    let mut blocks = BlockReader::new(input, s.bytes);
    while let Some(block) = blocks.next_block().with_context(cannot_read)? {
        scanner.feed(block);
    }
    Ok(scanner.finish())
}

/// Copies each of `copied` to `sources/`, checking its bytes still hash as they did when read;
/// how many.
pub fn copy(ctx: &Ctx, copied: &[Copied]) -> Result<usize> {
    copied.par_iter().try_for_each(|c| {
        copy_one(ctx, c.source)?;
        ctx.progress.inc(1);
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(copied.len())
}

/// One streaming pass: read a block, hash it, write it (unless the output takes the copy from
/// the input itself: a package reads it when it packs it).
fn copy_one(ctx: &Ctx, s: &SourceFile) -> Result<()> {
    let from = ctx.config.path(&s.path);
    let cannot_read = || format!("{}: cannot read", s.path);
    let input = std::fs::File::open(&from).with_context(cannot_read)?;
    let mut output = ctx.out.copy_from(&s.copy, &from, &s.sha256)?;
    let cannot = || format!("{}: cannot write", s.copy);
    // A copy written to the output is checked by the output as it is finished: hashed here
    // too, a package's 380 MB of inputs (at 100k incidents) were hashed a third time.
    let mut check = output.is_none().then(|| CopyCheck::new(&s.path, &s.sha256));
    let mut blocks = BlockReader::new(input, s.bytes);
    while let Some(block) = blocks.next_block().with_context(cannot_read)? {
        if let Some(check) = &mut check {
            check.update(block);
        }
        if let Some(output) = &mut output {
            output.write_all(block).with_context(cannot)?;
        }
    }
    if let Some(check) = check {
        check.finish()?;
    }
    if let Some(output) = output {
        output.finish()?;
    }
    Ok(())
}

/// One page's worth of a file's lines, read and waiting to be rendered.
struct Chunk<'a> {
    file: &'a Copied<'a>,
    page: u64,
    pages: u64,
    text: Vec<u8>,
}

/// Writes every copied input's line pages and returns how many. The next batch of pages is
/// read while the last one is rendered: reading is one thread's work, and would otherwise
/// leave the other cores idle between batches.
pub fn render(ctx: &Ctx, copied: &[Copied]) -> Result<usize> {
    check_names(copied)?;
    let mut chunks = Chunks {
        ctx,
        files: copied.iter(),
        open: None,
        per_page: source_page_lines(),
    };
    let mut written = 0;
    let mut batch = chunks.batch()?;
    while !batch.is_empty() {
        let (wrote, next) = rayon::join(|| write_batch(ctx, &mut batch), || chunks.batch());
        written += wrote?;
        batch = next?;
    }
    Ok(written)
}

/// The copied inputs' line pages as chunks of text, file by file, page by page.
struct Chunks<'c, 'a> {
    ctx: &'c Ctx<'c>,
    files: std::slice::Iter<'a, Copied<'a>>,
    /// The file being read: its reader, its page count, and the next page's number.
    open: Option<(&'a Copied<'a>, BufReader<std::fs::File>, u64, u64)>,
    per_page: u64,
}

impl<'a> Chunks<'_, 'a> {
    /// The next pages, up to [`BATCH_PAGES`] or about [`BATCH_BYTES`] of text; none at the end.
    fn batch(&mut self) -> Result<Vec<Chunk<'a>>> {
        let (mut batch, mut held) = (Vec::new(), 0);
        while batch.len() < BATCH_PAGES && held < BATCH_BYTES {
            let Some(chunk) = self.next_chunk()? else {
                break;
            };
            held += chunk.text.len();
            batch.push(chunk);
        }
        Ok(batch)
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk<'a>>> {
        loop {
            if let Some((file, reader, pages, page)) = &mut self.open
                && *page <= *pages
            {
                // About one page's share of the file, so the text is not regrown (and
                // copied) a dozen times on its way to a few MB; never more than the file (a
                // 400-line postmortem would otherwise reserve for 5,000 lines).
                let share = match file.scan.binary {
                    true => 0,
                    false => file.source.bytes / file.scan.lines.max(1) * self.per_page,
                };
                let reserve = (share + share / 8).min(file.source.bytes).min(64 << 20);
                let mut text = Vec::with_capacity(reserve as usize);
                if !file.scan.binary {
                    for _ in 0..self.per_page {
                        let n = reader
                            .read_until(b'\n', &mut text)
                            .with_context(|| format!("{}: cannot read", file.source.path))?;
                        if n == 0 {
                            break;
                        }
                    }
                }
                let chunk = Chunk {
                    file,
                    page: *page,
                    pages: *pages,
                    text,
                };
                *page += 1;
                return Ok(Some(chunk));
            }
            let Some(file) = self.files.next() else {
                return Ok(None);
            };
            // The input, not its copy: the copy may be in a package being written, not on disk.
            let path = self.ctx.config.path(&file.source.path);
            let reader = BufReader::with_capacity(
                1 << 20,
                std::fs::File::open(&path)
                    .with_context(|| format!("{}: cannot read", path.display()))?,
            );
            let pages = if file.scan.binary {
                1
            } else {
                line_pages(file.scan.lines, self.per_page)
            };
            self.open = Some((file, reader, pages, 1));
        }
    }
}

fn write_batch(ctx: &Ctx, batch: &mut Vec<Chunk>) -> Result<usize> {
    batch
        .par_iter()
        .map(|chunk| {
            write_page(ctx, chunk)?;
            ctx.progress.inc(1);
            Ok(())
        })
        .collect::<Result<Vec<()>>>()?;
    let n = batch.len();
    batch.clear();
    Ok(n)
}

/// Refuses inputs whose copies and line pages would overwrite each other, so that
/// [`super::super::is_line_page`] tells every line page from every copy by name alone.
fn check_names(copied: &[Copied]) -> Result<()> {
    let path_of: BTreeMap<&str, &str> = copied
        .iter()
        .map(|c| (c.source.copy.as_str(), c.source.path.as_str()))
        .collect();
    for c in copied {
        let s = c.source;
        let page = line_page(&s.copy);
        if path_of.contains_key(page.as_str()) {
            bail!(
                "{}: its line page {page} would replace the copy of another input: rename one",
                s.path
            );
        }
        for name in [s.copy.as_str(), page.as_str()] {
            if let Some((other, n)) = split_line_page_n(name)
                && let Some(other) = path_of.get(other)
            {
                bail!(
                    "{}: {name} is named like page {n} of the line pages of {other}: rename one",
                    s.path
                );
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct SourcePage<'a> {
    file: &'a SourceFile,
    /// The verbatim copy, relative to this page (it sits beside it).
    original: String,
    lines: &'static str,
    /// The number of the page's first line, where its list starts (`<ol start>`).
    first: u64,
    /// Why the lines are not shown, or how they were decoded.
    note: Option<&'static str>,
    /// Where this page sits among the file's line pages; `None` for a file of one page.
    line_pages: Option<LinePages>,
}

#[derive(Serialize)]
struct LinePages {
    #[serde(flatten)]
    nav: Nav,
    first_line: u64,
    last_line: u64,
    lines: u64,
    /// Every page with its lines, on the first page only: one click to any part of the file.
    index: Vec<PageLink>,
}

impl LinePages {
    fn new(copy: &str, page: u64, pages: u64, lines: u64, per_page: u64) -> Self {
        let range = |n: u64| ((n - 1) * per_page + 1, (n * per_page).min(lines));
        // Pages sit side by side, so a link is the page's file name.
        let href = |n: u64| {
            let name = line_page_n(copy, n);
            crate::util::encode_href(name.rsplit('/').next().unwrap_or(&name))
        };
        let index = if page == 1 {
            (1..=pages)
                .map(|n| {
                    let (first, last) = range(n);
                    PageLink {
                        label: format!("{first}–{last}"),
                        href: href(n),
                        current: n == page,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let (first_line, last_line) = range(page);
        LinePages {
            nav: Nav::new(page as usize, pages as usize, |n| href(n as u64)),
            first_line,
            last_line,
            lines,
            index,
        }
    }
}

fn write_page(ctx: &Ctx, chunk: &Chunk) -> Result<()> {
    let (s, scan) = (chunk.file.source, &chunk.file.scan);
    let per_page = source_page_lines();
    let name = line_page_n(&s.copy, chunk.page);
    // `from_utf8` checks ASCII a word at a time, `from_utf8_lossy` a byte at a time: at 100k
    // incidents 380 MB of text, 0.2 s of CPU the lossy way.
    let text = match std::str::from_utf8(&chunk.text) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(&chunk.text),
    };
    let note = if scan.binary {
        Some("binary file: no lines to show")
    } else if !scan.utf8 {
        Some("not valid UTF-8: undecodable bytes are shown as �")
    } else {
        None
    };
    let line_pages = (chunk.pages > 1)
        .then(|| LinePages::new(&s.copy, chunk.page, chunk.pages, scan.lines, per_page));
    let title = match &line_pages {
        Some(p) => format!("{}, lines {}–{}", s.path, p.first_line, p.last_line),
        None => s.path.clone(),
    };
    let copy_name = s.copy.rsplit('/').next().unwrap_or(&s.copy);
    let first = (chunk.page - 1) * per_page + 1;
    let data = SourcePage {
        file: s,
        original: crate::util::encode_href(copy_name),
        lines: LINES,
        first,
        note,
        line_pages,
    };
    let html = ctx.render_page("source.html", &name, &title, &data)?;
    let Some((head, tail)) = html.split_once(LINES) else {
        bail!("the theme's source.html must show {{{{ lines }}}} once");
    };
    // Streamed to the file: a page of a long export is megabytes of markup, and two pages in
    // flight held whole (text and markup) were the build's peak at 100k incidents.
    let cannot = || format!("{name}: cannot write");
    let mut file = ctx.out.create(&name)?;
    file.write_all(head.as_bytes()).with_context(cannot)?;
    let mut buf = String::with_capacity(FLUSH_BYTES + 4096);
    push_lines(&mut buf, &text, first, &mut |buf: &mut String| {
        file.write_all(buf.as_bytes()).with_context(cannot)?;
        buf.clear();
        Ok(())
    })?;
    file.write_all(buf.as_bytes()).with_context(cannot)?;
    file.write_all(tail.as_bytes()).with_context(cannot)?;
    file.finish()
}

/// Markup is handed to the file in pieces of about this many bytes.
const FLUSH_BYTES: usize = 64 << 10;

/// One `<li id="L<n>">` per line, numbered from `first` as ingest numbers lines (split at `\n`,
/// a trailing `\r` dropped), the text escaped as a text node. The list (`source.html`'s
/// `<ol start>`) shows the numbers, so a line carries its anchor and its text alone: a line
/// of markup was 80 bytes around the text, 60 MB of the 440 MB of line pages at 100k incidents,
/// and is 15 now. `spill` takes `out` whenever it holds [`FLUSH_BYTES`] or more.
fn push_lines(
    out: &mut String,
    text: &str,
    first: u64,
    spill: &mut dyn FnMut(&mut String) -> Result<()>,
) -> Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    let text = text.strip_suffix('\n').unwrap_or(text);
    for (n, line) in (first..).zip(text.split('\n')) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let _ = write!(out, r#"<li id="L{n}">"#);
        push_escaped_text(out, line);
        out.push_str("</li>\n");
        if out.len() >= FLUSH_BYTES {
            spill(out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, first: u64) -> String {
        let (mut out, mut spilled) = (String::new(), String::new());
        push_lines(&mut out, text, first, &mut |buf: &mut String| {
            spilled.push_str(buf);
            buf.clear();
            Ok(())
        })
        .unwrap();
        spilled + &out
    }

    fn scan(blocks: &[&[u8]]) -> Scan {
        let mut scanner = Scanner::default();
        for block in blocks {
            scanner.feed(block);
        }
        scanner.finish()
    }

    #[test]
    fn every_line_is_anchored_numbered_and_escaped_as_text() {
        let html = lines("a,b\r\n<x>&\"'\n\nlast", 1);
        assert_eq!(
            html,
            concat!(
                "<li id=\"L1\">a,b</li>\n",
                "<li id=\"L2\">&lt;x&gt;&amp;\"'</li>\n",
                "<li id=\"L3\"></li>\n",
                "<li id=\"L4\">last</li>\n",
            )
        );
        // A final newline ends the last line; it does not start another.
        assert_eq!(lines("one\n", 1).matches("<li ").count(), 1);
        assert_eq!(lines("", 1), "");
        // A lone newline is one empty line, as ingest counts it.
        assert_eq!(lines("\n", 7).matches(r#"id="L7""#).count(), 1);
        // A later page numbers on from its first line.
        let html = lines("x\ny", 5001);
        assert!(html.contains(r#"id="L5001""#) && html.contains(r#"id="L5002""#));
        assert!(!html.contains(r#"id="L1""#));
    }

    /// A page's markup reaches the file in pieces (`FLUSH_BYTES`); the pieces in order are the
    /// markup a page held whole would have had, and no piece is handed over short of the limit.
    #[test]
    fn long_pages_are_spilled_in_pieces_that_join_to_the_whole_page() {
        let text: String = (0..3000)
            .map(|i| format!("row {i} <{i}> & more\n"))
            .collect();
        let mut pieces = Vec::new();
        let mut out = String::new();
        push_lines(&mut out, &text, 1, &mut |buf: &mut String| {
            pieces.push(std::mem::take(buf));
            Ok(())
        })
        .unwrap();
        assert!(pieces.len() >= 2, "3,000 lines make more than one piece");
        assert!(pieces.iter().all(|p| p.len() >= FLUSH_BYTES));
        let joined = pieces.concat() + &out;
        let expected: String = (0..3000)
            .map(|i| {
                let n = i + 1;
                format!(r#"<li id="L{n}">row {i} &lt;{i}&gt; &amp; more</li>"#) + "\n"
            })
            .collect();
        assert_eq!(joined, expected);
    }

    #[test]
    fn a_scan_counts_lines_as_ingest_numbers_them() {
        assert_eq!(scan(&[]).lines, 0, "empty file");
        assert_eq!(scan(&[b"a"]).lines, 1, "no trailing newline");
        assert_eq!(scan(&[b"a\n"]).lines, 1);
        assert_eq!(scan(&[b"a\nb"]).lines, 2);
        assert_eq!(scan(&[b"a\n", b"b\n", b""]).lines, 2, "across blocks");
        assert_eq!(scan(&[b"\n"]).lines, 1, "one empty line");
        assert_eq!(scan(&[b"a\r\nb\r\n"]).lines, 2);
    }

    #[test]
    fn a_scan_tells_text_from_binary_and_bad_utf8() {
        let e_acute = "é".as_bytes();
        let ok = scan(&[b"caf", &e_acute[..1], &e_acute[1..], b"\n"]);
        assert!(ok.utf8 && !ok.binary, "a character split across blocks");
        assert!(!scan(&[b"caf", &e_acute[..1]]).utf8, "cut off at the end");
        assert!(!scan(&[b"a\xffb"]).utf8);
        assert!(scan(&[b"a\0b"]).binary);
    }

    #[test]
    fn a_long_file_pages_link_each_other() {
        // 12 lines at 5 a page: pages of lines 1–5, 6–10, 11–12.
        let first = LinePages::new("sources/a b.csv", 1, 3, 12, 5);
        assert_eq!((first.first_line, first.last_line), (1, 5));
        assert_eq!(first.nav.prev, None);
        assert_eq!(first.nav.next.as_deref(), Some("a%20b.csv.page-2.html"));
        let index: Vec<_> = first.index.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(index, ["1–5", "6–10", "11–12"]);
        assert_eq!(first.index[0].href, "a%20b.csv.html");
        let last = LinePages::new("sources/a b.csv", 3, 3, 12, 5);
        assert_eq!((last.first_line, last.last_line), (11, 12));
        assert_eq!(last.nav.prev.as_deref(), Some("a%20b.csv.page-2.html"));
        assert_eq!(last.nav.next, None);
        assert!(last.index.is_empty(), "the index is on the first page only");
        assert!(
            last.nav
                .page_links
                .iter()
                .any(|l| l.current && l.label == "3")
        );
    }
}
