//! The transport under the generated client: retries, per-attempt tracing spans, error bodies.
//!
//! progenitor generates the request builders with `HooksMode::Expected`; this module supplies
//! the `exec` hook they call, so every generated operation gets the same retry policy and spans.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use tracing::Instrument;

use crate::error::{ApiError, Error, excerpt};
use crate::generated::api;
use crate::retry::{RetryPolicy, parse_retry_after};
use crate::schema::Operation;

/// The runtime state the generated `Client` carries: how to retry.
#[derive(Debug, Clone)]
pub struct Transport {
    pub(crate) retry: RetryPolicy,
}

/// How long an excerpt of a non-JSON error body is, in characters.
const EXCERPT_CHARS: usize = 200;

tokio::task_local! {
    /// What the `exec` hook learnt about the call in progress.
    static CALL: CallState;
}

struct CallState {
    operation: &'static str,
    attempts: Cell<u32>,
    status: Cell<Option<u16>>,
}

impl ClientHooks<Transport> for api::Client {
    async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        let policy = &self.inner().retry;
        let operation = CALL.try_with(|c| c.operation).unwrap_or(info.operation_id);
        let mut attempt = 1u32;
        let mut request = Some(request);
        loop {
            let original = request.take().expect("kept for retries");
            // The last possible attempt sends the request itself; earlier ones send a copy.
            let this_attempt = if attempt > policy.max_retries {
                original
            } else {
                match original.try_clone() {
                    Some(copy) => {
                        request = Some(original);
                        copy
                    }
                    // A streaming body cannot be replayed; send it once.
                    None => return self.client().execute(original).await,
                }
            };
            let span = tracing::info_span!(
                "edge_cache.request",
                operation,
                method = %this_attempt.method(),
                path = this_attempt.url().path(),
                attempt,
                status = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            );
            let started = Instant::now();
            let _ = CALL.try_with(|c| {
                c.attempts.set(attempt);
                c.status.set(None);
            });
            let result = async {
                let response = self.client().execute(this_attempt).await?;
                let _ = CALL.try_with(|c| c.status.set(Some(response.status().as_u16())));
                if response.status().is_success() { Ok(response) } else { buffer(response).await }
            }
            .instrument(span.clone())
            .await;
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            let (retryable, retry_after) = match &result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    span.record("status", status);
                    let after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    (policy.is_retryable_status(status), after)
                }
                Err(e) => (is_transient(e), None),
            };
            if retryable && attempt <= policy.max_retries {
                let delay = policy.delay(attempt, retry_after);
                span.in_scope(|| tracing::info!(delay_ms = delay.as_millis() as u64, "retrying"));
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            if let Err(e) = &result {
                span.in_scope(|| tracing::warn!(error = %e.without_url_ref(), "request failed"));
            }
            return result;
        }
    }
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        error_chain(self)
    }
}

/// The most bytes of an error body kept; the rest is not read (Vercel's error bodies are small).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Reads an error response's body now (up to [`MAX_ERROR_BODY`]), so that a body cut short
/// counts as a failed attempt and the status stays known.
async fn buffer(mut response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_ERROR_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == MAX_ERROR_BODY {
            break;
        }
    }
    let mut rebuilt = http::Response::new(bytes::Bytes::from(body));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    rebuilt.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
    Ok(reqwest::Response::from(rebuilt))
}

fn is_transient(e: &reqwest::Error) -> bool {
    e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() || e.is_decode()
}

/// An error and its sources on one line, without the URL.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = match e.downcast_ref::<reqwest::Error>() {
        Some(r) => {
            let mut s = r.to_string();
            if let Some(i) = s.find(" for url (") {
                s.truncate(i);
            }
            s
        }
        None => e.to_string(),
    };
    let mut source = e.source();
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

/// Runs one generated operation and maps its outcome to [`Error`].
pub(crate) async fn call<F>(op: &'static Operation, timeout: Duration, send: F) -> Result<(), Error>
where
    F: Future<Output = Result<ResponseValue<()>, progenitor_client::Error<api::types::Error>>>,
{
    let state = CallState { operation: op.operation_id, attempts: Cell::new(0), status: Cell::new(None) };
    let (result, attempts, status) = CALL
        .scope(state, async {
            let result = send.await;
            let (attempts, status) = CALL.with(|c| (c.attempts.get(), c.status.get()));
            (result, attempts, status)
        })
        .await;
    let operation = op.operation_id;
    let api_error = |status: u16, body: &[u8]| {
        let (code, message) = if op.error_is_typed(status) { parse_error_body(body) } else { (None, None) };
        let body_excerpt = (code.is_none() && message.is_none()).then(|| excerpt(body, EXCERPT_CHARS));
        Error::Api(ApiError { operation, status, code, message, body_excerpt, attempts })
    };
    use progenitor_client::Error as P;
    match result {
        Ok(_) => Ok(()),
        Err(P::ErrorResponse(rv)) => {
            let status = rv.status().as_u16();
            let body = rv.into_inner();
            Err(Error::Api(ApiError {
                operation,
                status,
                code: Some(body.error.code),
                message: Some(body.error.message),
                body_excerpt: None,
                attempts,
            }))
        }
        Err(P::InvalidResponsePayload(bytes, _)) => Err(api_error(status.unwrap_or(0), &bytes)),
        Err(P::UnexpectedResponse(response)) => {
            let status = response.status().as_u16();
            if response.status().is_success() {
                return Ok(());
            }
            match response.bytes().await {
                Ok(body) => Err(api_error(status, &body)),
                Err(e) => Err(Error::InvalidResponse { operation, status, message: error_chain(&e) }),
            }
        }
        Err(P::CommunicationError(e)) | Err(P::ResponseBodyError(e)) | Err(P::InvalidUpgrade(e)) => Err(match status {
            Some(status) => Error::InvalidResponse { operation, status, message: error_chain(&e) },
            None if e.is_timeout() => Error::Timeout { operation, timeout, attempts },
            None => Error::Connection { operation, message: error_chain(&e), attempts },
        }),
        Err(P::InvalidRequest(message)) | Err(P::Custom(message)) => Err(Error::Request { operation, message }),
    }
}

/// Vercel's `{"error": {"code", "message"}}`, leniently: either field may be missing.
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
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    /// A loopback server answering each connection's requests with the next status in `statuses`.
    async fn server(statuses: Vec<u16>) -> String {
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
                            let reply = format!(
                                "HTTP/1.1 {status} X\r\nretry-after: 0\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
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
        tracing::subscriber::with_default(recorder.clone(), || {
            runtime.block_on(async {
                let url = server(vec![503, 200]).await;
                let client = EdgeCache::builder("tok-SECRET-42").base_url(url).build().unwrap();
                let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
                assert!(report.is_success());
            })
        });
        let spans = recorder.spans.lock().unwrap();
        let requests: Vec<&Vec<(String, String)>> =
            spans.values().filter(|(name, _)| name == "edge_cache.request").map(|(_, f)| f).collect();
        assert_eq!(requests.len(), 2, "one span per attempt: {spans:?}");
        let get = |f: &Vec<(String, String)>, k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        for (i, f) in requests.iter().enumerate() {
            assert_eq!(get(f, "operation").as_deref(), Some("\"invalidateByTags\""));
            assert_eq!(get(f, "attempt"), Some((i + 1).to_string()));
            assert!(get(f, "elapsed_ms").is_some());
        }
        assert_eq!(get(requests[0], "status").as_deref(), Some("503"));
        assert_eq!(get(requests[1], "status").as_deref(), Some("200"));
        let everything = format!("{spans:?} {:?}", recorder.events.lock().unwrap());
        assert!(!everything.contains("SECRET"), "the token leaked into tracing: {everything}");
        assert!(everything.contains("retrying"), "a retry is logged: {everything}");
    }
}
