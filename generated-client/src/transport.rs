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
        loop {
            let Some(this_attempt) = request.try_clone() else {
                // A streaming body cannot be replayed; send it once.
                return self.client().execute(request).await;
            };
            let span = tracing::info_span!(
                "edge_cache.request",
                operation,
                method = %request.method(),
                path = request.url().path(),
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

/// Reads an error response's body now, so that a body cut short counts as a failed attempt and
/// the status stays known.
async fn buffer(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
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
