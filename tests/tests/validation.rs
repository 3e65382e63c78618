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

/// An empty team (`teamId=`, `slug=`: usually an unset variable) names no team: refused, as
/// the CLI refuses `--team-id ''`, not sent as a request for no team.
#[tokio::test]
async fn an_empty_team_is_refused() {
    for (name, with) in [
        (
            "teamId",
            (|b| b.team_id("")) as fn(vercel_edge_cache::EdgeCacheBuilder) -> vercel_edge_cache::EdgeCacheBuilder,
        ),
        ("slug", |b| b.slug("")),
    ] {
        for op in Op::all() {
            let server = ok_server().await;
            let client = with(builder(&server.uri())).build().expect("a client");
            let result = op.send_plain(&client, "proj", op.items(1)).await;
            assert_refused(result, &format!("{name}: at least 1 character, got 0"), &format!("{name} {op:?}"));
            assert_nothing_sent(&server).await;
        }
    }
    // Per call too.
    let server = ok_server().await;
    let result = client(&server.uri()).invalidate_by_tags("proj", ["a"]).team_id("").send().await;
    assert_refused(result, "teamId: at least 1 character, got 0", "team_id(\"\") on a call");
    assert_nothing_sent(&server).await;
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

/// An item longer than any the spec allows.
fn too_long(c: char) -> String {
    c.to_string().repeat(100_000)
}

#[tokio::test]
async fn invalid_items_names_every_bad_item_by_its_index_in_the_callers_order() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let mut selection = tags("t", 5000);
    for i in [4, 899, 3999] {
        selection[i] = too_long('x');
    }
    let call = client.invalidate_by_tags("proj", selection);
    let bad = call.invalid_items();
    assert_eq!(bad.iter().map(|i| i.index).collect::<Vec<_>>(), [4, 899, 3999]);
    assert!(bad.iter().all(|i| i.item == too_long('x')));
    assert_eq!(bad[1].error.field, "tags[899]");
    // validate() still names the first.
    assert_eq!(call.validate().unwrap_err(), bad[0].error);
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn skip_invalid_sends_the_rest_and_reports_the_bad_items_not_done() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let mut selection = tags("t", 40);
    selection[3] = too_long('a');
    selection[30] = too_long('b');
    let call = client.invalidate_by_tags("proj", selection.clone()).skip_invalid();
    call.validate().expect("with skip_invalid, a bad item is not an error");
    let planned: usize = call.plan().unwrap().len();
    assert_eq!(call.batch_count(), planned, "counted as planned, without the bad items");
    let report = call.send().await.unwrap();
    let sent: Vec<String> = requests(&server)
        .await
        .iter()
        .flat_map(|r| {
            body(r)["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect::<Vec<_>>()
        })
        .collect();
    let valid: Vec<String> =
        selection.iter().enumerate().filter(|(i, _)| ![3, 30].contains(i)).map(|(_, t)| t.clone()).collect();
    assert_eq!(sent, valid, "every valid item, in order, and nothing else");
    assert_eq!(planned, requests(&server).await.len(), "plan() leaves them out too");
    assert_eq!(
        report.invalid.iter().map(|i| (i.index, i.item.clone())).collect::<Vec<_>>(),
        [(3, too_long('a')), (30, too_long('b'))]
    );
    assert!(matches!(report.outcome(), vercel_edge_cache::Outcome::Invalid { first } if first.index == 3));
    assert!(!report.is_success());
    assert_eq!(report.not_done().collect::<Vec<_>>(), [too_long('a'), too_long('b')]);
    assert_eq!(report.item_count(), 40);

    // skip_invalid leaves the other rules alone: an empty selection is still refused.
    assert!(client.invalidate_by_tags("proj", Vec::<String>::new()).skip_invalid().plan().is_err());

    // Nothing valid: nothing sent, and the report says why.
    let server = ok_server().await;
    let client = self::client(&server.uri());
    let report = client.invalidate_by_tags("proj", [too_long('c')]).skip_invalid().send().await.unwrap();
    assert_eq!((report.batches.len(), report.invalid.len()), (0, 1));
    // The call's own settings are still checked when nothing is left to send.
    let refused = client.invalidate_by_tags("proj", [too_long('c')]).skip_invalid().concurrency(0).send().await;
    assert_eq!(refused.unwrap_err().field, "concurrency");
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn a_tag_that_could_never_match_is_refused_empty_with_a_comma_or_a_control_character() {
    // `Vercel-Cache-Tag` is comma-separated: such a tag names no cached response. The rules are
    // the spec's (its tags' `minLength` and `pattern`).
    for op in [Op::named("invalidateByTags"), Op::named("dangerouslyDeleteByTags")] {
        let spec = edge_cache_tests::spec::operations().iter().find(|o| o.operation_id == op.operation_id());
        let batch = spec.and_then(|o| o.batch.as_ref()).expect("a tag operation of the spec");
        let pattern = batch.item_pattern.as_deref().expect("the spec gives tags a pattern");
        let min = batch.item_min_length.expect("the spec gives tags a minLength");
        let server = ok_server().await;
        let client = client(&server.uri());
        for (tag, message) in [
            ("a,b".to_string(), format!("tags[1]: must not contain ',' (character 2; the spec's pattern {pattern})")),
            (
                "line\nbreak".into(),
                format!("tags[1]: must not contain '\\n' (character 5; the spec's pattern {pattern})"),
            ),
            (
                "bell\u{7}".into(),
                format!("tags[1]: must not contain '\\u{{7}}' (character 5; the spec's pattern {pattern})"),
            ),
            (
                "x".repeat(min as usize - 1),
                format!("tags[1]: at least {min} character{}, got {}", if min == 1 { "" } else { "s" }, min - 1),
            ),
        ] {
            let result = op.send_plain(&client, "proj", vec!["ok".to_string(), tag.clone()]).await;
            assert_refused(result, &message, &format!("{op:?} {tag:?}"));
        }
        assert_nothing_sent(&server).await;
    }
}

/// Setting an operation's selection by name (`set("tags", …)` on a call chosen at run time)
/// says that it is the selection, given as the call's items, not that the field is unknown.
#[tokio::test]
async fn setting_the_selection_by_name_says_to_give_it_as_items() {
    let client = client("http://127.0.0.1:9");
    for info in vercel_edge_cache::EdgeCache::operations() {
        let call = client.operation(info.operation_id, ["a"]).expect("in the registry");
        match info.batch_field {
            Some(field) => {
                let err = call.set(field, "x,y").unwrap_err();
                let said = format!(
                    "{field}: is the selection of {}: give it as the call's items, not to set()",
                    info.operation_id
                );
                assert_eq!(err.to_string(), said);
            }
            None => {
                let err = call.set("noSuchField", "x").unwrap_err();
                assert_eq!(err.to_string(), format!("noSuchField: is not accepted by {}", info.operation_id));
            }
        }
    }
}
