//! customers.html, `summary.json` `statuspage` and `by_class`: a fixture site with a Statuspage
//! snapshot and a security service, built by the binary.

mod common;

use common::*;
use serde_json::json;

fn with_statuspage() -> tempfile::TempDir {
    let site = copy_fixture("variants");
    let toml = site.path().join("site.toml");
    let mut text = read(&toml);
    text.push_str(
        "\n[statuspage]\ncomponents = { \"Checkout\" = [\"checkout-api\"], cmp-auth = [\"auth\"] }\n\
         match_window = \"1h\"\n\n[classification]\nsecurity_services = [\"Auth\"]\n",
    );
    std::fs::write(&toml, text).unwrap();
    let dir = site.path().join("content/statuspage");
    std::fs::create_dir_all(&dir).unwrap();
    let lines = [
        // #201 checkout-api 16:00Z: told 20 minutes later — detected first.
        json!({"id": "spfirst", "name": "Checkout errors", "impact": "major", "status": "resolved",
               "created_at": "2026-02-02T10:20:00-06:00", "shortlink": "https://stspg.io/abc",
               "components": [{"id": "cmp-co", "name": "Checkout"}]}),
        // #207 auth 15:00Z: told 10 minutes before PagerDuty had it.
        json!({"id": "spafter", "name": "Login failing", "impact": "minor", "status": "resolved",
               "created_at": "2026-04-01T14:50:00Z", "components": [{"id": "cmp-auth", "name": "Login"}]}),
        // No PagerDuty incident on checkout-api near it.
        json!({"id": "spnone", "name": "<b>Slow</b> pages", "impact": "minor", "status": "resolved",
               "created_at": "2026-05-05T12:00:00Z", "components": [{"id": "cmp-co", "name": "Checkout"}]}),
        json!({"id": "spmaint", "name": "Database upgrade", "impact": "maintenance", "status": "completed",
               "created_at": "2026-03-01T12:00:00Z", "scheduled_for": "2026-03-08T06:00:00Z",
               "components": [{"id": "cmp-co", "name": "Checkout"}]}),
        // Before the period: not counted.
        json!({"id": "spold", "name": "Old", "impact": "major", "created_at": "2025-12-01T12:00:00Z",
               "components": []}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("incidents.jsonl"), body).unwrap();
    site
}

#[test]
fn public_incidents_are_matched_judged_and_shown_with_maintenance_apart() {
    let site = with_statuspage();
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(
        summary["statuspage"],
        json!({"incidents": 3, "matched": 2, "detected_first": 1, "median_lead_seconds": -600})
    );
    let kinds = &summary["exceptions"]["by_kind"];
    assert_eq!(kinds["statuspage_unmatched"], 1);
    assert_eq!(kinds["detected_after_customers"], 1);

    let page = read(&out.join("customers.html"));
    assert!(page.contains(r#"<tr id="sp-spfirst">"#));
    assert!(page.contains("detected before customers</span>"));
    assert!(page.contains(r#"href="incidents/201.html">#201</a>"#));
    assert!(page.contains("20m 00s before"));
    assert!(
        page.contains(r#"href="exceptions.html#detected_after_customers.3aspafter""#)
            || page.contains("detected_after_customers:spafter")
    );
    assert!(page.contains("statuspage_unmatched:spnone"));
    assert!(
        page.contains("&lt;b&gt;Slow&lt;&#x2F;b&gt; pages")
            || page.contains("&lt;b&gt;Slow&lt;/b&gt; pages")
    );
    assert!(
        page.contains("Database upgrade"),
        "maintenance listed apart"
    );
    assert!(!page.contains("spold"));
    let exceptions = read(&out.join("exceptions.html"));
    assert!(exceptions.contains(r#"href="customers.html#sp-spafter""#));
    assert!(read(&out.join("index.html")).contains(r#"href="customers.html">Customers</a>"#));
    let method = read(&out.join("method.html"));
    assert!(method.contains(r#"id="statuspage-match""#));
}

#[test]
fn security_incidents_are_counted_apart_and_sum_to_the_population() {
    let site = with_statuspage();
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    let class = &summary["by_class"];
    let in_period = summary["population"]["accepted"].as_u64().unwrap();
    let security = class["security"]["incidents"].as_u64().unwrap();
    let operational = class["operational"]["incidents"].as_u64().unwrap();
    assert_eq!(security + operational, in_period);
    assert_eq!(
        security, 3,
        "#207, #212, #213 on auth (#209 is outside the period)"
    );
    let controls = read(&out.join("controls.html"));
    assert!(controls.contains(r#"id="classes""#));
    assert!(
        read(&out.join("index.html"))
            .contains(r#"href="incidents/index.html?class=security">3</a>"#)
    );
    let register = read(&out.join("incidents/index.html"));
    assert!(register.contains(r#"<select id="f-class">"#));
    assert_eq!(register.matches(r#"data-class="security""#).count(), 3);
    let csv = read(&out.join("data/register.csv"));
    assert!(csv.lines().next().unwrap().ends_with(",Class"));
    assert_eq!(csv.lines().filter(|l| l.ends_with(",security")).count(), 3);
}

#[test]
fn without_a_snapshot_nothing_is_tested_and_every_figure_is_zero() {
    let site = copy_fixture("variants");
    let out = build(site.path());
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(
        summary["statuspage"],
        json!({"incidents": 0, "matched": 0, "detected_first": 0, "median_lead_seconds": 0})
    );
    assert!(read(&out.join("customers.html")).contains("No Statuspage snapshot"));
}

#[test]
fn component_ids_in_the_mapping_are_shown_with_their_statuspage_names() {
    let site = with_statuspage();
    let components = "{\"id\": \"cmp-auth\", \"name\": \"Login & SSO\"}\n\
                      {\"id\": \"cmp-co\", \"name\": \"Checkout\"}\n";
    std::fs::write(
        site.path().join("content/statuspage/components.jsonl"),
        components,
    )
    .unwrap();
    let out = build(site.path());
    let page = read(&out.join("customers.html"));
    // The id key gains its name (escaped); the name key stays as written.
    assert!(page.contains("Login &amp; SSO (cmp-auth) → auth"), "{page}");
    assert!(page.contains("Checkout → checkout-api"));
    // The components file is not read as incidents.
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/summary.json"))).unwrap();
    assert_eq!(summary["statuspage"]["incidents"], 3);
}
