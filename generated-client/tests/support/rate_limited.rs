//! A loopback look-alike of Vercel's rate limiting: it accepts `limit` requests per wall-clock
//! second (UTC epoch second windows, as `X-RateLimit-Reset` counts them) and answers 429 to the
//! rest. Every answer carries `X-RateLimit-Limit`, `-Remaining`, `-Reset` and `Date`; a 429 also
//! carries `Retry-After` when asked to. It records every tag or source image it accepted, so a
//! test can check that each was delivered exactly once.
//!
//! HTTP/1.1 with keep-alive, one task per connection, bodies by `Content-Length`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server saw.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// Every item of every accepted request, in arrival order.
    pub accepted: Vec<String>,
    /// Requests answered 200.
    pub ok: usize,
    /// Requests answered 429.
    pub limited: usize,
}

#[derive(Debug, Default)]
struct State {
    seen: Seen,
    /// The current window (epoch second) and the requests it has taken.
    window: (u64, u64),
}

/// The server; it stops when dropped.
pub struct RateLimitedServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl RateLimitedServer {
    /// Starts a server allowing `limit` requests per second; its 429s carry `Retry-After: 1`
    /// when `retry_after` is set. Each answer comes after `delay` (a network's round trip).
    pub async fn start(limit: u64, retry_after: bool, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, shared.clone(), limit, retry_after, delay));
            }
        });
        Self { url, state, task }
    }

    /// What the server saw so far.
    pub fn seen(&self) -> Seen {
        self.state.lock().expect("not poisoned").seen.clone()
    }
}

impl Drop for RateLimitedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut sock: TcpStream, state: Arc<Mutex<State>>, limit: u64, retry_after: bool, delay: Duration) {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        // One request: the head, then Content-Length bytes of body.
        let (head_end, length) = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                    .unwrap_or(0);
                break (end + 4, length);
            }
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        while buf.len() < head_end + length {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        tokio::time::sleep(delay).await;

        let now = SystemTime::now();
        let second = now.duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
        let (accepted, remaining) = {
            let mut s = state.lock().expect("not poisoned");
            if s.window.0 != second {
                s.window = (second, 0);
            }
            if s.window.1 < limit {
                s.window.1 += 1;
                s.seen.ok += 1;
                let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let items = value.as_object().and_then(|o| o.values().find_map(|v| v.as_array().cloned()));
                s.seen.accepted.extend(items.unwrap_or_default().iter().filter_map(|v| v.as_str().map(str::to_string)));
                (true, limit - s.window.1)
            } else {
                s.seen.limited += 1;
                (false, 0)
            }
        };
        let mut head = format!(
            "HTTP/1.1 {}\r\nx-ratelimit-limit: {limit}\r\nx-ratelimit-remaining: {remaining}\r\nx-ratelimit-reset: {}\r\ndate: {}\r\ncontent-type: application/json\r\n",
            if accepted { "200 OK" } else { "429 Too Many Requests" },
            second + 1,
            httpdate::fmt_http_date(now),
        );
        let body = if accepted {
            String::new()
        } else {
            if retry_after {
                head.push_str("retry-after: 1\r\n");
            }
            r#"{"error":{"code":"rate_limited","message":"Too many requests"}}"#.to_string()
        };
        head.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
        if sock.write_all(head.as_bytes()).await.is_err() {
            return;
        }
    }
}
