//! A client for Vercel's edge-cache API: invalidate or delete CDN cache entries by cache tag or
//! by source image, purge a project's whole CDN cache, or delete an immutable static file, from
//! a CMS webhook, a deploy pipeline or a CI job.
//!
//! Its calls, their checks and their types are generated from an OpenAPI description of Vercel's
//! endpoints, so that they follow the API's rules exactly:
//!
//! - **Checked before sending.** Every rule of the spec (string lengths, the deadline's range,
//!   enum values, required fields, the fewest items) is checked on the whole selection before a
//!   byte is sent; the error names the field, the limit and what it got:
//!   `tags[37]: at most 256 characters, got 300`.
//! - **Any number of items.** Selections are split into requests of at most the spec's
//!   `maxItems` ([`operations::OperationInfo::max_items`]), sent a few at a time, and reported
//!   request by request ([`BatchReport`]). An operation that takes no selection (purging the
//!   whole cache) is one request, with the same checks, retries and report.
//! - **Retries** on 429, 500, 502, 503, 504, timeouts and connection errors, honouring
//!   `Retry-After`; 5xx and timeouts only for operations the spec declares idempotent, as it does
//!   every edge-cache operation. See [`RetryPolicy`].
//! - **Paced to Vercel's rate limit**, and **every wait bounded**: requests are held while the
//!   window is spent (`X-RateLimit-*`) rather than sent to be refused; a wait beyond
//!   [`RetryPolicy::max_retry_after`] (60 s) is not waited but fails at once
//!   ([`RequestError::RateLimited`], naming the wait and the setting); one request waits at most
//!   [`RetryPolicy::max_rate_limit_wait`] (120 s) in all; nonsense headers are ignored; a call
//!   cut short says what its requests were waiting on ([`RequestError::rate_limit`]). Clients
//!   that share a token (processes, hosts) see each other in `X-RateLimit-Remaining` and keep to
//!   their share of the limit ([`RetryPolicy::adaptive_rate`]).
//! - **Typed errors**, one per situation: [`ValidationError`] before sending, [`ConfigError`]
//!   building the client, [`RequestError`] for a failed request (with Vercel's `error.code` and
//!   `error.message` in [`ApiError`]; [`RequestError::ChallengeRequired`] when Vercel asks the
//!   user to log in again), and [`Error`] for any of them.
//! - **The token stays secret**: redacted in `Debug`, never in errors or traces, and sent only
//!   over https (plain http to loopback only, for tests).
//! - **Server text is data**: Vercel's `error.code` and `error.message` are kept exact in
//!   [`ApiError`]'s fields, and every error's `Display` escapes the control characters in them
//!   (`\u{1b}` for ESC), so that printing an error cannot act on a terminal.
//! - `tracing`: a span per batch (`edge_cache.batch`: `index`, `batches`, `items`) and per attempt
//!   (`edge_cache.request`: `operation`, `method`, `path`, `attempt`, `status`, `elapsed_ms`, and
//!   the rate-limit headers read, `x-ratelimit-limit`, `x-ratelimit-remaining`,
//!   `x-ratelimit-reset`, `retry-after` and `date`, as sent, escaped); one event per attempt says
//!   what became of it: `done` (DEBUG), a 429 waited out or a retry (INFO, with the wait), a
//!   failure (INFO for an error status, WARN otherwise); the rate limiter's holds are INFO events.
//!   None holds the token, a request header or a query value. The crate installs no subscriber
//!   (the CLI's `--debug` does).
//! - **A testing kit** (feature `mock`, off by default): [`mock::MockVercel`], a loopback
//!   look-alike of Vercel's API that refuses what the spec forbids, records every purge and
//!   fails on cue, for your service's own tests.
//!
//! Each operation is an [`EdgeCache`] method (listed in [`operations`]) with typed setters; the
//! enums they take are at the crate root. [`api`] is the low-level client, for what the calls do
//! not cover.
//!
#![doc = include_str!("generated/example.md")]
//!
//! # TLS, and your own reqwest
//!
//! TLS is reqwest's own default: rustls with aws-lc-rs (whose key exchange includes the
//! post-quantum X25519MLKEM768) and the platform's trust store; no OpenSSL. A reqwest of your own
//! in the same build, with or without TLS features, works as it would without this crate.
//!
//! For builds that cannot compile aws-lc (it needs a C compiler), the `ring` feature uses rustls
//! with *ring* instead: `default-features = false, features = ["ring"]`. *ring* has no
//! post-quantum key exchange, and rustls deprecates its *ring* provider; with it, this crate's
//! reqwest has no provider of its own, so building an [`EdgeCache`] (or starting a
//! `mock::MockVercel`) installs *ring* as rustls's process-wide default provider when none is
//! installed yet, for a reqwest client of yours built after.

#![warn(missing_docs)]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind `mock` say so there.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The layers, lowest first: types (what calls take and give), engine (what sends them), client
// (what users hold), mock (the testing kit), contract (what the generated code calls). A module
// imports only its own layer and lower ones (generator/tests/contract.rs checks it).
mod client;
mod engine;
mod types;
// What the generated code may use; which parts a spec uses depends on it.
#[allow(dead_code)]
mod contract;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
// Generated by `cargo xtask codegen` and formatted by prettyplease: rustfmt leaves it alone.
#[rustfmt::skip]
mod generated;

pub use client::purge::{AnyOperation, DynPurge, Purge};
pub use client::{EdgeCache, EdgeCacheBuilder};
pub use generated::api;
pub use generated::operations::setter_types::*;
pub use tokio_util::sync::CancellationToken;
pub use types::error::{ApiError, AskedWait, ConfigError, Error, RateLimitWaits, RequestError, WaitLimit};
pub use types::report::{BatchOutcome, BatchReport, InvalidItem, Outcome, PlannedRequest, Progress};
pub use types::retry::RetryPolicy;
pub use types::scope::Scope;
pub use types::stop::{CANCEL_GRACE, StopReason};
pub use types::token::TokenError;
pub use types::validation::{Problem, ValidationError};

/// The operations of the spec: one marker type each (the type parameter
/// of its [`Purge`] and of the testing kit's queries), and what describes them.
///
/// Each marker's [`EdgeCache`] method starts a call; [`EdgeCache::operations`] lists their
/// [`OperationInfo`](operations::OperationInfo)s, for calls chosen at run time.
pub mod operations {
    pub use crate::client::operation::Operation;
    pub use crate::generated::operations::*;
    pub use crate::types::operation::{Field, Kind, OperationInfo, Place};
}

/// The crate's README (its page on crates.io, inside the package), compiled as doc tests; its
/// testing example needs feature `mock`.
#[cfg(all(doctest, feature = "mock"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
