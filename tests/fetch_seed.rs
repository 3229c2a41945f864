//! `pagerproof fetch statuspage|github` against in-process stand-ins: paging, 429 and 420 with
//! Retry-After, 5xx, 401, GitHub's 403 rate limits, and the credential never reaching a file or
//! the output.

#[path = "common/mock_http.rs"]
mod mock_http;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use mock_http::{MockServer, Resp};
use pagerproof::Config;
use pagerproof::fetch::retry::{RetryPolicy, Sleeper};
use pagerproof::fetch::{github, statuspage};
use serde_json::{Value, json};

const SP_KEY: &str = "sp-K3Y-0123456789abcdef";
const GH_TOKEN: &str = "ghp_T0KEN0123456789abcdefXYZ";

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "[organization]\nname = \"Acme Corp\"\ntimezone = \"America/New_York\"\n\
         [period]\nname = \"FY2026\"\nstart = 2026-01-01\nend = 2026-12-31\n\
         [policy]\nfile = \"content/policies/incident-response.md\"\n",
    )
    .unwrap();
    dir
}

fn fetch_cmd(what: &str, url: &str, site: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pagerproof").unwrap();
    cmd.args(["fetch", what, "--quiet", "--api-url", url, "--site"])
        .arg(site);
    cmd
}

fn recorder() -> (Sleeper, Arc<Mutex<Vec<Duration>>>) {
    let slept: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let s = slept.clone();
    (Arc::new(move |d| s.lock().unwrap().push(d)), slept)
}

fn no_progress(_: &str, _: u64, _: Option<u64>) {}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// No file under `dir` holds `secret`, gzip-compressed raw bodies decompressed.
fn assert_nowhere(dir: &Path, secret: &str) {
    for path in all_files(dir) {
        let bytes = std::fs::read(&path).unwrap();
        let text = if path.extension().is_some_and(|e| e == "gz") {
            let mut out = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
                .unwrap();
            out
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        assert!(
            !text.contains(secret),
            "{} holds the secret",
            path.display()
        );
    }
}

/// A Statuspage stand-in with `n` incidents: `limit`/`page` paging, one 429 (Retry-After 7) and
/// one 503 on page 2, a 420 on page 3, 401 for any other key.
fn statuspage_standin(n: usize) -> MockServer {
    let hits = AtomicUsize::new(0);
    let third = AtomicUsize::new(0);
    MockServer::start(move |req| {
        if req.header("Authorization") != Some(&format!("OAuth {SP_KEY}")) {
            return Resp::json(401, &json!({"error": "Could not authenticate"}));
        }
        if req.path == "/v1/pages/pg1/components" {
            assert_eq!(req.param("per_page"), Some("100"));
            let page: usize = req.param("page").unwrap().parse().unwrap();
            let items = if page == 1 {
                json!([{"id": "cmp2", "name": "Checkout", "status": "operational"},
                       {"id": "cmp1", "name": "API", "status": "operational"}])
            } else {
                json!([])
            };
            return Resp::json(200, &items);
        }
        if req.path != "/v1/pages/pg1/incidents" || req.param("per_page").is_some() {
            return Resp::empty(404);
        }
        let limit: usize = req.param("limit").unwrap().parse().unwrap();
        let page: usize = req.param("page").unwrap().parse().unwrap();
        assert!(limit <= 100);
        if page == 2 {
            match hits.fetch_add(1, Ordering::SeqCst) {
                0 => {
                    let mut r = Resp::json(429, &json!({"error": "rate limited"}));
                    r.headers.push(("Retry-After".into(), "7".into()));
                    return r;
                }
                1 => return Resp::json(503, &json!({"error": "unavailable"})),
                _ => {}
            }
        }
        if page == 3 && third.fetch_add(1, Ordering::SeqCst) == 0 {
            return Resp::json(420, &json!({"error": "enhance your calm"}));
        }
        // Newest first, as Statuspage lists them.
        let items: Vec<Value> = (0..n)
            .rev()
            .skip((page - 1) * limit)
            .take(limit)
            .map(|i| {
                json!({"id": format!("sp{i:04}"), "name": format!("Incident {i}"), "status": "resolved",
                       "impact": if i % 10 == 0 { "maintenance" } else { "major" },
                       "created_at": format!("2026-03-{:02}T10:{:02}:00-05:00", 1 + i % 28, i % 60),
                       // The first incident lists its component by id only.
                       "components": if i == 0 { json!([{"id": "cmp2"}]) } else { json!([{"id": "cmp1", "name": "API"}]) }})
            })
            .collect();
        Resp::json(200, &Value::Array(items))
    })
}

#[test]
fn statuspage_pages_until_a_short_page_and_retries_rate_limits_and_5xx() {
    let server = statuspage_standin(250);
    let site = site();
    let config = Config::load(site.path()).unwrap();
    let (sleeper, slept) = recorder();
    let client = statuspage::client(&server.url, SP_KEY)
        .unwrap()
        .with_retry(RetryPolicy::default(), sleeper)
        .keeping_raw();
    let snap = statuspage::fetch(&client, "pg1", &no_progress).unwrap();
    assert_eq!(snap.incidents.len(), 250);
    let pages: Vec<(String, u16)> = server
        .requests("/v1/pages/pg1/incidents")
        .iter()
        .map(|(r, s)| (r.param("page").unwrap().to_string(), *s))
        .collect();
    let want: Vec<(String, u16)> = [
        ("1", 200),
        ("2", 429),
        ("2", 503),
        ("2", 200),
        ("3", 420),
        ("3", 200),
    ]
    .iter()
    .map(|(p, s)| (p.to_string(), *s))
    .collect();
    assert_eq!(pages, want);
    let slept = slept.lock().unwrap().clone();
    assert!(slept.contains(&Duration::from_secs(7)), "{slept:?}");
    assert_eq!(
        slept
            .iter()
            .filter(|d| **d == Duration::from_secs(1))
            .count(),
        3,
        "one second between pages and before the components: {slept:?}"
    );

    // Each answered page is hashed in the record, and its kept raw body re-hashes.
    let window = &snap.record.windows[0];
    assert_eq!((window.pages, window.received), (3, 250));
    let components = &snap.record.windows[1];
    assert_eq!(components.endpoint, "/v1/pages/pg1/components");
    assert_eq!((components.pages, components.received), (1, 2));
    assert_eq!(snap.components[0]["id"], "cmp1", "sorted by id");
    let mut bodies = server.bodies.lock().unwrap().clone();
    bodies.retain(|(path, _)| path.contains("/incidents"));
    assert_eq!(window.requests.len(), bodies.len());
    for (request, (_, body)) in window.requests.iter().zip(&bodies) {
        assert_eq!(
            request.sha256,
            pagerproof::util::sha256_hex(body.as_bytes())
        );
    }
    let dir = config.path(&config.inputs.statuspage);
    statuspage::write_snapshot(&dir, &snap).unwrap();
    assert_eq!(
        all_files(&dir).len(),
        3 + 4,
        "incidents, components, record, four raw bodies"
    );

    let (loaded, files) = pagerproof::ingest::statuspage::load(&config).unwrap();
    let loaded = loaded.unwrap();
    assert_eq!(loaded.incidents.len(), 250);
    assert_eq!(loaded.fetch_records.len(), 1);
    // components.jsonl is read as the page's components, not as incidents, and names the
    // component the first incident gave by id only.
    assert_eq!(loaded.component_name("cmp2"), Some("Checkout"));
    let first = loaded.incidents.iter().find(|i| i.id == "sp0000").unwrap();
    assert_eq!(first.components[0].name.as_deref(), Some("Checkout"));
    assert!(files.iter().any(|f| f.path.ends_with("incidents.jsonl")));
    assert_eq!(
        loaded
            .incidents
            .iter()
            .filter(|i| i.is_maintenance())
            .count(),
        25
    );
    assert!(
        loaded
            .incidents
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at)
    );
}

#[test]
fn the_statuspage_binary_keeps_the_key_off_disk_and_out_of_the_output() {
    let server = statuspage_standin(30);
    let site = site();
    let out = fetch_cmd("statuspage", &server.url, site.path())
        .args(["--page-id", "pg1", "--keep-raw"])
        .env("STATUSPAGE_API_KEY", SP_KEY)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("fetched 30 Statuspage incidents"),
        "{stdout}"
    );
    assert!(!stdout.contains(SP_KEY) && !stderr.contains(SP_KEY));
    let dir = site.path().join("content/statuspage");
    assert!(dir.join("incidents.jsonl").is_file() && dir.join("raw/00001.json.gz").is_file());
    assert_nowhere(site.path(), SP_KEY);
}

#[test]
fn a_wrong_statuspage_key_is_a_clear_error_and_writes_nothing() {
    let server = statuspage_standin(30);
    let site = site();
    let wrong = "wr0ng-statuspage-key";
    let out = fetch_cmd("statuspage", &server.url, site.path())
        .args(["--page-id", "pg1"])
        .env("STATUSPAGE_API_KEY", wrong)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("Statuspage rejected the credentials (HTTP 401)"),
        "{stderr}"
    );
    assert!(stderr.contains("STATUSPAGE_API_KEY"), "{stderr}");
    assert!(!stderr.contains(wrong));
    assert_eq!(server.requests("/").len(), 1, "a 401 is not retried");
    assert!(!site.path().join("content/statuspage").exists());
    let missing = Command::cargo_bin("pagerproof")
        .unwrap()
        .args([
            "fetch",
            "statuspage",
            "--quiet",
            "--page-id",
            "pg1",
            "--site",
        ])
        .arg(site.path())
        .env_remove("STATUSPAGE_API_KEY")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&missing.stderr).contains("set STATUSPAGE_API_KEY"));
}

/// A GitHub stand-in: acme/api#1 (completed) and acme/web#2 (open); anything else 404; 401 for
/// another token. With `traps`, #1 first answers 403 (primary limit exhausted), 429 with
/// Retry-After 3 and 502, and #2 a 403 secondary limit without headers.
fn github_standin(traps: bool) -> MockServer {
    let hits = AtomicUsize::new(0);
    let second = AtomicUsize::new(0);
    MockServer::start(move |req| {
        if req.header("Authorization") != Some(&format!("Bearer {GH_TOKEN}")) {
            return Resp::json(
                401,
                &json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}),
            );
        }
        assert_eq!(req.header("X-GitHub-Api-Version"), Some("2022-11-28"));
        assert_eq!(req.header("Accept"), Some("application/vnd.github+json"));
        match req.path.as_str() {
            "/repos/acme/api/issues/1" => {
                if traps {
                    match hits.fetch_add(1, Ordering::SeqCst) {
                        0 => {
                            let reset = chrono::Utc::now().timestamp() + 30;
                            let mut r =
                                Resp::json(403, &json!({"message": "API rate limit exceeded"}));
                            r.headers.push(("x-ratelimit-remaining".into(), "0".into()));
                            r.headers
                                .push(("x-ratelimit-reset".into(), reset.to_string()));
                            return r;
                        }
                        1 => {
                            let mut r = Resp::json(429, &json!({"message": "slow down"}));
                            r.headers.push(("retry-after".into(), "3".into()));
                            return r;
                        }
                        2 => return Resp::json(502, &json!({"message": "bad gateway"})),
                        _ => {}
                    }
                }
                Resp::json(
                    200,
                    &json!({"number": 1, "title": "Add retries", "state": "closed",
                            "state_reason": "completed", "closed_at": "2026-03-01T10:00:00Z",
                            "html_url": "https://github.com/acme/api/issues/1"}),
                )
            }
            "/repos/acme/web/issues/2" => {
                if traps && second.fetch_add(1, Ordering::SeqCst) == 0 {
                    return Resp::json(
                        403,
                        &json!({"message": "You have exceeded a secondary rate limit.",
                                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}),
                    );
                }
                Resp::json(
                    200,
                    &json!({"number": 2, "title": "Alert on queue depth", "state": "open",
                            "state_reason": null, "closed_at": null,
                            "html_url": "https://github.com/acme/web/issues/2"}),
                )
            }
            _ => Resp::json(404, &json!({"message": "Not Found"})),
        }
    })
}

fn github_site() -> tempfile::TempDir {
    let site = site();
    let pm = site.path().join("content/postmortems");
    std::fs::create_dir_all(&pm).unwrap();
    std::fs::write(
        pm.join("PM-1.json"),
        json!({"id": "PM-1", "action_items": [
            {"id": "AI-1", "tracker": {"system": "github", "key": "acme/api#1"}},
            {"id": "AI-2", "tracker": {"url": "https://github.com/acme/web/issues/2"}},
            {"id": "AI-3", "tracker": {"key": "acme/gone#404"}},
            {"id": "AI-4", "tracker": {"system": "jira", "key": "OPS-1"}}]})
        .to_string(),
    )
    .unwrap();
    site
}

#[test]
fn github_issues_are_read_one_by_one_through_every_rate_limit() {
    let server = github_standin(true);
    let site = github_site();
    let config = Config::load(site.path()).unwrap();
    let refs = pagerproof::ingest::github_refs::referenced_issues(&config).unwrap();
    assert_eq!(
        refs.iter().map(String::as_str).collect::<Vec<_>>(),
        ["acme/api#1", "acme/gone#404", "acme/web#2"]
    );
    let (sleeper, slept) = recorder();
    let client = github::client(&server.url, GH_TOKEN)
        .unwrap()
        .with_retry(RetryPolicy::default(), sleeper);
    let snap = github::fetch(&client, &refs, &no_progress).unwrap();
    assert_eq!(snap.issues.len(), 2);
    assert_eq!(snap.missing, vec!["acme/gone#404"]);
    let statuses: Vec<(String, u16)> = server
        .requests("/repos/")
        .iter()
        .map(|(r, s)| (r.path.clone(), *s))
        .collect();
    assert_eq!(
        statuses.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [403, 429, 502, 200, 404, 403, 200]
    );
    let slept = slept.lock().unwrap().clone();
    // Primary limit: until the reset (about 30 s); Retry-After: 3 s; secondary: at least 60 s.
    assert!(
        slept[0] >= Duration::from_secs(25) && slept[0] <= Duration::from_secs(32),
        "{slept:?}"
    );
    assert_eq!(slept[1], Duration::from_secs(3));
    assert_eq!(slept[3], Duration::from_secs(60));
    let dir = config.path(&config.inputs.github);
    github::write_snapshot(&dir, &snap).unwrap();
    let loaded = pagerproof::ingest::github::load(&config).unwrap();
    assert_eq!(
        loaded.issues["acme/api#1"].state_reason.as_deref(),
        Some("completed")
    );
    assert_eq!(loaded.issues["acme/web#2"].state, "open");
    assert_eq!(
        loaded.fetch_records[0].record.missing_keys,
        vec!["acme/gone#404"]
    );
}

#[test]
fn the_github_binary_keeps_the_token_secret_and_reports_a_wrong_one() {
    let server = github_standin(false);
    let site = github_site();
    let out = fetch_cmd("github", &server.url, site.path())
        .arg("--keep-raw")
        .env("GITHUB_TOKEN", GH_TOKEN)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("fetched 2 of 3 tracked GitHub issues"),
        "{stdout}"
    );
    assert!(
        stderr.contains("GitHub does not know acme/gone#404"),
        "{stderr}"
    );
    assert!(!stdout.contains(GH_TOKEN) && !stderr.contains(GH_TOKEN));
    assert_nowhere(site.path(), GH_TOKEN);

    let wrong = "ghp_wr0ng";
    let before = server.requests("/").len();
    let out = fetch_cmd("github", &server.url, site.path())
        .env("GITHUB_TOKEN", wrong)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("GitHub rejected the credentials (HTTP 401)")
            && stderr.contains("GITHUB_TOKEN"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Bad credentials") && !stderr.contains(wrong),
        "{stderr}"
    );
    assert_eq!(
        server.requests("/").len(),
        before + 1,
        "a 401 is not retried"
    );
    // The previous snapshot stays.
    assert!(site.path().join("content/github/issues.jsonl").is_file());
}
