//! Cutting a call short: a time budget for the whole call, and cancellation (the CLI's Ctrl-C).
//! When either fires, no new request is started; requests in flight are abandoned, at once for
//! the budget and after a short grace for a cancellation; every item not confirmed is reported.

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Why a call stopped before every request had an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// Its time budget ([`crate::EdgeCacheBuilder::max_time`], [`crate::Purge::max_time`]) ran out.
    TimeBudget,
    /// Its [`CancellationToken`] was cancelled.
    Cancelled,
    /// Vercel refused a request with an answer no later request would change (401, 402, 403,
    /// 404: see [`RetryPolicy::stop_on_refusal`](crate::RetryPolicy::stop_on_refusal)): a person
    /// must act (a token, a plan, a project) before the rest can be sent.
    Refused {
        /// The status of the refusal.
        status: u16,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::TimeBudget => f.write_str("the time budget ran out"),
            StopReason::Cancelled => f.write_str("cancelled"),
            StopReason::Refused { status } => {
                write!(f, "Vercel refused a request (HTTP {status}), as it would refuse every other")
            }
        }
    }
}

/// How long requests in flight may still finish after a call's [`CancellationToken`] is
/// cancelled ([`crate::Purge::cancel_on`]): 500 ms.
pub const CANCEL_GRACE: Duration = Duration::from_millis(500);

/// The stop conditions of one call.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stop {
    pub(crate) deadline: Option<Instant>,
    pub(crate) cancel: Option<CancellationToken>,
}

impl Stop {
    /// Why the call must not start anything new, if it must not.
    pub(crate) fn reason(&self) -> Option<StopReason> {
        if self.cancel.as_ref().is_some_and(CancellationToken::is_cancelled) {
            return Some(StopReason::Cancelled);
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Some(StopReason::TimeBudget);
        }
        None
    }

    /// Resolves when requests in flight must be abandoned: at the deadline, or a grace after a
    /// cancellation. Never, with neither.
    pub(crate) async fn abandon(&self) -> StopReason {
        let deadline = async {
            match self.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        let cancelled = async {
            match &self.cancel {
                Some(c) => {
                    c.cancelled().await;
                    tokio::time::sleep(CANCEL_GRACE).await;
                }
                None => std::future::pending().await,
            }
        };
        let (deadline, cancelled) = (std::pin::pin!(deadline), std::pin::pin!(cancelled));
        match futures_util::future::select(deadline, cancelled).await {
            futures_util::future::Either::Left(_) => StopReason::TimeBudget,
            futures_util::future::Either::Right(_) => StopReason::Cancelled,
        }
    }
}
