//! Small feature specs (`tests/features/<name>.yaml`), each with a snapshot of the spec tables
//! (`spec.rs`) generated from it, and the proof that a limit changed in the spec changes the
//! tables.

mod common;

use std::path::Path;

use common::{SPEC_LABEL, contents, fixtures, generate_ok, main_spec};

/// The spec tables generated from `tests/features/<name>.yaml`.
fn feature_tables(name: &str) -> String {
    let label = format!("tests/features/{name}.yaml");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(&label);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {label}: {e}"));
    contents(&generate_ok(&label, &text), "spec.rs").to_string()
}

#[test]
fn every_feature_spec_has_its_test() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/features");
    let mut names: Vec<String> = fixtures(&dir, &["yaml"])
        .iter()
        .map(|p| p.file_stem().and_then(|s| s.to_str()).expect("a UTF-8 name").to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["auth", "auth-bearer", "error_schema", "limits"], "a feature spec was added or removed");
}

#[test]
fn limits() {
    let tables = feature_tables("limits");
    insta::assert_snapshot!("feature__limits__spec_rs", tables);
    for expected in [
        "min_items: Some(2)",
        "max_items: Some(25)",
        "min_length: Some(3)",
        "max_length: Some(40)",
        r#"enumeration: &["red", "green", "blue"]"#,
        "minimum: Some(1)",
        "maximum: Some(500)",
        "minimum: Some(-1.5)",
        "maximum: Some(2.25)",
        "additional_properties: false",
        "MAX_NAMES_PER_REQUEST: usize = 25",
        "MIN_ITEMS_PER_REQUEST: usize = 2",
    ] {
        assert!(tables.contains(expected), "the limits tables lack `{expected}`");
    }
}

#[test]
fn auth_api_key_in_a_header() {
    let tables = feature_tables("auth");
    insta::assert_snapshot!("feature__auth__spec_rs", tables);
    assert!(tables.contains(r#"pub const SCHEME: &str = "apiKey";"#));
    assert!(tables.contains(r#"pub const HEADER: &str = "x-widget-key";"#), "the header is lower-cased");
    assert!(tables.contains(r#"pub const PREFIX: &str = "";"#));
    assert!(tables.contains(r#"DEFAULT_BASE_URL: &str = "https://widgets.example.com";"#), "the trailing / is cut");
}

#[test]
fn auth_bearer() {
    let tables = feature_tables("auth-bearer");
    insta::assert_snapshot!("feature__auth_bearer__spec_rs", tables);
    assert!(tables.contains(r#"pub const SCHEME: &str = "token";"#));
    assert!(tables.contains(r#"pub const HEADER: &str = "authorization";"#));
    assert!(tables.contains(r#"pub const PREFIX: &str = "Bearer ";"#));
}

#[test]
fn error_schema_shared_with_default() {
    let tables = feature_tables("error_schema");
    insta::assert_snapshot!("feature__error_schema__spec_rs", tables);
    assert!(tables.contains("error_statuses: &[400, 404, 503]"));
    assert!(tables.contains("default_error: true"));
    assert!(tables.contains("success_statuses: &[204]"));
}

#[test]
fn changing_a_limit_changes_the_tables() {
    let original = main_spec();
    assert_eq!(original.matches("maxItems: 16").count(), 1, "the spec's tag limit moved; update this test");
    let before = contents(&generate_ok(SPEC_LABEL, &original), "spec.rs").to_string();
    assert!(before.contains("MAX_TAGS_PER_REQUEST: usize = 16"));

    let changed = original.replace("maxItems: 16", "maxItems: 20");
    let after = contents(&generate_ok(SPEC_LABEL, &changed), "spec.rs").to_string();
    assert!(after.contains("MAX_TAGS_PER_REQUEST: usize = 20"), "the shared limit did not follow the spec");
    assert!(after.contains("max_items: Some(20)"), "the body rule did not follow the spec");
    assert!(after.contains("MAX_ITEMS_PER_REQUEST: usize = 20"), "the per-operation batch size did not follow");
    assert!(!after.contains("max_items: Some(16)"), "a stale limit is left in the tables");
    // Nothing but the limit changed.
    let changed_lines: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert!(changed_lines.iter().all(|(a, b)| a.replace("16", "20") == *b), "{changed_lines:#?}");
}
