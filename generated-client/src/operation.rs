//! What the generator emits for each operation, and the runtime runs.
//!
//! Each operation of the spec that takes a selection is a marker type in
//! [`crate::operations`] implementing [`Operation`]: its facts ([`OperationInfo`]), its checks
//! (one generated statement per constraint of the spec), how to build the typed body of one
//! batch, and how to send it through progenitor's builder. The runtime ([`crate::Purge`]) is
//! generic over it and names no operation.

use std::future::Future;
use std::pin::Pin;

use crate::generated::api;
use crate::validation::ValidationError;

/// One attempt in flight: progenitor's request, answering a success's status and rate-limit
/// headers.
pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<Answer, progenitor_client::Error<()>>> + Send + 'a>>;

/// What the runtime keeps of a successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    pub(crate) rate: crate::rate_limit::RateHeaders,
}

impl Answer {
    /// Reads an answer's status and headers (the generated `send` calls this).
    pub fn of(status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap) -> Self {
        Self { status: status.as_u16(), rate: crate::rate_limit::RateHeaders::of(headers) }
    }
}

/// A query parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name on the wire.
    pub name: &'static str,
    /// Whether every request must carry it (the call's positional arguments).
    pub required: bool,
    /// Whether the client's [`Scope`](crate::Scope) gives it a default.
    pub in_scope: bool,
}

/// The facts of an operation the runtime needs.
///
/// ```
/// use vercel_edge_cache::Operation;
/// use vercel_edge_cache::operations::InvalidateByTags;
/// let info = InvalidateByTags::INFO;
/// assert_eq!(info.operation_id, "invalidateByTags");
/// assert_eq!((info.batch_field, info.min_items, info.max_items), ("tags", 1, 16));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path, relative to the base URL.
    pub path: &'static str,
    /// The spec's `summary`.
    pub summary: &'static str,
    /// The query parameters, in the order requests send them.
    pub params: &'static [Param],
    /// The body list a selection is split on.
    pub batch_field: &'static str,
    /// The fewest items one request carries (`minItems`).
    pub min_items: usize,
    /// The most items one request carries (`maxItems`): selections are split into batches of it.
    pub max_items: usize,
    /// The other body properties, set through the call's setters.
    pub options: &'static [&'static str],
    /// Whether the batch field also takes its items written as one string (a `oneOf` with a
    /// string alternative); the client always sends a list.
    pub text_form: bool,
    /// The separator of that string (`"a,b"`), when the spec gives it one
    /// (`x-edge-cache-split`).
    pub separator: Option<&'static str>,
    /// Whether sending it twice does what sending it once does (`x-edge-cache-idempotent` in
    /// the spec): then 5xx, timeouts and resets are retried too, not only 429 and connections
    /// never made.
    pub idempotent: bool,
}

/// An operation that takes a selection: implemented by the generated marker types.
pub trait Operation: Send + Sync + 'static {
    /// Its facts.
    const INFO: &'static OperationInfo;
    /// The optional body properties, as set through the setters.
    /// The optional body properties, as set through the setters (and read from a request's body
    /// by their wire names).
    type Options: Default + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static;
    /// The typed request body of one batch (progenitor's type).
    type Body: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static;

    /// Checks the query parameters (in [`OperationInfo::params`] order) and the options.
    fn check(params: &[Option<String>], options: &Self::Options) -> Result<(), ValidationError>;
    /// Checks the item at `index` of the selection.
    fn check_item(index: usize, item: &str) -> Result<(), ValidationError>;
    /// Checks the batch field's string form (see [`OperationInfo::text_form`]).
    fn check_text(text: &str) -> Result<(), ValidationError>;
    /// Sets an option from text by its wire name; `Ok(false)` when the body has no such property.
    fn set(options: &mut Self::Options, name: &str, value: &str) -> Result<bool, ValidationError>;
    /// The typed body of one batch.
    fn body(items: &[String], options: &Self::Options) -> Result<Self::Body, String>;
    /// Sends one attempt through progenitor's builder.
    fn send<'a>(api: &'a api::Client, params: &[Option<String>], body: Self::Body) -> Sending<'a>;
}
