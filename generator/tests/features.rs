//! Small feature specs (`tests/features/<name>.yaml`), each with a snapshot of what is generated
//! from it, and the proof that a limit changed in the spec changes the checks and the batches.

mod common;

use std::path::Path;

use common::{SPEC_LABEL, contents, fixtures, generate_ok, main_spec};

/// The file `file` generated from `tests/features/<name>.yaml`.
fn feature_file(name: &str, file: &str) -> String {
    let label = format!("tests/features/{name}.yaml");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(&label);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {label}: {e}"));
    contents(&generate_ok(&label, &text), file).to_string()
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
    let ops = feature_file("limits", "operations.rs");
    insta::assert_snapshot!("feature__limits__operations_rs", ops);
    // Each constraint is one generated check, or the batch size.
    // (Compared without white space: prettyplease breaks long lines.)
    let flat: String = ops.split_whitespace().collect();
    for expected in [
        "min_items: 2,",
        "max_items: 25,",
        r#"check::length("names", Some(index), item, Some(3u64), Some(40u64))?;"#,
        r#"check::excludes("names", Some(index), item, &[(';', ';'), (',', ','), ('\0', '\u{1f}'), ('\u{7f}', '\u{7f}')], "^[^;,\\x00-\\x1F\\x7F]*$",)?;"#,
        r#"contract::Kind::OneOf(&["red", "green", "blue"])"#,
        r#"contract::check::not_allowed("colour", value, &["red", "green", "blue"]"#,
        "convert::value::<_, ::std::num::NonZeroU64",
        "(values.quantity).map_err(|e| contract::check::unconvertible(\"quantity\", e))?;",
        "pub(crate) quantity: Option<i64>,",
        r#"check::integer("quantity", v, Some(1i64), Some(500i64))?;"#,
        r#"check::number("ratio", v, Some(-1.5f64), Some(2.25f64))?;"#,
        "pub fn colour(self, value: setter_types::Colour)",
        "pub fn quantity(self, value: i64)",
        "pub fn ratio(self, value: f64)",
        "pub fn urgent(self, value: bool)",
        "pub fn create_widgets<I, S>(",
    ] {
        let expected: String = expected.split_whitespace().collect();
        assert!(flat.contains(&expected), "the limits layer lacks `{expected}`:\n{ops}");
    }
    assert_eq!(ops.matches("check::length(").count(), 1, "each constraint is checked once");
    assert_eq!(ops.matches("check::excludes(").count(), 1, "each constraint is checked once");
    // The pattern is the generated check's alone: typify is not given it (no regex engine).
    assert!(!feature_file("limits", "api.rs").contains("regress"), "typify checks the pattern again");
}

#[test]
fn auth_api_key_in_a_header() {
    let tables = feature_file("auth", "spec.rs");
    insta::assert_snapshot!("feature__auth__spec_rs", tables);
    assert!(tables.contains("`apiKey`: an API key in the `X-Widget-Key` header."), "{tables}");
    assert!(tables.contains(r#"header: "x-widget-key","#), "the header is lower-cased");
    assert!(tables.contains(r#"prefix: "","#));
    assert!(tables.contains(r#"base_url: "https://widgets.example.com","#), "the trailing / is cut");
}

#[test]
fn auth_bearer() {
    let tables = feature_file("auth-bearer", "spec.rs");
    insta::assert_snapshot!("feature__auth_bearer__spec_rs", tables);
    assert!(tables.contains("`token`: HTTP bearer authentication"), "{tables}");
    assert!(tables.contains(r#"header: "authorization","#));
    assert!(tables.contains(r#"prefix: "Bearer ","#));
}

#[test]
fn error_responses_are_left_to_the_runtime() {
    // progenitor is given no error responses, so that every error body reaches the runtime,
    // which reads Vercel's code and message whatever the spec says of them.
    let api = feature_file("error_schema", "api.rs");
    insta::assert_snapshot!("feature__error_schema__api_rs", api);
    assert!(!api.contains("ErrorResponse"), "an error status is typed by progenitor");
    assert!(api.contains("204u16 => Ok(ResponseValue::empty(response))"));
    assert!(api.contains("_ => Err(Error::UnexpectedResponse(response))"));
    // A path parameter is an argument of the high-level call, set through progenitor's builder.
    let ops = feature_file("error_schema", "operations.rs");
    assert!(
        ops.contains("pub fn delete_widget(\n        &self,\n        widget_id: impl Into<String>,\n    )"),
        "{ops}"
    );
    assert!(ops.contains("b = b.widget_id(v);"), "{ops}");
    assert!(
        ops.contains("pub(crate) const OPERATIONS: &[&contract::OperationSpec] = &[&op_delete_widget::SPEC];"),
        "{ops}"
    );
}

#[test]
fn changing_a_limit_changes_the_checks_and_the_batches() {
    let original = main_spec();
    assert_eq!(original.matches("maxItems: 16").count(), 1, "the spec's tag limit moved; update this test");
    let before = contents(&generate_ok(SPEC_LABEL, &original), "operations.rs").to_string();
    assert_eq!(before.matches("max_items: 16,").count(), 2, "both tag operations batch on 16");

    let changed = original.replace("maxItems: 16", "maxItems: 20");
    let after = contents(&generate_ok(SPEC_LABEL, &changed), "operations.rs").to_string();
    assert_eq!(after.matches("max_items: 20,").count(), 2, "the batch size did not follow the spec");
    assert!(!after.contains("max_items: 16,"), "a stale limit is left");
    // Nothing but the limit changed.
    let changed_lines: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert!(!changed_lines.is_empty());
    assert!(changed_lines.iter().all(|(a, b)| a.replace("16", "20") == *b), "{changed_lines:#?}");
}

#[test]
fn a_property_whose_constraints_go_unchecked_is_a_located_error_not_a_low_level_operation() {
    // An object with a required field beside the batch list: the generated checks do not cover
    // it, so no high-level call could refuse bad input before sending. Nothing is left silently
    // to the low-level client: codegen refuses the spec, naming the operation and why.
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/purge:
    post:
      operationId: purgeTags
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [tags]
              properties:
                tags: {type: array, maxItems: 4, items: {type: string}}
                filter:
                  type: object
                  required: [kind]
                  properties:
                    kind: {type: string}
      responses:
        '200': {description: Done.}
"#;
    let err = generator::generate(std::path::Path::new("object-option.yaml"), "object-option.yaml", spec.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "object-option.yaml: at #/paths/~1v1~1purge/post in POST /v1/purge (operationId `purgeTags`): the operation cannot get a high-level call (checks, retries, the testing kit's route, a CLI command): its property `filter` has constraints that the generated checks do not cover; describe it in a shape the layer covers, or leave it out of the spec"
    );
}
