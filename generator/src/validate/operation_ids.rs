//! operationIds: each operation has one, a non-empty string, used once, that makes names of its
//! own in the generated code.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Operation;
use crate::names::{self, Case, rust_name};

/// The operationIds seen so far, and the Rust names they took.
#[derive(Default)]
pub(super) struct Seen {
    /// Each operationId, and the operation (`METHOD /path`) that used it first.
    ids: BTreeMap<String, String>,
    /// The Rust method name of each operationId, and the operationId and operation that took it.
    names: BTreeMap<String, (String, String)>,
}

/// Checks the operation's operationId: present, a non-empty string, then [`check_id`].
pub(super) fn check(op: &mut Operation<'_>, seen: &mut Seen) {
    match op.op.get("operationId") {
        None => op.push(op.at(&[]), "the operation has no operationId; one is needed to name its method".into()),
        Some(Value::String(id)) if id.trim().is_empty() => {
            op.push(op.at(&["operationId"]), "operationId is empty".into())
        }
        Some(Value::String(id)) => check_id(op, seen, id),
        Some(_) => op.push(op.at(&["operationId"]), "operationId must be a string".into()),
    }
}

/// Checks a string operationId: not used by an earlier operation, a name the generator accepts
/// ([`names::operation_id_problem`]), then [`check_rust_names`].
fn check_id(op: &mut Operation<'_>, seen: &mut Seen, id: &str) {
    let here = format!("{} {}", op.method.to_uppercase(), op.path);
    if let Some(first) = seen.ids.insert(id.to_string(), here.clone()) {
        op.push(op.at(&["operationId"]), format!("operationId `{id}` is already used by {first}"));
    } else if let Some(problem) = names::operation_id_problem(id) {
        op.push(op.at(&["operationId"]), problem);
    } else {
        check_rust_names(op, seen, id, &here);
    }
}

/// Checks that the Rust names made of an operationId (the tables' module, the client's method
/// and the builder's type) are not those of another operationId; the first clash is reported.
/// `here` names the operation (`METHOD /path`).
fn check_rust_names(op: &mut Operation<'_>, seen: &mut Seen, id: &str, here: &str) {
    let rust = [heck::ToSnakeCase::to_snake_case(id), rust_name(id, Case::Snake), rust_name(id, Case::Pascal)];
    for name in rust {
        match seen.names.get(&name) {
            Some((other, first)) if other != id => {
                op.push(
                    op.at(&["operationId"]),
                    format!(
                        "operationId `{id}` and operationId `{other}` ({first}) both become `{name}` in the generated code; rename one"
                    ),
                );
                break;
            }
            Some(_) => {}
            None => {
                seen.names.insert(name, (id.to_string(), here.to_string()));
            }
        }
    }
}
