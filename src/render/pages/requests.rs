//! requests.html: the auditor's request list, each request with the pages or files of this site
//! that answer it and their SHA-256. Rendered last, from the files as written, so each hash is
//! that of the file in the package (the value `manifest-sha256.txt` lists for `data/<name>`).

use anyhow::Result;
use serde::Serialize;

use crate::model::Request;
use crate::render::context::Ctx;
use crate::util::sink::Sink;

#[derive(Serialize)]
struct RequestsPage<'a> {
    list: &'a str,
    list_href: String,
    list_sha256: &'a str,
    requests: Vec<RequestRow<'a>>,
    answered: usize,
}

#[derive(Serialize)]
struct RequestRow<'a> {
    id: &'a str,
    /// The row's HTML id (request ids may hold spaces).
    anchor: String,
    text: &'a str,
    line: u64,
    answers: Vec<Answer<'a>>,
    /// Every named page exists and at least one is named.
    answered: bool,
}

#[derive(Serialize)]
struct Answer<'a> {
    name: &'a str,
    href: String,
    /// `None`: no such file in this site.
    sha256: Option<String>,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let inputs = ctx.inputs;
    if inputs.requests.is_empty() {
        return Ok(0);
    }
    let list = inputs
        .sources
        .iter()
        .find(|s| s.path == crate::model::REQUESTS_FILE)
        .expect("a request list is read with its source file");
    let requests: Vec<RequestRow> = inputs
        .requests
        .iter()
        .map(|r| {
            let answers: Vec<Answer> = r
                .answers
                .iter()
                .map(|name| Answer {
                    name,
                    href: crate::util::encode_href(name),
                    sha256: file_sha256(ctx.out, name),
                })
                .collect();
            RequestRow {
                id: &r.id,
                anchor: crate::render::anchor(&r.id),
                text: &r.text,
                line: r.line,
                answered: !answers.is_empty() && answers.iter().all(|a| a.sha256.is_some()),
                answers,
            }
        })
        .collect();
    let data = RequestsPage {
        list: &list.path,
        list_href: crate::util::encode_href(&list.copy),
        list_sha256: &list.sha256,
        answered: requests.iter().filter(|r| r.answered).count(),
        requests,
    };
    ctx.page(
        "requests.html",
        "requests.html",
        "Auditor's requests",
        &data,
    )?;
    Ok(1)
}

/// The SHA-256 of the built file `name` in `out`; `None` when there is none. A name that would
/// leave the site (absolute, `..`, a backslash) names nothing.
pub fn file_sha256(out: &dyn Sink, name: &str) -> Option<String> {
    let inside = !name.starts_with('/')
        && !name.contains('\\')
        && name.split('/').all(|seg| !seg.is_empty() && seg != "..");
    if !inside {
        return None;
    }
    out.sha256(name)
}

/// Problems `check` reports once the site is rendered into `out`: (request, message).
pub fn problems<'a>(out: &dyn Sink, requests: &'a [Request]) -> Vec<(&'a Request, String)> {
    let mut found = Vec::new();
    for r in requests {
        if r.answers.is_empty() {
            found.push((r, format!("request {} has no answer", r.id)));
        }
        for name in &r.answers {
            if file_sha256(out, name).is_none() {
                found.push((
                    r,
                    format!(
                        "request {} is answered by `{name}`, which is no page or file of the site",
                        r.id
                    ),
                ));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outside_the_site_name_nothing() {
        let dir = crate::util::sink::HashSink::default();
        dir.write("a.html", b"x").unwrap();
        assert_eq!(
            file_sha256(&dir, "a.html").as_deref(),
            Some(crate::util::sha256_hex(b"x").as_str())
        );
        for bad in ["../a.html", "/etc/passwd", "b.html", "", "x/../a.html"] {
            assert_eq!(file_sha256(&dir, bad), None, "{bad}");
        }
        let requests = vec![
            Request {
                id: "R1".into(),
                text: String::new(),
                answers: vec![],
                line: 2,
            },
            Request {
                id: "R2".into(),
                text: String::new(),
                answers: vec!["a.html".into(), "b.html".into()],
                line: 3,
            },
        ];
        let messages: Vec<String> = problems(&dir, &requests)
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        assert_eq!(
            messages,
            vec![
                "request R1 has no answer",
                "request R2 is answered by `b.html`, which is no page or file of the site"
            ]
        );
    }
}
