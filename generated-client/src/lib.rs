//! A client for Vercel's edge-cache API: invalidate or delete CDN cache entries by cache tag or
//! by source image, from a CMS webhook, a deploy pipeline or a CI job.
//!
//! Generated from a hand-maintained OpenAPI description (`spec/edge-cache.yaml`) by
//! `cargo xtask codegen`, with a small hand-written runtime beside the generated code:
//!
//! - **Checked before sending.** Every rule of the spec (items per request, string lengths, the
//!   deadline's range, enum values, required fields) is checked before a byte is sent; the
//!   error names the field, the limit and what it got: `tags: at most 16 items per request, got 17`.
//! - **Any number of items.** Selections are split into requests of at most the spec's
//!   `maxItems` ([`spec::limits`]), sent a few at a time, and reported batch by batch.
//! - **Retries** on 429, 500, 502, 503, 504, timeouts and connection errors, honouring
//!   `Retry-After`; all four operations are idempotent, so this is safe. See [`RetryPolicy`].
//! - **Typed errors** with the HTTP status and Vercel's `error.code` and `error.message`.
//! - **The token stays secret**: redacted in `Debug`, never in errors or traces, and sent only
//!   over https (plain http to loopback only, for tests).
//! - `tracing` spans per attempt (`edge_cache.request`: operation, status, attempt, elapsed).
//!
//! # Example
//!
//! ```no_run
//! use vercel_edge_cache::{EdgeCache, Error, Target};
//!
//! # async fn run() -> Result<(), Error> {
//! // VERCEL_TOKEN, and VERCEL_API_URL when set.
//! let client = EdgeCache::builder_from_env()?.team_id("team_1a2b3c4d5e6f7g8h9i0j1k2l").build()?;
//!
//! // 40 tags: three requests of at most 16, four at a time.
//! let tags: Vec<String> = (0..40).map(|i| format!("post-{i}")).collect();
//! let report = client
//!     .invalidate_by_tags("my-project", tags)
//!     .target(Target::Production)
//!     .send()
//!     .await?; // Err only if the input broke a rule: then nothing was sent.
//!
//! for batch in report.failures() {
//!     match batch.result.as_ref().unwrap_err() {
//!         Error::Api(e) => eprintln!("HTTP {}: {:?} {:?}", e.status, e.code, e.message),
//!         other => eprintln!("{other}"),
//!     }
//! }
//!
//! // Source images, deleted with a grace period.
//! client
//!     .dangerously_delete_by_src_images("my-project", ["/images/hero.png"])
//!     .revalidation_deadline_seconds(300)
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - [`api`] and [`spec`] are generated (`src/generated/`, never edited by hand): the progenitor
//!   client core, and the spec's tables (limits, auth, statuses) that progenitor leaves out.
//! - Everything else is the hand-written runtime.

#![warn(missing_docs)]

mod batch;
mod client;
mod error;
mod generated;
mod purge;
pub mod retry;
pub mod schema;
mod tls;
mod token;
mod transport;
pub mod validation;

pub use batch::{BatchOutcome, BatchReport};
pub use client::{EdgeCache, EdgeCacheBuilder, Scope, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, USER_AGENT};
pub use error::{ApiError, ConfigError, Error};
pub use generated::{api, spec};
pub use purge::{ByTags, DeleteSrcImages, DeleteTags, Deletes, InvalidateSrcImages, InvalidateTags, Kind, PlannedRequest, Purge, Target};
pub use retry::RetryPolicy;
pub use token::{Token, TokenError};
pub use transport::Transport;
