//! Management responses to exceptions: `content/responses/*.md`, TOML front matter
//! (`exception`, `owner`, `date`, optional `status` and `remediation`) and a markdown body.
//!
//! ```markdown
//! +++
//! exception = "ack_breach:1042"
//! owner = "Dana Smith, Head of SRE"
//! date = 2027-01-10
//! status = "remediated"
//! remediation = "Secondary on-call added to the night rotation"
//! +++
//! The primary on-call's phone was in do-not-disturb mode ...
//! ```

use anyhow::Result;
use chrono::NaiveDate;
use serde::Deserialize;

use super::frontmatter;
use crate::model::Response;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Front {
    exception: String,
    owner: String,
    #[serde(deserialize_with = "crate::config::de_date")]
    date: NaiveDate,
    status: Option<String>,
    remediation: Option<String>,
}

pub fn parse(rel: &str, text: &str) -> Result<Response> {
    let doc = frontmatter::split(rel, text)?;
    let front: Front = frontmatter::parse(rel, &doc)?;
    if !front.exception.contains(':') {
        anyhow::bail!(
            "{rel}:{}: exception `{}` is not an exception id (`<kind>:<subject>`, e.g. `ack_breach:1042`)",
            doc.front_line,
            front.exception
        );
    }
    let line = doc
        .front
        .lines()
        .position(|l| l.trim_start().starts_with("exception"))
        .map_or(doc.front_line, |i| i + doc.front_line) as u64;
    Ok(Response {
        line,
        exception: front.exception.trim().to_string(),
        owner: front.owner,
        date: front.date,
        status: front.status,
        remediation: front.remediation,
        body_markdown: doc.body.to_string(),
        source: rel.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_response() {
        let r = parse(
            "content/responses/a.md",
            "+++\nexception = \"ack_breach:1042\"\nowner = \"Dana\"\ndate = 2027-01-10\nstatus = \"remediated\"\n+++\nBody\n",
        )
        .unwrap();
        assert_eq!(r.exception, "ack_breach:1042");
        assert_eq!(r.status.as_deref(), Some("remediated"));
        assert_eq!(r.body_markdown, "Body\n");
        assert_eq!(r.line, 2);
    }

    #[test]
    fn missing_owner_is_an_error() {
        let err = parse(
            "r.md",
            "+++\nexception = \"ack_breach:1\"\ndate = 2027-01-10\n+++\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("owner"), "{err}");
    }
}
