//! Semantic checks run before progenitor sees the spec. Each finds a defect progenitor would
//! panic on, or silently mis-generate, and reports it with a JSON pointer and the operation.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Location, OperationRef, SpecError, pointer};
use crate::names;
use crate::refs::RefError;
use crate::shape::METHODS;

mod operation_ids;
mod parameters;
mod path_template;
mod request_body;
mod responses;

pub use path_template::{placeholders, template_problem};

/// Runs every check; returns all the problems found, in document order.
pub fn check(file: &Path, tree: &Value) -> Vec<SpecError> {
    let mut errors = Vec::new();
    check_refs(file, tree, tree, &mut Vec::new(), &mut errors);
    names::check_schema_names(file, tree, &mut errors);
    names::check_property_names(file, tree, &mut errors);
    let mut ids = operation_ids::Seen::default();
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
            let mut op = Operation { file, tree, path, method, item, op, opref, errors: &mut errors };
            check_operation(&mut op, &mut ids);
        }
    }
    errors
}

/// The checks of one operation, in the order their problems are reported. A malformed path
/// template ends them: the request body and the responses are not checked then.
fn check_operation(op: &mut Operation<'_>, ids: &mut operation_ids::Seen) {
    operation_ids::check(op, ids);
    let path_params = parameters::check(op);
    if !path_template::check(op, &path_params) {
        return;
    }
    request_body::check(op);
    responses::check(op);
}

/// One operation being checked: where it is in the document, and where its problems go.
struct Operation<'a> {
    file: &'a Path,
    tree: &'a Value,
    /// The path template (the key under `paths`).
    path: &'a str,
    /// The lower-case method (the key under the path item).
    method: &'static str,
    /// The path item, which may declare parameters shared by its operations.
    item: &'a Map<String, Value>,
    /// The operation object.
    op: &'a Value,
    /// The operation as its problems name it.
    opref: Box<OperationRef>,
    errors: &'a mut Vec<SpecError>,
}

impl Operation<'_> {
    /// A location in the document, attributed to this operation.
    fn location<'s>(&self, segments: impl IntoIterator<Item = &'s str>) -> Location {
        Location::Pointer { pointer: pointer(segments), operation: Some(self.opref.clone()) }
    }

    /// A location inside the operation object (`/paths/<path>/<method>/...`).
    fn at(&self, segments: &[&str]) -> Location {
        self.location(["paths", self.path, self.method].into_iter().chain(segments.iter().copied()))
    }

    /// Records a problem found at `location`.
    fn push(&mut self, location: Location, message: String) {
        self.errors.push(SpecError::new(self.file, location, message));
    }
}

/// Whether a media type is JSON (`application/json`, or any `+json`), parameters aside.
fn is_json(media_type: &str) -> bool {
    let mt = media_type.split(';').next().unwrap_or("").trim();
    mt == "application/json" || mt.ends_with("+json")
}

/// Follows local `$ref`s to the value they name ([`crate::refs::follow`]).
pub fn resolve<'a>(tree: &'a Value, v: &'a Value) -> Option<&'a Value> {
    crate::refs::follow(tree, v, String::new(), |_, _| {}).ok().map(|(v, _)| v)
}

/// Reports every `$ref` that is not a string, not local, or names nothing in the document;
/// examples and extensions are not searched.
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
