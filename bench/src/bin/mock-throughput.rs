//! What the testing kit costs a test per request: purges/second of
//! `client.invalidate_by_tags("p", tags).send()` against `vercel_edge_cache::mock::MockVercel`
//! (routes, checks every rule with the generated checks, records) and, in the same run,
//! against the bench's bare server (answers 200 at once, reads nothing).
//!
//! `cargo run --release -p edge-cache-bench --bin mock-throughput [-- --rounds N --requests N
//! --tags N]`
//!
//! Each server runs on its own thread; the client on a single-threaded runtime, one request in
//! flight. Within a round the two sides take turns (order alternating); the figure is the median
//! of the per-round ratios mock/bare.

use std::time::Instant;

use edge_cache_bench::{Server, ServerConfig, arg_usize, machine, median, min_max};
use vercel_edge_cache::EdgeCache;
use vercel_edge_cache::mock::MockVercel;
use vercel_edge_cache::operations::InvalidateByTags;

/// Starts a mock on a thread of its own; its base URL.
fn mock_on_its_own_thread() -> (String, std::sync::mpsc::Receiver<usize>, std::sync::mpsc::Sender<()>) {
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let (count_tx, count_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let vercel = MockVercel::start().await;
            url_tx.send(vercel.uri()).expect("send the URL");
            // Wait for the stop without blocking the runtime's thread.
            while stop_rx.try_recv().is_err() {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            count_tx.send(vercel.items::<InvalidateByTags>().len()).expect("send the count");
        });
    });
    (url_rx.recv().expect("the mock's URL"), count_rx, stop_tx)
}

fn main() {
    let rounds = arg_usize("rounds", 7);
    let requests = arg_usize("requests", 2000);
    let tag_count = arg_usize("tags", 16);
    println!("mock-throughput: {}", machine());
    println!("{rounds} rounds of {requests} requests of {tag_count} tags per side, one in flight\n");

    let bare = Server::start(ServerConfig::default());
    let bare_url = format!("http://{}", bare.addr);
    let (mock_url, mock_count, stop_mock) = mock_on_its_own_thread();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let tags: Vec<String> = (0..tag_count).map(|i| format!("post-{i}")).collect();
    let client = |url: &str| EdgeCache::builder("bench-token").base_url(url).build().expect("client");
    let (to_bare, to_mock) = (client(&bare_url), client(&mock_url));

    let run = |c: &EdgeCache| {
        rt.block_on(async {
            let started = Instant::now();
            for _ in 0..requests {
                let report = c.invalidate_by_tags("p", tags.clone()).send().await.expect("valid input");
                assert!(report.is_success(), "{:?}", report.first_error());
            }
            requests as f64 / started.elapsed().as_secs_f64()
        })
    };
    // Warm-up: connections, allocator.
    run(&to_bare);
    run(&to_mock);

    let mut ratios = Vec::new();
    println!("{:>5} {:>12} {:>12} {:>10}", "round", "bare req/s", "mock req/s", "mock/bare");
    for round in 0..rounds {
        let (b, m) = if round % 2 == 0 {
            let b = run(&to_bare);
            (b, run(&to_mock))
        } else {
            let m = run(&to_mock);
            (run(&to_bare), m)
        };
        ratios.push(m / b);
        println!("{round:>5} {b:>12.0} {m:>12.0} {:>10.3}", m / b);
    }
    stop_mock.send(()).expect("stop the mock");
    let recorded = mock_count.recv().expect("the mock's count");
    assert_eq!(recorded, (rounds + 1) * requests * tag_count, "the mock recorded every tag");
    let (lo, hi) = min_max(&ratios);
    println!("\nmock/bare: median {:.3} (min {lo:.3}, max {hi:.3})", median(&ratios));
    println!(
        "SUMMARY mock-throughput requests={requests} tags={tag_count} ratio_median={:.3} min={lo:.3} max={hi:.3}",
        median(&ratios)
    );
}
