//! A look-alike of Vercel's edge-cache API for your tests (feature `mock`): a loopback server
//! that serves every operation of the spec, refuses what Vercel would refuse, records every
//! request, and fails on cue.
//!
//! - **Checked like Vercel checks:** the method and path, a bearer token, the required query
//!   parameters, the body's shape, `maxItems`, `maxLength`, enums and ranges. The checks are the
//!   client's own, generated from the spec, so the mock refuses exactly what the client refuses
//!   before sending: a 400 with Vercel's `{"error":{"code","message"}}` body, or a 401 without
//!   a token.
//! - **Recorded:** [`MockVercel::purges`] lists every request as a [`RecordedPurge`], refused
//!   ones too, with the status answered; [`MockVercel::items`] and [`MockVercel::items_for`]
//!   (one project's) flatten the accepted ones across batches. It keeps the newest
//!   [`MockVercel::DEFAULT_MAX_RECORDS`] (or [`MockVercel::max_records`]) and counts the older
//!   ones it dropped ([`MockVercel::dropped`]), so that a long-running mock stays bounded.
//! - **Scripted:** [`Fault`]s for the next requests (a status, `Retry-After`, a dropped
//!   connection), a [`RateLimit`] with `X-RateLimit-*` headers, and latency.
//!
#![doc = include_str!("../generated/mock_example.md")]
//!
//! Outside Rust, `edge-cache mock --port 4000` runs the same server; see the README.

pub(crate) mod inbound;
mod script;
mod server;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use self::script::{Fault, RateLimit};
#[doc(hidden)]
pub use self::server::{CONTROL_ENDPOINTS, CONTROL_PREFIX, ControlEndpoint};
use self::server::{Shared, lock};
use crate::client::operation::Operation;
pub use crate::generated::recorded::RecordedPurge;

/// The mock server. It runs on the tokio runtime that started it, and stops when dropped: it
/// then answers nothing, not even on connections a client keeps alive.
pub struct MockVercel {
    address: SocketAddr,
    shared: Shared,
    task: JoinHandle<()>,
}

impl MockVercel {
    /// How many requests a mock records unless [`MockVercel::max_records`] says otherwise:
    /// 50 000. The oldest are dropped beyond it.
    pub const DEFAULT_MAX_RECORDS: usize = 50_000;

    /// Starts a mock on a free loopback port.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound (as `wiremock::MockServer::start` does); use
    /// [`MockVercel::bind`] to handle that.
    pub async fn start() -> Self {
        let address = SocketAddr::from(([127, 0, 0, 1], 0));
        Self::bind(address).await.unwrap_or_else(|e| panic!("the mock cannot bind {address}: {e}"))
    }

    /// Starts a mock on `address` (port 0 for a free one).
    pub async fn bind(address: SocketAddr) -> std::io::Result<Self> {
        // A test's own reqwest may be built with our reqwest's features (see the crate docs).
        crate::engine::tls::install_default_provider();
        let listener = TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let shared = Shared::default();
        let task = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(Self { address, shared, task })
    }

    /// The base URL, `http://127.0.0.1:<port>`, for [`crate::EdgeCacheBuilder::base_url`].
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Accepts only this token (any non-empty bearer token until then); others get a 401.
    pub fn require_token(&self, token: impl Into<String>) -> &Self {
        lock(&self.shared).token = Some(token.into());
        self
    }

    /// Scripts a fault for the next requests (after any scripted before it).
    ///
    /// ```
    /// # use vercel_edge_cache::mock::{Fault, MockVercel};
    /// # use std::time::Duration;
    /// # async fn doc(vercel: MockVercel) {
    /// vercel.fail_next(Fault::status(429).retry_after(Duration::from_secs(1)));
    /// vercel.fail_next(Fault::status(503).times(2));
    /// vercel.fail_next(Fault::drop_connection());
    /// # }
    /// ```
    pub fn fail_next(&self, fault: Fault) -> &Self {
        lock(&self.shared).script.push(fault);
        self
    }

    /// Rate-limits every request from now on (`None` lifts it).
    pub fn rate_limit(&self, limit: impl Into<Option<RateLimit>>) -> &Self {
        lock(&self.shared).script.set_rate_limit(limit.into());
        self
    }

    /// Waits this long before answering each request.
    pub fn latency(&self, latency: Duration) -> &Self {
        lock(&self.shared).script.latency = latency;
        self
    }

    /// Records at most `n` requests from now on (the newest; [`MockVercel::DEFAULT_MAX_RECORDS`]
    /// until then), dropping the oldest beyond it, now and later, and counting them in
    /// [`MockVercel::dropped`]. The cap stays through [`MockVercel::reset`].
    ///
    /// ```
    /// # use vercel_edge_cache::mock::MockVercel;
    /// # async fn doc() {
    /// let vercel = MockVercel::start().await;
    /// vercel.max_records(1_000_000); // a soak test that reads every purge at the end
    /// # }
    /// ```
    pub fn max_records(&self, n: usize) -> &Self {
        lock(&self.shared).records.set_max(n);
        self
    }

    /// How many requests were dropped from the records, the oldest first, to keep the newest
    /// [`MockVercel::max_records`] (since the start, or the last [`MockVercel::clear`]):
    /// `purges().len() + dropped()` requests were received.
    pub fn dropped(&self) -> u64 {
        lock(&self.shared).records.dropped()
    }

    /// Every request received, in the order they arrived, refused and failed ones too: the newest
    /// [`MockVercel::max_records`] ([`MockVercel::DEFAULT_MAX_RECORDS`] unless set) of them, the
    /// older ones counted in [`MockVercel::dropped`]. The other accessors read these records.
    pub fn purges(&self) -> Vec<RecordedPurge> {
        lock(&self.shared).records.iter().cloned().collect()
    }

    /// The requests that were accepted (answered 2xx), in the order they arrived.
    pub fn accepted(&self) -> Vec<RecordedPurge> {
        self.purges().into_iter().filter(|p| (200..300).contains(&p.status)).collect()
    }

    /// The accepted requests (answered 2xx) of `O`, in the order they arrived: what an operation
    /// without a selection did (`purge_all`, say), or the values its requests carried.
    pub fn accepted_of<O: Operation>(&self) -> Vec<RecordedPurge> {
        self.accepted().into_iter().filter(|p| p.operation == O::INFO.operation_id).collect()
    }

    /// Every item that accepted requests of `O` carried, in the order the requests arrived: what
    /// was purged, across batches. (A client sends batches a few at a time, so compare as sets,
    /// or sorted, unless it sends one at a time.)
    pub fn items<O: Operation>(&self) -> Vec<String> {
        self.items_where::<O>(|_| true)
    }

    /// Like [`MockVercel::items`], for the requests whose first required query parameter (the
    /// call's first argument: the project) is `value`: every tag invalidated for one project.
    ///
    /// ```
    /// # use vercel_edge_cache::mock::MockVercel;
    /// # use vercel_edge_cache::operations::Operation;
    /// # fn doc<O: Operation>(vercel: &MockVercel) {
    /// let purged = vercel.items_for::<O>("my-site");
    /// # }
    /// ```
    pub fn items_for<O: Operation>(&self, value: &str) -> Vec<String> {
        let Some(param) = O::INFO.required().next() else { return self.items::<O>() };
        self.items_where::<O>(|p| p.query(param.name).as_deref() == Some(value))
    }

    /// Like [`MockVercel::items`], for the requests that `filter` keeps: every tag
    /// invalidated for one project and one team, say.
    ///
    /// ```
    /// # use vercel_edge_cache::mock::MockVercel;
    /// # use vercel_edge_cache::operations::Operation;
    /// # fn doc<O: Operation>(vercel: &MockVercel) {
    /// let purged = vercel.items_where::<O>(|p| {
    ///     p.query("projectIdOrName").as_deref() == Some("my-site") && p.query("teamId").as_deref() == Some("team_1")
    /// });
    /// # }
    /// ```
    pub fn items_where<O: Operation>(&self, filter: impl Fn(&RecordedPurge) -> bool) -> Vec<String> {
        self.accepted_of::<O>().into_iter().filter(|p| filter(p)).flat_map(|p| p.items).collect()
    }

    /// Forgets the requests received so far, and the count of those dropped (the script stays).
    pub fn clear(&self) {
        clear(&mut lock(&self.shared));
    }

    /// The most requests of an operation it was answering at once, since the start or the last
    /// [`MockVercel::clear`] (or [`MockVercel::reset`]): what a client's concurrency and
    /// [`EdgeCacheBuilder::max_in_flight`](crate::EdgeCacheBuilder::max_in_flight) came to.
    /// With [`MockVercel::latency`], requests overlap long enough to count.
    pub fn max_in_flight(&self) -> usize {
        lock(&self.shared).max_in_flight
    }

    /// Forgets the scripted faults not yet used.
    pub fn clear_faults(&self) {
        lock(&self.shared).script.clear_faults();
    }

    /// Back to a fresh mock, for the next test: no requests recorded, no faults, no rate limit,
    /// no latency (a required token and [`MockVercel::max_records`] stay).
    pub fn reset(&self) {
        // One lock: a request arriving meanwhile sees the old mock or the fresh one, not a mix.
        let mut state = lock(&self.shared);
        clear(&mut state);
        state.script = Default::default();
    }
}

/// What [`MockVercel::clear`] (and `DELETE /_mock/purges`) forgets.
fn clear(state: &mut server::State) {
    state.records.clear();
    state.max_in_flight = 0;
}

impl std::fmt::Debug for MockVercel {
    // Without the required token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = lock(&self.shared);
        f.debug_struct("MockVercel")
            .field("uri", &self.uri())
            .field("requests", &state.records.len())
            .field("dropped", &state.records.dropped())
            .finish()
    }
}

impl Drop for MockVercel {
    fn drop(&mut self) {
        self.task.abort();
    }
}
