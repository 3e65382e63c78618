//! Client per-request overhead: requests/second of `client.invalidate_by_tags("p", ["a"]).send()`
//! against a hand-written reqwest call of the same request, same server, same run.
//!
//! `cargo run --release -p edge-cache-bench --bin client-overhead [-- --rounds N --requests N
//! --block N --concurrent-rounds N --in-flight N]`
//!
//! The server (`edge_cache_bench::Server`) runs on its own thread and answers every request at
//! once with `200` and an empty body, over keep-alive connections. Both sides run on the same
//! single-threaded tokio runtime. A third side, the generated low-level builder
//! (`client.api().invalidate_by_tags()`, same transport hook), splits the gap in two. Within a
//! round the sides take turns in blocks of 250 requests, the order rotating, so that load from
//! other jobs on the shared machine falls on all alike; each round gives a ratio
//! client/baseline, and the figure is the median of those ratios.

use std::future::Future;
use std::time::Instant;

use edge_cache_bench::{Server, ServerConfig, arg_usize, machine, median, min_max};
use futures::stream::{self, StreamExt};
use vercel_edge_cache::{EdgeCache, api::types};

const TOKEN: &str = "bench-token-0123456789";

#[derive(serde::Serialize)]
struct Body<'a> {
    tags: &'a [&'a str],
}

/// The baseline: the same request, written by hand with reqwest (same User-Agent, timeout and
/// redirect policy as the client configures; the bearer token per request).
struct Baseline {
    http: reqwest::Client,
    url: String,
}

impl Baseline {
    fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(EdgeCache::USER_AGENT)
            .timeout(EdgeCache::DEFAULT_TIMEOUT)
            .connect_timeout(EdgeCache::DEFAULT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client");
        Self { http, url: format!("{base}/v1/edge-cache/invalidate-by-tags") }
    }

    async fn send(&self) {
        let response = self
            .http
            .post(&self.url)
            .query(&[("projectIdOrName", "p")])
            .bearer_auth(TOKEN)
            .json(&Body { tags: &["a"] })
            .send()
            .await
            .expect("baseline request");
        assert!(response.status().is_success(), "baseline: HTTP {}", response.status());
    }
}

async fn client_send(client: &EdgeCache) {
    let report = client.invalidate_by_tags("p", ["a"]).send().await.expect("valid input");
    assert!(report.is_success(), "client: {:?}", report.first_error());
}

/// The middle step, to split the gap: the generated low-level builder (`client.api()`), which
/// goes through the same transport hook (retries, spans) but skips validation, batching and the
/// JSON-value body of the high-level call.
async fn api_send(client: &EdgeCache, body: &types::InvalidateByTagsRequest) {
    let response =
        client.api().invalidate_by_tags().project_id_or_name("p").body(body.clone()).send().await.expect("api request");
    assert!(response.status().is_success(), "api: HTTP {}", response.status());
}

/// The three sides: 0 the hand-written baseline, 1 the generated builder, 2 the client.
struct Sides<'a> {
    baseline: &'a Baseline,
    client: &'a EdgeCache,
    body: types::InvalidateByTagsRequest,
}

const SIDES: usize = 3;

/// Runs `n` requests with at most `in_flight` at once; returns the elapsed seconds.
async fn timed<F, Fut>(n: usize, in_flight: usize, request: F) -> f64
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let started = Instant::now();
    if in_flight == 1 {
        for _ in 0..n {
            request().await;
        }
    } else {
        stream::iter(0..n).map(|_| request()).buffer_unordered(in_flight).collect::<Vec<()>>().await;
    }
    started.elapsed().as_secs_f64()
}

/// One request of a side, boxed: every side pays the same allocation, and each keeps a function
/// of its own in a profile (`callgrind_annotate --inclusive=yes` shows `client_send::{{closure}}`,
/// `api_send::{{closure}}` and `Baseline::send::{{closure}}` apart).
type Boxed<'a> = std::pin::Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Seconds for `n` requests of one side.
async fn timed_side(side: usize, n: usize, in_flight: usize, sides: &Sides<'_>) -> f64 {
    match side {
        0 => timed(n, in_flight, || -> Boxed<'_> { Box::pin(sides.baseline.send()) }).await,
        1 => timed(n, in_flight, || -> Boxed<'_> { Box::pin(api_send(sides.client, &sides.body)) }).await,
        _ => timed(n, in_flight, || -> Boxed<'_> { Box::pin(client_send(sides.client)) }).await,
    }
}

/// One round: `n` requests per side, in blocks of `block` whose order rotates (A B C, B C A,
/// C A B, ...), so that a burst of load from another job on the machine falls on every side
/// alike. Returns the requests per second of each side.
async fn round(n: usize, block: usize, in_flight: usize, sides: &Sides<'_>) -> [f64; SIDES] {
    let mut secs = [0.0; SIDES];
    let blocks = n.div_ceil(block);
    for i in 0..blocks {
        let size = block.min(n - i * block);
        for k in 0..SIDES {
            let side = (i + k) % SIDES;
            secs[side] += timed_side(side, size, in_flight, sides).await;
        }
    }
    secs.map(|s| n as f64 / s)
}

#[derive(Default)]
struct Series {
    rps: [Vec<f64>; SIDES],
    /// client/baseline per round.
    ratios: Vec<f64>,
    /// api/baseline per round.
    api_ratios: Vec<f64>,
}

async fn series(label: &str, rounds: usize, n: usize, block: usize, in_flight: usize, sides: &Sides<'_>) -> Series {
    // Warm-up: connections open, caches and allocator warm.
    round(n / 4, block, in_flight, sides).await;
    println!("\n{label}: {rounds} rounds x {n} requests per side (rotating blocks of {block}), {in_flight} in flight");
    println!(
        "{:>5}  {:>14}  {:>14}  {:>14}  {:>12}  {:>15}",
        "round", "baseline req/s", "api() req/s", "client req/s", "api/baseline", "client/baseline"
    );
    let mut s = Series::default();
    for r in 0..rounds {
        let [a, m, b] = round(n, block, in_flight, sides).await;
        println!("{:>5}  {:>14.0}  {:>14.0}  {:>14.0}  {:>12.3}  {:>15.3}", r + 1, a, m, b, m / a, b / a);
        s.rps[0].push(a);
        s.rps[1].push(m);
        s.rps[2].push(b);
        s.ratios.push(b / a);
        s.api_ratios.push(m / a);
    }
    let (lo, hi) = min_max(&s.ratios);
    let us = |v: &[f64]| 1e6 / median(v);
    println!(
        "{label}: median baseline {:.0} req/s ({:.1} us/req), api() {:.0} req/s ({:.1} us/req), client {:.0} req/s ({:.1} us/req)",
        median(&s.rps[0]),
        us(&s.rps[0]),
        median(&s.rps[1]),
        us(&s.rps[1]),
        median(&s.rps[2]),
        us(&s.rps[2])
    );
    println!(
        "{label}: throughput ratio client/baseline, median over rounds = {:.3} (range {lo:.3}..{hi:.3}; goal >= 0.97); api()/baseline = {:.3}",
        median(&s.ratios),
        median(&s.api_ratios)
    );
    s
}

fn main() {
    let rounds = arg_usize("rounds", 11);
    let n = arg_usize("requests", 3000);
    let concurrent_rounds = arg_usize("concurrent-rounds", 7);
    let in_flight = arg_usize("in-flight", 8);
    let block = arg_usize("block", 250).max(1);

    println!("client-overhead: {}", machine());
    let server = Server::start(ServerConfig::default());
    let base = server.base_url();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let baseline = Baseline::new(&base);
        let client = EdgeCache::builder(TOKEN).base_url(&base).max_retries(0).concurrency(1).build().expect("client");

        // What each side puts on the wire, for the record.
        server.stats.want_sample();
        baseline.send().await;
        let a = server.stats.sample().unwrap_or_default();
        server.stats.want_sample();
        client_send(&client).await;
        let b = server.stats.sample().unwrap_or_default();
        println!("baseline request head:\n  {}", a.trim_end().replace("\r\n", "\n  "));
        println!("client request head:\n  {}", b.trim_end().replace("\r\n", "\n  "));

        let body: types::InvalidateByTagsRequest = serde_json::from_value(serde_json::json!({"tags": ["a"]})).expect("a valid body");
        let sides = Sides { baseline: &baseline, client: &client, body };
        let seq = series("sequential", rounds, n, block, 1, &sides).await;
        let conc = if concurrent_rounds > 0 {
            Some(series(&format!("concurrent-{in_flight}"), concurrent_rounds, n, block, in_flight, &sides).await)
        } else {
            None
        };
        // Where the gap comes from, in part: the client's own work before a byte is sent.
        let validate_us = {
            let calls = 20_000;
            let runs: Vec<f64> = (0..5)
                .map(|_| {
                    let started = Instant::now();
                    for _ in 0..calls {
                        let purge = client.invalidate_by_tags("p", ["a"]);
                        purge.validate().expect("valid");
                        drop(std::hint::black_box(purge));
                    }
                    started.elapsed().as_secs_f64() * 1e6 / calls as f64
                })
                .collect();
            median(&runs)
        };
        println!("\nbreakdown: building and validating the call (no I/O) costs {validate_us:.2} us per call (median of 5 x 20000)");
        let connections = server.stats.connections.load(std::sync::atomic::Ordering::Relaxed);
        println!("\nserver: {} connections accepted over the whole run (keep-alive)", connections);
        println!(
            "\nSUMMARY client-overhead sequential ratio={:.3} api_ratio={:.3} baseline_rps={:.0} api_rps={:.0} client_rps={:.0} validate_us={validate_us:.2}",
            median(&seq.ratios),
            median(&seq.api_ratios),
            median(&seq.rps[0]),
            median(&seq.rps[1]),
            median(&seq.rps[2])
        );
        if let Some(c) = conc {
            println!(
                "SUMMARY client-overhead concurrent-{in_flight} ratio={:.3} api_ratio={:.3} baseline_rps={:.0} api_rps={:.0} client_rps={:.0}",
                median(&c.ratios),
                median(&c.api_ratios),
                median(&c.rps[0]),
                median(&c.rps[1]),
                median(&c.rps[2])
            );
        }
    });
}
