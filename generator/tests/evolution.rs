//! Spec evolution, replayed: a fixture spec is generated into a copy of the client crate, and the
//! copy is compiled and tested with `cargo test` (its library, its CLI and a test of its own).
//! A snapshot cannot show that the crate still builds; this does.
//!
//! The copies live under `target/tmp/evolution/<case>/` and share one target directory there,
//! so the dependencies are built once; each case compiles only its client crate, which sits in
//! `client-<case>/` so that cargo keeps each case's artifacts apart: the copy's files are written
//! only when they differ, and a case whose inputs did not change is not rebuilt on the next run.
//! The cases take turns: each one's CLI test runs `target/debug/edge-cache`, one path for all.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{main_spec, without_path, workspace};

/// Rust helpers every case's test file starts with.
const PRELUDE: &str = r#"
#![allow(dead_code, unused_imports)]
use serde_json::{Value, json};
use vercel_edge_cache::{EdgeCache, Error, RequestError};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

async fn server(status: u16, body: Value) -> MockServer {
    let s = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(status).set_body_json(body)).mount(&s).await;
    s
}

fn client(url: &str) -> EdgeCache {
    EdgeCache::builder("tok").base_url(url).max_retries(0).build().unwrap()
}

/// (path, query, body) of every request received.
async fn seen(s: &MockServer) -> Vec<(String, String, Value)> {
    s.received_requests().await.unwrap().iter().map(|r| {
        (r.url.path().to_string(), r.url.query().unwrap_or("").to_string(), serde_json::from_slice(&r.body).unwrap())
    }).collect()
}

/// A raw POST, as a broken client would send it: the status and the error message, if any.
async fn raw_post(url: &str, body: Value) -> (u16, Option<String>) {
    let r = reqwest::Client::new().post(url).bearer_auth("tok").json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let message = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["error"]["message"].as_str().map(String::from));
    (status, message)
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_edge-cache"))
        .args(args)
        .env_remove("VERCEL_TOKEN")
        .env_remove("VERCEL_PROJECT_ID")
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}
"#;

/// Generates `spec` into a copy of the client crate, then runs `test` there with `cargo test`.
fn replay(case: &str, spec: &str, test: &str) {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("evolution");
    let copy = root.join(case);
    // The crate sits in a directory named after the case: cargo names a workspace member's
    // artifacts after its path in the workspace, so each case's stay apart in the shared target
    // directory, and one whose files did not change is fresh.
    let krate = format!("client-{case}");
    let ws = workspace();
    let files = generator::generate(Path::new("spec.yaml"), "spec.yaml", spec.as_bytes())
        .unwrap_or_else(|e| panic!("{case}: the spec does not generate: {e}"));
    // The crate's hand-written sources, as the workspace has them. Every file is written only
    // when it differs, so cargo (which goes by modification times) rebuilds a case only when
    // its inputs changed: a second run with nothing changed only runs the tests again.
    let generated: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    sync_dir(&ws.join("generated-client"), &copy.join(&krate), Path::new("src"), &generated);
    // The copy's manifest, without the CLI test of the real crate (it tests the real spec).
    let manifest = std::fs::read_to_string(ws.join("generated-client/Cargo.toml")).unwrap();
    let manifest = manifest.split("[[test]]").next().unwrap().to_string();
    write(&copy.join(&krate).join("Cargo.toml"), &manifest);
    let workspace_manifest = std::fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    let members = workspace_manifest.lines().find(|l| l.starts_with("members = ")).expect("a members line");
    write(&copy.join("Cargo.toml"), &workspace_manifest.replace(members, &format!("members = [\"{krate}\"]")));
    write(&copy.join("Cargo.lock"), &std::fs::read_to_string(ws.join("Cargo.lock")).unwrap());
    // The crate's README documents the real spec's calls (and is compiled as doc tests); the
    // copy's doc tests are the runtime's and the generated ones.
    write(&copy.join(&krate).join("README.md"), "# A regenerated copy\n");
    write(&copy.join("spec.yaml"), spec);
    write(&copy.join(&krate).join("tests/evolution.rs"), &format!("{PRELUDE}\n{test}"));
    // A copy made before the crate's directory was named after the case.
    let _ = std::fs::remove_dir_all(copy.join("generated-client"));

    generator::output::write_all(&copy.join(&krate), &files).unwrap();

    // The runtime's own unit tests (`--lib`) and doc tests (`--doc`, with the generated
    // examples) run too: they must hold for any spec.
    let (stdout, stderr) = cargo_test(case, &copy, &["--lib", "--test", "evolution"]);
    // The case's own tests are top-level functions; the runtime's unit tests sit in modules.
    let own = stdout.lines().filter(|l| l.starts_with("test ") && l.ends_with(" ... ok") && !l.contains("::")).count();
    assert!(own > 0, "{case}: no test of the case ran:\n{stdout}");
    // The regenerated library and CLI build without a warning.
    for target in ["(lib)", "(bin \"edge-cache\")"] {
        let warned = format!("warning: `vercel-edge-cache` {target} generated");
        assert!(!stderr.contains(&warned), "{case}: the regenerated crate has warnings:\n{stderr}");
    }
    // The crate's front-page example and the kit's are generated from the spec; both run.
    let (stdout, _) = cargo_test(case, &copy, &["--doc"]);
    for example in ["src/lib.rs - (line", "src/mock/mod.rs - mock (line"] {
        assert!(stdout.contains(example), "{case}: the generated example `{example}` did not run:\n{stdout}");
    }
}

/// `cargo test --offline --all-features <targets>` in the copy: its output, or a failure.
fn cargo_test(case: &str, copy: &Path, targets: &[&str]) -> (String, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(copy)
        .args(["test", "--offline", "--all-features"])
        .args(targets)
        .args(["--", "--test-threads=2"])
        .env("CARGO_TARGET_DIR", copy.parent().expect("in the evolution directory").join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "{case}: the regenerated crate fails to build or its tests ({targets:?}) fail:\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

/// Writes `text` to `path`, unless it holds `text` already.
fn write(path: &Path, text: &str) {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Makes `to/rel` hold the files of `from/rel`, less those in `generated` (paths relative to
/// `to`, which the generator writes): each written only when it differs, and files that are in
/// neither removed.
fn sync_dir(from: &Path, to: &Path, rel: &Path, generated: &[PathBuf]) {
    std::fs::create_dir_all(to.join(rel)).unwrap();
    for entry in std::fs::read_dir(from.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let path = rel.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            sync_dir(from, to, &path, generated);
        } else if !generated.contains(&path) {
            write(&to.join(&path), &std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    for entry in std::fs::read_dir(to.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let path = rel.join(entry.file_name());
        if !from.join(&path).exists() && !generated.contains(&path) {
            if entry.file_type().unwrap().is_dir() {
                std::fs::remove_dir_all(entry.path()).unwrap();
            } else {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
    }
}

#[test]
fn operations_removed_the_library_and_the_cli_still_build() {
    let spec = without_path(&main_spec(), "/v1/edge-cache/invalidate-by-src-images");
    let spec = without_path(&spec, "/v1/edge-cache/dangerously-delete-by-src-images");
    assert!(!spec.contains("SrcImages:\n    post"), "both source-image operations are gone");
    // The CLI example that uses `--srcimg` is stale now: codegen says where, and writes nothing.
    let example = "    - edge-cache --project my-site invalidate --srcimg /images/hero.png\n";
    assert!(spec.contains(example), "the spec's --srcimg example moved; update this test");
    let err = generator::generate(Path::new("spec.yaml"), "spec.yaml", spec.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("#/x-edge-cache-cli/examples/1") && err.contains("uses `--srcimg`"), "{err}");
    let spec = spec.replace(example, "");
    replay(
        "removed",
        &spec,
        r#"
#[tokio::test]
async fn tags_still_purge_and_the_source_image_calls_are_gone() {
    let s = server(200, json!({})).await;
    let report = client(&s.uri()).invalidate_by_tags("p", ["a", "b"]).send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(seen(&s).await, vec![("/v1/edge-cache/invalidate-by-tags".to_string(), "projectIdOrName=p".to_string(), json!({"tags": ["a", "b"]}))]);
    let ids: Vec<&str> = EdgeCache::operations().map(|o| o.operation_id).collect();
    assert!(ids.contains(&"invalidateByTags") && ids.contains(&"dangerouslyDeleteByTags"), "{ids:?}");
    assert!(!ids.iter().any(|id| id.contains("SrcImages")), "the source-image operations are gone: {ids:?}");
}

#[test]
fn the_cli_refuses_the_flag_of_a_removed_operation() {
    let (code, _, err) = cli(&["--project", "p", "--dry-run", "invalidate", "--srcimg", "/a.png"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--srcimg"), "{err}");
    let (code, out, err) = cli(&["--project", "p", "--dry-run", "invalidate", "--tag", "a,b"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"tags\":[\"a\",\"b\"]"), "{out}");
}
"#,
    );
}

#[test]
fn operation_added_without_cli_metadata_batches_at_its_own_max_items() {
    let added = r#"  /v1/edge-cache/invalidate-by-paths:
    post:
      operationId: invalidateByPaths
      summary: Invalidate by path
      parameters:
        - $ref: '#/components/parameters/projectIdOrName'
        - $ref: '#/components/parameters/teamId'
        - $ref: '#/components/parameters/slug'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [paths]
              properties:
                paths:
                  type: array
                  minItems: 1
                  maxItems: 3
                  items:
                    type: string
                    maxLength: 10
      responses:
        '200':
          description: Done.
components:"#;
    let spec = main_spec().replacen("components:", added, 1);
    replay(
        "added",
        &spec,
        r#"
#[tokio::test]
async fn the_new_call_batches_at_three_and_checks_its_items() {
    let s = server(200, json!({})).await;
    let c = client(&s.uri());
    let paths = ["/a", "/b", "/c", "/d", "/e", "/f", "/g"];
    let report = c.invalidate_by_paths("p", paths).team_id("team_1").send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(report.batches.len(), 3);
    let mut got = seen(&s).await;
    got.sort_by_key(|(_, _, b)| b.to_string());
    assert_eq!(got, vec![
        ("/v1/edge-cache/invalidate-by-paths".to_string(), "projectIdOrName=p&teamId=team_1".to_string(), json!({"paths": ["/a", "/b", "/c"]})),
        ("/v1/edge-cache/invalidate-by-paths".to_string(), "projectIdOrName=p&teamId=team_1".to_string(), json!({"paths": ["/d", "/e", "/f"]})),
        ("/v1/edge-cache/invalidate-by-paths".to_string(), "projectIdOrName=p&teamId=team_1".to_string(), json!({"paths": ["/g"]})),
    ]);
    let s2 = server(200, json!({})).await;
    let err = client(&s2.uri()).invalidate_by_paths("p", ["/ok", "/much-too-long"]).send().await.unwrap_err();
    assert_eq!(err.to_string(), "paths[1]: at most 10 characters, got 14");
    assert!(seen(&s2).await.is_empty());
}

#[tokio::test]
async fn not_declared_idempotent_it_is_retried_only_when_nothing_was_done() {
    use wiremock::matchers::any;
    let c = |url: &str| EdgeCache::builder("tok").base_url(url).retry_policy(vercel_edge_cache::RetryPolicy {
        max_retries: 3,
        initial_backoff: std::time::Duration::from_millis(1),
        max_backoff: std::time::Duration::from_millis(2),
        ..Default::default()
    }).build().unwrap();
    // A 503 may have purged: not sent again.
    let s = server(503, json!({})).await;
    let report = c(&s.uri()).invalidate_by_paths("p", ["/a"]).send().await.unwrap();
    assert_eq!(report.first_error().unwrap().status(), Some(503));
    assert_eq!(seen(&s).await.len(), 1, "a 503 is not retried for an operation not declared idempotent");
    // A 429 did nothing: sent again.
    let s = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0")).up_to_n_times(1).mount(&s).await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200)).mount(&s).await;
    assert!(c(&s.uri()).invalidate_by_paths("p", ["/a"]).send().await.unwrap().is_success());
    assert_eq!(seen(&s).await.len(), 2);
}

#[test]
fn the_cli_does_not_offer_it() {
    let (code, out, _) = cli(&["invalidate", "--help"]);
    assert_eq!(code, 0);
    assert!(!out.contains("--path") && !out.contains("paths"), "{out}");
}
"#,
    );
}

#[test]
fn optional_body_property_added_gets_a_setter_that_sends_and_checks_it() {
    let original = main_spec();
    let anchor = "    InvalidateByTagsRequest:\n      description: The body of `invalidateByTags`.\n      type: object\n      additionalProperties: false\n      required: [tags]\n      properties:\n";
    assert!(original.contains(anchor), "the spec's InvalidateByTagsRequest moved; update this test");
    let spec = original.replacen(
        anchor,
        &format!(
            "{anchor}        reason:\n          description: Why the cache is purged.\n          type: string\n          maxLength: 20\n        regions:\n          type: array\n          maxItems: 3\n          items:\n            type: string\n            maxLength: 5\n"
        ),
        1,
    );
    replay(
        "property",
        &spec,
        r#"
#[tokio::test]
async fn the_setter_sends_it_and_too_long_is_refused_before_sending() {
    let s = server(200, json!({})).await;
    let c = client(&s.uri());
    c.invalidate_by_tags("p", ["a"]).reason("deploy 42").send().await.unwrap();
    assert_eq!(seen(&s).await[0].2, json!({"tags": ["a"], "reason": "deploy 42"}));
    let s2 = server(200, json!({})).await;
    let err = client(&s2.uri()).invalidate_by_tags("p", ["a"]).reason("x".repeat(21)).send().await.unwrap_err();
    assert_eq!(err.to_string(), "reason: at most 20 characters, got 21");
    let err = c.operation("invalidateByTags", ["a"]).unwrap().set("projectIdOrName", "p").unwrap().set("reason", &"y".repeat(25)).unwrap().validate().unwrap_err();
    assert_eq!(err.to_string(), "reason: at most 20 characters, got 25");
    assert!(seen(&s2).await.is_empty());
}

#[tokio::test]
async fn a_list_property_gets_a_setter_with_its_count_and_item_checks() {
    let s = server(200, json!({})).await;
    let c = client(&s.uri());
    c.invalidate_by_tags("p", ["a"]).regions(["iad1", "sfo1"]).send().await.unwrap();
    assert_eq!(seen(&s).await[0].2, json!({"tags": ["a"], "regions": ["iad1", "sfo1"]}));
    let err = c.invalidate_by_tags("p", ["a"]).regions(["a", "b", "c", "d"]).validate().unwrap_err();
    assert_eq!(err.to_string(), "regions: at most 3 items per request, got 4");
    let err = c.invalidate_by_tags("p", ["a"]).regions(["iad1", "toolong"]).validate().unwrap_err();
    assert_eq!(err.to_string(), "regions[1]: at most 5 characters, got 7");
    let plan = c.operation("invalidateByTags", ["a"]).unwrap().set("projectIdOrName", "p").unwrap().set("regions", "iad1, sfo1").unwrap().plan().unwrap();
    assert_eq!(plan[0].body["regions"], json!(["iad1", "sfo1"]));
}
"#,
    );
}

#[test]
fn a_boolean_query_parameter_gets_a_setter_a_recorded_field_and_a_renamed_cli_flag() {
    // The time trial of issue 15: an optional boolean query parameter, added in the spec alone,
    // reaches the typed setter, `DynPurge::set`, the mock's record and check, and the CLI under a
    // name of its own (`--dry-run` is the CLI's already).
    let original = main_spec();
    let mapping = "x-edge-cache-cli: { command: invalidate, selection: tag, flags: [target] }";
    let parameter = "        - $ref: '#/components/parameters/slug'\n";
    assert!(original.contains(mapping) && original.contains(parameter), "the spec moved; update this test");
    let spec = original
        .replacen(mapping, "x-edge-cache-cli: { command: invalidate, selection: tag, flags: [target, { field: dryRun, flag: preview-only }] }", 1)
        .replacen(
            parameter,
            &format!("{parameter}        - {{ name: dryRun, in: query, description: Only say what would be purged., schema: {{ type: boolean }} }}\n"),
            1,
        );
    replay(
        "query-flag",
        &spec,
        r#"
use vercel_edge_cache::mock::MockVercel;

#[tokio::test]
async fn the_setter_sends_it_the_kit_records_and_checks_it() {
    let s = server(200, json!({})).await;
    client(&s.uri()).invalidate_by_tags("p", ["a"]).dry_run(true).send().await.unwrap();
    assert_eq!(seen(&s).await[0].1, "dryRun=true&projectIdOrName=p");
    let vercel = MockVercel::start().await;
    let c = client(&vercel.uri());
    c.operation("invalidateByTags", ["b"]).unwrap().set("projectIdOrName", "p").unwrap().set("dryRun", "false").unwrap().send().await.unwrap();
    assert_eq!(vercel.accepted()[0].dry_run, Some(false));
    let err = c.operation("invalidateByTags", ["b"]).unwrap().set("dryRun", "maybe").unwrap_err();
    assert_eq!(err.to_string(), "dryRun: must be true or false, got \"maybe\"");
    let url = format!("{}/v1/edge-cache/invalidate-by-tags?projectIdOrName=p&dryRun=maybe", vercel.uri());
    assert_eq!(raw_post(&url, json!({ "tags": ["a"] })).await, (400, Some("dryRun: must be true or false, got \"maybe\"".to_string())));
}

#[test]
fn the_cli_flag_has_its_own_name() {
    let (code, out, err) = cli(&["--project", "p", "--dry-run", "--json", "invalidate", "--tag", "a", "--preview-only"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["requests"][0]["query"]["dryRun"], "true", "{out}");
    let (_, help, _) = cli(&["invalidate", "--help"]);
    assert!(help.contains("--preview-only") && help.contains("Only say what would be purged"), "{help}");
}
"#,
    );
}

#[test]
fn limits_changed_enforcement_and_batching_follow() {
    let original = main_spec();
    assert_eq!(original.matches("maxItems: 16").count(), 1, "the tag limit moved; update this test");
    assert_eq!(original.matches("maxLength: 256").count(), 1, "the tag length moved; update this test");
    let spec = original.replace("maxItems: 16", "maxItems: 5").replace("maxLength: 256", "maxLength: 10");
    replay(
        "limits",
        &spec,
        r#"
#[tokio::test]
async fn twelve_tags_make_three_requests_and_eleven_characters_are_too_many() {
    let s = server(200, json!({})).await;
    let tags: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
    let report = client(&s.uri()).invalidate_by_tags("p", tags).send().await.unwrap();
    let sizes: Vec<usize> = report.batches.iter().map(|b| b.items.len()).collect();
    assert_eq!(sizes, [5, 5, 2]);
    assert_eq!(seen(&s).await.len(), 3);
    let err = client(&s.uri()).invalidate_by_tags("p", ["a".repeat(11)]).validate().unwrap_err();
    assert_eq!(err.to_string(), "tags[0]: at most 10 characters, got 11");
}

#[tokio::test]
async fn the_mock_refuses_by_the_new_limits() {
    use vercel_edge_cache::mock::MockVercel;
    let vercel = MockVercel::start().await;
    let url = format!("{}/v1/edge-cache/invalidate-by-tags?projectIdOrName=p", vercel.uri());
    let five: Vec<String> = (0..5).map(|i| format!("t{i}")).collect();
    assert_eq!(raw_post(&url, json!({ "tags": five })).await, (200, None));
    let six: Vec<String> = (0..6).map(|i| format!("t{i}")).collect();
    let refused = Some("tags: at most 5 items per request, got 6".to_string());
    assert_eq!(raw_post(&url, json!({ "tags": six })).await, (400, refused));
    let refused = Some("tags[1]: at most 10 characters, got 11".to_string());
    assert_eq!(raw_post(&url, json!({ "tags": ["a".repeat(10), "b".repeat(11)] })).await, (400, refused));
    // The client, batching by the same limit, is accepted throughout.
    let tags: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
    assert!(client(&vercel.uri()).invalidate_by_tags("p", tags).send().await.unwrap().is_success());
    let statuses: Vec<u16> = vercel.purges().iter().map(|p| p.status).collect();
    assert_eq!(statuses, [200, 400, 400, 200, 200, 200]);
}

#[test]
fn the_cli_plans_with_the_new_limit() {
    let tags: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
    let (code, out, err) = cli(&["--project", "p", "--dry-run", "--json", "invalidate", "--tag", &tags.join(",")]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["requests"].as_array().unwrap().len(), 3);
}
"#,
    );
}

#[test]
fn every_kind_of_setter_converts_into_progenitors_types() {
    // The limits feature spec: an enum, a string list with lengths, an integer with `minimum: 1`
    // (typify makes it a `NonZeroU64`), a number and a boolean.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/features/limits.yaml");
    let spec = std::fs::read_to_string(path).unwrap();
    replay(
        "limits-feature",
        &spec,
        r#"
use vercel_edge_cache::Colour;

#[tokio::test]
async fn setters_send_their_values_and_out_of_range_ones_are_refused() {
    let s = server(204, json!({})).await;
    let c = client(&s.uri());
    let names = ["abc", "defg", "hij"];
    let report = c.create_widgets(names).colour(Colour::Green).quantity(500).ratio(2.25).urgent(true).send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(seen(&s).await[0].2, json!({"names": ["abc", "defg", "hij"], "colour": "green", "quantity": 500, "ratio": 2.25, "urgent": true}));
    let refused = |e: vercel_edge_cache::ValidationError| e.to_string();
    assert_eq!(refused(c.create_widgets(names).quantity(0).validate().unwrap_err()), "quantity: must be at least 1, got 0");
    assert_eq!(refused(c.create_widgets(names).ratio(f64::NAN).validate().unwrap_err()), "ratio: must be a finite number, got NaN");
    assert_eq!(refused(c.create_widgets(["abc"]).validate().unwrap_err()), "names: at least 2 items per request, got 1");
    assert_eq!(refused(c.create_widgets(["abc", "de"]).validate().unwrap_err()), "names[1]: at least 3 characters, got 2");
    let dynamic = c.operation("createWidgets", names).unwrap().set("colour", "purple").unwrap_err();
    assert_eq!(dynamic.to_string(), "colour: must be one of red, green, blue, got \"purple\"");
    // 26 names: 25 and 1 would leave a request under minItems 2, so 24 and 2.
    let many: Vec<String> = (0..26).map(|i| format!("name{i}")).collect();
    let sizes: Vec<usize> = c.create_widgets(many).plan().unwrap().iter().map(|r| r.body["names"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [24, 2]);
}
"#,
    );
}

#[test]
fn published_style_spec_with_inline_schemas_and_no_error_schemas() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evolution/published-style.yaml");
    let spec = std::fs::read_to_string(path).unwrap();
    replay(
        "published-style",
        &spec,
        r#"
use vercel_edge_cache::Target;
use vercel_edge_cache::mock::{Fault, MockVercel};
use vercel_edge_cache::operations::{DangerouslyDeleteByTags, InvalidateByTags};

#[tokio::test]
async fn it_purges_through_the_client_and_the_kit_records_each_enum_as_one_type() {
    let vercel = MockVercel::start().await;
    let c = client(&vercel.uri());
    let report = c.invalidate_by_tags("p", ["a", "b"]).target(Target::Preview).send().await.unwrap();
    assert!(report.is_success());
    // The same enum, inline in two operations, is one setter type; the number is a number.
    c.dangerously_delete_by_tags("p", ["c"]).target(Target::Production).revalidation_deadline_seconds(60.5).send().await.unwrap();
    c.operation("invalidateBySrcImages", ["/a.png"]).unwrap().set("projectIdOrName", "p").unwrap().send().await.unwrap();
    let purges = vercel.accepted();
    assert_eq!(purges.len(), 3);
    assert_eq!((purges[0].target, purges[1].target), (Some(Target::Preview), Some(Target::Production)));
    assert_eq!(purges[1].revalidation_deadline_seconds, Some(60.5));
    assert_eq!(vercel.items::<InvalidateByTags>(), ["a", "b"]);
    assert_eq!(vercel.items::<DangerouslyDeleteByTags>(), ["c"]);
}

#[tokio::test]
async fn the_kit_refuses_what_the_published_rules_forbid() {
    let vercel = MockVercel::start().await;
    let url = format!("{}/v1/edge-cache/dangerously-delete-by-tags?projectIdOrName=p", vercel.uri());
    let seventeen: Vec<String> = (0..17).map(|i| format!("t{i}")).collect();
    let refused = |m: &str| (400, Some(m.to_string()));
    assert_eq!(raw_post(&url, json!({ "tags": seventeen })).await, refused("tags: at most 16 items per request, got 17"));
    assert_eq!(raw_post(&url, json!({ "tags": ["a"], "target": "staging" })).await, refused("target: must be one of production, preview, got \"staging\""));
    assert_eq!(raw_post(&url, json!({ "tags": ["a"], "revalidationDeadlineSeconds": -1 })).await, refused("revalidationDeadlineSeconds: must be at least 0, got -1"));
    assert_eq!(raw_post(&url, json!({ "tags": ["a"], "colour": "red" })).await, refused("colour: is not accepted by dangerouslyDeleteByTags"));
    assert_eq!(raw_post(&url, json!({ "tags": "a,b", "target": "preview" })).await, (200, None));
    let err = client(&vercel.uri()).dangerously_delete_by_tags("p", ["a"]).revalidation_deadline_seconds(-0.5).validate().unwrap_err();
    assert_eq!(err.to_string(), "revalidationDeadlineSeconds: must be at least 0, got -0.5");
}

#[tokio::test]
async fn it_reports_vercels_error_code_and_message_and_a_410_is_not_transient() {
    let vercel = MockVercel::start().await;
    vercel.fail_next(Fault::status(403).error("invalid_token", "The token is not valid"));
    let report = client(&vercel.uri()).invalidate_by_tags("p", ["a"]).send().await.unwrap();
    match report.first_error() {
        Some(RequestError::Api(e)) => {
            assert_eq!((e.status, e.code.as_deref(), e.message.as_deref()), (403, Some("invalid_token"), Some("The token is not valid")));
        }
        other => panic!("expected Vercel's error, got {other:?}"),
    }
    assert!(report.first_error().unwrap().is_auth());
    vercel.fail_next(Fault::status(410));
    let report = client(&vercel.uri()).dangerously_delete_by_src_images("p", ["/a.png"]).revalidation_deadline_seconds(1.0).send().await.unwrap();
    let error = report.first_error().unwrap();
    assert_eq!((error.status(), error.is_transient()), (Some(410), false));
    let id = error.request_id().expect("the kit's answers carry a request ID");
    assert_eq!(error.to_string(), format!("dangerouslyDeleteBySrcImages: HTTP 410 Gone: gone: Gone (scripted by the mock) (x-vercel-id {id})"));
}

#[test]
fn the_cli_builds_with_no_commands() {
    let (code, _, err) = cli(&["invalidate", "--tag", "a"]);
    assert_eq!(code, 2, "no command is mapped: {err}");
    assert!(err.contains("unrecognized subcommand 'invalidate'"), "{err}");
}
"#,
    );
}

#[test]
fn operations_of_other_shapes_get_a_call_a_cli_command_and_a_mock_route() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evolution/shapes.yaml");
    let spec = std::fs::read_to_string(path).unwrap();
    replay(
        "shapes",
        &spec,
        r##"
use vercel_edge_cache::Region;
use vercel_edge_cache::mock::MockVercel;
use vercel_edge_cache::operations::{DeleteFile, Operation, PurgeEverything};

/// (method, path, query, body) of every request received; no body is `null`.
async fn requests(s: &MockServer) -> Vec<(String, String, String, Value)> {
    s.received_requests().await.unwrap().iter().map(|r| {
        let body = if r.body.is_empty() { Value::Null } else { serde_json::from_slice(&r.body).unwrap() };
        (r.method.to_string(), r.url.path().to_string(), r.url.query().unwrap_or("").to_string(), body)
    }).collect()
}

#[tokio::test]
async fn an_operation_without_a_body_is_one_request_without_one_and_its_answer_is_typed() {
    let s = server(200, json!({"purged": 42, "id": "req_1"})).await;
    let report = client(&s.uri()).purge_everything("p").send().await.unwrap();
    assert!(report.is_success());
    assert_eq!(requests(&s).await, [("POST".to_string(), "/v1/purge-everything".to_string(), "projectIdOrName=p".to_string(), Value::Null)]);
    assert_eq!(PurgeEverything::INFO.batch_field, None);
    let answer: vercel_edge_cache::api::types::PurgeResult = report.batches[0].response::<PurgeEverything>().expect("a typed answer");
    assert_eq!((answer.purged, answer.id.as_deref()), (42, Some("req_1")));
    assert_eq!(report.batches[0].response, Some(json!({"purged": 42, "id": "req_1"})));
    // An answer that is not what the spec says is a failure of the request, not a success.
    let s = server(200, json!({"nothing": true})).await;
    let report = client(&s.uri()).purge_everything("p").send().await.unwrap();
    assert!(report.first_error().is_some(), "{:?}", report.batches);
}

#[test]
fn the_cli_shows_the_answer_in_json() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(server(200, json!({"purged": 7})));
    let (code, out, err) = cli(&["--token", "tok", "--project", "p", "--api-url", &s.uri(), "purge-everything", "--yes", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["batches"][0]["response"], json!({"purged": 7}), "{out}");
}

#[tokio::test]
async fn a_required_body_property_and_a_required_enum_parameter_are_arguments_of_a_put() {
    let s = server(200, json!({})).await;
    let c = client(&s.uri());
    c.delete_file("p", Region::Eu, "/a.js").force(true).send().await.unwrap();
    assert_eq!(requests(&s).await, [("PUT".to_string(), "/v1/files".to_string(), "projectIdOrName=p&region=eu".to_string(), json!({"path": "/a.js", "force": true}))]);
    let err = c.delete_file("p", Region::Us, "").send().await.unwrap_err();
    assert_eq!(err.to_string(), "path: at least 1 character, got 0");
    let err = c.delete_file("p", Region::Us, "x".repeat(21)).send().await.unwrap_err();
    assert_eq!(err.to_string(), "path: at most 20 characters, got 21");
    assert_eq!(requests(&s).await.len(), 1, "refused calls send nothing");
}

#[tokio::test]
async fn the_kit_serves_checks_and_records_each() {
    let vercel = MockVercel::start().await;
    let c = client(&vercel.uri());
    // The kit answers the least body the spec accepts, which the client reads typed.
    let report = c.purge_everything("p").send().await.unwrap();
    assert_eq!(report.batches[0].response::<PurgeEverything>().map(|r| r.purged), Some(0));
    c.delete_file("p", Region::Us, "/b.js").send().await.unwrap();
    #[allow(deprecated)]
    c.legacy_purge("p").send().await.unwrap();
    assert_eq!(vercel.accepted_of::<PurgeEverything>().len(), 1);
    let deleted = vercel.accepted_of::<DeleteFile>();
    assert_eq!((deleted[0].path.as_deref(), deleted[0].region), (Some("/b.js"), Some(Region::Us)));
    assert_eq!(vercel.accepted().len(), 3);
    let r = reqwest::Client::new().put(format!("{}/v1/files?projectIdOrName=p&region=eu", vercel.uri())).bearer_auth("tok").json(&json!({})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("path: is required"));
}

#[test]
fn the_cli_takes_the_path_as_an_argument_and_flags_named_after_the_fields() {
    let (code, out, err) = cli(&["--project", "p", "--dry-run", "delete-file", "/a.js", "--region", "eu", "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("PUT /v1/files?projectIdOrName=p&region=eu"), "{out}");
    assert!(out.contains(r#"{"force":true,"path":"/a.js"}"#), "{out}");
    let (code, _, err) = cli(&["--project", "p", "--dry-run", "delete-file", "--region", "eu"]);
    assert_eq!(code, 2, "the path is required: {err}");
    let (code, out, err) = cli(&["--project", "p", "--dry-run", "purge-everything"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("POST /v1/purge-everything?projectIdOrName=p"), "{out}");
}

#[tokio::test]
async fn a_path_parameter_is_an_argument_encoded_into_the_path_and_checked() {
    use vercel_edge_cache::operations::DeleteWidget;
    let s = server(204, json!(null)).await;
    let c = client(&s.uri());
    assert!(c.delete_widget("w 1/2", "p").send().await.unwrap().is_success());
    assert_eq!(requests(&s).await, [("DELETE".to_string(), "/v1/widgets/w%201%2F2".to_string(), "projectIdOrName=p".to_string(), Value::Null)]);
    let err = c.delete_widget("w", "p").send().await.unwrap_err();
    assert_eq!(err.to_string(), "widgetId: at least 2 characters, got 1");
    let plan = c.delete_widget("w 1/2", "p").plan().unwrap();
    assert_eq!(plan[0].path, "/v1/widgets/w%201%2F2");
    // The kit routes by the template and records the parameter decoded.
    let vercel = MockVercel::start().await;
    client(&vercel.uri()).delete_widget("w 1/2", "p").send().await.unwrap();
    let deleted = vercel.accepted_of::<DeleteWidget>();
    assert_eq!(deleted.len(), 1, "{:?}", vercel.purges());
    assert_eq!(deleted[0].widget_id.as_deref(), Some("w 1/2"));
}

#[tokio::test]
async fn a_number_in_the_path_is_planned_as_it_is_sent_and_an_argument_may_be_named_v() {
    let s = server(200, json!({})).await;
    let c = client(&s.uri());
    c.reset_shard(2.0, "p").send().await.unwrap();
    c.reset_shard(2.5, "p").send().await.unwrap();
    let sent: Vec<String> = requests(&s).await.into_iter().map(|r| r.1).collect();
    assert_eq!(sent, ["/v1/shards/2", "/v1/shards/2.5"]);
    let planned: Vec<String> = [2.0, 2.5].iter().map(|v| c.reset_shard(*v, "p").plan().unwrap()[0].path.clone()).collect();
    assert_eq!(planned, sent, "the plan shows the path as it is sent");
}

#[test]
fn the_cli_takes_a_path_parameter_as_an_argument() {
    let (code, out, err) = cli(&["--project", "p", "--dry-run", "delete-widget", "w-9"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DELETE /v1/widgets/w-9?projectIdOrName=p"), "{out}");
    let (code, _, err) = cli(&["--project", "p", "--dry-run", "delete-widget"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("<WIDGET_ID>"), "{err}");
}

#[test]
fn a_deprecated_operation_warns_in_the_cli() {
    let (code, _, err) = cli(&["--project", "p", "--dry-run", "legacy-purge"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: Vercel's API marks `legacyPurge` (legacy-purge) deprecated"), "{err}");
    let (_, help, _) = cli(&["--help"]);
    assert!(help.contains("Purge the old way. [deprecated by Vercel]"), "{help}");
}
"##,
    );
    // The library's call is `#[deprecated]`.
    let files = generator::generate(Path::new("shapes.yaml"), "shapes.yaml", spec.as_bytes()).unwrap();
    let operations = files.iter().find(|f| f.path.ends_with("operations.rs")).expect("operations.rs");
    assert!(
        operations
            .contents
            .contains("#[deprecated = \"the spec marks this operation deprecated\"]\n    pub fn legacy_purge"),
        "{}",
        operations.contents
    );
}
