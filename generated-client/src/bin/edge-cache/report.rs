//! What the command prints: human text on stderr/stdout, or JSON on stdout (`--json`).

use serde_json::{Value, json};
use vercel_edge_cache::{BatchReport, PlannedRequest, RequestError};

/// Prints the planned requests of a dry run (never the token).
pub fn dry_run(plan: &[PlannedRequest], as_json: bool) {
    if as_json {
        let requests: Vec<Value> = plan
            .iter()
            .map(|r| {
                let query: serde_json::Map<String, Value> =
                    r.query.iter().map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect();
                json!({ "method": r.method, "path": r.path, "query": query, "body": r.body })
            })
            .collect();
        println!("{}", crate::json::line(&json!({ "ok": true, "dryRun": true, "requests": requests })));
        return;
    }
    println!("Dry run: {} request{}, nothing sent.", plan.len(), if plan.len() == 1 { "" } else { "s" });
    for r in plan {
        let query: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        println!("{} {}?{}", r.method, r.path, query.join("&"));
        println!("{}", r.body);
    }
}

/// Encodes a query value the way the client sends it (`application/x-www-form-urlencoded`).
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Prints the outcome of a run.
pub fn outcome(report: &BatchReport, project: &str, noun: &str, as_json: bool) {
    let total = report.item_count();
    let ok = report.succeeded().count();
    if as_json {
        let batches: Vec<Value> = report
            .batches
            .iter()
            .map(|b| match &b.result {
                Ok(()) => json!({ "index": b.index, "items": b.items, "ok": true }),
                Err(e) => json!({ "index": b.index, "items": b.items, "ok": false, "error": error_json(e) }),
            })
            .collect();
        println!(
            "{}",
            crate::json::line(&json!({
                "ok": report.is_success(),
                "operation": report.operation,
                "project": project,
                "requests": report.batches.len(),
                "items": total,
                "succeeded": ok,
                "failed": total - ok,
                "batches": batches,
                "notSent": report.not_sent,
                "notDone": report.not_done().collect::<Vec<_>>(),
                "stopped": report.stopped.map(|r| r.to_string()),
            }))
        );
    }
    for b in report.failures() {
        let e = b.result.as_ref().expect_err("failures have errors");
        eprintln!("error: request {} of {} ({} {}): {e}", b.index + 1, report.batches.len(), b.items.len(), noun);
    }
    if let Some(reason) = report.stopped {
        eprintln!(
            "error: stopped ({reason}): {} {noun} not sent, {} not confirmed in all",
            report.not_sent.len(),
            report.not_done().count()
        );
    }
    if !as_json {
        let requests = report.batches.len();
        let plural = if requests == 1 { "" } else { "s" };
        if report.is_success() {
            println!("{}: {total} {noun} of project {project} done in {requests} request{plural}.", report.operation);
        } else {
            let failed = report.failures().count();
            let failed_plural = if failed == 1 { "" } else { "s" };
            println!(
                "{}: {ok} of {total} {noun} of project {project} done; {failed} request{failed_plural} of {requests} failed.",
                report.operation
            );
        }
    }
}

fn error_json(e: &RequestError) -> Value {
    let mut v = json!({ "message": e.to_string() });
    match e {
        RequestError::Api(api) => {
            v["kind"] = json!("api");
            v["status"] = json!(api.status);
            v["code"] = json!(api.code);
            v["vercelMessage"] = json!(api.message);
            v["attempts"] = json!(api.attempts);
        }
        RequestError::Timeout { attempts, .. } => {
            v["kind"] = json!("timeout");
            v["attempts"] = json!(attempts);
        }
        RequestError::Connection { attempts, .. } => {
            v["kind"] = json!("connection");
            v["attempts"] = json!(attempts);
        }
        RequestError::Stopped { reason, .. } => {
            v["kind"] = json!("stopped");
            v["reason"] = json!(reason.to_string());
        }
        RequestError::InvalidResponse { status, .. } => {
            v["kind"] = json!("invalid_response");
            v["status"] = json!(status);
        }
        _ => v["kind"] = json!("other"),
    }
    v
}
