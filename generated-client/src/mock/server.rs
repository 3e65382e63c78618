//! The HTTP side of the mock: hyper's HTTP/1.1 server on a loopback port, one task per
//! connection. Each request is routed to its operation by method and path, run through the
//! script (faults, rate limit, latency), authenticated, checked with the generated checks
//! ([`crate::inbound::check_request`]), recorded and answered.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;

use super::script::{Decision, Fault, RateHeaders, RateLimit, Script};
use crate::inbound;
use crate::operations::{OPERATIONS, RecordedPurge};
use crate::spec::auth;

/// The prefix of the mock's own endpoints (recorded purges, scripting over HTTP).
pub const CONTROL_PREFIX: &str = "/_mock/";

/// What the server shares with [`super::MockVercel`].
#[derive(Debug, Default)]
pub(crate) struct State {
    pub purges: Vec<RecordedPurge>,
    pub script: Script,
    pub token: Option<String>,
}

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves plain data behind; keep serving it.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a connection is closed without an answer (a scripted drop, or a body never finished).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the mock")
    }
}

impl std::error::Error for Dropped {}

/// Accepts connections until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, shared: Shared) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
            let io = hyper_util::rt::TokioIo::new(stream);
            // Errors here are the client's going away, or a scripted drop.
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
        });
    }
}

type Answer = Response<Full<Bytes>>;

async fn handle(shared: Shared, req: Request<Incoming>) -> Result<Answer, Dropped> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let path = parts.uri.path().to_string();
    if let Some(rest) = path.strip_prefix(CONTROL_PREFIX) {
        return Ok(control(&shared, &parts.method, rest, &body));
    }
    let query: Vec<(String, String)> =
        parts.uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let on_path: Vec<_> = OPERATIONS.iter().filter(|e| e.info.path == path).collect();
    let entry = on_path.iter().find(|e| e.info.method.eq_ignore_ascii_case(parts.method.as_str())).copied();
    let request = inbound::Request::new(entry.map(|e| e.info), query, &body);
    let record = |status: u16, error: Option<String>| {
        lock(&shared).purges.push(RecordedPurge::of(&request, status, error));
    };

    let Some(entry) = entry else {
        let (status, message) = if on_path.is_empty() {
            (404, format!("{path} is not the path of an operation of the spec"))
        } else {
            let allowed: Vec<&str> = on_path.iter().map(|e| e.info.method).collect();
            (405, format!("{} is not allowed on {path}; the spec has {}", parts.method, allowed.join(", ")))
        };
        record(status, Some(message.clone()));
        return Ok(error(status, &message, None, None));
    };

    let (decision, rate) = {
        let mut state = lock(&shared);
        state.script.decide(SystemTime::now())
    };
    let latency = lock(&shared).script.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match decision {
        Decision::Drop => {
            record(0, None);
            Err(Dropped)
        }
        Decision::Fail { status, retry_after } => {
            let message = if status == 429 && rate.is_some() {
                "Too many requests: the rate limit is spent until X-RateLimit-Reset".to_string()
            } else {
                format!("{} (scripted by the mock)", reason(status))
            };
            record(status, Some(message.clone()));
            Ok(error(status, &message, retry_after, rate))
        }
        Decision::Serve => {
            let token = parts
                .headers
                .get(auth::HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix(auth::PREFIX))
                .map(str::trim)
                .filter(|t| !t.is_empty());
            let expected = lock(&shared).token.clone();
            let refused = match (token, expected) {
                (None, _) => Some(format!("The request has no token (`{}: {}<token>`)", auth::HEADER, auth::PREFIX)),
                (Some(t), Some(e)) if t != e => Some("The token is not valid".to_string()),
                _ => None,
            };
            if let Some(message) = refused {
                record(401, Some(message.clone()));
                return Ok(error(401, &message, None, rate));
            }
            match (entry.check_request)(&request) {
                Err(e) => {
                    let message = e.to_string();
                    record(400, Some(message.clone()));
                    Ok(error(400, &message, None, rate))
                }
                Ok(()) => {
                    record(200, None);
                    Ok(answer(200, Bytes::new(), None, rate))
                }
            }
        }
    }
}

/// The mock's own endpoints, under [`CONTROL_PREFIX`].
fn control(shared: &Shared, method: &Method, rest: &str, body: &[u8]) -> Answer {
    let done = || answer(204, Bytes::new(), None, None);
    let bad = |what: &str, e: &dyn std::fmt::Display| error(400, &format!("{what}: {e}"), None, None);
    match (method.as_str(), rest) {
        ("GET", "purges") => {
            let json = serde_json::to_vec(&lock(shared).purges).unwrap_or_default();
            answer(200, json.into(), None, None)
        }
        ("DELETE", "purges") => {
            lock(shared).purges.clear();
            done()
        }
        ("POST", "faults") => match serde_json::from_slice::<Fault>(body) {
            Ok(f) if f.is_complete() => {
                lock(shared).script.push(f);
                done()
            }
            Ok(_) => bad("a fault", &"give either `status` or `drop: true`"),
            Err(e) => bad("a fault", &e),
        },
        ("DELETE", "faults") => {
            lock(shared).script.clear_faults();
            done()
        }
        ("PUT", "rate-limit") => match serde_json::from_slice::<Option<RateLimit>>(body) {
            Ok(r) => {
                lock(shared).script.set_rate_limit(r);
                done()
            }
            Err(e) => bad("a rate limit", &e),
        },
        ("PUT", "latency") => {
            match serde_json::from_slice::<serde_json::Value>(body).ok().and_then(|v| v["ms"].as_u64()) {
                Some(ms) => {
                    lock(shared).script.latency = std::time::Duration::from_millis(ms);
                    done()
                }
                None => bad("a latency", &"expected {\"ms\": <milliseconds>}"),
            }
        }
        _ => error(404, &format!("{CONTROL_PREFIX}{rest} is not an endpoint of the mock"), None, None),
    }
}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error")
}

/// Vercel's error body: `{"error":{"code","message"}}`.
fn error(status: u16, message: &str, retry_after: Option<u64>, rate: Option<RateHeaders>) -> Answer {
    let code = match status {
        429 => "rate_limited".to_string(),
        _ => reason(status).to_ascii_lowercase().replace([' ', '-'], "_").replace('\'', ""),
    };
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    answer(status, serde_json::to_vec(&body).unwrap_or_default().into(), retry_after, rate)
}

fn answer(status: u16, body: Bytes, retry_after: Option<u64>, rate: Option<RateHeaders>) -> Answer {
    let mut r = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("date", httpdate::fmt_http_date(SystemTime::now()));
    if !body.is_empty() {
        r = r.header("content-type", "application/json");
    }
    if let Some(secs) = retry_after {
        r = r.header("retry-after", secs);
    }
    if let Some(h) = rate {
        r = r
            .header("x-ratelimit-limit", h.limit)
            .header("x-ratelimit-remaining", h.remaining)
            .header("x-ratelimit-reset", h.reset);
    }
    r.body(Full::new(body)).unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
