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

use crate::stop::StopReason;
use crate::text::{Escaped, escape};
use crate::token::TokenError;
use crate::validation::ValidationError;

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
}

impl Error {
    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        self.request().and_then(RequestError::status)
    }

    /// The failed request, if that is what this is.
    pub fn request(&self) -> Option<&RequestError> {
        match self {
            Error::Request(e) => Some(e),
            _ => None,
        }
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
    /// The call stopped (its time budget ran out, or it was cancelled) while this request was
    /// in flight or waiting: it may or may not have reached Vercel, so its items are not done.
    #[error("{operation}: abandoned, not confirmed: {reason}")]
    Stopped {
        /// The spec's operationId.
        operation: &'static str,
        /// Why the call stopped.
        reason: StopReason,
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
    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            RequestError::Api(e) => Some(e.status),
            RequestError::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API's answer, when it answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            RequestError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the token was refused: 401 (missing, malformed, expired or revoked) or 403 (no
    /// access to this project or team). [`ApiError::code`] tells which.
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// Whether Vercel's rate limit refused it (429), after the client's waits.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
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
            || matches!(self, RequestError::Stopped { .. })
            || self.status().is_some_and(crate::retry::is_retryable_status)
    }

    /// The spec's operationId of the request.
    pub fn operation(&self) -> &'static str {
        match self {
            RequestError::Api(e) => e.operation,
            RequestError::Timeout { operation, .. }
            | RequestError::Connection { operation, .. }
            | RequestError::Stopped { operation, .. }
            | RequestError::InvalidResponse { operation, .. }
            | RequestError::Unsendable { operation, .. } => operation,
        }
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() }
}

/// An error status from the API, with Vercel's error code and message when the body had them.
///
/// The fields hold the server's text exactly as it came; `Display` (`{e}`) escapes its control
/// characters (see the [module](self) documentation), so that a message such as
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
    let mut out = escape(&flat.chars().take(max_chars).collect::<String>());
    if flat.chars().count() > max_chars {
        out.push('…');
    }
    out
}
