//! The HTTP side of the mock: hyper's HTTP/1.1 server on a loopback port, one task per
//! connection. Each request is routed to its operation by method and path, run through the
//! script (faults, rate limit, latency), authenticated, checked with the generated checks
//! (`inbound::Request::check`), recorded and answered.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;

use super::RecordedPurge;
use super::inbound;
use super::script::{Decision, Fault, RateHeaders, RateLimit, Script};
use crate::generated::spec::API;

/// The prefix of the mock's own endpoints (recorded purges, scripting over HTTP).
pub const CONTROL_PREFIX: &str = "/_mock/";

/// The header of `GET /_mock/purges` that counts the older requests dropped beyond the cap.
const DROPPED_HEADER: &str = "x-mock-dropped";

/// What the server shares with [`super::MockVercel`]. Not `Debug`: it holds the token.
#[derive(Default)]
pub(crate) struct State {
    pub records: Records,
    arrivals: u64,
    pub script: Script,
    pub token: Option<String>,
    /// Requests of an operation being answered now, and the most at once since the records
    /// were last cleared.
    in_flight: usize,
    pub max_in_flight: usize,
}

/// A request of an operation being answered: counted in [`State`] until dropped.
struct Answering(Shared);

impl Answering {
    fn start(shared: &Shared) -> Self {
        let mut state = lock(shared);
        state.in_flight += 1;
        state.max_in_flight = state.max_in_flight.max(state.in_flight);
        Self(shared.clone())
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        let mut state = lock(&self.0);
        state.in_flight = state.in_flight.saturating_sub(1);
    }
}

/// The requests recorded: the newest `max` by order of arrival, and how many older ones were
/// dropped to keep it so (a long-running mock's memory stays bounded).
pub(crate) struct Records {
    /// Each request with its place in the order of arrival, kept sorted by it (answers may
    /// finish out of order: a late one is inserted near the back).
    kept: VecDeque<(u64, RecordedPurge)>,
    dropped: u64,
    max: usize,
}

impl Default for Records {
    fn default() -> Self {
        Self { kept: VecDeque::new(), dropped: 0, max: super::MockVercel::DEFAULT_MAX_RECORDS }
    }
}

impl Records {
    /// Records the request that arrived `seq`-th, dropping the oldest beyond the cap.
    pub fn push(&mut self, seq: u64, purge: RecordedPurge) {
        let at = self.kept.partition_point(|(s, _)| *s < seq);
        self.kept.insert(at, (seq, purge));
        self.trim();
    }

    /// Keeps at most `max` records from now on, dropping the oldest beyond it now.
    pub fn set_max(&mut self, max: usize) {
        self.max = max;
        self.trim();
    }

    fn trim(&mut self) {
        while self.kept.len() > self.max {
            self.kept.pop_front();
            self.dropped += 1;
        }
    }

    /// The requests kept, in the order they arrived.
    pub fn iter(&self) -> impl Iterator<Item = &RecordedPurge> {
        self.kept.iter().map(|(_, p)| p)
    }

    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Forgets every request, and the count of those dropped; the cap stays.
    pub fn clear(&mut self) {
        self.kept.clear();
        self.dropped = 0;
    }
}

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves plain data behind; keep serving it.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a connection is closed without an answer (a scripted drop, or a body never finished).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by the mock")]
struct Dropped;

/// Accepts connections until the task is aborted; the connections are this task's, so they
/// end with it (a dropped mock stops answering at once, even on kept-alive connections).
pub(crate) async fn serve(listener: TcpListener, shared: Shared) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: wait rather than spin.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        // Answers go out whole and at once (no Nagle delay on small writes).
        let _ = stream.set_nodelay(true);
        while connections.try_join_next().is_some() {}
        let shared = shared.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
            let io = hyper_util::rt::TokioIo::new(stream);
            // Errors here are the client's going away, or a scripted drop.
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
        });
    }
}

type Answer = Response<Full<Bytes>>;

/// The values of a path template's parameters (`/v1/widgets/{id}` against `/v1/widgets/w%201`:
/// `id` is `w 1`), if `path` matches it: the same segments, each literal one equal.
fn path_params(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    if template.split('/').count() != path.split('/').count() {
        return None;
    }
    let mut params = Vec::new();
    for (t, p) in template.split('/').zip(path.split('/')) {
        match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            Some(name) if !p.is_empty() => {
                // Decoded as a path is (`+` is a plus, `&` and `=` are themselves), not as a query.
                let p = p.replace('+', "%2B").replace('&', "%26").replace('=', "%3D");
                let value =
                    url::form_urlencoded::parse(format!("v={p}").as_bytes()).next().map(|(_, v)| v.into_owned())?;
                params.push((name.to_string(), value));
            }
            None if t == p => {}
            _ => return None,
        }
    }
    Some(params)
}

async fn handle(shared: Shared, req: Request<Incoming>) -> Result<Answer, Dropped> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let path = parts.uri.path().to_string();
    if let Some(rest) = path.strip_prefix(CONTROL_PREFIX) {
        return Ok(control(&shared, &parts.method, rest, &body));
    }
    let query: Vec<(String, String)> =
        parts.uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    // The operations whose path template the path matches, with the path parameters' values.
    let on_path: Vec<_> =
        API.operations.iter().filter_map(|spec| Some((*spec, path_params(spec.info.path, &path)?))).collect();
    let entry = on_path.iter().find(|(spec, _)| spec.info.method.eq_ignore_ascii_case(parts.method.as_str()));
    let params = entry.map_or(&[][..], |(_, params)| params.as_slice());
    let request = inbound::Request::new(entry.map(|(spec, _)| *spec), params, query, &body);
    let seq = {
        let mut state = lock(&shared);
        state.arrivals += 1;
        state.arrivals
    };
    let record = |status: u16, error: Option<String>| {
        lock(&shared).records.push(seq, RecordedPurge::of(&request, status, error));
    };
    // An error answer, recorded with the message it carries.
    let refuse = |status: u16, message: String, rate: Option<RateHeaders>| {
        record(status, Some(message.clone()));
        error(status, &message, rate)
    };

    let Some(&(spec, _)) = entry else {
        if on_path.is_empty() {
            return Ok(refuse(404, format!("{path} is not the path of an operation of the spec"), None));
        }
        let allowed: Vec<&str> = on_path.iter().map(|(spec, _)| spec.info.method).collect();
        let message = format!("{} is not allowed on {path}; the spec has {}", parts.method, allowed.join(", "));
        record(405, Some(message.clone()));
        return Ok(not_allowed(&message, &allowed));
    };

    let _answering = Answering::start(&shared);
    let latency = lock(&shared).script.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    // A scripted fault, whatever the request; then the token; then the rate limit, which counts
    // only authenticated requests (Vercel's limits are per token); then the spec's rules.
    let fault = {
        let mut state = lock(&shared);
        state.script.next_fault().map(|f| (f, state.script.peek(SystemTime::now())))
    };
    let scripted = fault.is_some();
    let (decision, rate) = match fault {
        Some(fault) => fault,
        None => {
            let required = lock(&shared).token.clone();
            if let Some(message) = refuse_token(&parts.headers, required.as_deref()) {
                let rate = lock(&shared).script.peek(SystemTime::now());
                return Ok(refuse(401, message, rate));
            }
            lock(&shared).script.take(SystemTime::now())
        }
    };
    match decision {
        Decision::Drop => {
            record(0, None);
            Err(Dropped)
        }
        Decision::Fail { status, retry_after, error: scripted_error } => {
            let (code, message) = match (status, scripted, scripted_error) {
                (_, _, Some((code, message))) => (code, message),
                (429, false, None) => {
                    (code_of(429), "Too many requests: the rate limit is spent until X-RateLimit-Reset".to_string())
                }
                (_, _, None) => (code_of(status), format!("{} (scripted by the mock)", reason(status))),
            };
            record(status, Some(message.clone()));
            Ok(error_with(status, &code, &message, retry_after, rate))
        }
        Decision::Serve => match request.check() {
            Err(e) => Ok(refuse(400, e.to_string(), rate)),
            Ok(()) => {
                record(200, None);
                // The spec's example of the answer's body, or the least body it accepts.
                let body = spec.success_body.map_or_else(Bytes::new, |b| Bytes::from_static(b.as_bytes()));
                Ok(answer(200, body, None, rate))
            }
        },
    }
}

/// Why the request's credential is refused, if it is: none (the scheme compared without regard
/// to case, as RFC 9110 has it), or not the one the mock requires.
fn refuse_token(headers: &hyper::HeaderMap, required: Option<&str>) -> Option<String> {
    let auth = &API.auth;
    if auth.header.is_empty() {
        // The spec declares no credential: every request is let in.
        return None;
    }
    let value = headers.get(auth.header).and_then(|v| v.to_str().ok()).unwrap_or("");
    let token = value
        .split_at_checked(auth.prefix.len())
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(auth.prefix))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty());
    match (token, required) {
        (None, _) => Some(format!("The request has no token (`{}: {}<token>`)", auth.header, auth.prefix)),
        (Some(t), Some(r)) if t != r => Some("The token is not valid".to_string()),
        _ => None,
    }
}

/// One of the mock's own endpoints, under [`CONTROL_PREFIX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlEndpoint {
    /// The HTTP method.
    pub method: &'static str,
    /// The path after [`CONTROL_PREFIX`].
    pub name: &'static str,
    /// What it does, with the JSON it takes.
    pub what: &'static str,
}

/// The mock's own endpoints: what `control` serves, what its 405s list, and what
/// `edge-cache mock --help` shows.
pub const CONTROL_ENDPOINTS: &[ControlEndpoint] = &[
    ControlEndpoint {
        method: "GET",
        name: "purges",
        what: "the requests received (the newest --max-records), as JSON; X-Mock-Dropped: how many older ones were dropped",
    },
    ControlEndpoint {
        method: "DELETE",
        name: "purges",
        what: "forget them (and the count dropped, and the most answered at once), as MockVercel::clear",
    },
    ControlEndpoint {
        method: "POST",
        name: "faults",
        what: r#"fail the next requests: {"status":429,"times":2,"retryAfter":1}, {"status":403,"code":"invalid_token","message":"..."} or {"drop":true}"#,
    },
    ControlEndpoint { method: "DELETE", name: "faults", what: "drop the scripted faults" },
    ControlEndpoint {
        method: "PUT",
        name: "rate-limit",
        what: r#"{"limit":20,"windowSeconds":1,"retryAfter":true}, or null"#,
    },
    ControlEndpoint { method: "PUT", name: "latency", what: r#"{"ms":250}"# },
];

/// Answers a request to one of the mock's own endpoints.
fn control(shared: &Shared, method: &Method, rest: &str, body: &[u8]) -> Answer {
    let done = || answer(204, Bytes::new(), None, None);
    let bad = |what: &str, e: &dyn std::fmt::Display| error(400, &format!("{what}: {e}"), None);
    match (method.as_str(), rest) {
        ("GET", "purges") => {
            // Written from the records themselves: a copy of them all would double the memory.
            let (json, dropped) = {
                let state = lock(shared);
                let kept: Vec<&RecordedPurge> = state.records.iter().collect();
                (serde_json::to_vec(&kept).unwrap_or_default(), state.records.dropped())
            };
            let mut r = answer(200, json.into(), None, None);
            r.headers_mut().insert(DROPPED_HEADER, dropped.into());
            r
        }
        ("DELETE", "purges") => {
            super::clear(&mut lock(shared));
            done()
        }
        ("POST", "faults") => match serde_json::from_slice::<Fault>(body) {
            Ok(f) => {
                lock(shared).script.push(f);
                done()
            }
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
        _ => {
            let methods: Vec<&str> = CONTROL_ENDPOINTS.iter().filter(|e| e.name == rest).map(|e| e.method).collect();
            if methods.is_empty() {
                error(404, &format!("{CONTROL_PREFIX}{rest} is not an endpoint of the mock"), None)
            } else {
                let message =
                    format!("{method} is not allowed on {CONTROL_PREFIX}{rest}; it takes {}", methods.join(", "));
                not_allowed(&message, &methods)
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error")
}

/// Vercel's error code for a status the mock answers on its own.
fn code_of(status: u16) -> String {
    match status {
        429 => "rate_limited".to_string(),
        _ => reason(status).to_ascii_lowercase().replace([' ', '-'], "_").replace('\'', ""),
    }
}

/// Vercel's error body, `{"error":{"code","message"}}`, with the status's own code.
fn error(status: u16, message: &str, rate: Option<RateHeaders>) -> Answer {
    error_with(status, &code_of(status), message, None, rate)
}

/// Vercel's error body with this code.
fn error_with(status: u16, code: &str, message: &str, retry_after: Option<u64>, rate: Option<RateHeaders>) -> Answer {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    answer(status, serde_json::to_vec(&body).unwrap_or_default().into(), retry_after, rate)
}

/// 405, with the `Allow` header RFC 9110 requires: the methods the path takes.
fn not_allowed(message: &str, methods: &[&str]) -> Answer {
    let mut r = error(405, message, None);
    if let Ok(allow) = hyper::header::HeaderValue::from_str(&methods.join(", ")) {
        r.headers_mut().insert(hyper::header::ALLOW, allow);
    }
    r
}

/// The answer's request ID, as Vercel's edge gives one (`x-vercel-id`, region and ID): unique in
/// the process.
fn request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("mock1::{:012x}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

fn answer(status: u16, body: Bytes, retry_after: Option<u64>, rate: Option<RateHeaders>) -> Answer {
    let mut r = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("date", httpdate::fmt_http_date(SystemTime::now()))
        .header(crate::engine::rate_limit::REQUEST_ID_HEADER, request_id());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_endpoint_is_served_and_other_methods_are_405() {
        let shared = Shared::default();
        for e in CONTROL_ENDPOINTS {
            let method = Method::from_bytes(e.method.as_bytes()).unwrap();
            let status = control(&shared, &method, e.name, b"null").status().as_u16();
            assert!(![404, 405].contains(&status), "{} {} answers {status}", e.method, e.name);
        }
        let refused = control(&shared, &Method::PATCH, "purges", b"");
        assert_eq!(refused.status(), 405);
        assert_eq!(refused.headers()["allow"], "GET, DELETE", "RFC 9110: a 405 lists the methods");
        assert_eq!(control(&shared, &Method::GET, "nothing", b"").status(), 404);
    }

    #[test]
    fn a_path_parameter_is_decoded_as_a_path_is_not_as_a_query() {
        // `&` and `=` used to end the value (`a&b` read as `a`), as in a query string.
        let got = path_params("/v1/x/{id}/y", "/v1/x/a&b=c+d%20e%2Ff/y");
        assert_eq!(got, Some(vec![("id".to_string(), "a&b=c+d e/f".to_string())]));
        assert_eq!(path_params("/v1/x/{id}/y", "/v1/x/a/z"), None);
        assert_eq!(path_params("/v1/x/{id}/y", "/v1/x//y"), None, "an empty segment is no value");
    }

    #[test]
    fn records_keep_the_newest_by_arrival_even_when_answers_finish_out_of_order() {
        let request = inbound::Request::new(None, &[], Vec::new(), b"");
        let purge = |status| RecordedPurge::of(&request, status, None);
        let mut records = Records::default();
        records.set_max(2);
        // The 2nd request to arrive is answered last.
        for (seq, status) in [(1, 201), (3, 203), (2, 202), (4, 204)] {
            records.push(seq, purge(status));
        }
        let kept: Vec<u16> = records.iter().map(|p| p.status).collect();
        assert_eq!(kept, [203, 204]);
        assert_eq!(records.dropped(), 2);
        records.clear();
        assert_eq!((records.len(), records.dropped()), (0, 0));
    }
}
