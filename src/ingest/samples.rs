//! Recorded sample selections: `content/samples/*.json`, written by `pagerproof sample`.

use anyhow::{Result, anyhow, bail};

use crate::model::sample::{SCHEMA, SampleRecord};

pub fn parse(rel: &str, text: &str) -> Result<SampleRecord> {
    let mut record: SampleRecord = serde_json::from_str(text)
        .map_err(|e| anyhow!("{rel}:{}: not a sample record: {e}", e.line().max(1)))?;
    if record.schema != SCHEMA {
        bail!(
            "{rel}:1: schema is `{}`, expected `{SCHEMA}`",
            record.schema
        );
    }
    record.source = rel.to_string();
    Ok(record)
}

/// Pretty JSON with a trailing newline, as `pagerproof sample` writes it.
pub fn to_json(record: &SampleRecord) -> String {
    let mut text = serde_json::to_string_pretty(record).expect("a sample record serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample::{Pick, PopulationRef, Stratify};

    #[test]
    fn round_trips_and_rejects_other_schemas() {
        let r = SampleRecord {
            schema: SCHEMA.into(),
            seed: "s".into(),
            size: 1,
            stratify: Some(Stratify::Severity),
            algorithm: "a".into(),
            population: PopulationRef {
                count: 1,
                sha256: "x".into(),
            },
            picks: vec![Pick {
                number: 7,
                stratum: Some("P1".into()),
                rank: "ab".into(),
            }],
            drawn_by: Some("Priya Raman".into()),
            drawn_on: None,
            source: String::new(),
        };
        let text = to_json(&r);
        let back = parse("content/samples/s.json", &text).unwrap();
        assert_eq!(back.picks, r.picks);
        assert_eq!(back.source, "content/samples/s.json");
        let err = parse("x.json", &text.replace(SCHEMA, "other"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.json:1"), "{err}");
    }
}
