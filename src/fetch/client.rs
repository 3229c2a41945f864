//! A blocking JSON-over-HTTPS client with retries, shared by the PagerDuty and Jira fetchers.
//!
//! The credential lives only in the `Authorization` header value: it is never part of a URL,
//! never printed by `Debug`, and scrubbed from every error message.

use std::io::{Read, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::blocking::Client;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::Value;

use super::retry::{RetryPolicy, Sleeper, real_sleeper, reset_seconds};
use crate::model::FetchRequest;
use crate::model::layout::RAW_DIR;
use crate::util::{sha256_hex, utc_rfc3339};

/// An `Authorization` header value and every form of the secret inside it (for scrubbing
/// messages).
#[derive(Clone)]
pub struct Credential {
    header: String,
    /// Longest first, so a form containing another is replaced whole.
    secrets: Vec<String>,
}

impl Credential {
    fn new(header: String, mut secrets: Vec<String>) -> Credential {
        secrets.push(header.clone());
        secrets.retain(|s| !s.is_empty());
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Credential { header, secrets }
    }

    /// PagerDuty REST API key: `Token token=<key>`.
    pub fn pagerduty_token(token: &str) -> Credential {
        Credential::new(format!("Token token={token}"), vec![token.to_string()])
    }

    /// Jira Cloud: `Basic base64(email:api_token)`. The base64 form, `email:token` and the token
    /// alone are all secrets (the base64 decodes to the token).
    pub fn basic(user: &str, token: &str) -> Credential {
        let pair = format!("{user}:{token}");
        let encoded = base64(pair.as_bytes());
        let url_safe = encoded.replace('+', "-").replace('/', "_");
        let unpadded = encoded.trim_end_matches('=').to_string();
        Credential::new(
            format!("Basic {encoded}"),
            vec![encoded.clone(), url_safe, unpadded, pair, token.to_string()],
        )
    }

    /// Statuspage manage API key: `OAuth <key>`.
    pub fn oauth(key: &str) -> Credential {
        Credential::new(format!("OAuth {key}"), vec![key.to_string()])
    }

    /// Jira Data Center personal access token, GitHub token: `Bearer <token>`.
    pub fn bearer(token: &str) -> Credential {
        Credential::new(format!("Bearer {token}"), vec![token.to_string()])
    }

    /// `text` with every form of the secret replaced by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "[redacted]");
        }
        out
    }
}

/// How long and how much one fetch may take. Each limit ends the fetch with a message naming it.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// To open a connection.
    pub connect: Duration,
    /// For one request, from sending it to the last byte of its answer.
    pub request: Duration,
    /// For the whole fetch, retries and waits included.
    pub deadline: Duration,
    /// Largest response body read.
    pub max_body: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect: Duration::from_secs(20),
            request: Duration::from_secs(120),
            deadline: Duration::from_secs(60 * 60),
            max_body: 256 * 1024 * 1024,
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential([redacted])")
    }
}

/// Why a request failed for good. Callers branch on `Status` codes (400 for a schedule of the
/// other version, 402/403 for a plan without audit records, 404 for a missing Jira issue).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "{service} rejected the credentials (HTTP {status}) for {url}: {message}; check {hint}"
    )]
    Unauthorized {
        service: &'static str,
        status: u16,
        url: String,
        message: String,
        hint: &'static str,
    },
    #[error("{service} answered HTTP {status} for {url}: {message}")]
    Status {
        service: &'static str,
        status: u16,
        url: String,
        message: String,
    },
    #[error("{service}: gave up on {url} after {tries} tries; last error: {last}")]
    GaveUp {
        service: &'static str,
        url: String,
        tries: u32,
        last: String,
    },
    #[error(
        "{service}: stopped at {url}: the whole fetch may take {limit_secs} s and that time is up; last error: {last}"
    )]
    Deadline {
        service: &'static str,
        url: String,
        limit_secs: u64,
        last: String,
    },
    #[error("{service}: {url} answered more than {max_bytes} bytes; refused (body size limit)")]
    TooLarge {
        service: &'static str,
        url: String,
        max_bytes: u64,
    },
    #[error(
        "{service}: {url} redirected to {to}; refused (only redirects within the same host are followed, at most 5): pass the final URL as --api-url if it is right"
    )]
    Redirect {
        service: &'static str,
        url: String,
        to: String,
    },
    #[error("{service}: {url} did not return JSON: {message}")]
    BadBody {
        service: &'static str,
        url: String,
        message: String,
    },
}

impl FetchError {
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Unauthorized { status, .. } | FetchError::Status { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }
}

/// A kept response body: (path relative to the snapshot directory, gzip bytes).
pub type RawBody = (String, Vec<u8>);

/// One API: base URL, credential, headers, retry policy and how to sleep.
pub struct ApiClient {
    http: Client,
    base: String,
    credential: Credential,
    accept: &'static str,
    /// Further fixed headers (GitHub's `X-GitHub-Api-Version`).
    headers: Vec<(&'static str, &'static str)>,
    service: &'static str,
    hint: &'static str,
    retry: RetryPolicy,
    sleeper: Sleeper,
    limits: Limits,
    /// When this client was made: the fetch's deadline counts from here.
    started: Instant,
    /// `--keep-raw`: every answered body, gzip-compressed, named `raw/<n>.json.gz` in request
    /// order. `None` when bodies are only hashed.
    kept: Option<Mutex<Vec<RawBody>>>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("service", &self.service)
            .field("base", &self.base)
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

enum Attempt {
    Done(Value, u16, Vec<u8>),
    Retry { wait: Duration, reason: String },
    Fail(FetchError),
}

impl ApiClient {
    /// `service` names the API in messages; `hint` says where the credential comes from.
    pub fn new(
        service: &'static str,
        base: &str,
        credential: Credential,
        accept: &'static str,
        hint: &'static str,
    ) -> anyhow::Result<ApiClient> {
        let limits = Limits::default();
        let http = http_client(&limits)?;
        let base = base.trim_end_matches('/').to_string();
        Url::parse(&base).map_err(|e| anyhow::anyhow!("`{base}` is not a URL: {e}"))?;
        Ok(ApiClient {
            http,
            base,
            credential,
            accept,
            headers: Vec::new(),
            service,
            hint,
            retry: RetryPolicy::default(),
            sleeper: real_sleeper(),
            limits,
            started: Instant::now(),
            kept: None,
        })
    }

    /// Keep every answered body (gzip) besides hashing it: see [`ApiClient::take_raw`].
    pub fn keeping_raw(mut self) -> ApiClient {
        self.kept = Some(Mutex::default());
        self
    }

    /// The bodies kept so far, as (path relative to the snapshot directory, gzip bytes).
    pub fn take_raw(&self) -> Vec<RawBody> {
        self.kept
            .as_ref()
            .map(|k| std::mem::take(&mut *k.lock().unwrap_or_else(|e| e.into_inner())))
            .unwrap_or_default()
    }

    pub fn with_limits(mut self, limits: Limits) -> anyhow::Result<ApiClient> {
        self.http = http_client(&limits)?;
        self.limits = limits;
        self.started = Instant::now();
        Ok(self)
    }

    /// `text` with every form of this client's credential redacted.
    pub fn scrub(&self, text: &str) -> String {
        self.credential.scrub(text)
    }

    fn deadline_error(&self, url: &Url, last: String) -> FetchError {
        FetchError::Deadline {
            service: self.service,
            url: url.to_string(),
            limit_secs: self.limits.deadline.as_secs(),
            last: if last.is_empty() { "none".into() } else { last },
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy, sleeper: Sleeper) -> ApiClient {
        self.retry = retry;
        self.sleeper = sleeper;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends `name: value` with every request.
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> ApiClient {
        self.headers.push((name, value));
        self
    }

    /// Waits through the client's sleeper (throttling between requests; tests never wait).
    pub fn pause(&self, wait: Duration) {
        (self.sleeper)(wait);
    }

    /// `base + path` with the query parameters, percent-encoded.
    pub fn url(&self, path: &str, params: &[(String, String)]) -> Url {
        let mut url = Url::parse(&format!("{}{}", self.base, path)).expect("base URL was checked");
        if !params.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in params {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// GET a JSON document, retrying rate limits, 5xx and connection errors.
    pub fn get(&self, path: &str, params: &[(String, String)]) -> Result<Value, FetchError> {
        self.get_recorded(path, params).map(|(v, _)| v)
    }

    /// [`ApiClient::get`], with the record of the answered request: its parameters, instant,
    /// status and the SHA-256 of the body (counts are the caller's to fill in). With
    /// [`ApiClient::keeping_raw`] the body is kept too.
    pub fn get_recorded(
        &self,
        path: &str,
        params: &[(String, String)],
    ) -> Result<(Value, FetchRequest), FetchError> {
        self.get_recorded_with(path, params, &[])
    }

    /// [`ApiClient::get_recorded`] sending `extra` headers with this request only (PagerDuty's
    /// `From` on the calls that act for a user).
    pub fn get_recorded_with(
        &self,
        path: &str,
        params: &[(String, String)],
        extra: &[(&'static str, &str)],
    ) -> Result<(Value, FetchRequest), FetchError> {
        let url = self.url(path, params);
        let deadline = self.started + self.limits.deadline;
        let mut last = String::new();
        for tryno in 1..=self.retry.max_tries {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Err(self.deadline_error(&url, last));
            };
            let requested_at = utc_rfc3339(chrono::Utc::now());
            match self.attempt(&url, extra, tryno, left) {
                Attempt::Done(v, status, body) => {
                    let request = FetchRequest {
                        params: params.to_vec(),
                        requested_at,
                        status,
                        sha256: sha256_hex(&body),
                        bytes: body.len() as u64,
                        raw: self.keep(&body),
                        ..FetchRequest::default()
                    };
                    return Ok((v, request));
                }
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { wait, reason } => {
                    last = reason;
                    if tryno < self.retry.max_tries {
                        if Instant::now() + wait >= deadline {
                            return Err(self.deadline_error(&url, last));
                        }
                        (self.sleeper)(wait);
                    }
                }
            }
        }
        Err(FetchError::GaveUp {
            service: self.service,
            url: url.to_string(),
            tries: self.retry.max_tries,
            last,
        })
    }

    /// One request, given at most `left` of the fetch's deadline.
    fn attempt(
        &self,
        url: &Url,
        extra: &[(&'static str, &str)],
        tryno: u32,
        left: Duration,
    ) -> Attempt {
        let mut request = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, &self.credential.header)
            .header(ACCEPT, self.accept);
        for (name, value) in self.headers.iter().chain(extra) {
            request = request.header(*name, *value);
        }
        let sent = request.timeout(self.limits.request.min(left)).send();
        let resp = match sent {
            Ok(r) => r,
            Err(e) => return self.transport_error(url, tryno, &e),
        };
        let status = resp.status().as_u16();
        let reset = rate_limit_reset(resp.headers());
        let exhausted = github_reset_wait(resp.headers());
        let mut bytes = Vec::new();
        let read = resp
            .take(self.limits.max_body.saturating_add(1))
            .read_to_end(&mut bytes);
        if let Err(e) = read {
            let reason = match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            {
                Some(inner) if inner.is_timeout() => self.timeout_reason(),
                _ => self.credential.scrub(&error_chain(&e)),
            };
            return Attempt::Retry {
                wait: self.retry.backoff(tryno),
                reason,
            };
        }
        if bytes.len() as u64 > self.limits.max_body {
            return Attempt::Fail(FetchError::TooLarge {
                service: self.service,
                url: url.to_string(),
                max_bytes: self.limits.max_body,
            });
        }
        let body = String::from_utf8_lossy(&bytes);
        let message = || self.credential.scrub(&error_message(&body));
        match status {
            200..=299 => match serde_json::from_str(&body) {
                Ok(v) => Attempt::Done(v, status, bytes),
                Err(e) => Attempt::Fail(FetchError::BadBody {
                    service: self.service,
                    url: url.to_string(),
                    message: e.to_string(),
                }),
            },
            // Statuspage answers 420 as well as 429 when over its rate limit.
            429 | 420 => Attempt::Retry {
                wait: match (reset, exhausted) {
                    (None, Some(wait)) => wait,
                    _ => self.retry.rate_limit_wait(tryno, reset),
                },
                reason: format!("HTTP {status} rate limited: {}", message()),
            },
            // GitHub's primary limit (remaining 0, wait for the reset) and secondary limits
            // (Retry-After, else at least a minute) come as 403 too; any other 403 is final.
            403 if reset.is_some() || exhausted.is_some() || is_secondary_limit(&body) => {
                Attempt::Retry {
                    wait: match (reset, exhausted) {
                        (Some(_), _) => self.retry.rate_limit_wait(tryno, reset),
                        (None, Some(wait)) => wait,
                        (None, None) => self.retry.backoff(tryno).max(Duration::from_secs(60)),
                    },
                    reason: format!("HTTP 403 rate limited: {}", message()),
                }
            }
            500..=599 => Attempt::Retry {
                wait: self.retry.backoff(tryno),
                reason: format!("HTTP {status}: {}", message()),
            },
            401 => Attempt::Fail(FetchError::Unauthorized {
                service: self.service,
                status,
                url: url.to_string(),
                message: message(),
                hint: self.hint,
            }),
            _ => Attempt::Fail(FetchError::Status {
                service: self.service,
                status,
                url: url.to_string(),
                message: message(),
            }),
        }
    }
}

impl ApiClient {
    /// Keeps `body` when asked to, returning where it will be written.
    fn keep(&self, body: &[u8]) -> Option<String> {
        let mut kept = self
            .kept
            .as_ref()?
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let name = format!("{RAW_DIR}/{:05}.json.gz", kept.len() + 1);
        kept.push((name.clone(), gzip(body)));
        Some(name)
    }

    fn timeout_reason(&self) -> String {
        format!(
            "no complete answer within {} s (request time limit)",
            self.limits.request.as_secs_f64()
        )
    }

    /// A request that got no HTTP answer: a refused redirect ends the fetch, a timeout or a
    /// connection error is retried with a message saying which it was.
    fn transport_error(&self, url: &Url, tryno: u32, e: &reqwest::Error) -> Attempt {
        if e.is_redirect() {
            return Attempt::Fail(FetchError::Redirect {
                service: self.service,
                url: url.to_string(),
                to: std::error::Error::source(e)
                    .map(|s| self.credential.scrub(&s.to_string()))
                    .unwrap_or_default(),
            });
        }
        let reason = if e.is_timeout() {
            self.timeout_reason()
        } else if e.is_connect() {
            format!(
                "cannot connect (time limit {} s): {}",
                self.limits.connect.as_secs_f64(),
                self.credential.scrub(&error_chain(e))
            )
        } else {
            self.credential.scrub(&error_chain(e))
        };
        Attempt::Retry {
            wait: self.retry.backoff(tryno),
            reason,
        }
    }
}

/// Deterministic gzip: no file name, no modification time (the header's mtime is 0), so the
/// same body always compresses to the same bytes.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    enc.write_all(data).expect("in-memory write");
    enc.finish().expect("in-memory write")
}

/// The HTTP client: connect time limit, and redirects followed only within the same scheme,
/// host and port (the credential must not travel, and the URL recorded must be the one read).
fn http_client(limits: &Limits) -> anyhow::Result<Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let first = &attempt.previous()[0];
        let to = attempt.url();
        let same = to.scheme() == first.scheme()
            && to.host_str() == first.host_str()
            && to.port_or_known_default() == first.port_or_known_default();
        // The error's text is the target, which `transport_error` reports.
        if !same {
            let to = to.to_string();
            attempt.error(to)
        } else if attempt.previous().len() > 5 {
            let to = format!("{to} (a sixth redirect)");
            attempt.error(to)
        } else {
            attempt.follow()
        }
    });
    Ok(Client::builder()
        .user_agent(concat!("pagerproof/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(limits.connect)
        .timeout(limits.request)
        .redirect(policy)
        .build()?)
}

/// GitHub's primary limit: with `x-ratelimit-remaining: 0`, the wait until `x-ratelimit-reset`
/// (UTC epoch seconds, unlike PagerDuty's seconds-to-go), at most an hour.
fn github_reset_wait(headers: &HeaderMap) -> Option<Duration> {
    let text = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).map(str::trim);
    if text("x-ratelimit-remaining") != Some("0") {
        return None;
    }
    let reset: i64 = text("x-ratelimit-reset")?.parse().ok()?;
    let secs = (reset - chrono::Utc::now().timestamp()).clamp(0, 3600);
    // One second more: the reset instant is rounded down to whole seconds.
    Some(Duration::from_secs(secs as u64 + 1))
}

/// GitHub's secondary-limit answer names it in the message or the documentation URL.
fn is_secondary_limit(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    lower.contains("secondary rate limit") || lower.contains("abuse-rate-limits")
}

fn rate_limit_reset(headers: &HeaderMap) -> Option<f64> {
    let text = |v: Option<&HeaderValue>| v.and_then(|v| v.to_str().ok()).map(str::to_string);
    let reset = text(headers.get("ratelimit-reset"));
    let after = text(headers.get(RETRY_AFTER));
    reset_seconds(reset.as_deref(), after.as_deref())
}

/// The error text of an API error body: PagerDuty `{"error":{"message","errors"}}`, Jira
/// `{"errorMessages":[..]}`, else the body itself (shortened).
fn error_message(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        let t = body.trim();
        return if t.is_empty() {
            "(empty body)".into()
        } else {
            t.chars().take(300).collect()
        };
    };
    let mut parts: Vec<String> = Vec::new();
    let err = &v["error"];
    // PagerDuty `error.message`, else a bare `error` string, else GitHub's top-level `message`.
    if let Some(m) = err["message"]
        .as_str()
        .or_else(|| err.as_str())
        .or_else(|| v["message"].as_str())
    {
        parts.push(m.to_string());
    }
    for key in [&err["errors"], &v["errorMessages"]] {
        if let Some(list) = key.as_array() {
            parts.extend(list.iter().filter_map(|e| e.as_str().map(str::to_string)));
        }
    }
    if parts.is_empty() {
        v.to_string().chars().take(300).collect()
    } else {
        parts.join("; ")
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

/// Standard base64 with padding (the only encoding Basic auth needs).
fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"a@b.c:tok"), "YUBiLmM6dG9r");
    }

    #[test]
    fn credentials_never_show() {
        let c = Credential::pagerduty_token("s3cret-token");
        assert_eq!(format!("{c:?}"), "Credential([redacted])");
        assert_eq!(
            c.scrub("bad Token token=s3cret-token here"),
            "bad [redacted] here"
        );
        assert_eq!(c.scrub("echo s3cret-token"), "echo [redacted]");
        let client = ApiClient::new(
            "PagerDuty",
            "http://127.0.0.1:9",
            c,
            "application/json",
            "X",
        )
        .unwrap();
        assert!(!format!("{client:?}").contains("s3cret"));
    }

    #[test]
    fn every_form_of_a_basic_credential_is_scrubbed() {
        let c = Credential::basic("sam@example.com", "jira-secret-123");
        let encoded = base64(b"sam@example.com:jira-secret-123");
        for leak in [
            format!("Basic {encoded}"),
            encoded.clone(),
            encoded.trim_end_matches('=').to_string(),
            "sam@example.com:jira-secret-123".to_string(),
            "jira-secret-123".to_string(),
        ] {
            let scrubbed = c.scrub(&format!("error: {leak} was refused"));
            assert_eq!(scrubbed, "error: [redacted] was refused", "{leak}");
        }
    }

    #[test]
    fn error_bodies_are_summarised() {
        let pd = r#"{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Offset must be less than 10000."]}}"#;
        assert_eq!(
            error_message(pd),
            "Invalid Input Provided; Offset must be less than 10000."
        );
        assert_eq!(
            error_message(r#"{"errorMessages":["Issue does not exist"]}"#),
            "Issue does not exist"
        );
        assert_eq!(error_message(""), "(empty body)");
    }

    #[test]
    fn urls_carry_encoded_params_and_no_secret() {
        let c = Credential::pagerduty_token("tok");
        let client = ApiClient::new("PagerDuty", "http://127.0.0.1:9/", c, "a", "X").unwrap();
        let url = client.url(
            "/incidents",
            &[
                ("include[]".into(), "priorities".into()),
                ("since".into(), "2026-01-01T05:00:00Z".into()),
            ],
        );
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/incidents?include%5B%5D=priorities&since=2026-01-01T05%3A00%3A00Z"
        );
    }
}
