//! What the testing kit costs a test per request: purges/second of
//! `client.invalidate_by_tags("p", tags).send()` against `vercel_edge_cache::mock::MockVercel`
//! (routes, checks every rule with the generated checks, records) and, in the same run,
//! against what a test would use otherwise: a wiremock server answering 200 to anything (it
//! records every request too, and checks nothing).
//!
//! `cargo run --release -p edge-cache-bench --bin mock-throughput [-- --rounds N --requests N
//! --tags N --block N]`
//!
//! Client and servers share one single-threaded runtime, as in a `#[tokio::test]`, so that no
//! figure depends on how the shared machine schedules threads; one request is in flight. Within
//! a round the two sides take turns in blocks of 100 requests, the order alternating; the figure
//! is the median of the per-round ratios mock/wiremock.

use std::time::Instant;

use edge_cache_bench::{arg_usize, machine, median, min_max};
use vercel_edge_cache::EdgeCache;
use vercel_edge_cache::mock::MockVercel;
use vercel_edge_cache::operations::InvalidateByTags;

fn main() {
    let rounds = arg_usize("rounds", 9);
    let requests = arg_usize("requests", 2000);
    let tag_count = arg_usize("tags", 16);
    let block_size = arg_usize("block", 100).max(1);
    println!("mock-throughput: {}", machine());
    println!("{rounds} rounds of {requests} requests of {tag_count} tags per side, one in flight\n");

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let wiremock = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(wiremock::ResponseTemplate::new(200))
            .mount(&wiremock)
            .await;
        let vercel = MockVercel::start().await;
        let tags: Vec<String> = (0..tag_count).map(|i| format!("post-{i}")).collect();
        let client = |url: &str| EdgeCache::builder("bench-token").base_url(url).build().expect("client");
        let (to_wiremock, to_mock) = (client(&wiremock.uri()), client(&vercel.uri()));

        // Seconds for `n` requests.
        let run = async |c: &EdgeCache, n: usize| {
            let started = Instant::now();
            for _ in 0..n {
                let report = c.invalidate_by_tags("p", tags.clone()).send().await.expect("valid input");
                assert!(report.is_success(), "{:?}", report.first_error());
            }
            started.elapsed().as_secs_f64()
        };
        // Warm-up: connections, allocator.
        run(&to_wiremock, requests).await;
        run(&to_mock, requests).await;

        let mut ratios = Vec::new();
        println!("{:>5} {:>12} {:>12} {:>14}", "round", "wiremock/s", "mock/s", "mock/wiremock");
        for round in 0..rounds {
            let (mut wiremock_s, mut mock_s) = (0.0, 0.0);
            for block in 0..requests.div_ceil(block_size) {
                let n = block_size.min(requests - block * block_size);
                if (round + block) % 2 == 0 {
                    wiremock_s += run(&to_wiremock, n).await;
                    mock_s += run(&to_mock, n).await;
                } else {
                    mock_s += run(&to_mock, n).await;
                    wiremock_s += run(&to_wiremock, n).await;
                }
            }
            let (w, m) = (requests as f64 / wiremock_s, requests as f64 / mock_s);
            ratios.push(m / w);
            println!("{round:>5} {w:>12.0} {m:>12.0} {:>14.3}", m / w);
            // wiremock keeps every request: start each round afresh, as each test would.
            wiremock.reset().await;
            wiremock::Mock::given(wiremock::matchers::any())
                .respond_with(wiremock::ResponseTemplate::new(200))
                .mount(&wiremock)
                .await;
            vercel.clear();
        }
        assert_eq!(vercel.items::<InvalidateByTags>().len(), 0, "cleared");
        let (lo, hi) = min_max(&ratios);
        println!("\nmock/wiremock: median {:.3} (min {lo:.3}, max {hi:.3})", median(&ratios));
        println!(
            "SUMMARY mock-throughput requests={requests} tags={tag_count} ratio_median={:.3} min={lo:.3} max={hi:.3}",
            median(&ratios)
        );
    });
}
