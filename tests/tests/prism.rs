//! Contract tests against Prism, a mock server generated from `spec/edge-cache.yaml` that checks
//! every request against the spec (`--errors`): path, query, auth, content type and body.
//!
//! Every valid combination of fields, sent through the client, must get 200; requests that break
//! the spec, sent raw, must not (which shows these tests can fail). One Prism serves the whole
//! file: it takes a few seconds to start, so all cases run in one test.

use edge_cache_tests::prism::Prism;
use edge_cache_tests::*;
use serde_json::{Value, json};
use vercel_edge_cache::{EdgeCache, Target};

/// The team scopes the client can be built with.
fn scopes() -> Vec<(Option<&'static str>, Option<&'static str>)> {
    vec![
        (None, None),
        (Some("team_1a2b3c4d5e6f7g8h9i0j1k2l"), None),
        (None, Some("my-team")),
        (Some("team_1"), Some("my team & co/é")),
    ]
}

fn scoped_client(url: &str, team: Option<&str>, slug: Option<&str>) -> EdgeCache {
    let mut b = builder(url);
    if let Some(t) = team {
        b = b.team_id(t);
    }
    if let Some(s) = slug {
        b = b.slug(s);
    }
    b.build().unwrap()
}

/// Sends every valid combination through the client; returns the failures.
async fn valid_combinations(prism: &Prism) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut cases = 0;
    let targets = [None, Some(Target::Production), Some(Target::Preview)];
    let deadlines = [None, Some(0), Some(300), Some(31_536_000)];
    for op in Op::all() {
        let targets: &[Option<Target>] = if op.by_tags() { &targets } else { &[None] };
        let deadlines: &[Option<i64>] = if op.deletes() { &deadlines } else { &[None] };
        for (team, slug) in scopes() {
            let client = scoped_client(&prism.url, team, slug);
            for target in targets {
                for deadline in deadlines {
                    // Vary the selection: one item, a full request, and one more (two requests).
                    let n = [1, op.max_items(), op.max_items() + 1][cases % 3];
                    cases += 1;
                    let options = Options { target: *target, deadline: *deadline, ..Options::default() };
                    let what =
                        format!("{op:?} team={team:?} slug={slug:?} target={target:?} deadline={deadline:?} items={n}");
                    match op.send(&client, "my-project", op.items(n), options).await {
                        Ok(report) if report.is_success() => {}
                        Ok(report) => failures.push(format!("{what}: {}", report.first_error().unwrap())),
                        Err(e) => failures.push(format!("{what}: refused by the client: {e}")),
                    }
                }
            }
        }
        // A per-call scope over the client's, and the client's own.
        let client = scoped_client(&prism.url, Some("team_client"), None);
        let per_call =
            Options { team_id: Some("team_call".into()), slug: Some("call-slug".into()), ..Options::default() };
        for (what, options) in [("per-call scope", per_call), ("client scope", Options::default())] {
            cases += 1;
            match op.send(&client, "prj_123", op.items(2), options).await {
                Ok(report) if report.is_success() => {}
                Ok(report) => failures.push(format!("{op:?} {what}: {}", report.first_error().unwrap())),
                Err(e) => failures.push(format!("{op:?} {what}: refused by the client: {e}")),
            }
        }
    }

    // Items at their limits: a 256-character tag, unusual characters, a reserved-character project.
    let client = scoped_client(&prism.url, None, None);
    for (what, result) in [
        ("256-character tag", client.invalidate_by_tags("p", ["t".repeat(256)]).send().await),
        ("non-ASCII tag", client.dangerously_delete_by_tags("p", ["ünïcödé tag; with a semicolon"]).send().await),
        (
            "reserved characters in the project",
            client.invalidate_by_src_images("my proj&x=1#f/?", ["/a b.png"]).send().await,
        ),
        ("40 tags", client.invalidate_by_tags("p", tags("post", 40)).target(Target::Production).send().await),
        (
            "17 source images",
            client
                .dangerously_delete_by_src_images("p", src_images("i", 17))
                .revalidation_deadline_seconds(60)
                .send()
                .await,
        ),
    ] {
        cases += 1;
        match result {
            Ok(report) if report.is_success() => {}
            Ok(report) => failures.push(format!("{what}: {}", report.first_error().unwrap())),
            Err(e) => failures.push(format!("{what}: refused by the client: {e}")),
        }
    }
    (cases, failures)
}

/// A raw request: path, query, whether to send the bearer token, the body.
struct Raw {
    what: &'static str,
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    auth: bool,
    body: Value,
    status: u16,
    /// A word the `sl-violations` header must contain (for 400 and 401).
    violation: Option<&'static str>,
}

fn raw_cases() -> Vec<Raw> {
    let project: &'static [(&str, &str)] = &[("projectIdOrName", "p")];
    let seventeen: Vec<String> = tags("t", 17);
    let nine: Vec<String> = src_images("i", 9);
    vec![
        Raw {
            what: "a valid request (control)",
            path: Op::named("invalidateByTags").path(),
            query: project,
            auth: true,
            body: json!({"tags": ["a"]}),
            status: 200,
            violation: None,
        },
        Raw {
            what: "17 tags in one request",
            path: Op::named("invalidateByTags").path(),
            query: project,
            auth: true,
            body: json!({"tags": seventeen}),
            status: 400,
            violation: Some("maxItems"),
        },
        Raw {
            what: "17 tags to delete in one request",
            path: Op::named("dangerouslyDeleteByTags").path(),
            query: project,
            auth: true,
            body: json!({"tags": seventeen}),
            status: 400,
            violation: Some("maxItems"),
        },
        Raw {
            what: "9 source images in one request",
            path: Op::named("invalidateBySrcImages").path(),
            query: project,
            auth: true,
            body: json!({"srcImages": nine}),
            status: 400,
            violation: Some("maxItems"),
        },
        Raw {
            what: "a tag of 257 characters",
            path: Op::named("invalidateByTags").path(),
            query: project,
            auth: true,
            body: json!({"tags": ["x".repeat(257)]}),
            status: 400,
            violation: Some("maxLength"),
        },
        Raw {
            what: "no tags",
            path: Op::named("invalidateByTags").path(),
            query: project,
            auth: true,
            body: json!({"tags": []}),
            status: 400,
            violation: Some("minItems"),
        },
        Raw {
            what: "a deadline above one year",
            path: Op::named("dangerouslyDeleteBySrcImages").path(),
            query: project,
            auth: true,
            body: json!({"srcImages": ["/a.png"], "revalidationDeadlineSeconds": 31_536_001}),
            status: 400,
            violation: Some("maximum"),
        },
        Raw {
            what: "a negative deadline",
            path: Op::named("dangerouslyDeleteByTags").path(),
            query: project,
            auth: true,
            body: json!({"tags": ["a"], "revalidationDeadlineSeconds": -1}),
            status: 400,
            violation: Some("minimum"),
        },
        Raw {
            what: "a fractional deadline",
            path: Op::named("dangerouslyDeleteByTags").path(),
            query: project,
            auth: true,
            body: json!({"tags": ["a"], "revalidationDeadlineSeconds": 1.5}),
            status: 400,
            violation: Some("integer"),
        },
        Raw {
            what: "an unknown target",
            path: Op::named("invalidateByTags").path(),
            query: project,
            auth: true,
            body: json!({"tags": ["a"], "target": "staging"}),
            status: 400,
            violation: Some("enum"),
        },
        Raw {
            what: "a target on a source-image operation",
            path: Op::named("invalidateBySrcImages").path(),
            query: project,
            auth: true,
            body: json!({"srcImages": ["/a.png"], "target": "production"}),
            status: 400,
            violation: Some("additional"),
        },
        Raw {
            what: "a snake_case body key",
            path: Op::named("dangerouslyDeleteBySrcImages").path(),
            query: project,
            auth: true,
            body: json!({"src_images": ["/a.png"]}),
            status: 400,
            violation: Some("srcImages"),
        },
        Raw {
            what: "no projectIdOrName",
            path: Op::named("invalidateByTags").path(),
            query: &[("project", "p")],
            auth: true,
            body: json!({"tags": ["a"]}),
            status: 400,
            violation: Some("projectidorname"),
        },
        Raw {
            what: "no bearer token",
            path: Op::named("invalidateByTags").path(),
            query: project,
            auth: false,
            body: json!({"tags": ["a"]}),
            status: 401,
            violation: Some("security"),
        },
        Raw {
            what: "a path not in the spec",
            path: "/v1/edge-cache/invalidate-by-tag",
            query: project,
            auth: true,
            body: json!({"tags": ["a"]}),
            status: 404,
            violation: None,
        },
    ]
}

/// Sends requests that break the spec, raw; Prism must refuse each.
async fn invalid_requests(prism: &Prism) -> (usize, Vec<String>) {
    let http = raw_http_client();
    let mut failures = Vec::new();
    let cases = raw_cases();
    for case in &cases {
        let mut request = http.post(format!("{}{}", prism.url, case.path)).query(case.query).json(&case.body);
        if case.auth {
            request = request.bearer_auth(TOKEN);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", case.what));
                continue;
            }
        };
        let status = response.status().as_u16();
        let violations =
            response.headers().get("sl-violations").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body = response.text().await.unwrap_or_default();
        if status != case.status {
            failures.push(format!("{}: expected {}, got {status} ({violations}) {body}", case.what, case.status));
            continue;
        }
        if let Some(word) = case.violation {
            if !violations.to_lowercase().contains(&word.to_lowercase()) {
                failures.push(format!("{}: sl-violations should mention {word:?}: {violations:?}", case.what));
            }
            // Prism's error body follows the spec's Error schema.
            let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            if !(parsed["error"]["code"].is_string() && parsed["error"]["message"].is_string()) {
                failures.push(format!("{}: the body is not the Error schema: {body}", case.what));
            }
        }
    }
    (cases.len(), failures)
}

/// What the client makes of Prism's refusals (a request the client cannot send wrongly, so the
/// low-level generated client sends one Prism refuses).
async fn refusal_through_the_client(prism: &Prism) -> Vec<String> {
    let mut failures = Vec::new();
    let client = scoped_client(&prism.url, None, None);
    // The low-level client does not validate: 17 tags in one request. Error statuses reach it
    // untyped (the runtime reads every error body itself), as progenitor's UnexpectedResponse.
    let list: Vec<vercel_edge_cache::api::types::TagListItem> =
        tags("t", 17).into_iter().map(|t| t.parse().expect("a valid tag")).collect();
    let body = vercel_edge_cache::api::types::InvalidateByTagsRequest::builder()
        .tags(vercel_edge_cache::api::types::TagList(list));
    match client.api().invalidate_by_tags().project_id_or_name("p").body(body).send().await {
        Err(vercel_edge_cache::api::Error::UnexpectedResponse(r)) if r.status().as_u16() == 400 => {}
        other => failures.push(format!("17 tags through the low-level client: expected a 400, got {other:?}")),
    }
    failures
}

#[tokio::test]
async fn prism_accepts_every_valid_request_and_refuses_invalid_ones() {
    let prism = Prism::start();

    let (valid, mut failures) = valid_combinations(&prism).await;
    let (invalid, more) = invalid_requests(&prism).await;
    failures.extend(more);
    failures.extend(refusal_through_the_client(&prism).await);

    // Prism saw them all (it logs one "Request received" per request; batching adds more).
    // The log is read on another thread: give it a moment to catch up.
    let mut received = 0;
    for _ in 0..40 {
        received = prism.log_text().matches("Request received").count();
        if received >= valid + invalid {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(received >= valid + invalid, "Prism logged {received} requests for {valid} + {invalid} cases");
    assert!(valid >= 80, "only {valid} valid combinations were tried");
    assert!(invalid >= 14);
    if !failures.is_empty() {
        let log = prism.log_text();
        let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
        panic!(
            "{} of {} Prism cases failed:\n  {}\n\nPrism's last output:\n{}",
            failures.len(),
            valid + invalid + 1,
            failures.join("\n  "),
            tail.join("\n")
        );
    }
}
