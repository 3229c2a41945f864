//! A strict reader of zip structure for `verify`: the central directory as written, not as a
//! zip library would tidy it up.
//!
//! General-purpose readers index entries by name, so a zip holding two entries of one name
//! (a tampered copy first, the genuine one second) looks like one clean file to them while
//! `unzip` extracts the other. Here every central-directory record is returned as found, each
//! entry's local header must carry the same name, and entry data is streamed, never buffered.

use std::io::{self, Read, Seek, SeekFrom};

use flate2::read::DeflateDecoder;

// The records' signatures, which `super::archive` writes.
pub(super) const EOCD: u32 = 0x0605_4b50;
pub(super) const EOCD64_LOCATOR: u32 = 0x0706_4b50;
pub(super) const EOCD64: u32 = 0x0606_4b50;
pub(super) const CENTRAL: u32 = 0x0201_4b50;
pub(super) const LOCAL: u32 = 0x0403_4b50;
/// End-of-central-directory record without its comment.
const EOCD_LEN: usize = 22;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;

/// One central-directory record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralEntry {
    /// The name's raw bytes (UTF-8 is the caller's concern).
    pub name: Vec<u8>,
    pub flags: u16,
    pub method: u16,
    pub compressed_size: u64,
    pub size: u64,
    pub local_offset: u64,
    /// `st_mode` when the entry was made on Unix (symbolic links are `0o120000`).
    pub unix_mode: Option<u32>,
}

impl CentralEntry {
    pub fn is_symlink(&self) -> bool {
        self.unix_mode.is_some_and(|m| m & 0o170_000 == 0o120_000)
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, len: usize) -> io::Result<Vec<u8>> {
    r.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0; len];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

/// Every central-directory record, in order. `Err` says why the zip's structure is unusable.
pub fn central_directory<R: Read + Seek>(r: &mut R) -> Result<Vec<CentralEntry>, String> {
    let io = |e: io::Error| format!("cannot read: {e}");
    let len = r.seek(SeekFrom::End(0)).map_err(io)?;
    let tail_len = len.min((EOCD_LEN + usize::from(u16::MAX)) as u64);
    let tail_start = len - tail_len;
    let tail = read_at(r, tail_start, tail_len as usize).map_err(io)?;
    // The last record signature whose comment length reaches exactly the end of the file.
    let pos = (0..=tail.len().saturating_sub(EOCD_LEN))
        .rev()
        .filter(|&i| tail.len() >= i + EOCD_LEN)
        .find(|&i| {
            u32_at(&tail, i) == EOCD
                && i + EOCD_LEN + usize::from(u16_at(&tail, i + 20)) == tail.len()
        })
        .ok_or("no end-of-central-directory record (not a zip, or truncated)")?;
    let eocd = &tail[pos..];
    let eocd_at = tail_start + pos as u64;
    if u16_at(eocd, 4) != 0 || u16_at(eocd, 6) != 0 {
        return Err("a multi-disk zip".into());
    }
    let mut count = u64::from(u16_at(eocd, 10));
    let mut cd_size = u64::from(u32_at(eocd, 12));
    let mut cd_offset = u64::from(u32_at(eocd, 16));
    let mut cd_end_limit = eocd_at;
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        let locator_at = eocd_at
            .checked_sub(20)
            .ok_or("zip64 end record expected but the file is too short")?;
        let locator = read_at(r, locator_at, 20).map_err(io)?;
        if u32_at(&locator, 0) != EOCD64_LOCATOR {
            return Err("zip64 end-record locator missing".into());
        }
        let at = u64_at(&locator, 8);
        if at.checked_add(56).is_none_or(|end| end > locator_at) {
            return Err("zip64 end record lies outside the file".into());
        }
        let record = read_at(r, at, 56).map_err(io)?;
        if u32_at(&record, 0) != EOCD64 {
            return Err("zip64 end record missing".into());
        }
        count = u64_at(&record, 32);
        cd_size = u64_at(&record, 40);
        cd_offset = u64_at(&record, 48);
        cd_end_limit = at;
    }
    if cd_offset
        .checked_add(cd_size)
        .is_none_or(|end| end > cd_end_limit)
    {
        return Err("the central directory lies outside the file (truncated?)".into());
    }
    let cd = read_at(r, cd_offset, cd_size as usize).map_err(io)?;
    let mut entries = Vec::new();
    let mut at = 0usize;
    for i in 0..count {
        let entry = parse_central(&cd, &mut at).map_err(|e| format!("entry #{i}: {e}"))?;
        entries.push(entry);
    }
    if at != cd.len() {
        return Err(format!(
            "the central directory holds {} bytes after its {count} entries",
            cd.len() - at
        ));
    }
    Ok(entries)
}

fn parse_central(cd: &[u8], at: &mut usize) -> Result<CentralEntry, String> {
    let short = || "central directory record truncated".to_string();
    let head = cd.get(*at..*at + CENTRAL_LEN).ok_or_else(short)?;
    if u32_at(head, 0) != CENTRAL {
        return Err("bad central directory record signature".into());
    }
    let made_by = u16_at(head, 4);
    let name_len = usize::from(u16_at(head, 28));
    let extra_len = usize::from(u16_at(head, 30));
    let comment_len = usize::from(u16_at(head, 32));
    let body = *at + CENTRAL_LEN;
    let end = body + name_len + extra_len + comment_len;
    let record = cd.get(body..end).ok_or_else(short)?;
    let name = record[..name_len].to_vec();
    let extra = &record[name_len..name_len + extra_len];
    let mut size = u64::from(u32_at(head, 24));
    let mut compressed_size = u64::from(u32_at(head, 20));
    let mut local_offset = u64::from(u32_at(head, 42));
    zip64_sizes(extra, &mut size, &mut compressed_size, &mut local_offset)?;
    *at = end;
    Ok(CentralEntry {
        name,
        flags: u16_at(head, 8),
        method: u16_at(head, 10),
        compressed_size,
        size,
        local_offset,
        unix_mode: (made_by >> 8 == 3).then(|| u32_at(head, 38) >> 16),
    })
}

/// Fields saturated at `0xFFFFFFFF` take their values from the zip64 extra field, in order.
fn zip64_sizes(
    extra: &[u8],
    size: &mut u64,
    compressed: &mut u64,
    offset: &mut u64,
) -> Result<(), String> {
    let mut rest = extra;
    while rest.len() >= 4 {
        let (id, len) = (u16_at(rest, 0), usize::from(u16_at(rest, 2)));
        let data = rest.get(4..4 + len).ok_or("extra field truncated")?;
        if id == 0x0001 {
            let mut values = data.chunks_exact(8).map(|c| u64_at(c, 0));
            for field in [size, compressed, offset] {
                if *field == 0xFFFF_FFFF {
                    *field = values.next().ok_or("zip64 extra field too short")?;
                }
            }
            return Ok(());
        }
        rest = &rest[4 + len..];
    }
    Ok(())
}

/// A reader of one entry's uncompressed bytes, after checking its local header against the
/// central directory's record.
pub fn open_entry<'a, R: Read + Seek>(
    r: &'a mut R,
    entry: &CentralEntry,
) -> Result<Box<dyn Read + 'a>, String> {
    seek_to_data(r, entry)?;
    decoder(r.take(entry.compressed_size), entry.method)
}

/// A reader of the uncompressed bytes of an entry stored by `method`, whose stored bytes `raw`
/// reads.
pub fn decoder<'a>(raw: impl Read + 'a, method: u16) -> Result<Box<dyn Read + 'a>, String> {
    match method {
        0 => Ok(Box::new(raw)),
        8 => Ok(Box::new(DeflateDecoder::new(raw))),
        m => Err(format!("unsupported compression method {m}")),
    }
}

/// Checks an entry's local header against the central directory's record and leaves `r` at the
/// entry's stored bytes.
pub fn seek_to_data<R: Read + Seek>(r: &mut R, entry: &CentralEntry) -> Result<(), String> {
    let io = |e: io::Error| format!("cannot read the local header: {e}");
    let head = read_at(r, entry.local_offset, LOCAL_LEN).map_err(io)?;
    if u32_at(&head, 0) != LOCAL {
        return Err("no local header where the central directory points".into());
    }
    let name_len = usize::from(u16_at(&head, 26));
    let extra_len = i64::from(u16_at(&head, 28));
    let mut name = vec![0; name_len];
    r.read_exact(&mut name).map_err(io)?;
    if name != entry.name {
        return Err(format!(
            "the local header names it `{}`: an extractor would write that name",
            String::from_utf8_lossy(&name)
        ));
    }
    if u16_at(&head, 6) & 1 != 0 || entry.flags & 1 != 0 {
        return Err("encrypted entry".into());
    }
    if u16_at(&head, 8) != entry.method {
        return Err(
            "the local header's compression method differs from the central directory's".into(),
        );
    }
    r.seek(SeekFrom::Current(extra_len)).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])], large_file: bool) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::DEFAULT.large_file(large_file);
        for (name, data) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn read_all(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut r = Cursor::new(bytes);
        let entries = central_directory(&mut r).unwrap();
        entries
            .iter()
            .map(|e| {
                let mut data = Vec::new();
                open_entry(&mut r, e)
                    .unwrap()
                    .read_to_end(&mut data)
                    .unwrap();
                assert_eq!(data.len() as u64, e.size);
                (String::from_utf8(e.name.clone()).unwrap(), data)
            })
            .collect()
    }

    #[test]
    fn reads_plain_and_zip64_entries_as_written() {
        let entries: &[(&str, &[u8])] = &[("a/b.txt", b"hello"), ("a/c.bin", &[0u8; 5000])];
        for large in [false, true] {
            let got = read_all(&zip_of(entries, large));
            assert_eq!(got.len(), 2, "large_file {large}");
            for ((name, data), (want_name, want)) in got.iter().zip(entries) {
                assert_eq!((name.as_str(), data.as_slice()), (*want_name, *want));
            }
        }
    }

    #[test]
    fn structure_problems_are_errors_not_panics() {
        let good = zip_of(&[("x", b"data")], false);
        for cut in 0..good.len() {
            let _ = central_directory(&mut Cursor::new(&good[..cut]));
        }
        assert!(central_directory(&mut Cursor::new(b"not a zip")).is_err());
        let mut bad_offset = good.clone();
        let n = bad_offset.len();
        bad_offset[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(central_directory(&mut Cursor::new(&bad_offset)).is_err());
    }
}
