//! verify.html: how to check the package's manifest and signature, by its file name, how to
//! rebuild it from itself, and its provenance (also shown in a small block on the dashboard).

use anyhow::Result;
use serde::Serialize;

use crate::evidence::provenance::Provenance;
use crate::render::context::Ctx;
use crate::util::{local_time_secs, utc_rfc3339};

/// When, by whom, from what and with which tool the evidence was prepared.
#[derive(Debug, Clone, Serialize)]
pub struct ProvenanceView {
    /// In the organisation's zone, with its offset.
    pub prepared_at: String,
    pub prepared_at_utc: String,
    /// What decided the instant, in words.
    pub prepared_from: String,
    /// `[package] preparer`, or "not named".
    pub preparer: String,
    pub content_commit: String,
    /// The pagerproof version, with its source commit when built from git.
    pub tool: String,
}

impl ProvenanceView {
    pub fn new(p: &Provenance, tz: chrono_tz::Tz) -> Self {
        ProvenanceView {
            prepared_at: local_time_secs(p.prepared_at, tz),
            prepared_at_utc: utc_rfc3339(p.prepared_at),
            prepared_from: p.prepared_from.clone(),
            preparer: p.preparer.clone().unwrap_or_else(|| "not named".into()),
            content_commit: p.content_commit_text(),
            tool: format!("pagerproof {}", env!("PAGERPROOF_VERSION")),
        }
    }
}

#[derive(Serialize)]
struct VerifyPage {
    name: String,
    provenance: ProvenanceView,
    previous: Option<PreviousView>,
}

/// The hash chain's link to the previous period's package.
#[derive(Serialize)]
struct PreviousView {
    zip_name: String,
    sha256: String,
    identifier: String,
    /// Whether changes.html exists (written whenever there is a previous period).
    changes: bool,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let data = VerifyPage {
        name: ctx.config.package_name(),
        provenance: ProvenanceView::new(&ctx.evidence.provenance, ctx.tz()),
        previous: ctx.inputs.previous.as_ref().map(|p| PreviousView {
            zip_name: p.zip_name.clone(),
            sha256: p.zip_sha256.clone(),
            identifier: p.identifier.clone(),
            changes: ctx.site.has_changes,
        }),
    };
    ctx.page(
        "verify.html",
        "verify.html",
        "How to verify this package",
        &data,
    )?;
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn provenance(preparer: Option<&str>, commit: Option<&str>, dirty: bool) -> Provenance {
        Provenance {
            prepared_at: DateTime::parse_from_rfc3339("2027-01-01T14:31:50Z")
                .unwrap()
                .with_timezone(&Utc),
            prepared_from: "the end of the as-of date".into(),
            newest_input: None,
            epoch_too_early: None,
            preparer: preparer.map(str::to_string),
            content_commit: commit.map(str::to_string),
            content_dirty: dirty,
        }
    }

    #[test]
    fn provenance_in_the_organisation_zone_and_utc() {
        let v = ProvenanceView::new(
            &provenance(Some("Grace Liu, Security Lead"), Some("abc123"), false),
            chrono_tz::America::New_York,
        );
        assert_eq!(v.prepared_at, "2027-01-01 09:31:50 -05:00");
        assert_eq!(v.prepared_at_utc, "2027-01-01T14:31:50Z");
        assert_eq!(v.preparer, "Grace Liu, Security Lead");
        assert_eq!(v.content_commit, "abc123");
        assert!(
            v.tool
                .starts_with(&format!("pagerproof {}", env!("CARGO_PKG_VERSION")))
        );
    }

    #[test]
    fn unnamed_preparer_and_no_checkout_are_said() {
        let v = ProvenanceView::new(&provenance(None, None, false), chrono_tz::UTC);
        assert_eq!(v.preparer, "not named");
        assert_eq!(v.content_commit, "none: the site was not a git checkout");
        let dirty = ProvenanceView::new(&provenance(None, Some("abc"), true), chrono_tz::UTC);
        assert_eq!(dirty.content_commit, "abc (with uncommitted changes)");
    }
}
