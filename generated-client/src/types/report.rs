//! What a call reports: each request's outcome ([`BatchOutcome`]), the whole call's
//! ([`BatchReport`] and its one answer, [`Outcome`]), its progress as it runs ([`Progress`]),
//! and the requests a dry run plans ([`PlannedRequest`]).

use serde_json::Value;

use crate::types::error::RequestError;
use crate::types::stop::StopReason;
use crate::types::validation::ValidationError;

/// A request planned by [`Purge::plan`](crate::Purge::plan): what would be sent, without the
/// token.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRequest {
    /// The HTTP method.
    pub method: &'static str,
    /// The path, its parameters filled in (percent-encoded, as sent).
    pub path: String,
    /// Query parameters in the order sent.
    pub query: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Value,
}

/// The outcome of one request of a call.
#[derive(Debug)]
pub struct BatchOutcome {
    /// The batch's position in the selection, from 0.
    pub index: usize,
    /// The items the request carried, in order.
    pub items: Vec<String>,
    /// `Ok` when Vercel accepted them.
    pub result: Result<(), RequestError>,
    /// The JSON body of Vercel's successful answer, when the spec gives the operation's answer
    /// one ([`BatchOutcome::response`] reads it typed).
    pub response: Option<Value>,
    /// Vercel's ID of the request's last answer (`x-vercel-id`), when it carried one: of the
    /// success, or of the error status (as [`RequestError::request_id`] gives it).
    pub request_id: Option<String>,
}

/// How far a call has got, as [`Purge::on_batch`](crate::Purge::on_batch) reports it after each
/// request: counts of items, so that a progress display needs no state of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Items confirmed done.
    pub done: usize,
    /// Items of requests that failed or were abandoned.
    pub failed: usize,
    /// Items in the selection.
    pub total: usize,
    /// Requests finished (done, failed or abandoned).
    pub requests: usize,
    /// Requests the selection needs.
    pub requests_total: usize,
}

/// What happened to a call, batch by batch (in selection order).
///
/// ```
/// # async fn run(client: vercel_edge_cache::EdgeCache, call: vercel_edge_cache::DynPurge<'_>) -> Result<(), vercel_edge_cache::Error> {
/// use vercel_edge_cache::Outcome;
/// let report = call.send().await?;
/// match report.outcome() {
///     Outcome::Done => println!("{} items done", report.item_count()),
///     Outcome::Partial { cause } => eprintln!("some requests failed, first: {cause}"),
///     Outcome::Stopped { reason, .. } => eprintln!("stopped: {reason}"),
///     Outcome::Invalid { first } => eprintln!("left out as invalid, first: {}", first.error),
///     _ => eprintln!("not all done"),
/// }
/// let again: Vec<&str> = report.not_done().collect(); // what a later run must send
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a report holds the requests that failed: check `is_success()` or `outcome()`, or `into_result()?`"]
pub struct BatchReport {
    /// The spec's operationId.
    pub operation: &'static str,
    /// One entry per request started, in selection order. A request abandoned when the call
    /// stopped has [`RequestError::Stopped`]: it may or may not have reached Vercel.
    pub batches: Vec<BatchOutcome>,
    /// The items of the requests never started because the call stopped, in selection order.
    pub not_sent: Vec<String>,
    /// Why the call stopped before every request had an answer, if it did.
    pub stopped: Option<StopReason>,
    /// The items left out because they break a rule of the spec, in selection order: only
    /// with [`Purge::skip_invalid`](crate::Purge::skip_invalid) (without it, one such item
    /// refuses the whole call).
    pub invalid: Vec<InvalidItem>,
}

/// An item of a selection that breaks a rule of the spec
/// ([`Purge::invalid_items`](crate::Purge::invalid_items),
/// [`BatchReport::invalid`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidItem {
    /// Its position in the selection as given, from 0.
    pub index: usize,
    /// The item.
    pub item: String,
    /// The rule it breaks (its `field` names the item: `tags[3]`).
    pub error: ValidationError,
}

/// A call's one answer: done, partly failed with its cause, stopped with its reason, or done but
/// for the items left out as invalid ([`Purge::skip_invalid`](crate::Purge::skip_invalid)).
///
/// A later version may add an outcome: a `match` needs a wildcard arm (`_ =>`), where
/// [`BatchReport::not_done`] still lists what a later run must send.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Outcome<'a> {
    /// Every item was confirmed done.
    Done,
    /// The call ran to its end, but requests failed; `cause` is the first failure. The items
    /// not done are [`BatchReport::not_done`].
    Partial {
        /// The first failure, in selection order.
        cause: &'a RequestError,
    },
    /// Every request was confirmed done, but items that break a rule of the spec were left out
    /// ([`Purge::skip_invalid`](crate::Purge::skip_invalid)): they are in
    /// [`BatchReport::invalid`] and [`BatchReport::not_done`].
    Invalid {
        /// The first item left out.
        first: &'a InvalidItem,
    },
    /// The call was cut short before every request had an answer: its time budget ran out, it
    /// was cancelled, or Vercel refused a request in a way no later one would change (401, 402,
    /// 403, 404; [`StopReason::Refused`], with that answer as the `cause`). Requests not started
    /// are [`BatchReport::not_sent`], abandoned ones failed with [`RequestError::Stopped`];
    /// [`BatchReport::not_done`] lists both. A refusal of the last requests to start fails the
    /// call ([`Outcome::Partial`]) instead: match the cause (`cause.is_auth()`) in both.
    Stopped {
        /// Why.
        reason: StopReason,
        /// The first failure of a request that ended before the call stopped, if any (a 403,
        /// say): the call may have been failing before it was cut short.
        cause: Option<&'a RequestError>,
    },
}

/// One line for a person: what the outcome is, and its cause (escaped, as every error's text).
///
/// ```
/// use vercel_edge_cache::Outcome;
/// assert_eq!(Outcome::Done.to_string(), "done");
/// ```
impl std::fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Done => f.write_str("done"),
            Outcome::Partial { cause } => write!(f, "not all done: {cause}"),
            Outcome::Invalid { first } => write!(f, "done but for items left out as invalid, first {}", first.error),
            Outcome::Stopped { reason, cause: None } => write!(f, "stopped: {reason}"),
            Outcome::Stopped { reason, cause: Some(cause) } => write!(f, "stopped: {reason}; first failure: {cause}"),
        }
    }
}

impl BatchReport {
    /// The call's one answer.
    pub fn outcome(&self) -> Outcome<'_> {
        let cause = self.cause().and_then(|i| self.batches[i].result.as_ref().err());
        match (self.stopped, cause, self.invalid.first()) {
            (Some(reason), cause, _) => Outcome::Stopped { reason, cause },
            (None, Some(cause), _) => Outcome::Partial { cause },
            (None, None, Some(first)) => Outcome::Invalid { first },
            (None, None, None) => Outcome::Done,
        }
    }

    /// Where the outcome's cause is: for a call stopped by a refusal, the refusal; else the first
    /// failure that is not an abandonment (a request abandoned when the call stopped says only
    /// that it stopped).
    fn cause(&self) -> Option<usize> {
        let failed = |b: &BatchOutcome| matches!(&b.result, Err(e) if !matches!(e, RequestError::Stopped { .. }));
        let refusal = match self.stopped {
            Some(StopReason::Refused { status }) => {
                self.batches.iter().position(|b| b.result.as_ref().is_err_and(|e| e.refusal() == Some(status)))
            }
            _ => None,
        };
        refusal.or_else(|| self.batches.iter().position(failed))
    }

    /// Whether every item was confirmed done.
    pub fn is_success(&self) -> bool {
        matches!(self.outcome(), Outcome::Done)
    }

    /// `Ok` when every item was confirmed done; else why not, as an [`Error`](crate::Error), for
    /// `?` in code that treats any failure as its own: the cause of [`BatchReport::outcome`] (a
    /// refusal, whether it failed the call or stopped it; the first failed request's error), else
    /// the stop ([`RequestError::Stopped`]), else the first item left out as invalid
    /// ([`Error::LeftOut`](crate::Error::LeftOut)). It takes the report: read what else it says
    /// ([`BatchReport::not_done`], the answers) first.
    ///
    /// ```no_run
    /// # async fn run(client: vercel_edge_cache::EdgeCache, info: &'static vercel_edge_cache::operations::OperationInfo) -> Result<(), vercel_edge_cache::Error> {
    /// let mut call = client.operation(info.operation_id, ["item-1"]).expect("in the registry");
    /// for field in info.required() {
    ///     call = call.set(field.name, "my-project")?;
    /// }
    /// call.send().await?.into_result()?; // a 403 is an error here, not a report
    /// # Ok(()) }
    /// ```
    #[expect(clippy::result_large_err, reason = "`Error` is the crate's one error for `?`; made once per call")]
    pub fn into_result(mut self) -> Result<(), crate::Error> {
        if self.is_success() {
            return Ok(());
        }
        // The cause, else (a stop with none) the first abandoned request's error.
        if let Some(i) = self.cause().or_else(|| self.batches.iter().position(|b| b.result.is_err()))
            && let Err(e) = std::mem::replace(&mut self.batches[i].result, Ok(()))
        {
            return Err(e.into());
        }
        if let Some(reason) = self.stopped {
            return Err(RequestError::Stopped { operation: self.operation, reason, waits: None }.into());
        }
        // Only items left out as invalid remain (the outcome is `Invalid`).
        match self.invalid.into_iter().next() {
            Some(first) => Err(crate::Error::LeftOut(first.error)),
            None => Ok(()),
        }
    }

    /// Every item not confirmed done: those of failed or abandoned requests, then those never
    /// sent, in selection order, then those left out as invalid. This is what a later run must
    /// send again (once the invalid ones are mended).
    ///
    /// ```
    /// # async fn run(call: vercel_edge_cache::DynPurge<'_>) -> Result<(), Box<dyn std::error::Error>> {
    /// let report = call.send().await?;
    /// let again: Vec<&str> = report.not_done().collect();
    /// std::fs::write("failed-items.txt", again.join("\n"))?;
    /// # Ok(()) }
    /// ```
    pub fn not_done(&self) -> impl Iterator<Item = &str> {
        let failed = self.failures().flat_map(|b| b.items.iter());
        let invalid = self.invalid.iter().map(|i| &i.item);
        failed.chain(self.not_sent.iter()).chain(invalid).map(String::as_str)
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
    pub fn first_error(&self) -> Option<&RequestError> {
        self.batches.iter().find_map(|b| b.result.as_ref().err())
    }

    /// How many items the selection had.
    pub fn item_count(&self) -> usize {
        self.batches.iter().map(|b| b.items.len()).sum::<usize>() + self.not_sent.len() + self.invalid.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[expect(clippy::result_large_err, reason = "a batch's result, as the report holds it")]
    fn answer(status: u16) -> Result<(), RequestError> {
        let api = crate::types::error::ApiError {
            operation: "op",
            status,
            code: None,
            message: None,
            body_excerpt: None,
            attempts: 1,
            request_id: None,
        };
        Err(RequestError::Api(api))
    }

    fn report(results: Vec<Result<(), RequestError>>, stopped: Option<StopReason>) -> BatchReport {
        let batches = results
            .into_iter()
            .enumerate()
            .map(|(index, result)| BatchOutcome {
                index,
                result,
                items: vec![format!("item-{index}")],
                response: None,
                request_id: None,
            })
            .collect();
        BatchReport { operation: "op", batches, not_sent: vec!["later".into()], stopped, invalid: Vec::new() }
    }

    #[test]
    fn a_refusal_that_stopped_the_call_is_its_cause_even_after_another_failure() {
        // Two requests in flight: the first failed with a 503, the second's 403 stopped the call.
        let refused = Some(StopReason::Refused { status: 403 });
        let stopped = report(vec![answer(503), answer(403)], refused);
        match stopped.outcome() {
            Outcome::Stopped { cause: Some(cause), .. } => assert_eq!(cause.status(), Some(403)),
            other => panic!("{other:?}"),
        }
        assert!(stopped.outcome().to_string().starts_with("stopped: Vercel refused a request (HTTP 403)"));
        let err = stopped.into_result().unwrap_err();
        assert!(err.is_auth(), "{err:?}");

        // A stop without a failure: the stop, as its line and as the error.
        let budget = report(vec![Ok(())], Some(StopReason::TimeBudget));
        assert_eq!(budget.outcome().to_string(), "stopped: the time budget ran out");
        let err = budget.into_result().unwrap_err();
        assert!(matches!(err, crate::Error::Request(RequestError::Stopped { reason: StopReason::TimeBudget, .. })));
    }
}
