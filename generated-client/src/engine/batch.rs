//! Running a selection as batches with bounded concurrency, and the per-batch report.

use std::num::NonZeroUsize;
use std::sync::Arc;

use futures_util::future::{Either, select};
use futures_util::stream::{FuturesUnordered, StreamExt};
use tracing::Instrument;

use crate::engine::rate_limit::Track;
use crate::engine::transport::Answer;
use crate::types::error::RequestError;
use crate::types::operation::OperationInfo;
use crate::types::report::{BatchOutcome, Progress};
use crate::types::stop::{Stop, StopReason};

/// The target of this module's traces (what `RUST_LOG=vercel_edge_cache::batch=debug` selects), kept
/// as documented when the module moved.
const TRACE_TARGET: &str = "vercel_edge_cache::batch";

/// A callback run as each request finishes, with the call's progress.
pub(crate) type OnBatch<'a> = Arc<dyn Fn(&BatchOutcome, &Progress) + Send + Sync + 'a>;

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

/// The sizes of the requests a call of `info` with `n` items makes: [`sizes`] on its batch
/// field, or one request without items for an operation that takes no selection.
pub(crate) fn requests(info: &OperationInfo, n: usize) -> Vec<usize> {
    match info.batch_field {
        Some(_) => sizes(n, info.max_items, info.min_items),
        None => vec![0],
    }
}

/// Whether `n` items split into batches none of which is under `min` ([`sizes`], without
/// making the list): what a call checks before sending.
pub(crate) fn splittable(n: usize, max: usize, min: usize) -> bool {
    let max = max.max(1);
    if n <= max {
        return n >= min;
    }
    if max < min {
        return false;
    }
    // A short last batch takes up to `max - min` items from the one before it.
    let last = n % max;
    last == 0 || last >= min || last + max >= 2 * min
}

/// What [`run`] gives back: the outcomes of the requests started (in batch order), the items
/// never sent, and why the run stopped early, if it did.
pub(crate) struct Ran {
    pub(crate) outcomes: Vec<BatchOutcome>,
    pub(crate) not_sent: Vec<String>,
    pub(crate) stopped: Option<StopReason>,
}

/// A batch's items, shared between [`run`] and the batch's request.
pub(crate) type Chunk = Arc<Vec<String>>;

/// The span a batch's request runs in (its attempts' spans are inside it): the batch's index
/// (as [`BatchOutcome::index`] gives it, from 0), how many batches the call has, and its items.
fn batch_span(index: usize, batches: usize, items: usize) -> tracing::Span {
    tracing::info_span!(target: TRACE_TARGET, "edge_cache.batch", index, batches, items)
}

/// Splits `items` into batches (see [`sizes`]), runs `send` on each with at most `concurrency`
/// in flight, and returns the outcomes in batch order. Items are moved, never copied, into the
/// outcomes; only the batches in flight are serialised. Once `stop` says so, no batch is started
/// and the ones in flight are abandoned (with [`RequestError::Stopped`], and what each met of
/// the rate limit, from the [`Track`] it shares with its request).
pub(crate) async fn run<'a, F, R>(
    info: &'static OperationInfo,
    items: Vec<String>,
    concurrency: NonZeroUsize,
    on_batch: Option<OnBatch<'a>>,
    stop: &Stop,
    stop_on_refusal: bool,
    send: F,
) -> Ran
where
    F: Fn(Chunk, Option<Arc<Track>>) -> R,
    R: Future<Output = Result<Answer, RequestError>>,
{
    let operation = info.operation_id;
    let selects = info.batch_field.is_some();
    let mut ran = Ran { outcomes: Vec::new(), not_sent: Vec::new(), stopped: None };
    if items.is_empty() && selects {
        // Nothing selected (the spec allows it with `minItems: 0`): nothing to send.
        return ran;
    }
    if let Some(reason) = stop.reason() {
        ran.not_sent = items;
        ran.stopped = Some(reason);
        return ran;
    }
    let total = items.len();
    // As many as `requests` makes, counted without allocating (the one-request path needs no list).
    let requests_total = if selects { total.div_ceil(info.max_items.max(1)) } else { 1 };
    // One outcome per request: allocated once, at its size.
    ran.outcomes.reserve_exact(requests_total);
    let mut tally = Tally { progress: Progress { done: 0, failed: 0, total, requests: 0, requests_total }, on_batch };
    if requests_total == 1 && stop.deadline.is_none() && stop.cancel.is_none() {
        // One request, nothing to stop it: no splitting, no stream machinery.
        let span = batch_span(0, 1, items.len());
        let mut chunk = Some(Arc::new(items));
        // Nothing can abandon it: it keeps its own track.
        let result = send(chunk.clone().unwrap_or_default(), None).instrument(span).await;
        ran.outcomes.push(tally.finish(0, take(&mut chunk), result));
        return ran;
    }
    // The batches stay here, each shared with its request while it runs, so that one abandoned
    // (dropped) loses no item.
    let mut rest = items.into_iter();
    let mut slots: Vec<Option<Chunk>> =
        requests(info, total).into_iter().map(|size| Some(Arc::new(rest.by_ref().take(size).collect()))).collect();

    let mut next = 0;
    let mut flying: Vec<(usize, Arc<Track>)> = Vec::new();
    let mut in_flight = FuturesUnordered::new();
    let mut abandon = std::pin::pin!(stop.abandon());
    loop {
        // Start batches up to the limit, unless the call must stop (a refusal stops it for good).
        while in_flight.len() < concurrency.get()
            && next < slots.len()
            && !matches!(ran.stopped, Some(StopReason::Refused { .. }))
        {
            if let Some(reason) = stop.reason() {
                ran.stopped.get_or_insert(reason);
                break;
            }
            let chunk = slots[next].clone().unwrap_or_default();
            let span = batch_span(next, slots.len(), chunk.len());
            let track = Arc::new(Track::default());
            let request = send(chunk, Some(track.clone())).instrument(span);
            let index = next;
            in_flight.push(async move { (index, request.await) });
            flying.push((index, track));
            next += 1;
        }
        if in_flight.is_empty() {
            break;
        }
        match select(in_flight.next(), abandon.as_mut()).await {
            Either::Left((Some((index, result)), _)) => {
                flying.retain(|(i, _)| *i != index);
                let items = take(&mut slots[index]);
                let outcome = tally.finish(index, items, result);
                // An answer no later request would change: nothing new is sent; the requests
                // in flight finish, and the rest is reported not sent.
                if stop_on_refusal
                    && ran.stopped.is_none()
                    && let Some(status) = outcome.result.as_ref().err().and_then(RequestError::refusal)
                {
                    ran.stopped = Some(StopReason::Refused { status });
                }
                ran.outcomes.push(outcome);
            }
            Either::Left((None, _)) => break,
            Either::Right((reason, _)) => {
                ran.stopped = Some(reason);
                // Requests in flight are abandoned: not confirmed, maybe done.
                drop(in_flight);
                for (index, track) in flying {
                    let items = take(&mut slots[index]);
                    // Its request's span ended with it: the event goes in a span like it.
                    batch_span(index, slots.len(), items.len()).in_scope(|| {
                        tracing::warn!(
                            target: TRACE_TARGET,
                            operation,
                            reason = %reason,
                            "request abandoned: its answer was not awaited, so its items are not confirmed (it may have been done)"
                        )
                    });
                    let stopped = RequestError::Stopped { operation, reason, waits: track.waits() };
                    ran.outcomes.push(tally.finish(index, items, Err(stopped)));
                }
                break;
            }
        }
    }
    ran.not_sent = slots.iter_mut().skip(next).flat_map(take).collect();
    // A refusal that came when every request had been started cut nothing short.
    if matches!(ran.stopped, Some(StopReason::Refused { .. })) && next == slots.len() {
        ran.stopped = None;
    }
    ran.outcomes.sort_by_key(|o| o.index);
    ran
}

/// The call's progress, counted as each request finishes and shown to the callback.
struct Tally<'a> {
    progress: Progress,
    on_batch: Option<OnBatch<'a>>,
}

impl Tally<'_> {
    /// Counts a finished request, tells the callback, and gives back its outcome.
    fn finish(&mut self, index: usize, items: Vec<String>, result: Result<Answer, RequestError>) -> BatchOutcome {
        let (result, Answer { body: response, request_id }) = match result {
            Ok(answer) => (Ok(()), answer),
            Err(e) => (Err(e), Answer::default()),
        };
        let request_id = request_id.or_else(|| result.as_ref().err()?.request_id().map(str::to_string));
        let outcome = BatchOutcome { index, result, items, response, request_id };
        let p = &mut self.progress;
        p.requests += 1;
        match outcome.result {
            Ok(()) => p.done += outcome.items.len(),
            Err(_) => p.failed += outcome.items.len(),
        }
        if let Some(cb) = &self.on_batch {
            cb(&outcome, p);
        }
        outcome
    }
}

/// A batch's items out of its slot: moved when its request has finished (and given back its
/// share), copied only if it has not.
fn take(slot: &mut Option<Chunk>) -> Vec<String> {
    slot.take().map(|items| Arc::try_unwrap(items).unwrap_or_else(|shared| (*shared).clone())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{sizes, splittable};

    #[test]
    fn splittable_says_what_sizes_would() {
        for n in 0..120 {
            for max in 1..20 {
                for min in 0..20 {
                    let all = sizes(n, max, min).iter().all(|s| *s >= min) && (n > 0 || min == 0);
                    assert_eq!(splittable(n, max, min), all, "n {n} max {max} min {min}");
                }
            }
        }
    }

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
