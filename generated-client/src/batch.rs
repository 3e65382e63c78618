//! Running a selection as batches with bounded concurrency, and the per-batch report.

use std::future::Future;
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};

use crate::error::Error;

/// The outcome of one request of a selection.
#[derive(Debug)]
pub struct BatchOutcome {
    /// The batch's position in the selection, from 0.
    pub index: usize,
    /// The items the request carried, in order.
    pub items: Vec<String>,
    /// `Ok` when Vercel accepted them.
    pub result: Result<(), Error>,
}

/// What happened to a selection, batch by batch (in selection order).
///
/// ```
/// # async fn run(client: vercel_edge_cache::EdgeCache) -> Result<(), vercel_edge_cache::Error> {
/// let report = client.invalidate_by_tags("my-project", ["a", "b"]).send().await?;
/// println!("{} of {} items done", report.succeeded().count(), report.item_count());
/// if let Some(err) = report.first_error() {
///     eprintln!("failed: {err}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct BatchReport {
    /// The spec's operationId.
    pub operation: &'static str,
    /// One entry per request, in selection order.
    pub batches: Vec<BatchOutcome>,
}

impl BatchReport {
    /// Whether every batch succeeded.
    pub fn is_success(&self) -> bool {
        self.batches.iter().all(|b| b.result.is_ok())
    }

    /// The items of the batches that succeeded.
    pub fn succeeded(&self) -> impl Iterator<Item = &str> {
        self.batches.iter().filter(|b| b.result.is_ok()).flat_map(|b| b.items.iter().map(String::as_str))
    }

    /// The batches that failed.
    pub fn failures(&self) -> impl Iterator<Item = &BatchOutcome> {
        self.batches.iter().filter(|b| b.result.is_err())
    }

    /// The error of the first failed batch.
    pub fn first_error(&self) -> Option<&Error> {
        self.batches.iter().find_map(|b| b.result.as_ref().err())
    }

    /// How many items the selection had.
    pub fn item_count(&self) -> usize {
        self.batches.iter().map(|b| b.items.len()).sum()
    }
}

/// A callback run as each batch finishes.
pub(crate) type OnBatch<'a> = Arc<dyn Fn(&BatchOutcome) + Send + Sync + 'a>;

/// Splits `items` into batches of `size`, runs `send` on each with at most `concurrency` in
/// flight, and returns the outcomes in batch order. Items are moved, never copied, into the
/// outcomes; only the batches in flight are serialised.
pub(crate) async fn run<'a, F, Fut>(
    items: Vec<String>,
    size: usize,
    concurrency: usize,
    on_batch: Option<OnBatch<'a>>,
    send: F,
) -> Vec<BatchOutcome>
where
    F: Fn(&[String]) -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    let mut batches = Vec::with_capacity(items.len().div_ceil(size));
    let mut items = items.into_iter();
    loop {
        let batch: Vec<String> = items.by_ref().take(size).collect();
        if batch.is_empty() {
            break;
        }
        batches.push(batch);
    }
    if batches.len() == 1 {
        // One request: no stream machinery needed.
        let items = batches.pop().expect("one batch");
        let outcome = BatchOutcome { index: 0, result: send(&items).await, items };
        if let Some(cb) = &on_batch {
            cb(&outcome);
        }
        return vec![outcome];
    }
    let mut outcomes: Vec<BatchOutcome> = stream::iter(batches.into_iter().enumerate())
        .map(|(index, items)| {
            let fut = send(&items);
            let on_batch = on_batch.clone();
            async move {
                let outcome = BatchOutcome { index, result: fut.await, items };
                if let Some(cb) = &on_batch {
                    cb(&outcome);
                }
                outcome
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    outcomes.sort_by_key(|o| o.index);
    outcomes
}
