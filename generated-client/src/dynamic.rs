//! Calls chosen at run time: an operation by its `operationId`, its fields set by wire name from
//! text. The CLI dispatches through this; so can a service that reads purges from a queue.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::batch::{BatchOutcome, BatchReport, OnBatch};
use crate::client::EdgeCache;
use crate::error::Error;
use crate::operation::{Operation, OperationInfo};
use crate::purge::{PlannedRequest, Purge};
use crate::validation::{Problem, ValidationError};

/// An operation in the generated registry ([`crate::operations::OPERATIONS`]).
#[derive(Clone, Copy)]
pub struct OperationEntry {
    /// Its facts.
    pub info: &'static OperationInfo,
    /// Starts a call of it.
    pub start: for<'a> fn(&'a EdgeCache, Vec<String>) -> DynPurge<'a>,
    /// Checks a received request of it against every rule of the spec, as Vercel would: what
    /// the mock server (feature `mock`) answers 400 to.
    pub check_request: fn(&crate::inbound::Request) -> Result<(), ValidationError>,
}

impl std::fmt::Debug for OperationEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OperationEntry").field(&self.info.operation_id).finish()
    }
}

/// Starts a call of `O` with no parameter given (the registry's `start`).
pub(crate) fn start<'a, O: Operation>(client: &'a EdgeCache, items: Vec<String>) -> DynPurge<'a> {
    DynPurge(Box::new(Purge::<O>::new(client, Vec::new(), items)))
}

/// A [`Purge`] whose operation was chosen at run time; parameters and options are set by their
/// wire names, from text, and checked like the typed setters' values.
///
/// ```
/// use vercel_edge_cache::EdgeCache;
/// let client = EdgeCache::builder("token").build()?;
/// let plan = client
///     .operation("dangerouslyDeleteByTags", ["blog", "home"])
///     .expect("an operation of the spec")
///     .set("projectIdOrName", "my-project")?
///     .set("revalidationDeadlineSeconds", "60")?
///     .plan()?;
/// assert_eq!(plan[0].body["revalidationDeadlineSeconds"], 60);
/// let err = client.operation("invalidateBySrcImages", ["/a.png"]).unwrap().set("target", "production").unwrap_err();
/// assert_eq!(err.to_string(), "target: is not accepted by invalidateBySrcImages");
/// # Ok::<(), vercel_edge_cache::Error>(())
/// ```
pub struct DynPurge<'a>(Box<dyn Erased<'a> + 'a>);

impl std::fmt::Debug for DynPurge<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.debug(f)
    }
}

impl<'a> DynPurge<'a> {
    /// The operation's facts.
    pub fn info(&self) -> &'static OperationInfo {
        self.0.info()
    }

    /// Sets a query parameter or a body property by its wire name.
    pub fn set(mut self, name: &str, value: &str) -> Result<Self, ValidationError> {
        self.0.set(name, value)?;
        Ok(self)
    }

    /// Requests in flight for this call.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.0.set_concurrency(n);
        self
    }

    /// See [`Purge::max_time`].
    pub fn max_time(mut self, budget: std::time::Duration) -> Self {
        self.0.set_stop(Some(budget), None);
        self
    }

    /// See [`Purge::cancel_on`].
    pub fn cancel_on(mut self, cancel: &crate::Cancel) -> Self {
        self.0.set_stop(None, Some(cancel.clone()));
        self
    }

    /// Called as each batch finishes.
    pub fn on_batch(mut self, callback: impl Fn(&BatchOutcome) + Send + Sync + 'a) -> Self {
        self.0.set_on_batch(Arc::new(callback));
        self
    }

    /// See [`Purge::validate`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.0.validate()
    }

    /// See [`Purge::plan`].
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        self.0.plan()
    }

    /// See [`Purge::batch_count`].
    pub fn batch_count(&self) -> usize {
        self.0.batch_count()
    }

    /// See [`Purge::send`].
    pub async fn send(self) -> Result<BatchReport, Error> {
        self.0.send().await
    }
}

type Sent<'a> = Pin<Box<dyn Future<Output = Result<BatchReport, Error>> + Send + 'a>>;

trait Erased<'a>: Send + Sync {
    fn info(&self) -> &'static OperationInfo;
    fn debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result;
    fn set(&mut self, name: &str, value: &str) -> Result<(), ValidationError>;
    fn set_concurrency(&mut self, n: usize);
    fn set_stop(&mut self, budget: Option<std::time::Duration>, cancel: Option<crate::Cancel>);
    fn set_on_batch(&mut self, callback: OnBatch<'a>);
    fn validate(&self) -> Result<(), ValidationError>;
    fn plan(&self) -> Result<Vec<PlannedRequest>, Error>;
    fn batch_count(&self) -> usize;
    fn send(self: Box<Self>) -> Sent<'a>;
}

impl<'a, O: Operation> Erased<'a> for Purge<'a, O> {
    fn info(&self) -> &'static OperationInfo {
        O::INFO
    }
    fn debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
    fn set(&mut self, name: &str, value: &str) -> Result<(), ValidationError> {
        if let Some(i) = O::INFO.params.iter().position(|p| p.name == name) {
            self.params[i] = Some(value.to_string());
            return Ok(());
        }
        if O::set(&mut self.options, name, value)? {
            return Ok(());
        }
        Err(ValidationError {
            field: name.to_string(),
            problem: Problem::NotAccepted { operation: O::INFO.operation_id.to_string() },
        })
    }
    fn set_concurrency(&mut self, n: usize) {
        self.concurrency = n;
    }
    fn set_stop(&mut self, budget: Option<std::time::Duration>, cancel: Option<crate::Cancel>) {
        if budget.is_some() {
            self.max_time = budget;
        }
        if cancel.is_some() {
            self.cancel = cancel;
        }
    }
    fn set_on_batch(&mut self, callback: OnBatch<'a>) {
        self.on_batch = Some(callback);
    }
    fn validate(&self) -> Result<(), ValidationError> {
        Purge::validate(self)
    }
    fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        Purge::plan(self)
    }
    fn batch_count(&self) -> usize {
        Purge::batch_count(self)
    }
    fn send(self: Box<Self>) -> Sent<'a> {
        Box::pin(Purge::send(*self))
    }
}

impl EdgeCache {
    /// A call of the operation `operation_id` (the spec's name), chosen at run time; `None` when
    /// the spec has no such operation with a high-level call. Set its parameters and options
    /// with [`DynPurge::set`].
    pub fn operation<I, S>(&self, operation_id: &str, items: I) -> Option<DynPurge<'_>>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let entry = crate::generated::operations::OPERATIONS.iter().find(|e| e.info.operation_id == operation_id)?;
        Some((entry.start)(self, items.into_iter().map(Into::into).collect()))
    }

    /// Every operation with a high-level call, in spec order.
    pub fn operations() -> impl Iterator<Item = &'static OperationInfo> {
        crate::generated::operations::OPERATIONS.iter().map(|e| e.info)
    }
}
