//! When and how long to wait before trying again.
//!
//! A 429, or a connection that was never made, did nothing: any operation is sent again. A
//! request that may or may not have reached Vercel (a timeout, a reset connection, a 5xx) is sent
//! again only for operations the spec declares idempotent (`x-edge-cache-idempotent`, see
//! [`crate::OperationInfo::idempotent`]): invalidating or deleting the same tags or source images
//! twice leaves the cache as doing it once does, so all four edge-cache operations are. Other
//! 4xx statuses mean the request itself is wrong, so they are never retried.

use std::time::{Duration, SystemTime};

/// How failed attempts are retried, and how long Vercel's rate limit may hold a request.
///
/// **Every wait is bounded**, so that a run ends in a time its settings predict:
///
/// - a 429, or a spent window (`X-RateLimit-Remaining: 0`), is waited out for as long as Vercel
///   asks (`Retry-After`, else until `X-RateLimit-Reset`), apart from `max_retries`, if that is
///   at most `max_retry_after` (60 s). A longer wait is not waited at all: the request fails at
///   once with [`RequestError::RateLimited`](crate::RequestError::RateLimited) naming the wait and
///   the setting, and every request of the client is refused unsent for the next
///   `max_retry_after` (those it holds at once), rather than sent to be refused;
/// - one request waits at most `max_rate_limit_wait` (120 s) on the rate limit in all, summed
///   over its waits (Vercel's asking, and its turns when [`adaptive_rate`](Self::adaptive_rate)
///   paces it: a turn beyond either bound is not waited, the request goes), and at most
///   `max_rate_limit_waits` (20) times after a 429;
/// - header values that make no sense are ignored, never a reason to wait: a negative or
///   unparsable `Retry-After`, `X-RateLimit-Remaining` or `X-RateLimit-Reset`, a reset in the
///   past. A 429 that says nothing usable of when to come back is a transient failure, retried
///   within `max_retries` with the backoff;
/// - other retries wait the backoff, at most `max_backoff` each, `max_retries` times.
///
/// So with the defaults one request waits at most 120 s on the rate limit plus three retry
/// delays (each at most 60 s: the backoff, under 0.5, 1 and 2 s, or a `Retry-After` up to
/// `max_retry_after`), and `--max-time` /
/// [`EdgeCacheBuilder::max_time`](crate::EdgeCacheBuilder::max_time) bounds a whole call.
///
/// ```
/// use std::time::Duration;
/// use vercel_edge_cache::RetryPolicy;
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.max_retries, 3);
/// let off = RetryPolicy { max_retries: 0, ..RetryPolicy::default() };
/// assert_eq!(off.max_retries, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retrying off.
    pub max_retries: u32,
    /// The first backoff delay; it doubles with each retry.
    pub initial_backoff: Duration,
    /// The longest backoff delay.
    pub max_backoff: Duration,
    /// The longest single wait Vercel's rate limit may ask for (`Retry-After`, or a spent
    /// window's `X-RateLimit-Reset`); a longer one is not waited, and the request fails at once
    /// ([`WaitLimit::MaxRetryAfter`](crate::WaitLimit::MaxRetryAfter)). Default 60 s: a window of
    /// a minute can be waited out, an hour's cannot without saying so.
    pub max_retry_after: Duration,
    /// The longest one request waits on the rate limit in all, summed over its waits (429s, spent
    /// windows, and its turns when sharing the window); the wait that would go beyond it is not waited
    /// ([`WaitLimit::MaxRateLimitWait`](crate::WaitLimit::MaxRateLimitWait)). Default 120 s: two
    /// waits of a minute-long window, the one spent when the request came and the next, should
    /// other clients of the token take it first. Raise it with `max_retry_after`.
    pub max_rate_limit_wait: Duration,
    /// How many times one request is sent again after a 429 that says when, apart from
    /// `max_retries`; then it fails ([`WaitLimit::MaxRateLimitWaits`](crate::WaitLimit)). Default
    /// 20: a server answering 429 with `Retry-After: 0` is not hammered for long. 0 turns the
    /// waits off: a 429 is then a transient failure, retried within `max_retries`.
    pub max_rate_limit_waits: u32,
    /// Whether requests are held while Vercel's rate-limit window is spent (`X-RateLimit-*`),
    /// rather than sent to be refused. On by default.
    pub pace_to_rate_limit: bool,
    /// Whether the client shares the window with other clients of the token it cannot see
    /// (other processes, other hosts): when `X-RateLimit-Remaining` falls faster than its own
    /// requests explain, it paces itself to its share of 95 % of the limit, measured window by
    /// window, instead of spending what it sees as soon as it can. On by default; with
    /// `pace_to_rate_limit` only. Alone, it changes nothing after the first window (in which a
    /// client starts with two requests in flight, one more per answer, until it knows).
    pub adaptive_rate: bool,
    /// Whether a call stops at an answer that no later request would change: 401 (the token is
    /// refused), 402 (the plan lacks the feature), 403 (the token may not act on the project, or
    /// Vercel wants the user to log in again) or 404 (no such project or team). Nothing new is
    /// sent, the requests in flight finish, and the rest is reported not sent
    /// ([`StopReason::Refused`](crate::StopReason::Refused)). On by default; off, every batch is
    /// sent whatever the answers.
    pub stop_on_refusal: bool,
}

/// The statuses that refuse every request of a call alike: see [`RetryPolicy::stop_on_refusal`].
pub(crate) const REFUSALS: [u16; 4] = [401, 402, 403, 404];

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(60),
            max_rate_limit_wait: Duration::from_secs(120),
            max_rate_limit_waits: 20,
            pace_to_rate_limit: true,
            adaptive_rate: true,
            stop_on_refusal: true,
        }
    }
}

/// Whether a response status is worth another attempt: 429 (rate limiting) and the transient 5xx.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    [429, 500, 502, 503, 504].contains(&status)
}

impl RetryPolicy {
    /// The delay before retry number `retry` (1-based): `Retry-After` when the server sent one
    /// (capped), else exponential backoff with full jitter: a random delay up to
    /// `initial_backoff * 2^(retry-1)`, capped at `max_backoff`, and never below a tenth of it.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_retry_after);
        }
        let exp = self.initial_backoff.saturating_mul(1u32 << (retry.saturating_sub(1)).min(20));
        let ceiling = exp.min(self.max_backoff);
        let floor = ceiling / 10;
        floor + (ceiling - floor).mul_f64(jitter())
    }
}

/// A pseudo-random number in [0, 1), from std's per-process random hasher keys.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_and_caps_near_a_minute() {
        let p = RetryPolicy::default();
        for retry in 1..=12 {
            let ceiling = Duration::from_millis(500).saturating_mul(1 << (retry - 1)).min(Duration::from_secs(60));
            for _ in 0..50 {
                let d = p.delay(retry, None);
                assert!(
                    d <= ceiling && d >= ceiling / 10,
                    "retry {retry}: {d:?} outside [{:?}, {ceiling:?}]",
                    ceiling / 10
                );
            }
        }
        assert!(p.delay(30, None) <= Duration::from_secs(60));
    }

    #[test]
    fn jitter_spreads_delays() {
        let p = RetryPolicy::default();
        let delays: std::collections::BTreeSet<Duration> = (0..20).map(|_| p.delay(3, None)).collect();
        assert!(delays.len() > 10, "delays should differ: {delays:?}");
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, Some(Duration::from_secs(7))), Duration::from_secs(7));
        assert_eq!(p.delay(1, Some(Duration::from_secs(3600))), Duration::from_secs(60));
    }

    #[test]
    fn only_rate_limits_and_transient_server_errors_are_retried() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [400, 401, 402, 403, 404, 410, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }
}
