//! The one error type of the client. It never contains the token.

use std::fmt;
use std::time::Duration;

use crate::token::TokenError;
use crate::validation::ValidationError;

/// Everything that can go wrong, from refusing input to a failed request.
///
/// ```
/// use vercel_edge_cache::{Error, ApiError};
/// let e = Error::Api(ApiError {
///     operation: "invalidateByTags",
///     status: 403,
///     code: Some("forbidden".into()),
///     message: Some("Not authorized".into()),
///     body_excerpt: None,
///     attempts: 1,
/// });
/// assert_eq!(e.status(), Some(403));
/// assert_eq!(e.to_string(), "invalidateByTags: HTTP 403 Forbidden: forbidden: Not authorized");
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
    /// The API answered with an error status.
    #[error("{0}")]
    Api(#[from] ApiError),
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
    #[error("{operation}: connection failed: {message}{}", attempts_note(*.attempts))]
    Connection {
        /// The spec's operationId.
        operation: &'static str,
        /// What the HTTP stack said (without the URL).
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The request could not be built (a bug: input is validated before this point).
    #[error("{operation}: the request could not be built: {message}")]
    Request {
        /// The spec's operationId.
        operation: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The call stopped (its time budget ran out, or it was cancelled) while this request was
    /// in flight or waiting: it may or may not have reached Vercel, so its items are not done.
    #[error("{operation}: abandoned, not confirmed: {reason}")]
    Stopped {
        /// The spec's operationId.
        operation: &'static str,
        /// Why the call stopped.
        reason: crate::stop::StopReason,
    },
    /// A response arrived but could not be read (a truncated body, say).
    #[error("{operation}: HTTP {status}: the response could not be read: {message}")]
    InvalidResponse {
        /// The spec's operationId.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether nothing was sent because the input or configuration was refused.
    pub fn is_refused_before_sending(&self) -> bool {
        matches!(self, Error::InvalidInput(_) | Error::Config(_))
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() }
}

/// An error status from the API, with Vercel's error code and message when the body had them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The spec's operationId.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// Vercel's `error.code`.
    pub code: Option<String>,
    /// Vercel's `error.message`.
    pub message: Option<String>,
    /// The start of the body when it was not Vercel's error object (an HTML page from a proxy).
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
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, ": {code}: {message}")?,
            (Some(code), None) => write!(f, ": {code}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (None, None) => match &self.body_excerpt {
                Some(excerpt) if !excerpt.is_empty() => {
                    write!(f, "; the body is not Vercel's error object: {excerpt}")?
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

/// A short, single-line excerpt of a body, for errors.
pub(crate) fn excerpt(body: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(max_chars).collect();
    if flat.chars().count() > max_chars {
        out.push('…');
    }
    out
}
