//! What the command prints: human text on stderr/stdout, or JSON on stdout (`--json`).

use serde_json::{Value, json};
use vercel_edge_cache::{BatchOutcome, BatchReport, CANCEL_GRACE, PlannedRequest, RateLimitWaits, RequestError};

use crate::input::Items;
use crate::json_result;
use crate::signals::Signal;

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
        say!("{}", crate::json::line(&json!({ "event": "plan", "ok": true, "dryRun": true, "requests": requests })));
        return;
    }
    say!("Dry run: {} request{}, nothing sent.", plan.len(), if plan.len() == 1 { "" } else { "s" });
    for r in plan {
        let query: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        say!("{} {}?{}", r.method, r.path, query.join("&"));
        if !r.body.is_null() {
            say!("{}", r.body);
        }
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

/// `n` of a noun (singular, plural): `1 tag`, `16 tags`.
fn count(n: usize, noun: (&str, &str)) -> String {
    if n == 1 { format!("1 {}", noun.0) } else { format!("{n} {}", noun.1) }
}

/// What would let a request Vercel's rate limit ended wait longer, in the CLI's flags.
fn hint(e: &RequestError) -> &'static str {
    match e {
        RequestError::RateLimited { limit, .. } => match limit.setting() {
            "max_retry_after" => "; raise --max-retry-after to wait that long",
            "max_rate_limit_wait" => {
                "; raise --max-retry-after to wait longer (a request waits at most twice it in all)"
            }
            _ => "",
        },
        _ => "",
    }
}

/// What the run was waiting on when it stopped: what the first request abandoned (or given up)
/// met of the rate limit, if any did.
fn waiting_on(report: &BatchReport) -> Option<&RateLimitWaits> {
    let errors = || report.batches.iter().filter_map(|b| b.result.as_ref().err());
    let abandoned = errors().filter(|e| matches!(e, RequestError::Stopped { .. })).find_map(RequestError::rate_limit);
    abandoned.or_else(|| errors().find_map(RequestError::rate_limit))
}

/// Prints the outcome of a run; `noun` is the selection's, singular and plural (none for an
/// operation that takes no selection); `planned` the requests the selection needs (those sent
/// are fewer when the run stopped), by which requests are numbered.
pub fn outcome(
    report: &BatchReport,
    project: &str,
    noun: Option<(&str, &str)>,
    planned: usize,
    as_json: bool,
    save_error: Option<&str>,
) {
    let total = report.item_count();
    let ok = report.succeeded().count();
    if as_json {
        let mut result = json_result::result(report, project, planned);
        json_result::not_saved(&mut result, save_error);
        say!("{}", crate::json::line(&result));
    }
    // Each error once: requests that failed alike (every batch refused with the same 403, say)
    // are counted on the first one's line.
    let mut shown: Vec<(String, &BatchOutcome, usize)> = Vec::new();
    for b in report.failures() {
        let text = b.result.as_ref().err().map(ToString::to_string).unwrap_or_default();
        match shown.iter_mut().find(|(seen, ..)| *seen == text) {
            Some((.., more)) => *more += 1,
            None => shown.push((text, b, 0)),
        }
    }
    for (_, b, more) in shown {
        let Err(e) = &b.result else { continue };
        let items = noun.map(|noun| format!(" ({})", count(b.items.len(), noun))).unwrap_or_default();
        tell!("error: request {} of {planned}{items}: {e}{}", b.index + 1, hint(e));
        if more > 0 {
            let s = if more == 1 { "" } else { "s" };
            let how = match (json_result::abandoned(b), more) {
                (false, _) => "failed",
                (true, 1) => "was abandoned",
                (true, _) => "were abandoned",
            };
            tell!("error: and {more} more request{s} {how} the same way");
        }
    }
    if let Some(reason) = report.stopped {
        let why = waiting_on(report).map(|w| format!("; {w}")).unwrap_or_default();
        let not_done = report.not_done().count();
        let unsent = match report.not_sent.len() {
            0 => String::new(),
            n if n == not_done => ", none of them sent".to_string(),
            n => format!(", {n} of them never sent"),
        };
        match noun {
            Some(noun) => tell!("error: stopped ({reason}{why}): {} not done{unsent}", count(not_done, noun)),
            None => tell!("error: stopped ({reason}{why}): not done"),
        }
    }
    let Some(noun) = noun else {
        if !as_json {
            match report.is_success() {
                true => say!("{}: project {project} done.", report.operation),
                false => say!("{}: project {project} not done.", report.operation),
            }
        }
        return;
    };
    if !as_json {
        let requests = planned;
        let plural = if requests == 1 { "" } else { "s" };
        let items = if total == 1 { noun.0 } else { noun.1 };
        if report.is_success() {
            say!("{}: {total} {items} of project {project} done in {requests} request{plural}.", report.operation);
        } else {
            // Requests abandoned when the run stopped (they may have reached Vercel) and items
            // left out as invalid (--skip-invalid) are said apart from failed requests, as
            // --json counts them.
            let abandoned = report.failures().filter(|b| json_result::abandoned(b)).count();
            let failed = report.failures().count() - abandoned;
            let failed_plural = if failed == 1 { "" } else { "s" };
            let abandoned = match abandoned {
                0 => String::new(),
                n => format!(", {n} abandoned when the run stopped"),
            };
            let left_out = match report.invalid.len() {
                0 => String::new(),
                1 => format!("; 1 {} left out as invalid", noun.0),
                n => format!("; {n} {} left out as invalid", noun.1),
            };
            say!(
                "{}: {ok} of {total} {items} of project {project} done; {failed} request{failed_plural} of {requests} failed{abandoned}{left_out}.",
                report.operation
            );
        }
    }
}

/// Says that a signal stopped the run, and what happens next (on stderr).
pub fn stopping(signal: Signal, save_failed: Option<&std::path::Path>) {
    let saved = save_failed.map(|p| format!(", still writing {}", p.display())).unwrap_or_default();
    tell!(
        "\n{} received: sending nothing new, the requests in flight get {:.1} s; a second signal (Ctrl-C, or SIGTERM or SIGHUP) quits at once{saved}",
        signal.name(),
        CANCEL_GRACE.as_secs_f64()
    );
}

/// Prints what is known of a run quit at once on a second signal: its items confirmed done
/// before it (the requests reported as they finished), and the others, `not_done`. Its JSON is
/// `json_result::quit`.
pub fn quit(
    items: &Items,
    project: &str,
    not_done: &[String],
    (first, second): (Signal, Signal),
    as_json: bool,
    save_error: Option<&str>,
) {
    let operation = items.route.operation_id;
    let (total, ok) = (items.items.len(), items.items.len() - not_done.len());
    let reason = format!("cancelled by {}, quit at once on {}", first.name(), second.name());
    if as_json {
        let mut result = json_result::quit(operation, project, total, not_done, &reason);
        json_result::not_saved(&mut result, save_error);
        say!("{}", crate::json::line(&result));
    }
    let Some(noun) = items.nouns() else {
        tell!("error: stopped ({reason}): not done");
        if !as_json {
            say!("{operation}: project {project} not done.");
        }
        return;
    };
    tell!("error: stopped ({reason}): {} not confirmed done", count(not_done.len(), noun));
    if !as_json {
        let items = if total == 1 { noun.0 } else { noun.1 };
        say!("{operation}: {ok} of {total} {items} of project {project} confirmed done.");
    }
}
