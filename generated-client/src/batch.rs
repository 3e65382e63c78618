//! Running a selection as batches with bounded concurrency, and the per-batch report.

use std::future::Future;
use std::num::NonZeroUsize;
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

/// The sizes of the batches `n` items are split into: at most `max` each, in order, and none
/// under `min` where that can be had (a short last batch takes items from the one before).
/// Where it cannot (`sizes(5, 4, 3)`), the call refuses the selection before sending.
///
/// ```text
/// sizes(40, 16, 1) == [16, 16, 8]      sizes(17, 16, 2) == [15, 2]
/// ```
pub(crate) fn sizes(n: usize, max: usize, min: usize) -> Vec<usize> {
    let max = max.max(1);
    let mut out = vec![max; n / max];
    if !n.is_multiple_of(max) {
        out.push(n % max);
    }
    if let [.., before, last] = out.as_mut_slice()
        && *last < min
    {
        let moved = (min - *last).min(before.saturating_sub(min));
        *before -= moved;
        *last += moved;
    }
    out
}

/// Splits `items` into batches (see [`sizes`]), runs `send` on each with at most `concurrency`
/// in flight, and returns the outcomes in batch order. Items are moved, never copied, into the
/// outcomes; only the batches in flight are serialised.
pub(crate) async fn run<'a, F, Fut>(
    items: Vec<String>,
    max: usize,
    min: usize,
    concurrency: NonZeroUsize,
    on_batch: Option<OnBatch<'a>>,
    send: F,
) -> Vec<BatchOutcome>
where
    F: Fn(&[String]) -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    if items.is_empty() {
        // Nothing selected (the spec allows it with `minItems: 0`): nothing to send.
        return Vec::new();
    }
    if items.len() <= max {
        // One request: no splitting, no stream machinery.
        let outcome = BatchOutcome { index: 0, result: send(&items).await, items };
        if let Some(cb) = &on_batch {
            cb(&outcome);
        }
        return vec![outcome];
    }
    let sizes = sizes(items.len(), max, min);
    let mut batches = Vec::with_capacity(sizes.len());
    let mut items = items.into_iter();
    for size in sizes {
        batches.push(items.by_ref().take(size).collect::<Vec<String>>());
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
        .buffer_unordered(concurrency.get())
        .collect()
        .await;
    outcomes.sort_by_key(|o| o.index);
    outcomes
}

#[cfg(test)]
mod tests {
    use super::sizes;

    #[test]
    fn batches_follow_max_items_and_never_fall_under_min_items() {
        assert_eq!(sizes(40, 16, 1), [16, 16, 8]);
        assert_eq!(sizes(32, 16, 1), [16, 16]);
        assert_eq!(sizes(1, 8, 1), [1]);
        assert_eq!(sizes(0, 8, 1), Vec::<usize>::new());
        assert_eq!(sizes(17, 16, 2), [15, 2]);
        assert_eq!(sizes(26, 25, 2), [24, 2]);
        assert_eq!(sizes(50, 25, 2), [25, 25]);
        for n in 1..200 {
            let s = sizes(n, 16, 3);
            assert_eq!(s.iter().sum::<usize>(), n, "{n}");
            assert!(s.iter().all(|b| *b <= 16), "{n}: {s:?}");
            if n >= 3 {
                assert!(s.iter().all(|b| *b >= 3), "{n}: {s:?}");
            }
        }
    }
}
