//! Property tests (issue 14): generated inputs for every parser and rule.
//!
//! 64 cases per property in `cargo test`; `PROPTEST_CASES=5000 cargo test --release --test
//! properties` for the long run (README, "Tests"). Properties: nothing panics; every row lands
//! in exactly one bucket; a rejected input names its file and line; verdicts do not depend on
//! the order files were written in; `verify` accepts exactly the untouched package.

#[path = "common/rawzip.rs"]
mod rawzip;

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use pagerproof::Config;
use pagerproof::ingest::{csv_incidents, population, postmortem, strict_json, timestamp};
use pagerproof::model::{Target, parse_duration};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use rawzip::{RawEntry, stored_zip};

/// 64 cases unless `PROPTEST_CASES` says otherwise; no regression files written into the tree.
fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 64;
    }
    c.failure_persistence = None;
    c
}

const TZ: chrono_tz::Tz = chrono_tz::America::Chicago;
const CSV: &str = "content/incidents/gen.csv";

fn period() -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    (at("2026-01-01T06:00:00Z"), at("2026-07-01T05:00:00Z"))
}

// ---------------------------------------------------------------------------------------------
// Generators

/// Timestamps in every written form, near-misses and garbage.
fn timestamp_text() -> impl Strategy<Value = String> {
    let zone = prop::sample::select(vec![
        "Z", "z", "+00:00", "-05:00", "+0530", "-0800", "+14:00", "+24:00", "", " CET", " CST",
        " PST", " UTC", " XYZ", "+5",
    ]);
    let frac = prop::option::of("[0-9]{1,12}");
    let structured = (
        0i32..10_000,
        0u32..14,
        0u32..33,
        0u32..26,
        0u32..62,
        0u32..62,
        frac,
        zone,
        prop::sample::select(vec!["-", "/"]),
        prop::sample::select(vec!["T", " ", "t"]),
        any::<bool>(),
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, zone, sep, t, date_only)| {
            let date = format!("{y:04}{sep}{mo:02}{sep}{d:02}");
            if date_only {
                return date;
            }
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{date}{t}{h:02}:{mi:02}:{s:02}{frac}{zone}")
        });
    prop_oneof![
        4 => structured,
        1 => "[0-9T:+\\-Z. /]{0,32}",
        1 => any::<String>(),
        1 => prop::sample::select(vec!["", "N/A", "null", "-", "none"]).prop_map(String::from),
    ]
}

/// Numbers as exports write them, and out-of-range ones.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u32>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        "[0-9]{1,25}",
        "[0-9]{1,20}\\.[0-9]{0,6}",
        prop::sample::select(vec!["", "N/A", "9300000000000000", "-1", "1e9", " 5 "])
            .prop_map(String::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 ,\"\n=+@-]{0,40}",
        prop::sample::select(vec![
            "P1",
            "P2",
            "SEV-1",
            "high",
            "low",
            "=HYPERLINK(\"x\")"
        ])
        .prop_map(String::from),
    ]
}

/// The value generator for one column, by what the header holds.
fn value_for(header: &str) -> BoxedStrategy<String> {
    let h = header.to_ascii_lowercase();
    if h.contains("seconds") || h.contains("number") || h == "#" || h.contains("escalation") {
        number_text().boxed()
    } else if h.contains("_on") || h.contains("_at") || h.contains(" at") || h.contains(" on") {
        timestamp_text().boxed()
    } else if h.contains("auto") || h == "major" {
        prop::sample::select(vec!["0", "1", "true", "false", "maybe", ""])
            .prop_map(String::from)
            .boxed()
    } else {
        text().boxed()
    }
}

/// The header rows of the export variants (README "Incident exports").
const VARIANTS: &[&str] = &[
    "id,incident_number,description,service_name,created_on,resolved_on,seconds_to_first_ack,seconds_to_resolve,auto_resolved,urgency,priority",
    "incident_number,description,created_at,resolved_at,service_name,team_name,urgency,priority_name,major,seconds_to_first_ack,seconds_to_resolve",
    "Incident ID,Incident Number,Title,Service,Created At,Resolved At,Priority,Urgency,Seconds To First Ack,Seconds To Resolve,Auto Resolved,Acknowledged By,Resolved By",
    "#,Service,Opened On,Resolved On,Resolve By,Duration,#Escalations",
];

/// A CSV export: one variant's header, then rows (some with a wrong field count), with a BOM
/// and CRLF line ends at random.
fn csv_export() -> impl Strategy<Value = Vec<u8>> {
    (0..VARIANTS.len()).prop_flat_map(|v| {
        let headers: Vec<&'static str> = VARIANTS[v].split(',').collect();
        let row: Vec<BoxedStrategy<String>> = headers.iter().map(|h| value_for(h)).collect();
        let rows = prop::collection::vec(
            (row, any::<bool>(), any::<bool>()).prop_map(|(mut cells, short, long)| {
                if short {
                    cells.pop();
                } else if long {
                    cells.push("extra".into());
                }
                cells
            }),
            0..12,
        );
        (rows, any::<bool>(), any::<bool>()).prop_map(move |(rows, bom, crlf)| {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .terminator(if crlf {
                    csv::Terminator::CRLF
                } else {
                    csv::Terminator::Any(b'\n')
                })
                .from_writer(Vec::new());
            w.write_record(&headers).unwrap();
            for r in &rows {
                w.write_record(r).unwrap();
            }
            let mut bytes = if bom {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            };
            bytes.extend(w.into_inner().unwrap());
            bytes
        })
    })
}

/// Arbitrary JSON values, a few levels deep.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        timestamp_text().prop_map(Value::String),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// postmortem.v1 documents with every known field drawn from `json_value`, or anything at all.
fn postmortem_json() -> impl Strategy<Value = String> {
    let fields = prop::collection::btree_map(
        prop::sample::select(vec![
            "id",
            "title",
            "status",
            "severity",
            "priority",
            "incidents",
            "timestamps",
            "summary",
            "timeline",
            "root_causes",
            "impact",
            "action_items",
            "owner",
            "extensions",
            "other",
        ]),
        json_value(),
        0..10,
    );
    prop_oneof![
        4 => (fields, any::<bool>()).prop_map(|(fields, schema)| {
            let mut obj: serde_json::Map<String, serde_json::Value> =
                fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            if schema {
                obj.insert("schema".into(), "postmortem.v1".into());
            }
            serde_json::to_string_pretty(&obj).unwrap()
        }),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => any::<String>(),
    ]
}

/// Policy front matter: targets and levels drawn from valid and hostile values.
fn policy_md() -> impl Strategy<Value = String> {
    let target = prop_oneof![
        "[0-9]{1,15}[smhd]",
        prop::sample::select(vec![
            "next-business-day",
            "5m",
            "200000000000d",
            "-1h",
            "",
            "4 h"
        ])
        .prop_map(String::from),
        any::<String>(),
    ];
    let severity = ("[A-Z0-9 -]{0,6}", target.clone(), target.clone(), target).prop_map(
        |(level, ack, resolve, pm)| {
            format!(
                "[[severity]]\nlevel = {level:?}\nname = \"N\"\nack = {ack:?}\nresolve = {resolve:?}\npostmortem = {pm:?}\n"
            )
        },
    );
    prop_oneof![
        4 => (prop::collection::vec(severity, 0..4), any::<String>()).prop_map(|(sev, body)| {
            format!("+++\ntitle = \"P\"\n{}+++\n{body}\n", sev.concat())
        }),
        1 => any::<String>(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Parsers: no panic, file and line on every rejection

proptest! {
    #![proptest_config(config())]

    #[test]
    fn timestamps_never_panic_and_round_trip(text in timestamp_text()) {
        if let Ok(Some(at)) = timestamp::parse(&text, TZ) {
            let again = timestamp::parse(&at.format("%Y-%m-%dT%H:%M:%SZ").to_string(), TZ);
            prop_assert_eq!(again, Ok(Some(at)));
        }
    }

    #[test]
    fn durations_are_bounded_and_round_trip(text in prop_oneof![
        "[0-9]{1,22}[smhdx]?", any::<String>()
    ]) {
        if let Ok(secs) = parse_duration(&text) {
            prop_assert!((0..=pagerproof::model::MAX_DURATION_SECS).contains(&secs));
            let shown = pagerproof::util::human_target(secs);
            prop_assert_eq!(Target::parse(&shown), Ok(Target::Elapsed(secs)));
        }
    }

    #[test]
    fn csv_rows_each_land_in_exactly_one_bucket(bytes in csv_export()) {
        let Ok(read) = csv_incidents::read(CSV, &bytes, TZ) else {
            return Ok(()); // a malformed header is an error naming the file (tested below)
        };
        let n = read.rows.len() as u64;
        let mut last_line = 1;
        for row in &read.rows {
            let at = match row {
                Ok(r) => r.at.expect("CSV rows carry their line"),
                Err(rejected) => {
                    prop_assert!(!rejected.reason.is_empty());
                    rejected.at
                }
            };
            prop_assert_eq!(&*at.file, CSV);
            prop_assert!(at.line > last_line, "lines increase: {} after {}", at.line, last_line);
            last_line = at.line;
        }
        let (start, end) = period();
        let pop = population::assemble(vec![(CSV.to_string(), read.rows)], start, end);
        let a = pop.per_file[0];
        prop_assert_eq!(a.rows_read, n);
        prop_assert_eq!(a.rows_read, a.accepted + a.duplicates + a.outside_period + a.rejected);
        prop_assert_eq!(pop.total, a);
        prop_assert_eq!(pop.rejected.len() as u64, a.rejected);
        for r in &pop.rejected {
            prop_assert_eq!(&*r.at.file, CSV);
            prop_assert!(r.at.line >= 2);
        }
        for i in pop.incidents.iter() {
            // Checked arithmetic: acknowledgement and resolution instants never panic.
            let _ = (i.acknowledged_at(), i.resolved_at());
            if let Some(resolved) = i.fields.resolved {
                prop_assert!(resolved >= i.created, "a resolution before creation is rejected");
            }
        }
    }

    #[test]
    fn csv_errors_name_the_file(bytes in prop_oneof![
        any::<Vec<u8>>(),
        csv_export().prop_map(|mut b| { b.truncate(b.len() / 2); b }),
    ]) {
        if let Err(e) = csv_incidents::read(CSV, &bytes, TZ) {
            prop_assert!(format!("{e:#}").starts_with(CSV), "{e:#}");
        }
    }

    #[test]
    fn postmortems_never_panic_and_errors_name_file_and_line(text in postmortem_json()) {
        let rel = "content/postmortems/gen.json";
        if let Err(e) = postmortem::parse(rel, &text) {
            let message = format!("{e:#}");
            let rest = message.strip_prefix(rel).and_then(|r| r.strip_prefix(':'));
            prop_assert!(
                rest.is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())),
                "{message}"
            );
        }
    }

    #[test]
    fn strict_json_agrees_with_serde_json_without_duplicates(value in json_value()) {
        let text = value.to_string();
        // Against serde_json's own reading (its float parsing is not an exact round trip).
        let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(strict_json::from_str(&text).unwrap(), expected);
    }

    #[test]
    fn policies_never_panic_and_errors_name_the_file(text in policy_md()) {
        let rel = "content/policies/gen.md";
        if let Err(e) = pagerproof::ingest::policy::parse(rel, &text) {
            prop_assert!(format!("{e:#}").starts_with(rel), "{e:#}");
        }
    }

    #[test]
    fn front_matter_splits_never_panic(text in prop_oneof![
        any::<String>(),
        (any::<String>(), any::<String>()).prop_map(|(a, b)| format!("+++\n{a}\n+++\n{b}")),
        (any::<String>(), any::<String>()).prop_map(|(a, b)| format!("\u{feff}+++\r\n{a}+++{b}")),
    ]) {
        if let Err(e) = pagerproof::ingest::frontmatter::split("x.md", &text) {
            prop_assert!(format!("{e:#}").starts_with("x.md"), "{e:#}");
        }
        let _ = pagerproof::ingest::responses::parse("content/responses/x.md", &text);
    }

    #[test]
    fn markdown_renders_quickly_whatever_the_nesting(depth in 0usize..5000, marker in prop::sample::select(vec!["> ", ">", "- ", "* ", "1. "])) {
        let text = format!("{}deep\n", marker.repeat(depth));
        let html = pagerproof::render::markdown::to_html(&text);
        prop_assert!(html.contains("deep"));
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshot JSONL and whole sites

const SITE_TOML: &str = "[organization]\nname = \"Gen\"\ntimezone = \"America/Chicago\"\n\
    [period]\nname = \"H1\"\nstart = 2026-01-01\nend = 2026-06-30\n\
    [policy]\nfile = \"content/policies/incident-response.md\"\n";

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A site with the variants fixture's policy and the given files, written in the given order.
fn site(files: &[(String, Vec<u8>)]) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/variants/content/policies/incident-response.md"),
    )
    .unwrap();
    write(dir.path(), "site.toml", SITE_TOML.as_bytes());
    write(dir.path(), "content/policies/incident-response.md", &policy);
    for (rel, bytes) in files {
        write(dir.path(), rel, bytes);
    }
    let config = Config::load(dir.path()).unwrap();
    (dir, config)
}

/// PagerDuty API incident records: plausible ones with hostile field values, and anything.
fn incident_record() -> impl Strategy<Value = String> {
    let plausible = (
        number_text(),
        "[A-Z0-9]{0,8}",
        timestamp_text(),
        timestamp_text(),
        text(),
        prop::sample::select(vec!["high", "low", "", "x"]),
        prop::option::of(text()),
    )
        .prop_map(
            |(number, id, created, resolved, title, urgency, priority)| {
                let number: serde_json::Value = number
                    .parse::<u64>()
                    .map(Into::into)
                    .unwrap_or(number.into());
                serde_json::json!({
                    "id": id, "incident_number": number, "created_at": created,
                    "resolved_at": resolved, "title": title, "urgency": urgency,
                    "priority": priority.map(|p| serde_json::json!({"summary": p})),
                    "service": {"id": "PS1", "summary": "svc"},
                })
                .to_string()
            },
        );
    prop_oneof![
        6 => plausible,
        1 => json_value().prop_map(|v| v.to_string()),
        1 => "[^\n]{0,40}",
        1 => Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn snapshot_rows_each_land_in_one_bucket_or_the_file_and_line_is_named(
        lines in prop::collection::vec(incident_record(), 0..10)
    ) {
        let rel = "content/pagerduty/incidents.jsonl";
        let body = lines.join("\n");
        let (_dir, config) = site(&[(rel.to_string(), body.clone().into_bytes())]);
        match pagerproof::ingest::load(&config) {
            Ok(inputs) => {
                let a = inputs.accounting;
                prop_assert_eq!(a.rows_read, a.accepted + a.duplicates + a.outside_period + a.rejected);
                let records = lines.iter().filter(|l| !l.trim().is_empty()).count() as u64;
                prop_assert_eq!(a.rows_read, records);
                for r in &inputs.rejected {
                    prop_assert_eq!(&*r.at.file, rel);
                    prop_assert!(r.at.line >= 1 && r.at.line as usize <= lines.len());
                }
                let _ = pagerproof::evidence::evaluate(&config, &inputs);
            }
            Err(e) => {
                let message = format!("{e:#}");
                prop_assert!(message.starts_with(&format!("{rel}:")), "{message}");
            }
        }
    }

    #[test]
    fn verdicts_do_not_depend_on_the_order_files_were_written(
        a in csv_export(), b in csv_export()
    ) {
        let files = vec![
            ("content/incidents/a.csv".to_string(), a),
            ("content/incidents/b.csv".to_string(), b),
        ];
        let reversed: Vec<_> = files.iter().rev().cloned().collect();
        let evaluate = |files: &[(String, Vec<u8>)]| {
            let (_dir, config) = site(files);
            pagerproof::ingest::load(&config).map(|inputs| {
                let evidence = pagerproof::evidence::evaluate(&config, &inputs);
                serde_json::to_string(&evidence).unwrap()
            }).map_err(|e| format!("{e:#}"))
        };
        prop_assert_eq!(evaluate(&files), evaluate(&reversed));
    }
}

// ---------------------------------------------------------------------------------------------
// Zips: verify accepts exactly the untouched package

#[derive(Debug, Clone)]
enum Tamper {
    None,
    Truncate(prop::sample::Index),
    Duplicate(prop::sample::Index),
    RenameLocal(prop::sample::Index),
    RenameCentral(prop::sample::Index),
    Drop(prop::sample::Index),
    FlipPayloadByte(prop::sample::Index, prop::sample::Index),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    let i = any::<prop::sample::Index>;
    prop_oneof![
        2 => Just(Tamper::None),
        1 => i().prop_map(Tamper::Truncate),
        1 => i().prop_map(Tamper::Duplicate),
        1 => i().prop_map(Tamper::RenameLocal),
        1 => i().prop_map(Tamper::RenameCentral),
        1 => i().prop_map(Tamper::Drop),
        1 => (i(), i()).prop_map(|(a, b)| Tamper::FlipPayloadByte(a, b)),
    ]
}

/// Site files: safe relative names and any bytes.
fn site_files() -> impl Strategy<Value = std::collections::BTreeMap<String, Vec<u8>>> {
    prop::collection::btree_map(
        "[a-z]{1,6}(/[a-z0-9]{1,6}){0,2}\\.(html|csv|json)",
        prop::collection::vec(any::<u8>(), 1..200),
        1..6,
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn verify_accepts_exactly_the_untouched_package(files in site_files(), how in tamper()) {
        use pagerproof::package::{archive, bagit::BagInfo, verify::verify_path, write_package};
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("public");
        for (rel, bytes) in &files {
            // A name that is also a directory of another name cannot exist on disk: skip it.
            if files.keys().any(|other| other.starts_with(&format!("{rel}/"))) {
                return Ok(());
            }
            write(&site, rel, bytes);
        }
        let date = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let info = BagInfo {
            organization: "Gen".into(),
            period: "H1".into(),
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            end: date,
            as_of: date,
            identifier: "pagerproof:gen:h1".into(),
            prepared: None,
            previous: None,
        };
        let mtime = archive::zip_time(date, None).unwrap();
        let id = write_package(&site, &dir.path().join("dist"), "gen-h1", &info, mtime).unwrap();
        let original = std::fs::read(&id.zip).unwrap();

        // The package as raw entries, rebuilt stored so entries can be renamed or repeated.
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&original)).unwrap();
        let mut entries: Vec<RawEntry> = (0..archive.len())
            .map(|i| {
                let mut e = archive.by_index(i).unwrap();
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut e, &mut data).unwrap();
                RawEntry::new(&e.name().unwrap(), &data)
            })
            .collect();
        let payload: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.central.contains("/data/"))
            .map(|(i, _)| i)
            .collect();
        let bytes = match how {
            Tamper::None => original.clone(),
            Tamper::Truncate(at) => original[..at.index(original.len())].to_vec(),
            Tamper::Duplicate(which) => {
                let e = &entries[which.index(entries.len())];
                let mut forged = RawEntry::new(&e.central, b"forged");
                if forged.data == e.data {
                    forged.data.push(b'!');
                }
                entries.insert(0, forged);
                stored_zip(&entries)
            }
            Tamper::RenameLocal(which) => {
                let at = which.index(entries.len());
                entries[at].local.push('x');
                stored_zip(&entries)
            }
            Tamper::RenameCentral(which) => {
                // Renamed consistently: a file the manifests do not list, one they miss.
                let e = &mut entries[payload[which.index(payload.len())]];
                e.central.push('x');
                e.local = e.central.clone();
                stored_zip(&entries)
            }
            Tamper::Drop(which) => {
                let files: Vec<usize> = (0..entries.len())
                    .filter(|i| !entries[*i].central.ends_with('/'))
                    .collect();
                entries.remove(files[which.index(files.len())]);
                stored_zip(&entries)
            }
            Tamper::FlipPayloadByte(which, at) => {
                let e = &mut entries[payload[which.index(payload.len())]];
                let at = at.index(e.data.len());
                e.data[at] ^= 0x01;
                stored_zip(&entries)
            }
        };
        let path = dir.path().join("candidate.zip");
        std::fs::write(&path, &bytes).unwrap();
        let report = verify_path(&path, None);
        match how {
            Tamper::None => prop_assert!(report.is_ok(), "{:#?}", report.problems),
            _ => prop_assert!(!report.is_ok(), "{how:?} was verified"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the properties found, kept as plain regression tests

#[test]
fn a_duration_ending_in_a_multibyte_character_is_an_error_not_a_panic() {
    // Panicked before: the unit was split off one byte before the end.
    assert!(parse_duration("5⃧").is_err());
    assert!(Target::parse("4hé").is_err());
}
