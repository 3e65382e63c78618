//! `--json` and `--json-lines` are a contract: every object a real run prints is valid against
//! the schema the crate ships (`json/result.schema.json`), and its counts are exact.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// The schema, as the crate ships it.
const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/json/result.schema.json");

/// Why `value` is not valid against the schema, if it is not.
fn schema_errors(value: &Value) -> Option<String> {
    let mut schemas = boon::Schemas::new();
    let index = boon::Compiler::new().compile(SCHEMA, &mut schemas).unwrap_or_else(|e| panic!("{e:#}"));
    schemas.validate(value, index).err().map(|e| format!("{e:#}"))
}

#[track_caller]
pub(crate) fn assert_valid(value: &Value) {
    if let Some(errors) = schema_errors(value) {
        panic!("not valid against json/result.schema.json:\n{errors}\n{value:#}");
    }
}

/// Runs `edge-cache <line>` (with `--json`), checks its exit code and that stdout is one object
/// valid against the schema, and gives it.
async fn json_run(line: &str, server: &MockServer, code: i32) -> (Output, Value) {
    let out = run_line(line, server).await;
    out.assert_code(code);
    let value = out.json();
    assert_valid(&value);
    (out, value)
}

/// The counts of a result: items, succeeded, failed, abandoned, notSentCount, requestsPlanned,
/// requestsSent.
fn counts(v: &Value) -> [u64; 7] {
    let n = |f: &str| v[f].as_u64().unwrap_or_else(|| panic!("{f} is not a count: {v:#}"));
    let c = [
        n("items"),
        n("succeeded"),
        n("failed"),
        n("abandoned"),
        n("notSentCount"),
        n("requestsPlanned"),
        n("requestsSent"),
    ];
    let invalid = n("invalidCount");
    assert_eq!(c[1] + c[2] + c[3] + c[4] + invalid, c[0], "the counts of items are disjoint and add up: {v:#}");
    c
}

/// A mock answering 200, but `status` to the batch holding `tag` (each answer at once).
async fn server_answering(tag: &str, status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(body_string_contains(format!("\"{tag}\"")))
        .respond_with(ResponseTemplate::new(status))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_done_is_valid_and_the_schema_refuses_what_it_does_not_say() {
    let server = server().await;
    let (_, v) = json_run(&format!("{BASE} --json invalidate --tag {}", tags(0..40).join(",")), &server, 0).await;
    assert_eq!(v["outcome"], json!("done"));
    assert_eq!(counts(&v), [40, 40, 0, 0, 0, 3, 3]);
    // Strict: a field it does not name, a field it requires missing, a failed batch without its
    // error, a count that is not one, are all refused.
    let mut extra = v.clone();
    extra["requests"] = json!(3);
    let mut missing = v.clone();
    missing.as_object_mut().unwrap().remove("notSentCount");
    let mut no_error = v.clone();
    no_error["batches"][0]["ok"] = json!(false);
    let mut negative = v.clone();
    negative["failed"] = json!(-1);
    let mut unknown_kind = v.clone();
    unknown_kind["batches"][0]["ok"] = json!(false);
    unknown_kind["batches"][0]["error"] = json!({ "kind": "oops", "message": "?" });
    for bad in [extra, missing, no_error, negative, unknown_kind] {
        assert!(schema_errors(&bad).is_some(), "the schema accepts {bad:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_run_counts_the_failed_batch_only() {
    // A 500, not retried: the run goes to its end, one batch failed.
    let server = server_answering("t16", 500).await;
    let line = format!("{BASE} --json --max-retries 0 invalidate --tag {}", tags(0..40).join(","));
    let (_, v) = json_run(&line, &server, 1).await;
    assert_eq!(v["outcome"], json!("partial"));
    assert_eq!(counts(&v), [40, 24, 16, 0, 0, 3, 3]);
    assert_eq!(v["batches"][1]["error"]["status"], json!(500));
    assert_eq!(v["notDone"], json!(tags(16..32)));
    assert_eq!(v["stopped"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_left_out_invalid_items_counts_them_apart() {
    let server = server_answering("none", 500).await;
    let bad = "b".repeat(10_000);
    let line = format!("{BASE} --json --skip-invalid invalidate --tag t0,{bad},t1");
    let (_, v) = json_run(&line, &server, 1).await;
    assert_eq!(v["outcome"], json!("invalid"));
    assert_eq!(counts(&v), [3, 2, 0, 0, 0, 1, 1]);
    assert_eq!((v["invalidCount"].clone(), v["invalid"][0]["index"].clone()), (json!(1), json!(1)));
    assert_eq!(v["invalid"][0]["item"], json!(bad));
    assert_eq!(v["notDone"], json!([bad]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_by_a_refusal_counts_what_was_never_sent_apart() {
    // One request at a time: the 403 to the second stops the run before the third is sent.
    let server = server_answering("t16", 403).await;
    let line = format!("{BASE} --json --concurrency 1 invalidate --tag {}", tags(0..40).join(","));
    let (out, v) = json_run(&line, &server, 3).await;
    assert_eq!(v["outcome"], json!("stopped"));
    assert_eq!(counts(&v), [40, 16, 16, 0, 8, 3, 2]);
    assert_eq!(v["notSent"], json!(tags(32..40)));
    assert_eq!(v["notDone"], json!(tags(16..40)));
    // Requests are numbered of those planned, not of those sent.
    out.assert_stderr_has(&["error: request 2 of 3 (16 tags): invalidateByTags: HTTP 403"]);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_by_the_time_budget_counts_abandoned_and_never_sent_apart() {
    // One request at a time: the first is answered at once, the second is in flight when the
    // budget runs out, the third is never sent.
    let server = MockServer::start().await;
    Mock::given(body_string_contains("\"t00\""))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30))).mount(&server).await;
    let line = format!("{BASE} --concurrency 1 --max-time 2 invalidate --tag {}", tags(0..40).join(","));
    let (out, v) = json_run(&format!("{line} --json"), &server, 1).await;
    assert_eq!(v["outcome"], json!("stopped"));
    assert_eq!(v["stopped"], json!("the time budget ran out"));
    assert_eq!(counts(&v), [40, 16, 0, 16, 8, 3, 2]);
    assert_eq!(v["batches"][1]["error"]["kind"], json!("stopped"));
    out.assert_stderr_has(&["error: request 2 of 3 (16 tags): invalidateByTags: abandoned"]);

    // --json-lines: an event per request, the abandoned one counted as such, then the same
    // result.
    let out = run_line(&format!("{line} --json-lines"), &server).await;
    out.assert_code(1);
    let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).expect("a line of JSON")).collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    lines.iter().for_each(assert_valid);
    let progress = |i: usize| &lines[i]["progress"];
    assert_eq!(
        progress(0),
        &json!({ "items": 40, "succeeded": 16, "failed": 0, "abandoned": 0, "requestsFinished": 1, "requestsPlanned": 3 })
    );
    assert_eq!(
        progress(1),
        &json!({ "items": 40, "succeeded": 16, "failed": 0, "abandoned": 16, "requestsFinished": 2, "requestsPlanned": 3 })
    );
    assert_eq!(lines[2], v, "the last line is --json's result");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_and_a_usage_error_are_valid_too() {
    let server = server().await;
    let (_, v) = json_run(&format!("{BASE} --json --dry-run invalidate --tag a"), &server, 0).await;
    assert_eq!(v["event"], json!("plan"));
    let (_, v) = json_run(&format!("{BASE} --json-lines invalidate"), &server, 2).await;
    assert_eq!(v["event"], json!("error"));
    // One or the other.
    let (_, v) = json_run(&format!("{BASE} --json --json-lines invalidate --tag a"), &server, 2).await;
    assert_eq!(v["event"], json!("error"));
    // What the argument parser refuses is an error object too, naming what it refused.
    let (out, v) = json_run(&format!("{BASE} --json invalidate --tagz a"), &server, 2).await;
    assert_eq!(v["error"]["kind"], json!("usage"));
    assert!(v["error"]["message"].as_str().unwrap().contains("--tagz"), "{v}");
    out.assert_stderr_has(&["--tagz"]);
    // The whole of what it says, not its first line: which argument is missing, which values
    // a flag takes.
    let (_, v) = json_run(&format!("{BASE} --json dangerously-delete-immutable-static --yes"), &server, 2).await;
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("the following required arguments were not provided:") && message.contains("<PATH>"),
        "{v}"
    );
    let (_, v) = json_run(&format!("{BASE} --json invalidate --tag a --target nowhere"), &server, 2).await;
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("[possible values: ") && !message.contains("--help"), "{v}");
    // A file that cannot be read is an `io` error, nothing sent.
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("edge-cache-json-no-such-file.txt");
    let (_, v) = json_run(&format!("{BASE} --json invalidate --tags-from {}", missing.display()), &server, 2).await;
    assert_eq!(v["error"]["kind"], json!("io"), "{v}");
    // --help is not an error: its text, no object.
    let help = run_line(&format!("{BASE} --json invalidate --help"), &server).await;
    help.assert_code(0);
    assert!(help.stdout.contains("Usage: edge-cache invalidate") && !help.stdout.starts_with('{'), "{}", help.stdout);
    assert_nothing_sent(&server).await;
}

/// A loopback server that answers its first request 200 at once and holds each later one until
/// the test releases it.
struct Gated {
    url: String,
    release: Arc<tokio::sync::Semaphore>,
    received: Arc<AtomicUsize>,
}

impl Gated {
    async fn start() -> Self {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let release = Arc::new(tokio::sync::Semaphore::new(0));
        let received = Arc::new(AtomicUsize::new(0));
        let (gate, count) = (release.clone(), received.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (gate, count) = (gate.clone(), count.clone());
                tokio::spawn(async move {
                    if read_request(&mut stream).await.is_none() {
                        return;
                    }
                    let ticket = count.fetch_add(1, Ordering::SeqCst);
                    if ticket > 0 {
                        let Ok(permit) = gate.acquire().await else { return };
                        permit.forget();
                    }
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nx-vercel-id: gated::{ticket}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Gated { url, release, received }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_prints_each_batch_as_it_finishes_then_the_result() {
    let server = Gated::start().await;
    // 20 tags: two requests, one at a time.
    let args =
        argv(&format!("{BASE} --concurrency 1 --json-lines invalidate --tag {}", tags(0..20).join(",")), &server.url);
    let mut child = spawn_piped(&args);
    // Its stdout, line by line, as it comes.
    let mut rx = lines_as_they_come(child.stdout.take().expect("piped"));
    let exited = tokio::task::spawn_blocking(move || child.wait_with_output());

    // The first event arrives while the second request is held: printed as it happened.
    let first = match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await {
        Ok(Some(line)) => line,
        other => {
            server.release.add_permits(1);
            panic!("no first line from edge-cache: {other:?}");
        }
    };
    // The second request comes, and is held: no event for it until it is released.
    let held = async {
        while server.received.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    if tokio::time::timeout(Duration::from_secs(60), held).await.is_err() {
        panic!("the second request never came");
    }
    assert!(rx.try_recv().is_err(), "a line came for a request still held");
    let first: Value = serde_json::from_str(&first).expect("a line of JSON");
    assert_valid(&first);
    assert_eq!(
        first,
        json!({
            "event": "batch",
            "batch": { "index": 0, "items": tags(0..16), "ok": true, "requestId": "gated::0" },
            "progress": { "items": 20, "succeeded": 16, "failed": 0, "abandoned": 0, "requestsFinished": 1, "requestsPlanned": 2 },
        })
    );
    server.release.add_permits(1);
    let out = tokio::time::timeout(Duration::from_secs(60), exited).await.expect("edge-cache ends").expect("join");
    let out = out.expect("wait for edge-cache");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let mut rest = Vec::new();
    while let Some(line) = rx.recv().await {
        assert!(!line.contains(TOKEN));
        rest.push(serde_json::from_str::<Value>(&line).expect("a line of JSON"));
    }
    assert_eq!(rest.len(), 2, "{rest:#?}");
    rest.iter().for_each(assert_valid);
    assert_eq!(rest[0]["event"], json!("batch"));
    assert_eq!(rest[0]["batch"]["items"], json!(tags(16..20)));
    assert_eq!(rest[0]["progress"]["succeeded"], json!(20));
    assert_eq!(rest[0]["progress"]["requestsFinished"], json!(2));
    let result = &rest[1];
    assert_eq!(result["event"], json!("result"));
    assert_eq!(result["outcome"], json!("done"));
    assert_eq!(counts(result), [20, 20, 0, 0, 0, 2, 2]);
}

/// A run quit at once on a second signal, a real process: `--json` prints its one object, valid
/// against the schema, whose `notDone` is exactly what the saved file holds (every tag not
/// answered, in order).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_quit_on_a_second_signal_prints_a_valid_quit_result() {
    let run = signalled_with("sigint-twice-json.txt", &[libc::SIGINT, libc::SIGINT], "--json").await;
    run.assert(130, &["quit at once on SIGINT"]);
    let value: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_valid(&value);
    assert_eq!(value["outcome"], json!("quit"));
    assert_eq!(value["stopped"], json!("cancelled by SIGINT, quit at once on SIGINT"));
    assert_eq!(value["items"], json!(200));
    assert_eq!(value["succeeded"], json!(200 - run.unanswered.len()));
    assert_eq!(value["notDone"], json!(run.unanswered));
}
