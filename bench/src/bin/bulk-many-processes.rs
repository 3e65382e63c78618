//! Several processes sharing one token's rate limit: N = 1, 2, 4 and 8 `edge-cache` processes,
//! each purging 800 distinct tags with `--concurrency 8`, all started at once against ONE
//! `edge-cache mock` process limited to 20 requests per second in total
//! (`PUT /_mock/rate-limit {"limit":20,"windowSeconds":1}`), as CI jobs or pods sharing a token do.
//!
//! `cargo run --release -p edge-cache-bench --bin bulk-many-processes [-- --tags 800 --limit 20
//! --concurrency 8 --latency-ms 5 --rounds 1 --max-processes 8]`
//!
//! It runs the built CLI, `edge-cache` beside this binary (`cargo xtask bench client` builds it
//! first: `cargo build --release -p vercel-edge-cache --features cli --bin edge-cache`) or at
//! `$EDGE_CACHE_BIN`. Each N runs in two modes, in alternating order: `adaptive`, the CLI as it
//! is, and `baseline`, the same CLI with `--no-adaptive-rate` (the limiter before adaptive
//! pacing: each process spends what it sees of the window). From the mock's record
//! (`GET /_mock/purges`): the share of requests answered 429, the tags never accepted (lost), and
//! time / floor, where the floor is `N × ⌈tags / 16⌉ / limit` seconds (time is from the start of
//! the first process to the exit of the last). It exits non-zero when the adaptive mode loses a
//! tag or a process fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use edge_cache_bench::{arg_usize, machine};
use serde_json::Value;

/// Tags per request (the spec's `maxItems` for tags).
const PER_REQUEST: usize = 16;

fn main() {
    let tags = arg_usize("tags", 800);
    let limit = arg_usize("limit", 20);
    let concurrency = arg_usize("concurrency", 8);
    let latency = arg_usize("latency-ms", 5);
    let rounds = arg_usize("rounds", 1);
    let max_processes = arg_usize("max-processes", 8);
    let bin = cli_binary();
    println!("bulk-many-processes: {}", machine());
    println!(
        "{tags} tags per process ({} requests) with --concurrency {concurrency}, against one edge-cache mock allowing {limit} requests/s in all, answering after {latency} ms\n",
        tags.div_ceil(PER_REQUEST)
    );
    let mock = Mock::start(&bin);
    let dir = std::env::temp_dir().join(format!("edge-cache-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    println!(
        "{:>2} {:<9} {:>7} {:>6} {:>10} {:>9} {:>6} {:>5} {:>5}",
        "N", "mode", "time s", "floor", "time/floor", "requests", "429s", "429 %", "lost"
    );
    let mut failed = false;
    for round in 0..rounds {
        let mut n = 1;
        while n <= max_processes {
            let modes =
                if (round + n.trailing_zeros() as usize).is_multiple_of(2) { [true, false] } else { [false, true] };
            for adaptive in modes {
                let run = run(&bin, &mock, &dir, n, Case { tags, limit, concurrency, latency, adaptive });
                failed |= adaptive && (run.lost > 0 || !run.exits.iter().all(|c| *c == Some(0)));
                run.print();
            }
            n *= 2;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    drop(mock);
    if failed {
        eprintln!("error: in adaptive mode a tag was lost or a process failed");
        std::process::exit(1);
    }
}

/// The `edge-cache` binary: `$EDGE_CACHE_BIN`, else beside this benchmark's binary.
fn cli_binary() -> PathBuf {
    let bin = std::env::var_os("EDGE_CACHE_BIN").map(PathBuf::from).unwrap_or_else(|| {
        let me = std::env::current_exe().expect("this binary's path");
        me.with_file_name(format!("edge-cache{}", std::env::consts::EXE_SUFFIX))
    });
    if !bin.is_file() {
        eprintln!(
            "error: {} is missing: build the CLI first with `cargo build --release -p vercel-edge-cache --features cli --bin edge-cache` (cargo xtask bench client does), or set EDGE_CACHE_BIN",
            bin.display()
        );
        std::process::exit(2);
    }
    bin
}

/// One `edge-cache mock` process; killed when dropped.
struct Mock {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
}

impl Mock {
    fn start(bin: &Path) -> Self {
        let mut child = Command::new(bin)
            .args(["mock", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start edge-cache mock");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut first).expect("its URL");
        let addr = first.trim().trim_start_matches("http://").to_string();
        Mock { child, addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// One request to the mock's own endpoints: the status and the body.
    fn call(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect to the mock");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("send to the mock");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("the mock's answer");
        let status = reply.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = reply.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    fn must(&self, method: &str, path: &str, body: &str) -> String {
        let (status, text) = self.call(method, path, body);
        assert!((200..300).contains(&status), "{method} {path}: HTTP {status}: {text}");
        text
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy)]
struct Case {
    tags: usize,
    limit: usize,
    concurrency: usize,
    latency: usize,
    adaptive: bool,
}

/// What one run of N processes came to.
struct Run {
    n: usize,
    adaptive: bool,
    secs: f64,
    floor: f64,
    requests: usize,
    limited: usize,
    lost: usize,
    exits: Vec<Option<i32>>,
}

impl Run {
    fn print(&self) {
        let mode = if self.adaptive { "adaptive" } else { "baseline" };
        let share = 100.0 * self.limited as f64 / self.requests.max(1) as f64;
        println!(
            "{:>2} {mode:<9} {:>7.2} {:>6.1} {:>10.3} {:>9} {:>6} {share:>5.1} {:>5}",
            self.n,
            self.secs,
            self.floor,
            self.secs / self.floor,
            self.requests,
            self.limited,
            self.lost
        );
        if !self.exits.iter().all(|c| *c == Some(0)) {
            println!("   exit codes: {:?}", self.exits);
        }
        println!(
            "SUMMARY bulk-many-processes processes={} mode={mode} seconds={:.2} ratio_to_floor={:.3} requests={} answered_429={} share_429={:.3} lost={}",
            self.n,
            self.secs,
            self.secs / self.floor,
            self.requests,
            self.limited,
            share / 100.0,
            self.lost
        );
    }
}

/// Runs `n` processes at once against the mock, freshly limited, and reads its record.
fn run(bin: &Path, mock: &Mock, dir: &Path, n: usize, case: Case) -> Run {
    mock.must("DELETE", "/_mock/purges", "");
    mock.must("PUT", "/_mock/latency", &format!("{{\"ms\":{}}}", case.latency));
    mock.must("PUT", "/_mock/rate-limit", &format!("{{\"limit\":{},\"windowSeconds\":1}}", case.limit));
    let mut expected = Vec::new();
    let mut files = Vec::new();
    for p in 0..n {
        let tags: Vec<String> = (0..case.tags).map(|i| format!("p{p}-tag-{i}")).collect();
        let file = dir.join(format!("p{p}.txt"));
        std::fs::write(&file, tags.join("\n")).expect("write the tags");
        expected.extend(tags);
        files.push(file);
    }
    let url = mock.url();
    let started = Instant::now();
    let mut children: Vec<Child> = files
        .iter()
        .enumerate()
        .map(|(p, file)| {
            let stderr = std::fs::File::create(dir.join(format!("p{p}.err"))).expect("a stderr file");
            let mut cmd = Command::new(bin);
            for (key, _) in std::env::vars_os() {
                if key.to_string_lossy().starts_with("VERCEL_") {
                    cmd.env_remove(key);
                }
            }
            let concurrency = case.concurrency.to_string();
            cmd.args(["--token", "bench-token", "--project", "p", "--api-url", &url, "--concurrency", &concurrency]);
            if !case.adaptive {
                cmd.arg("--no-adaptive-rate");
            }
            cmd.args(["invalidate", "--tags-from"]).arg(file);
            cmd.stdout(Stdio::null()).stderr(stderr).spawn().expect("start edge-cache")
        })
        .collect();
    let exits: Vec<Option<i32>> = children.iter_mut().map(|c| c.wait().expect("edge-cache ran").code()).collect();
    let secs = started.elapsed().as_secs_f64();
    // Let the mock record the last answers.
    std::thread::sleep(Duration::from_millis(50));
    let purges: Vec<Value> = serde_json::from_str(&mock.must("GET", "/_mock/purges", "")).expect("the record is JSON");
    let limited = purges.iter().filter(|p| p["status"] == 429).count();
    let mut accepted: Vec<&str> = purges
        .iter()
        .filter(|p| p["status"] == 200)
        .flat_map(|p| p["items"].as_array().into_iter().flatten().filter_map(Value::as_str))
        .collect();
    accepted.sort_unstable();
    accepted.dedup();
    let lost = expected.iter().filter(|t| accepted.binary_search(&t.as_str()).is_err()).count();
    let floor = (n * case.tags.div_ceil(PER_REQUEST)) as f64 / case.limit as f64;
    Run { n, adaptive: case.adaptive, secs, floor, requests: purges.len(), limited, lost, exits }
}
