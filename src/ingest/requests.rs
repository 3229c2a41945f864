//! `content/requests.csv`: the auditor's request list. Three columns, `request_id`, `request`,
//! `answered_by` (page or file names of the built site, separated by `;`). A malformed list is
//! an error naming file and line: it is what the auditor will tick off, so nothing is guessed.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

use crate::model::Request;

const HEADER: [&str; 3] = ["request_id", "request", "answered_by"];

pub fn parse(rel: &str, bytes: &[u8]) -> Result<Vec<Request>> {
    let data = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut records = reader.records();
    let header = match records.next() {
        Some(r) => r.with_context(|| format!("{rel}:1: not readable as UTF-8 CSV"))?,
        None => bail!(
            "{rel}:1: empty file, expected the header {}",
            HEADER.join(",")
        ),
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    if names != HEADER {
        bail!(
            "{rel}:1: the header must be `{}` (found `{}`)",
            HEADER.join(","),
            header.iter().collect::<Vec<_>>().join(",")
        );
    }
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for record in records {
        let record = record.with_context(|| format!("{rel}: not readable as UTF-8 CSV"))?;
        // The line from the byte offset: the csv crate's own count is off after blank lines.
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(data.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let line = 1 + data[..start.min(data.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != HEADER.len() {
            bail!(
                "{rel}:{line}: {} fields, but the header has {} columns",
                record.len(),
                HEADER.len()
            );
        }
        let id = record[0].trim().to_string();
        if id.is_empty() {
            bail!("{rel}:{line}: no request id");
        }
        if let Some(first) = seen.insert(id.clone(), line) {
            bail!("{rel}:{line}: request id `{id}` is also on line {first}");
        }
        let answers = record[2]
            .split(';')
            .map(|a| a.trim().trim_start_matches("./").to_string())
            .filter(|a| !a.is_empty())
            .collect();
        out.push(Request {
            id,
            text: record[1].trim().to_string(),
            answers,
            line,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_their_answers_and_lines() {
        let text = "request_id,request,answered_by\n\
                    PBC-01,\"Population of incidents, FY2026\",population.html; incidents/index.html\n\
                    \n\
                    PBC-02,Escalation policy,\n";
        let r = parse("content/requests.csv", text.as_bytes()).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].id, "PBC-01");
        assert_eq!(r[0].text, "Population of incidents, FY2026");
        assert_eq!(
            r[0].answers,
            vec!["population.html", "incidents/index.html"]
        );
        assert_eq!(r[0].line, 2);
        assert!(r[1].answers.is_empty());
        assert_eq!(r[1].line, 4);
    }

    #[test]
    fn malformed_lists_name_file_and_line() {
        let e = |t: &str| parse("r.csv", t.as_bytes()).unwrap_err().to_string();
        assert!(e("id,text\n").starts_with("r.csv:1: the header"));
        assert!(e("request_id,request,answered_by\nA,b\n").starts_with("r.csv:2: 2 fields"));
        assert!(e("request_id,request,answered_by\n,b,c\n").starts_with("r.csv:2: no request id"));
        assert_eq!(
            e("request_id,request,answered_by\nA,b,c\nA,d,e\n"),
            "r.csv:3: request id `A` is also on line 2"
        );
    }
}
