//! `cargo xtask spec-diff`: compares the hand-maintained spec with a published description.
//!
//! The published description (upstream) may be Vercel's whole `openapi.json`, JSON or YAML. It
//! is only parsed into a tree ([`crate::load::parse_tree`]), never validated or generated from, so
//! a description the generator would refuse can still be compared.
//!
//! For each operation of ours, matched upstream by method and path, else by `operationId`, the
//! comparison is semantic, after following local `$ref`s on both sides (so our
//! `#/components/...` compare equal to upstream's inline definitions); descriptions, summaries
//! and examples are ignored. It covers:
//!
//! - parameters, keyed by `in` and `name`: presence, `required`, and their schema;
//! - the request body: presence, `required`, media types, and each schema;
//! - responses: the status codes, the media types of each, whether each has a schema, and that
//!   schema;
//! - schemas, recursively: `type` (and `nullable`, or `"null"` in a type list), `format`,
//!   `pattern`, `enum` values, `minimum`/`maximum` and their `exclusive*`, `multipleOf`,
//!   `minLength`/`maxLength`, `minItems`/`maxItems`, `uniqueItems`,
//!   `minProperties`/`maxProperties`, `const`, `required` names, `properties`,
//!   `additionalProperties` (absent, `true` and `{}` are the same), `items`, `not`, and `oneOf`,
//!   `anyOf`, `allOf` branch by branch (by index);
//! - and, for every tag our operations use, the operations upstream has under it that we don't.
//!
//! # Deliberate deviations
//!
//! A difference is *deliberate* when, on our side, an object on the way to it carries an
//! [`DEVIATION_KEY`] (`x-deliberate-deviation`) extension, counting every object a `$ref` on the
//! way led to (the `$ref` holder and its target). The extension covers differences at its object
//! (including the object being absent upstream) and under it, with one boundary: a schema is
//! covered only by extensions on schemas (itself or an enclosing schema), not by the parameter,
//! media type, request body, response, operation or path item that holds it, so declaring a
//! request body's `required` deliberate does not hide drift in its properties. Thus
//! `#/components/requestBodies/X` with the extension covers `requestBody.required` of every
//! operation that references `X`; `#/components/responses/BadRequest` with it covers the 400
//! response having content upstream lacks; an `Error` schema with it covers every difference
//! inside any schema built on `Error`; and a `default` response referencing a response with it
//! covers that response being absent upstream. What upstream has and we lack is covered by the
//! extension on our enclosing object. The document's own `info.x-deliberate-deviation` is prose
//! for readers and covers nothing by itself.
//!
//! # Output
//!
//! One line per [`Difference`] (see its `Display`), in a stable order: our operations in path
//! order, then method order; in each, the operation match, parameters by (`in`, `name`), the
//! request body, then responses by status; the upstream-only operations last, by path and method.
//! "only in ours" and "only upstream" say which side has a thing; "changed ours A -> upstream B"
//! gives both values, `unset` for an absent one. Pointers are JSON pointers to where the value
//! is in each file, after following `$ref`s; for a thing one side lacks, the pointer on that side
//! is the object that lacks it.
//!
//! ```
//! use std::path::Path;
//! let ours = br#"
//! openapi: 3.0.3
//! info: {title: t, version: '1'}
//! paths:
//!   /v1/things:
//!     get:
//!       operationId: listThings
//!       tags: [things]
//!       parameters:
//!         - {name: limit, in: query, schema: {type: integer, maximum: 100}}
//!       responses:
//!         '200': {description: ok}
//! "#;
//! let upstream = br#"{"openapi": "3.0.3", "paths": {"/v1/things": {"get": {
//!     "operationId": "listThings", "tags": ["things"],
//!     "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}}],
//!     "responses": {"200": {"description": "OK"}}}}}}"#;
//! let report = generator::spec_diff::diff(Path::new("ours.yaml"), ours, Path::new("up.json"), upstream)?;
//! assert!(report.has_drift());
//! assert_eq!(report.exit_code(), 1);
//! assert_eq!(
//!     report.to_string(),
//!     "drift: listThings: parameter query limit schema maximum changed ours 100 -> upstream 50 \
//!      (ours #/paths/~1v1~1things/get/parameters/0/schema/maximum, \
//!      upstream #/paths/~1v1~1things/get/parameters/0/schema/maximum)",
//! );
//! # Ok::<(), generator::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Location, SpecError, escape_segment};
use crate::shape::METHODS;

/// The extension that marks a deliberate deviation from upstream on our side.
pub const DEVIATION_KEY: &str = "x-deliberate-deviation";

/// The most `$ref`s followed in a row before giving up (a cycle).
const MAX_REF_HOPS: usize = 32;
/// The deepest schema nesting compared; recursive schemas stop at a cycle well before.
const MAX_SCHEMA_DEPTH: usize = 64;

/// Scalar schema keywords compared by value, with the value that absence means, if any.
const SCALAR_KEYWORDS: [(&str, Option<bool>); 15] = [
    ("format", None),
    ("pattern", None),
    ("minimum", None),
    ("maximum", None),
    ("exclusiveMinimum", Some(false)),
    ("exclusiveMaximum", Some(false)),
    ("multipleOf", None),
    ("minLength", None),
    ("maxLength", None),
    ("minItems", None),
    ("maxItems", None),
    ("uniqueItems", Some(false)),
    ("minProperties", None),
    ("maxProperties", None),
    ("const", None),
];

/// What kind of difference a line reports.
///
/// ```
/// use generator::spec_diff::Kind;
/// assert_eq!(Kind::UpstreamOnly.to_string(), "upstream-only");
/// assert!(Kind::Drift.is_drift() && !Kind::Deliberate.is_drift());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Ours and upstream differ, and nothing of ours declares it.
    Drift,
    /// Ours and upstream differ where our spec declares a deliberate deviation.
    Deliberate,
    /// Upstream has an operation under one of our tags that our spec lacks.
    UpstreamOnly,
}

impl Kind {
    /// Whether this kind of difference is drift (makes the comparison fail).
    pub fn is_drift(self) -> bool {
        !matches!(self, Kind::Deliberate)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Drift => "drift",
            Kind::Deliberate => "deliberate",
            Kind::UpstreamOnly => "upstream-only",
        })
    }
}

/// Where our spec declares a deviation deliberate, and why.
///
/// ```
/// use generator::spec_diff::Declaration;
/// let d = Declaration { pointer: "/components/responses/Gone".into(), reason: "Typed.".into() };
/// assert_eq!(d.to_string(), "x-deliberate-deviation at #/components/responses/Gone: Typed.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// The JSON pointer of the object that carries the extension, in our spec.
    pub pointer: String,
    /// The extension's text, on one line (a list's items are joined with `; `).
    pub reason: String,
}

impl fmt::Display for Declaration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{DEVIATION_KEY} at #{}: {}", self.pointer, self.reason)
    }
}

/// One difference between our spec and upstream.
///
/// ```
/// use generator::spec_diff::{Difference, Kind};
/// let d = Difference {
///     kind: Kind::Drift,
///     operation: "invalidateByTags".into(),
///     message: "response 410 only in ours".into(),
///     ours: Some("/components/responses/Gone".into()),
///     upstream: Some("/paths/~1v1~1edge-cache~1invalidate-by-tags/post/responses".into()),
///     declared: None,
/// };
/// assert_eq!(
///     d.to_string(),
///     "drift: invalidateByTags: response 410 only in ours (ours #/components/responses/Gone, \
///      upstream #/paths/~1v1~1edge-cache~1invalidate-by-tags/post/responses)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Drift, deliberate, or an operation only upstream.
    pub kind: Kind,
    /// Our operation: its `operationId`, else `METHOD /path`. For [`Kind::UpstreamOnly`], the
    /// upstream operation as `METHOD /path (operationId)`.
    pub operation: String,
    /// What differs, such as `body property tags.oneOf[0].maxItems changed ours 16 -> upstream 20`.
    pub message: String,
    /// The JSON pointer in our spec, if the difference has a place there.
    pub ours: Option<String>,
    /// The JSON pointer in upstream, if the difference has a place there.
    pub upstream: Option<String>,
    /// For [`Kind::Deliberate`], the declaration that covers it.
    pub declared: Option<Declaration>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::UpstreamOnly => write!(f, "{}: {} {}", self.kind, self.operation, self.message)?,
            _ => write!(f, "{}: {}: {}", self.kind, self.operation, self.message)?,
        }
        let places: Vec<String> = [("ours", &self.ours), ("upstream", &self.upstream)]
            .into_iter()
            .filter_map(|(side, p)| p.as_ref().map(|p| format!("{side} #{p}")))
            .collect();
        if !places.is_empty() {
            write!(f, " ({})", places.join(", "))?;
        }
        if let Some(d) = &self.declared {
            write!(f, " [{d}]")?;
        }
        Ok(())
    }
}

/// Every difference found, in a stable order.
///
/// ```
/// let report = generator::spec_diff::Report::default();
/// assert!(!report.has_drift());
/// assert_eq!(report.exit_code(), 0);
/// assert_eq!(report.to_string(), "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The differences, one per output line.
    pub differences: Vec<Difference>,
}

impl Report {
    /// Whether any difference is drift: not declared deliberate, or an upstream-only operation.
    pub fn has_drift(&self) -> bool {
        self.differences.iter().any(|d| d.kind.is_drift())
    }

    /// The process exit code: 0 without drift (deliberate lines allowed), 1 with drift.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.has_drift())
    }

    /// How many differences are of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.differences.iter().filter(|d| d.kind == kind).count()
    }

    /// The output lines, one per difference.
    pub fn lines(&self) -> Vec<String> {
        self.differences.iter().map(ToString::to_string).collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.differences.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Reads our spec and the upstream description from disk and compares them.
///
/// Errors (exit code 2 in `cargo xtask spec-diff`) name the file: missing, unreadable, too
/// large, not YAML/JSON, our spec not a valid OpenAPI 3.0 document, upstream not an OpenAPI 3
/// description, or a `$ref` that cannot be followed in a compared part.
///
/// ```no_run
/// use std::path::Path;
/// let report = generator::spec_diff::diff_files(
///     Path::new("spec/edge-cache.yaml"),
///     Path::new("../shared/reference/vercel-openapi-full-2025-10-29.json"),
/// )?;
/// println!("{report}");
/// # Ok::<(), generator::Error>(())
/// ```
pub fn diff_files(ours: &Path, upstream: &Path) -> Result<Report, Error> {
    let ours_bytes = crate::load::read(ours)?;
    let upstream_bytes = crate::load::read(upstream)?;
    diff(ours, &ours_bytes, upstream, &upstream_bytes)
}

/// Compares spec bytes: ours is loaded as for code generation ([`crate::load::parse`]), upstream
/// only as a tree ([`crate::load::parse_tree`]). The paths name the files in errors.
///
/// See the [module documentation](self) for an example.
pub fn diff(ours_path: &Path, ours: &[u8], upstream_path: &Path, upstream: &[u8]) -> Result<Report, Error> {
    let ours_tree = crate::load::parse(ours_path, ours)?.tree;
    let upstream_tree = crate::load::parse_tree(upstream_path, upstream)?;
    Ok(diff_trees(ours_path, &ours_tree, upstream_path, &upstream_tree)?)
}

/// Compares two already-parsed trees; the paths name the files in errors.
///
/// ```
/// use std::path::Path;
/// let tree = serde_json::json!({"openapi": "3.0.3", "info": {}, "paths": {}});
/// let report = generator::spec_diff::diff_trees(Path::new("a.yaml"), &tree, Path::new("b.json"), &tree).unwrap();
/// assert!(report.differences.is_empty());
/// let err = generator::spec_diff::diff_trees(Path::new("a.yaml"), &tree, Path::new("b.json"), &serde_json::json!([])).unwrap_err();
/// assert_eq!(err.to_string(), "b.json: the document is not a mapping (an OpenAPI object)");
/// ```
pub fn diff_trees(ours_path: &Path, ours: &Value, upstream_path: &Path, upstream: &Value) -> Result<Report, SpecError> {
    let ours_paths = check_document(ours_path, ours)?;
    let upstream_paths = check_document(upstream_path, upstream)?;
    let mut differ = Differ {
        ours: Side { file: ours_path, tree: ours, ours: true },
        up: Side { file: upstream_path, tree: upstream, ours: false },
        operation: String::new(),
        out: Vec::new(),
    };

    let ours_ops = operations(ours_paths);
    let upstream_ops = operations(upstream_paths);
    let mut by_method_path: HashMap<(&str, &str), usize> = HashMap::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, op) in upstream_ops.iter().enumerate() {
        by_method_path.entry((op.method, op.path)).or_insert(i);
        if let Some(id) = op.id {
            by_id.entry(id).or_insert(i);
        }
    }

    let mut matched = vec![false; upstream_ops.len()];
    let mut our_tags = BTreeSet::new();
    for op in &ours_ops {
        our_tags.extend(op.tags.iter().copied());
        let found = by_method_path.get(&(op.method, op.path)).or_else(|| op.id.and_then(|id| by_id.get(id)));
        differ.operation = match op.id {
            Some(id) => id.to_string(),
            None => format!("{} {}", op.method.to_uppercase(), op.path),
        };
        let mut cover = None;
        note_declaration(&op.item, &mut cover);
        note_declaration(&op.at, &mut cover);
        let Some(&i) = found else {
            differ.emit(
                format!("operation {} {} only in ours", op.method.to_uppercase(), op.path),
                Some(op.at.ptr.clone()),
                Some("/paths".to_string()),
                &cover,
            );
            continue;
        };
        matched[i] = true;
        let up = &upstream_ops[i];
        if (up.method, up.path) != (op.method, op.path) {
            differ.emit(
                format!(
                    "operation changed ours {} {} -> upstream {} {}",
                    op.method.to_uppercase(),
                    op.path,
                    up.method.to_uppercase(),
                    up.path
                ),
                Some(op.at.ptr.clone()),
                Some(up.at.ptr.clone()),
                &cover,
            );
        }
        differ.operation_pair(op, up, &cover)?;
    }

    let mut upstream_only: Vec<&Operation<'_>> = upstream_ops
        .iter()
        .zip(&matched)
        .filter(|(op, matched)| !**matched && op.tags.iter().any(|t| our_tags.contains(t)))
        .map(|(op, _)| op)
        .collect();
    upstream_only.sort_by_key(|op| (op.path, METHODS.iter().position(|m| *m == op.method)));
    for op in upstream_only {
        let tags: Vec<&str> = op.tags.iter().copied().filter(|t| our_tags.contains(t)).collect();
        let mut name = format!("{} {}", op.method.to_uppercase(), op.path);
        if let Some(id) = op.id {
            name.push_str(&format!(" ({id})"));
        }
        differ.out.push(Difference {
            kind: Kind::UpstreamOnly,
            operation: name,
            message: format!(
                "has tag{} {} but is not in our spec",
                if tags.len() == 1 { "" } else { "s" },
                tags.join(", ")
            ),
            ours: None,
            upstream: Some(op.at.ptr.clone()),
            declared: None,
        });
    }
    Ok(Report { differences: differ.out })
}

/// Checks the little both documents need to be compared; returns `paths`.
fn check_document<'a>(file: &Path, tree: &'a Value) -> Result<&'a Map<String, Value>, SpecError> {
    let at = |p: &str| Location::Pointer { pointer: p.to_string(), operation: None };
    let Some(doc) = tree.as_object() else {
        return Err(SpecError::new(file, Location::File, "the document is not a mapping (an OpenAPI object)"));
    };
    if doc.contains_key("swagger") {
        return Err(SpecError::new(file, at("/swagger"), "Swagger 2 descriptions cannot be compared; use OpenAPI 3"));
    }
    match doc.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.") || v == "3" => {}
        Some(v) => return Err(SpecError::new(file, at("/openapi"), format!("expected an OpenAPI 3 version, got {v}"))),
        None => {
            return Err(SpecError::new(file, at(""), "no `openapi` version field; is this an OpenAPI description?"));
        }
    }
    match doc.get("paths") {
        Some(Value::Object(paths)) => Ok(paths),
        Some(_) => Err(SpecError::new(file, at("/paths"), "`paths` must be a mapping")),
        None => Err(SpecError::new(file, at(""), "the required field `paths` is missing")),
    }
}

/// A value reached on one side, after following `$ref`s, and its JSON pointer.
#[derive(Debug, Clone)]
struct At<'a> {
    v: &'a Value,
    ptr: String,
}

impl<'a> At<'a> {
    fn get(&self, key: &str) -> Option<At<'a>> {
        self.v.get(key).map(|v| At { v, ptr: format!("{}/{}", self.ptr, escape_segment(key)) })
    }

    /// The pointer of `key` if this object has it, else this object's own.
    fn ptr_of(&self, key: &str) -> String {
        match self.v.get(key) {
            Some(_) => format!("{}/{}", self.ptr, escape_segment(key)),
            None => self.ptr.clone(),
        }
    }

    /// The entries of the mapping at `key` (none when absent or not a mapping), with pointers.
    fn entries(&self, key: &str) -> BTreeMap<&'a str, At<'a>> {
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
struct Operation<'a> {
    method: &'static str,
    path: &'a str,
    id: Option<&'a str>,
    tags: Vec<&'a str>,
    item: At<'a>,
    at: At<'a>,
}

/// The operations of `paths`, in path order then method order; non-mappings are skipped.
fn operations(paths: &Map<String, Value>) -> Vec<Operation<'_>> {
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
fn note_declaration(at: &At<'_>, cover: &mut Option<Declaration>) {
    if let Some(reason) = at.v.get(DEVIATION_KEY) {
        *cover = Some(Declaration { pointer: at.ptr.clone(), reason: one_line(reason) });
    }
}

/// The extension's value as one line of text.
fn one_line(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(one_line).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One document being compared.
struct Side<'a> {
    file: &'a Path,
    tree: &'a Value,
    /// Ours: declarations are collected on the way.
    ours: bool,
}

impl<'a> Side<'a> {
    fn error(&self, ptr: &str, message: String) -> SpecError {
        SpecError::new(self.file, Location::Pointer { pointer: ptr.to_string(), operation: None }, message)
    }

    /// Follows `$ref`s from `at`; on our side, notes every declaration on the way in `cover`.
    fn resolve(&self, at: At<'a>, cover: &mut Option<Declaration>) -> Result<At<'a>, SpecError> {
        let mut at = at;
        for _ in 0..MAX_REF_HOPS {
            if self.ours {
                note_declaration(&at, cover);
            }
            let Some(r) = at.v.get("$ref") else { return Ok(at) };
            let ref_ptr = format!("{}/$ref", at.ptr);
            let Some(r) = r.as_str() else {
                return Err(self.error(&ref_ptr, "`$ref` must be a string".into()));
            };
            let Some(target) = r.strip_prefix('#') else {
                return Err(self.error(
                    &ref_ptr,
                    format!("the $ref `{r}` is not local (`#/...`); only local references can be compared"),
                ));
            };
            let target = percent_decode(target);
            let Some(v) = self.tree.pointer(&target) else {
                return Err(self.error(&ref_ptr, format!("the $ref `{r}` points at nothing")));
            };
            at = At { v, ptr: target };
        }
        Err(self.error(&at.ptr, format!("more than {MAX_REF_HOPS} `$ref`s in a row (a cycle?)")))
    }
}

/// Decodes `%XX` escapes of a URI fragment; anything malformed is kept as it is.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// A step into a schema, for the human-readable location.
enum Step {
    Property(String),
    Keyword(String),
}

/// The human-readable location of a schema keyword, such as `body property tags.oneOf[0].maxItems`.
fn label(base: &str, steps: &[Step], tail: Option<&str>) -> String {
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
fn show(v: Option<&Value>) -> String {
    match v {
        None => "unset".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Semantic equality of JSON values: numbers by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
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
fn canonical(v: &Value) -> String {
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
fn types(schema: &Map<String, Value>) -> (Option<BTreeSet<String>>, bool) {
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

fn show_types(t: &Option<BTreeSet<String>>) -> String {
    match t {
        None => "unset".into(),
        Some(s) if s.len() == 1 => s.iter().next().cloned().unwrap_or_default(),
        Some(s) => format!("[{}]", s.iter().cloned().collect::<Vec<_>>().join(", ")),
    }
}

/// `additionalProperties`, normalised: absent, `true` and `{}` all allow anything.
enum Additional<'a> {
    Allowed(bool),
    Schema(At<'a>),
}

fn additional<'a>(schema: &At<'a>) -> Additional<'a> {
    match schema.get("additionalProperties") {
        None => Additional::Allowed(true),
        Some(At { v: Value::Bool(b), .. }) => Additional::Allowed(*b),
        Some(At { v: Value::Object(m), .. }) if m.is_empty() => Additional::Allowed(true),
        Some(at) => Additional::Schema(at),
    }
}

/// The comparison in progress.
struct Differ<'a> {
    ours: Side<'a>,
    up: Side<'a>,
    /// The name of our operation being compared.
    operation: String,
    out: Vec<Difference>,
}

/// Both sides of a schema comparison, and where it is.
struct SchemaPair<'b> {
    base: &'b str,
    steps: &'b mut Vec<Step>,
    /// (ours, upstream) pointers of the schemas being compared, to stop at cycles.
    stack: &'b mut Vec<(String, String)>,
}

impl<'a> Differ<'a> {
    fn emit(&mut self, message: String, ours: Option<String>, upstream: Option<String>, cover: &Option<Declaration>) {
        self.out.push(Difference {
            kind: if cover.is_some() { Kind::Deliberate } else { Kind::Drift },
            operation: self.operation.clone(),
            message,
            ours,
            upstream,
            declared: cover.clone(),
        });
    }

    fn operation_pair(
        &mut self,
        ours: &Operation<'a>,
        up: &Operation<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        self.parameters(ours, up, cover)?;
        self.request_body(&ours.at, &up.at, cover)?;
        self.responses(&ours.at, &up.at, cover)
    }

    /// The parameters of an operation by (`in`, `name`): the path item's, replaced by the
    /// operation's own of the same key; each with the declaration covering it (ours only).
    #[allow(clippy::type_complexity)]
    fn parameter_map(
        side: &Side<'a>,
        op: &Operation<'a>,
        cover: &Option<Declaration>,
    ) -> Result<BTreeMap<(String, String), (At<'a>, Option<Declaration>)>, SpecError> {
        let mut out = BTreeMap::new();
        for holder in [&op.item, &op.at] {
            let Some(list) = holder.get("parameters") else { continue };
            let Some(items) = list.v.as_array() else { continue };
            for (i, p) in items.iter().enumerate() {
                let mut c = cover.clone();
                let at = side.resolve(At { v: p, ptr: format!("{}/{i}", list.ptr) }, &mut c)?;
                let (Some(inn), Some(name)) =
                    (at.v.get("in").and_then(Value::as_str), at.v.get("name").and_then(Value::as_str))
                else {
                    continue;
                };
                out.insert((inn.to_string(), name.to_string()), (at, c));
            }
        }
        Ok(out)
    }

    fn parameters(
        &mut self,
        ours: &Operation<'a>,
        up: &Operation<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        let o = Self::parameter_map(&self.ours, ours, cover)?;
        let u = Self::parameter_map(&self.up, up, &None)?;
        let keys: BTreeSet<&(String, String)> = o.keys().chain(u.keys()).collect();
        for key in keys {
            let what = format!("parameter {} {}", key.0, key.1);
            match (o.get(key), u.get(key)) {
                (Some((oa, oc)), None) => {
                    let message = format!("{what} only in ours");
                    self.emit(message, Some(oa.ptr.clone()), Some(up.at.ptr_of("parameters")), oc);
                }
                (None, Some((ua, _))) => {
                    let required = if is_required(ua, key) { " (required)" } else { "" };
                    let message = format!("{what}{required} only upstream");
                    self.emit(message, Some(ours.at.ptr_of("parameters")), Some(ua.ptr.clone()), cover);
                }
                (Some((oa, oc)), Some((ua, _))) => {
                    if is_required(oa, key) != is_required(ua, key) {
                        self.emit(
                            format!(
                                "{what} required changed ours {} -> upstream {}",
                                show(oa.v.get("required")),
                                show(ua.v.get("required"))
                            ),
                            Some(oa.ptr_of("required")),
                            Some(ua.ptr_of("required")),
                            oc,
                        );
                    }
                    let os = parameter_schema(oa);
                    let us = parameter_schema(ua);
                    match (os, us) {
                        (None, None) => {}
                        (Some(os), None) => {
                            self.emit(format!("{what} schema only in ours"), Some(os.ptr), Some(ua.ptr.clone()), oc)
                        }
                        (None, Some(us)) => {
                            self.emit(format!("{what} schema only upstream"), Some(oa.ptr.clone()), Some(us.ptr), oc)
                        }
                        (Some(os), Some(us)) => self.schema_root(&what, os, us)?,
                    }
                }
                (None, None) => {}
            }
        }
        Ok(())
    }

    fn request_body(&mut self, ours: &At<'a>, up: &At<'a>, cover: &Option<Declaration>) -> Result<(), SpecError> {
        let mut cover = cover.clone();
        let (o, u) = match (ours.get("requestBody"), up.get("requestBody")) {
            (None, None) => return Ok(()),
            (Some(o), None) => {
                let o = self.ours.resolve(o, &mut cover)?;
                self.emit("request body only in ours".into(), Some(o.ptr), Some(up.ptr.clone()), &cover);
                return Ok(());
            }
            (None, Some(u)) => {
                let u = self.up.resolve(u, &mut None)?;
                self.emit("request body only upstream".into(), Some(ours.ptr.clone()), Some(u.ptr), &cover);
                return Ok(());
            }
            (Some(o), Some(u)) => (self.ours.resolve(o, &mut cover)?, self.up.resolve(u, &mut None)?),
        };
        let required = |at: &At<'_>| at.v.get("required").and_then(Value::as_bool).unwrap_or(false);
        if required(&o) != required(&u) {
            self.emit(
                format!(
                    "request body required changed ours {} -> upstream {}",
                    show(o.v.get("required")),
                    show(u.v.get("required"))
                ),
                Some(o.ptr_of("required")),
                Some(u.ptr_of("required")),
                &cover,
            );
        }
        self.content("request body", "body", &o, &u, &cover)
    }

    /// Compares the `content` of a request body or a response: media types and schemas.
    fn content(
        &mut self,
        what: &str,
        base: &str,
        o: &At<'a>,
        u: &At<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        let om = o.entries("content");
        let um = u.entries("content");
        let types: BTreeSet<&str> = om.keys().chain(um.keys()).copied().collect();
        for mt in types {
            match (om.get(mt), um.get(mt)) {
                (Some(oa), None) => {
                    let mut c = cover.clone();
                    let oa = self.ours.resolve(oa.clone(), &mut c)?;
                    self.emit(format!("{what} content {mt} only in ours"), Some(oa.ptr), Some(u.ptr_of("content")), &c);
                }
                (None, Some(ua)) => {
                    self.emit(
                        format!("{what} content {mt} only upstream"),
                        Some(o.ptr_of("content")),
                        Some(ua.ptr.clone()),
                        cover,
                    );
                }
                (Some(oa), Some(ua)) => {
                    let mut c = cover.clone();
                    let oa = self.ours.resolve(oa.clone(), &mut c)?;
                    let ua = self.up.resolve(ua.clone(), &mut None)?;
                    let base = if mt == "application/json" { base.to_string() } else { format!("{base} ({mt})") };
                    match (oa.get("schema"), ua.get("schema")) {
                        (None, None) => {}
                        (Some(os), None) => {
                            let os = self.ours.resolve(os, &mut c)?;
                            self.emit(format!("{base} schema only in ours"), Some(os.ptr), Some(ua.ptr.clone()), &c);
                        }
                        (None, Some(us)) => {
                            self.emit(format!("{base} schema only upstream"), Some(oa.ptr.clone()), Some(us.ptr), &c);
                        }
                        (Some(os), Some(us)) => self.schema_root(&base, os, us)?,
                    }
                }
                (None, None) => {}
            }
        }
        Ok(())
    }

    fn responses(&mut self, ours: &At<'a>, up: &At<'a>, cover: &Option<Declaration>) -> Result<(), SpecError> {
        let om = ours.entries("responses");
        let um = up.entries("responses");
        let codes: BTreeSet<&str> = om.keys().chain(um.keys()).copied().filter(|c| !c.starts_with("x-")).collect();
        for code in codes {
            let what = format!("response {code}");
            match (om.get(code), um.get(code)) {
                (Some(oa), None) => {
                    let mut c = cover.clone();
                    let oa = self.ours.resolve(oa.clone(), &mut c)?;
                    self.emit(format!("{what} only in ours"), Some(oa.ptr), Some(up.ptr_of("responses")), &c);
                }
                (None, Some(ua)) => {
                    let ua = self.up.resolve(ua.clone(), &mut None)?;
                    self.emit(format!("{what} only upstream"), Some(ours.ptr_of("responses")), Some(ua.ptr), cover);
                }
                (Some(oa), Some(ua)) => {
                    let mut c = cover.clone();
                    let oa = self.ours.resolve(oa.clone(), &mut c)?;
                    let ua = self.up.resolve(ua.clone(), &mut None)?;
                    self.content(&what, &format!("{what} body"), &oa, &ua, &c)?;
                }
                (None, None) => {}
            }
        }
        Ok(())
    }

    /// Compares the schema of a parameter or a media type. Declarations of the objects above do
    /// not reach into it: only the schemas' own do.
    fn schema_root(&mut self, base: &str, o: At<'a>, u: At<'a>) -> Result<(), SpecError> {
        let mut steps = Vec::new();
        let mut stack = Vec::new();
        let mut pair = SchemaPair { base, steps: &mut steps, stack: &mut stack };
        self.schema(&mut pair, o, u, None)
    }

    fn schema(
        &mut self,
        at: &mut SchemaPair<'_>,
        o: At<'a>,
        u: At<'a>,
        cover: Option<Declaration>,
    ) -> Result<(), SpecError> {
        let mut cover = cover;
        let o = self.ours.resolve(o, &mut cover)?;
        let u = self.up.resolve(u, &mut None)?;
        let key = (o.ptr.clone(), u.ptr.clone());
        if at.stack.contains(&key) || at.stack.len() >= MAX_SCHEMA_DEPTH {
            return Ok(());
        }
        at.stack.push(key);
        let result = self.schema_body(at, &o, &u, &cover);
        at.stack.pop();
        result
    }

    fn schema_body(
        &mut self,
        at: &mut SchemaPair<'_>,
        o: &At<'a>,
        u: &At<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        let base = at.base;
        let (Some(om), Some(um)) = (o.v.as_object(), u.v.as_object()) else {
            if !same(o.v, u.v) {
                let message = format!(
                    "{} changed ours {} -> upstream {}",
                    label(base, at.steps, None),
                    show(Some(o.v)),
                    show(Some(u.v))
                );
                self.emit(message, Some(o.ptr.clone()), Some(u.ptr.clone()), cover);
            }
            return Ok(());
        };

        // type and nullable
        let (ot, on) = types(om);
        let (ut, un) = types(um);
        if ot != ut {
            let message = format!(
                "{} changed ours {} -> upstream {}",
                label(base, at.steps, Some("type")),
                show_types(&ot),
                show_types(&ut)
            );
            self.emit(message, Some(o.ptr_of("type")), Some(u.ptr_of("type")), cover);
        }
        if on != un {
            let message = format!("{} changed ours {on} -> upstream {un}", label(base, at.steps, Some("nullable")));
            self.emit(message, Some(o.ptr_of("nullable")), Some(u.ptr_of("nullable")), cover);
        }

        // scalar constraints
        for (kw, default) in SCALAR_KEYWORDS {
            let ov = om.get(kw);
            let uv = um.get(kw);
            let differs = match (ov, uv, default) {
                (Some(a), Some(b), _) => !same(a, b),
                (None, None, _) => false,
                (Some(v), None, Some(d)) | (None, Some(v), Some(d)) => v.as_bool() != Some(d),
                _ => true,
            };
            if differs {
                let message =
                    format!("{} changed ours {} -> upstream {}", label(base, at.steps, Some(kw)), show(ov), show(uv));
                self.emit(message, Some(o.ptr_of(kw)), Some(u.ptr_of(kw)), cover);
            }
        }

        // enum
        match (om.get("enum"), um.get("enum")) {
            (None, None) => {}
            (Some(Value::Array(ov)), Some(Value::Array(uv))) => {
                let oset: BTreeMap<String, &Value> = ov.iter().map(|v| (canonical(v), v)).collect();
                let uset: BTreeMap<String, &Value> = uv.iter().map(|v| (canonical(v), v)).collect();
                let lbl = label(base, at.steps, Some("enum"));
                for (k, v) in &oset {
                    if !uset.contains_key(k) {
                        self.emit(
                            format!("{lbl} value {v} only in ours"),
                            Some(o.ptr_of("enum")),
                            Some(u.ptr_of("enum")),
                            cover,
                        );
                    }
                }
                for (k, v) in &uset {
                    if !oset.contains_key(k) {
                        self.emit(
                            format!("{lbl} value {v} only upstream"),
                            Some(o.ptr_of("enum")),
                            Some(u.ptr_of("enum")),
                            cover,
                        );
                    }
                }
            }
            (ov, uv) => {
                let message = format!(
                    "{} changed ours {} -> upstream {}",
                    label(base, at.steps, Some("enum")),
                    show(ov),
                    show(uv)
                );
                self.emit(message, Some(o.ptr_of("enum")), Some(u.ptr_of("enum")), cover);
            }
        }

        // required names
        let names = |m: &Map<String, Value>| -> BTreeSet<String> {
            m.get("required").and_then(Value::as_array).into_iter().flatten().map(|v| show(Some(v))).collect()
        };
        let (orq, urq) = (names(om), names(um));
        let lbl = label(base, at.steps, Some("required"));
        for n in orq.difference(&urq) {
            let message = format!("{lbl} {} only in ours", Value::String(n.clone()));
            self.emit(message, Some(o.ptr_of("required")), Some(u.ptr_of("required")), cover);
        }
        for n in urq.difference(&orq) {
            let message = format!("{lbl} {} only upstream", Value::String(n.clone()));
            self.emit(message, Some(o.ptr_of("required")), Some(u.ptr_of("required")), cover);
        }

        // properties
        let op = o.entries("properties");
        let up = u.entries("properties");
        let props: BTreeSet<&str> = op.keys().chain(up.keys()).copied().collect();
        for name in props {
            at.steps.push(Step::Property(name.to_string()));
            let lbl = label(base, at.steps, None);
            let r = match (op.get(name), up.get(name)) {
                (Some(oa), None) => {
                    let mut c = cover.clone();
                    self.ours.resolve(oa.clone(), &mut c).map(|_| {
                        self.emit(
                            format!("{lbl} only in ours"),
                            Some(oa.ptr.clone()),
                            Some(u.ptr_of("properties")),
                            &c,
                        );
                    })
                }
                (None, Some(ua)) => {
                    self.emit(
                        format!("{lbl} only upstream"),
                        Some(o.ptr_of("properties")),
                        Some(ua.ptr.clone()),
                        cover,
                    );
                    Ok(())
                }
                (Some(oa), Some(ua)) => self.schema(at, oa.clone(), ua.clone(), cover.clone()),
                (None, None) => Ok(()),
            };
            at.steps.pop();
            r?;
        }

        // additionalProperties
        match (additional(o), additional(u)) {
            (Additional::Allowed(a), Additional::Allowed(b)) => {
                if a != b {
                    let message = format!(
                        "{} changed ours {a} -> upstream {b}",
                        label(base, at.steps, Some("additionalProperties"))
                    );
                    self.emit(
                        message,
                        Some(o.ptr_of("additionalProperties")),
                        Some(u.ptr_of("additionalProperties")),
                        cover,
                    );
                }
            }
            (Additional::Schema(oa), Additional::Schema(ua)) => {
                at.steps.push(Step::Keyword("additionalProperties".into()));
                let r = self.schema(at, oa, ua, cover.clone());
                at.steps.pop();
                r?;
            }
            (oa, ua) => {
                let show_ap = |a: &Additional<'_>| match a {
                    Additional::Allowed(b) => b.to_string(),
                    Additional::Schema(_) => "a schema".to_string(),
                };
                let message = format!(
                    "{} changed ours {} -> upstream {}",
                    label(base, at.steps, Some("additionalProperties")),
                    show_ap(&oa),
                    show_ap(&ua)
                );
                self.emit(
                    message,
                    Some(o.ptr_of("additionalProperties")),
                    Some(u.ptr_of("additionalProperties")),
                    cover,
                );
            }
        }

        // items, not
        for kw in ["items", "not"] {
            self.sub_schema(at, kw, o.get(kw), u.get(kw), o, u, cover)?;
        }

        // oneOf, anyOf, allOf: branch by branch
        for kw in ["oneOf", "anyOf", "allOf"] {
            let list = |a: &At<'a>| -> Vec<At<'a>> {
                match a.get(kw) {
                    Some(At { v: Value::Array(items), ptr }) => {
                        items.iter().enumerate().map(|(i, v)| At { v, ptr: format!("{ptr}/{i}") }).collect()
                    }
                    _ => Vec::new(),
                }
            };
            let (ol, ul) = (list(o), list(u));
            for i in 0..ol.len().max(ul.len()) {
                self.sub_schema(at, &format!("{kw}[{i}]"), ol.get(i).cloned(), ul.get(i).cloned(), o, u, cover)?;
            }
        }
        Ok(())
    }

    /// Compares a sub-schema (`items`, `not`, a branch) present on either side.
    #[allow(clippy::too_many_arguments)]
    fn sub_schema(
        &mut self,
        at: &mut SchemaPair<'_>,
        step: &str,
        os: Option<At<'a>>,
        us: Option<At<'a>>,
        o: &At<'a>,
        u: &At<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        at.steps.push(Step::Keyword(step.to_string()));
        let lbl = label(at.base, at.steps, None);
        let r = match (os, us) {
            (None, None) => Ok(()),
            (Some(os), None) => {
                let mut c = cover.clone();
                self.ours.resolve(os.clone(), &mut c).map(|_| {
                    self.emit(format!("{lbl} only in ours"), Some(os.ptr.clone()), Some(u.ptr.clone()), &c);
                })
            }
            (None, Some(us)) => {
                self.emit(format!("{lbl} only upstream"), Some(o.ptr.clone()), Some(us.ptr), cover);
                Ok(())
            }
            (Some(os), Some(us)) => self.schema(at, os, us, cover.clone()),
        };
        at.steps.pop();
        r
    }
}

/// Whether a parameter is required; path parameters always are.
fn is_required(param: &At<'_>, key: &(String, String)) -> bool {
    key.0 == "path" || param.v.get("required").and_then(Value::as_bool).unwrap_or(false)
}

/// A parameter's schema: `schema`, else the schema of its single `content` entry.
fn parameter_schema<'a>(param: &At<'a>) -> Option<At<'a>> {
    param.get("schema").or_else(|| param.entries("content").into_values().next().and_then(|mt| mt.get("schema")))
}
