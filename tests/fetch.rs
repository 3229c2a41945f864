//! `pagerproof fetch pagerduty|jira` against in-process stand-ins, then reading the snapshots back.

#[path = "common/mock_http.rs"]
mod mock_http;
#[path = "common/pd_standin.rs"]
mod pd_standin;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use chrono::NaiveDate;
use pagerproof::Config;
use pagerproof::fetch::client::ApiClient;
use pagerproof::fetch::pagerduty::{self, period_bounds};
use pagerproof::fetch::retry::{RetryPolicy, Sleeper};
use pagerproof::ingest::population::{Assembly, RowOutcome};
use serde_json::json;

const TOKEN: &str = "u+pd-TEST-t0ken-9f8e7d6c5b4a";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn site(start: &str, end: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[organization]\nname = \"Acme Corp\"\ntimezone = \"America/New_York\"\n\
         [period]\nname = \"H1\"\nstart = {start}\nend = {end}\n\
         [policy]\nfile = \"content/policies/incident-response.md\"\n"
    );
    std::fs::write(dir.path().join("site.toml"), toml).unwrap();
    dir
}

/// `pagerproof fetch <what> --quiet --api-url <url> --site <site>`, to add credentials to.
fn fetch_cmd(what: &str, url: &str, site: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pagerproof").unwrap();
    cmd.args(["fetch", what, "--quiet", "--api-url", url, "--site"])
        .arg(site);
    cmd
}

fn options(start: &str, end: &str, in_period: u64) -> pd_standin::Options {
    let (s, e) = period_bounds(chrono_tz::America::New_York, date(start), date(end)).unwrap();
    pd_standin::Options {
        token: TOKEN.into(),
        start: s,
        end: e,
        in_period,
        outside_each_side: 20,
        traps: true,
        reset_secs: 1,
        lie_about_total: false,
        stall_users_ms: 0,
    }
}

/// A sleeper that records instead of sleeping.
fn recorder() -> (Sleeper, Arc<Mutex<Vec<Duration>>>) {
    let slept: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let s = slept.clone();
    (Arc::new(move |d| s.lock().unwrap().push(d)), slept)
}

fn client(url: &str, token: &str, sleeper: Sleeper) -> ApiClient {
    pagerduty::client(url, token)
        .unwrap()
        .with_retry(RetryPolicy::default(), sleeper)
}

fn no_progress(_: &str, _: u64, _: Option<u64>) {}

fn all_files(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn fetch_then_load_gives_exactly_the_in_period_population() {
    let (start, end) = ("2026-01-01", "2026-06-30");
    let standin = pd_standin::start(options(start, end, 10_400));
    let site = site(start, end);
    let config = Config::load(site.path()).unwrap();
    let (since, until) =
        period_bounds(config.tz(), config.period.start, config.period.end).unwrap();
    let (sleeper, slept) = recorder();
    let client = client(&standin.server.url, TOKEN, sleeper);

    let snap = pagerduty::fetch(&client, None, since, until, &no_progress).unwrap();
    pagerduty::write_snapshot(&config.path(&config.inputs.pagerduty), &snap).unwrap();
    let mut files: Vec<Vec<RowOutcome>> = Vec::new();
    let loaded = pagerproof::ingest::pagerduty::load(&config, &mut files).unwrap();

    // The population: exactly the in-period incidents, one row each, cited by record line.
    assert_eq!((loaded.files.len(), files.len()), (1, 1));
    let (source, rows) = (&loaded.files[0], &files[0]);
    assert_eq!(source.path, "content/pagerduty/incidents.jsonl");
    assert_eq!(source.copy, "sources/content/pagerduty/incidents.jsonl");
    let rows: Vec<_> = rows
        .iter()
        .map(|r| r.as_ref().expect("no rejected API record"))
        .collect();
    let numbers: BTreeSet<u64> = rows.iter().map(|r| r.number.unwrap()).collect();
    assert_eq!(rows.len(), 10_400);
    assert_eq!(numbers, standin.in_period_numbers);
    assert!(
        rows.iter()
            .enumerate()
            .all(|(i, r)| r.at.as_ref().unwrap().line == i as u64 + 1)
    );
    assert!(
        rows.iter()
            .all(|r| r.created.unwrap() >= since && r.created.unwrap() < until)
    );

    // Timelines from the account-wide log, and per incident for those open at the end.
    assert!(rows.iter().all(|r| r.has_ack_data
        && r.has_resolve_data
        && r.timeline.iter().next().unwrap().kind == "trigger"));
    let last = rows.last().unwrap();
    assert_eq!(last.resolved, None);
    let late = rows[rows.len() - 2];
    assert_eq!(late.timeline.iter().last().unwrap().kind, "resolve");
    assert!(
        late.timeline.iter().last().unwrap().at > until,
        "resolve after the period comes from the per-incident log"
    );
    let n13 = rows
        .iter()
        .find(|r| r.number.unwrap() % 13 == 0 && r.number.unwrap() % 10 != 0)
        .unwrap();
    assert!(
        n13.timeline.iter().any(|e| e.kind == "acknowledge"),
        "acknowledgement_log_entry is an acknowledgement"
    );
    let n7 = rows
        .iter()
        .find(|r| r.number.unwrap() % 7 == 0 && r.resolved.is_some())
        .unwrap();
    assert_eq!(n7.auto_resolved, Some(true));
    assert_eq!(n7.resolved_by, None);
    let n100 = rows.iter().find(|r| r.number.unwrap() % 100 == 0).unwrap();
    let n = n100.number.unwrap();
    assert_eq!(n100.jira_keys, vec![format!("SEC-{n}"), format!("OPS-{n}")]);
    assert!(rows.iter().any(|r| r.priority.as_deref() == Some("P2")));
    assert!(rows.iter().any(|r| r.priority.is_none()));

    // Completeness: incident windows within 6 months, split under the cap, all reconciled.
    let record = &loaded.snapshot.fetch_records[0].record;
    let incident_windows: Vec<_> = record
        .windows
        .iter()
        .filter(|w| w.endpoint == "/incidents")
        .collect();
    assert!(incident_windows.iter().any(|w| {
        w.note
            .as_deref()
            .is_some_and(|n| n.contains("exceeds the 10000 offset+limit cap"))
    }));
    let read: u64 = incident_windows
        .iter()
        .filter(|w| w.note.is_none())
        .map(|w| w.received)
        .sum();
    assert_eq!(
        incident_windows[0].received, 10_400,
        "the split window is reconciled by its halves"
    );
    assert_eq!(read, 10_400);
    assert!(record.windows.iter().all(|w| w.reconciled()));
    assert!(
        record
            .windows
            .iter()
            .all(|w| w.params.iter().all(|(_, v)| !v.contains(TOKEN)))
    );
    assert!(
        record
            .windows
            .iter()
            .any(|w| w.endpoint == "/audit/records" && w.pagination == "cursor" && w.pages > 1)
    );
    for (req, status) in standin.server.requests("/") {
        let trap = matches!(
            req.path.as_str(),
            "/services" | "/priorities" | "/users" | "/schedules/PSCH003"
        ) || (req.path == "/response_plays" && status == 404);
        assert!(
            status == 200 || trap,
            "{} {:?} answered {status}",
            req.path,
            req.query
        );
    }
    let per_incident = standin.server.requests("/incidents/").len();
    assert_eq!(
        per_incident, 3,
        "only the incidents open at the end are fetched one by one"
    );

    // Retries: the 429's ratelimit-reset was honoured; the header-less 429 and the 502 backed off.
    let slept = slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 3, "{slept:?}");
    assert!(slept.contains(&Duration::from_secs(1)));

    // On-call configuration: v2 and v3 schedules, overrides, services, users, audit records.
    let s = &loaded.snapshot;
    assert_eq!(s.escalation_policies.len(), 2);
    assert_eq!(
        s.escalation_policies[0].paged_after_secs(),
        vec![0, 600, 1200]
    );
    assert_eq!(s.schedules.len(), 2);
    assert_eq!(
        s.schedules[1].version,
        pagerproof::model::ScheduleVersion::V3
    );
    assert_eq!(s.schedules[1].final_entries.first().unwrap().start, since);
    assert_eq!(s.schedules[1].final_entries.last().unwrap().end, until);
    assert_eq!(s.overrides.len(), 1);
    assert_eq!(
        (s.services.len(), s.priorities.len(), s.users.len()),
        (2, 4, 3)
    );
    assert_eq!(s.audit_records.len(), 60);
    assert!(s.audit_records.windows(2).all(|w| w[0].at <= w[1].at));
    let others: Vec<&str> = loaded.other_files.iter().map(|f| f.path.as_str()).collect();
    assert!(others.contains(&"content/pagerduty/fetch-record.json"));
    assert!(others.contains(&"content/pagerduty/log_entries.jsonl"));

    // Coverage: the hole in PSCH002 is a gap of level 1 of PEP0001; PEP0002 (v3) is covered.
    let mut inputs = pagerproof::model::Inputs {
        pagerduty: loaded.snapshot.clone(),
        ..Default::default()
    };
    inputs.policies.clear();
    let exceptions = pagerproof::evidence::oncall::exceptions(&config, &inputs, since, until);
    let ids: Vec<&str> = exceptions.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            format!(
                "coverage_gap:PEP0001@{}",
                pd_standin::rfc(standin.gap_start)
            )
            .as_str()
        ]
    );
}

#[test]
fn the_binary_fetches_with_every_trap_and_never_shows_the_token() {
    let (start, end) = ("2026-01-01", "2026-06-30");
    let mut o = options(start, end, 10_400);
    o.reset_secs = 0;
    let standin = pd_standin::start(o);
    let site = site(start, end);
    let out = fetch_cmd("pagerduty", &standin.server.url, site.path())
        .env("PAGERDUTY_API_TOKEN", TOKEN)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("fetched 10400 incidents"), "{stdout}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    let files = all_files(site.path());
    assert!(files.len() >= 11, "{files:?}");
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        assert!(!text.contains(TOKEN), "{} holds the token", f.display());
    }
    // Nothing partial is left beside the snapshot.
    let content: Vec<String> = std::fs::read_dir(site.path().join("content"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(content, vec!["pagerduty"]);
    let config = Config::load(site.path()).unwrap();
    let mut files: Vec<Vec<RowOutcome>> = Vec::new();
    pagerproof::ingest::pagerduty::load(&config, &mut files).unwrap();
    let numbers: BTreeSet<u64> = files[0]
        .iter()
        .map(|r| r.as_ref().unwrap().number.unwrap())
        .collect();
    assert_eq!(numbers, standin.in_period_numbers);

    // Then `build`: the population is exactly the in-period incidents, and no page holds the token.
    let policies = site.path().join("content/policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands/scaffold/incident-response.md"),
        policies.join("incident-response.md"),
    )
    .unwrap();
    let built = Command::cargo_bin("pagerproof")
        .unwrap()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr),
    );
    assert!(built.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    let public = site.path().join("public");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(public.join("data/summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["population"]["accepted"],
        standin.in_period_numbers.len() as u64
    );
    let pages: BTreeSet<u64> = std::fs::read_dir(public.join("incidents"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".html")?.parse().ok()
        })
        .collect();
    assert_eq!(pages, standin.in_period_numbers);
    for f in all_files(&public) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(TOKEN), "{} holds the token", f.display());
    }
    let population = std::fs::read_to_string(public.join("population.html")).unwrap();
    assert!(
        population.contains("PagerDuty fetch record"),
        "fetch record shown on the population page"
    );
    // The API's own total, stated: the 6-month window was over the offset cap, read in halves.
    assert!(
        population.contains("The API reported 10400 incidents created between 2026-01-01 00:00")
            && population.contains("read in halves"),
        "totals stated on the population page"
    );
}

#[test]
fn every_incidents_page_is_hashed_and_kept_raw_bodies_rehash() {
    let (start, end) = ("2026-01-01", "2026-03-31");
    let mut o = options(start, end, 250);
    o.reset_secs = 0;
    let standin = pd_standin::start(o);
    let site = site(start, end);
    let out = fetch_cmd("pagerduty", &standin.server.url, site.path())
        .arg("--keep-raw")
        .env("PAGERDUTY_API_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = site.path().join("content/pagerduty");
    let record: pagerproof::model::FetchRecord =
        serde_json::from_slice(&std::fs::read(dir.join("fetch-record.json")).unwrap()).unwrap();
    let requests: Vec<&pagerproof::model::FetchRequest> =
        record.windows.iter().flat_map(|w| &w.requests).collect();
    let sha = |body: &[u8]| pagerproof::util::sha256_hex(body);

    // Every incidents page the stand-in served is in the record, by the hash of its body.
    let served: Vec<String> = standin
        .server
        .bodies
        .lock()
        .unwrap()
        .iter()
        .filter(|(path, _)| path == "/incidents")
        .map(|(_, body)| sha(body.as_bytes()))
        .collect();
    assert_eq!(served.len(), 3, "250 incidents in pages of 100");
    let incidents: Vec<_> = record
        .windows
        .iter()
        .filter(|w| w.endpoint == "/incidents")
        .flat_map(|w| &w.requests)
        .collect();
    assert_eq!(
        incidents
            .iter()
            .map(|r| r.sha256.clone())
            .collect::<Vec<_>>(),
        served
    );
    assert_eq!(incidents.iter().map(|r| r.received).sum::<u64>(), 250);
    assert!(
        incidents
            .iter()
            .all(|r| r.status == 200 && r.reported == Some(250))
    );
    let offsets: Vec<&str> = incidents
        .iter()
        .map(|r| {
            r.params
                .iter()
                .find(|(k, _)| k == "offset")
                .map(|(_, v)| v.as_str())
                .unwrap()
        })
        .collect();
    assert_eq!(offsets, ["0", "100", "200"]);
    // Every 2xx answer of any endpoint is recorded, and nothing else.
    assert_eq!(requests.len(), standin.server.bodies.lock().unwrap().len());

    // Each kept body decompresses to exactly the bytes hashed.
    for r in &requests {
        let raw = r.raw.as_deref().expect("--keep-raw names every body");
        let gz = std::fs::read(dir.join(raw)).unwrap();
        assert_eq!(&gz[4..8], &[0, 0, 0, 0], "{raw}: gzip mtime is zero");
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut body).unwrap();
        assert_eq!(sha(&body), r.sha256, "{raw}");
        assert_eq!(body.len() as u64, r.bytes);
    }
    let text = std::fs::read_to_string(dir.join("fetch-record.json")).unwrap();
    assert!(!text.contains(TOKEN));

    // The kept bodies are inputs: read back, checked and carried to sources/.
    let config = Config::load(site.path()).unwrap();
    let loaded = pagerproof::ingest::pagerduty::load(&config, &mut Vec::new()).unwrap();
    let carried = loaded
        .other_files
        .iter()
        .filter(|f| f.path.starts_with("content/pagerduty/raw/"))
        .count();
    assert_eq!(carried, requests.len());
    // A body altered after the fetch is refused, naming it.
    let first = dir.join(requests[0].raw.as_deref().unwrap());
    std::fs::write(
        &first,
        pagerproof::fetch::client::gzip(b"{\"incidents\":[]}"),
    )
    .unwrap();
    let err = format!(
        "{:#}",
        pagerproof::ingest::pagerduty::load(&config, &mut Vec::new()).unwrap_err()
    );
    assert!(
        err.contains("content/pagerduty/raw/00001.json.gz") && err.contains("not the one"),
        "{err}"
    );
}

#[test]
fn a_wrong_token_is_reported_clearly_and_writes_nothing() {
    let (start, end) = ("2026-01-01", "2026-01-31");
    let standin = pd_standin::start(options(start, end, 50));
    let site = site(start, end);
    let wrong = "wr0ng-t0ken-abcdef";
    let out = fetch_cmd("pagerduty", &standin.server.url, site.path())
        .env("PAGERDUTY_API_TOKEN", wrong)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("PagerDuty rejected the credentials (HTTP 401)"),
        "{stderr}"
    );
    assert!(stderr.contains("PAGERDUTY_API_TOKEN"), "{stderr}");
    assert!(!stderr.contains(wrong) && !String::from_utf8_lossy(&out.stdout).contains(wrong));
    assert_eq!(
        standin.server.requests("/").len(),
        1,
        "a 401 is not retried"
    );
    assert!(!site.path().join("content").join("pagerduty").exists());
    assert_eq!(all_files(site.path()).len(), 1, "only site.toml");

    let missing = Command::cargo_bin("pagerproof")
        .unwrap()
        .args(["fetch", "pagerduty", "--quiet", "--site"])
        .arg(site.path())
        .env_remove("PAGERDUTY_API_TOKEN")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&missing.stderr).contains("set PAGERDUTY_API_TOKEN"));
}

#[test]
fn a_count_mismatch_fails_loudly_and_keeps_the_previous_snapshot() {
    let (start, end) = ("2026-01-01", "2026-01-31");
    let mut o = options(start, end, 120);
    o.lie_about_total = true;
    o.reset_secs = 0;
    let standin = pd_standin::start(o);
    let site = site(start, end);
    let dir = site.path().join("content/pagerduty");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("incidents.jsonl"),
        "{\"id\":\"OLD\",\"incident_number\":1}\n",
    )
    .unwrap();
    let out = fetch_cmd("pagerduty", &standin.server.url, site.path())
        .env("PAGERDUTY_API_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("received 120 records but the API reported 121"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("incidents.jsonl")).unwrap(),
        "{\"id\":\"OLD\",\"incident_number\":1}\n"
    );
    let content: Vec<_> = std::fs::read_dir(site.path().join("content"))
        .unwrap()
        .collect();
    assert_eq!(
        content.len(),
        1,
        "no partial snapshot left beside the old one"
    );
}

#[test]
fn an_interrupted_fetch_leaves_the_previous_snapshot() {
    let (start, end) = ("2026-01-01", "2026-01-31");
    let mut o = options(start, end, 120);
    o.stall_users_ms = 1500;
    let standin = pd_standin::start(o);
    let site = site(start, end);
    let dir = site.path().join("content/pagerduty");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("incidents.jsonl"), "{}\n").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pagerproof"))
        .args([
            "fetch",
            "pagerduty",
            "--quiet",
            "--api-url",
            &standin.server.url,
            "--site",
        ])
        .arg(site.path())
        .env("PAGERDUTY_API_TOKEN", TOKEN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the incidents and timelines are in memory and the fetch is waiting on /users.
    let t0 = std::time::Instant::now();
    while standin.server.requests("/users").is_empty() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the fetch never reached /users"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    assert!(!child.wait().unwrap().success());
    assert_eq!(
        std::fs::read_to_string(dir.join("incidents.jsonl")).unwrap(),
        "{}\n"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_dir(site.path().join("content"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn long_periods_use_six_month_windows_and_the_stand_in_enforces_its_limits() {
    let (start, end) = ("2026-01-01", "2026-12-31");
    let standin = pd_standin::start(options(start, end, 300));
    let (since, until) =
        period_bounds(chrono_tz::America::New_York, date(start), date(end)).unwrap();
    let (sleeper, _) = recorder();
    let client = client(&standin.server.url, TOKEN, sleeper);
    let snap = pagerduty::fetch(&client, None, since, until, &no_progress).unwrap();
    assert_eq!(snap.incidents.len(), 300);
    let windows: Vec<_> = snap
        .record
        .windows
        .iter()
        .filter(|w| w.endpoint == "/incidents")
        .collect();
    assert_eq!(windows.len(), 2);
    let audit = snap
        .record
        .windows
        .iter()
        .filter(|w| w.endpoint == "/audit/records")
        .count();
    assert_eq!(audit, 12, "365 days in windows of at most 31");

    // The traps themselves: a year in one request, and an offset past the cap, are refused.
    let p = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let year = client.get(
        "/incidents",
        &p(&[
            ("time_zone", "UTC"),
            ("since", "2026-01-01T05:00:00Z"),
            ("until", "2027-01-01T05:00:00Z"),
        ]),
    );
    let err = year.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(
        err.to_string()
            .contains("maximum range of since and until is 6 months"),
        "{err}"
    );
    let cap = client.get(
        "/incidents",
        &p(&[
            ("time_zone", "UTC"),
            ("since", "2026-01-01T05:00:00Z"),
            ("until", "2026-02-01T05:00:00Z"),
            ("offset", "9950"),
            ("limit", "100"),
        ]),
    );
    assert!(cap.unwrap_err().to_string().contains("HTTP 400"));
    let audit = client.get(
        "/audit/records",
        &p(&[
            ("since", "2026-01-01T05:00:00Z"),
            ("until", "2026-03-01T05:00:00Z"),
        ]),
    );
    assert_eq!(audit.unwrap_err().status(), Some(400));
}

#[test]
fn retries_are_bounded_and_end_in_a_clear_error() {
    // Nothing listens on this port any more: every try is a connection error.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (sleeper, slept) = recorder();
    let retry = RetryPolicy {
        max_tries: 3,
        base: Duration::from_millis(100),
        max_wait: Duration::from_secs(5),
    };
    let client = pagerduty::client(&format!("http://127.0.0.1:{port}"), TOKEN)
        .unwrap()
        .with_retry(retry, sleeper);
    let err = client.get("/users", &[]).unwrap_err().to_string();
    assert!(
        err.contains("gave up") && err.contains("after 3 tries"),
        "{err}"
    );
    assert!(!err.contains(TOKEN));
    let slept = slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 2);
    assert!(
        slept[1] >= Duration::from_millis(200),
        "exponential: {slept:?}"
    );

    // A server that always answers 502.
    let server = mock_http::MockServer::start(|_| mock_http::Resp::empty(502));
    let (sleeper, slept) = recorder();
    let client = pagerduty::client(&server.url, TOKEN)
        .unwrap()
        .with_retry(retry, sleeper);
    let err = client.get("/services", &[]).unwrap_err().to_string();
    assert!(
        err.contains("HTTP 502") && err.contains("after 3 tries"),
        "{err}"
    );
    assert_eq!(server.requests("/services").len(), 3);
    assert_eq!(slept.lock().unwrap().len(), 2);
}

#[test]
fn a_malformed_snapshot_names_the_file_and_line() {
    let site = site("2026-01-01", "2026-01-31");
    let dir = site.path().join("content/pagerduty");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("incidents.jsonl"),
        "{\"id\":\"Q1\",\"incident_number\":1,\"created_at\":\"2026-01-02T00:00:00Z\"}\n{oops\n",
    )
    .unwrap();
    let config = Config::load(site.path()).unwrap();
    let err = pagerproof::ingest::pagerduty::load(&config, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("content/pagerduty/incidents.jsonl:2:"),
        "{err}"
    );

    std::fs::write(
        dir.join("incidents.jsonl"),
        "{\"id\":\"Q1\",\"incident_number\":1,\"created_at\":\"yesterday\"}\n{\"title\":\"x\"}\n",
    )
    .unwrap();
    let mut files: Vec<Vec<RowOutcome>> = Vec::new();
    pagerproof::ingest::pagerduty::load(&config, &mut files).unwrap();
    let rows = &files[0];
    let reasons: Vec<String> = rows
        .iter()
        .map(|r| r.as_ref().unwrap_err().reason.clone())
        .collect();
    assert!(reasons[0].contains("created_at"), "{reasons:?}");
    assert!(
        reasons[1].contains("no incident_number and no id"),
        "{reasons:?}"
    );
    assert_eq!(rows[1].as_ref().unwrap_err().at.line, 2);

    std::fs::remove_dir_all(&dir).unwrap();
    let empty = pagerproof::ingest::pagerduty::load(&config, &mut Vec::new()).unwrap();
    assert!(empty.files.is_empty() && empty.other_files.is_empty());
}

/// Incident records join the population block by block as they are read, each with its id's
/// log entries shared, not copied: an id whose first record is rejected still gives its later
/// record the timeline, and a number carried by two ids keeps its first record's timeline.
#[test]
fn snapshot_records_share_their_timeline_across_files() {
    let site = site("2026-01-01", "2026-01-31");
    let dir = site.path().join("content/pagerduty");
    std::fs::create_dir_all(&dir).unwrap();
    let entry = |id: &str, kind: &str, at: &str| {
        format!(
            "{{\"type\":\"{kind}_log_entry\",\"created_at\":\"{at}\",\"incident\":{{\"id\":\"{id}\"}}}}\n"
        )
    };
    let log = [
        entry("Q1", "resolve", "2026-01-02T01:00:00Z"),
        entry("Q1", "trigger", "2026-01-02T00:00:00Z"),
        entry("Q2", "trigger", "2026-01-03T00:00:00Z"),
        entry("Q3", "trigger", "2026-01-03T00:00:00Z"),
        entry("Q3", "acknowledge", "2026-01-03T00:01:00Z"),
    ];
    std::fs::write(dir.join("log_entries.jsonl"), log.concat()).unwrap();
    let record = |id: &str, number: u64, created: Option<&str>| {
        let created = created.map_or(String::new(), |c| format!(",\"created_at\":\"{c}\""));
        format!("{{\"id\":\"{id}\",\"incident_number\":{number}{created}}}\n")
    };
    let (day2, day3) = (Some("2026-01-02T00:00:00Z"), Some("2026-01-03T00:00:00Z"));
    // Q1's first record has no creation time: read with its timeline, rejected by the population.
    let a = [record("Q1", 1, None), record("Q2", 2, day3)];
    let b = [
        record("Q1", 1, day2),
        record("Q2", 2, day3),
        record("Q3", 2, day3),
    ];
    std::fs::write(dir.join("incidents-a.jsonl"), a.concat()).unwrap();
    std::fs::write(dir.join("incidents-b.jsonl"), b.concat()).unwrap();
    let config = Config::load(site.path()).unwrap();

    let mut files: Vec<Vec<RowOutcome>> = Vec::new();
    pagerproof::ingest::pagerduty::load(&config, &mut files).unwrap();
    let rows: Vec<Vec<&pagerproof::model::IncidentRow>> = files
        .iter()
        .map(|f| f.iter().map(|r| r.as_ref().unwrap()).collect())
        .collect();
    let kinds = |row: &pagerproof::model::IncidentRow| -> Vec<String> {
        row.timeline.iter().map(|e| e.kind.to_string()).collect()
    };
    assert_eq!(kinds(rows[0][0]), ["trigger", "resolve"], "oldest first");
    assert!(rows[0][0].timeline.shares(&rows[1][0].timeline));
    assert!(rows[0][1].timeline.shares(&rows[1][1].timeline));
    assert_eq!(kinds(rows[1][2]), ["trigger", "acknowledge"]);

    let (start, end) = (
        pagerproof::model::period::period_start(&config),
        pagerproof::model::period::period_end(&config),
    );
    let mut assembly = Assembly::new(start, end);
    pagerproof::ingest::pagerduty::load(&config, &mut assembly).unwrap();
    let pop = assembly.finish();
    let counts = |a: &pagerproof::model::Accounting| {
        [
            a.rows_read,
            a.accepted,
            a.duplicates,
            a.outside_period,
            a.rejected,
        ]
    };
    assert_eq!(counts(&pop.per_file[0]), [2, 1, 0, 0, 1]);
    assert_eq!(counts(&pop.per_file[1]), [3, 1, 2, 0, 0]);
    assert_eq!(pop.rejected[0].reason, "no creation time");
    let by_number: Vec<(u64, Vec<String>)> = pop
        .incidents
        .iter()
        .map(|i| (i.number, kinds(&i.fields)))
        .collect();
    assert_eq!(
        by_number,
        [
            (1, vec!["trigger".to_string(), "resolve".to_string()]),
            (2, vec!["trigger".to_string()]),
        ]
    );
    // Q3's own record still counts its acknowledgement among the rows compared (issue 16).
    let q3 = pop.incidents.get(1).rows.iter().nth(2).unwrap();
    let acked = chrono::DateTime::parse_from_rfc3339("2026-01-03T00:01:00Z").unwrap();
    assert_eq!(q3.acknowledged, Some(Some(acked.to_utc())));
}

/// A Jira stand-in: Cloud search returns one issue per page (following nextPageToken) and
/// refuses a JQL naming an unknown key; issue GETs answer 404 for unknown keys.
fn jira_standin(expect_auth: String) -> mock_http::MockServer {
    let known = ["OPS-1", "OPS-2", "SEC-50"];
    let issue = |key: &str, version: u8| {
        let done = key == "OPS-1";
        json!({"id": "1000", "key": key, "self": format!("https://acme.atlassian.net/rest/api/{version}/issue/1000"),
            "fields": {"summary": format!("Fix {key}"),
                "status": {"name": if done { "Done" } else { "In Progress" },
                           "statusCategory": {"key": if done { "done" } else { "indeterminate" }}},
                "duedate": "2026-03-30", "assignee": {"displayName": "Sam Lee"}}})
    };
    mock_http::MockServer::start(move |req| {
        if req.header("Authorization") != Some(expect_auth.as_str()) {
            return mock_http::Resp::json(401, &json!({"errorMessages": ["not authenticated"]}));
        }
        let path = req.path.as_str();
        if path == "/rest/api/3/search/jql" {
            let jql = req.param("jql").unwrap_or_default();
            let keys: Vec<&str> = jql
                .trim_start_matches("key in (")
                .split(')')
                .next()
                .unwrap_or_default()
                .split(',')
                .collect();
            if let Some(bad) = keys.iter().find(|k| !known.contains(k)) {
                return mock_http::Resp::json(
                    400,
                    &json!({"errorMessages": [format!("An issue with key '{bad}' does not exist")]}),
                );
            }
            let at: usize = req
                .param("nextPageToken")
                .and_then(|t| t.strip_prefix("tok"))
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let mut page = json!({"issues": [issue(keys[at], 3)]});
            if at + 1 < keys.len() {
                page["nextPageToken"] = json!(format!("tok{}", at + 1));
            } else {
                page["isLast"] = json!(true);
            }
            return mock_http::Resp::json(200, &page);
        }
        for version in [2, 3] {
            if let Some(key) = path.strip_prefix(&format!("/rest/api/{version}/issue/")) {
                return if known.contains(&key) {
                    mock_http::Resp::json(200, &issue(key, version))
                } else {
                    mock_http::Resp::json(
                        404,
                        &json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."]}),
                    )
                };
            }
        }
        mock_http::Resp::empty(404)
    })
}

fn jira_site() -> tempfile::TempDir {
    let site = site("2026-01-01", "2026-06-30");
    let pm = site.path().join("content/postmortems");
    std::fs::create_dir_all(&pm).unwrap();
    std::fs::write(
        pm.join("PM-1.json"),
        json!({"id": "PM-1", "action_items": [
            {"id": "AI-1", "tracker": {"system": "jira", "key": "OPS-1"}},
            {"id": "AI-2", "tracker": {"url": "https://acme.atlassian.net/browse/OPS-2"}}]})
        .to_string(),
    )
    .unwrap();
    let inc = site.path().join("content/incidents");
    std::fs::create_dir_all(&inc).unwrap();
    std::fs::write(
        inc.join("q1.csv"),
        "id,incident_number,description\nQ1,1,\"Checkout down, SEC-50\"\n",
    )
    .unwrap();
    site
}

#[test]
fn jira_cloud_search_follows_page_tokens_and_falls_back_for_unknown_keys() {
    let site = jira_site();
    let auth = "Basic c2FtQGV4YW1wbGUuY29tOmppcmEtc2VjcmV0LTEyMw==".to_string(); // sam@example.com:jira-secret-123
    let server = jira_standin(auth);
    let run = || {
        fetch_cmd("jira", &server.url, site.path())
            .env_remove("JIRA_PAT")
            .env("JIRA_EMAIL", "sam@example.com")
            .env("JIRA_API_TOKEN", "jira-secret-123")
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("fetched 3 of 3 referenced Jira issues"),
        "{stdout}"
    );
    assert_eq!(
        server.requests("/rest/api/3/search/jql").len(),
        3,
        "one page per issue, by nextPageToken"
    );
    let config = Config::load(site.path()).unwrap();
    let loaded = pagerproof::ingest::jira::load(&config).unwrap();
    let (issues, files) = (loaded.issues, loaded.files);
    assert_eq!(loaded.fetch_records.len(), 1, "the fetch record is read");
    assert_eq!(
        issues.keys().collect::<Vec<_>>(),
        vec!["OPS-1", "OPS-2", "SEC-50"]
    );
    assert!(issues["OPS-1"].is_done() && !issues["OPS-2"].is_done());
    assert_eq!(
        issues["OPS-2"].url.as_deref(),
        Some("https://acme.atlassian.net/browse/OPS-2")
    );
    assert_eq!(issues["OPS-2"].line, 2);
    assert_eq!(files.len(), 2);

    // An unknown key: the batch is refused, then read issue by issue; the unknown one is reported.
    let pm = site.path().join("content/postmortems/PM-2.json");
    std::fs::write(
        pm,
        json!({"id": "PM-2", "action_items": [{"tracker": {"key": "NOPE-9"}}]}).to_string(),
    )
    .unwrap();
    let out = run();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Jira does not know NOPE-9"));
    assert_eq!(server.requests("/rest/api/3/issue/").len(), 4);
    for f in all_files(site.path()) {
        assert!(
            !std::fs::read_to_string(&f)
                .unwrap_or_default()
                .contains("jira-secret-123")
        );
    }
    let issues = pagerproof::ingest::jira::load(&config).unwrap().issues;
    assert_eq!(issues.len(), 3);
}

#[test]
fn jira_data_center_uses_a_bearer_pat_and_rest_api_2() {
    let site = jira_site();
    let server = jira_standin("Bearer dc-pat-456".into());
    let out = fetch_cmd("jira", &server.url, site.path())
        .env("JIRA_PAT", "dc-pat-456")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.requests("/rest/api/2/issue/").len(), 3);
    assert!(server.requests("/rest/api/3/").is_empty());
    let config = Config::load(site.path()).unwrap();
    let issues = pagerproof::ingest::jira::load(&config).unwrap().issues;
    assert_eq!(issues.len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Issue 14, defect 9: credentials in every form, time and size limits, redirects

#[test]
fn a_jira_basic_credential_never_reaches_an_error_message() {
    // A server that echoes the Authorization header back in its error (as some proxies do).
    let server = mock_http::MockServer::start(|req| {
        let auth = req.header("Authorization").unwrap_or_default().to_string();
        mock_http::Resp::json(
            403,
            &json!({"errorMessages": [format!("denied for {auth} ({})", auth.trim_start_matches("Basic "))]}),
        )
    });
    let site = jira_site();
    let out = fetch_cmd("jira", &server.url, site.path())
        .env_remove("JIRA_PAT")
        .env("JIRA_EMAIL", "sam@example.com")
        .env("JIRA_API_TOKEN", "jira-secret-123")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("denied for [redacted]"), "{stderr}");
    // Failed before: the base64 of email:token was printed.
    assert!(
        !stderr.contains("c2FtQGV4YW1wbGUuY29tOmppcmEtc2VjcmV0LTEyMw"),
        "{stderr}"
    );
    assert!(!stderr.contains("jira-secret-123"), "{stderr}");
}

fn limited(url: &str, limits: pagerproof::fetch::client::Limits) -> ApiClient {
    let (sleeper, _) = recorder();
    client(url, TOKEN, sleeper).with_limits(limits).unwrap()
}

#[test]
fn a_stalled_server_ends_the_fetch_at_the_request_and_overall_limits() {
    let server = mock_http::MockServer::start(|_| {
        std::thread::sleep(Duration::from_millis(700));
        mock_http::Resp::json(200, &json!({"users": []}))
    });
    let limits = pagerproof::fetch::client::Limits {
        request: Duration::from_millis(200),
        deadline: Duration::from_millis(900),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let err = limited(&server.url, limits)
        .get("/users", &[])
        .unwrap_err()
        .to_string();
    assert!(started.elapsed() < Duration::from_secs(3), "{err}");
    assert!(
        err.contains("the whole fetch may take 0 s and that time is up"),
        "{err}"
    );
    assert!(
        err.contains("no complete answer within 0.2 s (request time limit)"),
        "{err}"
    );
}

#[test]
fn an_oversized_body_is_refused() {
    let server = mock_http::MockServer::start(|_| {
        mock_http::Resp::json(200, &json!({"users": ["x".repeat(5000)]}))
    });
    let limits = pagerproof::fetch::client::Limits {
        max_body: 1000,
        ..Default::default()
    };
    let err = limited(&server.url, limits)
        .get("/users", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("answered more than 1000 bytes; refused (body size limit)"),
        "{err}"
    );
}

#[test]
fn a_redirect_to_another_host_is_refused() {
    let other = mock_http::MockServer::start(|_| mock_http::Resp::json(200, &json!({"users": []})));
    let elsewhere = other.url.replace("127.0.0.1", "localhost");
    let server = mock_http::MockServer::start(move |_| mock_http::Resp {
        status: 302,
        headers: vec![("Location".into(), format!("{elsewhere}/users"))],
        body: String::new(),
    });
    let err = client(&server.url, TOKEN, recorder().0)
        .get("/users", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("redirected to http://localhost:"), "{err}");
    assert!(err.contains("refused"), "{err}");
    assert!(other.requests("/").is_empty(), "the token never travels");
}

#[test]
fn configuration_automation_and_routing_are_fetched_and_read_back() {
    let (start, end) = ("2026-01-01", "2026-03-31");
    let mut o = options(start, end, 5);
    o.traps = false;
    let standin = pd_standin::start(o);
    let site = site(start, end);
    let config = Config::load(site.path()).unwrap();
    let (since, until) =
        period_bounds(config.tz(), config.period.start, config.period.end).unwrap();
    let (sleeper, _) = recorder();
    let client = client(&standin.server.url, TOKEN, sleeper);
    let snap = pagerduty::fetch(&client, None, since, until, &no_progress).unwrap();
    let dir = config.path(&config.inputs.pagerduty);
    pagerduty::write_snapshot(&dir, &snap).unwrap();
    let loaded = pagerproof::ingest::pagerduty::load(&config, &mut Vec::new()).unwrap();
    let s = &loaded.snapshot;

    // Services with full integrations and their urgency rule.
    let api = s.service("PSVC001").unwrap();
    assert_eq!(
        api.integrations[0].vendor.as_deref(),
        Some("Amazon CloudWatch")
    );
    assert_eq!(
        api.urgency_rule.as_ref().unwrap().urgency.as_deref(),
        Some("high")
    );
    // Users with contact methods and notification rules (the includes were sent).
    let jane = s.users.iter().find(|u| u.id == "PUSER01").unwrap();
    assert_eq!(jane.notification_rules.as_ref().unwrap()[0].urgency, "high");
    assert_eq!(
        jane.contact_methods.as_ref().unwrap()[0].kind,
        "sms_contact_method"
    );
    // Workflows over three offset pages; triggers and actions over two cursor pages.
    let names: Vec<&str> = s
        .workflows
        .as_ref()
        .unwrap()
        .iter()
        .map(|w| w.name.as_str())
        .collect();
    assert_eq!(names, ["Workflow 1", "Workflow 2", "Workflow 3"]);
    let triggers = s.workflow_triggers.as_ref().unwrap();
    assert_eq!(triggers.len(), 2);
    assert!(triggers[0].all_services);
    assert_eq!(s.automation_actions.as_ref().unwrap().len(), 2);
    // Response plays: the 404 is "not used", recorded, not an error; no file.
    assert!(s.response_plays.is_none());
    assert!(!dir.join("response_plays.jsonl").exists());
    let note = s.unavailable_note("/response_plays").unwrap();
    assert!(note.starts_with("not used:"), "{note}");
    // The orchestration router's rules.
    let orch = &s.orchestrations.as_ref().unwrap()[0];
    assert_eq!(orch.routes[0].route_to, "PSVC002");
    assert_eq!(orch.catch_all.as_deref(), Some("PSVC001"));
    // Every new request was recorded in the fetch record with its pages.
    let record = &loaded.snapshot.fetch_records[0].record;
    let pages = |endpoint: &str| {
        record
            .windows
            .iter()
            .filter(|w| w.endpoint == endpoint)
            .map(|w| w.pages)
            .sum::<u64>()
    };
    assert_eq!(pages("/incident_workflows"), 3);
    assert_eq!(pages("/incident_workflows/triggers"), 2);
    assert_eq!(pages("/automation_actions/actions"), 2);
    assert_eq!(pages("/event_orchestrations/b2c3-orch/router"), 1);
    // The token reached no file.
    for f in all_files(site.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "{}",
            f.display()
        );
    }
}

#[test]
fn response_plays_carry_the_from_header_or_the_record_says_it_was_not_sent() {
    let (start, end) = ("2026-01-01", "2026-01-31");
    let mut o = options(start, end, 2);
    o.traps = false;
    let standin = pd_standin::start(o);
    let site = site(start, end);
    let config = Config::load(site.path()).unwrap();
    let (since, until) =
        period_bounds(config.tz(), config.period.start, config.period.end).unwrap();
    let note = |snap: &pagerduty::PdSnapshot| {
        snap.record
            .windows
            .iter()
            .find(|w| w.endpoint == "/response_plays")
            .and_then(|w| w.note.clone())
            .unwrap()
    };

    let (sleeper, _) = recorder();
    let client = client(&standin.server.url, TOKEN, sleeper);
    let snap = pagerduty::fetch(
        &client,
        Some("auditor@example.com"),
        since,
        until,
        &no_progress,
    )
    .unwrap();
    let sent = standin.server.requests("/response_plays");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0.header("From"), Some("auditor@example.com"));
    // Only the call that needs it carries it.
    assert!(
        standin.server.requests("/services")[0]
            .0
            .header("From")
            .is_none()
    );
    assert!(!note(&snap).contains("From"), "{}", note(&snap));

    let (sleeper, _) = recorder();
    let client = self::client(&standin.server.url, TOKEN, sleeper);
    let snap = pagerduty::fetch(&client, None, since, until, &no_progress).unwrap();
    let sent = standin.server.requests("/response_plays");
    assert_eq!(sent.len(), 2);
    assert!(sent[1].0.header("From").is_none());
    let n = note(&snap);
    assert!(n.starts_with("not used:"), "{n}");
    assert!(n.ends_with(pagerduty::NO_FROM_NOTE), "{n}");
}

/// The real PagerDuty objects of tests/fixtures/devlake-capture (see its SOURCE.md), without the
/// log entries `keep_log` refuses, served by the stand-in as the API would and fetched by the
/// binary into a site of the fixture's `site.toml` and policy.
fn replay_capture(keep_log: impl Fn(&str) -> bool) -> tempfile::TempDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devlake-capture");
    let read = |rel: &str| std::fs::read_to_string(fixture.join(rel)).unwrap();
    let log: String = read("content/pagerduty/log_entries.jsonl")
        .lines()
        .filter(|l| keep_log(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let account = pd_standin::captured(&read("content/pagerduty/incidents.jsonl"), &log);
    let (start, end) = ("2022-11-01", "2022-11-30");
    let (s, e) = period_bounds(chrono_tz::UTC, date(start), date(end)).unwrap();
    let mut o = options(start, end, 0);
    (o.start, o.end, o.traps) = (s, e, false);
    let standin = pd_standin::serve(o, account);

    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("site.toml"), read("site.toml")).unwrap();
    let policies = site.path().join("content/policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(
        policies.join("incident-response.md"),
        read("content/policies/incident-response.md"),
    )
    .unwrap();
    let out = fetch_cmd("pagerduty", &standin.server.url, site.path())
        .env("PAGERDUTY_API_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("fetched 3 incidents"), "{stdout}");

    let built = Command::cargo_bin("pagerproof")
        .unwrap()
        .args(["build", "--quiet", "--site"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    site
}

/// Replayed through `fetch`, the captured objects give the verdicts their raw data says.
#[test]
fn captured_api_objects_replayed_through_fetch_give_their_verdicts() {
    let site = replay_capture(|_| true);
    // #4 and #5 are open at the period's end: their whole logs are asked for. #6 says
    // `resolved` without `resolved_at`: resolved, so fetch does not ask for it as open.
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.path().join("content/pagerduty/fetch-record.json")).unwrap(),
    )
    .unwrap();
    let per_incident: BTreeSet<&str> = record["windows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["endpoint"].as_str())
        .filter(|e| e.starts_with("/incidents/"))
        .collect();
    assert_eq!(
        per_incident,
        BTreeSet::from([
            "/incidents/Q3YON8WNWTZMRQ/log_entries",
            "/incidents/Q3CZAU7Q4008QD/log_entries"
        ])
    );
    // Every captured log entry came back through the API.
    let fetched_log =
        std::fs::read_to_string(site.path().join("content/pagerduty/log_entries.jsonl")).unwrap();
    assert_eq!(
        fetched_log.lines().count(),
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/devlake-capture/content/pagerduty/log_entries.jsonl")
        )
        .unwrap()
        .lines()
        .count()
    );

    let public = site.path().join("public");
    let page = |rel: &str| std::fs::read_to_string(public.join(rel)).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&page("data/summary.json")).unwrap();
    // #4 (its `acknowledgements` array is empty now) and #5 were acknowledged in time; both
    // are still open at the end of the period.
    let p2 = &summary["by_severity"]["P2"];
    assert_eq!(
        (p2["incidents"].as_u64(), p2["ack_met"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(p2["resolve_breached"], 2);
    // The first acknowledgement is the log's, not the (empty) current array's.
    assert!(page("incidents/4.html").contains("2022-11-03 06:23:07 +00:00 by Keon Amini"));
    // #6 resolved in time, at the resolve log entry, and the page says where the time came from.
    assert_eq!(summary["by_severity"]["P4"]["resolve_met"], 1);
    let six = page("incidents/6.html");
    assert!(six.contains("2022-11-03 06:51:44 +00:00"));
    assert!(six.contains("time from the resolve log entry"));
}

/// Without its log, #6 (`resolved`, no `resolved_at`) resolves at `last_status_change_at`, and
/// the page says so.
#[test]
fn a_captured_resolved_incident_without_log_resolves_at_its_last_status_change() {
    let site = replay_capture(|l| !l.contains("Q1OHFWFP3GPXOG"));
    let public = site.path().join("public");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(public.join("data/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["by_severity"]["P4"]["resolve_met"], 1);
    let six = std::fs::read_to_string(public.join("incidents/6.html")).unwrap();
    assert!(six.contains("2022-11-03 06:51:44 +00:00"));
    assert!(
        six.contains("time from last_status_change_at"),
        "source of the time shown"
    );
}
