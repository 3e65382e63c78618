//! Parameters: a supported location, a name, one declaration each, a schema that can be
//! generated, and Rust names of their own in the request builder.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Operation, resolve};
use crate::error::Location;
use crate::names::{Case, rust_name};

/// The Rust name of each parameter, by (`in`, `name`), and where it is declared.
type RustNames = BTreeMap<(String, String), (String, Location)>;

/// Checks the path item's parameters, then the operation's own, then their names in the request
/// builder ([`check_builder_names`]); returns the names of the path parameters.
pub(super) fn check(op: &mut Operation<'_>) -> BTreeSet<String> {
    let mut path_params = BTreeSet::new();
    // Operation-level parameters replace path-level ones of the same name and location, as
    // OpenAPI says.
    let mut rust_names = RustNames::new();
    let (path, method) = (op.path, op.method);
    let shared = op.item.get("parameters").and_then(Value::as_array);
    let own = op.op.get("parameters").and_then(Value::as_array);
    for (holder, list) in [(vec!["paths", path], shared), (vec!["paths", path, method], own)] {
        // (in, name) of each parameter of this list.
        let mut declared = BTreeSet::new();
        for (i, p) in list.into_iter().flatten().enumerate() {
            let idx = i.to_string();
            let loc = op.location(holder.iter().copied().chain(["parameters", idx.as_str()]));
            // A `$ref` that does not resolve is reported once, by `check_refs`.
            let Some(p) = resolve(op.tree, p) else { continue };
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            let location = p.get("in").and_then(Value::as_str).unwrap_or("");
            check_declaration(op, &loc, p, (location, name), &mut declared);
            if location == "path" {
                path_params.insert(name.to_string());
            }
            check_schema(op, &loc, p, (location, name));
            if !name.is_empty() {
                rust_names.insert((location.to_string(), name.to_string()), (rust_name(name, Case::Snake), loc));
            }
        }
    }
    check_builder_names(op, &rust_names);
    path_params
}

/// Checks a parameter's declaration: a supported `in`, a name, declared once in its list
/// (`declared` holds the list's (`in`, `name`) so far), and `required: true` on a path parameter.
fn check_declaration(
    op: &mut Operation<'_>,
    loc: &Location,
    p: &Value,
    (location, name): (&str, &str),
    declared: &mut BTreeSet<(String, String)>,
) {
    match location {
        "query" | "header" | "path" => {}
        "cookie" => {
            op.push(loc.clone(), format!("parameter `{name}` is in a cookie; cookie parameters are not supported"))
        }
        "" => op.push(loc.clone(), format!("parameter `{name}` has no `in`")),
        other => op.push(loc.clone(), format!("parameter `{name}` has unknown location `{other}`")),
    }
    if name.is_empty() && p.is_object() {
        op.push(loc.clone(), "a parameter has no name".into());
    }
    if !declared.insert((location.to_string(), name.to_string())) {
        op.push(loc.clone(), format!("parameter `{name}` ({location}) is declared twice"));
    }
    if location == "path" && p.get("required") != Some(&Value::Bool(true)) {
        op.push(loc.clone(), format!("path parameter `{name}` must have `required: true`"));
    }
}

/// Checks that a parameter is described by a `schema` (not `content`) that can be generated
/// ([`parameter_schema_problem`]).
fn check_schema(op: &mut Operation<'_>, loc: &Location, p: &Value, (location, name): (&str, &str)) {
    match (p.get("schema"), p.get("content")) {
        (None, None) if p.is_object() => {
            op.push(loc.clone(), format!("parameter `{name}` has neither `schema` nor `content`"));
        }
        (_, Some(_)) => op.push(
            loc.clone(),
            format!("parameter `{name}` is described by `content`; only `schema` is supported for parameters"),
        ),
        (Some(schema), None) => {
            if let Some(problem) = parameter_schema_problem(op.tree, name, location, schema) {
                op.push(loc.clone(), problem);
            }
        }
        (None, None) => {}
    }
}

/// Checks that no two parameters, and no parameter and the request body, become the same Rust
/// name: parameters become fields and methods of the request builder, beside `body`.
fn check_builder_names(op: &mut Operation<'_>, rust_names: &RustNames) {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    if op.op.get("requestBody").is_some() {
        fields.insert("body".to_string(), "the request body".to_string());
    }
    for ((location, name), (rust, loc)) in rust_names {
        let this = format!("parameter `{name}` ({location})");
        match fields.get(rust) {
            Some(first) => op.push(
                loc.clone(),
                format!("{this} and {first} both become the Rust name `{rust}` in the request builder; rename one"),
            ),
            None => {
                fields.insert(rust.clone(), this);
            }
        }
    }
}

/// Why a parameter's schema cannot be generated, if it cannot: path and header parameters are
/// formatted into the URL or a header value, so they must be scalars; query parameters may be
/// lists of scalars too, but not objects.
fn parameter_schema_problem(tree: &Value, name: &str, location: &str, schema: &Value) -> Option<String> {
    let schema = resolve(tree, schema)?;
    let kind = match schema.get("type").and_then(Value::as_str) {
        Some(t) => t,
        None if schema.get("properties").is_some() => "object",
        None => return None,
    };
    match (location, kind) {
        ("path" | "header", "object" | "array") => Some(format!(
            "{location} parameter `{name}` is of type `{kind}`; {location} parameters must be a string, number, integer or boolean"
        )),
        ("query", "object") => Some(format!(
            "query parameter `{name}` is of type `object`; query parameters must be scalars or lists of scalars"
        )),
        _ => None,
    }
}
