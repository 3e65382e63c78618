//! Checks of the document's top-level shape on the raw tree, before it is typed.
//!
//! serde would report these too, but as "invalid type" at a line; here the message names the
//! JSON pointer and what was expected there.

use std::path::Path;

use serde_json::Value;

use crate::error::{Location, OperationRef, SpecError, pointer};

/// The HTTP methods a path item may hold.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Checks that `info`, `paths`, each path item and each operation are mappings.
pub fn check(path: &Path, tree: &Value) -> Result<(), SpecError> {
    let err = |ptr: String, op: Option<OperationRef>, msg: String| {
        SpecError::new(path, Location::Pointer { pointer: ptr, operation: op.map(Box::new) }, msg)
    };
    let kind = |v: &Value| match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    };
    for key in ["info", "paths"] {
        match tree.get(key) {
            None => return Err(err(String::new(), None, format!("the required field `{key}` is missing"))),
            Some(Value::Object(_)) => {}
            Some(v) => {
                return Err(err(pointer([key]), None, format!("`{key}` must be a mapping, got {}", kind(v))));
            }
        }
    }
    if let Some(c) = tree.get("components")
        && !c.is_object()
    {
        return Err(err(pointer(["components"]), None, format!("`components` must be a mapping, got {}", kind(c))));
    }
    let paths = tree["paths"].as_object().expect("checked above");
    for (p, item) in paths {
        if !p.starts_with('/') && !p.starts_with("x-") {
            return Err(err(pointer(["paths", p]), None, format!("path `{p}` must start with `/`")));
        }
        let Some(item) = item.as_object() else {
            return Err(err(pointer(["paths", p]), None, format!("a path item must be a mapping, got {}", kind(item))));
        };
        for m in METHODS {
            if let Some(op) = item.get(m) {
                let opref = OperationRef {
                    method: m.to_uppercase(),
                    path: p.clone(),
                    operation_id: op.get("operationId").and_then(Value::as_str).map(str::to_string),
                };
                let Some(op) = op.as_object() else {
                    return Err(err(
                        pointer(["paths", p, m]),
                        Some(opref),
                        format!("an operation must be a mapping, got {}", kind(op)),
                    ));
                };
                match op.get("responses") {
                    Some(Value::Object(_)) => {}
                    None => {
                        return Err(err(
                            pointer(["paths", p, m]),
                            Some(opref),
                            "the operation has no `responses`".into(),
                        ));
                    }
                    Some(v) => {
                        return Err(err(
                            pointer(["paths", p, m, "responses"]),
                            Some(opref),
                            format!("`responses` must be a mapping, got {}", kind(v)),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}
