//! The fictional company behind the example: people, services, calendar and incident vocabulary.

use chrono::{Datelike, NaiveDate, Weekday};

pub const ORG: &str = "Northwind Cloud, Inc.";
pub const PAGERDUTY: &str = "https://northwind-cloud.pagerduty.com";
pub const JIRA: &str = "https://northwind-cloud.atlassian.net";
pub const ESCALATION_POLICY: &str = "Production Services";
pub const ESCALATION_POLICY_ID: &str = "PZ4K7QD";
pub const TEAM: &str = "Platform Engineering";

/// The policy's severity levels: level, name, PagerDuty/CSV aliases (a TOML array) and
/// definition. The policy document and the PagerDuty priorities both list them.
pub const LEVELS: [(&str, &str, &str, &str); 4] = [
    (
        "P1",
        "Critical",
        r#"["SEV-1", "SEV1"]"#,
        "Complete outage of a customer-facing service, payments failing for many customers, or a confirmed security breach.",
    ),
    (
        "P2",
        "High",
        r#"["SEV-2", "SEV2"]"#,
        "Major degradation of a customer-facing service or a core feature unavailable for a subset of customers; no workaround.",
    ),
    (
        "P3",
        "Medium",
        r#"["SEV-3", "SEV3"]"#,
        "Partial degradation with a workaround, or an internal system impaired.",
    ),
    (
        "P4",
        "Low",
        r#"["SEV-4", "SEV4"]"#,
        "Minor issue or early warning with no current customer impact.",
    ),
];

/// A person who carries the pager (or reviews postmortems).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub name: &'static str,
    pub email: &'static str,
    /// PagerDuty user id.
    pub pd_id: &'static str,
}

/// The six engineers of the weekly primary on-call rotation, in rotation order.
pub const ENGINEERS: [Person; 6] = [
    Person {
        name: "Priya Raman",
        email: "priya.raman@northwind.example",
        pd_id: "PR1YA7N",
    },
    Person {
        name: "Marcus Chen",
        email: "marcus.chen@northwind.example",
        pd_id: "PMC8H2E",
    },
    Person {
        name: "Elena Sokolova",
        email: "elena.sokolova@northwind.example",
        pd_id: "PE5OK0V",
    },
    Person {
        name: "Jamal Wright",
        email: "jamal.wright@northwind.example",
        pd_id: "PJW9R3T",
    },
    Person {
        name: "Hannah Okafor",
        email: "hannah.okafor@northwind.example",
        pd_id: "PHO4K6F",
    },
    Person {
        name: "Tomás Alvarez",
        email: "tomas.alvarez@northwind.example",
        pd_id: "PTA2L8V",
    },
];

/// Escalation level 2 (and postmortem facilitators).
pub const SRE_LEAD: Person = Person {
    name: "Grace Liu",
    email: "grace.liu@northwind.example",
    pd_id: "PGL7U1Q",
};
/// Escalation level 3.
pub const ENG_MANAGER: Person = Person {
    name: "Daniel Brooks",
    email: "daniel.brooks@northwind.example",
    pd_id: "PDB3R0K",
};
pub const CTO: &str = "Sofia Marquez, CTO";
pub const VP_ENG: &str = "Dana Whitfield, VP Engineering";
pub const SECURITY_LEAD: &str = "Oliver Grant, Head of Security & Compliance";

/// Other engineers who own action items.
pub const ITEM_OWNERS: [&str; 6] = [
    "Sam Lee",
    "Ana Petrovic",
    "Kwame Mensah",
    "Lucy Tanaka",
    "Ravi Iyer",
    "Noor Haddad",
];

/// US holidays observed in 2026 (business-hours calendar and on-call overrides).
pub const HOLIDAYS_2026: [(u32, u32, &str); 10] = [
    (1, 1, "New Year's Day"),
    (1, 19, "Martin Luther King Jr. Day"),
    (2, 16, "Presidents' Day"),
    (5, 25, "Memorial Day"),
    (6, 19, "Juneteenth"),
    (7, 3, "Independence Day (observed)"),
    (9, 7, "Labor Day"),
    (11, 26, "Thanksgiving Day"),
    (11, 27, "Day after Thanksgiving"),
    (12, 25, "Christmas Day"),
];

/// US holidays observed in 2025.
pub const HOLIDAYS_2025: [(u32, u32, &str); 10] = [
    (1, 1, "New Year's Day"),
    (1, 20, "Martin Luther King Jr. Day"),
    (2, 17, "Presidents' Day"),
    (5, 26, "Memorial Day"),
    (6, 19, "Juneteenth"),
    (7, 4, "Independence Day"),
    (9, 1, "Labor Day"),
    (11, 27, "Thanksgiving Day"),
    (11, 28, "Day after Thanksgiving"),
    (12, 25, "Christmas Day"),
];

pub fn holidays(table: &[(u32, u32, &str)], year: i32) -> Vec<NaiveDate> {
    table
        .iter()
        .filter_map(|(m, d, _)| NaiveDate::from_ymd_opt(year, *m, *d))
        .collect()
}

pub fn is_business_day(date: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date)
}

/// A holiday on-call override: from `first` to `last` (month, day; inclusive) `engineer` (an index
/// into ENGINEERS) covers instead of the engineer whose week it is, as the on-call policy describes.
#[derive(Debug)]
pub struct Override {
    pub first: (u32, u32),
    pub last: (u32, u32),
    pub engineer: usize,
}

pub const OVERRIDES_2026: [Override; 4] = [
    Override {
        first: (1, 1),
        last: (1, 2),
        engineer: 3,
    },
    Override {
        first: (7, 3),
        last: (7, 5),
        engineer: 1,
    },
    Override {
        first: (11, 26),
        last: (11, 29),
        engineer: 4,
    },
    Override {
        first: (12, 24),
        last: (12, 27),
        engineer: 2,
    },
];

/// The 2025 holiday overrides (the same four holidays, other volunteers).
pub const OVERRIDES_2025: [Override; 4] = [
    Override {
        first: (1, 1),
        last: (1, 1),
        engineer: 5,
    },
    Override {
        first: (7, 4),
        last: (7, 6),
        engineer: 0,
    },
    Override {
        first: (11, 27),
        last: (11, 30),
        engineer: 2,
    },
    Override {
        first: (12, 24),
        last: (12, 28),
        engineer: 3,
    },
];

/// A PagerDuty service and the alerts it raises.
#[derive(Debug)]
pub struct Service {
    pub name: &'static str,
    pub pd_id: &'static str,
    /// Relative share of incidents per priority P1..P4.
    pub weights: [u64; 4],
    /// Jira project key its follow-up work is tracked in.
    pub jira: &'static str,
    /// Titles of high-severity alerts; `{n}` is a small number, `{h}` a host suffix.
    pub major: &'static [&'static str],
    /// Titles of low-severity alerts.
    pub minor: &'static [&'static str],
}

pub const SERVICES: [Service; 8] = [
    Service {
        name: "checkout-api",
        pd_id: "PCK8T2A",
        weights: [30, 22, 14, 10],
        jira: "CHK",
        major: &[
            "[checkout-api] 5xx rate > 5% for 5 minutes",
            "[checkout-api] p99 latency > 2s",
            "Checkout failing for EU customers, HTTP 502 from edge",
            "[checkout-api] order submission errors, queue backlog > 10k",
        ],
        minor: &[
            "[checkout-api] p95 latency > 800ms",
            "[checkout-api] pod restarts on checkout-api-{h}",
            "[checkout-api] elevated 4xx rate, coupon validation",
            "[checkout-api] HPA at max replicas for 30m",
            "Canary deploy of checkout-api {n}.{n}.0 failed health check",
        ],
    },
    Service {
        name: "web-app",
        pd_id: "PWB3A9X",
        weights: [14, 14, 14, 12],
        jira: "WEB",
        major: &[
            "app.northwind.example returning 503 from load balancer",
            "[web-app] login page blank, JS bundle 404 after deploy",
            "[web-app] Synthetic check failing: dashboard load > 10s",
        ],
        minor: &[
            "[web-app] Synthetic check flapping, us-west-2",
            "[web-app] CDN cache hit ratio < 70%",
            "[web-app] Sentry error spike: TypeError in invoice editor",
            "[web-app] Lighthouse budget exceeded on /billing",
            "CSP violation reports above baseline, web-app",
        ],
    },
    Service {
        name: "payments-gateway",
        pd_id: "PPY6G4M",
        weights: [26, 18, 10, 6],
        jira: "PAY",
        major: &[
            "[payments-gateway] card authorisations failing, Stripe timeouts",
            "[payments-gateway] payout batch stuck in PENDING",
            "Webhook signature verification failures, payments-gateway",
            "[payments-gateway] duplicate charge alarm, reconciliation mismatch",
        ],
        minor: &[
            "[payments-gateway] retry queue depth > 500",
            "[payments-gateway] settlement report late, job {n}",
            "[payments-gateway] 3DS challenge latency > 3s",
            "Currency rates feed stale > 2h, payments-gateway",
        ],
    },
    Service {
        name: "auth-service",
        pd_id: "PAU5H1S",
        weights: [18, 14, 10, 8],
        jira: "IAM",
        major: &[
            "[auth-service] token issuance errors > 2%",
            "SSO login failing for Okta tenants, SAML assertion rejected",
            "[auth-service] brute-force pattern detected, rate limiter saturated",
        ],
        minor: &[
            "[auth-service] MFA SMS delivery delays",
            "[auth-service] session store memory > 85% on redis-auth-{h}",
            "[auth-service] JWKS refresh failures",
            "TLS certificate expiring on sso.northwind.example in 21 days",
            "TLS certificate expiring on auth.northwind.example in 7 days",
        ],
    },
    Service {
        name: "search",
        pd_id: "PSR2C7H",
        weights: [4, 8, 14, 16],
        jira: "SRCH",
        major: &[
            "[search] Elasticsearch cluster RED, es-search-{h}",
            "[search] query error rate > 10%",
        ],
        minor: &[
            "[search] Elasticsearch cluster YELLOW, unassigned shards",
            "[search] indexing lag > 15m",
            "[search] heap usage > 85% on es-search-{h}",
            "[search] slow queries > 2s, invoices index",
        ],
    },
    Service {
        name: "data-pipeline",
        pd_id: "PDP9L3Q",
        weights: [2, 10, 16, 22],
        jira: "DATA",
        major: &[
            "[data-pipeline] nightly revenue export failed, finance reports blocked",
            "[data-pipeline] Kafka consumer lag > 1M on billing-events",
        ],
        minor: &[
            "[data-pipeline] Airflow DAG usage_rollup failed (attempt {n})",
            "[data-pipeline] Kafka consumer lag > 50k on billing-events",
            "[data-pipeline] S3 export bucket 403s, warehouse loader",
            "[data-pipeline] dbt test failures in stg_invoices",
            "etl-worker-0{h}.internal/chef-client : CheckProcess CRITICAL: Found 0 matching processes",
        ],
    },
    Service {
        name: "notifications",
        pd_id: "PNT4F8B",
        weights: [2, 6, 12, 16],
        jira: "NOTIF",
        major: &[
            "[notifications] email delivery halted, SES sending paused",
            "[notifications] invoice emails not sent for > 1h",
        ],
        minor: &[
            "[notifications] SES bounce rate > 4%",
            "[notifications] push queue backlog > 5k",
            "[notifications] SMS provider returning 429, fallback active",
            "[notifications] template render errors, dunning emails",
        ],
    },
    Service {
        name: "postgres-platform",
        pd_id: "PPG1D6R",
        weights: [12, 14, 12, 10],
        jira: "DBA",
        major: &[
            "Postgres primary failover on db-orders-{h}",
            "Postgres replica lag > 5 min on db-orders-{h}",
            "[postgres-platform] connection pool exhausted, pgbouncer-{h}",
        ],
        minor: &[
            "Postgres replica lag on db-orders-{h}",
            "[postgres-platform] disk usage > 80% on db-billing-{h}",
            "[postgres-platform] long-running transaction > 30m",
            "[postgres-platform] autovacuum not keeping up, table invoices",
            "[postgres-platform] WAL archive lag > 10m",
        ],
    },
];

/// A root-cause story for a postmortem, chosen by service.
#[derive(Debug)]
pub struct Scenario {
    pub service: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub monitor: &'static str,
    pub root_cause: &'static str,
    pub trigger: &'static str,
    pub resolution: &'static str,
    /// (title, type) of the follow-up work.
    pub actions: &'static [(&'static str, &'static str)],
    pub preventive: &'static str,
}

pub const SCENARIOS: [Scenario; 10] = [
    Scenario {
        service: "checkout-api",
        title: "Checkout API errors after connection-pool regression",
        summary: "A release of checkout-api lowered the database connection pool to 10 per pod. Under the afternoon peak the pool saturated and order submissions failed with HTTP 500.",
        monitor: "Datadog: checkout-api 5xx rate",
        root_cause: "The pool size moved from an environment variable to a config file during a refactor; the file kept the library default of 10. Staging never reaches the concurrency at which this matters, and no check compares effective settings between environments.",
        trigger: "Deploy of checkout-api at the start of the afternoon traffic peak.",
        resolution: "Rolled back to the previous release; pool size restored to 60 and redeployed the next morning.",
        actions: &[
            (
                "Add effective-config diff between staging and production to the deploy pipeline",
                "prevent",
            ),
            ("Alert on connection-pool wait time above 200 ms", "detect"),
            (
                "Load-test checkout at 2x peak before releases touching the data layer",
                "prevent",
            ),
        ],
        preventive: "Configuration that changes capacity (pool sizes, limits, timeouts) now needs a second reviewer from SRE.",
    },
    Scenario {
        service: "payments-gateway",
        title: "Card authorisations timing out at the payment processor",
        summary: "Calls to the card processor timed out for a share of requests. Customers saw failed payments at checkout and some retried, creating duplicate authorisations that were voided afterwards.",
        monitor: "Datadog: payments-gateway authorisation success rate",
        root_cause: "Our HTTP client reused connections the processor had already closed after its own maintenance; retries were not idempotent because the idempotency key was generated per attempt instead of per payment.",
        trigger: "Processor-side maintenance that recycled its load balancers.",
        resolution: "Disabled connection reuse toward the processor and voided 214 duplicate authorisations.",
        actions: &[
            (
                "Generate idempotency keys per payment intent, not per attempt",
                "prevent",
            ),
            (
                "Subscribe the on-call channel to the processor's status page",
                "detect",
            ),
            ("Runbook: voiding duplicate authorisations", "mitigate"),
        ],
        preventive: "Every outbound payment call carries an idempotency key that is stable across retries; a contract test enforces it.",
    },
    Scenario {
        service: "auth-service",
        title: "SSO logins failing after IdP certificate rotation",
        summary: "Customers using SAML single sign-on could not log in because their identity provider rotated its signing certificate and our metadata cache kept the old one.",
        monitor: "Datadog: auth-service SAML assertion failures",
        root_cause: "Metadata for SAML tenants was cached for 30 days with no refresh on signature failure. The rotation was announced to tenant admins but not to us.",
        trigger: "A large tenant's Okta signing-certificate rotation.",
        resolution: "Forced a metadata refresh for all SAML tenants; added refresh-on-failure.",
        actions: &[
            (
                "Refresh SAML metadata on signature failure, at most once a minute per tenant",
                "prevent",
            ),
            (
                "Alert on SAML failures per tenant above 5 in 5 minutes",
                "detect",
            ),
        ],
        preventive: "Cache lifetimes for third-party trust material are capped at 24 hours.",
    },
    Scenario {
        service: "postgres-platform",
        title: "Orders database failover and replica lag",
        summary: "The primary of db-orders failed over after storage latency spiked. The promoted replica was several minutes behind, so the application served stale reads until it caught up.",
        monitor: "Datadog: postgres replication lag",
        root_cause: "A bulk backfill ran on the primary without throttling, saturating storage IOPS; replication fell behind and the health check promoted a lagging replica because its lag threshold was not part of the failover decision.",
        trigger: "Unthrottled backfill migration started outside the change window.",
        resolution: "Paused the backfill, waited for replicas to converge, and re-ran the backfill with throttling overnight.",
        actions: &[
            (
                "Make replication lag part of the failover eligibility check",
                "prevent",
            ),
            (
                "Throttle backfills through the migration runner by default",
                "prevent",
            ),
            ("Dashboard: IOPS headroom per database", "detect"),
        ],
        preventive: "Backfills are change-managed and run through the throttled migration runner only.",
    },
    Scenario {
        service: "web-app",
        title: "Web app unavailable after CDN configuration change",
        summary: "A CDN rule change sent requests for the application shell to an origin path that did not exist. The web app returned 503 for all users until the rule was reverted.",
        monitor: "Checkly synthetic: dashboard load",
        root_cause: "The CDN configuration is edited in the vendor console, outside code review; the change was meant for the marketing site's property.",
        trigger: "Manual CDN rule edit on the wrong property.",
        resolution: "Reverted the rule from the CDN's version history.",
        actions: &[
            ("Manage CDN configuration as code with review", "prevent"),
            (
                "Restrict CDN console write access to the platform team",
                "prevent",
            ),
        ],
        preventive: "CDN changes go through Terraform and pull-request review.",
    },
    Scenario {
        service: "checkout-api",
        title: "Order queue backlog from a poisoned message",
        summary: "One malformed order event made the order worker crash and restart in a loop. The queue backed up and order confirmations were delayed for most customers.",
        monitor: "Datadog: SQS orders queue age",
        root_cause: "The worker did not move messages that failed repeatedly to a dead-letter queue, and the event schema allowed a null currency.",
        trigger: "An order created through the legacy API without a currency.",
        resolution: "Removed the message manually, deployed a schema fix and enabled the dead-letter queue.",
        actions: &[
            (
                "Dead-letter queue after 3 failed deliveries on every worker queue",
                "prevent",
            ),
            ("Reject null currency at the legacy API", "prevent"),
            ("Alert on queue age above 5 minutes", "detect"),
        ],
        preventive: "Queue consumers must configure a dead-letter queue; the service template does it by default.",
    },
    Scenario {
        service: "search",
        title: "Search cluster RED after node replacement",
        summary: "Two search nodes were replaced at the same time during routine patching, leaving some primary shards without copies. Search returned errors for invoices until shards were restored from snapshot.",
        monitor: "Elasticsearch cluster health",
        root_cause: "The patching automation did not wait for the cluster to return to GREEN between node replacements.",
        trigger: "Monthly OS patching run.",
        resolution: "Restored the affected indices from the nightly snapshot and reindexed the delta.",
        actions: &[
            ("Gate node replacement on cluster health GREEN", "prevent"),
            ("Test snapshot restore quarterly", "process"),
        ],
        preventive: "Patching replaces one node at a time and checks cluster health in between.",
    },
    Scenario {
        service: "data-pipeline",
        title: "Revenue export failed, finance close delayed",
        summary: "The nightly revenue export to the warehouse failed for two nights, delaying the finance team's month-end close by a day.",
        monitor: "Airflow: DAG failure alert",
        root_cause: "An expired service-account key for the warehouse loader; the key's expiry was not monitored and the failure alert went to a channel nobody watched.",
        trigger: "Service-account key expiry.",
        resolution: "Rotated the key, re-ran both exports and confirmed totals with finance.",
        actions: &[
            (
                "Move warehouse loader to workload identity (no static keys)",
                "prevent",
            ),
            (
                "Route Airflow failures for finance DAGs to PagerDuty",
                "detect",
            ),
        ],
        preventive: "Static credentials are inventoried with expiry alerts 30 days ahead.",
    },
    Scenario {
        service: "notifications",
        title: "Invoice emails not delivered after SES sending pause",
        summary: "Our email provider paused sending after the bounce rate crossed its threshold. Invoice and password-reset emails were not delivered for several hours.",
        monitor: "Datadog: notifications delivery rate",
        root_cause: "A customer imported a stale contact list; bounces were not suppressed per customer, so one tenant's list put the whole account over the provider's threshold.",
        trigger: "Bulk contact import by one tenant.",
        resolution: "Suppressed the bouncing addresses and requested reinstatement from the provider.",
        actions: &[
            (
                "Per-tenant bounce suppression and sending limits",
                "prevent",
            ),
            ("Alert at 50% of the provider's bounce threshold", "detect"),
        ],
        preventive: "Tenants with a bounce rate above 3% are throttled automatically.",
    },
    Scenario {
        service: "auth-service",
        title: "Token issuance errors from exhausted Redis memory",
        summary: "The session store ran out of memory and started rejecting writes; logins and token refreshes failed for a subset of users.",
        monitor: "Datadog: auth-service token error rate",
        root_cause: "Sessions created by a new mobile client were stored without a TTL, so memory grew until eviction could not keep up.",
        trigger: "Mobile client release with long-lived sessions.",
        resolution: "Scaled the Redis cluster, backfilled TTLs on existing keys and fixed the client.",
        actions: &[
            (
                "Enforce a TTL on every session write in the auth library",
                "prevent",
            ),
            ("Alert on Redis memory above 75%", "detect"),
        ],
        preventive: "Session writes without TTL fail in tests.",
    },
];
