//! The high-level call of an operation, as users hold it: [`Purge`], typed by the operation's
//! marker type (whose setters are generated), or by [`AnyOperation`] for a call chosen at run
//! time ([`DynPurge`]). Either is a front of the one non-generic call ([`crate::engine::call::Call`]).

use std::marker::PhantomData;

use tokio_util::sync::CancellationToken;

use crate::client::EdgeCache;
use crate::client::operation::Operation;
use crate::engine::call::Call;
use crate::generated::spec::API;
use crate::types::operation::OperationInfo;
use crate::types::report::{BatchOutcome, BatchReport, InvalidItem, PlannedRequest, Progress};
use crate::types::validation::ValidationError;

/// A selection to send to an operation, split into requests of at most the spec's `maxItems`.
///
/// Started by the operation's [`EdgeCache`] method (generated, one per operation), whose typed
/// setters (one per optional query parameter and body property) are generated too; or by
/// [`EdgeCache::operation`], chosen at run time ([`DynPurge`]), set by wire name with
/// [`Purge::set`]. Nothing is sent until [`Purge::send`].
///
/// ```no_run
/// # async fn run(client: vercel_edge_cache::EdgeCache) -> Result<(), vercel_edge_cache::Error> {
/// let info = vercel_edge_cache::EdgeCache::operations().next().expect("an operation");
/// let items = (0..100).map(|i| format!("item-{i}"));
/// let mut call = client.operation(info.operation_id, items).expect("in the registry");
/// for field in info.required() {
///     call = call.set(field.name, "my-project")?;
/// }
/// let report = call.concurrency(8).send().await?;
/// for failed in report.failures() {
///     eprintln!("{} items failed: {}", failed.items.len(), failed.result.as_ref().unwrap_err());
/// }
/// # Ok(()) }
/// ```
#[must_use = "nothing is sent until `.send().await`"]
pub struct Purge<'a, O = AnyOperation> {
    call: Call<'a>,
    operation: PhantomData<fn() -> O>,
}

/// The operation of a call chosen at run time ([`DynPurge`]): any operation of the spec.
#[derive(Debug, Clone, Copy)]
pub enum AnyOperation {}

/// A call whose operation was chosen at run time, by its `operationId`
/// ([`EdgeCache::operation`]); its fields are set by wire name, from text, with
/// [`Purge::set`], and checked like the typed setters' values.
///
/// ```
/// use vercel_edge_cache::EdgeCache;
/// # let client = EdgeCache::builder("token").base_url("http://127.0.0.1:9").build()?;
/// let info = EdgeCache::operations().next().expect("an operation");
/// let mut call = client.operation(info.operation_id, ["item-1", "item-2"]).expect("in the registry");
/// for field in info.required() {
///     call = call.set(field.name, "my-project")?;
/// }
/// match call.plan() {
///     Ok(plan) => assert!(plan.iter().all(|request| request.method == info.method)),
///     Err(refused) => eprintln!("the spec's rules refuse these items: {refused}"),
/// }
/// let err = client.operation(info.operation_id, ["a"]).unwrap().set("noSuchField", "1").unwrap_err();
/// assert_eq!(err.to_string(), format!("noSuchField: is not accepted by {}", info.operation_id));
/// # Ok::<(), vercel_edge_cache::Error>(())
/// ```
pub type DynPurge<'a> = Purge<'a, AnyOperation>;

impl<O> std::fmt::Debug for Purge<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.call.fmt(f)
    }
}

impl<'a, O> Purge<'a, O> {
    /// A call of `O` (the contract's `start`).
    pub(crate) fn start(client: &'a EdgeCache, items: Vec<String>) -> Self
    where
        O: Operation,
    {
        Self { call: Call::new(&client.engine, O::SPEC, items), operation: PhantomData }
    }

    /// Sets a field of the call's typed values (the contract's `set`, which the typed setters
    /// call with their operation's `Values`, the type the call holds).
    pub(crate) fn with<V: 'static>(mut self, set: impl FnOnce(&mut V)) -> Self {
        let values = self.call.values.as_any_mut().downcast_mut::<V>();
        debug_assert!(values.is_some(), "a typed setter of another operation's values");
        if let Some(values) = values {
            set(values);
        }
        self
    }

    /// The operation's facts.
    pub fn info(&self) -> &'static OperationInfo {
        self.call.info()
    }

    /// Sets a query parameter or a body property by its wire name, from text, as the CLI does:
    /// parsed by its [`Kind`](crate::operations::Kind) (an integer, one of an enum's values, a
    /// comma-separated list, …) and checked, like the typed setter's value, when the call is.
    pub fn set(mut self, name: &str, value: &str) -> Result<Self, ValidationError> {
        self.call.set_text(name, value)?;
        Ok(self)
    }

    /// Requests in flight for this call (default: the client's).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.call.set_concurrency(n);
        self
    }

    /// A time budget for the whole call (default: the client's). When it runs out, nothing new
    /// is sent, requests in flight are abandoned, and the report lists every item not done.
    pub fn max_time(mut self, budget: std::time::Duration) -> Self {
        self.call.set_max_time(budget);
        self
    }

    /// Stops the call when `cancel` is cancelled: nothing new is sent, requests in flight get
    /// [`CANCEL_GRACE`](crate::CANCEL_GRACE), and the report lists every item not done.
    ///
    /// The token is tokio-util's (re-exported as [`crate::CancellationToken`]), so a service's
    /// shutdown token stops its calls through a child token:
    ///
    /// ```no_run
    /// # async fn run(call: vercel_edge_cache::DynPurge<'_>, shutdown: vercel_edge_cache::CancellationToken) {
    /// let report = call.cancel_on(&shutdown.child_token()).send().await;
    /// # }
    /// ```
    pub fn cancel_on(mut self, cancel: &CancellationToken) -> Self {
        self.call.set_cancel(cancel);
        self
    }

    /// Called once for each request the call starts, when it ends: succeeded, failed (after
    /// its retries), or abandoned because the call stopped. Requests never started (the call
    /// stopped first) are not reported here; their items are in [`BatchReport::not_sent`].
    /// Each call gets the request's outcome and the progress of the whole call so far.
    ///
    /// ```no_run
    /// # async fn run(client: vercel_edge_cache::EdgeCache, call: vercel_edge_cache::DynPurge<'_>) {
    /// let report = call
    ///     .on_batch(|_batch, progress| {
    ///         eprintln!("{} of {} items done, {} failed", progress.done, progress.total, progress.failed)
    ///     })
    ///     .send()
    ///     .await;
    /// # }
    /// ```
    pub fn on_batch(mut self, callback: impl Fn(&BatchOutcome, &Progress) + Send + Sync + 'a) -> Self {
        self.call.set_on_batch(Call::callback(callback));
        self
    }

    /// How many requests the selection needs.
    pub fn batch_count(&self) -> usize {
        self.call.batch_count()
    }

    /// Checks the whole selection and every value against the spec's rules; on error nothing
    /// may be sent. (With [`Purge::skip_invalid`], items that break a rule are left out, not
    /// errors.)
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.call.validate()
    }

    /// Every item of the selection that breaks a rule of the spec, each with its index in the
    /// selection as given, and the rule: all of them, where [`Purge::validate`] stops at the
    /// first problem (which may also be the call's own, such as a missing parameter).
    ///
    /// ```
    /// # fn run(call: vercel_edge_cache::DynPurge<'_>) {
    /// for bad in call.invalid_items() {
    ///     eprintln!("item {} ({:?}): {}", bad.index + 1, bad.item, bad.error.problem);
    /// }
    /// # }
    /// ```
    pub fn invalid_items(&self) -> Vec<InvalidItem> {
        self.call.invalid_items().collect()
    }

    /// Leaves out the items that break a rule of the spec instead of refusing the whole call:
    /// the rest is sent, and the report lists them in [`BatchReport::invalid`] (and
    /// [`BatchReport::not_done`]); its outcome is then [`Outcome::Invalid`](crate::Outcome::Invalid)
    /// at best. A problem of the call itself (a missing parameter) still refuses it.
    pub fn skip_invalid(mut self) -> Self {
        self.call.skip_invalid = true;
        self
    }

    /// Validates, then lists the requests [`Purge::send`] would make (without the token).
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, ValidationError> {
        self.call.plan()
    }

    /// Validates the whole selection, then sends it in batches, at most `concurrency` at once.
    ///
    /// `Err` means nothing was sent: the input broke a rule of the spec. Otherwise the report
    /// tells, batch by batch, which items succeeded and which failed and why
    /// ([`BatchReport::outcome`]); one failed batch does not stop the others.
    pub async fn send(self) -> Result<BatchReport, ValidationError> {
        self.call.send().await
    }
}

impl EdgeCache {
    /// A call of the operation `operation_id` (the spec's name), chosen at run time; `None` when
    /// the spec has no such operation with a high-level call. Set its fields with
    /// [`Purge::set`].
    pub fn operation<I, S>(&self, operation_id: &str, items: I) -> Option<DynPurge<'_>>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let spec = API.operations.iter().copied().find(|spec| spec.info.operation_id == operation_id)?;
        let items = items.into_iter().map(Into::into).collect();
        Some(Purge { call: Call::new(&self.engine, spec, items), operation: PhantomData })
    }

    /// Every operation with a high-level call, in spec order.
    pub fn operations() -> impl Iterator<Item = &'static OperationInfo> {
        API.operations.iter().map(|spec| &spec.info)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! Spec-agnostic: every operation of the registry, through the run-time API, so that these
    //! tests hold whatever operations the spec has (the tests crate checks the real four).
    use crate::operations::{Field, Kind, OperationInfo, Place};
    use crate::{DynPurge, EdgeCache};

    fn client() -> EdgeCache {
        EdgeCache::builder("t").base_url("http://127.0.0.1:9").build().unwrap()
    }

    /// A call of `info` with `items` and every required field set: text fields to `required`,
    /// the others to a value of their kind.
    pub(crate) fn call<'a>(c: &'a EdgeCache, info: &OperationInfo, items: Vec<String>, required: &str) -> DynPurge<'a> {
        let mut p = c.operation(info.operation_id, items).unwrap();
        for field in info.required() {
            p = p.set(field.name, sample(field, required)).unwrap();
        }
        p
    }

    /// The value [`call`] gives a required field: `text` for text, else a value of its kind.
    fn sample<'t>(field: &Field, text: &'t str) -> &'t str {
        match field.kind {
            Kind::OneOf(values) => values.first().copied().unwrap_or_default(),
            Kind::Integer | Kind::Number => "1",
            Kind::Boolean => "true",
            _ => text,
        }
    }

    /// The path of a request of [`call`]: its parameters filled in.
    fn filled(info: &OperationInfo, text: &str) -> String {
        let params = info.fields.iter().filter(|f| f.place == Place::Path);
        params.fold(info.path.to_string(), |path, f| path.replace(&format!("{{{}}}", f.name), sample(f, text)))
    }

    /// The items of a call of `info` that its spec accepts: the fewest a request carries (at
    /// least one), or none for an operation that takes no selection.
    pub(crate) fn items(info: &OperationInfo) -> Vec<String> {
        let n = if info.batch_field.is_some() { info.min_items.max(1) } else { 0 };
        (0..n).map(|i| format!("item-{i}")).collect()
    }

    #[test]
    fn plans_split_on_max_items_and_keep_every_item_once_in_order() {
        let c = client();
        for info in EdgeCache::operations() {
            let Some(batch_field) = info.batch_field else { continue };
            // Two full batches and a short one (which may take items from the one before it).
            let items: Vec<String> = (0..2 * info.max_items + 1).map(|i| format!("item{i}")).collect();
            let plan = call(&c, info, items.clone(), "prj").plan().unwrap();
            assert_eq!(plan.len(), 3, "{}", info.operation_id);
            let mut seen = Vec::new();
            for r in &plan {
                assert_eq!((r.method, r.path.as_str()), (info.method, filled(info, "prj").as_str()));
                for field in info.required().filter(|f| f.place == Place::Query && f.kind == Kind::Text) {
                    assert!(r.query.contains(&(field.name, "prj".to_string())), "required: {:?}", r.query);
                }
                let batch = r.body[batch_field].as_array().unwrap();
                assert!(batch.len() <= info.max_items && batch.len() >= info.min_items);
                seen.extend(batch.iter().map(|v| v.as_str().unwrap().to_string()));
            }
            assert_eq!(seen, items, "{}", info.operation_id);
        }
    }

    #[test]
    fn an_operation_without_a_selection_is_one_request_and_refuses_items() {
        let c = client();
        for info in EdgeCache::operations().filter(|i| i.batch_field.is_none()) {
            let plan = call(&c, info, Vec::new(), "prj").plan().unwrap();
            assert_eq!(plan.len(), 1, "{}", info.operation_id);
            let r = &plan[0];
            assert_eq!((r.method, r.path.as_str()), (info.method, filled(info, "prj").as_str()));
            for field in info.required().filter(|f| f.kind == Kind::Text) {
                match field.place {
                    Place::Query => assert!(r.query.contains(&(field.name, "prj".to_string())), "{:?}", r.query),
                    Place::Body => assert_eq!(r.body[field.name], "prj", "{}", r.body),
                    // In the path, which is compared whole above.
                    _ => {}
                }
            }
            let err = call(&c, info, vec!["a".to_string()], "prj").validate().unwrap_err();
            assert_eq!(err.to_string(), format!("selection: is not accepted by {}", info.operation_id));
        }
    }

    #[test]
    fn the_whole_selection_is_checked_before_anything_is_sent() {
        let c = client();
        for info in EdgeCache::operations() {
            if let Some(batch_field) = info.batch_field
                && info.min_items > 0
            {
                let err = call(&c, info, Vec::new(), "prj").validate().unwrap_err();
                let unit = if info.min_items == 1 { "item" } else { "items" };
                let expected = format!("{batch_field}: at least {} {unit} per request, got 0", info.min_items);
                assert_eq!(err.to_string(), expected);
            }
            let items = items(info);
            if let Some(required) = info.required().next() {
                // Not set: present is all `required` asks (an empty value is the spec's minLength).
                let err = c.operation(info.operation_id, items.clone()).unwrap().validate().unwrap_err();
                assert_eq!(err.to_string(), format!("{}: is required", required.name));
            }
            let err = call(&c, info, items, "prj").concurrency(0).validate().unwrap_err();
            assert_eq!(err.to_string(), "concurrency: must be at least 1, got 0");
        }
    }

    #[test]
    fn a_call_can_be_spawned_on_a_multi_threaded_runtime() {
        // `tokio::spawn` needs a `Send` future: a call that held a `Cell` or an `Rc` across an
        // await would stop compiling here, not in a user's service.
        fn spawnable<T: Send>(_: T) {}
        let c = client();
        for info in EdgeCache::operations() {
            spawnable(call(&c, info, items(info), "prj").send());
        }
    }

    #[tokio::test]
    async fn a_time_budget_too_long_for_the_clock_is_no_deadline_not_a_panic() {
        let c = EdgeCache::builder("t").base_url("http://127.0.0.1:9").max_retries(0).build().unwrap();
        for info in EdgeCache::operations() {
            // Nothing listens on the client's port: the call ends in a connection error, sent.
            let report = call(&c, info, items(info), "prj").max_time(std::time::Duration::MAX).send().await.unwrap();
            assert_eq!(report.stopped, None, "{}", info.operation_id);
            assert!(report.first_error().is_some_and(|e| e.is_network()), "{report:?}");
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
