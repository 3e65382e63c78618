//! Walking a document: values with their JSON pointers, the operations of `paths`, and
//! following `$ref`s on one side while noting our deliberate-deviation declarations.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::DEVIATION_KEY;
use super::report::Declaration;
use crate::error::{Location, SpecError, escape_segment};
use crate::shape::METHODS;

/// A value reached on one side, after following `$ref`s, and its JSON pointer.
#[derive(Debug, Clone)]
pub(super) struct At<'a> {
    pub(super) v: &'a Value,
    pub(super) ptr: String,
}

impl<'a> At<'a> {
    pub(super) fn get(&self, key: &str) -> Option<At<'a>> {
        self.v.get(key).map(|v| At { v, ptr: format!("{}/{}", self.ptr, escape_segment(key)) })
    }

    /// The pointer of `key` if this object has it, else this object's own.
    pub(super) fn ptr_of(&self, key: &str) -> String {
        match self.v.get(key) {
            Some(_) => format!("{}/{}", self.ptr, escape_segment(key)),
            None => self.ptr.clone(),
        }
    }

    /// The entries of the mapping at `key` (none when absent or not a mapping), with pointers.
    pub(super) fn entries(&self, key: &str) -> BTreeMap<&'a str, At<'a>> {
        let mut out = BTreeMap::new();
        if let Some(Value::Object(map)) = self.v.get(key) {
            for (k, v) in map {
                out.insert(
                    k.as_str(),
                    At { v, ptr: format!("{}/{}/{}", self.ptr, escape_segment(key), escape_segment(k)) },
                );
            }
        }
        out
    }
}

/// One operation of a document.
pub(super) struct Operation<'a> {
    pub(super) method: &'static str,
    pub(super) path: &'a str,
    pub(super) id: Option<&'a str>,
    pub(super) tags: Vec<&'a str>,
    pub(super) item: At<'a>,
    pub(super) at: At<'a>,
}

/// The operations of `paths`, in path order then method order; non-mappings are skipped.
pub(super) fn operations(paths: &Map<String, Value>) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    for (path, item) in paths {
        if !item.is_object() || path.starts_with("x-") {
            continue;
        }
        let item_at = At { v: item, ptr: format!("/paths/{}", escape_segment(path)) };
        for method in METHODS {
            let Some(op) = item_at.get(method) else { continue };
            if !op.v.is_object() {
                continue;
            }
            out.push(Operation {
                method,
                path,
                id: op.v.get("operationId").and_then(Value::as_str),
                tags: op
                    .v
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect(),
                item: item_at.clone(),
                at: op,
            });
        }
    }
    out
}

/// Makes `cover` the declaration on `at`, if it carries one.
pub(super) fn note_declaration(at: &At<'_>, cover: &mut Option<Declaration>) {
    if let Some(reason) = at.v.get(DEVIATION_KEY) {
        *cover = Some(Declaration { pointer: at.ptr.clone(), reason: one_line(reason) });
    }
}

/// The extension's value as one line of text.
pub(super) fn one_line(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(one_line).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One document being compared.
pub(super) struct Side<'a> {
    pub(super) file: &'a Path,
    pub(super) tree: &'a Value,
    /// Ours: declarations are collected on the way.
    pub(super) ours: bool,
}

impl<'a> Side<'a> {
    pub(super) fn error(&self, ptr: &str, message: String) -> SpecError {
        SpecError::new(self.file, Location::Pointer { pointer: ptr.to_string(), operation: None }, message)
    }

    /// Follows `$ref`s from `at` ([`crate::refs::follow`]); on our side, notes every
    /// declaration on the way in `cover`.
    pub(super) fn resolve(&self, at: At<'a>, cover: &mut Option<Declaration>) -> Result<At<'a>, SpecError> {
        let (v, ptr) = crate::refs::follow(self.tree, at.v, at.ptr, |v, ptr| {
            if self.ours {
                note_declaration(&At { v, ptr: ptr.to_string() }, cover);
            }
        })
        .map_err(|e| self.error(e.pointer(), e.to_string()))?;
        Ok(At { v, ptr })
    }
}
