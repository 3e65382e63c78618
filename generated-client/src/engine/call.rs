//! The one call of any operation: its values, its items and its settings, checked, planned and
//! sent. Typed calls ([`crate::Purge`] of an operation's marker type), calls chosen at run time
//! ([`crate::DynPurge`], the CLI) and the testing kit's check of a received request all run
//! through it.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::engine::batch::{self, OnBatch};
use crate::engine::rate_limit::Track;
use crate::engine::spec::OperationSpec;
use crate::engine::value::{self, Values};
use crate::engine::{Engine, settings};
use crate::types::operation::{OperationInfo, Place};
use crate::types::report::{BatchReport, InvalidItem, PlannedRequest};
use crate::types::stop::Stop;
use crate::types::validation::{Problem, ValidationError};

/// A call: what [`crate::Purge`] is a typed front of.
pub(crate) struct Call<'a> {
    pub(crate) client: &'a Engine,
    pub(crate) spec: &'static OperationSpec,
    pub(crate) values: Box<dyn Values>,
    pub(crate) items: Vec<String>,
    pub(crate) concurrency: usize,
    pub(crate) on_batch: Option<OnBatch<'a>>,
    pub(crate) max_time: Option<Duration>,
    pub(crate) cancel: Option<CancellationToken>,
    /// Whether items that break a rule are left out (and reported) rather than refusing the call.
    pub(crate) skip_invalid: bool,
}

impl std::fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Purge")
            .field("operation", &self.spec.info.operation_id)
            .field("values", &self.values)
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Call<'a> {
    /// A call of `spec` with the client's settings and scope.
    pub(crate) fn new(client: &'a Engine, spec: &'static OperationSpec, items: Vec<String>) -> Self {
        let mut values = (spec.values)();
        for field in spec.info.fields.iter().filter(|f| f.in_scope) {
            if let Some(v) = client.scope.get(field.name) {
                // A scope parameter is text, which a text field takes.
                let _ = values.set(field.name, serde_json::Value::from(v));
            }
        }
        Self {
            client,
            spec,
            values,
            items,
            concurrency: client.concurrency,
            on_batch: None,
            max_time: client.max_time,
            cancel: None,
            skip_invalid: false,
        }
    }

    /// The operation's facts.
    pub(crate) fn info(&self) -> &'static OperationInfo {
        &self.spec.info
    }

    /// Sets a field by its wire name, from text: parsed by its kind, as a typed setter would
    /// set it.
    pub(crate) fn set_text(&mut self, name: &str, text: &str) -> Result<(), ValidationError> {
        value::set_text(&mut *self.values, &self.spec.info, name, text)
    }

    /// How many requests the selection needs (one, for an operation without a selection), the
    /// items left out with `skip_invalid` not counted.
    pub(crate) fn batch_count(&self) -> usize {
        let left_out = if self.skip_invalid { self.invalid_items().count() } else { 0 };
        batch::requests(self.info(), self.items.len() - left_out).len()
    }

    /// Checks the call as `send` makes it, each item once: answers the concurrency to run with,
    /// and the items left out (with `skip_invalid`, every item that breaks a rule; without it,
    /// the first such item refuses the call, once the rest of the call passes).
    fn check(&self) -> Result<(NonZeroUsize, Vec<InvalidItem>), ValidationError> {
        let concurrency = settings::concurrency(self.concurrency)
            .map_err(|problem| ValidationError { field: "concurrency".into(), problem })?;
        let left_out: Vec<InvalidItem> = if self.skip_invalid { self.invalid_items().collect() } else { Vec::new() };
        let n = self.items.len() - left_out.len();
        self.values.check()?;
        if n == 0 && !left_out.is_empty() {
            // Every item was left out: nothing to send, once the call's own values pass.
            return Ok((concurrency, left_out));
        }
        let info = self.info();
        let Some(batch_field) = info.batch_field else {
            if n > 0 {
                let problem = Problem::NotAccepted { operation: info.operation_id.to_string() };
                return Err(ValidationError { field: "selection".into(), problem });
            }
            return Ok((concurrency, left_out));
        };
        crate::engine::check::min_items(batch_field, n, info.min_items)?;
        if !batch::splittable(n, info.max_items, info.min_items) {
            let (min, max, got) = (info.min_items as u64, info.max_items as u64, n as u64);
            let problem = Problem::CannotSplit { min, max, got };
            return Err(ValidationError { field: batch_field.to_string(), problem });
        }
        if !self.skip_invalid
            && let Some(first) = self.invalid_items().next()
        {
            return Err(first.error);
        }
        Ok((concurrency, left_out))
    }

    /// What `validate` answers: the first problem that stops `send` (with `skip_invalid`, an
    /// invalid item is not one).
    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        self.check().map(|_| ())
    }

    /// `items` without those `left_out` (whose indices are in order).
    fn without(mut items: Vec<String>, left_out: &[InvalidItem]) -> Vec<String> {
        let mut left_out = left_out.iter().map(|i| i.index).peekable();
        let mut index = 0;
        items.retain(|_| {
            let out = left_out.next_if_eq(&index).is_some();
            index += 1;
            !out
        });
        items
    }

    /// Every item that breaks a rule of the spec, in selection order (none for an operation
    /// without a selection, whose items are refused as a whole).
    pub(crate) fn invalid_items(&self) -> impl Iterator<Item = InvalidItem> + '_ {
        let items = if self.info().batch_field.is_some() { &self.items[..] } else { &[] };
        items.iter().enumerate().filter_map(|(index, item)| {
            let error = (self.spec.check_item)(index, item).err()?;
            Some(InvalidItem { index, item: item.clone(), error })
        })
    }

    /// The values of the fields that go in `place`, as text, in the order sent.
    fn texts(&self, place: Place) -> Vec<(&'static str, String)> {
        let values = self.values.to_json();
        let fields = self.info().fields.iter().filter(|f| f.place == place);
        fields.filter_map(|f| Some((f.name, value::wire_text(values.get(f.name)?, place)?))).collect()
    }

    /// The path of every request, its parameters filled in as progenitor sends them.
    fn path(&self) -> String {
        let mut path = self.info().path.to_string();
        for (name, value) in self.texts(Place::Path) {
            path = path.replace(&format!("{{{name}}}"), &progenitor_client::encode_path(&value));
        }
        path
    }

    /// Validates, then lists the requests [`Call::send`] would make.
    pub(crate) fn plan(&self) -> Result<Vec<PlannedRequest>, ValidationError> {
        let (_, left_out) = self.check()?;
        let kept;
        let items = if left_out.is_empty() {
            &self.items
        } else {
            kept = Self::without(self.items.clone(), &left_out);
            &kept
        };
        let info = self.info();
        let query = self.texts(Place::Query);
        let mut start = 0;
        let mut plan = Vec::new();
        let path = self.path();
        for size in batch::requests(info, items.len()) {
            let chunk = &items[start..start + size];
            start += size;
            let body = self.values.body(chunk).map_err(|reason| ValidationError {
                field: info.batch_field.unwrap_or("body").to_string(),
                problem: Problem::Unrepresentable { reason },
            })?;
            plan.push(PlannedRequest { method: info.method, path: path.clone(), query: query.clone(), body });
        }
        Ok(plan)
    }

    /// Validates the whole selection, then sends it in batches, at most `concurrency` at once;
    /// with `skip_invalid`, the items that break a rule are left out first, and reported.
    pub(crate) async fn send(self) -> Result<BatchReport, ValidationError> {
        let (concurrency, invalid) = self.check()?;
        let Call { client, spec, values, items, on_batch, max_time, cancel, .. } = self;
        // Every item left out: `batch::run` sends nothing.
        let items = Self::without(items, &invalid);
        let info = &spec.info;
        // A budget too long to add to now is no deadline (not a panic).
        let stop = Stop { deadline: max_time.and_then(|t| tokio::time::Instant::now().checked_add(t)), cancel };
        let values = &*values;
        let send = |chunk: batch::Chunk, shared: Option<Arc<Track>>| async move {
            let own = Track::default();
            let track = shared.as_deref().unwrap_or(&own);
            let attempt = || values.send(&client.api, &chunk);
            crate::engine::transport::call(info, client, track, attempt).await
        };
        let ran = batch::run(info, items, concurrency, on_batch, &stop, client.retry.stop_on_refusal, send).await;
        Ok(BatchReport {
            operation: info.operation_id,
            batches: ran.outcomes,
            not_sent: ran.not_sent,
            stopped: ran.stopped,
            invalid,
        })
    }

    /// Requests in flight for this call.
    pub(crate) fn set_concurrency(&mut self, n: usize) {
        self.concurrency = n;
    }

    /// Called as each request finishes.
    pub(crate) fn set_on_batch(&mut self, callback: OnBatch<'a>) {
        self.on_batch = Some(callback);
    }

    /// The call's time budget.
    pub(crate) fn set_max_time(&mut self, budget: Duration) {
        self.max_time = Some(budget);
    }

    /// The call's cancellation.
    pub(crate) fn set_cancel(&mut self, cancel: &CancellationToken) {
        self.cancel = Some(cancel.clone());
    }

    /// A shared callback.
    pub(crate) fn callback<F>(f: F) -> OnBatch<'a>
    where
        F: Fn(&crate::types::report::BatchOutcome, &crate::types::report::Progress) + Send + Sync + 'a,
    {
        Arc::new(f)
    }
}
