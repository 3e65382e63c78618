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

mod differ;
mod merge;
mod normalize;
mod report;
mod walk;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Location, SpecError};
use crate::shape::METHODS;

use differ::Differ;
pub use report::{Declaration, Difference, Kind, Report};
use walk::{Operation, Side, note_declaration, operations};

/// The extension that marks a deliberate deviation from upstream on our side.
pub const DEVIATION_KEY: &str = "x-deliberate-deviation";

/// The deepest schema nesting compared; recursive schemas stop at a cycle well before.
pub(super) const MAX_SCHEMA_DEPTH: usize = 64;

/// Scalar schema keywords compared by value, with the value that absence means, if any.
pub(super) const SCALAR_KEYWORDS: [(&str, Option<bool>); 15] = [
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
