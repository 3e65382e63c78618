//! Semantic checks run before progenitor sees the spec. Each finds a defect progenitor would
//! panic on, or silently mis-generate, and reports it with a JSON pointer and the operation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::error::{Location, OperationRef, SpecError, pointer};
use crate::refs::RefError;
use crate::shape::METHODS;

use crate::names::{self, Case, rust_name};

/// Runs every check; returns all the problems found, in document order.
pub fn check(file: &Path, tree: &Value) -> Vec<SpecError> {
    let mut errors = Vec::new();
    check_refs(file, tree, tree, &mut Vec::new(), &mut errors);
    names::check_schema_names(file, tree, &mut errors);
    names::check_property_names(file, tree, &mut errors);
    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    // The Rust method name of each operationId, and the operationId and operation that took it.
    let mut seen_names: BTreeMap<String, (String, String)> = BTreeMap::new();
    let paths = tree.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let Some(item) = item.as_object() else { continue };
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let opref = Box::new(OperationRef {
                method: method.to_uppercase(),
                path: path.clone(),
                operation_id: op.get("operationId").and_then(Value::as_str).map(str::to_string),
            });
            let at = |segs: &[&str]| {
                let mut all = vec!["paths", path.as_str(), method];
                all.extend_from_slice(segs);
                Location::Pointer { pointer: pointer(all), operation: Some(opref.clone()) }
            };
            let mut push = |loc: Location, msg: String| errors.push(SpecError::new(file, loc, msg));

            // operationId: present, unique.
            match op.get("operationId") {
                None => push(at(&[]), "the operation has no operationId; one is needed to name its method".into()),
                Some(Value::String(id)) if id.trim().is_empty() => {
                    push(at(&["operationId"]), "operationId is empty".into())
                }
                Some(Value::String(id)) => {
                    let here = format!("{} {}", method.to_uppercase(), path);
                    if let Some(first) = seen_ids.insert(id.clone(), here.clone()) {
                        push(at(&["operationId"]), format!("operationId `{id}` is already used by {first}"));
                    } else if let Some(problem) = names::operation_id_problem(id) {
                        push(at(&["operationId"]), problem);
                    } else {
                        // The tables' module, the client's method and the builder's type.
                        let rust = [
                            heck::ToSnakeCase::to_snake_case(id.as_str()),
                            rust_name(id, Case::Snake),
                            rust_name(id, Case::Pascal),
                        ];
                        for name in rust {
                            match seen_names.get(&name) {
                                Some((other, first)) if other != id => {
                                    push(
                                        at(&["operationId"]),
                                        format!(
                                            "operationId `{id}` and operationId `{other}` ({first}) both become `{name}` in the generated code; rename one"
                                        ),
                                    );
                                    break;
                                }
                                Some(_) => {}
                                None => {
                                    seen_names.insert(name, (id.clone(), here.clone()));
                                }
                            }
                        }
                    }
                }
                Some(_) => push(at(&["operationId"]), "operationId must be a string".into()),
            }

            // Parameters: locations supported, path parameters match the template both ways.
            let mut path_params = BTreeSet::new();
            // The Rust name of each parameter, by (in, name): operation-level ones replace
            // path-level ones of the same name and location, as OpenAPI says.
            let mut rust_names: BTreeMap<(String, String), (String, Location)> = BTreeMap::new();
            let shared = item.get("parameters").and_then(Value::as_array);
            let own = op.get("parameters").and_then(Value::as_array);
            for (list_at, list) in [(None, shared), (Some(()), own)] {
                let mut names = BTreeSet::new();
                for (i, p) in list.into_iter().flatten().enumerate() {
                    let idx = i.to_string();
                    let loc = match list_at {
                        None => Location::Pointer {
                            pointer: pointer(["paths", path.as_str(), "parameters", &idx]),
                            operation: Some(opref.clone()),
                        },
                        Some(()) => at(&["parameters", &idx]),
                    };
                    // A `$ref` that does not resolve is reported once, by `check_refs`.
                    let Some(p) = resolve(tree, p) else { continue };
                    let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                    let location = p.get("in").and_then(Value::as_str).unwrap_or("");
                    match location {
                        "query" | "header" | "path" => {}
                        "cookie" => push(
                            loc.clone(),
                            format!("parameter `{name}` is in a cookie; cookie parameters are not supported"),
                        ),
                        "" => push(loc.clone(), format!("parameter `{name}` has no `in`")),
                        other => push(loc.clone(), format!("parameter `{name}` has unknown location `{other}`")),
                    }
                    if name.is_empty() && p.is_object() {
                        push(loc.clone(), "a parameter has no name".into());
                    }
                    if !names.insert((location.to_string(), name.to_string())) {
                        push(loc.clone(), format!("parameter `{name}` ({location}) is declared twice"));
                    }
                    if location == "path" {
                        path_params.insert(name.to_string());
                        if p.get("required") != Some(&Value::Bool(true)) {
                            push(loc.clone(), format!("path parameter `{name}` must have `required: true`"));
                        }
                    }
                    match (p.get("schema"), p.get("content")) {
                        (None, None) if p.is_object() => {
                            push(loc.clone(), format!("parameter `{name}` has neither `schema` nor `content`"));
                        }
                        (_, Some(_)) => push(
                            loc.clone(),
                            format!(
                                "parameter `{name}` is described by `content`; only `schema` is supported for parameters"
                            ),
                        ),
                        (Some(schema), None) => {
                            if let Some(problem) = parameter_schema_problem(tree, name, location, schema) {
                                push(loc.clone(), problem);
                            }
                        }
                        (None, None) => {}
                    }
                    if !name.is_empty() {
                        rust_names.insert(
                            (location.to_string(), name.to_string()),
                            (rust_name(name, Case::Snake), loc.clone()),
                        );
                    }
                }
            }
            // Parameters become fields and methods of the request builder, beside `body`.
            let mut fields: BTreeMap<String, String> = BTreeMap::new();
            if op.get("requestBody").is_some() {
                fields.insert("body".to_string(), "the request body".to_string());
            }
            for ((location, name), (rust, loc)) in &rust_names {
                let this = format!("parameter `{name}` ({location})");
                match fields.get(rust) {
                    Some(first) => push(
                        loc.clone(),
                        format!(
                            "{this} and {first} both become the Rust name `{rust}` in the request builder; rename one"
                        ),
                    ),
                    None => {
                        fields.insert(rust.clone(), this);
                    }
                }
            }
            if let Some(problem) = template_problem(path) {
                push(at(&[]), problem);
                continue;
            }
            let placeholders = placeholders(path);
            for ph in &placeholders {
                if !path_params.contains(ph) {
                    push(at(&[]), format!("the path has placeholder `{{{ph}}}` but no path parameter `{ph}`"));
                }
            }
            for p in &path_params {
                if !placeholders.contains(p) {
                    push(
                        at(&["parameters"]),
                        format!(
                            "path parameter `{p}` has no `{{{p}}}` placeholder in the path, so it would never reach the URL"
                        ),
                    );
                }
            }

            // Request body: one media type; JSON media types have a schema.
            if let Some(rb) = op.get("requestBody").and_then(|rb| resolve(tree, rb)) {
                match rb.get("content").and_then(Value::as_object) {
                    None => push(at(&["requestBody"]), "the request body has no `content`".into()),
                    Some(content) if content.len() != 1 => push(
                        at(&["requestBody", "content"]),
                        format!(
                            "the request body has {} media types ({}); exactly one is supported",
                            content.len(),
                            content.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ),
                    Some(content) => {
                        for (mt, media) in content {
                            if is_json(mt) && media.get("schema").is_none() {
                                push(
                                    at(&["requestBody", "content", mt]),
                                    format!("the `{mt}` request body has no schema"),
                                );
                            }
                        }
                    }
                }
            }

            // Responses: JSON media types have a schema; error responses share one type.
            let mut error_types: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut success_types: BTreeMap<String, Vec<String>> = BTreeMap::new();
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                if responses.is_empty() {
                    push(at(&["responses"]), "the operation documents no response".into());
                }
                for (code, resp) in responses {
                    if code != "default" && !valid_status(code) {
                        push(
                            at(&["responses", code]),
                            format!("`{code}` is not a status code (100-599, 1XX-5XX or `default`)"),
                        );
                        continue;
                    }
                    let Some(resp) = resolve(tree, resp) else { continue };
                    let mut typ = "no body".to_string();
                    if let Some(content) = resp.get("content").and_then(Value::as_object) {
                        if content.len() > 1 {
                            push(
                                at(&["responses", code, "content"]),
                                "a response with more than one media type is not supported".into(),
                            );
                        }
                        for (mt, media) in content {
                            match media.get("schema") {
                                None if is_json(mt) => push(
                                    at(&["responses", code, "content", mt]),
                                    format!("the `{mt}` response has no schema"),
                                ),
                                None => {}
                                Some(s) => typ = s.to_string(),
                            }
                        }
                    }
                    if code == "default" || code.starts_with('4') || code.starts_with('5') {
                        error_types.entry(typ).or_default().push(code.clone());
                    } else if code.starts_with('2') {
                        success_types.entry(typ).or_default().push(code.clone());
                    }
                }
            }
            if error_types.len() > 1 {
                push(
                    at(&["responses"]),
                    format!(
                        "error responses must share one schema, but they differ between groups {}; give every 4xx/5xx/default response the same schema",
                        groups(&error_types)
                    ),
                );
            }
            if success_types.len() > 1 {
                push(
                    at(&["responses"]),
                    format!(
                        "success responses must share one body type, but they differ between groups {}; give every 2xx response the same content (or none)",
                        groups(&success_types)
                    ),
                );
            }
        }
    }
    errors
}

/// `[400, 404] (`#/components/schemas/Error`) and [500] (no body)`: response codes grouped by
/// their body's type, groups in the order of their codes.
fn groups(types: &BTreeMap<String, Vec<String>>) -> String {
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

fn is_json(media_type: &str) -> bool {
    let mt = media_type.split(';').next().unwrap_or("").trim();
    mt == "application/json" || mt.ends_with("+json")
}

fn valid_status(code: &str) -> bool {
    match code.as_bytes() {
        [d, b'X' | b'x', b'X' | b'x'] => (b'1'..=b'5').contains(d),
        _ => code.parse::<u16>().is_ok_and(|c| (100..600).contains(&c)),
    }
}

/// Why a path template is malformed, if it is: every `{` closes with a `}` around a name.
///
/// ```
/// use generator::validate::template_problem;
/// assert_eq!(template_problem("/v1/items/{id}"), None);
/// assert!(template_problem("/v1/items/{id").unwrap().contains("not closed"));
/// assert!(template_problem("/v1/items/{}").unwrap().contains("empty"));
/// ```
pub fn template_problem(path: &str) -> Option<String> {
    let mut open: Option<usize> = None;
    for (i, c) in path.char_indices() {
        match (c, open) {
            ('{', None) => open = Some(i),
            ('{', Some(_)) => return Some(format!("the path template `{path}` has a `{{` inside a placeholder")),
            ('}', None) => return Some(format!("the path template `{path}` has a `}}` that closes no placeholder")),
            ('}', Some(start)) if start + 1 == i => {
                return Some(format!("the path template `{path}` has an empty placeholder `{{}}`"));
            }
            ('}', Some(_)) => open = None,
            _ => {}
        }
    }
    open.map(|_| format!("the path template `{path}` has a placeholder that is not closed with `}}`"))
}

/// The `{name}` placeholders of a path template.
pub fn placeholders(path: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        out.insert(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    out
}

/// Follows local `$ref`s to the value they name ([`crate::refs::follow`]).
pub fn resolve<'a>(tree: &'a Value, v: &'a Value) -> Option<&'a Value> {
    crate::refs::follow(tree, v, String::new(), |_, _| {}).ok().map(|(v, _)| v)
}

fn check_refs(file: &Path, tree: &Value, v: &Value, at: &mut Vec<String>, errors: &mut Vec<SpecError>) {
    match v {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref") {
                let loc = Location::Pointer {
                    pointer: pointer(at.iter().chain(std::iter::once(&"$ref".to_string()))),
                    operation: names::operation_at(tree, at),
                };
                let at = String::new();
                let problem = match r.as_str() {
                    None => Some(RefError::NotAString { at }),
                    Some(r) => match crate::refs::pointer_of(r) {
                        None => Some(RefError::NotLocal { at, reference: r.to_string() }),
                        Some(p) if tree.pointer(&p).is_none() => {
                            Some(RefError::Dangling { at, reference: r.to_string() })
                        }
                        Some(_) => None,
                    },
                };
                if let Some(problem) = problem {
                    errors.push(SpecError::new(file, loc, problem.to_string()));
                }
            }
            for (k, child) in map {
                if k == "$ref" || k == "example" || k == "examples" || k.starts_with("x-") {
                    continue;
                }
                at.push(k.clone());
                check_refs(file, tree, child, at, errors);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(i.to_string());
                check_refs(file, tree, child, at, errors);
                at.pop();
            }
        }
        _ => {}
    }
}
