//! Normalising what is compared: values by meaning (`1` is `1.0`, absent `additionalProperties`
//! is `true`), types with `nullable`, and the human-readable labels of schema keywords.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::walk::At;

/// A step into a schema, for the human-readable location.
pub(super) enum Step {
    Property(String),
    Keyword(String),
}

/// The human-readable location of a schema keyword, such as `body property tags.oneOf[0].maxItems`.
pub(super) fn label(base: &str, steps: &[Step], tail: Option<&str>) -> String {
    let mut parts: Vec<&str> = steps
        .iter()
        .map(|s| match s {
            Step::Property(p) | Step::Keyword(p) => p.as_str(),
        })
        .collect();
    parts.extend(tail);
    let dotted = parts.join(".");
    match steps.first() {
        Some(Step::Property(_)) => format!("{base} property {dotted}"),
        _ if dotted.is_empty() => format!("{base} schema"),
        _ => format!("{base} schema {dotted}"),
    }
}

/// A value for a message: `unset` when absent, strings bare, anything else as JSON.
pub(super) fn show(v: Option<&Value>) -> String {
    match v {
        None => "unset".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Semantic equality of JSON values: numbers by value (`1` equals `1.0`).
pub(super) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

/// A canonical text of a value, for set comparisons (numbers by value).
pub(super) fn canonical(v: &Value) -> String {
    match v {
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// A schema's types (without `"null"`) and whether it is nullable.
pub(super) fn types(schema: &Map<String, Value>) -> (Option<BTreeSet<String>>, bool) {
    let mut nullable = schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    let set = match schema.get("type") {
        None => None,
        Some(Value::String(t)) => Some(BTreeSet::from([t.clone()])),
        Some(Value::Array(ts)) => {
            Some(ts.iter().map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_string)).collect())
        }
        Some(other) => Some(BTreeSet::from([other.to_string()])),
    };
    let set = set.map(|mut s| {
        if s.remove("null") {
            nullable = true;
        }
        s
    });
    (set, nullable)
}

pub(super) fn show_types(t: &Option<BTreeSet<String>>) -> String {
    match t {
        None => "unset".into(),
        Some(s) if s.len() == 1 => s.iter().next().cloned().unwrap_or_default(),
        Some(s) => format!("[{}]", s.iter().cloned().collect::<Vec<_>>().join(", ")),
    }
}

/// `additionalProperties`, normalised: absent, `true` and `{}` all allow anything.
pub(super) enum Additional<'a> {
    Allowed(bool),
    Schema(At<'a>),
}

pub(super) fn additional<'a>(schema: &At<'a>) -> Additional<'a> {
    match schema.get("additionalProperties") {
        None => Additional::Allowed(true),
        Some(At { v: Value::Bool(b), .. }) => Additional::Allowed(*b),
        Some(At { v: Value::Object(m), .. }) if m.is_empty() => Additional::Allowed(true),
        Some(at) => Additional::Schema(at),
    }
}
