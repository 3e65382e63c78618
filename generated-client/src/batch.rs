//! Running a selection as batches with bounded concurrency, and the per-batch report.

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;

use futures_util::future::{Either, select};
use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::error::Error;
use crate::operation::OperationInfo;
use crate::stop::{Stop, StopReason};

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
    /// One entry per request started, in selection order. A request abandoned when the call
    /// stopped has [`Error::Stopped`]: it may or may not have reached Vercel.
    pub batches: Vec<BatchOutcome>,
    /// The items of the requests never started because the call stopped, in selection order.
    pub not_sent: Vec<String>,
    /// Why the call stopped before every request had an answer, if it did.
    pub stopped: Option<StopReason>,
}

impl BatchReport {
    /// Whether every item was confirmed done.
    pub fn is_success(&self) -> bool {
        self.not_sent.is_empty() && self.batches.iter().all(|b| b.result.is_ok())
    }

    /// Every item not confirmed done, in selection order: those of failed or abandoned requests,
    /// then those never sent. This is what a later run must send again.
    ///
    /// ```
    /// # async fn run(client: vercel_edge_cache::EdgeCache) -> Result<(), Box<dyn std::error::Error>> {
    /// let report = client.invalidate_by_tags("my-project", ["a", "b"]).send().await?;
    /// let again: Vec<&str> = report.not_done().collect();
    /// std::fs::write("failed-tags.txt", again.join("\n"))?;
    /// # Ok(()) }
    /// ```
    pub fn not_done(&self) -> impl Iterator<Item = &str> {
        let failed = self.batches.iter().filter(|b| b.result.is_err()).flat_map(|b| b.items.iter());
        failed.chain(self.not_sent.iter()).map(String::as_str)
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
        self.batches.iter().map(|b| b.items.len()).sum::<usize>() + self.not_sent.len()
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

/// What [`run`] gives back: the outcomes of the requests started (in batch order), the items
/// never sent, and why the run stopped early, if it did.
pub(crate) struct Ran {
    pub(crate) outcomes: Vec<BatchOutcome>,
    pub(crate) not_sent: Vec<String>,
    pub(crate) stopped: Option<StopReason>,
}

/// Splits `items` into batches (see [`sizes`]), runs `send` on each with at most `concurrency`
/// in flight, and returns the outcomes in batch order. Items are moved, never copied, into the
/// outcomes; only the batches in flight are serialised. Once `stop` says so, no batch is started
/// and the ones in flight are abandoned (with [`Error::Stopped`]).
pub(crate) async fn run<'a, F, Fut>(
    info: &'static OperationInfo,
    items: Vec<String>,
    concurrency: NonZeroUsize,
    on_batch: Option<OnBatch<'a>>,
    stop: &Stop,
    send: F,
) -> Ran
where
    F: Fn(&[String]) -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    let (operation, max, min) = (info.operation_id, info.max_items, info.min_items);
    let mut ran = Ran { outcomes: Vec::new(), not_sent: Vec::new(), stopped: None };
    if items.is_empty() {
        // Nothing selected (the spec allows it with `minItems: 0`): nothing to send.
        return ran;
    }
    if let Some(reason) = stop.reason() {
        ran.not_sent = items;
        ran.stopped = Some(reason);
        return ran;
    }
    let finish = |index: usize, items: Vec<String>, result: Result<(), Error>| {
        let outcome = BatchOutcome { index, result, items };
        if let Some(cb) = &on_batch {
            cb(&outcome);
        }
        outcome
    };
    let abandon = std::pin::pin!(stop.abandon());
    if items.len() <= max && stop.deadline.is_none() && stop.cancel.is_none() {
        // One request, nothing to stop it: no splitting, no stream machinery.
        let result = send(&items).await;
        ran.outcomes.push(finish(0, items, result));
        return ran;
    }
    // The batches stay here; a request borrows nothing, so one abandoned loses no item.
    let mut slots: Vec<Option<Vec<String>>> = Vec::new();
    let mut rest = items.into_iter();
    for size in sizes(rest.len(), max, min) {
        slots.push(Some(rest.by_ref().take(size).collect()));
    }
    let mut next = 0;
    let mut flying: Vec<usize> = Vec::new();
    let mut in_flight = FuturesUnordered::new();
    let mut abandon = abandon;
    loop {
        // Start batches up to the limit, unless the call must stop.
        while in_flight.len() < concurrency.get() && next < slots.len() {
            if let Some(reason) = stop.reason() {
                ran.stopped.get_or_insert(reason);
                break;
            }
            let fut = send(slots[next].as_deref().unwrap_or_default());
            let index = next;
            in_flight.push(async move { (index, fut.await) });
            flying.push(index);
            next += 1;
        }
        if in_flight.is_empty() {
            break;
        }
        match select(in_flight.next(), abandon.as_mut()).await {
            Either::Left((Some((index, result)), _)) => {
                flying.retain(|i| *i != index);
                let items = slots[index].take().unwrap_or_default();
                ran.outcomes.push(finish(index, items, result));
            }
            Either::Left((None, _)) => break,
            Either::Right((reason, _)) => {
                ran.stopped = Some(reason);
                // Requests in flight are abandoned: not confirmed, maybe done.
                drop(in_flight);
                for index in flying {
                    let items = slots[index].take().unwrap_or_default();
                    ran.outcomes.push(finish(index, items, Err(Error::Stopped { operation, reason })));
                }
                break;
            }
        }
    }
    ran.not_sent = slots.into_iter().skip(next).flatten().flatten().collect();
    ran.outcomes.sort_by_key(|o| o.index);
    ran
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
