//! Pacing to Vercel's rate limit. One limiter per client, shared by every call and batch made
//! through it: it reads `X-RateLimit-Limit`, `-Remaining` and `-Reset` (UTC epoch seconds) on
//! every response, counts the requests it lets out in the current window, and holds new ones
//! once the window is spent, until it resets, instead of sending them to be refused.
//!
//! Times the server gives (a reset, a `Retry-After` date) are read against the response's
//! `Date`: when the local clock agrees with it to within [`MAX_SKEW`], the wait runs to the
//! instant by the local clock, which is precise; when it does not, the wait is timed from `Date`,
//! so that a skewed clock neither hammers the API nor sleeps for minutes. Every wait is capped.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// How far the local clock may be from the server's `Date` and still be trusted.
pub const MAX_SKEW: Duration = Duration::from_secs(2);

/// Margin added to a wait for a reset by the local clock, for the server's own rounding.
const MARGIN: Duration = Duration::from_millis(50);

/// The rate-limit headers of one response, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateHeaders {
    limit: Option<u64>,
    remaining: Option<u64>,
    /// `X-RateLimit-Reset`, UTC epoch seconds.
    reset: Option<u64>,
    /// `Retry-After`: seconds, or a UTC epoch second.
    retry_after: Option<RetryAfter>,
    /// `Date`, UTC epoch seconds.
    date: Option<u64>,
    /// The headers above as they came, for traces (see [`RateHeaders::shown`]).
    shown: Vec<(&'static str, String)>,
}

/// The headers [`RateHeaders`] reads, by the names a trace shows them under.
pub(crate) const SHOWN: [&str; 5] =
    ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after", "date"];

/// The most characters of a header's value a trace shows.
const SHOWN_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetryAfter {
    Seconds(u64),
    At(u64),
}

impl RateHeaders {
    /// Reads them from a response's headers.
    pub fn of(headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let number = |name: &str| text(name)?.parse::<u64>().ok();
        let epoch =
            |value: &str| httpdate::parse_http_date(value).ok()?.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs());
        let retry_after = text("retry-after").and_then(|v| match v.parse::<u64>() {
            Ok(secs) => Some(RetryAfter::Seconds(secs)),
            Err(_) => epoch(v).map(RetryAfter::At),
        });
        Self {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
            retry_after,
            date: text("date").and_then(epoch),
            shown: SHOWN
                .iter()
                .filter_map(|name| {
                    let value = String::from_utf8_lossy(headers.get(*name)?.as_bytes()).into_owned();
                    let mut shown = crate::text::escape(&value.chars().take(SHOWN_CHARS).collect::<String>());
                    if value.chars().count() > SHOWN_CHARS {
                        shown.push('…');
                    }
                    Some((*name, shown))
                })
                .collect(),
        }
    }

    /// The rate-limit headers of the response as it sent them, values that do not parse too
    /// (a trace shows what the server said; the decision shows what the client made of it):
    /// each value cut to 64 characters, its control characters escaped (server text is data).
    pub(crate) fn shown(&self) -> &[(&'static str, String)] {
        &self.shown
    }

    /// The local instant of a server time (UTC epoch seconds), read against `Date`.
    fn instant(&self, epoch: u64) -> Instant {
        let now = Instant::now();
        let local = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        let secs = match self.date {
            // A skewed clock: time the wait from the server's own clock.
            Some(date) if (local - date as f64).abs() > MAX_SKEW.as_secs_f64() => epoch as f64 - date as f64,
            // The clocks agree (or the server sent no date): the local clock is the precise one.
            _ => epoch as f64 - local + MARGIN.as_secs_f64(),
        };
        now + Duration::from_secs_f64(secs.max(0.0))
    }

    /// How long `Retry-After` says to wait (a date read against `Date`), if it is there.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self.retry_after? {
            RetryAfter::Seconds(secs) => Some(Duration::from_secs(secs)),
            RetryAfter::At(epoch) => Some(self.instant(epoch).saturating_duration_since(Instant::now())),
        }
    }

    /// How long a 429 says to wait: `Retry-After` if present, else until `X-RateLimit-Reset`.
    pub(crate) fn wait_after_429(&self) -> Option<Duration> {
        self.retry_after().or_else(|| Some(self.instant(self.reset?).saturating_duration_since(Instant::now())))
    }
}

/// What the limiter knows of the current window.
#[derive(Debug, Default)]
struct Window {
    /// `X-RateLimit-Limit`: requests a window allows.
    limit: Option<u64>,
    /// Requests still allowed in this window, counting those let out since the last answer.
    remaining: Option<u64>,
    /// When the window resets (or a 429's wait ends).
    reset: Option<Instant>,
    /// Requests let out and not yet answered.
    in_flight: u64,
    /// Until when requests are held, to count overlapping waits once.
    held_until: Option<Instant>,
}

/// Why a request is held.
enum Hold {
    /// Until the window resets, this long from now.
    Until(Duration),
    /// Until an answer says when the spent window resets.
    ForAnswer,
}

/// A request counted as in flight by the limiter, until dropped.
pub(crate) struct Permit<'a>(&'a RateLimiter);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut w = self.0.window.lock().unwrap_or_else(|e| e.into_inner());
        w.in_flight = w.in_flight.saturating_sub(1);
        drop(w);
        self.0.changed.notify_waiters();
    }
}

/// How long a request waits for an answer to say when a spent window resets, before it goes
/// anyway (as a probe).
const ANSWER_WAIT: Duration = Duration::from_secs(1);

/// The client's rate limiter (see the module documentation).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    window: Mutex<Window>,
    /// Woken when an answer is observed or a request ends.
    changed: tokio::sync::Notify,
    /// The longest single wait.
    max_wait: Duration,
    /// Wall-clock time requests were held, in milliseconds, over the client's life (waits that
    /// overlap count once).
    waited_ms: AtomicU64,
}

impl RateLimiter {
    pub(crate) fn new(max_wait: Duration) -> Self {
        Self {
            window: Mutex::new(Window::default()),
            changed: tokio::sync::Notify::new(),
            max_wait,
            waited_ms: AtomicU64::new(0),
        }
    }

    /// How long requests were held for the rate limit, over the client's life.
    pub(crate) fn waited(&self) -> Duration {
        Duration::from_millis(self.waited_ms.load(Ordering::Relaxed))
    }

    /// Waits while the window is spent, then counts one request out of it. The request counts
    /// as in flight until the permit is dropped (after its answer was observed).
    pub(crate) async fn acquire(&self, operation: &'static str) -> Permit<'_> {
        let mut waited_for_answer = false;
        loop {
            // Registered before the state is read, so that no answer slips in between.
            let changed = self.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            let hold = {
                let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                if w.reset.is_some_and(|r| now >= r) {
                    // A new window: full until an answer says otherwise, less the requests still
                    // in flight, which the server may count in it.
                    w.remaining = w.limit.map(|l| l.saturating_sub(w.in_flight));
                    w.reset = None;
                }
                match (w.remaining, w.reset) {
                    (Some(0), Some(reset)) => {
                        let until = now + (reset - now).min(self.max_wait);
                        let from = w.held_until.map_or(now, |h| h.max(now));
                        let extra = until.saturating_duration_since(from);
                        self.waited_ms.fetch_add(extra.as_millis() as u64, Ordering::Relaxed);
                        w.held_until = Some(w.held_until.map_or(until, |h| h.max(until)));
                        Some(Hold::Until(reset - now))
                    }
                    // This window is spent, and when it ends is not known yet: the first answer
                    // from it will say, so wait for that rather than send to be refused.
                    (Some(0), None) if w.in_flight > 0 && !waited_for_answer => Some(Hold::ForAnswer),
                    (remaining, _) => {
                        w.remaining = remaining.map(|n| n.saturating_sub(1));
                        w.in_flight += 1;
                        None
                    }
                }
            };
            match hold {
                None => return Permit(self),
                Some(Hold::Until(wait)) => {
                    let wait = wait.min(self.max_wait);
                    tracing::info!(
                        operation,
                        wait_ms = wait.as_millis() as u64,
                        "rate limit: holding requests until the window resets"
                    );
                    tokio::time::sleep(wait).await;
                }
                Some(Hold::ForAnswer) => {
                    waited_for_answer = tokio::time::timeout(ANSWER_WAIT, changed).await.is_err();
                }
            }
        }
    }

    /// Learns the window from a response's `X-RateLimit-*` headers.
    pub(crate) fn observe(&self, seen: &RateHeaders) {
        let reset = seen.reset.map(|epoch| seen.instant(epoch));
        if seen.limit.is_none() && seen.remaining.is_none() && reset.is_none() {
            return;
        }
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if seen.limit.is_some() {
            w.limit = seen.limit;
        }
        // The requests in flight besides the one answered: the server may not have counted them.
        let others = w.in_flight.saturating_sub(1);
        match (reset, w.reset) {
            (Some(r), Some(current)) if r > current + Duration::from_millis(500) => {
                // An answer from a later window than the one counted: take its figures, less the
                // requests in flight it may not count yet.
                w.reset = Some(r);
                w.remaining = seen.remaining.map(|n| n.saturating_sub(others));
            }
            (Some(r), None) => {
                // The first answer of a window: learn when it ends. The count is ours if we kept
                // one since the window began (it includes every request let out), else theirs
                // less the requests in flight.
                w.reset = Some(r);
                w.remaining = match (w.remaining, seen.remaining) {
                    (Some(mine), Some(theirs)) => Some(mine.min(theirs)),
                    (None, Some(theirs)) => Some(theirs.saturating_sub(others)),
                    (mine, None) => mine,
                };
            }
            _ => {
                // The same window: the lower count is the one that accounts for requests in flight.
                if let Some(theirs) = seen.remaining {
                    w.remaining = Some(w.remaining.map_or(theirs, |mine| mine.min(theirs)));
                }
            }
        }
        drop(w);
        self.changed.notify_waiters();
    }

    /// After a 429: holds every request until `wait` has passed (capped), and answers the wait.
    pub(crate) fn hold(&self, wait: Duration) -> Duration {
        let wait = wait.min(self.max_wait);
        let until = Instant::now() + wait;
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        w.remaining = Some(0);
        w.reset = Some(w.reset.map_or(until, |r| r.max(until)));
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn epoch_now() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_window_holds_requests_until_it_resets() {
        let limiter = RateLimiter::new(Duration::from_secs(60));
        let reset = epoch_now() + 2;
        limiter.observe(&RateHeaders::of(&headers(&[
            ("x-ratelimit-limit", "3".into()),
            ("x-ratelimit-remaining", "1".into()),
            ("x-ratelimit-reset", reset.to_string()),
        ])));
        let started = Instant::now();
        drop(limiter.acquire("op").await); // the last one of the window
        assert_eq!(Instant::now(), started, "a request left in the window goes at once");
        // Two requests held at once: held until the reset, and the wait counted once.
        let (a, b) = tokio::join!(limiter.acquire("op"), limiter.acquire("op"));
        drop((a, b));
        let held = Instant::now() - started;
        assert!(held >= Duration::from_millis(900), "held {held:?}");
        assert!(limiter.waited() <= held + Duration::from_millis(5), "{:?} counted for {held:?}", limiter.waited());
        assert!(limiter.waited() >= Duration::from_millis(900));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_new_window_holds_requests_until_its_first_answer_says_when_it_ends() {
        let limiter = RateLimiter::new(Duration::from_secs(60));
        let h = |remaining: u64, reset: u64| {
            RateHeaders::of(&headers(&[
                ("x-ratelimit-limit", "2".into()),
                ("x-ratelimit-remaining", remaining.to_string()),
                ("x-ratelimit-reset", reset.to_string()),
            ]))
        };
        // A window that has ended: the next one allows 2, and nothing says yet when it ends.
        limiter.observe(&h(0, epoch_now()));
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (a, b) = (limiter.acquire("op").await, limiter.acquire("op").await);
        // A third is not let out while the first two are unanswered.
        let held = tokio::time::timeout(Duration::from_millis(500), limiter.acquire("op")).await;
        assert!(held.is_err(), "a third request went out in a window of 2");
        // The first answer says the window is spent until the next second: held until then.
        limiter.observe(&h(0, epoch_now() + 2));
        drop((a, b));
        let before = Instant::now();
        drop(limiter.acquire("op").await);
        assert!(Instant::now() - before >= Duration::from_secs(1), "held until the reset");
    }

    #[tokio::test(start_paused = true)]
    async fn without_an_answer_a_held_request_goes_as_a_probe_after_a_while() {
        let limiter = RateLimiter::new(Duration::from_secs(60));
        limiter.observe(&RateHeaders::of(&headers(&[
            ("x-ratelimit-limit", "1".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", epoch_now().to_string()),
        ])));
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let _hung = limiter.acquire("op").await; // never answered
        let before = Instant::now();
        drop(limiter.acquire("op").await);
        let waited = Instant::now() - before;
        assert!(waited >= ANSWER_WAIT && waited < ANSWER_WAIT * 2, "{waited:?}");
    }

    #[tokio::test]
    async fn the_lower_count_wins_within_a_window_and_a_later_window_replaces_it() {
        let limiter = RateLimiter::new(Duration::from_secs(60));
        let reset = epoch_now() + 5;
        let h = |remaining: u64, reset: u64| {
            RateHeaders::of(&headers(&[
                ("x-ratelimit-remaining", remaining.to_string()),
                ("x-ratelimit-reset", reset.to_string()),
            ]))
        };
        limiter.observe(&h(5, reset));
        limiter.observe(&h(9, reset));
        assert_eq!(limiter.window.lock().unwrap().remaining, Some(5));
        // A later window, answered while two requests are out: the other one may not be counted
        // in its figure yet, so one less is left.
        let (a, b) = (limiter.acquire("op").await, limiter.acquire("op").await);
        limiter.observe(&h(9, reset + 10));
        assert_eq!(limiter.window.lock().unwrap().remaining, Some(8));
        drop((a, b));
    }

    #[test]
    fn waits_after_a_429_come_from_retry_after_else_the_reset_and_a_skewed_clock_is_read_from_date() {
        let now = epoch_now();
        let h = headers(&[("retry-after", "3".into())]);
        assert_eq!(RateHeaders::of(&h).wait_after_429(), Some(Duration::from_secs(3)));
        // The local clock agrees with Date to within MAX_SKEW (Date a second behind): wait until
        // the reset by the local clock (3 to 4 s), not 5 s after Date.
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now - 1));
        let h = headers(&[("x-ratelimit-reset", (now + 4).to_string()), ("date", date)]);
        let wait = RateHeaders::of(&h).wait_after_429().unwrap();
        assert!(wait > Duration::from_secs(3) && wait <= Duration::from_millis(4100), "{wait:?}");
        // The server's clock is an hour behind: the reset is 4 s after its Date, not an hour ago.
        let server_now = now - 3600;
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(server_now));
        let h = headers(&[("x-ratelimit-reset", (server_now + 4).to_string()), ("date", date)]);
        let about_4s =
            |d: Option<Duration>| d.is_some_and(|d| d.abs_diff(Duration::from_secs(4)) < Duration::from_millis(50));
        assert!(about_4s(RateHeaders::of(&h).wait_after_429()), "{:?}", RateHeaders::of(&h).wait_after_429());
        // An hour ahead: 4 s too, not an hour.
        let server_now = now + 3600;
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(server_now));
        let retry = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(server_now + 4));
        let h = headers(&[("retry-after", retry), ("date", date)]);
        assert!(about_4s(RateHeaders::of(&h).wait_after_429()), "{:?}", RateHeaders::of(&h).wait_after_429());
    }

    #[test]
    fn the_headers_are_shown_as_sent_cut_short_and_escaped() {
        let mut h = headers(&[("retry-after", "-3".into()), ("x-ratelimit-limit", "20".into())]);
        // A header value may hold tabs and bytes above 0x7f: here a C1 CSI (U+009B) in UTF-8.
        h.insert("x-ratelimit-reset", reqwest::header::HeaderValue::from_bytes(b"1\t\xc2\x9b2J").unwrap());
        h.insert("date", "d".repeat(100).parse().unwrap());
        let seen = RateHeaders::of(&h);
        let shown: Vec<(&str, &str)> = seen.shown().iter().map(|(n, v)| (*n, v.as_str())).collect();
        let long = format!("{}…", "d".repeat(SHOWN_CHARS));
        assert_eq!(
            shown,
            [
                ("x-ratelimit-limit", "20"),
                ("x-ratelimit-reset", r"1\t\u{9b}2J"),
                ("retry-after", "-3"),
                ("date", long.as_str())
            ]
        );
        // What is shown is not what is read: neither of these parses.
        assert_eq!((seen.retry_after(), seen.reset), (None, None));
    }

    #[tokio::test(start_paused = true)]
    async fn every_wait_is_capped() {
        let limiter = RateLimiter::new(Duration::from_secs(2));
        assert_eq!(limiter.hold(Duration::from_secs(3600)), Duration::from_secs(2));
        let started = Instant::now();
        drop(limiter.acquire("op").await);
        let held = Instant::now() - started;
        assert!(held >= Duration::from_secs(2) && held <= Duration::from_millis(2001), "held {held:?}");
    }
}
