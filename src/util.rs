//! Small formatting helpers shared by the stages: slugs, durations, times, hashes.

pub mod blocks;
pub mod file_list;
pub mod sink;

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

/// Lower-case; runs of anything but ASCII letters and digits → `-` (`Acme Corp` → `acme-corp`).
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// SHA-256 of a file read in 1 MiB blocks, never whole (built files reach tens of MB).
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut blocks = BlockReader::new(std::fs::File::open(path)?, u64::MAX);
    let mut hasher = Sha256::new();
    while let Some(block) = blocks.next_block()? {
        hasher.update(block);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A reader read a block at a time into one buffer, interrupted reads retried: the loop every
/// streaming hash, copy and pack of a file runs.
pub struct BlockReader<R> {
    reader: R,
    block: Vec<u8>,
}

impl<R: std::io::Read> BlockReader<R> {
    /// Blocks of up to 1 MiB, but no larger than `size` (what the reader is expected to hold)
    /// and no smaller than 8 KiB: most inputs are a few KB, and zeroing 1 MiB for each of
    /// 2,730 inputs was 2.7 GB of memset at 100k incidents.
    pub fn new(reader: R, size: u64) -> Self {
        let len = size.clamp(8 << 10, 1 << 20) as usize;
        BlockReader::with_block(reader, len)
    }

    /// Blocks of exactly up to `len` bytes.
    pub fn with_block(reader: R, len: usize) -> Self {
        BlockReader {
            reader,
            block: vec![0; len],
        }
    }

    /// The next block; `None` at the end.
    pub fn next_block(&mut self) -> std::io::Result<Option<&[u8]>> {
        loop {
            match self.reader.read(&mut self.block) {
                Ok(0) => return Ok(None),
                Ok(n) => return Ok(Some(&self.block[..n])),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// A duration as people read it: `42s`, `4m 51s`, `2h 03m`, `3d 04h`.
pub fn human_duration(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    let body = if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}d {:02}h", s / 86_400, (s % 86_400) / 3600)
    };
    format!("{sign}{body}")
}

/// A policy target as written in policies: `5m`, `4h`, `7d`, `90s`.
pub fn human_target(secs: i64) -> String {
    // Policies write one and two days as `24h` and `48h` far more often than `1d`/`2d`.
    if secs % 86_400 == 0 && secs >= 3 * 86_400 {
        format!("{}d", secs / 86_400)
    } else if secs % 3600 == 0 && secs > 0 {
        format!("{}h", secs / 3600)
    } else if secs % 60 == 0 && secs > 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// `2026-03-06 18:00 -06:00` in the given zone (the site's way of showing an instant).
pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    local(at, tz, false)
}

/// `2026-03-06 18:00:05 -06:00`, with seconds, for facts tables and the register.
pub fn local_time_secs(at: DateTime<Utc>, tz: Tz) -> String {
    local(at, tz, true)
}

/// RFC 3339 in UTC with a `Z`, second precision.
pub fn utc_rfc3339(at: DateTime<Utc>) -> String {
    let n = at.naive_utc();
    let Some(mut out) = date_time(&n, true, 21) else {
        return at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    };
    // `date_time` writes ASCII only: byte 10 is the space between date and time.
    out.replace_range(10..11, "T");
    out.push('Z');
    out
}

/// [`local_time`] / [`local_time_secs`], written by hand: a page shows several instants and a
/// 100k register formats millions, where chrono's `format` (parsing the pattern every time)
/// was a tenth of the render. The text is exactly chrono's `%Y-%m-%d %H:%M[:%S] %:z`.
fn local(at: DateTime<Utc>, tz: Tz, secs: bool) -> String {
    use chrono::Offset as _;
    let local = tz.from_utc_datetime(&at.naive_utc());
    let Some(mut out) = date_time(&local.naive_local(), secs, 26) else {
        let pattern = if secs {
            "%Y-%m-%d %H:%M:%S %:z"
        } else {
            "%Y-%m-%d %H:%M %:z"
        };
        return local.format(pattern).to_string();
    };
    // `%:z`: sign, hours and minutes, the seconds of a historical offset rounded to a minute.
    let off = local.offset().fix().local_minus_utc();
    let (sign, off) = if off < 0 { ('-', -off) } else { ('+', off) };
    let minutes = (off + 30) / 60;
    out.push(' ');
    out.push(sign);
    push_two(&mut out, (minutes / 60) as u32);
    out.push(':');
    push_two(&mut out, (minutes % 60) as u32);
    out
}

/// `YYYY-MM-DD HH:MM[:SS]` of a naive date-time, with room for `extra` more bytes; `None` for
/// a year chrono would not write as four plain digits.
fn date_time(n: &chrono::NaiveDateTime, secs: bool, extra: usize) -> Option<String> {
    use chrono::{Datelike as _, Timelike as _};
    let year = u32::try_from(n.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = String::with_capacity(extra);
    push_two(&mut out, year / 100);
    push_two(&mut out, year % 100);
    out.push('-');
    push_two(&mut out, n.month());
    out.push('-');
    push_two(&mut out, n.day());
    out.push(' ');
    push_two(&mut out, n.hour());
    out.push(':');
    push_two(&mut out, n.minute());
    if secs {
        out.push(':');
        // As chrono's `%S`: a leap second (nanoseconds past 10^9) shows as 60.
        push_two(&mut out, n.second() + n.nanosecond() / 1_000_000_000);
    }
    Some(out)
}

/// `v` (< 100) as two digits.
fn push_two(out: &mut String, v: u32) {
    out.push(char::from(b'0' + (v / 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

/// Jira issue keys in free text (`[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]*`), first occurrence order, unique.
pub fn jira_keys(text: &str) -> Vec<String> {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"\b[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]*\b").unwrap());
    let mut keys: Vec<String> = Vec::new();
    for m in re.find_iter(text) {
        let k = m.as_str().to_string();
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys
}

/// The key in a `/browse/KEY-123` URL.
pub fn jira_key_from_url(url: &str) -> Option<String> {
    let rest = url.split("/browse/").nth(1)?;
    let key: String = rest
        .chars()
        .take_while(|c| *c != '/' && *c != '?' && *c != '#')
        .collect();
    jira_keys(&key).into_iter().next().filter(|k| *k == key)
}

/// A GitHub issue reference as `owner/repo#123`, from that form or an issue URL
/// (`https://github.com/owner/repo/issues/123`, any host, so GitHub Enterprise URLs work too).
pub fn github_issue_ref(text: &str) -> Option<String> {
    use std::sync::OnceLock;
    static SHORT: OnceLock<regex::Regex> = OnceLock::new();
    static URL: OnceLock<regex::Regex> = OnceLock::new();
    let name = r"[A-Za-z0-9][A-Za-z0-9_.-]*";
    let short = SHORT.get_or_init(|| {
        regex::Regex::new(&format!(r"^({name})/({name})#([1-9][0-9]{{0,9}})$")).unwrap()
    });
    let url = URL.get_or_init(|| {
        regex::Regex::new(&format!(
            r"^https?://[^/\s]+/({name})/({name})/issues/([1-9][0-9]{{0,9}})/?(?:[?#].*)?$"
        ))
        .unwrap()
    });
    let t = text.trim();
    let c = short.captures(t).or_else(|| url.captures(t))?;
    Some(format!("{}/{}#{}", &c[1], &c[2], &c[3]))
}

/// A link target the site may use for a URL from an input: http(s) only (`javascript:`,
/// `data:` and the like stay text).
pub fn is_web_url(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    (u.starts_with("https://") || u.starts_with("http://")) && !url.contains(char::is_control)
}

/// A relative path as an href: the characters a URL gives a meaning (`#`, `?`, `%`, `\\`, space,
/// quotes, controls) percent-encoded, so a file named `a#b.csv` is linked, not a fragment.
pub fn encode_href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_control() || " \"#%<>?\\^`{|}'[]".contains(c) {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Bytes that look like UTF-16 text: a UTF-16 byte-order mark, or NULs in every other byte of
/// the first characters (what a spreadsheet's "Unicode text" export writes).
pub fn looks_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(64) & !1];
    head.len() >= 4
        && (head.iter().skip(1).step_by(2).all(|b| *b == 0)
            || head.iter().step_by(2).all(|b| *b == 0))
}

/// The deepest markdown container nesting rendered: deeper `>` or list-marker prefixes are
/// flattened to it (pulldown-cmark takes quadratic time on 100,000 nested `>`).
pub const MAX_MARKDOWN_NESTING: usize = 32;

/// The container markers (`>`, `-`, `*`, `+` followed by a space) opening one line.
fn nesting_prefix(line: &str) -> (usize, usize) {
    let bytes = line.as_bytes();
    let (mut i, mut depth, mut cut) = (0, 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' => i += 1,
            b'>' => {
                depth += 1;
                i += 1;
            }
            b'-' | b'*' | b'+' if bytes.get(i + 1) == Some(&b' ') => {
                depth += 1;
                i += 2;
            }
            b'0'..=b'9' if ordered_marker(&bytes[i..]) > 0 => {
                depth += 1;
                i += ordered_marker(&bytes[i..]);
            }
            _ => break,
        }
        if depth == MAX_MARKDOWN_NESTING {
            cut = i;
        }
    }
    (depth, cut)
}

/// Length of an ordered-list marker (`1. `, `12) `) at the start of `bytes`, or 0.
fn ordered_marker(bytes: &[u8]) -> usize {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let closed = (1..=9).contains(&digits)
        && matches!(bytes.get(digits), Some(b'.' | b')'))
        && bytes.get(digits + 1) == Some(&b' ');
    if closed { digits + 2 } else { 0 }
}

/// The deepest container nesting of any line of `markdown`.
pub fn markdown_nesting(markdown: &str) -> usize {
    markdown
        .lines()
        .map(|l| nesting_prefix(l).0)
        .max()
        .unwrap_or(0)
}

/// `markdown` with every line's container markers beyond `MAX_MARKDOWN_NESTING` removed
/// (`check` warns about such input).
pub fn cap_markdown_nesting(markdown: &str) -> std::borrow::Cow<'_, str> {
    if markdown_nesting(markdown) <= MAX_MARKDOWN_NESTING {
        return markdown.into();
    }
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.split_inclusive('\n') {
        let (depth, cut) = nesting_prefix(line);
        if depth > MAX_MARKDOWN_NESTING {
            out.push_str(&line[..cut]);
            let rest = &line[cut..];
            let rest_cut = skip_markers(rest);
            out.push(' ');
            out.push_str(&rest[rest_cut..]);
        } else {
            out.push_str(line);
        }
    }
    out.into()
}

/// Byte length of the leading run of container markers and blanks.
fn skip_markers(line: &str) -> usize {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'>' => i += 1,
            b'-' | b'*' | b'+' if bytes.get(i + 1) == Some(&b' ') => i += 2,
            b'0'..=b'9' if ordered_marker(&bytes[i..]) > 0 => i += ordered_marker(&bytes[i..]),
            _ => break,
        }
    }
    i
}

/// Exclusive advisory lock on the directory `dir` itself (no lock file is left anywhere), held
/// until the returned handle is dropped. Waits for a running holder, saying so.
///
/// `build` and `package` lock the directory that holds their output, `fetch` the site directory
/// (the snapshot directories it replaces may not exist yet): both stay in place while what they
/// guard is renamed and replaced beneath them.
pub fn lock_dir(dir: &Path) -> anyhow::Result<std::fs::File> {
    use anyhow::Context;
    let file = std::fs::File::open(dir)
        .with_context(|| format!("{}: cannot open to lock", dir.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!(
                "waiting for another pagerproof run in {} to finish",
                dir.display()
            );
            file.lock()
                .with_context(|| format!("{}: cannot lock", dir.display()))?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("{}: cannot lock", dir.display()));
        }
    }
    Ok(file)
}

/// `lock_dir` on the directory holding `out` (created if missing): every run that replaces
/// `out` takes it first.
pub fn lock_beside(out: &Path) -> anyhow::Result<std::fs::File> {
    use anyhow::Context;
    let (parent, _) = beside(out);
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("{}: cannot create", parent.display()))?;
    lock_dir(&parent)
}

/// This process's peak resident memory so far in MiB (Linux's VmHWM), for phase logs; 0 where
/// the system does not say.
pub fn peak_rss_mib() -> u64 {
    status_mib("VmHWM:")
}

/// Gives the memory a phase freed back to the system before the next phase starts. mimalloc
/// (the binary's allocator, main.rs) keeps freed pages for the thread that freed them, and the
/// next phase allocates on other (rayon) threads, so without this the peak is about the sum of
/// both phases: at 100k incidents the load's buffers stayed resident through evaluation.
pub fn release_freed_memory() {
    // SAFETY: mi_collect only walks mimalloc's own heaps; it is safe to call at any time, and
    // a no-op when nothing was allocated through mimalloc (the library's tests).
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// This process's resident memory now in MiB (Linux's VmRSS): with the peak, it tells what a
/// phase keeps from what it only needed while it ran.
pub fn rss_mib() -> u64 {
    status_mib("VmRSS:")
}

fn status_mib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

/// The directory holding `dir` and `dir`'s own name, for siblings (lock, staging) beside it.
pub fn beside(dir: &Path) -> (PathBuf, String) {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    (parent, name)
}

/// `a/b/../c` as `a/c` and `a/./b` as `a/b`, lexically: the path need not exist.
pub fn lexically_clean(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            c => clean.push(c),
        }
    }
    clean
}

/// A sibling name of `dir` no other run or earlier step of this run uses:
/// `.<name>.pagerproof-<what>-<pid>-<counter>`.
pub fn unique_sibling(dir: &Path, what: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let (parent, name) = beside(dir);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent.join(format!(
        ".{name}.pagerproof-{what}-{}-{n}",
        std::process::id()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_only() {
        assert!(is_web_url("https://acme.atlassian.net/browse/OPS-1"));
        assert!(is_web_url("HTTP://x"));
        for bad in [
            "javascript:alert(1)",
            " JavaScript:x",
            "data:text/html,x",
            "java\tscript:x",
            "/browse/x",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn utf16_is_recognised() {
        assert!(looks_utf16(b"\xFF\xFEi\0d\0"));
        assert!(looks_utf16(b"i\0d\0,\0n\0"));
        assert!(!looks_utf16(b"id,number\n"));
        assert!(!looks_utf16(b""));
    }

    #[test]
    fn deep_markdown_nesting_is_capped() {
        let deep = format!("{}quote\nnext\n", "> ".repeat(100));
        assert_eq!(markdown_nesting(&deep), 100);
        let capped = cap_markdown_nesting(&deep);
        assert_eq!(markdown_nesting(&capped), MAX_MARKDOWN_NESTING);
        assert!(capped.ends_with(" quote\nnext\n"), "{capped}");
        assert_eq!(cap_markdown_nesting("> a\n- b\n"), "> a\n- b\n");
        let lists = "- ".repeat(50) + "x";
        assert_eq!(
            markdown_nesting(&cap_markdown_nesting(&lists)),
            MAX_MARKDOWN_NESTING
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Acme Corp"), "acme-corp");
        assert_eq!(slug("FY2026"), "fy2026");
        assert_eq!(
            slug("  Incident Response -- Policy! "),
            "incident-response-policy"
        );
    }

    #[test]
    fn github_issue_refs_take_the_short_form_or_an_issue_url() {
        assert_eq!(
            github_issue_ref("acme/api#12").as_deref(),
            Some("acme/api#12")
        );
        assert_eq!(
            github_issue_ref("https://github.com/acme/web.app/issues/7#issuecomment-1").as_deref(),
            Some("acme/web.app#7")
        );
        for no in [
            "acme#12",
            "acme/api#0",
            "https://github.com/acme/api/pull/7",
            "OPS-12",
            "acme/api#12 extra",
        ] {
            assert_eq!(github_issue_ref(no), None, "{no}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(42), "42s");
        assert_eq!(human_duration(291), "4m 51s");
        assert_eq!(human_duration(7380), "2h 03m");
        assert_eq!(human_duration(3 * 86_400 + 4 * 3600), "3d 04h");
        assert_eq!(human_target(300), "5m");
        assert_eq!(human_target(604_800), "7d");
        assert_eq!(human_target(86_400), "24h");
        assert_eq!(human_target(172_800), "48h");
    }

    #[test]
    fn jira() {
        assert_eq!(
            jira_keys("Fix OPS-12 and OPS-12, see SEC-7; not ops-1 or A-1"),
            vec!["OPS-12", "SEC-7"]
        );
        assert_eq!(
            jira_key_from_url("https://x.atlassian.net/browse/OPS-1234?focus=1").as_deref(),
            Some("OPS-1234")
        );
        assert_eq!(jira_key_from_url("https://x.atlassian.net/issues"), None);
    }

    #[test]
    fn local_times_carry_offset() {
        let at = DateTime::parse_from_rfc3339("2026-03-07T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            local_time(at, chrono_tz::America::Chicago),
            "2026-03-06 18:00 -06:00"
        );
    }

    /// The hand-written formats are chrono's, across DST changes, half-hour and historical
    /// (seconds) offsets, leap seconds and years chrono writes with a sign.
    #[test]
    fn hand_formatted_times_are_chronos() {
        use chrono::{Datelike as _, NaiveDate};
        let zones = [
            chrono_tz::UTC,
            chrono_tz::America::Chicago,
            chrono_tz::America::St_Johns,
            chrono_tz::Asia::Kolkata,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Europe::Amsterdam,
            chrono_tz::Africa::Monrovia,
            chrono_tz::Pacific::Kiritimati,
        ];
        let mut instants: Vec<DateTime<Utc>> = Vec::new();
        // Every 37 minutes and 13 seconds through 2026 (both DST changes everywhere) ...
        let mut t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        while t.year() == 2026 {
            instants.push(t);
            t += chrono::Duration::seconds(37 * 60 + 13);
        }
        // ... the 1900s (Amsterdam's +00:19:32, Monrovia's -00:44:30), far years and a leap second.
        for y in [1, 999, 1000, 1908, 1925, 1970, 9999] {
            instants.push(Utc.with_ymd_and_hms(y, 6, 30, 12, 34, 56).unwrap());
        }
        instants.push(Utc.with_ymd_and_hms(-5, 1, 1, 0, 0, 0).unwrap());
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1500)
            .unwrap();
        instants.push(Utc.from_utc_datetime(&leap));
        for tz in zones {
            for &at in &instants {
                let l = tz.from_utc_datetime(&at.naive_utc());
                assert_eq!(
                    local_time(at, tz),
                    l.format("%Y-%m-%d %H:%M %:z").to_string()
                );
                assert_eq!(
                    local_time_secs(at, tz),
                    l.format("%Y-%m-%d %H:%M:%S %:z").to_string()
                );
            }
        }
        for &at in &instants {
            assert_eq!(utc_rfc3339(at), at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }
}
