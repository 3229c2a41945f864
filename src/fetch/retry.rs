//! When and how long to wait before trying a request again.
//!
//! 429 waits for `ratelimit-reset` (or `Retry-After`) seconds when the response says, else backs
//! off; 5xx and connection errors back off exponentially with jitter. Every kind of retry counts
//! against one bounded budget of tries. Sleeping goes through [`Sleeper`] so tests never wait.

use std::sync::Arc;
use std::time::Duration;

/// How the client waits between tries; tests inject a no-op or a recorder.
pub type Sleeper = Arc<dyn Fn(Duration) + Send + Sync>;

/// The real clock.
pub fn real_sleeper() -> Sleeper {
    Arc::new(std::thread::sleep)
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries per request, the first included.
    pub max_tries: u32,
    /// First back-off; doubled on each further retry.
    pub base: Duration,
    /// Longest single wait.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_tries: 8,
            base: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Exponential back-off for the given retry (1 = first retry) with up to 50 % jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max_wait);
        let jitter = capped.mul_f64(random_fraction() * 0.5);
        (capped + jitter).min(self.max_wait)
    }

    /// The wait after a 429: the server's reset time when it gave one, else the back-off.
    pub fn rate_limit_wait(&self, retry: u32, reset_secs: Option<f64>) -> Duration {
        match reset_secs {
            Some(secs) if secs.is_finite() && secs >= 0.0 => {
                Duration::from_secs_f64(secs.min(self.max_wait.as_secs_f64()))
            }
            _ => self.backoff(retry),
        }
    }
}

/// Seconds until the rate limit resets, from `ratelimit-reset` or `Retry-After` (seconds form).
pub fn reset_seconds(ratelimit_reset: Option<&str>, retry_after: Option<&str>) -> Option<f64> {
    [ratelimit_reset, retry_after]
        .into_iter()
        .flatten()
        .find_map(|v| v.trim().parse::<f64>().ok())
}

/// A fraction in [0, 1) from the process's random hasher keys (jitter needs no crate).
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let p = RetryPolicy {
            max_tries: 5,
            base: Duration::from_secs(1),
            max_wait: Duration::from_secs(10),
        };
        for _ in 0..20 {
            let first = p.backoff(1);
            assert!(
                first >= Duration::from_secs(1) && first <= Duration::from_millis(1500),
                "{first:?}"
            );
            let third = p.backoff(3);
            assert!(
                third >= Duration::from_secs(4) && third <= Duration::from_secs(6),
                "{third:?}"
            );
            assert!(p.backoff(30) <= Duration::from_secs(10));
        }
    }

    #[test]
    fn rate_limit_uses_reset_header_else_backoff() {
        let p = RetryPolicy::default();
        assert_eq!(p.rate_limit_wait(1, Some(3.0)), Duration::from_secs(3));
        assert_eq!(p.rate_limit_wait(1, Some(1e9)), p.max_wait);
        let fallback = p.rate_limit_wait(1, None);
        assert!(fallback >= p.base && fallback <= p.base.mul_f64(1.5));
        assert_eq!(reset_seconds(None, Some(" 7 ")), Some(7.0));
        assert_eq!(reset_seconds(Some("2"), Some("7")), Some(2.0));
        assert_eq!(reset_seconds(Some("soon"), None), None);
    }
}
