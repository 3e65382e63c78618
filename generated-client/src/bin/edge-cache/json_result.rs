//! What `--json` and `--json-lines` print, as JSON values: the result of a run, a finished
//! request's event, and the pieces they share. Their schema is `json/result.schema.json`
//! (tested against real runs in `tests/cli.rs`); the README's CLI section documents each field.
//!
//! The counts are of items, and disjoint: `succeeded + failed + abandoned + notSentCount +
//! invalidCount == items`. The library's `Progress::done` is `succeeded`; its `Progress::failed` is `failed +
//! abandoned` (abandoned requests end with `RequestError::Stopped`).

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use vercel_edge_cache::{BatchOutcome, BatchReport, Outcome, Progress, RateLimitWaits, RequestError, WaitLimit};

/// Whether a request was abandoned: in flight (or waiting) when the call stopped.
pub(crate) fn abandoned(b: &BatchOutcome) -> bool {
    matches!(b.result, Err(RequestError::Stopped { .. }))
}

/// The items of the batches for which `keep` holds.
fn items_of<'a>(batches: impl Iterator<Item = &'a BatchOutcome>, keep: impl Fn(&BatchOutcome) -> bool) -> usize {
    batches.filter(|b| keep(b)).map(|b| b.items.len()).sum()
}

/// The result of a run (`--json`, and the last line of `--json-lines`); `planned` is the number
/// of requests the selection needs.
pub fn result(report: &BatchReport, project: &str, planned: usize) -> Value {
    let batches: Vec<Value> = report.batches.iter().map(batch).collect();
    let outcome = match report.outcome() {
        Outcome::Done => "done",
        Outcome::Partial { .. } => "partial",
        Outcome::Stopped { .. } => "stopped",
        Outcome::Invalid { .. } => "invalid",
        // An outcome the library adds later: not all done, as `ok` says.
        _ => "partial",
    };
    let invalid: Vec<Value> = report
        .invalid
        .iter()
        .map(|i| json!({ "index": i.index, "item": i.item, "message": i.error.problem.to_string() }))
        .collect();
    json!({
        "event": "result",
        "ok": report.is_success(),
        "outcome": outcome,
        "operation": report.operation,
        "project": project,
        "items": report.item_count(),
        "succeeded": report.succeeded().count(),
        "failed": items_of(report.batches.iter(), |b| b.result.is_err() && !abandoned(b)),
        "abandoned": items_of(report.batches.iter(), abandoned),
        "notSentCount": report.not_sent.len(),
        "invalidCount": report.invalid.len(),
        "requestsPlanned": planned,
        "requestsSent": report.batches.len(),
        "batches": batches,
        "notSent": report.not_sent,
        "invalid": invalid,
        "notDone": report.not_done().collect::<Vec<_>>(),
        "stopped": report.stopped.map(|r| r.to_string()),
    })
}

/// The result of a run quit at once on a second signal: what is known of it. Its items
/// `notDone` are those not confirmed done; the `--json-lines` events before it say the rest.
pub fn quit(operation: &str, project: &str, items: usize, not_done: &[String], reason: &str) -> Value {
    json!({
        "event": "result",
        "ok": false,
        "outcome": "quit",
        "operation": operation,
        "project": project,
        "items": items,
        "succeeded": items - not_done.len(),
        "notDone": not_done,
        "stopped": reason,
    })
}

/// A result whose `--save-failed` could not be written (`error`: why): not ok, and saying why, so
/// that a reader of the JSON alone does not take the run for done.
pub fn not_saved(result: &mut Value, error: Option<&str>) {
    if let (Some(error), Some(object)) = (error, result.as_object_mut()) {
        object.insert("ok".into(), false.into());
        object.insert("saveFailed".into(), error.into());
    }
}

/// `--json-lines`' events, one per request as it finishes. They count the items of abandoned
/// requests so far, which the library's `Progress::failed` counts with the failed ones.
#[derive(Default)]
pub struct BatchEvents {
    abandoned: AtomicUsize,
}

impl BatchEvents {
    /// The event of a request just finished, counting it.
    pub fn event(&self, b: &BatchOutcome, progress: &Progress) -> Value {
        if abandoned(b) {
            self.abandoned.fetch_add(b.items.len(), Ordering::Relaxed);
        }
        let abandoned = self.abandoned.load(Ordering::Relaxed);
        json!({
            "event": "batch",
            "batch": batch(b),
            "progress": {
                "items": progress.total,
                "succeeded": progress.done,
                "failed": progress.failed.saturating_sub(abandoned),
                "abandoned": abandoned,
                "requestsFinished": progress.requests,
                "requestsPlanned": progress.requests_total,
            },
        })
    }
}

/// One request's outcome.
fn batch(b: &BatchOutcome) -> Value {
    let mut v = json!({ "index": b.index, "items": b.items, "ok": b.result.is_ok(), "requestId": b.request_id });
    match &b.result {
        Ok(()) => {
            if let Some(response) = &b.response {
                v["response"] = response.clone();
            }
        }
        Err(e) => v["error"] = error(e),
    }
    v
}

/// What a request met of the rate limit.
fn waits(w: &RateLimitWaits) -> Value {
    json!({
        "answers429": w.answers_429,
        "lastWait": w.last_asked.map(|a| json!({ "header": a.header, "seconds": a.wait.as_secs_f64() })),
        "waitedSeconds": w.waited.as_secs_f64(),
        "waiting": w.waiting,
    })
}

/// A request's error: its message, its kind, and what the kind carries.
fn error(e: &RequestError) -> Value {
    let mut v = json!({ "message": e.to_string() });
    match e {
        RequestError::Api(api) | RequestError::ChallengeRequired(api) => {
            v["kind"] =
                json!(if matches!(e, RequestError::ChallengeRequired(_)) { "challenge_required" } else { "api" });
            v["status"] = json!(api.status);
            v["code"] = json!(api.code);
            v["vercelMessage"] = json!(api.message);
            v["attempts"] = json!(api.attempts);
            v["requestId"] = json!(api.request_id);
        }
        RequestError::Timeout { attempts, .. } => {
            v["kind"] = json!("timeout");
            v["attempts"] = json!(attempts);
        }
        RequestError::Connection { attempts, .. } => {
            v["kind"] = json!("connection");
            v["attempts"] = json!(attempts);
        }
        RequestError::Stopped { reason, waits: w, .. } => {
            v["kind"] = json!("stopped");
            v["reason"] = json!(reason.to_string());
            v["rateLimit"] = json!(w.as_ref().map(waits));
        }
        RequestError::RateLimited { answer, limit, waits: w, .. } => {
            v["kind"] = json!("rate_limited");
            v["status"] = json!(answer.as_ref().map(|a| a.status));
            v["code"] = json!(answer.as_ref().and_then(|a| a.code.clone()));
            v["vercelMessage"] = json!(answer.as_ref().and_then(|a| a.message.clone()));
            v["requestId"] = json!(e.request_id());
            v["setting"] = json!(limit.setting());
            let asked = match limit {
                WaitLimit::MaxRetryAfter { asked, .. } | WaitLimit::MaxRateLimitWait { asked, .. } => Some(asked),
                _ => None,
            };
            v["askedSeconds"] = json!(asked.map(|a| a.wait.as_secs_f64()));
            v["rateLimit"] = waits(w);
        }
        RequestError::InvalidResponse { status, .. } => {
            v["kind"] = json!("invalid_response");
            v["status"] = json!(status);
        }
        _ => v["kind"] = json!("other"),
    }
    v
}
