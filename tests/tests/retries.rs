//! Retries: which failures are tried again, how often, and how long the client waits
//! (`Retry-After` in seconds or as an HTTP date). The mock counts the requests it gets.

use std::time::{Duration, Instant, SystemTime};

use edge_cache_tests::raw::{RawServer, Reply};
use edge_cache_tests::*;
use vercel_edge_cache::{RequestError, WaitLimit};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server answering `first` to the first `times` requests, then 200.
async fn failing_then_ok(first: ResponseTemplate, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(first).up_to_n_times(times).with_priority(1).mount(&server).await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200)).with_priority(2).mount(&server).await;
    server
}

/// Runs `fut`, failing if it takes longer than `limit` (a `Retry-After` ignored for the
/// minute-long backoff of [`slow_backoff`] would).
async fn within<T>(limit: Duration, what: &str, fut: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = tokio::time::timeout(limit, fut)
        .await
        .unwrap_or_else(|_| panic!("{what}: not done within {limit:?}; Retry-After was not honoured"));
    (out, started.elapsed())
}

#[tokio::test]
async fn a_429_with_retry_after_in_seconds_is_retried_after_that_many_seconds() {
    let server =
        failing_then_ok(error_response(429, "rate_limited", "Slow down").insert_header("Retry-After", "1"), 1).await;
    let client = builder(&server.uri()).retry_policy(slow_backoff(3, Duration::from_secs(60))).build().unwrap();
    let (report, elapsed) =
        within(Duration::from_secs(5), "Retry-After: 1", client.invalidate_by_tags("p", ["a"]).send()).await;
    let report = report.unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(requests(&server).await.len(), 2);
    assert!(elapsed >= Duration::from_millis(950), "retried after {elapsed:?}, before the 1 s of Retry-After");
    assert!(elapsed < Duration::from_secs(3), "retried after {elapsed:?}");
}

#[tokio::test]
async fn a_429_with_retry_after_as_an_http_date_is_retried_by_that_date() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(1));
    let server = failing_then_ok(
        error_response(429, "rate_limited", "Slow down").insert_header("Retry-After", date.as_str()),
        1,
    )
    .await;
    let client = builder(&server.uri()).retry_policy(slow_backoff(3, Duration::from_secs(60))).build().unwrap();
    let (report, elapsed) =
        within(Duration::from_secs(5), "Retry-After: <date>", client.invalidate_by_tags("p", ["a"]).send()).await;
    assert!(report.unwrap().is_success());
    assert_eq!(requests(&server).await.len(), 2);
    // The date has whole seconds: the wait is at most one second.
    assert!(elapsed < Duration::from_secs(3), "retried after {elapsed:?} for {date}");
}

#[tokio::test]
async fn a_retry_after_date_beyond_max_retry_after_is_not_waited_and_the_error_names_it() {
    // A date an hour away is parsed, and more than max_retry_after (300 ms): the request fails at
    // once, naming the wait and the setting, and is not sent again.
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    let server = failing_then_ok(
        error_response(429, "rate_limited", "Slow down").insert_header("Retry-After", date.as_str()),
        1,
    )
    .await;
    let client = builder(&server.uri()).retry_policy(slow_backoff(3, Duration::from_millis(300))).build().unwrap();
    let (report, elapsed) =
        within(Duration::from_secs(5), "Retry-After beyond the cap", client.invalidate_by_tags("p", ["a"]).send())
            .await;
    let report = report.unwrap();
    let err = only_error(&report);
    assert!(elapsed < Duration::from_millis(250), "waited {elapsed:?} for a wait it does not take");
    assert_eq!(requests(&server).await.len(), 1);
    let RequestError::RateLimited { limit: WaitLimit::MaxRetryAfter { asked, max }, answer: Some(answer), .. } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!((asked.header, *max), ("Retry-After", Duration::from_millis(300)));
    assert!(asked.wait > Duration::from_secs(3590), "{asked:?}");
    assert_eq!((answer.status, answer.code.as_deref()), (429, Some("rate_limited")));
    assert!(err.is_rate_limited() && err.is_transient());
    let text = err.to_string();
    assert!(
        text.starts_with(
            "invalidateByTags: HTTP 429 Too Many Requests: rate_limited: Slow down: Vercel asked to wait 35"
        ),
        "{text}"
    );
    assert!(text.ends_with(" s (Retry-After), more than max_retry_after (0.3 s)"), "{text}");
}

#[tokio::test]
async fn a_503_twice_then_200_succeeds_after_three_requests() {
    let server = failing_then_ok(error_response(503, "service_unavailable", "Try again"), 2).await;
    let client = builder(&server.uri()).retry_policy(quick_retries(3)).build().unwrap();
    let report =
        client.dangerously_delete_by_tags("p", ["a", "b"]).revalidation_deadline_seconds(10).send().await.unwrap();
    assert!(report.is_success(), "{report:#?}");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    // Each retry is the same request.
    for r in &sent {
        assert_eq!(body(r), body(&sent[0]));
        assert_eq!(r.url, sent[0].url);
        assert_eq!(header(r, "authorization"), Some(format!("Bearer {TOKEN}")));
    }
}

#[tokio::test]
async fn other_transient_server_errors_are_retried() {
    for status in [500, 502, 504] {
        let server = failing_then_ok(ResponseTemplate::new(status), 1).await;
        let client = builder(&server.uri()).retry_policy(quick_retries(1)).build().unwrap();
        let report = client.invalidate_by_src_images("p", ["/a.png"]).send().await.unwrap();
        assert!(report.is_success(), "{status}: {report:#?}");
        assert_eq!(requests(&server).await.len(), 2, "{status}");
    }
}

#[tokio::test]
async fn max_retries_n_makes_n_plus_one_requests_at_most() {
    for n in [0u32, 1, 3] {
        let server = server_answering(error_response(503, "service_unavailable", "Down")).await;
        let client = builder(&server.uri()).retry_policy(quick_retries(n)).build().unwrap();
        let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
        let err = only_error(&report);
        let e = api_error(err);
        assert_eq!(e.status, 503);
        assert_eq!(e.attempts, n + 1, "max_retries {n}");
        assert_eq!(requests(&server).await.len(), (n + 1) as usize, "max_retries {n}");
        if n > 0 {
            assert!(err.to_string().ends_with(&format!(" (after {} attempts)", n + 1)), "{err}");
        } else {
            assert!(!err.to_string().contains("attempts"), "{err}");
        }
    }
}

#[tokio::test]
async fn the_builders_max_retries_sets_the_bound() {
    let server = server_answering(ResponseTemplate::new(502)).await;
    // `max_retries(2)` on top of a quick policy (so the test does not wait for the default backoff).
    let client = builder(&server.uri()).retry_policy(quick_retries(0)).max_retries(2).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert_eq!(api_error(only_error(&report)).attempts, 3);
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for status in [400, 401, 402, 403, 404, 410] {
        let server = server_answering(error_response(status, "nope", "No")).await;
        let client = builder(&server.uri()).retry_policy(quick_retries(3)).build().unwrap();
        let report = client.invalidate_by_src_images("p", ["/a.png"]).send().await.unwrap();
        assert_eq!(api_error(only_error(&report)).attempts, 1, "{status}");
        assert_eq!(requests(&server).await.len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn a_reset_connection_is_retried() {
    let server = RawServer::start(vec![Reply::Reset, Reply::complete("200 OK", "")]).await;
    let client = builder(&server.url).retry_policy(quick_retries(2)).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_reset_connection_every_time_reports_the_attempts() {
    let server = RawServer::start(vec![Reply::Reset]).await;
    let client = builder(&server.url).retry_policy(quick_retries(2)).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    assert!(matches!(err, RequestError::Connection { attempts: 3, .. }), "{err:?}");
    assert!(err.to_string().ends_with(" (after 3 attempts)"), "{err}");
    assert_eq!(server.connections(), 3);
}

#[tokio::test]
async fn a_timed_out_attempt_is_retried() {
    let server = failing_then_ok(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)), 1).await;
    let client =
        builder(&server.uri()).timeout(Duration::from_millis(200)).retry_policy(quick_retries(1)).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_body_cut_short_is_retried_on_a_server_error() {
    let server = RawServer::start(vec![
        Reply::truncated("503 Service Unavailable", 100, "{\"err"),
        Reply::complete("200 OK", ""),
    ])
    .await;
    let client = builder(&server.url).retry_policy(quick_retries(1)).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(server.connections(), 2);
}
