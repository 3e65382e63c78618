//! Shared pieces of the benchmarks: a minimal HTTP/1.1 server on loopback, and statistics.
//!
//! The benchmarks are binaries (`src/bin/`), run in release mode by `cargo xtask bench`. Every
//! figure is reported as a ratio against a baseline measured in the same run, because the
//! machines are shared and noisy: absolute numbers move from run to run, ratios much less.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The server's only answer.
const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

/// How the bench server behaves.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// How long each request waits before it is answered (requests wait concurrently).
    pub delay: Duration,
    /// Keep every request (request line and body), for correctness checks.
    pub record: bool,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    /// `POST /path?query HTTP/1.1`.
    pub request_line: String,
    /// The body.
    pub body: Vec<u8>,
}

/// What the server counted.
#[derive(Debug, Default)]
pub struct ServerStats {
    /// Requests answered.
    pub requests: AtomicUsize,
    /// TCP connections accepted.
    pub connections: AtomicUsize,
    /// Requests being handled now.
    pub in_flight: AtomicUsize,
    /// The most requests handled at once.
    pub max_in_flight: AtomicUsize,
    want_sample: AtomicBool,
    sample: Mutex<Option<String>>,
    seen: Mutex<Vec<SeenRequest>>,
}

impl ServerStats {
    /// Zeroes the counters and forgets the recorded requests (connections stay open).
    pub fn reset(&self) {
        self.requests.store(0, Ordering::SeqCst);
        self.max_in_flight.store(0, Ordering::SeqCst);
        self.seen.lock().unwrap().clear();
    }

    /// Asks for the head (request line and headers) of the next request.
    pub fn want_sample(&self) {
        *self.sample.lock().unwrap() = None;
        self.want_sample.store(true, Ordering::SeqCst);
    }

    /// The head captured after [`ServerStats::want_sample`].
    pub fn sample(&self) -> Option<String> {
        self.sample.lock().unwrap().clone()
    }

    /// The recorded requests (with [`ServerConfig::record`]).
    pub fn take_seen(&self) -> Vec<SeenRequest> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// A server running on its own thread with its own single-threaded runtime, so that it never
/// competes with the client for the client's runtime. It lives until the process exits.
pub struct Server {
    /// Where it listens (127.0.0.1, an ephemeral port).
    pub addr: SocketAddr,
    /// Its counters.
    pub stats: Arc<ServerStats>,
}

impl Server {
    /// Starts a server on 127.0.0.1.
    pub fn start(config: ServerConfig) -> Server {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("local addr");
        let stats = Arc::new(ServerStats::default());
        let thread_stats = stats.clone();
        std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
                rt.block_on(async move {
                    let listener = TcpListener::from_std(std_listener).expect("listener");
                    let config = Arc::new(config);
                    loop {
                        let Ok((socket, _)) = listener.accept().await else { continue };
                        thread_stats.connections.fetch_add(1, Ordering::Relaxed);
                        tokio::spawn(serve(socket, config.clone(), thread_stats.clone()));
                    }
                });
            })
            .expect("server thread");
        Server { addr, stats }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves one keep-alive connection: reads a request (head, then `Content-Length` bytes of
/// body), waits the configured delay, answers 200 with an empty body, and again.
async fn serve(mut socket: TcpStream, config: Arc<ServerConfig>, stats: Arc<ServerStats>) {
    let _ = socket.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut scanned: usize = 0;
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf[scanned.saturating_sub(3)..], b"\r\n\r\n") {
                break scanned.saturating_sub(3) + i + 4;
            }
            scanned = buf.len();
            match socket.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        let head = &buf[..head_end];
        let content_length = content_length(head);
        while buf.len() < head_end + content_length {
            match socket.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        if stats.want_sample.swap(false, Ordering::SeqCst) {
            *stats.sample.lock().unwrap() = Some(String::from_utf8_lossy(&buf[..head_end]).into_owned());
        }
        let seen = config.record.then(|| {
            let line_end = find(&buf, b"\r\n").unwrap_or(0);
            SeenRequest {
                request_line: String::from_utf8_lossy(&buf[..line_end]).into_owned(),
                body: buf[head_end..head_end + content_length].to_vec(),
            }
        });
        buf.drain(..head_end + content_length);
        scanned = 0;
        if !config.delay.is_zero() {
            tokio::time::sleep(config.delay).await;
        }
        if let Some(seen) = seen {
            stats.seen.lock().unwrap().push(seen);
        }
        stats.requests.fetch_add(1, Ordering::SeqCst);
        stats.in_flight.fetch_sub(1, Ordering::SeqCst);
        if socket.write_all(RESPONSE).await.is_err() {
            return;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> usize {
    let head = String::from_utf8_lossy(head);
    head.split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The median (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "median of nothing");
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// The smallest and largest value.
pub fn min_max(values: &[f64]) -> (f64, f64) {
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// A `usize` from `--name N` on the command line, or the default.
pub fn arg_usize(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    let flag = format!("--{name}");
    match args.iter().position(|a| *a == flag) {
        Some(i) => args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{flag} takes a number")),
        None => default,
    }
}

/// One line of the machine this runs on, for the record.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores ({cpu}), shared with other jobs")
}
