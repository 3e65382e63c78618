//! A raw HTTP/1.1 server on a tokio `TcpListener`, for answers wiremock cannot give: a body cut
//! short (`Content-Length` larger than the body) and a connection reset before any answer.
//!
//! Each connection carries one request: the server reads it whole, then acts on the reply for
//! that connection's number (the last reply repeats).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server does with one connection, after reading its request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Writes these bytes, then closes the connection.
    Bytes(Vec<u8>),
    /// Closes the connection with a TCP reset (`SO_LINGER` 0), without answering.
    Reset,
}

impl Reply {
    /// A response head with `Content-Length: declared` followed by `body` (shorter, if you want
    /// it cut short), then the connection closes.
    pub fn truncated(status_line: &str, declared: usize, body: &str) -> Self {
        Reply::Bytes(
            format!(
                "HTTP/1.1 {status_line}\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n{body}"
            )
            .into_bytes(),
        )
    }

    /// A complete response with `body`.
    pub fn complete(status_line: &str, body: &str) -> Self {
        Self::truncated(status_line, body.len(), body)
    }
}

/// The server; it stops when dropped.
pub struct RawServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl RawServer {
    /// Starts a server on a free loopback port. Connection `n` (from 0) gets `replies[n]`, or the
    /// last reply once they run out.
    pub async fn start(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty(), "at least one reply");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (conns, reqs) = (connections.clone(), requests.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let n = conns.fetch_add(1, Ordering::SeqCst);
                let reply = replies[n.min(replies.len() - 1)].clone();
                let reqs = reqs.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, reply, reqs).await;
                });
            }
        });
        RawServer { url, connections, requests, task }
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The requests read so far (head and body, as text).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, reply: Reply, requests: Arc<Mutex<Vec<String>>>) -> std::io::Result<()> {
    let request = read_request(&mut stream).await?;
    requests.lock().unwrap().push(request);
    match reply {
        Reply::Bytes(bytes) => {
            stream.write_all(&bytes).await?;
            stream.flush().await?;
            stream.shutdown().await?;
        }
        Reply::Reset => {
            stream.set_zero_linger()?;
            drop(stream);
        }
    }
    Ok(())
}

/// Reads one request: the head up to the blank line, then `Content-Length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Ok(String::from_utf8_lossy(&buf).to_string());
            }
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(String::from_utf8_lossy(&buf).to_string());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A loopback URL on which nothing listens (a port bound, then released).
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    format!("http://{addr}")
}
