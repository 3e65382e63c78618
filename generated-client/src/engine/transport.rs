//! Sending one batch: attempts through progenitor's builder, retries, one tracing span per
//! attempt, and every outcome mapped to [`Error`].
//!
//! The retry loop lives here, outside progenitor's builder: each attempt builds its request
//! anew, and the attempt count and last status are plain local state.

use std::future::Future;
use std::time::{Duration, Instant};

use tracing::Instrument;

use crate::engine::Engine;
use crate::engine::rate_limit::{RateHeaders, Track};
use crate::types::error::{ApiError, RequestError, WaitLimit, excerpt};
use crate::types::operation::OperationInfo;
use crate::types::retry::is_retryable_status;

/// The target of this module's traces (what `RUST_LOG=vercel_edge_cache::transport=debug` selects), kept
/// as documented when the module moved.
const TRACE_TARGET: &str = "vercel_edge_cache::transport";

/// How long an excerpt of a non-JSON error body is, in characters.
const EXCERPT_CHARS: usize = 200;

/// The most bytes of an error body kept; the rest is not read (Vercel's error bodies are small).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A request's successful answer: its JSON body, if it had one, and Vercel's request ID.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub(crate) body: Option<serde_json::Value>,
    pub(crate) request_id: Option<String>,
}

/// What one attempt came to.
enum Attempt {
    Done(Option<serde_json::Value>),
    Failed { failure: Failure, retryable: bool },
}

/// Why an attempt failed.
enum Failure {
    Status { status: u16, body: Vec<u8> },
    BodyCut { status: u16, message: String },
    Timeout,
    Connection(String),
    Request(String),
}

/// An attempt's result, as progenitor's builder gave it (read by [`Reply::of`], in
/// [`sending`]), before the transport reads it.
pub enum Reply {
    /// A success: its status, rate-limit headers and JSON body (`None` without one).
    Answer { status: u16, rate: RateHeaders, body: Option<serde_json::Value> },
    /// An error status whose body is still to be read.
    Refused(reqwest::Response),
    /// An error status whose body progenitor has read already.
    Status { status: u16, rate: RateHeaders },
    /// A success whose body does not parse as the spec says.
    Unparsable(String),
    /// No response: a timeout, a connection refused or reset, a body cut short.
    Io(reqwest::Error),
    /// The request could not be built.
    Unsendable(String),
}

impl Reply {
    /// Reads progenitor's result of one attempt.
    pub(crate) fn of<T: serde::Serialize, E>(
        result: Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
    ) -> Self {
        use progenitor_client::Error as P;
        match result {
            Ok(r) => {
                let (status, rate) = (r.status().as_u16(), RateHeaders::of(r.headers()));
                // progenitor's typed body, kept as JSON for the report (`()`, no body, is null).
                let body = serde_json::to_value(r.into_inner()).ok().filter(|v| !v.is_null());
                Reply::Answer { status, rate, body }
            }
            Err(P::UnexpectedResponse(response)) if response.status().is_success() => Reply::Answer {
                status: response.status().as_u16(),
                rate: RateHeaders::of(response.headers()),
                body: None,
            },
            Err(P::UnexpectedResponse(response)) => Reply::Refused(response),
            Err(P::ErrorResponse(rv)) => {
                Reply::Status { status: rv.status().as_u16(), rate: RateHeaders::of(rv.headers()) }
            }
            Err(P::InvalidResponsePayload(bytes, e)) => {
                Reply::Unparsable(format!("the response body does not parse: {e}: {}", excerpt(&bytes, EXCERPT_CHARS)))
            }
            Err(P::CommunicationError(e)) | Err(P::ResponseBodyError(e)) | Err(P::InvalidUpgrade(e)) => Reply::Io(e),
            Err(P::InvalidRequest(message)) | Err(P::Custom(message)) => Reply::Unsendable(message),
        }
    }
}

/// One attempt in flight.
pub type Sending<'a> = std::pin::Pin<Box<dyn Future<Output = Reply> + Send + 'a>>;

/// An attempt, from the future of progenitor's `send()`.
pub fn sending<'a, T, E>(
    attempt: impl Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>> + Send + 'a,
) -> Sending<'a>
where
    T: serde::Serialize + 'a,
    E: 'a,
{
    Box::pin(async move { Reply::of(attempt.await) })
}

/// An attempt that cannot be made: the body could not be built (the spec and progenitor's types
/// disagree; the checks make this unreachable for input they accept).
pub fn unsendable<'a>(message: String) -> Sending<'a> {
    Box::pin(std::future::ready(Reply::Unsendable(message)))
}

/// Sends one batch, and gives back the JSON body of its successful answer, if it had one:
/// `attempt()` starts an attempt, and failed attempts are retried per the client's
/// [`RetryPolicy`](crate::RetryPolicy). Every attempt first waits for the rate limit; a 429
/// that says when to come back holds every request of the client for as long as it says, and
/// is sent again without using up the retries meant for transient failures. Waits are bounded
/// (see [`RetryPolicy`](crate::RetryPolicy)); what the request meets of the rate limit is kept
/// in `track`.
pub(crate) async fn call<'a, F>(
    info: &'static OperationInfo,
    client: &Engine,
    track: &Track,
    mut attempt: F,
) -> Result<Answer, RequestError>
where
    F: FnMut() -> Sending<'a>,
{
    let (policy, limiter, slots) = (&client.retry, &client.limiter, client.max_in_flight.as_deref());
    let operation = info.operation_id;
    // `n` counts attempts against `max_retries`; 429s are counted apart.
    let mut n = 1u32;
    let mut limited = 0u32;
    // The last 429, for the error when the waits end.
    let mut last_429: Option<ApiError> = None;
    let rate_limited = |answer: Option<ApiError>, limit: WaitLimit| RequestError::RateLimited {
        operation,
        answer,
        limit,
        waits: track.snapshot(),
    };
    loop {
        // A slot of the client's cap on requests in flight, for this attempt only (not for the
        // backoff between attempts); taken before the rate limiter counts it as sent. The
        // semaphore is never closed.
        let slot = if let Some(slots) = slots { slots.acquire().await.ok() } else { None };
        let permit = if policy.pace_to_rate_limit {
            Some(limiter.acquire(operation, track).await.map_err(|limit| rate_limited(last_429.take(), limit))?)
        } else {
            None
        };
        // One span per attempt; its events say what was decided (done, a 429's wait, a retry's
        // delay, the failure). It holds no query value (none is secret: the project, the team
        // and its slug; they stay out all the same) and no request header: the token cannot
        // reach it. The response's rate-limit headers are shown as they came, escaped.
        let span = tracing::info_span!(
            target: TRACE_TARGET,
            "edge_cache.request",
            operation,
            method = info.method,
            path = info.path,
            attempt = n + limited,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
            "x-ratelimit-limit" = tracing::field::Empty,
            "x-ratelimit-remaining" = tracing::field::Empty,
            "x-ratelimit-reset" = tracing::field::Empty,
            "retry-after" = tracing::field::Empty,
            "date" = tracing::field::Empty,
            "x-vercel-id" = tracing::field::Empty,
        );
        // The clock is read for the span only: no subscriber, no reading.
        let traced = !span.is_disabled();
        let started = traced.then(Instant::now);
        let (status, rate, outcome) = run(attempt(), info.idempotent).instrument(span.clone()).await;
        if traced {
            span.record("elapsed_ms", started.map_or(0, |s| s.elapsed().as_millis() as u64));
            if let Some(status) = status {
                span.record("status", status);
            }
            for (header, value) in rate.iter().flat_map(RateHeaders::shown) {
                span.record(header, value.as_str());
            }
        }
        if let (Some(rate), Some(status)) = (&rate, status)
            && policy.pace_to_rate_limit
        {
            limiter.observe(rate, status);
        }
        drop((permit, slot));
        let asked = (status == Some(429)).then(|| rate.as_ref().and_then(RateHeaders::wait_after_429));
        if let (Some(asked), Attempt::Failed { failure, .. }) = (asked, &outcome) {
            track.answered_429(asked);
            last_429 = failure.api_error(operation, n + limited, rate.as_ref());
            // A 429 that says when to come back is waited out apart from the retries; one that
            // does not, or with the waits off (`max_rate_limit_waits: 0`), is a transient failure
            // like a 503 (retried with the backoff, below). A wait beyond the cap is refused
            // either way.
            if let Some(asked) = asked {
                let allowed = limiter.limits.allow(asked.wait, asked, track.waited());
                if let Err(limit @ WaitLimit::MaxRetryAfter { .. }) = allowed {
                    let limit = if policy.pace_to_rate_limit { limiter.block(asked) } else { limit };
                    span.in_scope(|| {
                        tracing::warn!(target: TRACE_TARGET, wait_s = asked.wait.as_secs(), "rate limited (429): wait too long")
                    });
                    return Err(rate_limited(last_429, limit));
                }
                let max = policy.max_rate_limit_waits;
                if max > 0 && limited >= max {
                    return Err(rate_limited(last_429, WaitLimit::MaxRateLimitWaits { max }));
                }
                if max > 0 {
                    span.in_scope(|| {
                        tracing::info!(
                            target: TRACE_TARGET,
                            wait_ms = asked.wait.as_millis() as u64,
                            "rate limited (429): holding requests, then sending again"
                        )
                    });
                    if policy.pace_to_rate_limit {
                        limiter.hold(asked);
                    } else {
                        // Unpaced, the limiter holds nobody: this request waits on its own.
                        if let Err(limit) = allowed {
                            return Err(rate_limited(last_429, limit));
                        }
                        track.hold(Some(asked));
                        tokio::time::sleep(asked.wait).await;
                        track.held(asked.wait);
                    }
                    limited += 1;
                    continue;
                }
            }
        }
        match outcome {
            Attempt::Done(body) => {
                span.in_scope(|| tracing::debug!(target: TRACE_TARGET, "done"));
                return Ok(Answer { body, request_id: rate.as_ref().and_then(RateHeaders::request_id) });
            }
            Attempt::Failed { retryable: true, .. } if n <= policy.max_retries => {}
            Attempt::Failed { failure, .. } => {
                let error = failure.into_error(operation, client.timeout, n + limited, rate.as_ref());
                // `error` shows the server's text escaped (its `Display`).
                if error.api().is_some() {
                    span.in_scope(|| tracing::info!(target: TRACE_TARGET, error = %error, "request failed"));
                } else {
                    span.in_scope(|| tracing::warn!(target: TRACE_TARGET, error = %error, "request failed"));
                }
                return Err(error);
            }
        };
        let delay = policy.delay(n, rate.as_ref().and_then(RateHeaders::retry_after).map(|a| a.wait));
        span.in_scope(|| tracing::info!(target: TRACE_TARGET, delay_ms = delay.as_millis() as u64, "retrying"));
        tokio::time::sleep(delay).await;
        n += 1;
    }
}

/// Runs one attempt: its status and rate-limit headers, if a response came, and what it came to.
/// A failure is worth another attempt when the request surely had no effect (429, a connection
/// never made), or when the operation is idempotent and it may have (5xx, a timeout, a reset, a
/// body cut short).
async fn run(sending: Sending<'_>, idempotent: bool) -> (Option<u16>, Option<RateHeaders>, Attempt) {
    let failed = |failure, retryable| Attempt::Failed { failure, retryable };
    match sending.await {
        Reply::Answer { status, rate, body } => (Some(status), Some(rate), Attempt::Done(body)),
        Reply::Refused(response) => {
            let status = response.status().as_u16();
            let rate = RateHeaders::of(response.headers());
            let (failure, retryable) = match read_bounded(response).await {
                Ok(body) => (Failure::Status { status, body }, status_retryable(status, idempotent)),
                // A body cut short: the status is known, the attempt failed on the way.
                Err(e) => (Failure::BodyCut { status, message: error_chain(&e) }, idempotent),
            };
            (Some(status), Some(rate), failed(failure, retryable))
        }
        Reply::Status { status, rate } => {
            let retryable = status_retryable(status, idempotent);
            (Some(status), Some(rate), failed(Failure::Status { status, body: Vec::new() }, retryable))
        }
        Reply::Unparsable(message) => (None, None, failed(Failure::Request(message), false)),
        Reply::Io(e) => {
            let retryable = e.is_connect() || idempotent && is_transient(&e);
            let failure = if e.is_timeout() { Failure::Timeout } else { Failure::Connection(error_chain(&e)) };
            (None, None, failed(failure, retryable))
        }
        Reply::Unsendable(message) => (None, None, failed(Failure::Request(message), false)),
    }
}

impl Failure {
    /// The API's answer, when the failure is an error status.
    fn api_error(&self, operation: &'static str, attempts: u32, rate: Option<&RateHeaders>) -> Option<ApiError> {
        match self {
            Failure::Status { status, body } => Some(api_error(operation, *status, body, attempts, rate)),
            _ => None,
        }
    }

    fn into_error(
        self,
        operation: &'static str,
        timeout: Duration,
        attempts: u32,
        rate: Option<&RateHeaders>,
    ) -> RequestError {
        match self {
            Failure::Status { status, body } => RequestError::of(api_error(operation, status, &body, attempts, rate)),
            Failure::BodyCut { status, message } => RequestError::InvalidResponse { operation, status, message },
            Failure::Timeout => RequestError::Timeout { operation, timeout, attempts },
            Failure::Connection(message) => RequestError::Connection { operation, message, attempts },
            Failure::Request(message) => RequestError::Unsendable { operation, message },
        }
    }
}

/// An error status and its body as the API's answer: Vercel's code and message, or an excerpt.
fn api_error(operation: &'static str, status: u16, body: &[u8], attempts: u32, rate: Option<&RateHeaders>) -> ApiError {
    let (code, message) = parse_error_body(body);
    let body_excerpt = (code.is_none() && message.is_none()).then(|| excerpt(body, EXCERPT_CHARS));
    let request_id = rate.and_then(RateHeaders::request_id);
    ApiError { operation, status, code, message, body_excerpt, attempts, request_id }
}

/// Reads a response's body, up to [`MAX_ERROR_BODY`] bytes.
async fn read_bounded(mut response: reqwest::Response) -> reqwest::Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_ERROR_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == MAX_ERROR_BODY {
            break;
        }
    }
    Ok(body)
}

/// Whether an error status is worth another attempt: a 429 always (it did nothing), a transient
/// 5xx only for an idempotent operation.
fn status_retryable(status: u16, idempotent: bool) -> bool {
    status == 429 || idempotent && is_retryable_status(status)
}

fn is_transient(e: &reqwest::Error) -> bool {
    e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() || e.is_decode()
}

/// An error and its sources on one line, without the URL.
fn error_chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    if let Some(i) = out.find(" for url (") {
        out.truncate(i);
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Vercel's `{"error": {"code", "message"}}`, leniently: either field may be missing, and any
/// status may carry it (Vercel's published description gives error responses no schema).
fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else { return (None, None) };
    let error = &value["error"];
    let field = |name: &str| error.get(name).and_then(|v| v.as_str()).map(str::to_string);
    (field("code"), field("message"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::EdgeCache;

    /// A span's name and its fields as text.
    type SpanRecord = (String, Vec<(String, String)>);

    /// Records every span's and event's fields as text.
    #[derive(Clone, Default)]
    struct Recorder {
        spans: Arc<Mutex<BTreeMap<u64, SpanRecord>>>,
        events: Arc<Mutex<Vec<String>>>,
        next: Arc<Mutex<u64>>,
        /// The fields each span declares, by the span's name.
        declared: Arc<Mutex<BTreeMap<String, Vec<String>>>>,
        /// The spans entered and not yet exited (the test runs on one thread).
        entered: Arc<Mutex<Vec<u64>>>,
        /// Each span's parent: the span entered when it was made.
        parents: Arc<Mutex<BTreeMap<u64, Option<u64>>>>,
    }

    struct Fields<'a>(&'a mut Vec<(String, String)>);
    impl tracing::field::Visit for Fields<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push((field.name().to_string(), format!("{value:?}")));
        }
    }

    impl tracing::Subscriber for Recorder {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            let mut next = self.next.lock().unwrap();
            *next += 1;
            let mut fields = Vec::new();
            span.record(&mut Fields(&mut fields));
            let declared = span.metadata().fields().iter().map(|f| f.name().to_string()).collect();
            self.declared.lock().unwrap().insert(span.metadata().name().to_string(), declared);
            let parent = span.parent().map(|p| p.into_u64()).or_else(|| self.entered.lock().unwrap().last().copied());
            self.parents.lock().unwrap().insert(*next, parent);
            self.spans.lock().unwrap().insert(*next, (span.metadata().name().to_string(), fields));
            tracing::span::Id::from_u64(*next)
        }
        fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
            if let Some((_, fields)) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
                values.record(&mut Fields(fields));
            }
        }
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut fields = Vec::new();
            event.record(&mut Fields(&mut fields));
            self.events.lock().unwrap().push(format!("{fields:?}"));
        }
        fn enter(&self, span: &tracing::span::Id) {
            self.entered.lock().unwrap().push(span.into_u64());
        }
        fn exit(&self, _: &tracing::span::Id) {
            self.entered.lock().unwrap().pop();
        }
    }

    /// A loopback server answering each connection's requests with the next status in `statuses`.
    /// A server answering `statuses` in turn (then 200), a 200 with `success` as its JSON body.
    async fn server(statuses: Vec<u16>, success: &'static str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut statuses = statuses.into_iter();
            while let Ok((mut sock, _)) = listener.accept().await {
                let mut buf = vec![0u8; 65536];
                let mut got = Vec::new();
                loop {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len: usize = text
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap())
                            })
                            .unwrap_or(0);
                        if got.len() >= end + 4 + len {
                            let status = statuses.next().unwrap_or(200);
                            let body = if status == 200 { success } else { "" };
                            let reply = format!(
                                "HTTP/1.1 {status} X\r\nretry-after: 0\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = sock.write_all(reply.as_bytes()).await;
                            break;
                        }
                    }
                }
            }
        });
        format!("http://{addr}")
    }

    #[test]
    fn one_span_per_attempt_with_operation_status_attempt_and_elapsed_and_never_the_token() {
        let recorder = Recorder::default();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let info = EdgeCache::operations().next().expect("an operation");
        tracing::subscriber::with_default(recorder.clone(), || {
            runtime.block_on(async {
                // A success answers what the spec says of it (the testing kit's body).
                let spec =
                    crate::generated::spec::API.operations.iter().find(|s| s.info.operation_id == info.operation_id);
                let url = server(vec![429, 200], spec.and_then(|s| s.success_body).unwrap_or("")).await;
                let client = EdgeCache::builder("tok-SECRET-42").base_url(url).build().unwrap();
                let call =
                    crate::client::purge::tests::call(&client, info, crate::client::purge::tests::items(info), "prj");
                let report = call.send().await.unwrap();
                assert!(report.is_success());
            })
        });
        let spans = recorder.spans.lock().unwrap();
        let requests: Vec<&Vec<(String, String)>> =
            spans.values().filter(|(name, _)| name == "edge_cache.request").map(|(_, f)| f).collect();
        assert_eq!(requests.len(), 2, "one span per attempt: {spans:?}");
        let get = |f: &Vec<(String, String)>, k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        for (i, f) in requests.iter().enumerate() {
            let expected = format!("{:?}", EdgeCache::operations().next().unwrap().operation_id);
            assert_eq!(get(f, "operation"), Some(expected));
            assert_eq!(get(f, "attempt"), Some((i + 1).to_string()));
            assert!(get(f, "elapsed_ms").is_some());
        }
        assert_eq!(get(requests[0], "status").as_deref(), Some("429"));
        assert_eq!(get(requests[1], "status").as_deref(), Some("200"));
        // The rate-limit headers read, as the server sent them; the span has a field for each.
        assert_eq!(get(requests[0], "retry-after").as_deref(), Some("\"0\""));
        let declared = recorder.declared.lock().unwrap()["edge_cache.request"].clone();
        for header in crate::engine::rate_limit::SHOWN {
            assert!(declared.iter().any(|f| f == header), "no field {header} in {declared:?}");
        }
        // Both attempts ran in their batch's span.
        let batches: Vec<(&u64, &Vec<(String, String)>)> =
            spans.iter().filter(|(_, (name, _))| name == "edge_cache.batch").map(|(id, (_, f))| (id, f)).collect();
        assert_eq!(batches.len(), 1, "{spans:?}");
        let (batch, fields) = batches[0];
        assert_eq!(get(fields, "index").as_deref(), Some("0"));
        assert_eq!(get(fields, "items"), Some(crate::client::purge::tests::items(info).len().to_string()));
        let parents = recorder.parents.lock().unwrap();
        for (id, (name, _)) in spans.iter().filter(|(_, (name, _))| name == "edge_cache.request") {
            assert_eq!(parents[id], Some(*batch), "{name} {id} is not in its batch's span");
        }
        let everything = format!("{spans:?} {:?}", recorder.events.lock().unwrap());
        assert!(!everything.contains("SECRET"), "the token leaked into tracing: {everything}");
        assert!(everything.contains("rate limited (429)"), "the 429 and the wait are logged: {everything}");
    }
}
