//! The operations that take no selection (Vercel's `purgeAll`, and `dangerouslyDeleteImmutableStatic`
//! with its required `path`): one request each, with the whole treatment the batched ones get:
//! checks before sending, retries, typed errors (`challenge_required`), the testing kit's route
//! and record. Paths and methods come from the generated operations, not from this file.

use edge_cache_tests::*;
use serde_json::{Value, json};
use vercel_edge_cache::mock::{Fault, MockVercel};
use vercel_edge_cache::operations::{DangerouslyDeleteImmutableStatic, Operation, PurgeAll};
use vercel_edge_cache::{EdgeCache, Outcome, Problem, RequestError};
use wiremock::ResponseTemplate;

#[tokio::test]
async fn purge_all_sends_one_request_with_the_query_and_no_body() {
    let server = ok_server().await;
    let client = builder(&server.uri()).team_id("team_1").build().unwrap();
    let report = client.purge_all("my-site").send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(report.batches.len(), 1);
    assert_eq!(report.not_done().count(), 0);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), PurgeAll::INFO.method);
    assert_eq!(request.url.path(), PurgeAll::INFO.path);
    assert_eq!(query_map(&request), expected_query(&[("projectIdOrName", "my-site"), ("teamId", "team_1")]));
    assert!(request.body.is_empty(), "purgeAll has no body: {:?}", String::from_utf8_lossy(&request.body));
    assert_eq!(header(&request, "authorization").as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
}

#[tokio::test]
async fn dangerously_delete_immutable_static_sends_its_path_in_the_body() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let path = "/_next/static/chunks/main-0a1b2c.js";
    let report = client.dangerously_delete_immutable_static("my-site", path).slug("my-team").send().await.unwrap();
    assert!(report.is_success());

    let request = only_request(&server).await;
    assert_eq!(request.url.path(), DangerouslyDeleteImmutableStatic::INFO.path);
    assert_eq!(query_map(&request), expected_query(&[("projectIdOrName", "my-site"), ("slug", "my-team")]));
    assert_eq!(body(&request), json!({ "path": path }));
    assert_eq!(header(&request, "content-type").as_deref(), Some("application/json"));
}

#[tokio::test]
async fn an_empty_path_is_refused_before_sending_naming_the_field_and_the_limit() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let err = client.dangerously_delete_immutable_static("my-site", "").send().await.unwrap_err();
    assert_eq!(err.field, "path");
    assert_eq!(err.problem, Problem::TooShort { min: 1, got: 0 });
    assert_eq!(err.to_string(), "path: at least 1 character, got 0");
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn a_selection_given_to_an_operation_that_takes_none_is_refused() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let call = client.operation(PurgeAll::INFO.operation_id, ["a-tag"]).unwrap().set("projectIdOrName", "my-site");
    let err = call.unwrap().send().await.unwrap_err();
    assert_eq!(err.to_string(), format!("selection: is not accepted by {}", PurgeAll::INFO.operation_id));
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn a_5xx_is_retried_as_for_every_idempotent_operation() {
    assert!(PurgeAll::INFO.idempotent, "the spec marks purgeAll idempotent");
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    wiremock::Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = builder(&server.uri()).retry_policy(quick_retries(2)).build().unwrap();
    let report = client.purge_all("my-site").send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn challenge_required_is_its_own_error_and_says_what_to_do() {
    let server = server_answering(error_response(403, "challenge_required", "Please log in again")).await;
    let client = client(&server.uri());
    let report = client.purge_all("my-site").send().await.unwrap();
    let Outcome::Partial { cause } = report.outcome() else { panic!("one failed request: {:?}", report.outcome()) };
    let RequestError::ChallengeRequired(answer) = cause else { panic!("not ChallengeRequired: {cause:?}") };
    assert_eq!((answer.status, answer.code.as_deref()), (403, Some("challenge_required")));
    assert!(cause.is_auth() && !cause.is_transient());
    assert_eq!(
        cause.to_string(),
        "purgeAll: HTTP 403 Forbidden: challenge_required: Please log in again; Vercel requires you to log in again: run `vercel login` (or create a new token), then retry"
    );
    // Any other 403 stays an API error.
    let server = server_answering(error_response(403, "forbidden", "No access")).await;
    let report = edge_cache_tests::client(&server.uri()).purge_all("my-site").send().await.unwrap();
    assert!(matches!(report.first_error(), Some(RequestError::Api(e)) if e.code.as_deref() == Some("forbidden")));
}

#[tokio::test]
async fn the_testing_kit_serves_checks_and_records_both() {
    let vercel = MockVercel::start().await;
    let client = EdgeCache::builder(TOKEN).base_url(vercel.uri()).build().unwrap();
    assert!(client.purge_all("my-site").team_id("team_1").send().await.unwrap().is_success());
    let deleted = client.dangerously_delete_immutable_static("my-site", "/_next/static/a.js").send().await;
    assert!(deleted.unwrap().is_success());

    let purged = vercel.accepted_of::<PurgeAll>();
    assert_eq!(purged.len(), 1);
    assert_eq!((purged[0].project.as_deref(), purged[0].team_id.as_deref()), (Some("my-site"), Some("team_1")));
    assert!(purged[0].items.is_empty());
    let deleted = vercel.accepted_of::<DangerouslyDeleteImmutableStatic>();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].path.as_deref(), Some("/_next/static/a.js"));
    assert_eq!(vercel.purges().len(), 2);
}

#[tokio::test]
async fn the_testing_kit_refuses_what_the_spec_refuses_for_them() {
    let vercel = MockVercel::start().await;
    let http = raw_http_client();
    let post = |path: &str, body: Option<&str>| {
        let mut r = http.post(format!("{}{path}?projectIdOrName=my-site", vercel.uri())).bearer_auth(TOKEN);
        if let Some(body) = body {
            r = r.header("content-type", "application/json").body(body.to_string());
        }
        r.send()
    };
    let cases: [(&str, Option<&str>, &str); 4] = [
        (DangerouslyDeleteImmutableStatic::INFO.path, Some("{}"), "path: is required"),
        (DangerouslyDeleteImmutableStatic::INFO.path, Some(r#"{"path":""}"#), "path: at least 1 character, got 0"),
        (DangerouslyDeleteImmutableStatic::INFO.path, Some(r#"{"path":"/a","extra":1}"#), "extra: is not accepted"),
        (PurgeAll::INFO.path, Some(r#"{"tags":["a"]}"#), "body: is not accepted by purgeAll"),
    ];
    for (path, body, message) in cases {
        let response = post(path, body).await.unwrap();
        assert_eq!(response.status().as_u16(), 400, "{path} {body:?}");
        let answer: Value = response.json().await.unwrap();
        let text = answer["error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "{path} {body:?}: {text}");
    }
    assert!(vercel.accepted().is_empty());
    // And a scripted challenge reaches the client typed.
    vercel.fail_next(Fault::status(403).error("challenge_required", "Log in again"));
    let client = EdgeCache::builder(TOKEN).base_url(vercel.uri()).build().unwrap();
    let report = client.purge_all("my-site").send().await.unwrap();
    assert!(matches!(report.first_error(), Some(RequestError::ChallengeRequired(_))));
}
