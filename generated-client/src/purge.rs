//! The high-level call of any operation: any number of items, checked, batched and sent.

use std::marker::PhantomData;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::batch::{self, BatchOutcome, BatchReport};
use crate::client::{EdgeCache, settings};
use crate::error::Error;
use crate::operation::Operation;
use crate::stop::{Cancel, Stop};
use crate::validation::ValidationError;

/// A request planned by [`Purge::plan`]: what would be sent, without the token.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRequest {
    /// The HTTP method.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
    /// Query parameters in the order sent.
    pub query: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Value,
}

/// A selection to send to operation `O`, split into requests of at most the spec's `maxItems`.
///
/// Started by the [`EdgeCache`] method of the operation (generated, one per operation); its
/// setters (one per optional query parameter and body property of the operation) are generated
/// too. Nothing is sent until [`Purge::send`].
///
/// ```no_run
/// # async fn run(client: vercel_edge_cache::EdgeCache) -> Result<(), vercel_edge_cache::Error> {
/// let tags = (0..100).map(|i| format!("product-{i}"));
/// let report = client
///     .dangerously_delete_by_tags("my-project", tags)
///     .revalidation_deadline_seconds(60)
///     .concurrency(8)
///     .send()
///     .await?;
/// for failed in report.failures() {
///     eprintln!("{} tags failed: {}", failed.items.len(), failed.result.as_ref().unwrap_err());
/// }
/// # Ok(()) }
/// ```
#[must_use = "nothing is sent until `.send().await`"]
pub struct Purge<'a, O: Operation> {
    pub(crate) client: &'a EdgeCache,
    /// Query parameter values, in [`crate::OperationInfo::params`] order.
    pub(crate) params: Vec<Option<String>>,
    pub(crate) items: Vec<String>,
    pub(crate) options: O::Options,
    pub(crate) concurrency: usize,
    pub(crate) on_batch: Option<batch::OnBatch<'a>>,
    pub(crate) max_time: Option<Duration>,
    pub(crate) cancel: Option<Cancel>,
    operation: PhantomData<O>,
}

impl<O: Operation> std::fmt::Debug for Purge<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Purge")
            .field("operation", &O::INFO.operation_id)
            .field("params", &self.params)
            .field("items", &self.items.len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a, O: Operation> Purge<'a, O> {
    /// A call with the required parameters given (by index into `O::INFO.params`) and the
    /// client's scope for the others.
    pub(crate) fn new(client: &'a EdgeCache, required: Vec<(usize, String)>, items: Vec<String>) -> Self {
        let mut params: Vec<Option<String>> = O::INFO
            .params
            .iter()
            .map(|p| if p.in_scope { client.scope.get(p.name).map(str::to_string) } else { None })
            .collect();
        for (i, value) in required {
            params[i] = Some(value);
        }
        Self {
            client,
            params,
            items,
            options: O::Options::default(),
            concurrency: client.concurrency,
            on_batch: None,
            max_time: client.max_time,
            cancel: None,
            operation: PhantomData,
        }
    }

    /// Sets query parameter `index` (the generated setters of optional parameters call this;
    /// a spec may have none).
    #[allow(dead_code)]
    pub(crate) fn param(mut self, index: usize, value: String) -> Self {
        self.params[index] = Some(value);
        self
    }

    /// Requests in flight for this call (default: the client's).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// A time budget for the whole call (default: the client's). When it runs out, nothing new
    /// is sent, requests in flight are abandoned, and the report lists every item not done.
    pub fn max_time(mut self, budget: Duration) -> Self {
        self.max_time = Some(budget);
        self
    }

    /// Stops the call when `cancel` is cancelled: nothing new is sent, requests in flight get
    /// [`CANCEL_GRACE`](crate::CANCEL_GRACE), and the report lists every item not done.
    pub fn cancel_on(mut self, cancel: &Cancel) -> Self {
        self.cancel = Some(cancel.clone());
        self
    }

    /// Called as each batch finishes (for progress reporting).
    pub fn on_batch(mut self, callback: impl Fn(&BatchOutcome) + Send + Sync + 'a) -> Self {
        self.on_batch = Some(Arc::new(callback));
        self
    }

    /// How many requests the selection needs.
    pub fn batch_count(&self) -> usize {
        batch::sizes(self.items.len(), O::INFO.max_items, O::INFO.min_items).len()
    }

    /// The options set so far.
    pub fn options(&self) -> &O::Options {
        &self.options
    }

    /// Checks the whole selection against the spec's rules; on error nothing may be sent.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.checked().map(|_| ())
    }

    /// [`Purge::validate`], answering the concurrency to run with.
    fn checked(&self) -> Result<NonZeroUsize, ValidationError> {
        let concurrency = settings::concurrency(self.concurrency)
            .map_err(|problem| ValidationError { field: "concurrency".into(), problem })?;
        O::check(&self.params, &self.options)?;
        let info = O::INFO;
        crate::check::min_items(info.batch_field, self.items.len(), info.min_items)?;
        if batch::sizes(self.items.len(), info.max_items, info.min_items).iter().any(|s| *s < info.min_items) {
            let (min, max, got) = (info.min_items as u64, info.max_items as u64, self.items.len() as u64);
            let problem = crate::validation::Problem::CannotSplit { min, max, got };
            return Err(ValidationError { field: info.batch_field.to_string(), problem });
        }
        for (i, item) in self.items.iter().enumerate() {
            O::check_item(i, item)?;
        }
        Ok(concurrency)
    }

    /// The query of every request, in the order sent.
    fn query(&self) -> Vec<(&'static str, String)> {
        O::INFO.params.iter().zip(&self.params).filter_map(|(p, v)| Some((p.name, v.clone()?))).collect()
    }

    /// Validates, then lists the requests [`Purge::send`] would make.
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        self.validate()?;
        let query = self.query();
        let info = O::INFO;
        let mut start = 0;
        let mut plan = Vec::new();
        for size in batch::sizes(self.items.len(), info.max_items, info.min_items) {
            let chunk = &self.items[start..start + size];
            start += size;
            let request = |message: String| Error::Request { operation: info.operation_id, message };
            let body = O::body(chunk, &self.options).map_err(request)?;
            let body = serde_json::to_value(&body).map_err(|e| request(e.to_string()))?;
            plan.push(PlannedRequest { method: info.method, path: info.path, query: query.clone(), body });
        }
        Ok(plan)
    }

    /// Validates the whole selection, then sends it in batches, at most `concurrency` at once.
    ///
    /// `Err` means nothing was sent (the input broke a rule of the spec). Otherwise the report
    /// tells, batch by batch, which items succeeded and which failed and why; one failed batch
    /// does not stop the others.
    pub async fn send(self) -> Result<BatchReport, Error> {
        let concurrency = self.checked()?;
        let Purge { client, params, items, options, on_batch, max_time, cancel, .. } = self;
        let info = O::INFO;
        let stop = Stop { deadline: max_time.map(|t| tokio::time::Instant::now() + t), cancel };
        let (params, options) = (&params, &options);
        let ran = batch::run(info, items, concurrency, on_batch, &stop, |chunk: &[String]| {
            let body = O::body(chunk, options);
            let attempt: BoxFuture<'_, Result<(), Error>> = Box::pin(async move {
                let mut body = Some(body.map_err(|message| Error::Request { operation: info.operation_id, message })?);
                crate::transport::call(info, &client.retry, &client.limiter, client.timeout, |last| {
                    // The last possible attempt sends the body itself; earlier ones a copy.
                    let body = if last { body.take() } else { body.clone() };
                    O::send(&client.api, params, body.expect("one attempt per body"))
                })
                .await
            });
            attempt
        })
        .await;
        Ok(BatchReport {
            operation: info.operation_id,
            batches: ran.outcomes,
            not_sent: ran.not_sent,
            stopped: ran.stopped,
        })
    }
}

#[cfg(test)]
mod tests {
    //! Spec-agnostic: every operation of the registry, through the run-time API, so that these
    //! tests hold whatever operations the spec has (the tests crate checks the real four).
    use crate::{DynPurge, EdgeCache, OperationInfo};

    fn client() -> EdgeCache {
        EdgeCache::builder("t").base_url("http://127.0.0.1:9").build().unwrap()
    }

    fn call<'a>(c: &'a EdgeCache, info: &OperationInfo, items: Vec<String>, required: &str) -> DynPurge<'a> {
        let mut p = c.operation(info.operation_id, items).unwrap();
        for param in info.params.iter().filter(|p| p.required) {
            p = p.set(param.name, required).unwrap();
        }
        p
    }

    #[test]
    fn plans_split_on_max_items_and_keep_every_item_once_in_order() {
        let c = client();
        for info in EdgeCache::operations() {
            // Two full batches and a short one (which may take items from the one before it).
            let items: Vec<String> = (0..2 * info.max_items + 1).map(|i| format!("item{i}")).collect();
            let plan = call(&c, info, items.clone(), "p").plan().unwrap();
            assert_eq!(plan.len(), 3, "{}", info.operation_id);
            let mut seen = Vec::new();
            for r in &plan {
                assert_eq!((r.method, r.path), (info.method, info.path));
                if info.params.iter().any(|p| p.required) {
                    assert!(r.query.iter().any(|(_, v)| v == "p"), "the required parameter is sent: {:?}", r.query);
                }
                let batch = r.body[info.batch_field].as_array().unwrap();
                assert!(batch.len() <= info.max_items && batch.len() >= info.min_items);
                seen.extend(batch.iter().map(|v| v.as_str().unwrap().to_string()));
            }
            assert_eq!(seen, items, "{}", info.operation_id);
        }
    }

    #[test]
    fn the_whole_selection_is_checked_before_anything_is_sent() {
        let c = client();
        for info in EdgeCache::operations() {
            if info.min_items > 0 {
                let err = call(&c, info, Vec::new(), "p").validate().unwrap_err();
                let unit = if info.min_items == 1 { "item" } else { "items" };
                let expected = format!("{}: at least {} {unit} per request, got 0", info.batch_field, info.min_items);
                assert_eq!(err.to_string(), expected);
            }
            let items = vec!["item".to_string(); info.min_items.max(1)];
            if let Some(required) = info.params.iter().find(|p| p.required) {
                // Not set: present is all `required` asks (an empty value is the spec's minLength).
                let err = c.operation(info.operation_id, items.clone()).unwrap().validate().unwrap_err();
                assert_eq!(err.to_string(), format!("{}: is required", required.name));
            }
            let err = call(&c, info, items, "p").concurrency(0).validate().unwrap_err();
            assert_eq!(err.to_string(), "concurrency: must be at least 1, got 0");
        }
    }

    #[test]
    fn fields_the_operation_does_not_have_are_refused_by_name() {
        let c = client();
        for info in EdgeCache::operations() {
            let err = c.operation(info.operation_id, ["a"]).unwrap().set("noSuchField", "1").unwrap_err();
            assert_eq!(err.to_string(), format!("noSuchField: is not accepted by {}", info.operation_id));
        }
        assert!(c.operation("noSuchOperation", ["a"]).is_none());
    }
}
