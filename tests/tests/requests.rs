//! What goes over the wire: method, path, query, headers and the exact JSON body of each of the
//! four operations, and the team scope (client-wide and per call).

use edge_cache_tests::*;
use serde_json::{Value, json};
use vercel_edge_cache::{EdgeCache, Target};
use wiremock::Request;

/// Asserts the parts every request shares: `POST`, the operation's path, the headers.
fn assert_request(request: &Request, op: Op) {
    assert_eq!(request.method.as_str(), "POST", "{op:?}: method");
    assert_eq!(request.url.path(), op.path(), "{op:?}: path");
    assert_eq!(
        header(request, "authorization").as_deref(),
        Some(format!("Bearer {TOKEN}").as_str()),
        "{op:?}: Authorization"
    );
    assert_eq!(header(request, "content-type").as_deref(), Some("application/json"), "{op:?}: Content-Type");
    assert_eq!(header(request, "user-agent"), Some(expected_user_agent()), "{op:?}: User-Agent");
    assert_eq!(header(request, "api-version"), None, "{op:?}: no api-version header");
}

/// Asserts the raw body text has the deadline as a JSON integer, not `300.0`.
fn assert_integer_deadline(request: &Request, seconds: i64) {
    let raw = String::from_utf8_lossy(&request.body);
    assert!(
        raw.contains(&format!("\"revalidationDeadlineSeconds\":{seconds}")),
        "deadline not sent as an integer: {raw}"
    );
    assert!(!raw.contains(&format!("{seconds}.")), "deadline sent as a float: {raw}");
    assert!(body(request)["revalidationDeadlineSeconds"].is_i64(), "deadline is not an integer: {raw}");
}

#[tokio::test]
async fn invalidate_by_tags_sends_the_exact_request() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let report = client.invalidate_by_tags("my-project", ["blog", "home"]).send().await.unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.operation, "invalidateByTags");

    let request = only_request(&server).await;
    assert_request(&request, Op::named("invalidateByTags"));
    assert_eq!(query_pairs(&request), vec![("projectIdOrName".to_string(), "my-project".to_string())]);
    // `target` left out when unset.
    assert_eq!(body(&request), json!({ "tags": ["blog", "home"] }));
}

#[tokio::test]
async fn invalidate_by_tags_sends_the_target() {
    for (target, wire) in [(Target::Production, "production"), (Target::Preview, "preview")] {
        let server = ok_server().await;
        let client = client(&server.uri());
        assert!(client.invalidate_by_tags("p", ["a"]).target(target).send().await.unwrap().is_success());
        let request = only_request(&server).await;
        assert_request(&request, Op::named("invalidateByTags"));
        assert_eq!(body(&request), json!({ "tags": ["a"], "target": wire }));
    }
}

#[tokio::test]
async fn dangerously_delete_by_tags_sends_the_exact_request() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let report = client
        .dangerously_delete_by_tags("my-project", ["product-1", "product-2"])
        .target(Target::Production)
        .revalidation_deadline_seconds(300)
        .send()
        .await
        .unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.operation, "dangerouslyDeleteByTags");

    let request = only_request(&server).await;
    assert_request(&request, Op::named("dangerouslyDeleteByTags"));
    assert_eq!(query_pairs(&request), vec![("projectIdOrName".to_string(), "my-project".to_string())]);
    assert_eq!(
        body(&request),
        json!({ "tags": ["product-1", "product-2"], "target": "production", "revalidationDeadlineSeconds": 300 })
    );
    assert_integer_deadline(&request, 300);
}

#[tokio::test]
async fn dangerously_delete_by_tags_leaves_unset_options_out() {
    let server = ok_server().await;
    let client = client(&server.uri());
    assert!(client.dangerously_delete_by_tags("p", ["a"]).send().await.unwrap().is_success());
    let request = only_request(&server).await;
    assert_request(&request, Op::named("dangerouslyDeleteByTags"));
    assert_eq!(body(&request), json!({ "tags": ["a"] }));
}

#[tokio::test]
async fn invalidate_by_src_images_sends_the_exact_request() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let images = ["/images/hero.png", "https://cdn.example.com/a b.jpg"];
    let report = client.invalidate_by_src_images("my-project", images).send().await.unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.operation, "invalidateBySrcImages");

    let request = only_request(&server).await;
    assert_request(&request, Op::named("invalidateBySrcImages"));
    assert_eq!(query_pairs(&request), vec![("projectIdOrName".to_string(), "my-project".to_string())]);
    assert_eq!(body(&request), json!({ "srcImages": images }));
}

#[tokio::test]
async fn dangerously_delete_by_src_images_sends_the_exact_request() {
    let server = ok_server().await;
    let client = client(&server.uri());
    let report = client
        .dangerously_delete_by_src_images("my-project", ["/images/hero.png"])
        .revalidation_deadline_seconds(0)
        .send()
        .await
        .unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.operation, "dangerouslyDeleteBySrcImages");

    let request = only_request(&server).await;
    assert_request(&request, Op::named("dangerouslyDeleteBySrcImages"));
    assert_eq!(query_pairs(&request), vec![("projectIdOrName".to_string(), "my-project".to_string())]);
    assert_eq!(body(&request), json!({ "srcImages": ["/images/hero.png"], "revalidationDeadlineSeconds": 0 }));
    assert_integer_deadline(&request, 0);
}

#[tokio::test]
async fn dangerously_delete_by_src_images_leaves_the_deadline_out_when_unset() {
    let server = ok_server().await;
    let client = client(&server.uri());
    assert!(client.dangerously_delete_by_src_images("p", ["/a.png"]).send().await.unwrap().is_success());
    let request = only_request(&server).await;
    assert_request(&request, Op::named("dangerouslyDeleteBySrcImages"));
    assert_eq!(body(&request), json!({ "srcImages": ["/a.png"] }));
}

#[tokio::test]
async fn the_largest_deadline_goes_out_as_an_integer() {
    let server = ok_server().await;
    let client = client(&server.uri());
    assert!(
        client
            .dangerously_delete_by_tags("p", ["a"])
            .revalidation_deadline_seconds(31_536_000)
            .send()
            .await
            .unwrap()
            .is_success()
    );
    let request = only_request(&server).await;
    assert_integer_deadline(&request, 31_536_000);
}

#[tokio::test]
async fn reserved_and_non_ascii_query_values_are_percent_encoded_and_read_back_intact() {
    let project = "my proj&x=1#frag/?a+b%20ü";
    let team = "team/1?&=#ü";
    let slug = "slug with spaces & ünïcödé=";
    for op in Op::all() {
        let server = ok_server().await;
        let client = builder(&server.uri()).team_id(team).slug(slug).build().unwrap();
        let report = op.send_plain(&client, project, op.items(1)).await.unwrap();
        assert!(report.is_success(), "{op:?}: {report:#?}");

        let request = only_request(&server).await;
        assert_request(&request, op);
        let raw = request.url.query().expect("a query");
        // Three parameters, no value spilling into another, no fragment cut-off.
        assert_eq!(raw.split('&').count(), 3, "{op:?}: raw query {raw:?}");
        assert!(raw.is_ascii() && !raw.contains(' ') && !raw.contains('#'), "{op:?}: unencoded characters in {raw:?}");
        assert_eq!(request.url.fragment(), None, "{op:?}");
        assert_eq!(
            query_map(&request),
            expected_query(&[("projectIdOrName", project), ("teamId", team), ("slug", slug)]),
            "{op:?}: raw query {raw:?}"
        );
    }
}

#[tokio::test]
async fn team_id_and_slug_are_sent_only_when_set() {
    for op in Op::all() {
        for (team, slug) in
            [(None, None), (Some("team_1"), None), (None, Some("my-team")), (Some("team_1"), Some("my-team"))]
        {
            let server = ok_server().await;
            let mut b = builder(&server.uri());
            if let Some(t) = team {
                b = b.team_id(t);
            }
            if let Some(s) = slug {
                b = b.slug(s);
            }
            let client = b.build().unwrap();
            assert!(op.send_plain(&client, "proj", op.items(2)).await.unwrap().is_success());
            let request = only_request(&server).await;
            let mut expected = vec![("projectIdOrName", "proj")];
            expected.extend(team.map(|t| ("teamId", t)));
            expected.extend(slug.map(|s| ("slug", s)));
            assert_eq!(
                query_map(&request),
                expected_query(&expected),
                "{op:?} team={team:?} slug={slug:?}: {}",
                request.url
            );
        }
    }
}

#[tokio::test]
async fn a_per_call_scope_overrides_the_clients() {
    for op in Op::all() {
        let server = ok_server().await;
        let client = builder(&server.uri()).team_id("team_client").slug("client-slug").build().unwrap();

        // Only teamId overridden: the client's slug stays.
        let options = Options { team_id: Some("team_call".into()), ..Options::default() };
        assert!(op.send(&client, "proj", op.items(1), options).await.unwrap().is_success());
        // Both overridden.
        let options =
            Options { team_id: Some("team_call".into()), slug: Some("call-slug".into()), ..Options::default() };
        assert!(op.send(&client, "proj", op.items(1), options).await.unwrap().is_success());
        // No override: the client's scope.
        assert!(op.send_plain(&client, "proj", op.items(1)).await.unwrap().is_success());

        let sent = requests(&server).await;
        assert_eq!(sent.len(), 3, "{op:?}");
        assert_eq!(
            query_map(&sent[0]),
            expected_query(&[("projectIdOrName", "proj"), ("teamId", "team_call"), ("slug", "client-slug")]),
            "{op:?}"
        );
        assert_eq!(
            query_map(&sent[1]),
            expected_query(&[("projectIdOrName", "proj"), ("teamId", "team_call"), ("slug", "call-slug")]),
            "{op:?}"
        );
        assert_eq!(
            query_map(&sent[2]),
            expected_query(&[("projectIdOrName", "proj"), ("teamId", "team_client"), ("slug", "client-slug")]),
            "{op:?}"
        );
    }
}

#[tokio::test]
async fn the_typed_scope_setters_of_every_call_override_the_clients() {
    let server = ok_server().await;
    let client = builder(&server.uri()).team_id("team_client").slug("client-slug").build().unwrap();
    assert!(client.invalidate_by_tags("p", ["a"]).team_id("t1").slug("s1").send().await.unwrap().is_success());
    assert!(client.dangerously_delete_by_tags("p", ["a"]).team_id("t2").slug("s2").send().await.unwrap().is_success());
    assert!(
        client.invalidate_by_src_images("p", ["/a.png"]).team_id("t3").slug("s3").send().await.unwrap().is_success()
    );
    assert!(
        client
            .dangerously_delete_by_src_images("p", ["/a.png"])
            .team_id("t4")
            .slug("s4")
            .send()
            .await
            .unwrap()
            .is_success()
    );
    let sent = requests(&server).await;
    let ops = [
        Op::named("invalidateByTags"),
        Op::named("dangerouslyDeleteByTags"),
        Op::named("invalidateBySrcImages"),
        Op::named("dangerouslyDeleteBySrcImages"),
    ];
    assert_eq!(sent.len(), ops.len());
    for (i, (request, op)) in sent.iter().zip(ops).enumerate() {
        assert_request(request, op);
        let (team, slug) = (format!("t{}", i + 1), format!("s{}", i + 1));
        assert_eq!(
            query_map(request),
            expected_query(&[("projectIdOrName", "p"), ("teamId", team.as_str()), ("slug", slug.as_str())]),
            "{op:?}"
        );
    }
}

#[tokio::test]
async fn a_per_call_scope_applies_when_the_client_has_none() {
    let server = ok_server().await;
    let client = client(&server.uri());
    assert!(client.invalidate_by_tags("proj", ["a"]).slug("call-slug").send().await.unwrap().is_success());
    assert!(client.invalidate_by_tags("proj", ["a"]).team_id("team_call").send().await.unwrap().is_success());
    let sent = requests(&server).await;
    assert_eq!(query_map(&sent[0]), expected_query(&[("projectIdOrName", "proj"), ("slug", "call-slug")]));
    assert_eq!(query_map(&sent[1]), expected_query(&[("projectIdOrName", "proj"), ("teamId", "team_call")]));
}

#[tokio::test]
async fn every_batch_carries_the_headers_query_and_options() {
    let server = ok_server().await;
    let client = builder(&server.uri()).team_id("team_1").build().unwrap();
    let report = client
        .dangerously_delete_by_tags("proj", tags("t", 33))
        .target(Target::Preview)
        .revalidation_deadline_seconds(60)
        .send()
        .await
        .unwrap();
    assert!(report.is_success());
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    for request in &sent {
        assert_request(request, Op::named("dangerouslyDeleteByTags"));
        assert_eq!(query_map(request), expected_query(&[("projectIdOrName", "proj"), ("teamId", "team_1")]));
        let b = body(request);
        assert_eq!(b["target"], "preview");
        assert_eq!(b["revalidationDeadlineSeconds"], json!(60));
        assert_eq!(b.as_object().unwrap().len(), 3, "only tags, target and the deadline: {b}");
    }
}

/// Method, path, sorted query and body of one request.
type Sent = (String, String, Vec<(String, String)>, Value);

#[tokio::test]
async fn plan_lists_exactly_what_send_sends() {
    let server = ok_server().await;
    let client = builder(&server.uri()).team_id("team_1").slug("s").build().unwrap();
    let purge = client.dangerously_delete_by_src_images("proj", src_images("x", 10)).revalidation_deadline_seconds(5);
    let plan = purge.plan().unwrap();
    assert!(purge.send().await.unwrap().is_success());

    let mut sent: Vec<Sent> = requests(&server)
        .await
        .iter()
        .map(|r| {
            let mut q = query_pairs(r);
            q.sort();
            (r.method.to_string(), r.url.path().to_string(), q, body(r))
        })
        .collect();
    let mut planned: Vec<Sent> = plan
        .iter()
        .map(|p| {
            let mut q: Vec<(String, String)> = p.query.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
            q.sort();
            (p.method.to_string(), p.path.to_string(), q, p.body.clone())
        })
        .collect();
    sent.sort_by_key(|s| s.3.to_string());
    planned.sort_by_key(|s| s.3.to_string());
    assert_eq!(planned, sent);
    assert_eq!(planned.len(), 2);
}

#[tokio::test]
async fn a_trailing_slash_in_the_base_url_does_not_change_the_path() {
    let server = ok_server().await;
    let client = client(&format!("{}/", server.uri()));
    assert!(client.invalidate_by_tags("p", ["a"]).send().await.unwrap().is_success());
    assert_eq!(only_request(&server).await.url.path(), Op::named("invalidateByTags").path());
}

#[tokio::test]
async fn plain_http_is_refused_to_remote_hosts_and_nothing_is_sent() {
    for url in ["http://api.vercel.com", "http://10.0.0.1:8080", "http://localhost.evil.example"] {
        let err = EdgeCache::builder(TOKEN).base_url(url).build().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "https is required for {url:?}: plain http is only allowed to loopback hosts (127.0.0.0/8, ::1, localhost), so the token is never sent in clear"
            )
        );
        assert!(matches!(err, vercel_edge_cache::ConfigError::HttpsRequired { .. }), "{err:?}");
        assert_no_token(&[("Display", err.to_string()), ("Debug", format!("{err:?}"))]);
    }
    // Loopback over plain http is fine.
    let server = ok_server().await;
    let client = client(&server.uri());
    assert!(client.invalidate_by_tags("p", ["a"]).send().await.unwrap().is_success());
}

#[tokio::test]
async fn a_reqwest_client_of_the_users_carries_the_token_and_its_own_settings() {
    let server = ok_server().await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-proxy-team", "web".parse().unwrap());
    let http = reqwest::Client::builder().default_headers(headers).user_agent("my-service/2").build().unwrap();
    let client = vercel_edge_cache::EdgeCache::builder(TOKEN).base_url(server.uri()).http_client(http).build().unwrap();
    let report = client.invalidate_by_tags("proj", ["a"]).send().await.unwrap();
    assert!(report.is_success(), "{report:#?}");
    let request = only_request(&server).await;
    assert_eq!(header(&request, "authorization"), Some(format!("Bearer {TOKEN}")), "the token goes on each request");
    assert_eq!(header(&request, "x-proxy-team").as_deref(), Some("web"), "the client's own headers stay");
    assert_eq!(header(&request, "user-agent").as_deref(), Some("my-service/2"), "its User-Agent is the user's");
    // The low-level client sends through it too, with the token; neither shows it.
    let body: vercel_edge_cache::api::types::InvalidateByTagsRequest =
        serde_json::from_value(json!({ "tags": ["b"] })).unwrap();
    client.api().invalidate_by_tags().project_id_or_name("proj").body(body).send().await.unwrap();
    assert_no_token(&[("the client", format!("{client:?}")), ("the low-level client", format!("{:?}", client.api()))]);
    let requests = requests(&server).await;
    assert_eq!(header(&requests[1], "authorization"), Some(format!("Bearer {TOKEN}")));
}

#[tokio::test]
async fn the_builders_timeout_holds_on_a_reqwest_client_of_the_users() {
    use std::time::{Duration, Instant};
    let server = server_answering(wiremock::ResponseTemplate::new(200).set_delay(Duration::from_secs(5))).await;
    // A client with no timeout of its own: without the builder's, this request would wait 5 s.
    let http = reqwest::Client::builder().build().unwrap();
    let timeout = Duration::from_millis(300);
    let client = EdgeCache::builder(TOKEN)
        .base_url(server.uri())
        .timeout(timeout)
        .max_retries(0)
        .http_client(http)
        .build()
        .unwrap();
    let started = Instant::now();
    let report = client.invalidate_by_tags("proj", ["a"]).send().await.unwrap();
    let took = started.elapsed();
    match report.first_error() {
        Some(vercel_edge_cache::RequestError::Timeout { timeout: named, .. }) => assert_eq!(*named, timeout),
        other => panic!("not a timeout: {other:?}"),
    }
    assert!(took < Duration::from_secs(3), "the request waited for the server: {took:?}");
}
