//! Reading and parsing the spec: bytes → YAML tree → `openapiv3::OpenAPI`, with located errors.
//!
//! Hostile input fails fast: an empty or oversized file, invalid UTF-8, YAML alias bombs and very
//! deep nesting are refused with a message before any of it reaches progenitor.

use std::path::Path;

use crate::error::{Location, SpecError};

/// The largest spec accepted, in bytes. Vercel's whole published description is about 4 MiB.
pub const MAX_SPEC_BYTES: usize = 16 * 1024 * 1024;
/// The deepest nesting of maps and lists accepted.
pub const MAX_DEPTH: usize = 64;
/// The most YAML nodes accepted after aliases are expanded (guards against alias bombs).
pub const MAX_NODES: usize = 2_000_000;

/// A loaded spec: its parsed OpenAPI document and its tree, for JSON-pointer checks.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The parsed document.
    pub api: openapiv3::OpenAPI,
    /// The same document as a JSON tree.
    pub tree: serde_json::Value,
}

/// Reads `path` from disk and loads it; a missing or unreadable file is named.
pub fn read(path: &Path) -> Result<Vec<u8>, SpecError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if meta.is_dir() {
        return Err(SpecError::new(path, Location::File, "is a directory, not a spec file"));
    }
    if meta.len() > MAX_SPEC_BYTES as u64 {
        return Err(too_large(path, meta.len() as usize));
    }
    std::fs::read(path).map_err(|e| io_error(path, &e))
}

fn io_error(path: &Path, e: &std::io::Error) -> SpecError {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => format!("cannot read the spec: {e}"),
    };
    SpecError::new(path, Location::File, what)
}

fn too_large(path: &Path, len: usize) -> SpecError {
    SpecError::new(path, Location::File, format!("the spec is {len} bytes; the most accepted is {MAX_SPEC_BYTES}"))
}

/// Parses spec bytes (YAML or JSON) named `path` into a [`LoadedSpec`].
///
/// ```
/// let spec = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
/// let loaded = generator::load::parse(std::path::Path::new("s.yaml"), spec).unwrap();
/// assert_eq!(loaded.api.openapi, "3.0.3");
/// let err = generator::load::parse(std::path::Path::new("s.yaml"), b"").unwrap_err();
/// assert_eq!(err.to_string(), "s.yaml: the file is empty");
/// ```
pub fn parse(path: &Path, bytes: &[u8]) -> Result<LoadedSpec, SpecError> {
    let (tree, text) = tree_and_text(path, bytes)?;
    check_version(path, &tree)?;
    crate::shape::check(path, &tree)?;
    let api: openapiv3::OpenAPI = serde_yaml::from_str(text).map_err(|e| yaml_error(path, text, &e))?;
    Ok(LoadedSpec { api, tree })
}

/// Parses spec bytes (YAML or JSON) named `path` into a JSON tree only, with the same limits as
/// [`parse`] (size, UTF-8, depth, node count) but none of its OpenAPI checks: for descriptions
/// that are compared, not generated from, such as Vercel's whole published `openapi.json`.
///
/// ```
/// let tree = generator::load::parse_tree(std::path::Path::new("u.json"), br#"{"openapi": "3.1.0", "paths": {}}"#).unwrap();
/// assert_eq!(tree["openapi"], "3.1.0");
/// let err = generator::load::parse_tree(std::path::Path::new("u.json"), b"  ").unwrap_err();
/// assert_eq!(err.to_string(), "u.json: the file is empty");
/// ```
pub fn parse_tree(path: &Path, bytes: &[u8]) -> Result<serde_json::Value, SpecError> {
    tree_and_text(path, bytes).map(|(tree, _)| tree)
}

/// The bounded JSON tree of spec bytes, and their text (without a byte-order mark).
fn tree_and_text<'a>(path: &Path, bytes: &'a [u8]) -> Result<(serde_json::Value, &'a str), SpecError> {
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(too_large(path, bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col_of_offset(bytes, e.valid_up_to());
        SpecError::new(path, Location::LineCol { line, column }, "the file is not valid UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(SpecError::new(path, Location::File, "the file is empty"));
    }

    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| yaml_error(path, text, &e))?;
    let mut nodes = 0usize;
    let tree = to_json(&yaml, 0, &mut nodes, &mut Vec::new())
        .map_err(|(msg, ptr)| SpecError::new(path, Location::Pointer { pointer: ptr, operation: None }, msg))?;
    Ok((tree, text))
}

fn yaml_error(path: &Path, text: &str, e: &serde_yaml::Error) -> SpecError {
    let message = e.to_string();
    // serde_yaml appends " at line L column C"; the location goes in front instead.
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    let mut location = match e.location() {
        Some(l) => Location::LineCol { line: l.line(), column: l.column() },
        None => Location::File,
    };
    // serde_yaml's two limits say too little on their own.
    let message = match message.as_str() {
        "repetition limit exceeded" => {
            // serde_yaml does not say where; the first alias is the likeliest culprit.
            if let Some((line, column)) = first_alias(text) {
                location = Location::LineCol { line, column };
            }
            "YAML aliases (`*name`) expand the document far beyond its size (a YAML alias bomb?); \
             the first alias is here"
                .to_string()
        }
        // serde_yaml's own limit (128) is above ours: the same message as `to_json`'s.
        "recursion limit exceeded" => format!("nesting deeper than {MAX_DEPTH} levels"),
        _ => message,
    };
    SpecError::new(path, location, message)
}

/// The line and column (1-based) of the first YAML alias (`*name`) outside quotes and comments.
fn first_alias(text: &str) -> Option<(usize, usize)> {
    for (n, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (column, (i, c)) in line.char_indices().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') if " [{,:-".contains(prev) => quote = Some(c),
                (None, '#') if prev == ' ' || i == 0 => break,
                (None, '*') if " [{,:-".contains(prev) || i == 0 => {
                    let next = line[i + 1..].chars().next();
                    if next.is_some_and(|n| n.is_alphanumeric() || n == '_' || n == '-') {
                        return Some((n + 1, column + 1));
                    }
                }
                _ => {}
            }
            prev = c;
        }
    }
    None
}

fn line_col_of_offset(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = offset - before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1) + 1;
    (line, column)
}

type TreeError = (String, String);

/// Converts the YAML tree to JSON, bounding depth and node count, and refusing non-string keys.
fn to_json(
    v: &serde_yaml::Value,
    depth: usize,
    nodes: &mut usize,
    at: &mut Vec<String>,
) -> Result<serde_json::Value, TreeError> {
    use serde_json::Value as J;
    use serde_yaml::Value as Y;
    *nodes += 1;
    if *nodes > MAX_NODES {
        return Err((
            format!("the document expands to more than {MAX_NODES} nodes (a YAML alias bomb?)"),
            crate::error::pointer(at.iter()),
        ));
    }
    if depth > MAX_DEPTH {
        return Err((format!("nesting deeper than {MAX_DEPTH} levels"), crate::error::pointer(at.iter())));
    }
    Ok(match v {
        Y::Null => J::Null,
        Y::Bool(b) => J::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(u) = n.as_u64() {
                J::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f).map(J::Number).ok_or_else(|| {
                    ("a number that JSON cannot hold (NaN or infinity)".to_string(), crate::error::pointer(at.iter()))
                })?
            }
        }
        Y::String(s) => J::String(s.clone()),
        Y::Sequence(seq) => {
            let mut out = Vec::with_capacity(seq.len());
            for (i, item) in seq.iter().enumerate() {
                at.push(i.to_string());
                out.push(to_json(item, depth + 1, nodes, at)?);
                at.pop();
            }
            J::Array(out)
        }
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, item) in map {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => {
                        return Err((
                            "a mapping key that is not a string".to_string(),
                            crate::error::pointer(at.iter()),
                        ));
                    }
                };
                at.push(key.clone());
                let value = to_json(item, depth + 1, nodes, at)?;
                at.pop();
                out.insert(key, value);
            }
            J::Object(out)
        }
        Y::Tagged(t) => to_json(&t.value, depth, nodes, at)?,
    })
}

fn check_version(path: &Path, tree: &serde_json::Value) -> Result<(), SpecError> {
    let at = |p: &str| Location::Pointer { pointer: p.to_string(), operation: None };
    let Some(obj) = tree.as_object() else {
        return Err(SpecError::new(path, Location::File, "the document is not a mapping (an OpenAPI object)"));
    };
    if let Some(v) = obj.get("swagger") {
        let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
        return Err(SpecError::new(
            path,
            at("/swagger"),
            format!("Swagger {v} is not supported; convert the spec to OpenAPI 3.0.x"),
        ));
    }
    match obj.get("openapi") {
        None => Err(SpecError::new(path, at(""), "no `openapi` version field; expected OpenAPI 3.0.x")),
        Some(serde_json::Value::String(v)) if v.starts_with("3.0.") || v == "3.0" => Ok(()),
        Some(serde_json::Value::String(v)) => {
            Err(SpecError::new(path, at("/openapi"), format!("OpenAPI {v} is not supported; only OpenAPI 3.0.x is")))
        }
        Some(other) => Err(SpecError::new(
            path,
            at("/openapi"),
            format!("`openapi` must be a version string such as \"3.0.3\", got {other}"),
        )),
    }
}
