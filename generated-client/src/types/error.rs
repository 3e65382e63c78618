//! The client's errors, one type per situation, none of them holding the token:
//!
//! - [`ValidationError`](crate::ValidationError): input refused before sending (`send`,
//!   `validate`, `plan`);
//! - [`ConfigError`]: a client that cannot be built (`build`, `from_env`);
//! - [`RequestError`]: why one request of a call failed (each [`crate::BatchOutcome`]), with
//!   [`ApiError`] for an error status;
//! - [`Error`]: any of them, for `?` in code that does all three.
//!
//! **Server text is data.** What Vercel (or anything answering in its place) sends back, its
//! `error.code` and `error.message`, a body that is not its error object, is kept exact in the
//! errors' fields, for code to match (`e.code.as_deref() == Some("forbidden")`) and for JSON to
//! carry. Their `Display` escapes every control character in it (`\u{1b}` for ESC, `\r\n`
//! for CR LF; the list is in `text.rs`), so printing `{e}` to a terminal or a log is safe. Print
//! the fields themselves only where control characters are harmless.

use std::fmt;
use std::time::Duration;

use crate::types::stop::StopReason;
use crate::types::text::{Escaped, escape_start};
use crate::types::token::TokenError;
use crate::types::validation::ValidationError;

/// Any error of the client, for `?` in code that builds a client, sends and reads reports.
///
/// ```
/// use vercel_edge_cache::{EdgeCache, Error};
/// fn client() -> Result<EdgeCache, Error> {
///     Ok(EdgeCache::builder("token").base_url("http://example.com").build()?)
/// }
/// let err = client().unwrap_err();
/// assert!(matches!(err, Error::Config(_)));
/// assert!(err.to_string().starts_with("https is required"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input breaks a rule of the spec; nothing was sent.
    #[error("invalid request, nothing was sent: {0}")]
    InvalidInput(#[from] ValidationError),
    /// The client is misconfigured (a missing token, plain http to a remote host, ...).
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A request failed.
    #[error("{0}")]
    Request(#[from] RequestError),
    /// Items that break a rule of the spec were left out of a call
    /// ([`Purge::skip_invalid`](crate::Purge::skip_invalid)), and the others were sent and done:
    /// the first of them ([`BatchReport::into_result`](crate::BatchReport::into_result)).
    #[error("items were left out as invalid (the others were done): {0}")]
    LeftOut(ValidationError),
}

impl Error {
    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        self.request().and_then(RequestError::status)
    }

    /// The failed request, if that is what this is.
    pub fn request(&self) -> Option<&RequestError> {
        if let Error::Request(e) = self { Some(e) } else { None }
    }

    /// Whether nothing was sent because the input or configuration was refused.
    pub fn is_refused_before_sending(&self) -> bool {
        matches!(self, Error::InvalidInput(_) | Error::Config(_))
    }

    /// See [`RequestError::is_auth`].
    pub fn is_auth(&self) -> bool {
        self.request().is_some_and(RequestError::is_auth)
    }

    /// See [`RequestError::is_rate_limited`].
    pub fn is_rate_limited(&self) -> bool {
        self.request().is_some_and(RequestError::is_rate_limited)
    }

    /// See [`RequestError::is_network`].
    pub fn is_network(&self) -> bool {
        self.request().is_some_and(RequestError::is_network)
    }

    /// See [`RequestError::is_transient`].
    pub fn is_transient(&self) -> bool {
        self.request().is_some_and(RequestError::is_transient)
    }
}

/// Why one request of a call failed, after its retries.
///
/// Match it with the helpers ([`is_auth`](RequestError::is_auth),
/// [`is_rate_limited`](RequestError::is_rate_limited), [`is_network`](RequestError::is_network),
/// [`is_transient`](RequestError::is_transient), [`status`](RequestError::status)) or by
/// variant.
///
/// ```
/// # fn handle(e: &vercel_edge_cache::RequestError) {
/// if e.is_auth() {
///     eprintln!("check the token and its access to the project: {e}");
/// } else if e.is_transient() {
///     eprintln!("try again later: {e}");
/// } else {
///     eprintln!("{e}");
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(ApiError),
    /// Vercel asks the token's user to log in again before it acts (a 403 with the error code
    /// `challenge_required`): every request of the token is refused until then. Run
    /// `vercel login` (or create a new token), then send again.
    ///
    /// ```
    /// # fn handle(e: &vercel_edge_cache::RequestError) {
    /// use vercel_edge_cache::RequestError;
    /// if let RequestError::ChallengeRequired(answer) = e {
    ///     eprintln!("log in again with `vercel login`, then retry ({})", answer.status);
    /// }
    /// # }
    /// ```
    #[error("{0}; Vercel requires you to log in again: run `vercel login` (or create a new token), then retry")]
    ChallengeRequired(ApiError),
    /// No answer within the per-attempt timeout.
    #[error("{operation}: timed out after {timeout:?}{}", attempts_note(*.attempts))]
    Timeout {
        /// The spec's operationId.
        operation: &'static str,
        /// The per-attempt timeout.
        timeout: Duration,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The connection failed or was reset.
    #[error("{operation}: connection failed: {}{}", Escaped(.message), attempts_note(*.attempts))]
    Connection {
        /// The spec's operationId.
        operation: &'static str,
        /// What the HTTP stack said (without the URL).
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// Vercel's rate limit asked for more waiting than the [`RetryPolicy`](crate::RetryPolicy)
    /// allows, so the request was given up at once instead of waiting (`limit` says which
    /// setting, and what Vercel asked). It may be sent again later.
    #[error("{}", rate_limited(operation, answer.as_ref(), limit, waits))]
    RateLimited {
        /// The spec's operationId.
        operation: &'static str,
        /// The 429 that asked, when the request's last attempt got one (with Vercel's code and
        /// message); `None` when the request was held before it was sent (a spent window, or a
        /// wait another request of the client was asked for).
        answer: Option<ApiError>,
        /// The setting that ended the waits, and the wait it refused.
        limit: WaitLimit,
        /// What the request went through on the rate limit before.
        waits: RateLimitWaits,
    },
    /// The call stopped (its time budget ran out, or it was cancelled) while this request was
    /// in flight or waiting: it may or may not have reached Vercel, so its items are not done.
    /// `waits` says what it went through on Vercel's rate limit, when it met it (the usual reason
    /// a budget runs out).
    #[error("{operation}: abandoned, not confirmed: {reason}{}", stopped_waits(waits.as_ref()))]
    Stopped {
        /// The spec's operationId.
        operation: &'static str,
        /// Why the call stopped.
        reason: StopReason,
        /// What it went through on the rate limit (429s, waits), if it met it.
        waits: Option<RateLimitWaits>,
    },
    /// A response arrived but could not be read (a truncated body, say).
    #[error("{operation}: HTTP {status}: the response could not be read: {}", Escaped(.message))]
    InvalidResponse {
        /// The spec's operationId.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// What went wrong.
        message: String,
    },
    /// The request could not be built (a bug: input is validated before this point).
    #[error("{operation}: the request could not be built: {}", Escaped(.message))]
    Unsendable {
        /// The spec's operationId.
        operation: &'static str,
        /// What went wrong.
        message: String,
    },
}

impl RequestError {
    /// The error of an error status: [`RequestError::ChallengeRequired`] when Vercel's code
    /// says so, else [`RequestError::Api`].
    pub(crate) fn of(answer: ApiError) -> Self {
        match answer.code.as_deref() {
            Some(CHALLENGE_REQUIRED) => RequestError::ChallengeRequired(answer),
            _ => RequestError::Api(answer),
        }
    }

    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            RequestError::InvalidResponse { status, .. } => Some(*status),
            _ => self.api().map(|e| e.status),
        }
    }

    /// The API's answer, when it answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            RequestError::Api(e)
            | RequestError::ChallengeRequired(e)
            | RequestError::RateLimited { answer: Some(e), .. } => Some(e),
            _ => None,
        }
    }

    /// Vercel's ID of the request that answered with an error status (`x-vercel-id`), when it
    /// carried one: [`ApiError::request_id`].
    ///
    /// ```
    /// # fn report(e: &vercel_edge_cache::RequestError) {
    /// if let Some(id) = e.request_id() {
    ///     eprintln!("give Vercel's support this ID: {id}");
    /// }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.api()?.request_id.as_deref()
    }

    /// What the request went through on Vercel's rate limit, when it gave up on it
    /// ([`RequestError::RateLimited`]) or was abandoned after meeting it
    /// ([`RequestError::Stopped`]).
    pub fn rate_limit(&self) -> Option<&RateLimitWaits> {
        match self {
            RequestError::RateLimited { waits, .. } => Some(waits),
            RequestError::Stopped { waits, .. } => waits.as_ref(),
            _ => None,
        }
    }

    /// Whether the token was refused: 401 (missing, malformed, expired or revoked) or 403 (no
    /// access to this project or team, or [`RequestError::ChallengeRequired`]).
    /// [`ApiError::code`] tells which.
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// The status, when it is an answer no later request would change (401, 402, 403, 404):
    /// what stops a call ([`RetryPolicy::stop_on_refusal`](crate::RetryPolicy::stop_on_refusal)).
    pub fn refusal(&self) -> Option<u16> {
        match self {
            RequestError::Api(e) | RequestError::ChallengeRequired(e) => {
                crate::types::retry::REFUSALS.contains(&e.status).then_some(e.status)
            }
            _ => None,
        }
    }

    /// Whether Vercel's rate limit refused it (429) after the client's waits, or asked for more
    /// waiting than the retry policy allows ([`RequestError::RateLimited`]).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429) || matches!(self, RequestError::RateLimited { .. })
    }

    /// Whether the network failed: a timeout, a connection refused or reset, a response cut
    /// short. Vercel may or may not have received the request.
    pub fn is_network(&self) -> bool {
        matches!(
            self,
            RequestError::Timeout { .. } | RequestError::Connection { .. } | RequestError::InvalidResponse { .. }
        )
    }

    /// Whether sending the same items again later may succeed: a rate limit, a transient server
    /// error (500, 502, 503, 504), a network failure, or a request abandoned when the call
    /// stopped. Other statuses (400, 401, 403, 404, ...) will fail the same way.
    pub fn is_transient(&self) -> bool {
        self.is_network()
            || matches!(self, RequestError::Stopped { .. } | RequestError::RateLimited { .. })
            || self.status().is_some_and(crate::types::retry::is_retryable_status)
    }

    /// The spec's operationId of the request.
    pub fn operation(&self) -> &'static str {
        match self {
            RequestError::Api(e) | RequestError::ChallengeRequired(e) => e.operation,
            RequestError::Timeout { operation, .. }
            | RequestError::Connection { operation, .. }
            | RequestError::RateLimited { operation, .. }
            | RequestError::Stopped { operation, .. }
            | RequestError::InvalidResponse { operation, .. }
            | RequestError::Unsendable { operation, .. } => operation,
        }
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() }
}

/// [`RequestError::RateLimited`] as text: the answer (or that nothing was sent), the setting
/// that ended the waits, and the waits before when there were several.
fn rate_limited(operation: &str, answer: Option<&ApiError>, limit: &WaitLimit, waits: &RateLimitWaits) -> String {
    let head = answer.map_or_else(|| format!("{operation}: not sent"), ApiError::to_string);
    let more = waits.answers_429 > 1 || !waits.waited.is_zero();
    if more { format!("{head}: {limit}; {waits}") } else { format!("{head}: {limit}") }
}

/// What an abandoned request met of the rate limit, after the reason the call stopped.
fn stopped_waits(waits: Option<&RateLimitWaits>) -> String {
    match waits {
        Some(w) if w.waiting => format!(", while it waited on the rate limit ({w})"),
        Some(w) => format!(" ({w})"),
        None => String::new(),
    }
}

/// Seconds as people write them: whole ones as they are (`999999999 s`), others to a tenth.
pub(crate) fn seconds(d: Duration) -> String {
    if d.subsec_nanos() == 0 { format!("{} s", d.as_secs()) } else { format!("{:.1} s", d.as_secs_f64()) }
}

/// A wait Vercel asked for, and the header that asked: `Retry-After` (a 429's), or
/// `X-RateLimit-Reset` (a 429 without `Retry-After`, or a spent window:
/// `X-RateLimit-Remaining: 0`).
///
/// ```
/// # fn show(e: &vercel_edge_cache::RequestError) {
/// if let Some(asked) = e.rate_limit().and_then(|w| w.last_asked) {
///     eprintln!("Vercel asked to wait {:?} ({})", asked.wait, asked.header);
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AskedWait {
    /// How long, from the answer that asked.
    pub wait: Duration,
    /// [`AskedWait::RETRY_AFTER`] or [`AskedWait::RESET`].
    pub header: &'static str,
}

impl AskedWait {
    /// A 429's `Retry-After`, in seconds or as a date.
    pub const RETRY_AFTER: &'static str = "Retry-After";
    /// `X-RateLimit-Reset`: the end of a spent window.
    pub const RESET: &'static str = "X-RateLimit-Reset";

    pub(crate) fn new(wait: Duration, header: &'static str) -> Self {
        Self { wait, header }
    }
}

impl fmt::Display for AskedWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.header {
            AskedWait::RESET => write!(f, "{} in {}", self.header, seconds(self.wait)),
            _ => write!(f, "{} {}", self.header, seconds(self.wait)),
        }
    }
}

/// What one request went through on Vercel's rate limit: the 429s it got, the last wait Vercel
/// asked of it, and how long it waited in all. Carried by [`RequestError::RateLimited`] and by
/// [`RequestError::Stopped`] (see [`RequestError::rate_limit`]); shown as
/// `rate-limited: 6 answers were 429, last Retry-After 1 s, waited 5.0 s in all`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitWaits {
    /// Answers 429 it got.
    pub answers_429: u32,
    /// The last wait Vercel asked for that held it (a 429's, or a spent window's, asked by an
    /// answer to it or to another request of the client).
    pub last_asked: Option<AskedWait>,
    /// How long it was held by the rate limit, summed over its waits: on Vercel's asking, and
    /// for its turns when sharing the window with other clients (bounded by
    /// [`RetryPolicy::max_rate_limit_wait`](crate::RetryPolicy::max_rate_limit_wait)).
    pub waited: Duration,
    /// Whether it was held by the rate limit (rather than in flight) when the error was made.
    pub waiting: bool,
}

impl RateLimitWaits {
    /// Whether it met nothing of the rate limit.
    pub(crate) fn is_empty(&self) -> bool {
        self.answers_429 == 0 && self.last_asked.is_none() && self.waited.is_zero() && !self.waiting
    }
}

impl fmt::Display for RateLimitWaits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        match self.answers_429 {
            0 => {}
            1 => parts.push("1 answer was 429".to_string()),
            n => parts.push(format!("{n} answers were 429")),
        }
        if let Some(asked) = self.last_asked {
            parts.push(format!("last {asked}"));
        }
        if !self.waited.is_zero() {
            parts.push(format!("waited {} in all", seconds(self.waited)));
        }
        if parts.is_empty() {
            parts.push("paced to share Vercel's window with other clients of the token".into());
        }
        write!(f, "rate-limited: {}", parts.join(", "))
    }
}

/// Which setting of the [`RetryPolicy`](crate::RetryPolicy) ended a request's waits on Vercel's
/// rate limit ([`RequestError::RateLimited`]), and what Vercel asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitLimit {
    /// Vercel asked for one wait longer than
    /// [`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after): not waited at all.
    /// Every request of the client is then refused unsent, with this error, for the next
    /// `max_retry_after`.
    MaxRetryAfter {
        /// The wait asked.
        asked: AskedWait,
        /// The setting's value.
        max: Duration,
    },
    /// The wait asked would bring the request's waits, summed, over
    /// [`RetryPolicy::max_rate_limit_wait`](crate::RetryPolicy::max_rate_limit_wait).
    MaxRateLimitWait {
        /// The wait asked.
        asked: AskedWait,
        /// What the request had waited already.
        waited: Duration,
        /// The setting's value.
        max: Duration,
    },
    /// The request was answered 429 again after
    /// [`RetryPolicy::max_rate_limit_waits`](crate::RetryPolicy::max_rate_limit_waits) waits.
    MaxRateLimitWaits {
        /// The setting's value.
        max: u32,
    },
}

impl WaitLimit {
    /// The name of the [`RetryPolicy`](crate::RetryPolicy) field that would allow more:
    /// `max_retry_after`, `max_rate_limit_wait` or `max_rate_limit_waits`.
    pub fn setting(&self) -> &'static str {
        match self {
            WaitLimit::MaxRetryAfter { .. } => "max_retry_after",
            WaitLimit::MaxRateLimitWait { .. } => "max_rate_limit_wait",
            WaitLimit::MaxRateLimitWaits { .. } => "max_rate_limit_waits",
        }
    }
}

impl fmt::Display for WaitLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let setting = self.setting();
        match self {
            WaitLimit::MaxRetryAfter { asked, max } => write!(
                f,
                "Vercel asked to wait {} ({}), more than {setting} ({})",
                seconds(asked.wait),
                asked.header,
                seconds(*max)
            ),
            WaitLimit::MaxRateLimitWait { asked, waited, max } => write!(
                f,
                "Vercel asked to wait {} more ({}) after {} of waits, more than {setting} ({}) in all",
                seconds(asked.wait),
                asked.header,
                seconds(*waited),
                seconds(*max)
            ),
            WaitLimit::MaxRateLimitWaits { max } => {
                write!(f, "answered 429 again after {max} waits, the most {setting} allows")
            }
        }
    }
}

/// Vercel's `error.code` when the token's user must log in again
/// ([`RequestError::ChallengeRequired`]).
pub(crate) const CHALLENGE_REQUIRED: &str = "challenge_required";

/// An error status from the API, with Vercel's error code and message when the body had them.
///
/// The fields hold the server's text exactly as it came; `Display` (`{e}`) escapes its control
/// characters (see the [crate](crate) documentation), so that a message such as
/// `"\x1b]0;pwned\x07"` cannot act on the terminal it is printed to.
///
/// ```
/// # fn show(e: &vercel_edge_cache::ApiError) {
/// match (e.status, e.code.as_deref()) {
///     (403, Some("forbidden")) => eprintln!("the token may not purge this project"),
///     (status, code) => eprintln!("HTTP {status} {code:?}: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The spec's operationId.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// Vercel's `error.code`, exactly as sent (not escaped).
    pub code: Option<String>,
    /// Vercel's `error.message`, exactly as sent (not escaped).
    pub message: Option<String>,
    /// The start of the body when it was not Vercel's error object (an HTML page from a proxy):
    /// its first 200 characters on one line, control characters escaped.
    pub body_excerpt: Option<String>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Vercel's ID of the request (`x-vercel-id`: the regions it went through and its ID),
    /// exactly as sent: what a support ticket about it needs. `None` when the answer did not
    /// carry one (it came from something other than Vercel's edge).
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if let Some(reason) = reqwest::StatusCode::from_u16(self.status).ok().and_then(|s| s.canonical_reason()) {
            write!(f, " {reason}")?;
        }
        // The server's text, escaped: it is data, not output.
        match (self.code.as_deref().map(Escaped), self.message.as_deref().map(Escaped)) {
            (Some(code), Some(message)) => write!(f, ": {code}: {message}")?,
            (Some(code), None) => write!(f, ": {code}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (None, None) => match &self.body_excerpt {
                Some(excerpt) if !excerpt.is_empty() => {
                    write!(f, "; the body is not Vercel's error object: {}", Escaped(excerpt))?
                }
                _ => write!(f, " (empty body)")?,
            },
        }
        if let Some(id) = &self.request_id {
            write!(f, " (x-vercel-id {})", Escaped(id))?;
        }
        f.write_str(&attempts_note(self.attempts))
    }
}

impl std::error::Error for ApiError {}

/// A configuration the client refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The token is unusable.
    #[error("invalid token: {0}")]
    Token(#[from] TokenError),
    /// A required environment variable is not set.
    #[error("the environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// The base URL does not parse.
    #[error("invalid API URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// Plain http to a host that is not loopback.
    #[error(
        "https is required for {url:?}: plain http is only allowed to loopback hosts (127.0.0.0/8, ::1, localhost), so the token is never sent in clear"
    )]
    HttpsRequired {
        /// The URL given.
        url: String,
    },
    /// A setting out of its range.
    #[error("{setting}: {reason}")]
    Setting {
        /// Which setting.
        setting: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
}

/// A short, single-line excerpt of a body, for errors: white space runs become one space,
/// and the control characters left are escaped (server text is data).
pub(crate) fn excerpt(body: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    escape_start(&flat, max_chars)
}
