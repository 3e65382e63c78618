//! The defect corpus: every spec under `tests/defects/` is wrong in one way, and generating from
//! it must fail with a stable, located message (never a panic). Each message is a snapshot:
//! `defects__<file name>.snap`.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use common::fixtures;
use generator::{Error, Location};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/defects")
}

fn corpus() -> Vec<PathBuf> {
    fixtures(&corpus_dir(), &["yaml", "json"])
}

/// The defects whose error cannot be more precise than the file.
const FILE_LEVEL: [&str; 2] = ["03-empty.yaml", "38-document-is-a-list.yaml"];

/// Generates from `bytes`, named by the relative `label`; the error, or a failure naming the spec.
fn generate_err(label: &str, bytes: &[u8]) -> Error {
    let outcome = catch_unwind(AssertUnwindSafe(|| generator::generate(Path::new(label), label, bytes)));
    match outcome {
        Ok(Err(e)) => e,
        Ok(Ok(_)) => panic!("{label}: generation succeeded, but the spec is defective"),
        Err(_) => panic!("{label}: generation panicked instead of returning an error"),
    }
}

#[test]
fn every_defect_fails_with_a_located_message() {
    let files = corpus();
    assert!(files.len() >= 15, "the corpus has only {} specs", files.len());
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("a UTF-8 name");
        let label = format!("tests/defects/{name}");
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("cannot read {label}: {e}"));
        let error = generate_err(&label, &bytes);
        let message = error.to_string();

        // Named and located.
        assert!(message.starts_with(&label), "{label}: the message does not start with the file: {message}");
        for e in error.spec_errors() {
            assert_eq!(e.file, Path::new(&label));
            match &e.location {
                Location::File => assert!(FILE_LEVEL.contains(&name), "{label}: not located: {message}"),
                Location::LineCol { line, column } => assert!(*line >= 1 && *column >= 1, "{label}: {message}"),
                Location::Pointer { pointer, operation } => {
                    assert!(pointer.is_empty() || pointer.starts_with('/'), "{label}: bad pointer: {message}");
                    if pointer.starts_with("/paths/") && pointer.split('/').count() > 3 {
                        assert!(operation.is_some(), "{label}: an operation's problem names no operation: {message}");
                    }
                }
            }
        }
        assert!(!message.contains(env!("CARGO_MANIFEST_DIR")), "{label}: an absolute path: {message}");

        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        insta::with_settings!({ description => format!("generator::generate on {label}"), omit_expression => true }, {
            insta::assert_snapshot!(stem, message);
        });
    }
}

#[test]
fn every_snapshot_has_its_defect() {
    let names: Vec<String> =
        corpus().iter().map(|p| p.file_stem().and_then(|s| s.to_str()).expect("a UTF-8 name").to_string()).collect();
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for snap in fixtures(&snapshots, &["snap"]) {
        let file = snap.file_name().and_then(|n| n.to_str()).expect("a UTF-8 name");
        let stem = file.strip_prefix("defects__").and_then(|s| s.strip_suffix(".snap"));
        // Corpus snapshots are named after their numbered file; others belong to single tests.
        if let Some(stem) = stem.filter(|s| s.starts_with(|c: char| c.is_ascii_digit())) {
            assert!(names.iter().any(|n| n == stem), "{file} has no tests/defects/{stem}.yaml or .json");
        }
    }
}

#[test]
fn the_corpus_covers_the_required_defects() {
    let names: Vec<String> =
        corpus().iter().map(|p| p.file_name().and_then(|n| n.to_str()).expect("a UTF-8 name").to_string()).collect();
    for required in [
        "yaml-syntax",
        "json-syntax",
        "empty",
        "invalid-utf8",
        "swagger-2",
        "openapi-3-1",
        "paths-not-a-map",
        "missing-operation-id",
        "duplicate-operation-id",
        "unresolved-ref",
        "placeholder-without-parameter",
        "parameter-without-placeholder",
        "cookie-parameter",
        "two-request-media-types",
        "json-media-type-without-schema",
        "mixed-error-types",
        "alias-bomb",
        "deep-nesting",
        "pattern",
        "all-of",
        "progenitor-panic",
    ] {
        assert!(names.iter().any(|n| n.contains(required)), "no defect spec covers `{required}`");
    }
    assert!(names.iter().any(|n| n.ends_with(".json")), "no JSON defect");
}

/// The UTF-8 fixture is binary; this builds the same defect in memory, in case a checkout
/// converted the file.
#[test]
fn invalid_utf8_written_from_the_test() {
    let mut bytes = b"openapi: 3.0.3\ninfo:\n  title: Defect\n  version: '1'\n  description: Caf".to_vec();
    bytes.extend_from_slice(&[0xe9, b'\n']);
    bytes.extend_from_slice(b"paths: {}\n");
    let error = generate_err("tests/defects/in-memory.yaml", &bytes);
    assert_eq!(error.to_string(), "tests/defects/in-memory.yaml:5:19: the file is not valid UTF-8");
}

#[test]
fn progenitor_panics_are_contained_and_name_the_operation() {
    let label = "tests/defects/21-progenitor-panic-enum-variants.yaml";
    let bytes = std::fs::read(corpus_dir().join("21-progenitor-panic-enum-variants.yaml")).expect("the fixture");
    let error = generate_err(label, &bytes);
    let [e] = error.spec_errors()[..] else { panic!("one error expected: {error}") };
    match &e.location {
        Location::Pointer { pointer, operation: Some(op) } => {
            assert_eq!(pointer, "/paths/~1v1~1items/post");
            assert_eq!(op.operation_id.as_deref(), Some("createItem"));
        }
        other => panic!("the panic is not located at its operation: {other:?}"),
    }
    assert!(e.message.contains("panicked"), "{error}");
}

#[test]
fn many_problems_are_all_reported() {
    let spec = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a/{id}:
    get:
      responses: {'200': {description: ok}}
  /b:
    post:
      operationId: b
      parameters:
        - {name: c, in: cookie, schema: {type: string}}
      responses: {'200': {description: ok}}
";
    let error = generate_err("many.yaml", spec.as_bytes());
    assert!(matches!(error, Error::SpecMany(_)), "{error}");
    insta::assert_snapshot!("many_problems", error.to_string());
}
