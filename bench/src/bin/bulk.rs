//! Bulk: 10 000 tags through `client.invalidate_by_tags(..).send()` with concurrency 8, against a
//! local server that answers each request after 50 ms (serving requests concurrently).
//!
//! `cargo run --release -p edge-cache-bench --bin bulk [-- --rounds N --tags N --delay-ms N
//! --concurrency N]`
//!
//! The floor is ceil(requests / concurrency) x delay: 625 requests of 16 tags, 8 at a time, 50 ms
//! each = 79 x 50 ms = 3.95 s. The figure is floor/measured (goal >= 0.9). A hand-written reqwest
//! loop (chunks of 16, `buffer_unordered(8)`) runs in the same rounds as the same-run baseline.
//! Every round checks that the server saw each tag exactly once, in the right number of requests.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use edge_cache_bench::{Server, ServerConfig, arg_usize, machine, median};
use futures::stream::{self, StreamExt};
use vercel_edge_cache::EdgeCache;
use vercel_edge_cache::operations::InvalidateByTags;
use vercel_edge_cache::operations::Operation;

const TOKEN: &str = "bench-token-0123456789";
const PATH: &str = "/v1/edge-cache/invalidate-by-tags";

#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    tags: Vec<String>,
}

/// Checks what the server saw: `requests` requests to the right path, each tag exactly once.
fn verify(server: &Server, tags: &[String], requests: usize, concurrency: usize, who: &str) -> Result<usize, String> {
    let seen = server.stats.take_seen();
    if seen.len() != requests {
        return Err(format!("{who}: server saw {} requests, expected {requests}", seen.len()));
    }
    let mut counts: HashMap<String, usize> = HashMap::with_capacity(tags.len());
    for r in &seen {
        if !r.request_line.starts_with(&format!("POST {PATH}?projectIdOrName=p ")) {
            return Err(format!("{who}: unexpected request line `{}`", r.request_line));
        }
        let body: Body =
            serde_json::from_slice(&r.body).map_err(|e| format!("{who}: body is not {{\"tags\": [..]}}: {e}"))?;
        if body.tags.len() > InvalidateByTags::INFO.max_items {
            return Err(format!("{who}: a request carried {} tags", body.tags.len()));
        }
        for t in body.tags {
            *counts.entry(t).or_default() += 1;
        }
    }
    if counts.len() != tags.len() || tags.iter().any(|t| counts.get(t) != Some(&1)) {
        let twice = counts.values().filter(|&&c| c > 1).count();
        let missing = tags.iter().filter(|t| !counts.contains_key(*t)).count();
        return Err(format!("{who}: tags not seen exactly once ({missing} missing, {twice} more than once)"));
    }
    let max = server.stats.max_in_flight.load(Ordering::SeqCst);
    if max > concurrency {
        return Err(format!("{who}: {max} requests in flight at once, more than {concurrency}"));
    }
    Ok(max)
}

fn main() {
    let rounds = arg_usize("rounds", 3);
    let n_tags = arg_usize("tags", 10_000);
    let delay = Duration::from_millis(arg_usize("delay-ms", 50) as u64);
    let concurrency = arg_usize("concurrency", 8);

    let per_request = InvalidateByTags::INFO.max_items;
    let requests = n_tags.div_ceil(per_request);
    let floor = delay * requests.div_ceil(concurrency) as u32;
    println!("bulk: {}", machine());
    println!(
        "bulk: {n_tags} tags, {per_request} per request = {requests} requests, {concurrency} in flight, server delay {} ms; floor = ceil({requests}/{concurrency}) x {} ms = {:.3} s",
        delay.as_millis(),
        delay.as_millis(),
        floor.as_secs_f64()
    );

    let server = Server::start(ServerConfig { delay, record: true });
    let base = server.base_url();
    let tags: Vec<String> = (0..n_tags).map(|i| format!("tag-{i:05}")).collect();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut failures = Vec::new();
    rt.block_on(async {
        let client = EdgeCache::builder(TOKEN).base_url(&base).max_retries(0).concurrency(concurrency).build().expect("client");
        let http = reqwest::Client::builder()
            .user_agent(EdgeCache::USER_AGENT)
            .timeout(EdgeCache::DEFAULT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client");
        let url = format!("{base}{PATH}");

        let run_client = || async {
            let started = Instant::now();
            let report = client.invalidate_by_tags("p", tags.iter().cloned()).send().await.expect("valid input");
            let elapsed = started.elapsed();
            assert!(report.is_success(), "client: {:?}", report.first_error());
            assert_eq!(report.batches.len(), requests);
            assert_eq!(report.item_count(), n_tags);
            elapsed
        };
        let run_baseline = || async {
            let started = Instant::now();
            let results: Vec<bool> = stream::iter(tags.chunks(per_request))
                .map(|chunk| {
                    let request = http.post(&url).query(&[("projectIdOrName", "p")]).bearer_auth(TOKEN).json(&Body { tags: chunk.to_vec() });
                    async move { request.send().await.map(|r| r.status().is_success()).unwrap_or(false) }
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
            let elapsed = started.elapsed();
            assert!(results.iter().all(|&ok| ok), "baseline: a request failed");
            elapsed
        };

        println!("{:>5}  {:>10}  {:>10}  {:>16}  {:>16}  {:>10}", "round", "baseline s", "client s", "floor/baseline", "floor/client", "max in flight");
        let (mut base_s, mut client_s) = (vec![], vec![]);
        for round in 0..rounds {
            // Alternate the order so that drift on the shared machine cancels.
            let mut measured = [(Duration::ZERO, 0usize); 2];
            for who in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
                server.stats.reset();
                let elapsed = if who == 0 { run_baseline().await } else { run_client().await };
                let max = match verify(&server, &tags, requests, concurrency, if who == 0 { "baseline" } else { "client" }) {
                    Ok(max) => max,
                    Err(e) => {
                        failures.push(e);
                        0
                    }
                };
                measured[who] = (elapsed, max);
            }
            let (b, c) = (measured[0].0.as_secs_f64(), measured[1].0.as_secs_f64());
            println!(
                "{:>5}  {:>10.3}  {:>10.3}  {:>16.3}  {:>16.3}  {:>5} / {:<5}",
                round + 1,
                b,
                c,
                floor.as_secs_f64() / b,
                floor.as_secs_f64() / c,
                measured[0].1,
                measured[1].1
            );
            base_s.push(b);
            client_s.push(c);
        }
        let (b, c) = (median(&base_s), median(&client_s));
        println!(
            "bulk: median client {c:.3} s, baseline {b:.3} s, floor {:.3} s; floor/client = {:.3} (goal >= 0.9), floor/baseline = {:.3}, client/baseline time = {:.3}",
            floor.as_secs_f64(),
            floor.as_secs_f64() / c,
            floor.as_secs_f64() / b,
            c / b
        );
        if failures.is_empty() {
            println!("bulk: correctness OK in every round: {requests} requests, each of the {n_tags} tags exactly once, at most {concurrency} in flight");
        }
        println!(
            "\nSUMMARY bulk floor_s={:.3} client_s={c:.3} baseline_s={b:.3} floor_over_client={:.3} floor_over_baseline={:.3} correct={}",
            floor.as_secs_f64(),
            floor.as_secs_f64() / c,
            floor.as_secs_f64() / b,
            failures.is_empty()
        );
    });
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("error: {f}");
        }
        std::process::exit(1);
    }
}
