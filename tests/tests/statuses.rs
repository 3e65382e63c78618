//! What the user gets back when the API (or the network) fails: every documented status, an
//! undocumented one, bodies that are not Vercel's error object, a body cut short, a reset
//! connection, a timeout. And the token never shows in any of it.

use std::time::{Duration, Instant};

use edge_cache_tests::raw::{RawServer, Reply, closed_port_url};
use edge_cache_tests::*;
use vercel_edge_cache::{ApiError, EdgeCache, Outcome, RequestError, RetryPolicy, StopReason};
use wiremock::{MockServer, ResponseTemplate};

/// The status, Vercel's code and message, for each documented error status.
fn documented(op: Op) -> Vec<(u16, &'static str, &'static str, &'static str)> {
    let mut cases = vec![
        (400, "Bad Request", "bad_request", "Invalid request: `tags` should be an array."),
        (401, "Unauthorized", "not_authorized", "The request is missing an authentication token"),
        (403, "Forbidden", "forbidden", "You don't have permission to access this project"),
        (404, "Not Found", "not_found", "Project not found"),
        (410, "Gone", "gone", "This project was deleted"),
    ];
    if op.documents_402() {
        cases.push((402, "Payment Required", "payment_required", "Image optimisation is not included in your plan"));
    }
    cases
}

#[tokio::test]
async fn every_documented_status_is_an_api_error_with_vercels_code_and_message() {
    for op in Op::all() {
        for (status, reason, code, message) in documented(op) {
            // As Vercel's edge answers: with the request's ID.
            let id = format!("cdg1::iad1::{status}-{}", op.operation_id());
            let server =
                server_answering(error_response(status, code, message).insert_header("x-vercel-id", id.as_str())).await;
            let client = client(&server.uri());
            let report = op.send_plain(&client, "proj", op.items(2)).await.expect("valid input is sent");
            assert!(!report.is_success());
            let err = only_error(&report);
            assert_eq!(
                api_error(err),
                &ApiError {
                    operation: op.operation_id(),
                    status,
                    code: Some(code.into()),
                    message: Some(message.into()),
                    body_excerpt: None,
                    attempts: 1,
                    request_id: Some(id.clone()),
                },
                "{op:?} {status}"
            );
            assert_eq!(err.status(), Some(status));
            assert_eq!(
                (err.request_id(), report.batches[0].request_id.as_deref()),
                (Some(id.as_str()), Some(id.as_str()))
            );
            assert_eq!(
                err.to_string(),
                format!("{}: HTTP {status} {reason}: {code}: {message} (x-vercel-id {id})", op.operation_id())
            );
            assert_eq!(report.succeeded().count(), 0);
            assert_eq!(report.failures().next().unwrap().items, op.items(2));
            assert_eq!(requests(&server).await.len(), 1, "{op:?} {status}: sent once");
        }
    }
}

#[tokio::test]
async fn a_402_on_a_tag_operation_still_carries_vercels_code_and_message() {
    // Not documented for the tag operations, but the spec's `default` response types it.
    let server = server_answering(error_response(402, "payment_required", "Upgrade")).await;
    let client = client(&server.uri());
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let e = api_error(only_error(&report));
    assert_eq!((e.status, e.code.as_deref(), e.message.as_deref()), (402, Some("payment_required"), Some("Upgrade")));
}

#[tokio::test]
async fn an_undocumented_500_is_an_api_error_with_vercels_code_and_message() {
    let server = server_answering(error_response(500, "internal_server_error", "An unexpected error occurred")).await;
    let client = client(&server.uri());
    let report = client.dangerously_delete_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    assert_eq!(
        api_error(err),
        &ApiError {
            operation: "dangerouslyDeleteByTags",
            status: 500,
            code: Some("internal_server_error".into()),
            message: Some("An unexpected error occurred".into()),
            body_excerpt: None,
            attempts: 1,
            request_id: None,
        }
    );
    assert_eq!(
        err.to_string(),
        "dangerouslyDeleteByTags: HTTP 500 Internal Server Error: internal_server_error: An unexpected error occurred"
    );
}

#[tokio::test]
async fn a_429_is_an_api_error_with_vercels_code_and_message() {
    let server =
        server_answering(error_response(429, "rate_limited", "Too many requests").insert_header("retry-after", "1"))
            .await;
    let client = client(&server.uri()); // no retries
    let started = Instant::now();
    let report = client.invalidate_by_src_images("p", ["/a.png"]).send().await.unwrap();
    // With no retry left, Retry-After is not waited for.
    assert!(started.elapsed() < Duration::from_millis(900), "waited {:?} for nothing", started.elapsed());
    assert_eq!(requests(&server).await.len(), 1);
    let err = only_error(&report);
    let e = api_error(err);
    assert_eq!(
        (e.status, e.code.as_deref(), e.message.as_deref()),
        (429, Some("rate_limited"), Some("Too many requests"))
    );
    assert_eq!(err.to_string(), "invalidateBySrcImages: HTTP 429 Too Many Requests: rate_limited: Too many requests");
}

const HTML: &str =
    "<html>\n  <head><title>502 Bad Gateway</title></head>\n  <body><h1>502 Bad Gateway</h1></body>\n</html>\n";

#[tokio::test]
async fn an_html_body_is_reported_as_an_excerpt_on_documented_and_undocumented_statuses() {
    for status in [403, 502] {
        let server = server_answering(ResponseTemplate::new(status).set_body_raw(HTML, "text/html")).await;
        let client = client(&server.uri());
        let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
        let err = only_error(&report);
        let e = api_error(err);
        assert_eq!(e.status, status);
        assert_eq!((e.code.as_deref(), e.message.as_deref()), (None, None), "{status}");
        let excerpt =
            "<html> <head><title>502 Bad Gateway</title></head> <body><h1>502 Bad Gateway</h1></body> </html>";
        assert_eq!(e.body_excerpt.as_deref(), Some(excerpt), "{status}");
        assert!(
            err.to_string().ends_with(&format!("; the body is not Vercel's error object: {excerpt}")),
            "{status}: {err}"
        );
    }
}

/// An error message that would clear the screen, set the window's title, ring the bell, print
/// a line that looks like the CLI's own, then open a C1 control sequence and end with DEL.
const HOSTILE: &str = "denied\x1b[2J\x1b]0;pwned\x07\x07\r\nerror: your disk is full\u{9b}31m\x7f";

/// Whether `text` holds a control character (C0, DEL, C1).
fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

#[tokio::test]
async fn server_text_is_escaped_when_shown_and_exact_in_the_fields() {
    let code = "forbidden\x1b[0m";
    let server = server_answering(error_response(403, code, HOSTILE)).await;
    let client = client(&server.uri());
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    let e = api_error(err);
    // The fields are the server's text, exactly: code can match it.
    assert_eq!((e.code.as_deref(), e.message.as_deref()), (Some(code), Some(HOSTILE)));
    // Shown, every control character is a visible escape.
    for shown in [format!("{e}"), format!("{err}")] {
        assert!(!has_control(&shown), "a control character is shown: {shown:?}");
    }
    assert_eq!(
        format!("{e}"),
        r"invalidateByTags: HTTP 403 Forbidden: forbidden\u{1b}[0m: denied\u{1b}[2J\u{1b}]0;pwned\u{7}\u{7}\r\nerror: your disk is full\u{9b}31m\u{7f}"
    );
    // A body that is not Vercel's error object: its excerpt is escaped too.
    let server = server_answering(ResponseTemplate::new(403).set_body_raw(HOSTILE, "text/plain")).await;
    let report = self::client(&server.uri()).invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    let excerpt = api_error(err).body_excerpt.clone().unwrap();
    assert!(!has_control(&excerpt) && !has_control(&err.to_string()), "{excerpt:?} / {err:?}");
    assert!(excerpt.starts_with(r"denied\u{1b}[2J"), "{excerpt}");
}

#[tokio::test]
async fn a_long_non_json_body_is_cut_to_a_short_excerpt() {
    let long = "x".repeat(5000);
    let server = server_answering(ResponseTemplate::new(500).set_body_raw(long, "text/plain")).await;
    let client = client(&server.uri());
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    let excerpt = api_error(err).body_excerpt.clone().unwrap();
    assert!(excerpt.chars().count() <= 201, "{} characters", excerpt.chars().count());
    assert!(err.to_string().len() < 400, "{err}");
}

#[tokio::test]
async fn an_empty_body_is_reported_as_such() {
    for status in [404, 500] {
        let server = server_answering(ResponseTemplate::new(status)).await;
        let client = client(&server.uri());
        let report = client.dangerously_delete_by_src_images("p", ["/a.png"]).send().await.unwrap();
        let err = only_error(&report);
        let e = api_error(err);
        assert_eq!((e.status, e.code.as_deref(), e.message.as_deref()), (status, None, None));
        assert_eq!(e.body_excerpt.as_deref().unwrap_or(""), "", "{status}");
        assert!(err.to_string().ends_with("(empty body)"), "{status}: {err}");
    }
}

#[tokio::test]
async fn a_json_error_body_without_a_message_keeps_the_code() {
    let server =
        server_answering(ResponseTemplate::new(403).set_body_json(serde_json::json!({"error": {"code": "forbidden"}})))
            .await;
    let client = client(&server.uri());
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    let e = api_error(err);
    assert_eq!((e.status, e.code.as_deref(), e.message.as_deref()), (403, Some("forbidden"), None));
    assert_eq!(err.to_string(), "invalidateByTags: HTTP 403 Forbidden: forbidden");
}

#[tokio::test]
async fn a_body_cut_short_is_an_invalid_response_with_the_status() {
    // Content-Length says 120; the connection closes after 17 bytes.
    let server = RawServer::start(vec![Reply::truncated("400 Bad Request", 120, r#"{"error":{"code":"#)]).await;
    let client = client(&server.url);
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    match err {
        RequestError::InvalidResponse { operation, status, message } => {
            assert_eq!((*operation, *status), ("invalidateByTags", 400));
            assert!(!message.is_empty());
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().starts_with("invalidateByTags: HTTP 400: the response could not be read: "), "{err}");
    assert_eq!(server.connections(), 1);
    assert!(server.requests()[0].contains("\"tags\":[\"a\"]"));
}

#[tokio::test]
async fn a_reset_connection_is_a_connection_error() {
    let server = RawServer::start(vec![Reply::Reset]).await;
    let client = client(&server.url);
    let report = client.dangerously_delete_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    match err {
        RequestError::Connection { operation, message, attempts } => {
            assert_eq!((*operation, *attempts), ("dangerouslyDeleteByTags", 1));
            assert!(!message.is_empty());
        }
        other => panic!("expected Connection, got {other:?}"),
    }
    assert_eq!(err.status(), None);
    assert!(err.to_string().starts_with("dangerouslyDeleteByTags: connection failed: "), "{err}");
    assert_eq!(server.connections(), 1, "the request reached the server once");
}

#[tokio::test]
async fn nothing_listening_is_a_connection_error() {
    let client = client(&closed_port_url());
    let report = client.invalidate_by_src_images("p", ["/a.png"]).send().await.unwrap();
    let err = only_error(&report);
    assert!(matches!(err, RequestError::Connection { attempts: 1, .. }), "{err:?}");
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_a_timeout() {
    let server = server_answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(3))).await;
    let timeout = Duration::from_millis(200);
    let client = builder(&server.uri()).timeout(timeout).build().unwrap();
    let started = Instant::now();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let elapsed = started.elapsed();
    let err = only_error(&report);
    match err {
        RequestError::Timeout { operation, timeout: t, attempts } => {
            assert_eq!((*operation, *t, *attempts), ("invalidateByTags", timeout, 1));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert_eq!(err.to_string(), "invalidateByTags: timed out after 200ms");
    assert!(elapsed < Duration::from_secs(2), "gave up after {elapsed:?}, not after the 200ms timeout");
}

// ---- The token stays secret ----

#[tokio::test]
async fn the_token_is_not_in_a_401s_error() {
    let server: MockServer = server_answering(error_response(401, "not_authorized", "Invalid token")).await;
    let client = client(&server.uri());
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    assert_eq!(err.status(), Some(401));
    // It was sent, though.
    assert_eq!(header(&only_request(&server).await, "authorization"), Some(format!("Bearer {TOKEN}")));
    assert_no_token(&[
        ("Display", err.to_string()),
        ("Debug", format!("{err:?}")),
        ("alternate Debug", format!("{err:#?}")),
        ("the report's Debug", format!("{report:?}")),
        ("the client's Debug", format!("{client:?}")),
    ]);
}

#[tokio::test]
async fn the_token_is_not_in_connection_or_timeout_errors() {
    let reset = RawServer::start(vec![Reply::Reset]).await;
    let slow = server_answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(3))).await;
    for (label, client) in [
        ("nothing listening", client(&closed_port_url())),
        ("reset", client(&reset.url)),
        ("timeout", builder(&slow.uri()).timeout(Duration::from_millis(100)).build().unwrap()),
    ] {
        let report = client.dangerously_delete_by_src_images("p", ["/a.png"]).send().await.unwrap();
        let err = only_error(&report);
        assert!(matches!(err, RequestError::Connection { .. } | RequestError::Timeout { .. }), "{label}: {err:?}");
        assert_no_token(&[
            (label, err.to_string()),
            (label, format!("{err:?}")),
            (label, format!("{err:#?}")),
            (label, format!("{report:?}")),
        ]);
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_so_the_token_goes_nowhere_else() {
    let elsewhere = ok_server().await;
    let target = format!("{}/v1/edge-cache/invalidate-by-tags?projectIdOrName=p", elsewhere.uri());
    let server = server_answering(ResponseTemplate::new(307).insert_header("location", target.as_str())).await;
    let client = client(&server.uri());
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    let err = only_error(&report);
    assert_eq!(err.status(), Some(307), "{err:?}");
    assert_eq!(requests(&server).await.len(), 1);
    assert_nothing_sent(&elsewhere).await;
}

/// 5 000 tags, in 313 requests of 16.
fn five_thousand_tags() -> Vec<String> {
    tags("t", 5000)
}

#[tokio::test]
async fn a_refused_token_stops_the_call_after_the_requests_in_flight_and_every_tag_is_not_done() {
    // The testing kit, requiring another token: every request is answered 401.
    let vercel = vercel_edge_cache::mock::MockVercel::start().await;
    vercel.require_token("the-right-token");
    let client = EdgeCache::builder(TOKEN).base_url(vercel.uri()).build().unwrap();
    let concurrency = EdgeCache::DEFAULT_CONCURRENCY;
    let report = client.invalidate_by_tags("my-site", five_thousand_tags()).send().await.unwrap();
    let sent = vercel.purges().len();
    assert!((1..=concurrency).contains(&sent), "at most the requests in flight are sent, {sent} were");
    match report.outcome() {
        Outcome::Stopped { reason: StopReason::Refused { status: 401 }, cause: Some(cause) } => {
            assert_eq!(cause.status(), Some(401));
            assert_eq!(cause.refusal(), Some(401));
        }
        other => panic!("not stopped by the refusal: {other:?}"),
    }
    assert_eq!(report.not_done().count(), 5000, "every tag is reported not done");
    assert_eq!(report.not_sent.len(), 5000 - 16 * report.batches.len());
    let Outcome::Stopped { reason, .. } = report.outcome() else { unreachable!() };
    assert_eq!(reason.to_string(), "Vercel refused a request (HTTP 401), as it would refuse every other");
}

#[tokio::test]
async fn each_refusing_status_stops_the_call_and_the_setting_turns_it_off() {
    for status in [401, 402, 403, 404] {
        let server = server_answering(error_response(status, "nope", "No")).await;
        let client = builder(&server.uri()).concurrency(1).build().unwrap();
        let report = client.invalidate_by_tags("my-site", tags("t", 48)).send().await.unwrap();
        assert_eq!(requests(&server).await.len(), 1, "{status}: one request, then the call stops");
        assert!(
            matches!(report.outcome(), Outcome::Stopped { reason: StopReason::Refused { status: s }, .. } if s == status)
        );
    }
    // A 500 is not a refusal: every batch is sent.
    let server = server_answering(error_response(500, "internal_server_error", "Oops")).await;
    let report = builder(&server.uri())
        .concurrency(1)
        .build()
        .unwrap()
        .invalidate_by_tags("p", tags("t", 48))
        .send()
        .await
        .unwrap();
    assert_eq!(requests(&server).await.len(), 3);
    assert!(matches!(report.outcome(), Outcome::Partial { .. }));
    // Off, the old behaviour: every batch is sent whatever the answers.
    let server = server_answering(error_response(403, "forbidden", "No")).await;
    let policy = RetryPolicy { max_retries: 0, stop_on_refusal: false, ..RetryPolicy::default() };
    let client = builder(&server.uri()).retry_policy(policy).concurrency(1).build().unwrap();
    let report = client.invalidate_by_tags("p", tags("t", 48)).send().await.unwrap();
    assert_eq!(requests(&server).await.len(), 3);
    assert!(matches!(report.outcome(), Outcome::Partial { .. }));
}

#[tokio::test]
async fn a_success_keeps_vercels_request_id_in_its_batch() {
    let server = server_answering(ResponseTemplate::new(200).insert_header("x-vercel-id", "sfo1::abcd-1234")).await;
    let client = client(&server.uri());
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(report.batches[0].request_id.as_deref(), Some("sfo1::abcd-1234"));
}

/// `into_result()` turns every way a call can fall short into an `Error` a `?` can carry, with
/// the cause the outcome names: a refusal is `is_auth()` whether it failed the call (`Partial`)
/// or stopped it (`Stopped`, when requests were left to send); a stop with no failure is the stop;
/// an item left out as invalid is the invalid input. A call that did everything is its report.
#[tokio::test]
async fn into_result_is_the_report_or_the_outcomes_cause_as_an_error() {
    use vercel_edge_cache::Error;
    use vercel_edge_cache::mock::{Fault, MockVercel};
    let vercel = MockVercel::start().await;
    let client = builder(&vercel.uri()).concurrency(1).build().unwrap();
    let op = Op::named("invalidateByTags");

    let done = op.send_plain(&client, "proj", op.items(1)).await.unwrap();
    done.into_result().expect("all done");

    // One request refused: the call failed (Partial).
    vercel.fail_next(Fault::status(403).error("forbidden", "Nope"));
    let partial = op.send_plain(&client, "proj", op.items(1)).await.unwrap();
    assert!(matches!(partial.outcome(), Outcome::Partial { .. }));
    // Its one line for a person: what it is, and the cause.
    let cause = partial.first_error().unwrap().to_string();
    assert_eq!(partial.outcome().to_string(), format!("not all done: {cause}"));
    let err = partial.into_result().unwrap_err();
    assert!(err.is_auth() && err.status() == Some(403), "{err:?}");

    // The first of several requests refused: the call stopped (Stopped, with the 403 as cause).
    vercel.fail_next(Fault::status(403).error("forbidden", "Nope"));
    let stopped = op.send_plain(&client, "proj", op.items(3 * op.max_items())).await.unwrap();
    assert!(matches!(stopped.outcome(), Outcome::Stopped { reason: StopReason::Refused { status: 403 }, .. }));
    let line = stopped.outcome().to_string();
    assert!(
        line.starts_with("stopped: Vercel refused a request (HTTP 403)") && line.contains("; first failure: "),
        "{line}"
    );
    let not_done = stopped.not_done().count();
    assert_eq!(not_done, 3 * op.max_items(), "nothing was done");
    let err = stopped.into_result().unwrap_err();
    assert!(err.is_auth() && err.status() == Some(403), "{err:?}");

    // A budget that ran out with nothing failed: the stop.
    vercel.latency(Duration::from_secs(5));
    let slow = client.invalidate_by_tags("proj", ["a"]).max_time(Duration::from_millis(200)).send().await.unwrap();
    match slow.into_result().unwrap_err() {
        Error::Request(RequestError::Stopped { reason: StopReason::TimeBudget, .. }) => {}
        other => panic!("expected the stop, got {other:?}"),
    }
    vercel.latency(Duration::ZERO);

    // Items left out as invalid: the first of them.
    let long = "x".repeat(10_000);
    let invalid = client.invalidate_by_tags("proj", ["a", &long]).skip_invalid().send().await.unwrap();
    let left_out = invalid.into_result().unwrap_err();
    assert!(matches!(&left_out, Error::LeftOut(e) if e.field == "tags[1]"), "{left_out:?}");
    assert!(!left_out.is_refused_before_sending(), "the others were sent");
}
