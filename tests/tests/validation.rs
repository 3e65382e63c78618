//! Input that breaks a rule of the spec is refused with a message naming the field, the limit and
//! what it got, and nothing at all is sent. Input within the rules goes out.

use edge_cache_tests::*;
use vercel_edge_cache::{Error, Target};

/// Asserts `result` is a refusal with exactly `message` (after the common prefix).
fn assert_refused<E: Into<Error>>(result: Result<vercel_edge_cache::BatchReport, E>, message: &str, what: &str) {
    match result.map_err(Into::into) {
        Err(err @ Error::InvalidInput(_)) => {
            assert_eq!(err.to_string(), format!("invalid request, nothing was sent: {message}"), "{what}");
            assert!(err.is_refused_before_sending(), "{what}");
            assert_eq!(err.status(), None, "{what}");
        }
        Err(other) => panic!("{what}: expected InvalidInput({message:?}), got {other:?}"),
        Ok(report) => panic!("{what}: expected InvalidInput({message:?}), but it was sent: {report:#?}"),
    }
}

#[tokio::test]
async fn a_tag_of_257_characters_is_refused() {
    for op in [Op::named("invalidateByTags"), Op::named("dangerouslyDeleteByTags")] {
        let server = ok_server().await;
        let client = client(&server.uri());
        let mut selection = tags("t", 3);
        selection.insert(0, "x".repeat(257));
        let result = op.send_plain(&client, "proj", selection).await;
        assert_refused(result, "tags[0]: at most 256 characters, got 257", &format!("{op:?}"));
        assert_nothing_sent(&server).await;
    }
}

#[tokio::test]
async fn a_long_tag_in_a_later_batch_is_refused_before_the_first_batch_is_sent() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let mut selection = tags("t", 40);
    selection[37] = "y".repeat(300);
    let result = client.invalidate_by_tags("proj", selection).send().await;
    assert_refused(result, "tags[37]: at most 256 characters, got 300", "tag 37 of 40");
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn tag_length_counts_characters_not_bytes() {
    let server = ok_server().await;
    // 256 characters, 512 bytes: allowed.
    let ok = client(&server.uri()).invalidate_by_tags("proj", ["é".repeat(256)]).send().await.unwrap();
    assert!(ok.is_success());
    assert_eq!(body(&only_request(&server).await)["tags"][0].as_str().unwrap().chars().count(), 256);
    // 257 characters: refused.
    let server = ok_server().await;
    let result = client(&server.uri()).invalidate_by_tags("proj", ["é".repeat(257)]).send().await;
    assert_refused(result, "tags[0]: at most 256 characters, got 257", "257 × é");
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn a_deadline_above_one_year_is_refused() {
    for op in [Op::named("dangerouslyDeleteByTags"), Op::named("dangerouslyDeleteBySrcImages")] {
        let server = ok_server().await;
        let client = client(&server.uri());
        let options = Options { deadline: Some(31_536_001), ..Options::default() };
        let result = op.send(&client, "proj", op.items(2), options).await;
        assert_refused(
            result,
            "revalidationDeadlineSeconds: must be at most 31536000, got 31536001",
            &format!("{op:?}"),
        );
        assert_nothing_sent(&server).await;
    }
}

#[tokio::test]
async fn a_negative_deadline_is_refused() {
    for op in [Op::named("dangerouslyDeleteByTags"), Op::named("dangerouslyDeleteBySrcImages")] {
        let server = ok_server().await;
        let client = client(&server.uri());
        let options = Options { deadline: Some(-1), ..Options::default() };
        let result = op.send(&client, "proj", op.items(2), options).await;
        assert_refused(result, "revalidationDeadlineSeconds: must be at least 0, got -1", &format!("{op:?}"));
        assert_nothing_sent(&server).await;
    }
}

#[tokio::test]
async fn deadlines_at_the_limits_are_sent() {
    for op in [Op::named("dangerouslyDeleteByTags"), Op::named("dangerouslyDeleteBySrcImages")] {
        for deadline in [0, 31_536_000] {
            let server = ok_server().await;
            let client = client(&server.uri());
            let options = Options { deadline: Some(deadline), ..Options::default() };
            let report = op.send(&client, "proj", op.items(1), options).await.unwrap();
            assert!(report.is_success());
            assert_eq!(body(&only_request(&server).await)["revalidationDeadlineSeconds"], serde_json::json!(deadline));
        }
    }
}

#[tokio::test]
async fn an_empty_project_is_refused() {
    for op in Op::all() {
        let server = ok_server().await;
        let client = client(&server.uri());
        let result = op.send_plain(&client, "", op.items(1)).await;
        assert_refused(result, "projectIdOrName: at least 1 character, got 0", &format!("{op:?}"));
        assert_nothing_sent(&server).await;
    }
}

#[tokio::test]
async fn an_empty_selection_is_refused() {
    for op in Op::all() {
        let server = ok_server().await;
        let client = client(&server.uri());
        let result = op.send_plain(&client, "proj", Vec::new()).await;
        let message = format!("{}: at least 1 item per request, got 0", op.field());
        assert_refused(result, &message, &format!("{op:?}"));
        assert_nothing_sent(&server).await;
    }
}

#[tokio::test]
async fn nine_source_images_are_batched_not_refused() {
    for op in [Op::named("invalidateBySrcImages"), Op::named("dangerouslyDeleteBySrcImages")] {
        let server = ok_server().await;
        let client = client(&server.uri());
        let report = op.send_plain(&client, "proj", src_images("i", 9)).await.expect("9 images are split, not refused");
        assert!(report.is_success());
        let mut lens: Vec<usize> =
            requests(&server).await.iter().map(|r| body(r)["srcImages"].as_array().unwrap().len()).collect();
        lens.sort_unstable();
        assert_eq!(lens, vec![1, 8], "{op:?}");
    }
}

#[tokio::test]
async fn validate_and_plan_refuse_the_same_way_without_sending() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let purge =
        client.dangerously_delete_by_tags("proj", ["a"]).target(Target::Preview).revalidation_deadline_seconds(-5);
    let err = purge.validate().unwrap_err();
    assert_eq!(err.to_string(), "revalidationDeadlineSeconds: must be at least 0, got -5");
    assert_eq!(err.field, "revalidationDeadlineSeconds");
    assert_eq!(purge.plan().unwrap_err(), err, "plan refuses with validate's error");
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn a_per_call_concurrency_of_zero_is_refused_without_sending() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let result = client.invalidate_by_tags("proj", ["a"]).concurrency(0).send().await.map_err(Error::from);
    assert_nothing_sent(&server).await;
    let err = match result {
        Err(err @ Error::InvalidInput(_)) => err,
        other => panic!("expected InvalidInput for concurrency 0, got {other:?}"),
    };
    // Concurrency is requests in flight, not items per request: the message must say what the
    // limit is without talking about items; the builder and the call share the one check.
    assert_eq!(err.to_string(), "invalid request, nothing was sent: concurrency: must be at least 1, got 0");
}

#[tokio::test]
async fn settings_out_of_range_are_refused_when_building() {
    let err = builder("http://127.0.0.1:9").concurrency(0).build().unwrap_err();
    assert_eq!(err.to_string(), "concurrency: must be at least 1, got 0");
    let err = builder("http://127.0.0.1:9").timeout(std::time::Duration::ZERO).build().unwrap_err();
    assert_eq!(err.to_string(), "timeout: must be at least 1ms, got 0ns");
    let err = vercel_edge_cache::EdgeCache::builder("  ").build().unwrap_err();
    assert_eq!(err.to_string(), "invalid token: the token is empty");
    assert!(Error::from(err).is_refused_before_sending());
}
