//! The engine: a call checked, planned and sent (in batches, with retries, paced to the rate
//! limit, within its budget), over progenitor's client. It imports [`crate::types`] only, and
//! the declarations the generated registry fills in ([`spec`]).

pub(crate) mod batch;
pub(crate) mod call;
// The primitives the generated checks and bodies call; which ones a spec uses depends on it.
#[allow(dead_code)]
pub(crate) mod check;
#[allow(dead_code)]
pub(crate) mod convert;
pub(crate) mod credential;
pub(crate) mod rate_limit;
pub(crate) mod spec;
pub(crate) mod tls;
pub(crate) mod transport;
pub(crate) mod value;

use std::sync::Arc;
use std::time::Duration;

use crate::generated::api;
use crate::types::retry::RetryPolicy;
use crate::types::scope::Scope;

/// What a call needs of its client: progenitor's client, the client's settings, and the rate
/// limiter shared by every call and batch of the client and its clones.
#[derive(Clone)]
pub(crate) struct Engine {
    pub(crate) api: api::Client,
    pub(crate) scope: Scope,
    pub(crate) concurrency: usize,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_time: Option<Duration>,
    pub(crate) limiter: Arc<rate_limit::RateLimiter>,
    /// The cap on requests in flight across every call of the client and its clones
    /// (`EdgeCacheBuilder::max_in_flight`), if it has one.
    pub(crate) max_in_flight: Option<Arc<tokio::sync::Semaphore>>,
}

/// The client's settings, each checked here and only here (the builder and every call use it).
pub(crate) mod settings {
    use std::num::NonZeroUsize;
    use std::time::Duration;

    use crate::types::validation::Problem;

    /// Requests in flight (a call's, or the client's cap): at least 1.
    pub(crate) fn concurrency(n: usize) -> Result<NonZeroUsize, Problem> {
        NonZeroUsize::new(n).ok_or_else(|| Problem::BelowMinimum { min: "1".into(), got: "0".into() })
    }

    /// The client-wide cap on requests in flight: at least 1, and at most what tokio's
    /// semaphore, which holds the slots, can count.
    pub(crate) fn max_in_flight(n: usize) -> Result<NonZeroUsize, Problem> {
        let max = tokio::sync::Semaphore::MAX_PERMITS;
        if n > max {
            return Err(Problem::AboveMaximum { max: max.to_string(), got: n.to_string() });
        }
        concurrency(n)
    }

    /// The per-attempt timeout: at least a millisecond.
    pub(crate) fn timeout(t: Duration) -> Result<(), Problem> {
        const MIN: Duration = Duration::from_millis(1);
        if t < MIN { Err(Problem::BelowMinimum { min: format!("{MIN:?}"), got: format!("{t:?}") }) } else { Ok(()) }
    }
}
