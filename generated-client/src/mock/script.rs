//! What the mock answers besides the spec's rules: scripted faults, a rate limit and latency.
//! Pure state, driven by the server with the time of each request, so it is unit-tested
//! without a clock.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A scripted failure for the next requests, whatever they carry.
///
/// ```
/// use std::time::Duration;
/// use vercel_edge_cache::mock::Fault;
/// let fault = Fault::status(429).retry_after(Duration::from_secs(2)).times(3);
/// assert_eq!(fault.remaining(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "FaultJson")]
pub struct Fault {
    status: Option<u16>,
    times: usize,
    retry_after_secs: Option<u64>,
    /// Vercel's `error.code` and `error.message`, when scripted.
    error: Option<(String, String)>,
}

/// A fault as `POST /_mock/faults` takes it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultJson {
    status: Option<u16>,
    #[serde(default)]
    drop: bool,
    #[serde(default = "one")]
    times: usize,
    retry_after: Option<u64>,
    code: Option<String>,
    message: Option<String>,
}

/// `d` in whole seconds, rounded up: the headers count whole seconds.
fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn one() -> usize {
    1
}

impl TryFrom<FaultJson> for Fault {
    type Error = String;

    fn try_from(j: FaultJson) -> Result<Self, String> {
        let fault = match (j.status, j.drop) {
            (Some(status), false) => Fault::checked(status)?,
            (None, true) => Fault::drop_connection(),
            _ => return Err("give either `status` or `drop: true`".into()),
        };
        let error = match (j.code, j.message) {
            (None, None) => None,
            (Some(code), Some(message)) if fault.status.is_some() => Some((code, message)),
            (Some(_), Some(_)) => return Err("`code` and `message` go with `status`, not `drop`".into()),
            _ => return Err("give `code` and `message` together (Vercel's error body has both)".into()),
        };
        Ok(Self { times: checked_times(j.times)?, retry_after_secs: j.retry_after, error, ..fault })
    }
}

fn checked_times(n: usize) -> Result<usize, String> {
    if n == 0 { Err("times: a fault applies to at least 1 request, got 0".into()) } else { Ok(n) }
}

/// The statuses a fault may answer: failures. A success would skip the spec's checks.
const FAULT_STATUSES: std::ops::RangeInclusive<u16> = 400..=599;

impl Fault {
    /// Answer `status` (400 to 599) with Vercel's error body (`{"error":{"code","message"}}`).
    ///
    /// # Panics
    ///
    /// If `status` is not a failure (400 to 599): a scripted success would skip the spec's
    /// checks and count as a purge.
    pub fn status(status: u16) -> Self {
        Self::checked(status).unwrap_or_else(|e| panic!("{e}"))
    }

    fn checked(status: u16) -> Result<Self, String> {
        if !FAULT_STATUSES.contains(&status) {
            return Err(format!(
                "status: a fault answers {} to {}, got {status}",
                FAULT_STATUSES.start(),
                FAULT_STATUSES.end()
            ));
        }
        Ok(Self { status: Some(status), times: 1, retry_after_secs: None, error: None })
    }

    /// Close the connection without an answer, once the request is read: the client sees a
    /// connection closed mid-request.
    pub fn drop_connection() -> Self {
        Self { status: None, times: 1, retry_after_secs: None, error: None }
    }

    /// For the next `n` requests (1 unless set).
    ///
    /// # Panics
    ///
    /// If `n` is 0: such a fault would script nothing.
    pub fn times(mut self, n: usize) -> Self {
        self.times = checked_times(n).unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// With Vercel's error `code` and `message` in the body (`{"error":{"code","message"}}`),
    /// instead of the status's own (`forbidden`, "Forbidden (scripted by the mock)"), so that a
    /// test can tell, say, an invalid token from a project the token may not purge.
    ///
    /// ```
    /// use vercel_edge_cache::mock::Fault;
    /// let fault = Fault::status(403).error("invalid_token", "The token is not valid");
    /// # let _ = fault;
    /// ```
    pub fn error(mut self, code: impl Into<String>, message: impl Into<String>) -> Self {
        self.error = Some((code.into(), message.into()));
        self
    }

    /// With `Retry-After`, in whole seconds (rounded up).
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after_secs = Some(whole_seconds(wait));
        self
    }

    /// How many requests it still applies to.
    pub fn remaining(&self) -> usize {
        self.times
    }
}

/// Vercel's rate limiting: `limit` requests per window of whole seconds, counted in windows
/// aligned on the Unix epoch, as `X-RateLimit-Reset` (epoch seconds) counts them. Every answer
/// carries `X-RateLimit-Limit`, `-Remaining` and `-Reset`; a request over the limit is answered
/// 429, with `Retry-After` unless [`RateLimit::without_retry_after`].
///
/// ```
/// use std::time::Duration;
/// use vercel_edge_cache::mock::RateLimit;
/// let limit = RateLimit::new(20, Duration::from_secs(1)).without_retry_after();
/// assert_eq!(limit.limit(), 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "RateLimitJson")]
pub struct RateLimit {
    limit: u64,
    window_secs: u64,
    retry_after: bool,
}

/// A rate limit as `PUT /_mock/rate-limit` takes it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RateLimitJson {
    limit: u64,
    window_seconds: u64,
    #[serde(default = "yes")]
    retry_after: bool,
}

fn yes() -> bool {
    true
}

/// The shortest window, in seconds: `X-RateLimit-Reset` counts whole seconds.
const MIN_WINDOW_SECS: u64 = 1;

impl TryFrom<RateLimitJson> for RateLimit {
    type Error = String;

    fn try_from(j: RateLimitJson) -> Result<Self, String> {
        if j.window_seconds < MIN_WINDOW_SECS {
            return Err(format!("windowSeconds: must be at least {MIN_WINDOW_SECS}, got {}", j.window_seconds));
        }
        Ok(Self { limit: j.limit, window_secs: j.window_seconds, retry_after: j.retry_after })
    }
}

impl RateLimit {
    /// `limit` requests per `window`, in whole seconds (rounded up, at least 1).
    pub fn new(limit: u64, window: Duration) -> Self {
        Self { limit, window_secs: whole_seconds(window).max(MIN_WINDOW_SECS), retry_after: true }
    }

    /// 429s without `Retry-After`: clients must read `X-RateLimit-Reset`.
    pub fn without_retry_after(mut self) -> Self {
        self.retry_after = false;
        self
    }

    /// Requests per window.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// How the mock answers one request, besides the spec's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Check the request and answer as the spec says.
    Serve,
    /// Answer this status, with `Retry-After` seconds if any, and Vercel's error code and
    /// message when scripted.
    Fail { status: u16, retry_after: Option<u64>, error: Option<(String, String)> },
    /// Close the connection.
    Drop,
}

/// The `X-RateLimit-*` values of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub limit: u64,
    pub remaining: u64,
    pub reset: u64,
}

/// The script's state.
#[derive(Debug, Default)]
pub(crate) struct Script {
    faults: VecDeque<Fault>,
    rate: Option<RateLimit>,
    /// The current window's start (epoch seconds) and the requests it has taken.
    window: (u64, u64),
    pub latency: Duration,
}

impl Script {
    pub fn push(&mut self, fault: Fault) {
        self.faults.push_back(fault);
    }

    pub fn set_rate_limit(&mut self, rate: Option<RateLimit>) {
        self.rate = rate;
        self.window = (0, 0);
    }

    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// The scripted fault the next request gets, if any (it is used up).
    pub fn next_fault(&mut self) -> Option<Decision> {
        let fault = self.faults.front_mut()?;
        fault.times -= 1;
        let fault = if fault.times == 0 { self.faults.pop_front().expect("the front") } else { fault.clone() };
        Some(match fault.status {
            Some(status) => Decision::Fail { status, retry_after: fault.retry_after_secs, error: fault.error },
            None => Decision::Drop,
        })
    }

    /// The rate-limit headers at `now`, without counting a request.
    pub fn peek(&mut self, now: SystemTime) -> Option<RateHeaders> {
        self.headers(now, false)
    }

    /// Counts one request arriving at `now` against the rate limit: served, or a 429.
    pub fn take(&mut self, now: SystemTime) -> (Decision, Option<RateHeaders>) {
        let Some(headers) = self.headers(now, true) else { return (Decision::Serve, None) };
        if self.window.1 <= headers.limit {
            return (Decision::Serve, Some(headers));
        }
        let wait = headers.reset.saturating_sub(epoch(now)).max(1);
        let retry_after = self.rate.as_ref().is_some_and(|r| r.retry_after).then_some(wait);
        (Decision::Fail { status: 429, retry_after, error: None }, Some(headers))
    }

    /// The headers at `now`, counting one more request when `take`.
    fn headers(&mut self, now: SystemTime, take: bool) -> Option<RateHeaders> {
        let rate = self.rate.as_ref()?;
        let secs = epoch(now);
        let start = secs - secs % rate.window_secs;
        if self.window.0 != start {
            self.window = (start, 0);
        }
        if take {
            self.window.1 += 1;
        }
        let remaining = rate.limit.saturating_sub(self.window.1);
        Some(RateHeaders { limit: rate.limit, remaining, reset: start + rate.window_secs })
    }
}

fn epoch(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn faults_apply_in_order_for_their_count_then_requests_are_served() {
        let mut s = Script::default();
        s.push(Fault::status(503).times(2).retry_after(Duration::from_millis(1500)));
        s.push(Fault::drop_connection());
        let fail = Decision::Fail { status: 503, retry_after: Some(2), error: None };
        assert_eq!(s.next_fault(), Some(fail.clone()));
        assert_eq!(s.next_fault(), Some(fail));
        assert_eq!(s.next_fault(), Some(Decision::Drop));
        assert_eq!(s.next_fault(), None);
        assert_eq!(s.take(at(10)), (Decision::Serve, None));
    }

    #[test]
    fn the_rate_limit_counts_per_epoch_aligned_window_and_says_when_it_resets() {
        let mut s = Script::default();
        s.set_rate_limit(Some(RateLimit::new(2, Duration::from_secs(10))));
        let (d, h) = s.take(at(103));
        assert_eq!((d, h), (Decision::Serve, Some(RateHeaders { limit: 2, remaining: 1, reset: 110 })));
        assert_eq!(s.peek(at(104)).unwrap().remaining, 1, "peeking counts nothing");
        assert_eq!(s.take(at(104)).1.unwrap().remaining, 0);
        let (d, h) = s.take(at(107));
        assert_eq!(d, Decision::Fail { status: 429, retry_after: Some(3), error: None });
        assert_eq!(h, Some(RateHeaders { limit: 2, remaining: 0, reset: 110 }));
        // A new window.
        assert_eq!(s.take(at(110)), (Decision::Serve, Some(RateHeaders { limit: 2, remaining: 1, reset: 120 })));
    }

    #[test]
    fn without_retry_after_a_429_carries_only_the_rate_headers() {
        let mut s = Script::default();
        s.set_rate_limit(Some(RateLimit::new(0, Duration::from_secs(1)).without_retry_after()));
        assert_eq!(s.take(at(5)).0, Decision::Fail { status: 429, retry_after: None, error: None });
    }

    #[test]
    fn faults_and_rate_limits_read_from_json_for_the_cli_mock() {
        let f: Fault = serde_json::from_str(r#"{"status":429,"times":2,"retryAfter":1}"#).unwrap();
        assert_eq!(f, Fault::status(429).times(2).retry_after(Duration::from_secs(1)));
        let f: Fault = serde_json::from_str(r#"{"drop":true}"#).unwrap();
        assert_eq!(f, Fault::drop_connection());
        let f: Fault = serde_json::from_str(r#"{"status":403,"code":"invalid_token","message":"No"}"#).unwrap();
        assert_eq!(f, Fault::status(403).error("invalid_token", "No"));
        let r: RateLimit = serde_json::from_str(r#"{"limit":5,"windowSeconds":1,"retryAfter":false}"#).unwrap();
        assert_eq!(r, RateLimit::new(5, Duration::from_secs(1)).without_retry_after());
        let refused = |json: &str| serde_json::from_str::<Fault>(json).unwrap_err().to_string();
        assert!(refused(r#"{"stauts":429}"#).contains("unknown field `stauts`"));
        assert_eq!(refused(r#"{}"#), "give either `status` or `drop: true`");
        assert_eq!(refused(r#"{"status":429,"drop":true}"#), "give either `status` or `drop: true`");
        assert_eq!(refused(r#"{"status":200}"#), "status: a fault answers 400 to 599, got 200");
        assert_eq!(refused(r#"{"status":1000}"#), "status: a fault answers 400 to 599, got 1000");
        assert_eq!(refused(r#"{"status":503,"times":0}"#), "times: a fault applies to at least 1 request, got 0");
        assert_eq!(
            refused(r#"{"status":403,"code":"x"}"#),
            "give `code` and `message` together (Vercel's error body has both)"
        );
        let window = serde_json::from_str::<RateLimit>(r#"{"limit":5,"windowSeconds":0}"#).unwrap_err();
        assert_eq!(window.to_string(), "windowSeconds: must be at least 1, got 0");
    }

    #[test]
    #[should_panic(expected = "status: a fault answers 400 to 599, got 200")]
    fn a_fault_is_a_failure() {
        let _ = Fault::status(200);
    }

    #[test]
    fn a_window_is_whole_seconds_and_never_zero() {
        let mut s = Script::default();
        s.set_rate_limit(Some(RateLimit::new(1, Duration::from_millis(1))));
        assert_eq!(s.take(at(7)).1.unwrap().reset, 8);
        s.set_rate_limit(Some(RateLimit::new(1, Duration::from_millis(1500))));
        assert_eq!(s.take(at(7)).1.unwrap().reset, 8, "2 s windows: 6..8");
        assert_eq!(s.take(at(8)).1.unwrap().reset, 10, "then 8..10");
    }
}
