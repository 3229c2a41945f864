//! A blocking JSON-over-HTTPS client with retries, shared by the PagerDuty and Jira fetchers.
//!
//! The credential lives only in the `Authorization` header value: it is never part of a URL,
//! never printed by `Debug`, and scrubbed from every error message.

use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::Client;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::Value;

use super::retry::{RetryPolicy, Sleeper, real_sleeper, reset_seconds};

/// An `Authorization` header value and the secret inside it (for scrubbing messages).
#[derive(Clone)]
pub struct Credential {
    header: String,
    secret: String,
}

impl Credential {
    /// PagerDuty REST API key: `Token token=<key>`.
    pub fn pagerduty_token(token: &str) -> Credential {
        Credential {
            header: format!("Token token={token}"),
            secret: token.to_string(),
        }
    }

    /// Jira Cloud: `Basic base64(email:api_token)`.
    pub fn basic(user: &str, token: &str) -> Credential {
        let encoded = base64(format!("{user}:{token}").as_bytes());
        Credential {
            header: format!("Basic {encoded}"),
            secret: token.to_string(),
        }
    }

    /// Jira Data Center personal access token: `Bearer <pat>`.
    pub fn bearer(token: &str) -> Credential {
        Credential {
            header: format!("Bearer {token}"),
            secret: token.to_string(),
        }
    }

    /// `text` with the secret (and its header form) replaced by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in [&self.header, &self.secret] {
            if !s.is_empty() {
                out = out.replace(s.as_str(), "[redacted]");
            }
        }
        out
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

/// One API: base URL, credential, headers, retry policy and how to sleep.
pub struct ApiClient {
    http: Client,
    base: String,
    credential: Credential,
    accept: &'static str,
    service: &'static str,
    hint: &'static str,
    retry: RetryPolicy,
    sleeper: Sleeper,
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
    Done(Value),
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
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = Client::builder()
            .user_agent(concat!("pagerproof/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(120))
            .build()?;
        let base = base.trim_end_matches('/').to_string();
        Url::parse(&base).map_err(|e| anyhow::anyhow!("`{base}` is not a URL: {e}"))?;
        Ok(ApiClient {
            http,
            base,
            credential,
            accept,
            service,
            hint,
            retry: RetryPolicy::default(),
            sleeper: real_sleeper(),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy, sleeper: Sleeper) -> ApiClient {
        self.retry = retry;
        self.sleeper = sleeper;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
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
        let url = self.url(path, params);
        let mut last = String::new();
        for tryno in 1..=self.retry.max_tries {
            match self.attempt(&url, tryno) {
                Attempt::Done(v) => return Ok(v),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { wait, reason } => {
                    last = reason;
                    if tryno < self.retry.max_tries {
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

    fn attempt(&self, url: &Url, tryno: u32) -> Attempt {
        let sent = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, &self.credential.header)
            .header(ACCEPT, self.accept)
            .send();
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Retry {
                    wait: self.retry.backoff(tryno),
                    reason: self.credential.scrub(&error_chain(&e)),
                };
            }
        };
        let status = resp.status().as_u16();
        let reset = rate_limit_reset(resp.headers());
        let body = match resp.text() {
            Ok(b) => b,
            Err(e) => {
                return Attempt::Retry {
                    wait: self.retry.backoff(tryno),
                    reason: self.credential.scrub(&error_chain(&e)),
                };
            }
        };
        let message = || self.credential.scrub(&error_message(&body));
        match status {
            200..=299 => match serde_json::from_str(&body) {
                Ok(v) => Attempt::Done(v),
                Err(e) => Attempt::Fail(FetchError::BadBody {
                    service: self.service,
                    url: url.to_string(),
                    message: e.to_string(),
                }),
            },
            429 => Attempt::Retry {
                wait: self.retry.rate_limit_wait(tryno, reset),
                reason: format!("HTTP 429 rate limited: {}", message()),
            },
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
    if let Some(m) = err["message"].as_str().or_else(|| err.as_str()) {
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
