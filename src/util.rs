//! Small formatting helpers shared by the stages: slugs, durations, times, hashes.

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
    tz.from_utc_datetime(&at.naive_utc())
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

/// `2026-03-06 18:00:05 -06:00`, with seconds, for facts tables and the register.
pub fn local_time_secs(at: DateTime<Utc>, tz: Tz) -> String {
    tz.from_utc_datetime(&at.naive_utc())
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// RFC 3339 in UTC with a `Z`, second precision.
pub fn utc_rfc3339(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
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
    fn slugs() {
        assert_eq!(slug("Acme Corp"), "acme-corp");
        assert_eq!(slug("FY2026"), "fy2026");
        assert_eq!(
            slug("  Incident Response -- Policy! "),
            "incident-response-policy"
        );
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
}
