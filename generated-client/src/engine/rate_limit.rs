//! Pacing to Vercel's rate limit. One limiter per client, shared by every call and batch made
//! through it: it reads `X-RateLimit-Limit`, `-Remaining` and `-Reset` (UTC epoch seconds) on
//! every response, counts the requests it lets out in the current window, and holds new ones
//! once the window is spent, until it resets, instead of sending them to be refused.
//!
//! Times the server gives (a reset, a `Retry-After` date) are read against the response's
//! `Date`: when the local clock agrees with it to within [`MAX_SKEW`], the wait runs to the
//! instant by the local clock, which is precise; when it does not, the wait is timed from `Date`,
//! so that a skewed clock neither hammers the API nor sleeps for minutes.
//!
//! **Bounded waits.** A value that makes no sense (negative, unparsable, a reset in the past) is
//! ignored. A wait longer than `max_retry_after` is never waited: the request fails at once, and
//! the client refuses every request unsent for `max_retry_after` ([`RateLimiter::block`]). One
//! request's waits (on Vercel's asking, and for its turns when sharing the window) are summed in
//! its [`Track`] and bounded by `max_rate_limit_wait`; a turn beyond either bound is not waited
//! (it is this client's own pacing: the request goes, and the answer says if it was too early).
//! After a refusal, what the window was said to be is forgotten: the next request probes it.
//!
//! **Sharing the window** (`RetryPolicy::adaptive_rate`). Processes that share a token share its
//! window and see nothing of each other, but every answer says how much of the window is left:
//! when `X-RateLimit-Remaining` falls faster than a client's own requests explain, others are
//! spending it too. The limiter measures its share of the window and keeps to it:
//!
//! - **Measure.** At the answer with the least `X-RateLimit-Remaining` of a window,
//!   `counted = limit - remaining` requests were counted, and at most `mine = admitted + in
//!   flight` of them were this client's. Its share is `(mine - ½) / (counted - ½)`: the answer
//!   is read just after its own request was counted, so its count runs half a request ahead of
//!   the others' (with two or three requests a window, the plain ratio overstates the share by
//!   a quarter, and the clients' shares then sum to more than the window).
//! - **Alone** (no other client evident): it spends the window as it comes, as a lone client
//!   always did: bursts are the fastest way through a fixed window. Until its first window is
//!   over it does not know, so it starts as TCP does: two requests in flight, one more per
//!   answer that shows no one else; clients started together see each other in their first
//!   answers, before they spend the first window twice over.
//! - **Sharing**: its quota is `share × TARGET × limit` requests per window, spread evenly (one
//!   every `window / quota`, nothing reserved, so a new rate applies to the next request) and
//!   capped per window by its own clock (the server counts in windows, and a rate alone drifts
//!   by a request with the phase). The shares of all clients sum to one, so their quotas sum to
//!   [`TARGET`] (95 %) of the limit within a window; the headroom absorbs requests that land in
//!   the next window and the noise of a few requests per window.
//! - **Adapt**, window by window: a share that grew is taken at once (others left, or used
//!   less); one that fell is averaged with the last, against noise. A window with no other
//!   client evident gives the whole target, two in a row make the client alone again. A 429
//!   means the window is spent; its hold is the one of any 429.
//!
//! This is AWS's adaptive retry mode (a client-side token bucket whose rate adapts), with a
//! measured share in place of CUBIC's probing: CUBIC learns the capacity from throttles only,
//! and so needs them, while Vercel says what is left on every answer. Without `X-RateLimit-Limit`
//! nothing is learnt, and the client behaves as a lone one. Figures: BENCHMARKS.md,
//! `bulk-many-processes`.

use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue};
use tokio::time::Instant;

use crate::types::error::{AskedWait, RateLimitWaits, WaitLimit};
use crate::types::retry::RetryPolicy;

/// The target of this module's traces (what `RUST_LOG=vercel_edge_cache::rate_limit=debug` selects), kept
/// as documented when the module moved.
const TRACE_TARGET: &str = "vercel_edge_cache::rate_limit";

/// How far the local clock may be from the server's `Date` and still be trusted: 2 s.
pub const MAX_SKEW: Duration = Duration::from_secs(2);

/// Margin added to a wait for a reset by the local clock, for the server's own rounding.
const MARGIN: Duration = Duration::from_millis(50);

/// The farthest a server's time is taken to be: ten thousand years is as good as forever, and
/// instants that far stay clear of overflowing.
const FOREVER: Duration = Duration::from_secs(10_000 * 365 * 86_400);

/// The share of the limit that clients sharing a window aim to use together.
pub(crate) const TARGET: f64 = 0.95;

/// The least share a client sharing a window keeps, however little it got.
const MIN_SHARE: f64 = 1.0 / 64.0;

/// Windows in a row with no other client evident after which a client sharing counts itself
/// alone again (one is not enough: the others may just have been held by a 429 then).
const QUIET_WINDOWS: u32 = 2;

/// Requests in flight a client lets out before any answer, as long as it does not know whether
/// it is alone: processes started together then see each other in their first answers, before
/// they spend the first window (TCP's slow start, for the same reason).
const INITIAL_IN_FLIGHT: u64 = 2;

/// Two resets closer than this are the same window's (resets count whole seconds).
const SAME_WINDOW: Duration = Duration::from_millis(500);

/// The headers of one response the client reads (the rate limit's, and Vercel's request ID),
/// read once. Values that do not parse as what they should be (a negative number, text) are
/// absent.
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
    /// The headers above as they came, in [`SHOWN`]'s order, for traces
    /// ([`RateHeaders::shown`]).
    raw: [Option<HeaderValue>; SHOWN.len()],
}

/// The headers [`RateHeaders`] reads, by the names a trace shows them under.
pub(crate) const SHOWN: [&str; 6] =
    ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after", "date", REQUEST_ID_HEADER];
/// The header of Vercel's ID of a request (the testing kit answers with it too).
pub(crate) const REQUEST_ID_HEADER: &str = "x-vercel-id";
const LIMIT: usize = 0;
const REMAINING: usize = 1;
const RESET: usize = 2;
const RETRY_AFTER: usize = 3;
const DATE: usize = 4;
const REQUEST_ID: usize = 5;

/// The most characters of a header's value a trace shows.
const SHOWN_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetryAfter {
    Seconds(u64),
    At(u64),
}

impl RateHeaders {
    /// Reads them from a response's headers, in one pass over them (a response has a few; each
    /// lookup by name would hash it).
    pub fn of(headers: &HeaderMap) -> Self {
        let mut raw: [Option<HeaderValue>; SHOWN.len()] = Default::default();
        for (name, value) in headers {
            if let Some(i) = SHOWN.iter().position(|n| *n == name.as_str())
                && raw[i].is_none()
            {
                raw[i] = Some(value.clone());
            }
        }
        let text = |i: usize| raw[i].as_ref().and_then(|v| v.to_str().ok()).map(str::trim);
        let number = |i: usize| text(i)?.parse::<u64>().ok();
        let epoch =
            |value: &str| httpdate::parse_http_date(value).ok()?.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs());
        let retry_after = text(RETRY_AFTER).and_then(|v| match v.parse::<u64>() {
            Ok(secs) => Some(RetryAfter::Seconds(secs)),
            Err(_) => epoch(v).map(RetryAfter::At),
        });
        Self {
            limit: number(LIMIT),
            remaining: number(REMAINING),
            reset: number(RESET),
            retry_after,
            date: text(DATE).and_then(epoch),
            raw,
        }
    }

    /// The rate-limit headers of the response as it sent them, values that do not parse too
    /// (a trace shows what the server said; the decision shows what the client made of it):
    /// each value cut to 64 characters, its control characters escaped (server text is data).
    /// Made only when a trace wants them.
    pub(crate) fn shown(&self) -> Vec<(&'static str, String)> {
        SHOWN
            .iter()
            .zip(&self.raw)
            .filter_map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_ref()?.as_bytes());
                Some((*name, crate::types::text::escape_start(&value, SHOWN_CHARS)))
            })
            .collect()
    }

    /// Vercel's ID of the request (`x-vercel-id`: the regions it went through and its ID),
    /// exactly as sent (bytes that are not UTF-8 replaced); what a support ticket or a trace of
    /// one request needs.
    pub(crate) fn request_id(&self) -> Option<String> {
        let value = self.raw[REQUEST_ID].as_ref()?;
        Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
    }

    /// How far in the future a server time (UTC epoch seconds) is, read against `Date`; `None`
    /// when it is not in the future.
    fn until(&self, epoch: u64) -> Option<Duration> {
        let local = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        let secs = match self.date {
            // A skewed clock: time the wait from the server's own clock.
            Some(date) if (local - date as f64).abs() > MAX_SKEW.as_secs_f64() => epoch as f64 - date as f64,
            // The clocks agree (or the server sent no date): the local clock is the precise one.
            _ => epoch as f64 - local + MARGIN.as_secs_f64(),
        };
        (secs > 0.0).then(|| Duration::try_from_secs_f64(secs).map_or(FOREVER, |d| d.min(FOREVER)))
    }

    /// The wait `Retry-After` asks for (a date read against `Date`; a date already past asks
    /// for none), if it is there.
    pub(crate) fn retry_after(&self) -> Option<AskedWait> {
        let wait = match self.retry_after? {
            RetryAfter::Seconds(secs) => Duration::from_secs(secs).min(FOREVER),
            RetryAfter::At(epoch) => self.until(epoch).unwrap_or(Duration::ZERO),
        };
        Some(AskedWait::new(wait, AskedWait::RETRY_AFTER))
    }

    /// The wait a 429 asks for: `Retry-After` if present, else until `X-RateLimit-Reset`. `None`
    /// when neither is usable (absent, negative, unparsable, a reset in the past): such a 429
    /// says nothing of when to come back.
    ///
    /// `Retry-After` in seconds counts whole seconds: when the reset is sooner by less than one,
    /// the two say the same, and the reset is the precise one (a window that resets in 0.2 s is
    /// `Retry-After: 1`; waiting the whole second would leave most of the next window unused).
    pub(crate) fn wait_after_429(&self) -> Option<AskedWait> {
        let reset = self.reset.and_then(|epoch| self.until(epoch)).map(|wait| AskedWait::new(wait, AskedWait::RESET));
        match (self.retry_after(), reset) {
            (Some(after), Some(reset))
                if matches!(self.retry_after, Some(RetryAfter::Seconds(_)))
                    && reset.wait < after.wait
                    && after.wait < reset.wait + Duration::from_secs(1) =>
            {
                Some(reset)
            }
            (Some(after), _) => Some(after),
            (None, reset) => reset,
        }
    }
}

/// One request's dealings with the rate limit, shared with the batch runner, so that a request
/// abandoned when its call stops still says what it was waiting on.
#[derive(Debug, Default)]
pub(crate) struct Track(Mutex<RateLimitWaits>);

impl Track {
    fn with<R>(&self, f: impl FnOnce(&mut RateLimitWaits) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A 429 answered it: `asked` is the wait it asked for, if it said.
    pub(crate) fn answered_429(&self, asked: Option<AskedWait>) {
        self.with(|w| {
            w.answers_429 += 1;
            w.last_asked = asked.or(w.last_asked);
        });
    }

    /// It waits on Vercel's asking, or on its turn (`asked` is `None`), from now on.
    pub(crate) fn hold(&self, asked: Option<AskedWait>) {
        self.with(|w| {
            w.waiting = true;
            w.last_asked = asked.or(w.last_asked);
        });
    }

    /// It waited `waited` (on Vercel's asking, or for its turn), and goes on.
    pub(crate) fn held(&self, waited: Duration) {
        self.with(|w| {
            w.waiting = false;
            w.waited += waited;
        });
    }

    /// How long it waited on the rate limit so far.
    pub(crate) fn waited(&self) -> Duration {
        self.with(|w| w.waited)
    }

    /// What it met of the rate limit, if anything.
    pub(crate) fn waits(&self) -> Option<RateLimitWaits> {
        self.with(|w| (!w.is_empty()).then(|| w.clone()))
    }

    /// What it met of the rate limit, as it is.
    pub(crate) fn snapshot(&self) -> RateLimitWaits {
        self.with(|w| w.clone())
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
    /// What Vercel asked that set `reset`, as the answer asked it.
    asked: Option<AskedWait>,
    /// Requests let out and not yet answered.
    in_flight: u64,
    /// Until when requests are held, to count overlapping waits once.
    held_until: Option<Instant>,
    /// Wall-clock time requests were held, over the client's life (waits that overlap count
    /// once).
    waited: Duration,
    /// Requests are refused unsent until then: Vercel asked for a wait longer than the cap.
    blocked: Option<(Instant, AskedWait)>,
    /// This client's share of the window, when others use it too.
    share: Share,
}

/// This client's share of a window others use too (see the module documentation).
#[derive(Debug, Default)]
struct Share {
    /// Whether to measure and pace at all (`RetryPolicy::adaptive_rate`).
    on: bool,
    /// The window's length, from two resets in a row (the shortest gap seen).
    length: Option<Duration>,
    /// The longest time from an answer to its window's reset: a lower bound of the length,
    /// until two resets give it.
    length_seen: Duration,
    /// The window being counted.
    tally: Tally,
    /// The share of the window this client takes, when others are evident; `None`: alone.
    share: Option<f64>,
    /// Windows in a row with no other client evident.
    quiet: u32,
    /// When sharing, when the last request went.
    last: Option<Instant>,
    /// When sharing, the end of the window the last request went in (by this client's clock),
    /// the requests it let out in it, and the part of a request its quota left over.
    sent: (Option<Instant>, u64, f64),
    /// Whether a window was counted to its end yet: until then the client does not know whether
    /// it is alone, and lets out at most `starting` requests at a time.
    known: bool,
    /// Answers that showed no other client, before a window was counted: the requests in
    /// flight allowed until then are [`INITIAL_IN_FLIGHT`] more.
    starting: u64,
    /// Whether `share` was measured over a whole window (not guessed from the first answers).
    settled: bool,
}

/// What this client saw of one window.
#[derive(Debug, Default)]
struct Tally {
    /// Its reset.
    reset: Option<Instant>,
    /// Whether it is over (what it says is learnt).
    closed: bool,
    /// This client's answers counted in it (not 429s).
    admitted: u64,
    /// The least `X-RateLimit-Remaining` seen in it, and this client's share of what was
    /// counted then (1 when no other client was evident).
    lowest: Option<(u64, f64)>,
}

impl Share {
    /// An answer from the window that resets at `reset`: counts it, and ends the window before
    /// when this one is later.
    fn answer(
        &mut self,
        now: Instant,
        reset: Instant,
        limit: Option<u64>,
        remaining: Option<u64>,
        refused: bool,
        in_flight: u64,
    ) {
        if !self.on {
            return;
        }
        match self.tally.reset {
            Some(current) if reset > current + SAME_WINDOW => {
                self.close();
                self.length = Some(self.length.map_or(reset - current, |l| l.min(reset - current)));
                self.tally = Tally { reset: Some(reset), ..Tally::default() };
            }
            // An answer from a window already over: too late to count.
            Some(current) if reset + SAME_WINDOW < current || self.tally.closed => return,
            Some(_) => {}
            None => self.tally.reset = Some(reset),
        }
        self.length_seen = self.length_seen.max(reset.saturating_duration_since(now));
        if !refused {
            self.tally.admitted += 1;
        }
        let (Some(limit), Some(remaining)) = (limit, remaining) else {
            self.unmeasured();
            return;
        };
        let counted = limit.saturating_sub(remaining);
        if counted == 0 || self.tally.lowest.is_some_and(|(low, _)| remaining > low) {
            return;
        }
        // The server counted `counted`; this client's among them are at most those answered and
        // those still in flight (besides this one, answered). The answer is read right after this
        // client's own request was counted, so its count runs half a request ahead of the
        // others' on average: half a request off each is the unbiased share (with two or three
        // requests a window, the plain ratio overstates it by a quarter).
        let mine = self.tally.admitted + in_flight.saturating_sub(1);
        let share = if mine >= counted { 1.0 } else { (mine as f64 - 0.5).max(0.0) / (counted as f64 - 0.5) };
        self.tally.lowest = Some((remaining, share));
        if !self.known {
            if share < 1.0 {
                // Others already, in the first window: share from now on.
                self.known = true;
                self.share = Some(share.max(MIN_SHARE));
            } else {
                self.starting += 1;
            }
        }
    }

    /// An answer that gives nothing to measure others by (no limit, no count, no reset to
    /// count it in): taken as one that shows no one else, so that a careful start ends.
    fn unmeasured(&mut self) {
        if self.on && !self.known {
            self.starting += 1;
        }
    }

    /// Forgets the window being counted and what was seen of its length (after a wait too long
    /// to believe): the next answers start a new one. The share measured so far is kept.
    fn forget(&mut self) {
        self.tally = Tally::default();
        self.length = None;
        self.length_seen = Duration::ZERO;
    }

    /// Whether the client, not knowing yet whether it is alone, has as many requests in flight
    /// as it lets out for now.
    fn starting_full(&self, in_flight: u64) -> bool {
        self.on && !self.known && in_flight >= INITIAL_IN_FLIGHT + self.starting
    }

    /// The window is over: what it said of the others becomes this client's share.
    fn close(&mut self) {
        if self.tally.closed {
            return;
        }
        self.tally.closed = true;
        // A window counted to its end: whether others were evident in it is known now (when no
        // answer gave figures, none were).
        self.known = true;
        let Some((_, share)) = self.tally.lowest else { return };
        if share >= 1.0 {
            // No other client evident: they left, or were held by a 429 all this window. The
            // whole target for a window (paced, should they come back), then alone.
            self.quiet += 1;
            self.share = self.share.map(|_| 1.0);
            if self.quiet >= QUIET_WINDOWS {
                self.share = None;
                self.last = None;
            }
            return;
        }
        self.quiet = 0;
        // A share that fell is averaged with the one before, since a few requests per window
        // make a noisy measure; one that grew is taken at once (others left, or took less: their
        // part is spare), and so is the first window's, whose guess came from a handful of
        // requests.
        let share = match self.share {
            Some(s) if self.settled && share <= s => (s + share) / 2.0,
            _ => share,
        };
        self.settled = true;
        self.share = Some(share.max(MIN_SHARE));
    }

    /// When sharing, how long the request must wait for its turn: none when the last one went
    /// an interval ago at the current rate and the window's quota is not used up (then this one
    /// goes now, and is counted), else until then. `None` when alone, or when the limit is
    /// unknown. Nothing is reserved: a waiting request asks again when its turn should have
    /// come, at the rate of that moment.
    ///
    /// The quota, `share × TARGET × limit` requests per window (its fraction carried over), is
    /// what the server counts: the rate alone would let a client's count in a window drift by
    /// one with the phase of its requests, and the clients' drifts add up.
    fn turn(&mut self, now: Instant, limit: Option<u64>) -> Option<Duration> {
        let share = self.share?;
        // Resets count whole seconds: a window seen from part-way through is at least a second,
        // rounded up, until two resets give its length.
        let guess = || Duration::from_secs(self.length_seen.as_secs_f64().ceil().max(1.0) as u64);
        let length = self.length.unwrap_or_else(guess);
        let quota = share * TARGET * limit? as f64;
        let per_second = quota / length.as_secs_f64();
        if !per_second.is_finite() || per_second <= 0.0 {
            return None;
        }
        let interval = Duration::try_from_secs_f64(1.0 / per_second).unwrap_or(length).min(length);
        if let Some(due) = self.last.map(|last| last + interval).filter(|due| *due > now) {
            return Some(due - now);
        }
        if let Some(end) = self.window_end(now, length) {
            let (counted_end, sent, carry) = self.sent;
            if counted_end != Some(end) {
                // A new window: what the last one's quota left unused, up to one request.
                let left = counted_end.map_or(0.0, |_| (quota + carry - sent as f64).clamp(0.0, 0.99));
                self.sent = (Some(end), 0, left);
            }
            let (_, sent, carry) = self.sent;
            if sent as f64 >= (quota + carry).floor().max(1.0) {
                return Some(end - now);
            }
            self.sent.1 += 1;
        }
        self.last = Some(now);
        Some(Duration::ZERO)
    }

    /// The end of the window `now` is in, by this client's clock: the last reset an answer gave,
    /// or the one a whole number of windows after it.
    fn window_end(&self, now: Instant, length: Duration) -> Option<Instant> {
        let reset = self.tally.reset?;
        if reset > now {
            return Some(reset);
        }
        let behind = (now - reset).as_secs_f64() / length.as_secs_f64();
        Some(reset + length.mul_f64(behind.floor() + 1.0))
    }
}

/// The bounds on waiting for the rate limit, from the [`RetryPolicy`]: each is checked in
/// [`Limits::allow`] and nowhere else.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The longest single wait (`max_retry_after`).
    pub(crate) max_wait: Duration,
    /// The longest one request waits in all (`max_rate_limit_wait`).
    pub(crate) max_total: Duration,
}

impl Limits {
    /// Whether a request that waited `waited` so far may wait `wait` more, for `asked` (what
    /// Vercel asked, which the error names).
    pub(crate) fn allow(&self, wait: Duration, asked: AskedWait, waited: Duration) -> Result<(), WaitLimit> {
        if wait > self.max_wait {
            return Err(WaitLimit::MaxRetryAfter { asked, max: self.max_wait });
        }
        if waited + wait > self.max_total {
            return Err(WaitLimit::MaxRateLimitWait { asked, waited, max: self.max_total });
        }
        Ok(())
    }
}

/// What the policy ([`Window::decide`]) answers a request that asks to go.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// It goes now, counted out of the window.
    Go,
    /// It waits, then asks again.
    Hold(Hold),
    /// It is not sent.
    Refuse(WaitLimit),
    /// It is not sent, and neither is any request of the client for a while: Vercel asked for
    /// a wait longer than `max_retry_after` ([`RateLimiter::block`]).
    Block(AskedWait),
}

/// Why a request is held.
#[derive(Debug, PartialEq)]
enum Hold {
    /// Until the window resets, this long from now; Vercel asked for it.
    Until(Duration, AskedWait),
    /// Until an answer says when the spent window resets.
    ForAnswer,
    /// Until its turn, when sharing the window.
    Turn(Duration),
}

impl Window {
    /// The policy: whether a request goes at `now`, having waited `waited` on the rate limit
    /// so far (`probe`: it waited for an answer that did not come, and goes to ask). It reads
    /// no clock and sleeps nowhere: [`RateLimiter::acquire`] does, around it.
    fn decide(&mut self, now: Instant, waited: Duration, limits: Limits, probe: bool) -> Verdict {
        if let Some((until, asked)) = self.blocked {
            if now < until {
                return Verdict::Refuse(WaitLimit::MaxRetryAfter { asked, max: limits.max_wait });
            }
            self.blocked = None;
        }
        if self.reset.is_some_and(|r| now >= r) {
            // A new window: full until an answer says otherwise, less the requests still in
            // flight, which the server may count in it.
            self.remaining = self.limit.map(|l| l.saturating_sub(self.in_flight));
            self.reset = None;
            self.asked = None;
            self.share.close();
        }
        match (self.remaining, self.reset) {
            (Some(0), Some(reset)) => {
                let wait = reset - now;
                let asked = self.asked.unwrap_or(AskedWait::new(wait, AskedWait::RESET));
                match limits.allow(wait, asked, waited) {
                    Err(WaitLimit::MaxRetryAfter { .. }) => Verdict::Block(asked),
                    Err(limit) => Verdict::Refuse(limit),
                    Ok(()) => {
                        let until = now + wait;
                        self.waited += until.saturating_duration_since(self.held_until.map_or(now, |h| h.max(now)));
                        self.held_until = Some(self.held_until.map_or(until, |h| h.max(until)));
                        Verdict::Hold(Hold::Until(wait, asked))
                    }
                }
            }
            // This window is spent, and when it ends is not known yet: the first answer from it
            // will say, so wait for that rather than send to be refused.
            (Some(0), None) if self.in_flight > 0 && !probe => Verdict::Hold(Hold::ForAnswer),
            // Not knowing yet whether others share the window: a few at a time.
            _ if self.share.starting_full(self.in_flight) && !probe => Verdict::Hold(Hold::ForAnswer),
            (remaining, _) => match self.share.turn(now, self.limit) {
                // Its own pacing, not Vercel's asking, within the same bounds. Past them (a
                // window of an hour, a reset in the year 5138) the request goes now, and the
                // answer says whether it was too early.
                Some(wait)
                    if !wait.is_zero()
                        && limits.allow(wait, AskedWait::new(wait, AskedWait::RESET), waited).is_ok() =>
                {
                    Verdict::Hold(Hold::Turn(wait))
                }
                _ => {
                    self.remaining = remaining.map(|n| n.saturating_sub(1));
                    self.in_flight += 1;
                    Verdict::Go
                }
            },
        }
    }
}

/// Sleeps for `wait`, or until `woken` resolves, if sooner.
async fn sleep_unless(wait: Duration, woken: impl std::future::Future<Output = ()>) {
    let sleep = std::pin::pin!(tokio::time::sleep(wait));
    let woken = std::pin::pin!(woken);
    futures_util::future::select(sleep, woken).await;
}

/// A request counted as in flight by the limiter, until dropped.
pub(crate) struct Permit<'a>(&'a RateLimiter);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut w = self.0.window();
        w.in_flight = w.in_flight.saturating_sub(1);
        drop(w);
        self.0.changed.notify_waiters();
    }
}

/// How long a request waits for an answer to say when a spent window resets, before it goes
/// anyway (as a probe).
const ANSWER_WAIT: Duration = Duration::from_secs(1);

/// The client's rate limiter (see the module documentation): the policy's state behind a lock,
/// and the loop that sleeps and traces around it.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    window: Mutex<Window>,
    /// Woken when an answer is observed or a request ends.
    changed: tokio::sync::Notify,
    /// Woken when the client starts refusing requests ([`RateLimiter::block`]).
    blocked: tokio::sync::Notify,
    pub(crate) limits: Limits,
    /// Whether the careful start may still apply (no answer without `X-RateLimit-*` yet): lets
    /// answers without them skip the lock.
    careful: std::sync::atomic::AtomicBool,
}

impl RateLimiter {
    pub(crate) fn new(policy: &RetryPolicy) -> Self {
        let share = Share { on: policy.adaptive_rate && policy.pace_to_rate_limit, ..Share::default() };
        Self {
            window: Mutex::new(Window { share, ..Window::default() }),
            changed: tokio::sync::Notify::new(),
            blocked: tokio::sync::Notify::new(),
            limits: Limits { max_wait: policy.max_retry_after, max_total: policy.max_rate_limit_wait },
            careful: std::sync::atomic::AtomicBool::new(true),
        }
    }

    fn window(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long requests were held for the rate limit, over the client's life.
    pub(crate) fn waited(&self) -> Duration {
        self.window().waited
    }

    /// Asks the policy until it lets the request go, sleeping and tracing as it says; the
    /// request counts as in flight until the permit is dropped (after its answer was
    /// observed). What it waited is summed in `track`.
    pub(crate) async fn acquire(&self, operation: &'static str, track: &Track) -> Result<Permit<'_>, WaitLimit> {
        let mut probe = false;
        loop {
            // Registered before the state is read, so that no answer slips in between.
            let changed = self.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            let verdict = self.window().decide(Instant::now(), track.waited(), self.limits, probe);
            let hold = match verdict {
                Verdict::Go => return Ok(Permit(self)),
                Verdict::Refuse(limit) => return Err(limit),
                Verdict::Block(asked) => return Err(self.block(asked)),
                Verdict::Hold(hold) => hold,
            };
            // A hold on Vercel's asking (`asked`), or for the request's turn.
            let (wait, asked) = match hold {
                Hold::ForAnswer => {
                    probe = tokio::time::timeout(ANSWER_WAIT, changed).await.is_err();
                    continue;
                }
                Hold::Until(wait, asked) => (wait, Some(asked)),
                Hold::Turn(wait) => (wait, None),
            };
            // A wait another request is told is too long ends a hold at once: registered, then
            // checked, so that no block slips in between.
            let blocked = self.blocked.notified();
            let mut blocked = std::pin::pin!(blocked);
            blocked.as_mut().enable();
            if self.window().blocked.is_some() {
                continue;
            }
            let started = Instant::now();
            if asked.is_some() {
                tracing::info!(
                    target: TRACE_TARGET,
                    operation,
                    wait_ms = wait.as_millis() as u64,
                    "rate limit: holding requests until the window resets"
                );
            }
            track.hold(asked);
            sleep_unless(wait, blocked).await;
            track.held(started.elapsed());
        }
    }

    /// Learns the window from a response's `X-RateLimit-*` headers (`status` its status). A
    /// reset in the past is ignored, and so is the count that goes with it.
    pub(crate) fn observe(&self, seen: &RateHeaders, status: u16) {
        let now = Instant::now();
        let reset = seen.reset.and_then(|epoch| seen.until(epoch)).map(|d| now + d);
        if seen.limit.is_none() && seen.reset.is_none() {
            // No window to share: nothing to start carefully for.
            if self.careful.swap(false, Ordering::Relaxed) {
                self.window().share.known = true;
                self.changed.notify_waiters();
            }
            return;
        }
        let mut w = self.window();
        if seen.limit.is_some() {
            w.limit = seen.limit;
        }
        // A reset already past: the figures are of a window that is over, news of nothing (the
        // limit is still the limit).
        if seen.reset.is_none() || reset.is_some() {
            w.learn(now, seen.remaining, reset, status == 429);
        }
        drop(w);
        self.changed.notify_waiters();
    }

    /// After a 429 that asked for `asked`: holds every request until it has passed (at most
    /// `max_retry_after`).
    pub(crate) fn hold(&self, asked: AskedWait) {
        let until = Instant::now() + asked.wait.min(self.limits.max_wait);
        let mut w = self.window();
        w.remaining = Some(0);
        if w.reset.is_none_or(|r| until > r) {
            w.reset = Some(until);
            w.asked = Some(asked);
        }
    }

    /// Vercel asked for `asked`, longer than `max_retry_after`: it is not waited, and every
    /// request of the client is refused unsent for `max_retry_after` (those held now at once),
    /// rather than sent to be refused. Answers the error they get.
    pub(crate) fn block(&self, asked: AskedWait) -> WaitLimit {
        let max = self.limits.max_wait;
        let until = Instant::now() + max.min(asked.wait);
        let mut w = self.window();
        if w.blocked.is_none_or(|(b, _)| until > b) {
            w.blocked = Some((until, asked));
        }
        // What the window was said to be is not believed after the block: the first request
        // after it goes as a probe, and its answer says again. (Kept, a reset in the year 5138
        // would refuse every request for the client's life.)
        w.remaining = None;
        w.reset = None;
        w.asked = None;
        w.share.forget();
        drop(w);
        self.blocked.notify_waiters();
        tracing::warn!(
            target: TRACE_TARGET,
            wait_s = asked.wait.as_secs(),
            max_retry_after_s = max.as_secs(),
            "rate limit: the wait asked is longer than max_retry_after; refusing requests"
        );
        WaitLimit::MaxRetryAfter { asked, max }
    }
}

impl Window {
    /// Learns the window from an answer at `now`: the requests left, and when the window
    /// resets (`None`: the answer did not say).
    fn learn(&mut self, now: Instant, remaining: Option<u64>, reset: Option<Instant>, refused: bool) {
        let Some(r) = reset.filter(|r| *r > now) else {
            if reset.is_none() {
                self.share.unmeasured();
            }
            return;
        };
        self.share.answer(now, r, self.limit, remaining, refused, self.in_flight);
        // The requests in flight besides the one answered: the server may not have counted them.
        let others = self.in_flight.saturating_sub(1);
        match self.reset {
            Some(current) if r > current + SAME_WINDOW => {
                // An answer from a later window than the one counted: take its figures, less the
                // requests in flight it may not count yet.
                self.reset = Some(r);
                self.asked = None;
                self.remaining = remaining.map(|n| n.saturating_sub(others));
            }
            None => {
                // The first answer of a window: learn when it ends. The count is ours if we kept
                // one since the window began (it includes every request let out), else theirs
                // less the requests in flight.
                self.reset = Some(r);
                self.asked = None;
                self.remaining = match (self.remaining, remaining) {
                    (Some(mine), Some(theirs)) => Some(mine.min(theirs)),
                    (None, Some(theirs)) => Some(theirs.saturating_sub(others)),
                    (mine, None) => mine,
                };
            }
            _ => {
                // The same window: the lower count is the one that accounts for requests in flight.
                if let Some(theirs) = remaining {
                    self.remaining = Some(self.remaining.map_or(theirs, |mine| mine.min(theirs)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl RateLimiter {
        /// What [`RateLimiter::observe`] does with figures already read against the clock.
        fn learn(&self, limit: Option<u64>, remaining: Option<u64>, reset: Option<Instant>, refused: bool) {
            let mut w = self.window();
            if limit.is_some() {
                w.limit = limit;
            }
            w.learn(Instant::now(), remaining, reset, refused);
            drop(w);
            self.changed.notify_waiters();
        }
    }

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

    fn policy(max_retry_after: Duration, max_rate_limit_wait: Duration, adaptive_rate: bool) -> RetryPolicy {
        RetryPolicy { max_retry_after, max_rate_limit_wait, adaptive_rate, ..RetryPolicy::default() }
    }

    fn limiter(max_wait: Duration) -> RateLimiter {
        RateLimiter::new(&policy(max_wait, Duration::from_secs(3600), true))
    }

    async fn go(limiter: &RateLimiter) -> Permit<'_> {
        limiter.acquire("op", &Track::default()).await.expect("not refused")
    }

    #[test]
    fn the_policy_reads_no_clock_and_checks_each_bound_once() {
        let limits = Limits { max_wait: Duration::from_secs(60), max_total: Duration::from_secs(120) };
        let now = Instant::now();
        let spent = |reset: Duration| Window {
            limit: Some(10),
            remaining: Some(0),
            reset: Some(now + reset),
            ..Window::default()
        };
        let asked = |wait: u64| AskedWait::new(Duration::from_secs(wait), AskedWait::RESET);
        // A spent window that resets in 2 s: held until then, and the hold counted once.
        let mut w = spent(Duration::from_secs(2));
        assert_eq!(
            w.decide(now, Duration::ZERO, limits, false),
            Verdict::Hold(Hold::Until(Duration::from_secs(2), asked(2)))
        );
        assert_eq!(
            w.decide(now, Duration::ZERO, limits, false),
            Verdict::Hold(Hold::Until(Duration::from_secs(2), asked(2)))
        );
        assert_eq!(w.waited, Duration::from_secs(2));
        // At the reset, a new window: the request goes, counted out of it.
        assert_eq!(w.decide(now + Duration::from_secs(2), Duration::ZERO, limits, false), Verdict::Go);
        assert_eq!((w.remaining, w.in_flight), (Some(9), 1));
        // Past `max_rate_limit_wait` in all: refused; past `max_retry_after`: the client blocks.
        let mut w = spent(Duration::from_secs(30));
        let refused =
            WaitLimit::MaxRateLimitWait { asked: asked(30), waited: Duration::from_secs(100), max: limits.max_total };
        assert_eq!(w.decide(now, Duration::from_secs(100), limits, false), Verdict::Refuse(refused));
        assert_eq!(
            spent(Duration::from_secs(61)).decide(now, Duration::ZERO, limits, false),
            Verdict::Block(asked(61))
        );
        // Blocked: refused until the block ends, whatever the window says.
        let mut w = Window { blocked: Some((now + Duration::from_secs(5), asked(600))), ..Window::default() };
        let blocked = WaitLimit::MaxRetryAfter { asked: asked(600), max: limits.max_wait };
        assert_eq!(w.decide(now, Duration::ZERO, limits, false), Verdict::Refuse(blocked));
        assert_eq!(w.decide(now + Duration::from_secs(5), Duration::ZERO, limits, false), Verdict::Go);
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_window_holds_requests_until_it_resets() {
        let limiter = limiter(Duration::from_secs(60));
        let reset = epoch_now() + 2;
        limiter.observe(
            &RateHeaders::of(&headers(&[
                ("x-ratelimit-limit", "3".into()),
                ("x-ratelimit-remaining", "1".into()),
                ("x-ratelimit-reset", reset.to_string()),
            ])),
            200,
        );
        let started = Instant::now();
        drop(go(&limiter).await); // the last one of the window
        assert_eq!(Instant::now(), started, "a request left in the window goes at once");
        // Two requests held at once: held until the reset, and the wait counted once.
        let (a, b) = tokio::join!(go(&limiter), go(&limiter));
        drop((a, b));
        let held = Instant::now() - started;
        assert!(held >= Duration::from_millis(900), "held {held:?}");
        assert!(limiter.waited() <= held + Duration::from_millis(5), "{:?} counted for {held:?}", limiter.waited());
        assert!(limiter.waited() >= Duration::from_millis(900));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_new_window_holds_requests_until_its_first_answer_says_when_it_ends() {
        let limiter = limiter(Duration::from_secs(60));
        let h = |remaining: u64, reset: u64| {
            RateHeaders::of(&headers(&[
                ("x-ratelimit-limit", "2".into()),
                ("x-ratelimit-remaining", remaining.to_string()),
                ("x-ratelimit-reset", reset.to_string()),
            ]))
        };
        // A window that ends now: the next one allows 2, and nothing says yet when it ends.
        limiter.observe(&h(0, epoch_now() + 1), 200);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let (a, b) = (go(&limiter).await, go(&limiter).await);
        // A third is not let out while the first two are unanswered.
        let held = tokio::time::timeout(Duration::from_millis(500), go(&limiter)).await;
        assert!(held.is_err(), "a third request went out in a window of 2");
        // The first answer says the window is spent until the next second: held until then.
        limiter.observe(&h(0, epoch_now() + 2), 200);
        drop((a, b));
        let before = Instant::now();
        drop(go(&limiter).await);
        assert!(Instant::now() - before >= Duration::from_secs(1), "held until the reset");
    }

    #[tokio::test(start_paused = true)]
    async fn without_an_answer_a_held_request_goes_as_a_probe_after_a_while() {
        let limiter = limiter(Duration::from_secs(60));
        limiter.observe(
            &RateHeaders::of(&headers(&[
                ("x-ratelimit-limit", "1".into()),
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", (epoch_now() + 1).to_string()),
            ])),
            200,
        );
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let _hung = go(&limiter).await; // never answered
        let before = Instant::now();
        drop(go(&limiter).await);
        let waited = Instant::now() - before;
        assert!(waited >= ANSWER_WAIT && waited < ANSWER_WAIT * 2, "{waited:?}");
    }

    #[tokio::test]
    async fn the_lower_count_wins_within_a_window_and_a_later_window_replaces_it() {
        let limiter = limiter(Duration::from_secs(60));
        let reset = epoch_now() + 5;
        let h = |remaining: u64, reset: u64| {
            RateHeaders::of(&headers(&[
                ("x-ratelimit-remaining", remaining.to_string()),
                ("x-ratelimit-reset", reset.to_string()),
            ]))
        };
        limiter.observe(&h(5, reset), 200);
        limiter.observe(&h(9, reset), 200);
        assert_eq!(limiter.window.lock().unwrap().remaining, Some(5));
        // A later window, answered while two requests are out: the other one may not be counted
        // in its figure yet, so one less is left.
        let (a, b) = (go(&limiter).await, go(&limiter).await);
        limiter.observe(&h(9, reset + 10), 200);
        assert_eq!(limiter.window.lock().unwrap().remaining, Some(8));
        drop((a, b));
    }

    #[test]
    fn waits_after_a_429_come_from_retry_after_else_the_reset_and_a_skewed_clock_is_read_from_date() {
        let now = epoch_now();
        let wait = |h: &HeaderMap| RateHeaders::of(h).wait_after_429().map(|a| (a.wait, a.header));
        let h = headers(&[("retry-after", "3".into())]);
        assert_eq!(wait(&h), Some((Duration::from_secs(3), AskedWait::RETRY_AFTER)));
        // The local clock agrees with Date to within MAX_SKEW (Date a second behind): wait until
        // the reset by the local clock (3 to 4 s), not 5 s after Date.
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now - 1));
        let h = headers(&[("x-ratelimit-reset", (now + 4).to_string()), ("date", date)]);
        let (w, header) = wait(&h).unwrap();
        assert!(w > Duration::from_secs(3) && w <= Duration::from_millis(4100), "{w:?}");
        assert_eq!(header, AskedWait::RESET);
        // The server's clock is an hour behind: the reset is 4 s after its Date, not an hour ago.
        let server_now = now - 3600;
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(server_now));
        let h = headers(&[("x-ratelimit-reset", (server_now + 4).to_string()), ("date", date)]);
        let about_4s = |d: Option<(Duration, &str)>| {
            d.is_some_and(|(d, _)| d.abs_diff(Duration::from_secs(4)) < Duration::from_millis(50))
        };
        assert!(about_4s(wait(&h)), "{:?}", wait(&h));
        // An hour ahead: 4 s too, not an hour.
        let server_now = now + 3600;
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(server_now));
        let retry = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(server_now + 4));
        let h = headers(&[("retry-after", retry), ("date", date)]);
        assert!(about_4s(wait(&h)), "{:?}", wait(&h));
    }

    #[test]
    fn nonsense_is_never_a_reason_to_wait() {
        let now = epoch_now();
        let wait = |pairs: &[(&'static str, String)]| RateHeaders::of(&headers(pairs)).wait_after_429();
        // Negative, unparsable and past values say nothing of when to come back.
        assert_eq!(wait(&[("retry-after", "-3".into()), ("x-ratelimit-reset", "-100".into())]), None);
        assert_eq!(wait(&[("retry-after", "soon".into()), ("x-ratelimit-reset", "1e9".into())]), None);
        assert_eq!(wait(&[("x-ratelimit-reset", (now - 100).to_string())]), None, "a reset in the past");
        let h = RateHeaders::of(&headers(&[("x-ratelimit-remaining", "-5".into()), ("x-ratelimit-limit", "x".into())]));
        // Read as nothing (kept only as sent, for traces).
        assert_eq!(RateHeaders { raw: Default::default(), ..h }, RateHeaders::default());
        // A date already past asks for no wait; absurd futures are long waits (refused by the
        // caller), and never overflow.
        let past = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now - 10));
        assert_eq!(wait(&[("retry-after", past)]).map(|a| a.wait), Some(Duration::ZERO));
        let huge = wait(&[("retry-after", u64::MAX.to_string())]).unwrap();
        assert_eq!(huge.wait, FOREVER);
        let year_5138 = 99_999_999_999u64;
        let far = wait(&[("x-ratelimit-reset", year_5138.to_string())]).unwrap();
        assert!(far.wait > Duration::from_secs(year_5138 - now - 5), "{far:?}");
        let farther = wait(&[("x-ratelimit-reset", u64::MAX.to_string())]).unwrap();
        assert_eq!(farther.wait, FOREVER);
    }

    #[test]
    fn the_headers_are_shown_as_sent_cut_short_and_escaped() {
        let mut h = headers(&[("retry-after", "-3".into()), ("x-ratelimit-limit", "20".into())]);
        // A header value may hold tabs and bytes above 0x7f: here a C1 CSI (U+009B) in UTF-8.
        h.insert("x-ratelimit-reset", reqwest::header::HeaderValue::from_bytes(b"1\t\xc2\x9b2J").unwrap());
        h.insert("date", "d".repeat(100).parse().unwrap());
        let seen = RateHeaders::of(&h);
        let all = seen.shown();
        let shown: Vec<(&str, &str)> = all.iter().map(|(n, v)| (*n, v.as_str())).collect();
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
    async fn a_reset_in_the_past_or_a_negative_count_never_holds_a_request() {
        let limiter = limiter(Duration::from_secs(60));
        let past = (epoch_now() - 100).to_string();
        for pairs in [
            vec![("x-ratelimit-limit", "5".into()), ("x-ratelimit-remaining", "0".into()), ("x-ratelimit-reset", past)],
            vec![("x-ratelimit-remaining", "-5".into()), ("x-ratelimit-reset", "-100".into())],
        ] {
            limiter.observe(&RateHeaders::of(&headers(&pairs)), 429);
            let before = Instant::now();
            drop(go(&limiter).await);
            assert_eq!(Instant::now(), before, "held by {pairs:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_window_beyond_max_retry_after_is_refused_at_once_and_so_is_every_request_for_a_while() {
        let limiter = limiter(Duration::from_secs(60));
        // A 200 that says the window is spent until the year 5138.
        limiter.observe(
            &RateHeaders::of(&headers(&[
                ("x-ratelimit-limit", "100".into()),
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", "99999999999".into()),
            ])),
            200,
        );
        let before = Instant::now();
        let refused = limiter.acquire("op", &Track::default()).await.err().expect("refused");
        assert_eq!(Instant::now(), before, "refused without waiting");
        let WaitLimit::MaxRetryAfter { asked, max } = refused else { panic!("{refused:?}") };
        assert_eq!((asked.header, max), (AskedWait::RESET, Duration::from_secs(60)));
        assert!(asked.wait > Duration::from_secs(3_000 * 365 * 86_400), "{asked:?}");
        let text = refused.to_string();
        assert!(
            text.starts_with("Vercel asked to wait 9")
                && text.ends_with("s (X-RateLimit-Reset), more than max_retry_after (60 s)"),
            "{text}"
        );
        // The next requests too, at once, without asking again.
        assert!(limiter.acquire("op", &Track::default()).await.is_err());
        assert_eq!(Instant::now(), before);
        // After max_retry_after the year-5138 window is not believed any more: a request goes,
        // as a probe, at once.
        tokio::time::advance(Duration::from_secs(60) + Duration::from_millis(1)).await;
        let after = Instant::now();
        let probe = limiter.acquire("op", &Track::default()).await.expect("a probe after the block");
        assert_eq!(Instant::now(), after, "the probe was held");
        drop(probe);
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_longer_than_max_retry_after_or_beyond_max_rate_limit_wait_is_not_waited() {
        // A client with a tenth of a window of 20 requests that lasts `window`, limits 60 s a
        // wait and `max_total` in all: one request every `window / 1.9`.
        let sharing = |window: u64, max_total: u64| {
            let limiter = RateLimiter::new(&policy(Duration::from_secs(60), Duration::from_secs(max_total), true));
            let share = Share {
                on: true,
                known: true,
                settled: true,
                share: Some(0.1),
                length: Some(Duration::from_secs(window)),
                ..Share::default()
            };
            *limiter.window.lock().unwrap() = Window { limit: Some(20), share, ..Window::default() };
            limiter
        };
        // The second request's turn after the first, and what the request counted as waited.
        async fn second_turn(limiter: &RateLimiter) -> (Duration, Duration) {
            let track = Track::default();
            drop(limiter.acquire("op", &track).await.unwrap());
            let started = Instant::now();
            drop(limiter.acquire("op", &track).await.unwrap());
            (Instant::now() - started, track.waited())
        }
        // A window said to last an hour: a turn of 32 minutes, beyond max_retry_after.
        assert_eq!(second_turn(&sharing(3600, 3600)).await, (Duration::ZERO, Duration::ZERO));
        // A minute's window: a turn of 31.6 s, beyond the 5 s allowed in all.
        assert_eq!(second_turn(&sharing(60, 5)).await, (Duration::ZERO, Duration::ZERO));
        // Within both, it is waited, and counts in the request's waits.
        let (turn, waited) = second_turn(&sharing(60, 120)).await;
        assert!(turn.abs_diff(Duration::from_secs_f64(60.0 / 1.9)) < Duration::from_millis(5), "{turn:?}");
        assert_eq!(waited, turn, "the turn counts in the request's waits");
    }

    #[tokio::test(start_paused = true)]
    async fn requests_held_when_another_is_told_to_wait_too_long_are_refused_at_once() {
        let limiter = std::sync::Arc::new(limiter(Duration::from_secs(60)));
        limiter.hold(AskedWait::new(Duration::from_secs(30), AskedWait::RETRY_AFTER));
        let held = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let track = Track::default();
                let result = limiter.acquire("op", &track).await.map(drop);
                (result, Instant::now(), track.snapshot())
            })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        let told = Instant::now();
        limiter.block(AskedWait::new(Duration::from_secs(999_999_999), AskedWait::RETRY_AFTER));
        let (result, ended, track) = held.await.unwrap();
        assert!(matches!(result, Err(WaitLimit::MaxRetryAfter { .. })), "{result:?}");
        assert_eq!(ended, told, "refused when the other was told, not after its own 30 s");
        assert_eq!(track.last_asked.map(|a| a.wait), Some(Duration::from_secs(30)));
        assert_eq!(track.waited, Duration::from_secs(1));
        // After max_retry_after, requests go again (or wait, as the window says).
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(limiter.acquire("op", &Track::default()).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_requests_waits_are_summed_and_the_one_beyond_max_rate_limit_wait_is_refused() {
        let limiter = RateLimiter::new(&policy(Duration::from_secs(2), Duration::from_secs(3), true));
        let track = Track::default();
        let wait = AskedWait::new(Duration::from_secs(2), AskedWait::RETRY_AFTER);
        limiter.hold(wait);
        drop(limiter.acquire("op", &track).await.expect("the first wait is allowed"));
        assert_eq!(track.waited(), Duration::from_secs(2));
        limiter.hold(wait);
        let before = Instant::now();
        let refused = limiter.acquire("op", &track).await.err().expect("2 s more would make 4 s");
        assert_eq!(Instant::now(), before, "refused without waiting");
        assert_eq!(
            refused,
            WaitLimit::MaxRateLimitWait { asked: wait, waited: Duration::from_secs(2), max: Duration::from_secs(3) }
        );
        assert_eq!(
            refused.to_string(),
            "Vercel asked to wait 2 s more (Retry-After) after 2 s of waits, more than max_rate_limit_wait (3 s) in all"
        );
        // Another request, which waited nothing yet, may wait.
        drop(limiter.acquire("op", &Track::default()).await.expect("its own budget"));
    }

    /// The answers of one window to a client that sends `mine` requests of it, one by one, while
    /// other clients send `others` of theirs for each of its own, half just before it and half
    /// just after its answer. Answers how long each of its requests waited for its turn.
    async fn window(limiter: &RateLimiter, limit: u64, mine: u64, others: u64) -> Vec<Duration> {
        let reset = Instant::now() + Duration::from_secs(1);
        let mut counted = 0;
        let mut waits = Vec::new();
        for _ in 0..mine {
            let asked = Instant::now();
            let permit = limiter.acquire("op", &Track::default()).await.expect("not refused");
            waits.push(Instant::now() - asked);
            if Instant::now() >= reset {
                break;
            }
            counted += 1 + others / 2;
            limiter.learn(Some(limit), Some(limit.saturating_sub(counted)), Some(reset), false);
            counted += others - others / 2;
            drop(permit);
        }
        tokio::time::sleep_until(reset).await;
        waits
    }

    /// One request every `1 / (share × TARGET × limit)` seconds, in a window of a second.
    fn turn_of(share: f64, limit: u64) -> Duration {
        Duration::from_secs_f64(1.0 / (share * TARGET * limit as f64))
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_alone_is_never_paced() {
        let limiter = limiter(Duration::from_secs(60));
        for _ in 0..4 {
            let waits = window(&limiter, 20, 20, 0).await;
            assert!(waits.iter().all(Duration::is_zero), "paced alone: {waits:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_sharing_the_window_paces_itself_to_its_share_and_bursts_again_once_alone() {
        let limiter = limiter(Duration::from_secs(60));
        // Two others send as much as this client: its share is a third of the window.
        window(&limiter, 30, 5, 2).await;
        window(&limiter, 30, 5, 2).await;
        let waits = window(&limiter, 30, 5, 2).await;
        let turn = turn_of(1.0 / 3.0, 30);
        assert!(waits[1..].iter().all(|w| w.abs_diff(turn) < Duration::from_millis(2)), "{waits:?} for {turn:?}");
        // The others are gone: the whole target for the quiet windows, then alone again.
        window(&limiter, 30, 3, 0).await;
        let waits = window(&limiter, 30, 3, 0).await;
        assert!(waits[1..].iter().all(|w| w.abs_diff(turn_of(1.0, 30)) < Duration::from_millis(2)), "{waits:?}");
        let waits = window(&limiter, 30, 10, 0).await;
        assert!(waits.iter().all(Duration::is_zero), "still paced: {waits:?}");
    }

    #[test]
    fn a_client_sharing_the_window_sends_no_more_than_its_quota_in_any_window() {
        // A quota of 9.1 requests a window of a second, asked for as fast as turns allow from the
        // start of a window: spaced by the rate alone (one every 110 ms), 10 fit into the first
        // second; the quota lets 9 into each, the fraction carried over.
        let start = Instant::now();
        let mut share = Share {
            on: true,
            length: Some(Duration::from_secs(1)),
            share: Some(9.1 / (TARGET * 20.0)),
            tally: Tally { reset: Some(start + Duration::from_secs(1)), ..Tally::default() },
            ..Share::default()
        };
        let mut counts = [0; 4];
        let mut now = start;
        while now < start + Duration::from_secs(4) {
            match share.turn(now, Some(20)) {
                Some(Duration::ZERO) => counts[(now - start).as_secs() as usize] += 1,
                Some(wait) => now += wait,
                None => panic!("not pacing"),
            }
        }
        assert_eq!(counts, [9, 9, 9, 9]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_window_gives_the_client_its_share_of_what_was_counted() {
        let limiter = limiter(Duration::from_secs(60));
        window(&limiter, 20, 5, 0).await; // alone, as far as it can tell
        // A burst of 8: 5 admitted among other clients' requests, then 429s, the window spent.
        let reset = Instant::now() + Duration::from_secs(1);
        let mut burst = Vec::new();
        for _ in 0..8 {
            burst.push(go(&limiter).await);
        }
        assert_eq!(limiter.window.lock().unwrap().in_flight, 8, "alone, it bursts");
        for remaining in [14, 11, 8, 5, 2, 0, 0, 0] {
            limiter.learn(Some(20), Some(remaining), Some(reset), remaining == 0);
            drop(burst.pop());
        }
        tokio::time::sleep_until(reset).await;
        // 5 of the 20 counted, less the half request its answers run ahead.
        let (a, b) = (go(&limiter).await, go(&limiter).await);
        let gap = Instant::now() - reset;
        drop((a, b));
        assert!(gap.abs_diff(turn_of(4.5 / 19.5, 20)) < Duration::from_millis(2), "{gap:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_without_rate_limit_headers_ends_the_careful_start() {
        let limiter = limiter(Duration::from_secs(60));
        let (a, b) = (go(&limiter).await, go(&limiter).await);
        limiter.observe(&RateHeaders::default(), 200);
        drop(a);
        let started = Instant::now();
        let more: Vec<_> = futures_util::future::join_all((0..8).map(|_| go(&limiter))).await;
        assert_eq!(Instant::now(), started, "held with no window to share");
        drop((b, more));
    }

    #[tokio::test(start_paused = true)]
    async fn until_it_knows_whether_it_is_alone_a_client_starts_with_two_requests_in_flight() {
        let limiter = limiter(Duration::from_secs(60));
        let reset = Instant::now() + Duration::from_secs(1);
        let (a, b) = (go(&limiter).await, go(&limiter).await);
        let third = tokio::time::timeout(Duration::from_millis(500), go(&limiter)).await;
        assert!(third.is_err(), "a third request went out before any answer");
        // An answer that shows no one else: one more.
        limiter.learn(Some(20), Some(19), Some(reset), false);
        drop(a);
        let (c, d) = (go(&limiter).await, go(&limiter).await);
        assert_eq!(limiter.window.lock().unwrap().in_flight, 3);
        // An answer that shows others (6 counted, at most 4 of them its own: 2 answered, 2 still
        // in flight besides this one): it shares from now on.
        limiter.learn(Some(20), Some(14), Some(reset), false);
        drop((b, c, d));
        let e = go(&limiter).await;
        let went = Instant::now();
        let f = go(&limiter).await;
        let gap = Instant::now() - went;
        drop((e, f));
        assert!(gap.abs_diff(turn_of(3.5 / 5.5, 20)) < Duration::from_millis(2), "{gap:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn answers_without_a_count_or_a_reset_end_the_careful_start_too() {
        let limiter = limiter(Duration::from_secs(60));
        let reset = Instant::now() + Duration::from_secs(1);
        let (a, b) = (go(&limiter).await, go(&limiter).await);
        // A limit and a reset, no count (or a garbled one): nothing to measure, one more.
        limiter.learn(Some(20), None, Some(reset), false);
        drop(a);
        let started = Instant::now();
        let (c, d) = (go(&limiter).await, go(&limiter).await);
        assert_eq!((limiter.window.lock().unwrap().in_flight, Instant::now()), (3, started));
        // A limit and no reset: one more again.
        limiter.learn(Some(20), Some(19), None, false);
        drop(b);
        let started = Instant::now();
        let (e, f) = (go(&limiter).await, go(&limiter).await);
        assert_eq!((limiter.window.lock().unwrap().in_flight, Instant::now()), (4, started));
        // The window ends with no figures seen: the start is over, nothing holds requests.
        tokio::time::sleep_until(reset).await;
        let started = Instant::now();
        let more: Vec<_> = futures_util::future::join_all((0..8).map(|_| go(&limiter))).await;
        assert_eq!(Instant::now(), started, "still starting carefully");
        drop((c, d, e, f, more));
    }

    #[tokio::test(start_paused = true)]
    async fn with_adaptive_rate_off_a_client_sharing_the_window_is_not_paced() {
        let limiter = RateLimiter::new(&policy(Duration::from_secs(60), Duration::from_secs(120), false));
        for _ in 0..3 {
            let waits = window(&limiter, 20, 5, 3).await;
            assert!(waits.iter().all(Duration::is_zero), "{waits:?}");
        }
    }
}
