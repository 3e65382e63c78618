//! Bulk purges under Vercel's rate limit, and calls cut short: the client paces itself to the
//! `X-RateLimit-*` headers, delivers every item exactly once, and reports every item not done.

use std::time::{Duration, Instant};

use edge_cache_tests::*;
use vercel_edge_cache::mock::{MockVercel, RateLimit};
use vercel_edge_cache::operations::InvalidateByTags;
use vercel_edge_cache::{AskedWait, CancellationToken, EdgeCache, RequestError, RetryPolicy, StopReason, WaitLimit};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The client a bulk purge uses: the default retry policy, 8 in flight.
fn bulk_client(url: &str) -> EdgeCache {
    EdgeCache::builder(TOKEN).base_url(url).concurrency(8).build().unwrap()
}

/// 800 tags at 20 requests per second: 50 requests, a floor of 2.5 s.
async fn bulk_under_the_limit(retry_after: bool) {
    let vercel = MockVercel::start().await;
    let limit = RateLimit::new(20, Duration::from_secs(1));
    vercel.rate_limit(if retry_after { limit } else { limit.without_retry_after() });
    vercel.latency(Duration::from_millis(5));
    let items = tags("t", 800);
    let started = Instant::now();
    let report = bulk_client(&vercel.uri()).invalidate_by_tags("p", items.clone()).send().await.unwrap();
    let elapsed = started.elapsed();
    assert!(report.is_success(), "{:?}", report.first_error());
    let mut delivered = vercel.items::<InvalidateByTags>();
    delivered.sort();
    let mut expected = items.clone();
    expected.sort();
    assert_eq!(delivered, expected, "every tag delivered exactly once");
    let all = vercel.purges();
    let limited = all.iter().filter(|p| p.status == 429).count();
    assert_eq!(limited + vercel.accepted().len(), all.len(), "nothing but 200s and 429s");
    assert!(limited * 20 <= all.len(), "{limited} of {} requests answered 429 (more than 5 %)", all.len());
    // Paced, not stalled: at most twice the floor (the benchmark measures it closely).
    assert!(elapsed < Duration::from_secs(5), "800 tags took {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_purge_paces_itself_to_the_rate_limit_headers() {
    bulk_under_the_limit(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_purge_paces_itself_with_retry_after_too() {
    bulk_under_the_limit(true).await;
}

#[tokio::test]
async fn waiting_out_429s_does_not_use_up_the_retries() {
    let server = MockServer::start().await;
    let limited = error_response(429, "rate_limited", "Slow down").insert_header("retry-after", "0");
    Mock::given(any()).respond_with(limited).up_to_n_times(3).mount(&server).await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let policy = RetryPolicy { max_retries: 0, ..RetryPolicy::default() };
    let client = EdgeCache::builder(TOKEN).base_url(server.uri()).retry_policy(policy).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert!(report.is_success(), "{:?}", report.first_error());
    assert_eq!(requests(&server).await.len(), 4);
}

#[tokio::test]
async fn a_time_budget_stops_the_call_and_reports_every_item_not_done() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5))).mount(&server).await;
    let client = builder(&server.uri()).concurrency(1).max_time(Duration::from_millis(500)).build().unwrap();
    let items = tags("t", 40);
    let started = Instant::now();
    let report = client.invalidate_by_tags("p", items.clone()).send().await.unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(500) && took < Duration::from_millis(1500), "took {took:?}");
    assert_eq!(report.stopped, Some(StopReason::TimeBudget));
    assert!(!report.is_success());
    // The request in flight is abandoned (not confirmed), the rest never sent.
    assert_eq!(report.batches.len(), 1);
    assert!(matches!(report.batches[0].result, Err(RequestError::Stopped { reason: StopReason::TimeBudget, .. })));
    assert_eq!(report.not_sent, items[16..]);
    assert_eq!(report.not_done().collect::<Vec<_>>(), items);
    assert_eq!(report.item_count(), 40);
    assert_eq!(requests(&server).await.len(), 1, "nothing new after the budget");
}

#[tokio::test]
async fn a_per_call_budget_overrides_the_clients() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5))).mount(&server).await;
    let client = builder(&server.uri()).max_time(Duration::from_secs(60)).build().unwrap();
    let started = Instant::now();
    let report = client.invalidate_by_tags("p", ["a"]).max_time(Duration::from_millis(300)).send().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(report.not_done().collect::<Vec<_>>(), ["a"]);
}

#[tokio::test]
async fn a_cancelled_call_sends_nothing_new_and_reports_what_is_not_done() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(300)))
        .mount(&server)
        .await;
    let client = builder(&server.uri()).concurrency(1).build().unwrap();
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(450)).await;
        trigger.cancel();
    });
    let items = tags("t", 160);
    let started = Instant::now();
    let report = client.invalidate_by_tags("p", items.clone()).cancel_on(&cancel).send().await.unwrap();
    // The one in flight at the cancel finishes within the grace; nothing new starts.
    assert!(started.elapsed() < Duration::from_millis(450 + 500 + 400), "took {:?}", started.elapsed());
    assert_eq!(report.stopped, Some(StopReason::Cancelled));
    let done: Vec<&str> = report.succeeded().collect();
    let not_done: Vec<&str> = report.not_done().collect();
    assert_eq!(done.len() + not_done.len(), 160);
    assert_eq!(done, items[..done.len()].iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(requests(&server).await.len(), report.batches.len(), "no request after the cancel");
    // A request was in flight at the cancel (300 ms each, cancel at 450 ms: the second, unless
    // the machine is slow): the grace lets it finish, so it is done, not abandoned, and the rest
    // were never sent.
    let sent = report.batches.len();
    assert!((1..=2).contains(&sent), "{sent} requests");
    assert!(report.batches.iter().all(|b| b.result.is_ok()), "{:?}", report.first_error());
    assert_eq!(report.not_sent, items[16 * sent..]);
}

#[tokio::test]
async fn unpaced_a_429_is_still_waited_out_until_the_reset() {
    // Found with the testing kit: without pacing, a 429 without Retry-After was sent again at
    // once, 20 times, using up the waits in a fraction of a second.
    let vercel = MockVercel::start().await;
    vercel.rate_limit(RateLimit::new(1, Duration::from_secs(1)).without_retry_after());
    let policy = RetryPolicy { pace_to_rate_limit: false, ..RetryPolicy::default() };
    let client = EdgeCache::builder(TOKEN).base_url(vercel.uri()).retry_policy(policy).concurrency(1).build().unwrap();
    let report = client.invalidate_by_tags("p", tags("t", 48)).send().await.unwrap();
    assert!(report.is_success(), "{:?}", report.first_error());
    let limited = vercel.purges().iter().filter(|p| p.status == 429).count();
    assert!(limited <= 3, "{limited} requests answered 429 for 3 batches at one per second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_requests_in_flight_than_a_window_allows_overrun_only_the_first_window() {
    // Found with the testing kit: 4 in flight against 2 per second. Before the first answer of a
    // window nobody knows when it ends; 2 requests were then let out beyond the limit in every
    // window. Only the first window, whose limit nobody knows yet, may see 429s now.
    let vercel = MockVercel::start().await;
    vercel.rate_limit(RateLimit::new(2, Duration::from_secs(1)));
    let client = EdgeCache::builder(TOKEN).base_url(vercel.uri()).concurrency(4).build().unwrap();
    let report = client.invalidate_by_tags("p", tags("t", 128)).send().await.unwrap();
    assert!(report.is_success(), "{:?}", report.first_error());
    let statuses: Vec<u16> = vercel.purges().iter().map(|p| p.status).collect();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(limited <= 2, "{limited} answered 429: {statuses:?}");
}

#[tokio::test]
async fn a_budget_that_runs_out_on_429s_says_what_the_abandoned_request_was_waiting_on() {
    let server =
        server_answering(error_response(429, "rate_limited", "Slow down").insert_header("retry-after", "1")).await;
    let client =
        EdgeCache::builder(TOKEN).base_url(server.uri()).max_time(Duration::from_millis(2500)).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert_eq!(report.stopped, Some(StopReason::TimeBudget));
    let err = only_error(&report);
    let RequestError::Stopped { waits: Some(waits), .. } = err else { panic!("{err:?}") };
    assert_eq!(waits.answers_429, 3, "{waits:?}");
    assert_eq!(waits.last_asked.map(|a| (a.wait, a.header)), Some((Duration::from_secs(1), AskedWait::RETRY_AFTER)));
    assert!(waits.waiting && waits.waited >= Duration::from_secs(2), "{waits:?}");
    assert_eq!(err.rate_limit(), Some(waits));
    let text = err.to_string();
    assert!(
        text.starts_with("invalidateByTags: abandoned, not confirmed: the time budget ran out, while it waited on the rate limit (rate-limited: 3 answers were 429, last Retry-After 1 s, waited 2."),
        "{text}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_window_spent_beyond_max_retry_after_refuses_the_rest_of_the_call_unsent() {
    let server = server_answering(
        ResponseTemplate::new(200)
            .insert_header("x-ratelimit-limit", "100")
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", "99999999999"),
    )
    .await;
    let client = EdgeCache::builder(TOKEN).base_url(server.uri()).concurrency(1).build().unwrap();
    let started = Instant::now();
    let report = client.invalidate_by_tags("p", tags("t", 40)).send().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(requests(&server).await.len(), 1);
    assert!(report.batches[0].result.is_ok());
    for batch in &report.batches[1..] {
        let err = batch.result.as_ref().unwrap_err();
        let RequestError::RateLimited { answer: None, limit: WaitLimit::MaxRetryAfter { asked, max }, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!((asked.header, *max), (AskedWait::RESET, Duration::from_secs(60)));
        assert!(asked.wait > Duration::from_secs(3_000 * 365 * 86_400), "{asked:?}");
        assert!(err.to_string().starts_with("invalidateByTags: not sent: Vercel asked to wait "), "{err}");
        assert!(err.is_rate_limited() && err.is_transient() && err.status().is_none());
    }
    assert_eq!(report.not_done().count(), 24);
}

#[tokio::test]
async fn when_the_waits_run_out_the_error_says_so_and_what_the_request_met() {
    let server =
        server_answering(error_response(429, "rate_limited", "Slow down").insert_header("retry-after", "0")).await;
    let policy = RetryPolicy { max_rate_limit_waits: 3, ..RetryPolicy::default() };
    let client = EdgeCache::builder(TOKEN).base_url(server.uri()).retry_policy(policy).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert_eq!(requests(&server).await.len(), 4, "the first attempt and 3 waits, no retries on top");
    let err = only_error(&report);
    let RequestError::RateLimited { limit: WaitLimit::MaxRateLimitWaits { max: 3 }, waits, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(waits.answers_429, 4);
    assert_eq!(
        err.to_string(),
        "invalidateByTags: HTTP 429 Too Many Requests: rate_limited: Slow down (after 4 attempts): answered 429 again after 3 waits, the most max_rate_limit_waits allows; rate-limited: 4 answers were 429, last Retry-After 0 s"
    );
}
