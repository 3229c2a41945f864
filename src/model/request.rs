//! The auditor's request list (`content/requests.csv`, the "provided by client" list): each
//! request and the pages or files of the site that answer it (issue 16).

use serde::Serialize;

/// Every file an answer names, once per mention: the files whose SHA-256 the request list's page
/// shows, which a render's sink keeps (`HashSink::only`, `BagSink::keeping`).
pub fn answer_names(requests: &[Request]) -> impl Iterator<Item = String> + '_ {
    requests.iter().flat_map(|r| r.answers.iter().cloned())
}

/// The list's path relative to the site.
pub const REQUESTS_FILE: &str = "content/requests.csv";

/// One request of the auditor's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The auditor's own id (e.g. `PBC-07`).
    pub id: String,
    pub text: String,
    /// Output-relative names of the pages or files answering it (e.g. `population.html`), in
    /// the order given; empty when nothing answers it yet.
    pub answers: Vec<String>,
    /// 1-based line of its row in the list.
    pub line: u64,
}
