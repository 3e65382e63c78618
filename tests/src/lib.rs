//! Shared helpers for the mock-server tests of the `vercel-edge-cache` client.
//!
//! The tests in `tests/tests/` check the client from the outside, the way a user sees it: what
//! goes over the wire, and what comes back as a [`BatchReport`] or an [`Error`]. They use
//!
//! - [wiremock] servers (one per test; `MockServer::start` picks a free port, so tests run in
//!   parallel), inspected with [`only_request`], [`query_pairs`] and [`body`];
//! - the crate's own testing kit, `vercel_edge_cache::mock` (feature `mock`), where a test needs
//!   the spec's rules, a rate limit or scripted faults (`tests/mock.rs`, `tests/rate_limit.rs`);
//! - a [`raw`] TCP server for what wiremock cannot do: a body cut short, a reset connection;
//! - [Prism](prism), a mock server generated from `spec/edge-cache.yaml` that validates every
//!   request against the spec.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use vercel_edge_cache::{ApiError, BatchReport, EdgeCache, EdgeCacheBuilder, Error, RequestError, RetryPolicy, Target};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub mod fresh;
pub mod prism;
pub mod raw;
pub mod spec;

/// The token every test client uses. Distinctive, so that a leak is easy to find.
pub const TOKEN: &str = "tok_S3CRET_never_print_me_4f9a";

/// The path of the workspace (the directory holding the root `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The version of the `vercel-edge-cache` package, read from its `Cargo.toml` (not from the
/// library, so that the `User-Agent` check does not trust the code under test).
pub fn client_version() -> String {
    let manifest = workspace_root().join("generated-client/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("read {}: {e}", manifest.display()));
    let package = text.split("[package]").nth(1).expect("a [package] table");
    package
        .lines()
        .find_map(|l| l.trim().strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')))
        .expect("a version line in [package]")
        .to_string()
}

/// `vercel-edge-cache/<version>`.
pub fn expected_user_agent() -> String {
    format!("vercel-edge-cache/{}", client_version())
}

/// A builder aimed at `base_url` with [`TOKEN`], no retries (nor waits after a 429) and a 10 s
/// timeout; tests adjust it.
pub fn builder(base_url: &str) -> EdgeCacheBuilder {
    let no_retries = RetryPolicy { max_retries: 0, max_rate_limit_waits: 0, ..RetryPolicy::default() };
    EdgeCache::builder(TOKEN).base_url(base_url).retry_policy(no_retries).timeout(Duration::from_secs(10))
}

/// A client aimed at `base_url` (see [`builder`]).
pub fn client(base_url: &str) -> EdgeCache {
    builder(base_url).build().expect("a valid client")
}

/// A retry policy with `max_retries` and millisecond backoff, so retry tests stay fast.
pub fn quick_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

/// A retry policy whose backoff is a minute: a test that finishes quickly proves the delay came
/// from `Retry-After`, not from the backoff.
pub fn slow_backoff(max_retries: u32, max_retry_after: Duration) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_secs(60),
        max_backoff: Duration::from_secs(60),
        max_retry_after,
        ..RetryPolicy::default()
    }
}

/// A wiremock server answering 200 with no body to everything.
pub async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    server
}

/// A wiremock server answering every request with `template`.
pub async fn server_answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(template).mount(&server).await;
    server
}

/// Every request the server received.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

/// The one request the server received; fails if it got none or several.
pub async fn only_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request, got {}: {:#?}", all.len(), summaries(&all));
    all.remove(0)
}

/// Asserts the server received nothing at all.
pub async fn assert_nothing_sent(server: &MockServer) {
    let all = requests(server).await;
    assert!(all.is_empty(), "nothing should have been sent, but the server got {}: {:#?}", all.len(), summaries(&all));
}

/// One line per request, for failure messages.
pub fn summaries(requests: &[Request]) -> Vec<String> {
    requests.iter().map(|r| format!("{} {} {}", r.method, r.url, String::from_utf8_lossy(&r.body))).collect()
}

/// The query parameters, decoded, in the order sent.
pub fn query_pairs(request: &Request) -> Vec<(String, String)> {
    request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The query parameters, decoded, by name; fails if a name appears twice.
pub fn query_map(request: &Request) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (k, v) in query_pairs(request) {
        assert!(map.insert(k.clone(), v).is_none(), "query parameter {k} sent twice: {}", request.url);
    }
    map
}

/// Builds the expected query map from pairs.
pub fn expected_query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The request body as JSON; fails if it is not JSON.
pub fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body)
        .unwrap_or_else(|e| panic!("the body is not JSON ({e}): {}", String::from_utf8_lossy(&request.body)))
}

/// A header's value as text, if present.
pub fn header(request: &Request, name: &str) -> Option<String> {
    let all: Vec<_> = request.headers.get_all(name).iter().collect();
    assert!(all.len() <= 1, "header {name} sent {} times", all.len());
    all.first().map(|v| v.to_str().expect("an ASCII header value").to_string())
}

/// Vercel's error body.
pub fn vercel_error(code: &str, message: &str) -> Value {
    json!({ "error": { "code": code, "message": message } })
}

/// A response with `status` and Vercel's error body.
pub fn error_response(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(vercel_error(code, message))
}

/// `n` distinct tags `{prefix}-0` .. `{prefix}-{n-1}`.
pub fn tags(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i}")).collect()
}

/// `n` distinct source images `/images/{prefix}-{i}.png`.
pub fn src_images(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("/images/{prefix}-{i}.png")).collect()
}

/// The error of the only batch of a report; fails if there are several batches or it succeeded.
pub fn only_error(report: &BatchReport) -> &RequestError {
    assert_eq!(report.batches.len(), 1, "expected one batch: {report:#?}");
    report.batches[0].result.as_ref().expect_err("the batch should have failed")
}

/// The [`ApiError`] inside an error; fails with the error shown if it is another kind.
pub fn api_error(error: &RequestError) -> &ApiError {
    match error {
        RequestError::Api(e) => e,
        other => panic!("expected RequestError::Api, got {other:?} ({other})"),
    }
}

/// Asserts the token appears in none of `texts` (each labelled for the failure message).
pub fn assert_no_token(texts: &[(&str, String)]) {
    for (label, text) in texts {
        assert!(!text.contains(TOKEN), "the token leaked into {label}: {text}");
        // Not even its distinctive middle part.
        assert!(!text.contains("S3CRET_never_print_me"), "part of the token leaked into {label}: {text}");
    }
}

/// An operation of the spec that takes a selection, as the spec writes it (read from
/// `spec/edge-cache.yaml` by [`spec`], not taken from the client), for tests that run the same
/// checks on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op(&'static spec::Operation);

impl Op {
    /// Every operation of the spec with a batch field, in spec order.
    pub fn all() -> impl Iterator<Item = Op> {
        spec::operations().iter().filter(|o| o.batch.is_some()).map(Op)
    }

    /// The operation with this operationId (it must take a selection).
    pub fn named(operation_id: &str) -> Op {
        Op::all()
            .find(|o| o.operation_id() == operation_id)
            .unwrap_or_else(|| panic!("the spec has no operation `{operation_id}` with a batch field"))
    }

    fn batch(self) -> &'static spec::Batch {
        self.0.batch.as_ref().expect("Op holds operations with a batch field")
    }

    /// The spec's operationId.
    pub fn operation_id(self) -> &'static str {
        &self.0.operation_id
    }

    /// The path, as the spec writes it.
    pub fn path(self) -> &'static str {
        &self.0.path
    }

    /// The body list: `tags` or `srcImages`.
    pub fn field(self) -> &'static str {
        &self.batch().field
    }

    /// The most items per request in the spec.
    pub fn max_items(self) -> usize {
        self.batch().max_items
    }

    /// Whether the operation takes a `target` (the tag operations).
    pub fn by_tags(self) -> bool {
        self.0.properties.iter().any(|p| p == "target")
    }

    /// Whether the operation takes a deadline (the delete operations).
    pub fn deletes(self) -> bool {
        self.0.properties.iter().any(|p| p == "revalidationDeadlineSeconds")
    }

    /// Whether 402 is a documented status of the operation.
    pub fn documents_402(self) -> bool {
        self.0.statuses.iter().any(|s| s == "402")
    }

    /// `n` items fit for the operation.
    pub fn items(self, n: usize) -> Vec<String> {
        if self.field() == "tags" { tags("tag", n) } else { src_images("img", n) }
    }

    /// Sends `items` with the given options through the client's call of the operation, chosen
    /// by its operationId ([`EdgeCache::operation`]); options it does not take are left out.
    pub async fn send(
        self,
        client: &EdgeCache,
        project: &str,
        items: Vec<String>,
        options: Options,
    ) -> Result<BatchReport, Error> {
        let mut p = client.operation(self.operation_id(), items).expect("an operation of the spec");
        p = p.set("projectIdOrName", project)?;
        let target = options.target.filter(|_| self.by_tags()).map(|t| t.to_string());
        let deadline = options.deadline.filter(|_| self.deletes()).map(|d| d.to_string());
        for (name, value) in [
            ("teamId", options.team_id),
            ("slug", options.slug),
            ("target", target),
            ("revalidationDeadlineSeconds", deadline),
        ] {
            if let Some(value) = value {
                p = p.set(name, &value)?;
            }
        }
        if let Some(c) = options.concurrency {
            p = p.concurrency(c);
        }
        Ok(p.send().await?)
    }

    /// Sends `items` with no options.
    pub async fn send_plain(self, client: &EdgeCache, project: &str, items: Vec<String>) -> Result<BatchReport, Error> {
        self.send(client, project, items, Options::default()).await
    }
}

/// Per-call options for [`Op::send`], set through [`vercel_edge_cache::DynPurge::set`] by wire
/// name; those an operation does not take are left out (the typed setters are tested in
/// `tests/requests.rs`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `target` (tag operations).
    pub target: Option<Target>,
    /// `revalidationDeadlineSeconds` (delete operations).
    pub deadline: Option<i64>,
    /// `teamId`, overriding the client's.
    pub team_id: Option<String>,
    /// `slug`, overriding the client's.
    pub slug: Option<String>,
    /// Requests in flight, overriding the client's.
    pub concurrency: Option<usize>,
}

/// A plain reqwest client for raw requests to loopback servers.
pub fn raw_http_client() -> reqwest::Client {
    reqwest::Client::builder().build().expect("a plain reqwest client")
}
