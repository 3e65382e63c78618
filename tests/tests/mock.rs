//! The testing kit (`vercel_edge_cache::mock`) as a downstream service uses it: what it
//! records, what it refuses (every constraint of the spec, checked by the client's generated
//! checks), and the faults it scripts.

use std::time::{Duration, Instant};

use edge_cache_tests::*;
use serde_json::{Value, json};
use vercel_edge_cache::mock::{Fault, MockVercel, RateLimit, RecordedPurge};
use vercel_edge_cache::operations::{DangerouslyDeleteByTags, InvalidateBySrcImages, InvalidateByTags};
use vercel_edge_cache::{EdgeCache, RequestError, Target};

const TAGS: &str = "/v1/edge-cache/invalidate-by-tags";
const DELETE_TAGS: &str = "/v1/edge-cache/dangerously-delete-by-tags";
const SRC_IMAGES: &str = "/v1/edge-cache/invalidate-by-src-images";
const DELETE_SRC_IMAGES: &str = "/v1/edge-cache/dangerously-delete-by-src-images";

/// The tests' client (no retries) aimed at the mock.
fn kit_client(vercel: &MockVercel) -> EdgeCache {
    builder(&vercel.uri()).build().unwrap()
}

/// A client with `token` and the default retry policy, as a service would build it.
fn service_client(vercel: &MockVercel, token: &str) -> EdgeCache {
    EdgeCache::builder(token).base_url(vercel.uri()).build().unwrap()
}

/// Sends a raw request, as a non-Rust service or a broken client would: status and JSON body.
async fn raw_post(vercel: &MockVercel, path_and_query: &str, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = raw_http_client()
        .post(format!("{}{path_and_query}", vercel.uri()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

fn vercel_error(code: &str, message: &str) -> Value {
    json!({ "error": { "code": code, "message": message } })
}

#[tokio::test]
async fn forty_tags_through_the_client_are_three_recorded_purges_holding_exactly_those_tags() {
    let vercel = MockVercel::start().await;
    let client = EdgeCache::builder(TOKEN).base_url(vercel.uri()).team_id("team_1").build().unwrap();
    let tags = tags("post", 40);
    let report = client.invalidate_by_tags("my-site", tags.clone()).target(Target::Production).send().await.unwrap();
    assert!(report.is_success());

    let purges = vercel.purges();
    assert_eq!(purges.len(), 3);
    let mut sizes: Vec<usize> = purges.iter().map(|p| p.items.len()).collect();
    sizes.sort();
    assert_eq!(sizes, [8, 16, 16]);
    for p in &purges {
        assert_eq!(p.operation, "invalidateByTags");
        assert_eq!(p.project.as_deref(), Some("my-site"));
        assert_eq!(p.team_id.as_deref(), Some("team_1"));
        assert_eq!(p.slug, None);
        assert_eq!(p.target, Some(Target::Production));
        assert_eq!(p.revalidation_deadline_seconds, None);
        assert_eq!((p.status, p.error.as_deref()), (200, None));
    }
    let mut purged = vercel.items::<InvalidateByTags>();
    purged.sort();
    let mut expected = tags.clone();
    expected.sort();
    assert_eq!(purged, expected, "exactly the 40 tags, each once");
    assert!(vercel.items::<DangerouslyDeleteByTags>().is_empty(), "nothing deleted");
    assert!(vercel.items_for::<InvalidateByTags>("other").is_empty(), "nothing for another project");
    let mut for_site = vercel.items_for::<InvalidateByTags>("my-site");
    for_site.sort();
    assert_eq!(for_site, expected);
    assert_eq!(purges[0].query("teamId").as_deref(), Some("team_1"));
    assert_eq!(purges[0].query("target"), None, "a body property is not a query parameter");
}

#[tokio::test]
async fn every_operation_and_option_is_recorded_as_sent() {
    let vercel = MockVercel::start().await;
    let client = kit_client(&vercel);
    assert!(
        client
            .dangerously_delete_by_tags("p", ["a"])
            .revalidation_deadline_seconds(60)
            .slug("acme")
            .send()
            .await
            .unwrap()
            .is_success()
    );
    assert!(client.invalidate_by_src_images("p", ["/hero.png"]).send().await.unwrap().is_success());
    assert!(client.dangerously_delete_by_src_images("q", ["/a.png", "/b.png"]).send().await.unwrap().is_success());
    let purges = vercel.purges();
    // (operation, project, items, revalidation deadline, slug)
    type Summary<'a> = (&'a str, Option<&'a str>, Vec<String>, Option<i64>, Option<&'a str>);
    let summary: Vec<Summary> = purges
        .iter()
        .map(|p| {
            (
                p.operation.as_str(),
                p.project.as_deref(),
                p.items.clone(),
                p.revalidation_deadline_seconds,
                p.slug.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("dangerouslyDeleteByTags", Some("p"), vec!["a".to_string()], Some(60), Some("acme")),
            ("invalidateBySrcImages", Some("p"), vec!["/hero.png".to_string()], None, None),
            ("dangerouslyDeleteBySrcImages", Some("q"), vec!["/a.png".to_string(), "/b.png".to_string()], None, None),
        ]
    );
    assert_eq!(vercel.items::<InvalidateBySrcImages>(), ["/hero.png"]);
    vercel.clear();
    assert!(vercel.purges().is_empty());
}

#[tokio::test]
async fn a_raw_request_with_17_tags_gets_400_with_vercels_error_body_and_is_not_counted_as_purged() {
    let vercel = MockVercel::start().await;
    let tags: Vec<String> = tags("t", 17);
    let body = json!({ "tags": tags }).to_string();
    let (status, answer) = raw_post(&vercel, &format!("{TAGS}?projectIdOrName=p"), Some(TOKEN), &body).await;
    assert_eq!(status, 400);
    assert_eq!(answer, vercel_error("bad_request", "tags: at most 16 items per request, got 17"));
    let recorded = vercel.purges();
    assert_eq!(recorded.len(), 1);
    assert_eq!((recorded[0].status, recorded[0].items.len()), (400, 17));
    assert!(vercel.accepted().is_empty());
    assert!(vercel.items::<InvalidateByTags>().is_empty(), "a refused request purged nothing");
}

/// Every constraint of the spec, on its boundary and just past it. Each row: path, query, body,
/// the status, and the message of a refusal.
#[tokio::test]
async fn the_mock_refuses_exactly_what_the_spec_forbids() {
    let long = |n: usize| "x".repeat(n);
    let list = |n: usize| tags("t", n);
    let q = "?projectIdOrName=p";
    #[rustfmt::skip]
    let cases: Vec<(&str, &str, Value, u16, &str)> = vec![
        // The batch field: minItems, maxItems, maxLength, its type, required.
        (TAGS, q, json!({ "tags": list(16) }), 200, ""),
        (TAGS, q, json!({ "tags": list(17) }), 400, "tags: at most 16 items per request, got 17"),
        (TAGS, q, json!({ "tags": [] }), 400, "tags: at least 1 item per request, got 0"),
        (TAGS, q, json!({ "tags": ["ok", long(256)] }), 200, ""),
        (TAGS, q, json!({ "tags": ["ok", long(257)] }), 400, "tags[1]: at most 256 characters, got 257"),
        (TAGS, q, json!({ "tags": ["a", 7] }), 400, "tags[1]: must be a string, got a number"),
        (TAGS, q, json!({ "tags": 7 }), 400, "tags: must be a list of strings or a string, got a number"),
        (TAGS, q, json!({}), 400, "tags: is required"),
        // The string form (`oneOf`): its maxLength.
        (TAGS, q, json!({ "tags": "a,b" }), 200, ""),
        (TAGS, q, json!({ "tags": long(8196) }), 200, ""),
        (TAGS, q, json!({ "tags": long(8197) }), 400, "tags: at most 8196 characters, got 8197"),
        (DELETE_TAGS, q, json!({ "tags": list(17) }), 400, "tags: at most 16 items per request, got 17"),
        (SRC_IMAGES, q, json!({ "srcImages": list(8) }), 200, ""),
        (SRC_IMAGES, q, json!({ "srcImages": list(9) }), 400, "srcImages: at most 8 items per request, got 9"),
        (SRC_IMAGES, q, json!({ "srcImages": [] }), 400, "srcImages: at least 1 item per request, got 0"),
        (SRC_IMAGES, q, json!({ "srcImages": "/a.png" }), 400, "srcImages: must be a list of strings, got a string"),
        (DELETE_SRC_IMAGES, q, json!({ "srcImages": list(9) }), 400, "srcImages: at most 8 items per request, got 9"),
        // The enum.
        (TAGS, q, json!({ "tags": ["a"], "target": "preview" }), 200, ""),
        (TAGS, q, json!({ "tags": ["a"], "target": "staging" }), 400, "target: must be one of production, preview, got \"staging\""),
        (TAGS, q, json!({ "tags": ["a"], "target": 1 }), 400, "target: must be a string, got a number"),
        (TAGS, q, json!({ "tags": ["a"], "target": null }), 400, "target: must be a string, got null"),
        // The range, and the integer type.
        (DELETE_TAGS, q, json!({ "tags": ["a"], "revalidationDeadlineSeconds": 0 }), 200, ""),
        (DELETE_TAGS, q, json!({ "tags": ["a"], "revalidationDeadlineSeconds": 31536000 }), 200, ""),
        (DELETE_TAGS, q, json!({ "tags": ["a"], "revalidationDeadlineSeconds": -1 }), 400, "revalidationDeadlineSeconds: must be at least 0, got -1"),
        (DELETE_TAGS, q, json!({ "tags": ["a"], "revalidationDeadlineSeconds": 31536001 }), 400, "revalidationDeadlineSeconds: must be at most 31536000, got 31536001"),
        (DELETE_SRC_IMAGES, q, json!({ "srcImages": ["/a"], "revalidationDeadlineSeconds": null }), 400, "revalidationDeadlineSeconds: must be an integer, got null"),
        (DELETE_SRC_IMAGES, q, json!({ "srcImages": ["/a"], "revalidationDeadlineSeconds": 1.5 }), 400, "revalidationDeadlineSeconds: must be an integer, got a number"),
        (DELETE_SRC_IMAGES, q, json!({ "srcImages": ["/a"], "revalidationDeadlineSeconds": "60" }), 400, "revalidationDeadlineSeconds: must be an integer, got a string"),
        // additionalProperties: false.
        (TAGS, q, json!({ "tags": ["a"], "revalidationDeadlineSeconds": 60 }), 400, "revalidationDeadlineSeconds: is not accepted by invalidateByTags"),
        (SRC_IMAGES, q, json!({ "srcImages": ["/a"], "target": "production" }), 400, "target: is not accepted by invalidateBySrcImages"),
        // The required query parameter and its minLength; the optional ones are free text.
        (TAGS, "", json!({ "tags": ["a"] }), 400, "projectIdOrName: is required"),
        (TAGS, "?projectIdOrName=", json!({ "tags": ["a"] }), 400, "projectIdOrName: at least 1 character, got 0"),
        (TAGS, "?projectIdOrName=%20", json!({ "tags": ["a"] }), 200, ""),
        (TAGS, "?projectIdOrName=p&teamId=team_1&slug=acme", json!({ "tags": ["a"] }), 200, ""),
        // The body itself.
        (TAGS, q, json!(["a"]), 400, "body: must be a JSON object, got a list"),
    ];
    let vercel = MockVercel::start().await;
    let mut failures = Vec::new();
    for (path, query, body, status, message) in &cases {
        let (got, answer) = raw_post(&vercel, &format!("{path}{query}"), Some(TOKEN), &body.to_string()).await;
        let want = if *status == 200 { Value::Null } else { vercel_error("bad_request", message) };
        if (got, &answer) != (*status, &want) {
            failures.push(format!("{path}{query} {body:.80}: got {got} {answer}, want {status} {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let recorded: Vec<u16> = vercel.purges().iter().map(|p| p.status).collect();
    assert_eq!(recorded, cases.iter().map(|c| c.3).collect::<Vec<_>>(), "each request recorded with its status");

    // Bodies that are not JSON at all.
    for (body, got) in [("", "an empty body"), ("{tags", "not JSON (key must be a string at line 1 column 2)")] {
        let (status, answer) = raw_post(&vercel, &format!("{TAGS}{q}"), Some(TOKEN), body).await;
        assert_eq!(
            (status, answer),
            (400, vercel_error("bad_request", &format!("body: must be a JSON object, got {got}")))
        );
    }
}

/// The spec's deliberate `minLength: 1` on the team: the kit refuses `teamId=` and `slug=` as
/// the client does, naming the parameter.
#[tokio::test]
async fn an_empty_team_is_refused_by_the_kit_as_by_the_client() {
    let vercel = MockVercel::start().await;
    for name in ["teamId", "slug"] {
        let (status, body) =
            raw_post(&vercel, &format!("{TAGS}?projectIdOrName=p&{name}="), Some(TOKEN), r#"{"tags":["a"]}"#).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body, vercel_error("bad_request", &format!("{name}: at least 1 character, got 0")));
    }
    assert!(vercel.accepted().is_empty());
}

#[tokio::test]
async fn a_string_of_tags_is_recorded_as_its_tags() {
    let vercel = MockVercel::start().await;
    let (status, _) =
        raw_post(&vercel, &format!("{TAGS}?projectIdOrName=p"), Some(TOKEN), r#"{"tags":"a, b,c"}"#).await;
    assert_eq!(status, 200);
    assert_eq!(vercel.items::<InvalidateByTags>(), ["a", "b", "c"]);
}

#[tokio::test]
async fn without_a_token_the_mock_answers_401_and_with_require_token_only_that_token_passes() {
    let vercel = MockVercel::start().await;
    let path = format!("{TAGS}?projectIdOrName=p");
    let (status, answer) = raw_post(&vercel, &path, None, r#"{"tags":["a"]}"#).await;
    assert_eq!(status, 401);
    assert_eq!(answer["error"]["code"], "unauthorized");
    assert_eq!(raw_post(&vercel, &path, Some("anything"), r#"{"tags":["a"]}"#).await.0, 200);
    vercel.require_token(TOKEN);
    assert_eq!(raw_post(&vercel, &path, Some("anything"), r#"{"tags":["a"]}"#).await.0, 401);
    assert_eq!(raw_post(&vercel, &path, Some(TOKEN), r#"{"tags":["a"]}"#).await.0, 200);
    let statuses: Vec<u16> = vercel.purges().iter().map(|p| p.status).collect();
    assert_eq!(statuses, [401, 200, 401, 200]);

    // Through the client, a 401 is an API error naming it.
    let report = service_client(&vercel, "wrong").invalidate_by_tags("p", ["a"]).send().await.unwrap();
    match &report.batches[0].result {
        Err(RequestError::Api(e)) => assert_eq!((e.status, e.code.as_deref()), (401, Some("unauthorized"))),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn paths_and_methods_outside_the_spec_are_404_and_405() {
    let vercel = MockVercel::start().await;
    let (status, answer) = raw_post(&vercel, "/v1/edge-cache/invalidate-everything", Some(TOKEN), "{}").await;
    assert_eq!((status, answer["error"]["code"].as_str()), (404, Some("not_found")));
    let response = raw_http_client().get(format!("{}{TAGS}", vercel.uri())).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers().get("allow").map(|v| v.to_str().unwrap()), Some("POST"), "RFC 9110's Allow");
    let recorded: Vec<(String, u16)> = vercel.purges().into_iter().map(|p| (p.operation, p.status)).collect();
    assert_eq!(recorded, [(String::new(), 404), (String::new(), 405)]);
}

#[tokio::test]
async fn a_scripted_429_with_retry_after_is_waited_out_and_the_purge_lands() {
    let vercel = MockVercel::start().await;
    vercel.fail_next(Fault::status(429).retry_after(Duration::from_secs(1)));
    let started = Instant::now();
    let report = service_client(&vercel, TOKEN).invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert!(report.is_success(), "{:?}", report.first_error());
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After was honoured: {:?}", started.elapsed());
    let statuses: Vec<u16> = vercel.purges().iter().map(|p| p.status).collect();
    assert_eq!(statuses, [429, 200]);
    assert_eq!(vercel.items::<InvalidateByTags>(), ["a"]);
}

#[tokio::test]
async fn scripted_5xx_past_the_retries_are_reported_with_every_item_not_done() {
    let vercel = MockVercel::start().await;
    vercel.fail_next(Fault::status(503).times(2));
    let client = builder(&vercel.uri()).retry_policy(quick_retries(1)).concurrency(1).build().unwrap();
    let items = tags("t", 20);
    let report = client.invalidate_by_tags("p", items.clone()).send().await.unwrap();
    assert!(!report.is_success());
    match &report.batches[0].result {
        Err(RequestError::Api(e)) => {
            assert_eq!((e.status, e.code.as_deref()), (503, Some("service_unavailable")));
            assert_eq!(e.message.as_deref(), Some("Service Unavailable (scripted by the mock)"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(report.not_done().collect::<Vec<_>>(), items[..16]);
    assert_eq!(vercel.items::<InvalidateByTags>(), items[16..]);
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_an_idempotent_operation() {
    let vercel = MockVercel::start().await;
    vercel.fail_next(Fault::drop_connection());
    let client = builder(&vercel.uri()).retry_policy(quick_retries(2)).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert!(report.is_success(), "{:?}", report.first_error());
    let statuses: Vec<u16> = vercel.purges().iter().map(|p| p.status).collect();
    assert_eq!(statuses, [0, 200], "the dropped request is recorded with status 0");

    vercel.fail_next(Fault::drop_connection());
    let report = kit_client(&vercel).invalidate_by_tags("p", ["b"]).send().await.unwrap();
    assert!(
        matches!(report.batches[0].result, Err(RequestError::Connection { .. } | RequestError::Unsendable { .. })),
        "{:?}",
        report.batches[0].result
    );
}

#[tokio::test]
async fn latency_past_the_client_timeout_is_a_timeout() {
    let vercel = MockVercel::start().await;
    vercel.latency(Duration::from_millis(400));
    let client = builder(&vercel.uri()).timeout(Duration::from_millis(100)).build().unwrap();
    let report = client.invalidate_by_tags("p", ["a"]).send().await.unwrap();
    assert!(matches!(report.batches[0].result, Err(RequestError::Timeout { .. })), "{:?}", report.batches[0].result);
    vercel.latency(Duration::ZERO);
    assert!(client.invalidate_by_tags("p", ["a"]).send().await.unwrap().is_success());
}

#[tokio::test]
async fn the_rate_limit_answers_429_past_the_limit_with_its_headers() {
    let vercel = MockVercel::start().await;
    vercel.rate_limit(RateLimit::new(2, Duration::from_secs(60)));
    let url = format!("{}{TAGS}?projectIdOrName=p", vercel.uri());
    let http = raw_http_client();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let r = http.post(&url).bearer_auth(TOKEN).body(r#"{"tags":["a"]}"#).send().await.unwrap();
        let header = |n: &str| r.headers().get(n).map(|v| v.to_str().unwrap().to_string());
        seen.push((
            r.status().as_u16(),
            header("x-ratelimit-limit"),
            header("x-ratelimit-remaining"),
            header("retry-after").is_some(),
        ));
        let reset: u64 = header("x-ratelimit-reset").unwrap().parse().unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(reset % 60, 0, "the window ends on a minute");
        assert!(reset > now && reset <= now + 60, "the reset {reset} is the end of the current window ({now})");
        if let Some(wait) = header("retry-after") {
            let wait: u64 = wait.parse().unwrap();
            assert!(wait.abs_diff(reset - now) <= 1, "Retry-After {wait} s, until the reset {} s", reset - now);
        }
    }
    let two = Some("2".to_string());
    assert_eq!(
        seen,
        [
            (200, two.clone(), Some("1".into()), false),
            (200, two.clone(), Some("0".into()), false),
            (429, two.clone(), Some("0".into()), true),
        ]
    );
    vercel.rate_limit(None);
    assert_eq!(
        raw_post(&vercel, "/v1/edge-cache/invalidate-by-tags?projectIdOrName=p", Some(TOKEN), r#"{"tags":["a"]}"#)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn the_purges_are_served_as_json_for_services_in_other_languages() {
    let vercel = MockVercel::start().await;
    let report =
        kit_client(&vercel).dangerously_delete_by_tags("p", ["a", "b"]).revalidation_deadline_seconds(5).send().await;
    assert!(report.unwrap().is_success());
    let json: Value =
        raw_http_client().get(format!("{}/_mock/purges", vercel.uri())).send().await.unwrap().json().await.unwrap();
    // The fields the request carried, by their wire names; every other field of the record
    // (one per parameter and property of any operation) is null.
    let carried = json!({
        "operation": "dangerouslyDeleteByTags", "projectIdOrName": "p", "items": ["a", "b"],
        "revalidationDeadlineSeconds": 5, "status": 200
    });
    let records = json.as_array().expect("a list of records");
    assert_eq!(records.len(), 1, "{json}");
    for (name, value) in records[0].as_object().expect("a record is an object") {
        assert_eq!(value, carried.get(name).unwrap_or(&Value::Null), "{name} in {json}");
    }
    for name in carried.as_object().unwrap().keys() {
        assert!(records[0].get(name).is_some(), "{name} missing from {json}");
    }
    let back: Vec<RecordedPurge> = serde_json::from_value(json).unwrap();
    assert_eq!(back, vercel.purges());

    // Scripting over HTTP: a fault, then clearing.
    let http = raw_http_client();
    let r = http.post(format!("{}/_mock/faults", vercel.uri())).body(r#"{"status":500}"#).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = http.post(format!("{}/_mock/faults", vercel.uri())).body(r#"{}"#).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(raw_post(&vercel, &format!("{TAGS}?projectIdOrName=p"), Some(TOKEN), r#"{"tags":["a"]}"#).await.0, 500);
    let r = http.delete(format!("{}/_mock/purges", vercel.uri())).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(vercel.purges().is_empty());
}

#[tokio::test]
async fn requests_are_recorded_in_the_order_they_arrived_whatever_their_answers_wait_for() {
    let vercel = MockVercel::start().await;
    vercel.latency(Duration::from_millis(300));
    let client = kit_client(&vercel);
    let slow = client.invalidate_by_tags("p", ["first"]).send();
    let lost = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        // A path outside the spec is answered at once.
        raw_post(&vercel, "/v1/nowhere", Some(TOKEN), "{}").await
    };
    let (report, (status, _)) = tokio::join!(slow, lost);
    assert!(report.unwrap().is_success());
    assert_eq!(status, 404);
    let order: Vec<u16> = vercel.purges().iter().map(|p| p.status).collect();
    assert_eq!(order, [200, 404]);
}

#[tokio::test]
async fn a_dropped_mock_answers_nothing_even_on_a_kept_alive_connection() {
    let vercel = MockVercel::start().await;
    let client = kit_client(&vercel);
    assert!(client.invalidate_by_tags("p", ["a"]).send().await.unwrap().is_success());
    drop(vercel);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let report = client.invalidate_by_tags("p", ["b"]).send().await.unwrap();
    assert!(matches!(report.batches[0].result, Err(RequestError::Connection { .. })), "{:?}", report.batches[0].result);
}

#[tokio::test]
async fn requests_without_a_token_do_not_use_up_the_rate_limit() {
    let vercel = MockVercel::start().await;
    vercel.rate_limit(RateLimit::new(1, Duration::from_secs(60)));
    let path = format!("{TAGS}?projectIdOrName=p");
    assert_eq!(raw_post(&vercel, &path, None, r#"{"tags":["a"]}"#).await.0, 401);
    assert_eq!(raw_post(&vercel, &path, Some(TOKEN), r#"{"tags":["a"]}"#).await.0, 200);
    assert_eq!(raw_post(&vercel, &path, Some(TOKEN), r#"{"tags":["a"]}"#).await.0, 429);
}

#[tokio::test]
async fn the_bearer_scheme_is_read_without_regard_to_case() {
    let vercel = MockVercel::start().await;
    let response = raw_http_client()
        .post(format!("{}{TAGS}?projectIdOrName=p", vercel.uri()))
        .header("authorization", format!("bearer {TOKEN}"))
        .body(r#"{"tags":["a"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_mock_never_shows_the_token_it_requires() {
    let vercel = MockVercel::start().await;
    vercel.require_token(TOKEN);
    let shown = format!("{vercel:?}");
    assert!(!shown.contains(TOKEN) && shown.contains(&vercel.uri()), "{shown}");
}

#[tokio::test]
async fn scripting_over_http_refuses_what_would_script_nonsense() {
    let vercel = MockVercel::start().await;
    let http = raw_http_client();
    let url = |rest: &str| format!("{}/_mock/{rest}", vercel.uri());
    let cases = [
        ("faults", r#"{"status":200}"#, "a fault: status: a fault answers 400 to 599, got 200"),
        ("faults", r#"{"status":503,"times":0}"#, "a fault: times: a fault applies to at least 1 request, got 0"),
        ("rate-limit", r#"{"limit":5,"windowSeconds":0}"#, "a rate limit: windowSeconds: must be at least 1, got 0"),
    ];
    for (rest, body, message) in cases {
        let request = if rest == "faults" { http.post(url(rest)) } else { http.put(url(rest)) };
        let r = request.body(body).send().await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer, vercel_error("bad_request", message));
    }
    let r = http.delete(url("rate-limit")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers().get("allow").map(|v| v.to_str().unwrap()), Some("PUT"), "RFC 9110's Allow");
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["message"],
        "DELETE is not allowed on /_mock/rate-limit; it takes PUT"
    );
    // Nothing was scripted: a request goes through.
    assert_eq!(raw_post(&vercel, &format!("{TAGS}?projectIdOrName=p"), Some(TOKEN), r#"{"tags":["a"]}"#).await.0, 200);
}

#[tokio::test]
async fn reset_gives_the_next_test_a_fresh_mock() {
    let vercel = MockVercel::start().await;
    vercel.fail_next(Fault::status(500).times(3));
    vercel.rate_limit(RateLimit::new(0, Duration::from_secs(60)));
    let path = format!("{TAGS}?projectIdOrName=p");
    assert_eq!(raw_post(&vercel, &path, Some(TOKEN), r#"{"tags":["a"]}"#).await.0, 500);
    vercel.latency(Duration::from_secs(5));
    vercel.reset();
    assert!(vercel.purges().is_empty());
    let started = Instant::now();
    assert_eq!(raw_post(&vercel, &path, Some(TOKEN), r#"{"tags":["a"]}"#).await.0, 200);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn past_max_records_the_oldest_are_dropped_and_counted() {
    let vercel = MockVercel::start().await;
    vercel.max_records(10);
    let path = format!("{TAGS}?projectIdOrName=p");
    for i in 0..25 {
        let body = json!({ "tags": [format!("t{i}")] }).to_string();
        assert_eq!(raw_post(&vercel, &path, Some(TOKEN), &body).await.0, 200);
    }
    let newest: Vec<String> = (15..25).map(|i| format!("t{i}")).collect();
    assert_eq!(vercel.items::<InvalidateByTags>(), newest, "the newest 10, in the order they arrived");
    assert_eq!(vercel.purges().len(), 10);
    assert_eq!(vercel.dropped(), 15);
    assert!(format!("{vercel:?}").contains("dropped: 15"), "{vercel:?}");

    // Over HTTP: the same records, and the count in a header.
    let answer = raw_http_client().get(format!("{}/_mock/purges", vercel.uri())).send().await.unwrap();
    assert_eq!(answer.headers()["x-mock-dropped"], "15");
    let back: Vec<RecordedPurge> = answer.json().await.unwrap();
    assert_eq!(back, vercel.purges());

    // A lower cap drops at once; clearing forgets the count, and the cap stays.
    vercel.max_records(4);
    assert_eq!(vercel.items::<InvalidateByTags>(), newest[6..]);
    assert_eq!(vercel.dropped(), 21);
    vercel.reset();
    assert_eq!((vercel.purges().len(), vercel.dropped()), (0, 0));
    for i in 0..5 {
        raw_post(&vercel, &path, Some(TOKEN), &json!({ "tags": [format!("u{i}")] }).to_string()).await;
    }
    assert_eq!(vercel.items::<InvalidateByTags>(), ["u1", "u2", "u3", "u4"]);
    assert_eq!(vercel.dropped(), 1);
}

#[tokio::test]
async fn the_kits_answers_carry_a_request_id_as_vercels_edge_does_errors_too() {
    let vercel = MockVercel::start().await;
    let client = EdgeCache::builder(TOKEN).base_url(vercel.uri()).max_retries(0).build().unwrap();
    let report = client.invalidate_by_tags("my-site", tags("t", 40)).send().await.unwrap();
    let ids: std::collections::BTreeSet<&str> =
        report.batches.iter().map(|b| b.request_id.as_deref().expect("an x-vercel-id")).collect();
    assert_eq!(ids.len(), 3, "one ID per answer: {ids:?}");
    vercel.fail_next(vercel_edge_cache::mock::Fault::status(403));
    let report = client.invalidate_by_tags("my-site", ["a"]).send().await.unwrap();
    let error = report.first_error().expect("refused");
    let id = error.request_id().expect("the error's answer carried one");
    assert!(error.to_string().contains(&format!("(x-vercel-id {id})")), "{error}");
    assert!(!ids.contains(id));
}
