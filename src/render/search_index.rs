//! The register's search index, sharded so a query loads only what it needs (docs/search-index.md).
//! Every file is a script, `search/<stem>.js`, assigning one JSON value to
//! `window.PAGERPROOF_SEARCH["<stem>"]`: `<script>` tags load from file:// where fetch() cannot,
//! and a plain assignment needs no eval, so the CSP's `script-src 'self'` holds.
//!
//! - `index`: the row count, rows per row shard, the first incident number of each row shard
//!   (for number queries) and the stems of the term shards that exist.
//! - `terms-<key>`: term → row ids, for the terms whose shard key is `<key>` (`shard_key`).
//! - `facet-<field>`: the filters' fields (severity, verdicts, postmortem status, class, month):
//!   `[[value, row ids], …]` in value order.
//! - `rows-<k>`: the display records of rows `k * ROWS_PER_SHARD ..`, in register order.
//!
//! Row ids are positions in the register (0-based; the register is in incident-number order).
//! Lists of ids are sorted and delta-encoded: the first id, then each difference from the one
//! before.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::render::views::IncidentRowView;

/// Display records per `rows-<k>` file: small enough that the up to 200 results listed at once
/// cost little to load however far apart they lie.
pub const ROWS_PER_SHARD: usize = 100;

/// Term shards whose two-character key is not plain `[a-z0-9]` share this many hashed files.
const HASH_BUCKETS: u32 = 64;

/// The searchable terms of `text`: maximal runs of letters and digits (Rust's `is_alphanumeric`,
/// which is Unicode Alphabetic or Number, as the page's `[\p{Alphabetic}\p{N}]+`), lowercased.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

/// The shard a term lives in: its first two characters when they are `[a-z0-9]`, so the file
/// names say what they hold, else `x<n>`, the FNV-1a hash of those characters' UTF-8 bytes modulo
/// `HASH_BUCKETS` (other scripts would otherwise make unboundedly many files). `x` plus digits
/// is three characters or more and cannot be an ASCII key.
pub fn shard_key(term: &str) -> String {
    let key: String = term.chars().take(2).collect();
    if key
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        key
    } else {
        format!("x{}", fnv1a(key.as_bytes()) % HASH_BUCKETS)
    }
}

/// 32-bit FNV-1a: tiny, and the page's script computes the same in a few lines.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Sorted ids as the first id and then the differences.
fn deltas(ids: &[u32]) -> Vec<u32> {
    let mut last = 0;
    ids.iter()
        .map(|&id| {
            let d = id - last;
            last = id;
            d
        })
        .collect()
}

/// A list of row ids as it grows in row order, held as the files write it: the first id, then
/// each difference from the one before ([`deltas`]), each in LEB128, so that most take a byte.
/// Held as `u32`s, and copied into their differences to be written, a million-incident
/// register's term and facet lists were about 140 MB, the render's peak.
#[derive(Default)]
struct Ids {
    bytes: Vec<u8>,
    last: u32,
}

impl Ids {
    /// Adds `id`, which is greater than every id before it.
    fn push(&mut self, id: u32) {
        debug_assert!(self.bytes.is_empty() || id > self.last, "ids in row order");
        let mut d = id - self.last;
        self.last = id;
        while d >= 0x80 {
            self.bytes.push((d & 0x7f) as u8 | 0x80);
            d >>= 7;
        }
        self.bytes.push(d as u8);
    }

    /// The differences, as [`deltas`] gives them.
    fn deltas(&self) -> impl Iterator<Item = u32> + '_ {
        let mut bytes = self.bytes.iter();
        std::iter::from_fn(move || {
            let (mut d, mut shift) = (0u32, 0);
            loop {
                let b = *bytes.next()?;
                d |= u32::from(b & 0x7f) << shift;
                if b < 0x80 {
                    return Some(d);
                }
                shift += 7;
            }
        })
    }
}

/// Written as the list of differences.
impl Serialize for Ids {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.deltas())
    }
}

/// The text a row is found by: title, service, severity, responder, Jira keys and postmortem ids.
/// The incident number is not a term; a number query looks it up by `index.first`. Verdicts,
/// postmortem status, class and month are the filters' `facet-*` files, not words.
fn row_terms(r: &IncidentRowView) -> Vec<String> {
    let mut out: Vec<String> = [&r.title, &r.service, &r.severity, &r.responder]
        .into_iter()
        .map(String::as_str)
        .chain(r.jira.iter().map(|l| l.label.as_str()))
        .chain(r.postmortems.iter().map(String::as_str))
        .flat_map(terms)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The filters' fields, by the name the page's script uses for each.
fn facets(r: &IncidentRowView) -> [(&'static str, &str); 6] {
    [
        ("sev", &r.severity),
        ("ack", r.ack.state),
        ("res", r.resolve.state),
        ("pm", r.postmortem_status),
        ("class", r.class),
        ("month", &r.month),
    ]
}

/// One display record: what a result row shows, in this order (the page's script reads them by
/// position): number, title, service, severity, acknowledge verdict, resolve verdict, postmortem
/// status, class, month, created.
#[derive(Serialize)]
struct Record<'a>(
    u64,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

#[derive(Serialize)]
struct Index<'a> {
    rows: usize,
    rows_per_shard: usize,
    /// Delta-encoded first incident number of each `rows-<k>`.
    first: Vec<u32>,
    /// The `<key>` of every `terms-<key>` file, sorted.
    terms: Vec<&'a str>,
}

/// Row shards built at once: enough to keep every thread busy, few enough that their terms,
/// waiting to be merged, stay small.
const SHARDS_AT_ONCE: usize = 64;

/// What one `rows-<k>` shard's rows contribute to the index, in row order.
struct ShardTerms {
    first: u32,
    rows: Vec<RowTerms>,
}

/// A row's sorted, unique terms and its facet values.
type RowTerms = (Vec<String>, [(&'static str, String); 6]);

/// Hands every file of the index to `sink` as (path relative to the site root, bytes), from
/// several threads, as soon as each is made (a 1M register's index is never held whole); returns
/// how many. Each file's bytes depend on the rows only, not on the thread count.
/// `count` rows, row `i` given by `row(i)`: each row is built once, in parallel with the rest of
/// its display shard, which is written then; its terms are merged in row order.
pub fn write(
    count: usize,
    row: impl Fn(usize) -> IncidentRowView + Sync,
    sink: impl Fn(&str, &[u8]) -> Result<()> + Sync,
) -> Result<usize> {
    let put = |stem: &str, bytes: Vec<u8>| sink(&format!("search/{stem}.js"), &bytes);
    // term → ids; rows are merged in order, so every list comes out sorted.
    let mut postings: HashMap<String, Ids> = HashMap::new();
    let mut facet_ids: BTreeMap<&str, BTreeMap<String, Ids>> = BTreeMap::new();
    let mut firsts: Vec<u32> = Vec::new();
    let row_shards = count.div_ceil(ROWS_PER_SHARD);
    for batch in (0..row_shards).step_by(SHARDS_AT_ONCE) {
        let built: Vec<ShardTerms> = (batch..(batch + SHARDS_AT_ONCE).min(row_shards))
            .into_par_iter()
            .map(|k| row_shard(k, count, &row, &put))
            .collect::<Result<_>>()?;
        for (k, shard) in (batch..).zip(built) {
            firsts.push(shard.first);
            for (j, (terms, facets)) in shard.rows.into_iter().enumerate() {
                let id = u32::try_from(k * ROWS_PER_SHARD + j)?;
                for t in terms {
                    postings.entry(t).or_default().push(id);
                }
                for (field, value) in facets {
                    facet_ids
                        .entry(field)
                        .or_default()
                        .entry(value)
                        .or_default()
                        .push(id);
                }
            }
        }
    }
    let mut shards: BTreeMap<String, BTreeMap<String, Ids>> = BTreeMap::new();
    for (term, ids) in postings {
        shards
            .entry(shard_key(&term))
            .or_default()
            .insert(term, ids);
    }

    let index = Index {
        rows: count,
        rows_per_shard: ROWS_PER_SHARD,
        first: deltas(&firsts),
        terms: shards.keys().map(String::as_str).collect(),
    };
    put("index", script("index", &index)?)?;
    for field in ["sev", "ack", "res", "pm", "class", "month"] {
        let values: Vec<(&str, &Ids)> = facet_ids
            .get(field)
            .into_iter()
            .flatten()
            .map(|(v, ids)| (v.as_str(), ids))
            .collect();
        let stem = format!("facet-{field}");
        put(&stem, script(&stem, &values)?)?;
    }
    shards.par_iter().try_for_each(|(key, map)| {
        let stem = format!("terms-{key}");
        put(&stem, script(&stem, map)?)
    })?;
    Ok(1 + 6 + shards.len() + row_shards)
}

/// Builds the rows of `rows-<k>`, writes that file and returns what the rows add to the index.
fn row_shard(
    k: usize,
    count: usize,
    row: &(impl Fn(usize) -> IncidentRowView + Sync),
    put: &(impl Fn(&str, Vec<u8>) -> Result<()> + Sync),
) -> Result<ShardTerms> {
    let chunk: Vec<IncidentRowView> = (k * ROWS_PER_SHARD..((k + 1) * ROWS_PER_SHARD).min(count))
        .map(row)
        .collect();
    let records: Vec<Record> = chunk
        .iter()
        .map(|r| {
            Record(
                r.number,
                &r.title,
                &r.service,
                &r.severity,
                r.ack.state,
                r.resolve.state,
                r.postmortem_status,
                r.class,
                &r.month,
                &r.created,
            )
        })
        .collect();
    let stem = format!("rows-{k}");
    put(&stem, script(&stem, &records)?)?;
    Ok(ShardTerms {
        first: u32::try_from(chunk[0].number)?,
        rows: chunk
            .iter()
            .map(|r| (row_terms(r), facets(r).map(|(f, v)| (f, v.to_string()))))
            .collect(),
    })
}

/// `stem`'s file: one assignment of `value` as JSON. JSON is a JavaScript expression once U+2028
/// and U+2029 are escaped, and serde_json escapes every quote and control character, so no
/// title can end the statement.
fn script<T: Serialize + ?Sized>(stem: &str, value: &T) -> Result<Vec<u8>> {
    let json = serde_json::to_string(value)?
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    Ok(format!(
        "(window.PAGERPROOF_SEARCH = window.PAGERPROOF_SEARCH || {{}})[\"{stem}\"] = {json};\n"
    )
    .into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lowercased_runs_of_letters_and_digits() {
        let t: Vec<String> = terms("Checkout API-errors: OPS-1234, café ÉTÉ_x  #42").collect();
        assert_eq!(
            t,
            [
                "checkout", "api", "errors", "ops", "1234", "café", "été", "x", "42"
            ]
        );
        assert_eq!(terms(" — ,. ").count(), 0);
        // Digits of other scripts are Numbers, as `\p{N}` on the page.
        assert_eq!(terms("٣٤ Ⅻ").collect::<Vec<_>>(), ["٣٤", "ⅻ"]);
    }

    #[test]
    fn shard_keys_are_two_ascii_characters_or_a_bounded_hash() {
        assert_eq!(shard_key("checkout"), "ch");
        assert_eq!(shard_key("1234"), "12");
        assert_eq!(shard_key("a"), "a");
        // The key counts characters, not bytes, and hashes anything beyond [a-z0-9].
        assert_eq!(
            shard_key("été"),
            format!("x{}", fnv1a("ét".as_bytes()) % 64)
        );
        assert_eq!(shard_key("été"), shard_key("étage"));
        assert_eq!(shard_key("eé"), format!("x{}", fnv1a("eé".as_bytes()) % 64));
        for t in ["日本語", "été", "ßa", "٣٤"] {
            let k = shard_key(t);
            let n: u32 = k.strip_prefix('x').unwrap().parse().unwrap();
            assert!(n < HASH_BUCKETS, "{t}: {k}");
        }
        // The FNV-1a reference values the page's script must reproduce.
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn id_lists_are_delta_encoded() {
        assert_eq!(deltas(&[3, 4, 10, 11]), [3, 1, 6, 1]);
        assert_eq!(deltas(&[0]), [0]);
        assert!(deltas(&[]).is_empty());
    }

    /// Ids pushed one by one read back as [`deltas`] of the same ids, and are written as that
    /// list, whatever the size of the differences (one byte, several, the largest).
    #[test]
    fn ids_held_as_bytes_are_written_as_their_deltas() {
        for ids in [
            vec![],
            vec![0],
            vec![0, 1, 2, 127, 128, 300, 16_383, 16_384, 2_000_000],
            vec![5, u32::MAX],
            vec![u32::MAX],
        ] {
            let mut held = Ids::default();
            for &id in &ids {
                held.push(id);
            }
            assert_eq!(held.deltas().collect::<Vec<_>>(), deltas(&ids), "{ids:?}");
            assert_eq!(
                serde_json::to_string(&held).unwrap(),
                serde_json::to_string(&deltas(&ids)).unwrap()
            );
        }
        let mut one_byte = Ids::default();
        (0..1000).for_each(|id| one_byte.push(id));
        assert_eq!(
            one_byte.bytes.len(),
            1000,
            "a difference under 128 takes a byte"
        );
    }
}
