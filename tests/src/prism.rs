//! Prism, Stoplight's mock server, started from `spec/edge-cache.yaml` with `--errors`: it answers
//! a request that breaks the spec with 400 (401 without the bearer token, 404 on an unknown path),
//! so a test that gets 200 through the client proves the request matches the spec.
//!
//! `cargo xtask test` installs Prism (pinned in `tools/prism`) and sets `PRISM_BIN` and
//! `EDGE_CACHE_SPEC`; without them the helper looks in the workspace. It never skips: without
//! Prism the tests fail and say how to install it.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::workspace_root;

/// How long Prism may take to start.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The line Prism prints when it is ready.
const READY: &str = "Prism is listening on";

/// A running Prism; killed when dropped (also when a test panics).
pub struct Prism {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

/// The Prism executable: `PRISM_BIN`, else `tools/prism/node_modules/.bin/prism`.
pub fn prism_bin() -> PathBuf {
    match std::env::var_os("PRISM_BIN").filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            assert!(
                path.exists(),
                "PRISM_BIN is set to {}, which does not exist; run `cargo xtask test`, which installs Prism (npm ci in tools/prism)",
                path.display()
            );
            path
        }
        None => {
            let path = workspace_root().join("tools/prism/node_modules/.bin/prism");
            assert!(
                path.exists(),
                "Prism is not installed ({} is missing) and PRISM_BIN is not set: run `cargo xtask test`, which installs it \
                 (npm ci in tools/prism) and sets PRISM_BIN and EDGE_CACHE_SPEC",
                path.display()
            );
            path
        }
    }
}

/// The spec: `EDGE_CACHE_SPEC`, else `spec/edge-cache.yaml` in the workspace.
pub fn spec_path() -> PathBuf {
    let path = std::env::var_os("EDGE_CACHE_SPEC")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("spec/edge-cache.yaml"));
    assert!(path.exists(), "the spec {} does not exist (EDGE_CACHE_SPEC)", path.display());
    path
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("an address").port()
}

impl Prism {
    /// Starts `prism mock <spec> --errors` on a free loopback port and waits until it listens.
    /// Retries on another port if the port was taken meanwhile; panics (with Prism's output)
    /// if it does not start within [`START_TIMEOUT`].
    pub fn start() -> Prism {
        let bin = prism_bin();
        let spec = spec_path();
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(&bin)
                .arg("mock")
                .arg(&spec)
                .args(["--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot run {}: {e}; run `cargo xtask test`, which installs Prism", bin.display())
                });
            let log = Arc::new(Mutex::new(Vec::new()));
            let (tx, rx) = mpsc::channel::<String>();
            drain(child.stdout.take().expect("piped stdout"), log.clone(), tx.clone());
            drain(child.stderr.take().expect("piped stderr"), log.clone(), tx);
            let prism = Prism { url: format!("http://127.0.0.1:{port}"), child, log };
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(left) {
                    Ok(line) if line.contains(READY) => return prism,
                    Ok(_) => continue,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        panic!(
                            "Prism did not print {READY:?} within {START_TIMEOUT:?}; its output:\n{}",
                            prism.log_text()
                        )
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        // Prism exited. A port taken since we picked it: try another.
                        last_log = prism.log_text();
                        break;
                    }
                }
            }
            if !last_log.contains("EADDRINUSE") {
                panic!("Prism exited before listening; its output:\n{last_log}");
            }
        }
        panic!("Prism could not find a free port in 5 tries; its last output:\n{last_log}");
    }

    /// Everything Prism printed so far.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `from` line by line on a thread until it closes, keeping every line in `log` and
/// passing it on to `tx` while someone listens (Prism must never block on a full pipe).
fn drain(from: impl Read + Send + 'static, log: Arc<Mutex<Vec<String>>>, tx: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            log.lock().unwrap().push(line.clone());
            let _ = tx.send(line);
        }
    });
}
