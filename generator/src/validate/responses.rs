//! Responses: status codes, at most one media type each, a schema for a JSON one, and one body
//! type for the errors and one for the successes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Operation, is_json, resolve};

/// Response codes by the type of their body: the schema as JSON text, or `no body`.
type CodesByType = BTreeMap<String, Vec<String>>;

/// Checks the operation's responses: at least one, each with [`response_type`]; then that the
/// error responses (4xx, 5xx, `default`) share one schema and the successes (2xx) one body type.
pub(super) fn check(op: &mut Operation<'_>) {
    let mut error_types = CodesByType::new();
    let mut success_types = CodesByType::new();
    if let Some(responses) = op.op.get("responses").and_then(Value::as_object) {
        if responses.is_empty() {
            op.push(op.at(&["responses"]), "the operation documents no response".into());
        }
        for (code, resp) in responses {
            let Some(typ) = response_type(op, code, resp) else { continue };
            if code == "default" || code.starts_with('4') || code.starts_with('5') {
                error_types.entry(typ).or_default().push(code.clone());
            } else if code.starts_with('2') {
                success_types.entry(typ).or_default().push(code.clone());
            }
        }
    }
    if error_types.len() > 1 {
        op.push(
            op.at(&["responses"]),
            format!(
                "error responses must share one schema, but they differ between groups {}; give every 4xx/5xx/default response the same schema",
                groups(&error_types)
            ),
        );
    }
    if success_types.len() > 1 {
        op.push(
            op.at(&["responses"]),
            format!(
                "success responses must share one body type, but they differ between groups {}; give every 2xx response the same content (or none)",
                groups(&success_types)
            ),
        );
    }
}

/// Checks one response: a status code (100-599, 1XX-5XX or `default`), at most one media type,
/// a schema for a JSON one. Returns the type of its body (its schema as JSON text, or `no body`),
/// or None for a response that is not compared with the others (a bad code, an unresolved `$ref`).
fn response_type(op: &mut Operation<'_>, code: &str, resp: &Value) -> Option<String> {
    if code != "default" && !valid_status(code) {
        op.push(op.at(&["responses", code]), format!("`{code}` is not a status code (100-599, 1XX-5XX or `default`)"));
        return None;
    }
    let resp = resolve(op.tree, resp)?;
    let mut typ = "no body".to_string();
    if let Some(content) = resp.get("content").and_then(Value::as_object) {
        if content.len() > 1 {
            op.push(
                op.at(&["responses", code, "content"]),
                "a response with more than one media type is not supported".into(),
            );
        }
        for (mt, media) in content {
            match media.get("schema") {
                None if is_json(mt) => {
                    op.push(op.at(&["responses", code, "content", mt]), format!("the `{mt}` response has no schema"))
                }
                None => {}
                Some(s) => typ = s.to_string(),
            }
        }
    }
    Some(typ)
}

/// `[400, 404] (`#/components/schemas/Error`) and [500] (no body)`: response codes grouped by
/// their body's type, groups in the order of their codes.
fn groups(types: &CodesByType) -> String {
    let mut groups: Vec<(&Vec<String>, String)> = types
        .iter()
        .map(|(typ, codes)| {
            let what = match serde_json::from_str::<Value>(typ) {
                Ok(schema) => match schema.get("$ref").and_then(Value::as_str) {
                    Some(r) => format!("`{r}`"),
                    None => "an inline schema".to_string(),
                },
                Err(_) => typ.clone(),
            };
            (codes, what)
        })
        .collect();
    groups.sort();
    groups.iter().map(|(codes, what)| format!("[{}] ({what})", codes.join(", "))).collect::<Vec<_>>().join(" and ")
}

/// Whether a response key is a status code: 100 to 599, or a range from `1XX` to `5XX`.
fn valid_status(code: &str) -> bool {
    match code.as_bytes() {
        [d, b'X' | b'x', b'X' | b'x'] => (b'1'..=b'5').contains(d),
        _ => code.parse::<u16>().is_ok_and(|c| (100..600).contains(&c)),
    }
}
