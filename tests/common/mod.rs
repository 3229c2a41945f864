//! Helpers shared by the integration tests: copy a fixture site, run the binary, read the output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a fixture site into a fresh temp dir (tests never write into the repository).
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn pagerproof() -> Command {
    let mut cmd = Command::cargo_bin("pagerproof").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// Builds `site` into `site/public` with `size` rows a page (the hidden override of the
/// register's, the severity pages' and the exceptions' page size) and returns the output.
pub fn build_with_page_size(site: &Path, size: usize) -> PathBuf {
    pagerproof()
        .env("PAGERPROOF_REGISTER_PAGE_SIZE", size.to_string())
        .args(["build", "--quiet", "--site"])
        .arg(site)
        .assert()
        .success();
    site.join("public")
}

/// Builds `site` into `site/public` and returns the output directory.
pub fn build(site: &Path) -> PathBuf {
    pagerproof()
        .args(["build", "--quiet", "--site"])
        .arg(site)
        .assert()
        .success();
    site.join("public")
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

/// Every `href` and `src` attribute value in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    re.captures_iter(html)
        .map(|c| c[1].replace("&amp;", "&"))
        .collect()
}

/// Checks that every relative link of every page resolves to a file of the site, and that no page
/// loads anything from the network. Returns the problems found.
pub fn link_problems(site: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let load_re = regex::Regex::new(
        r#"<(?:script|img|link|iframe|source|video|audio)\b[^>]*(?:src|href)="(https?:)?//"#,
    )
    .unwrap();
    for rel in files(site).into_iter().filter(|f| f.ends_with(".html")) {
        let path = site.join(&rel);
        let html = read(&path);
        if !html.contains(r#"<meta http-equiv="Content-Security-Policy""#) {
            problems.push(format!("{rel}: no Content-Security-Policy meta tag"));
        }
        if load_re.is_match(&html) {
            problems.push(format!("{rel}: loads something from the network"));
        }
        for link in links(&html) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            if link.starts_with('/') || link.contains("://") {
                problems.push(format!("{rel}: non-relative link {link}"));
                continue;
            }
            let target = link.split(['#', '?']).next().unwrap();
            if target.is_empty() {
                continue;
            }
            let target = percent_encoding::percent_decode_str(target)
                .decode_utf8()
                .unwrap()
                .into_owned();
            let resolved = path.parent().unwrap().join(target);
            if !resolved.is_file() {
                problems.push(format!("{rel}: broken link {link}"));
            }
        }
    }
    problems
}

/// Checks that every link of every page to a fragment (`a.html#x`, `#x`) lands on an element
/// with that id on its page. Only the links of the page's own markup count: the text of an
/// input shown on its line page is escaped, so its `&lt;a href` is not a link. Returns the
/// problems found.
pub fn fragment_problems(site: &Path) -> Vec<String> {
    let link = regex::Regex::new(r##"<a\s[^>]*?href="([^"#]*)#([^"]+)""##).unwrap();
    let id = regex::Regex::new(r#"\sid="([^"]+)""#).unwrap();
    let mut ids: std::collections::HashMap<PathBuf, Option<std::collections::HashSet<String>>> =
        Default::default();
    let mut problems = Vec::new();
    for rel in files(site).into_iter().filter(|f| f.ends_with(".html")) {
        let path = site.join(&rel);
        let html = read(&path);
        for c in link.captures_iter(&html) {
            let (target, fragment) = (&c[1], c[2].replace("&amp;", "&"));
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let file = if target.is_empty() {
                path.clone()
            } else {
                let decoded = percent_encoding::percent_decode_str(target)
                    .decode_utf8()
                    .unwrap()
                    .into_owned();
                pagerproof::util::lexically_clean(&path.parent().unwrap().join(decoded))
            };
            let found = ids.entry(file.clone()).or_insert_with(|| {
                std::fs::read_to_string(&file)
                    .ok()
                    .map(|t| id.captures_iter(&t).map(|c| c[1].to_string()).collect())
            });
            if !found.as_ref().is_some_and(|s| s.contains(&fragment)) {
                problems.push(format!("{rel}: {target}#{fragment} lands nowhere"));
            }
        }
    }
    problems
}
