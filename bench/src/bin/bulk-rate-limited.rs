//! Bulk under a rate limit: 4 000 tags through `client.invalidate_by_tags(..).send()`, 8 in
//! flight, against the testing kit's look-alike of Vercel (`vercel_edge_cache::mock`) rate-limited
//! to 20 requests per wall-clock second, which sends `X-RateLimit-*` and `Date` on every answer
//! (its 429s with or without `Retry-After`) and answers after 5 ms.
//!
//! `cargo run --release -p edge-cache-bench --bin bulk-rate-limited [-- --tags N --limit N
//! --concurrency N]`
//!
//! The floor is requests / limit: 250 requests of 16 tags at 20 per second = 12.5 s. Each case
//! runs the client as it is (paced to the headers) and, in the same run, as the baseline: the
//! behaviour before pacing (`pace_to_rate_limit: false`, and a 429 uses up the retries meant for
//! transient failures). The figures: time / floor, 429s, and tags never delivered.

use std::time::{Duration, Instant};

use edge_cache_bench::{arg_usize, machine};
use vercel_edge_cache::mock::{MockVercel, RateLimit};
use vercel_edge_cache::operations::InvalidateByTags;
use vercel_edge_cache::{EdgeCache, RetryPolicy};

fn main() {
    let tags = arg_usize("tags", 4000);
    let limit = arg_usize("limit", 20) as u64;
    let concurrency = arg_usize("concurrency", 8);
    println!("bulk-rate-limited: {}", machine());
    let requests = tags.div_ceil(16);
    let floor = requests as f64 / limit as f64;
    println!("{tags} tags = {requests} requests at {limit}/s, {concurrency} in flight: floor {floor:.1} s\n");
    println!(
        "{:<18} {:<9} {:>8} {:>10} {:>6} {:>9} {:>6}",
        "429s carry", "mode", "time s", "time/floor", "429s", "requests", "lost"
    );
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        for retry_after in [false, true] {
            for paced in [true, false] {
                let server = MockVercel::start().await;
                let rate = RateLimit::new(limit, Duration::from_secs(1));
                server.rate_limit(if retry_after { rate } else { rate.without_retry_after() });
                server.latency(Duration::from_millis(5));
                let policy = if paced {
                    RetryPolicy::default()
                } else {
                    RetryPolicy { pace_to_rate_limit: false, max_rate_limit_waits: 0, ..RetryPolicy::default() }
                };
                let client = EdgeCache::builder("bench-token")
                    .base_url(server.uri())
                    .concurrency(concurrency)
                    .retry_policy(policy)
                    .build()
                    .expect("client");
                let items: Vec<String> = (0..tags).map(|i| format!("tag-{i}")).collect();
                let started = Instant::now();
                let report = client.invalidate_by_tags("p", items.clone()).send().await.expect("valid input");
                let secs = started.elapsed().as_secs_f64();
                let accepted = server.items::<InvalidateByTags>();
                let all = server.purges().len();
                let limited = server.purges().iter().filter(|p| p.status == 429).count();
                let mut delivered = accepted.clone();
                delivered.sort();
                delivered.dedup();
                let lost = tags - delivered.len();
                let twice = accepted.len() - delivered.len();
                let carries = if retry_after { "Retry-After: 1" } else { "no Retry-After" };
                let mode = if paced { "paced" } else { "baseline" };
                println!(
                    "{carries:<18} {mode:<9} {secs:>8.2} {:>10.3} {:>6} {:>9} {lost:>6}",
                    secs / floor,
                    limited,
                    all
                );
                if paced && (lost > 0 || !report.is_success()) {
                    eprintln!("error: the paced client lost {lost} tags ({} not done)", report.not_done().count());
                    std::process::exit(1);
                }
                println!(
                    "SUMMARY bulk-rate-limited retry_after={retry_after} mode={mode} seconds={secs:.2} ratio_to_floor={:.3} answered_429={} requests={} lost={lost} delivered_twice={twice}",
                    secs / floor,
                    limited,
                    all
                );
            }
        }
    });
}
