//! `spec_diff`: our fixture spec against upstream variants, built from
//! `spec_diff/upstream-identical.json` (the same API inlined, with upstream's own `$ref`s and
//! wording) by one change each, plus the command line's exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

use generator::spec_diff::{self, Kind, Report};
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec_diff").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The identical upstream, as a tree to change.
fn identical() -> Value {
    serde_json::from_slice(&read("upstream-identical.json")).expect("upstream-identical.json is JSON")
}

/// Compares ours.yaml with `upstream`.
fn diff(upstream: &Value) -> Report {
    let bytes = serde_json::to_vec_pretty(upstream).expect("serialises");
    spec_diff::diff(Path::new("ours.yaml"), &read("ours.yaml"), Path::new("upstream.json"), &bytes)
        .unwrap_or_else(|e| panic!("diff failed: {e}"))
}

/// The value at `pointer`, to change.
fn at<'a>(tree: &'a mut Value, pointer: &str) -> &'a mut Value {
    tree.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer} in the fixture"))
}

/// Sets `key` of the mapping at `parent`, added or replaced.
fn set(tree: &mut Value, parent: &str, key: &str, value: Value) {
    at(tree, parent).as_object_mut().expect("a mapping").insert(key.to_string(), value);
}

fn remove(tree: &mut Value, parent: &str, key: &str) {
    at(tree, parent).as_object_mut().expect("a mapping").remove(key).unwrap_or_else(|| panic!("no {parent}/{key}"));
}

const PURGE: &str = "/paths/~1v1~1widgets~1purge/post";
const BODY: &str = "/paths/~1v1~1widgets~1purge/post/requestBody/content/application~1json/schema";
const GET: &str = "/paths/~1v1~1widgets~1{widgetId}/get";

fn lines(report: &Report) -> Vec<String> {
    report.lines()
}

#[test]
fn identical_modulo_refs_and_wording_is_no_difference() {
    let report = diff(&identical());
    assert_eq!(lines(&report), Vec::<String>::new());
    assert!(!report.has_drift());
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn the_same_file_against_itself_is_no_difference() {
    let ours = read("ours.yaml");
    let report = spec_diff::diff(Path::new("a.yaml"), &ours, Path::new("b.yaml"), &ours).expect("compares");
    assert_eq!(report, Report::default());
}

#[test]
fn changed_max_items_is_drift_with_both_pointers() {
    let mut up = identical();
    *at(&mut up, &format!("{BODY}/properties/tags/oneOf/0/maxItems")) = json!(20);
    let report = diff(&up);
    assert_eq!(
        lines(&report),
        [format!(
            "drift: purgeWidgets: body property tags.oneOf[0].maxItems changed ours 16 -> upstream 20 \
             (ours #/components/schemas/TagList/maxItems, upstream #{BODY}/properties/tags/oneOf/0/maxItems)"
        )]
    );
    assert!(report.has_drift());
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.count(Kind::Drift), 1);
}

#[test]
fn removed_parameter_is_drift() {
    let mut up = identical();
    at(&mut up, &format!("{PURGE}/parameters")).as_array_mut().expect("a list").remove(0);
    assert_eq!(
        lines(&diff(&up)),
        [format!(
            "drift: purgeWidgets: parameter query teamId only in ours \
             (ours #/components/parameters/teamId, upstream #{PURGE}/parameters)"
        )]
    );
}

#[test]
fn added_parameter_is_drift_and_says_if_required() {
    let mut up = identical();
    at(&mut up, &format!("{PURGE}/parameters"))
        .as_array_mut()
        .expect("a list")
        .push(json!({"name": "dryRun", "in": "query", "required": true, "schema": {"type": "boolean"}}));
    let report = diff(&up);
    assert_eq!(
        lines(&report),
        [format!(
            "drift: purgeWidgets: parameter query dryRun (required) only upstream \
             (ours #{PURGE}/parameters, upstream #{PURGE}/parameters/2)"
        )]
    );
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn parameter_required_and_schema_changes_are_drift() {
    let mut up = identical();
    set(&mut up, &format!("{PURGE}/parameters/0"), "required", json!(true));
    *at(&mut up, &format!("{PURGE}/parameters/0/schema/type")) = json!("integer");
    assert_eq!(
        lines(&diff(&up)),
        [
            format!(
                "drift: purgeWidgets: parameter query teamId required changed ours unset -> upstream true \
                 (ours #/components/parameters/teamId, upstream #{PURGE}/parameters/0/required)"
            ),
            format!(
                "drift: purgeWidgets: parameter query teamId schema type changed ours string -> upstream integer \
                 (ours #/components/parameters/teamId/schema/type, upstream #{PURGE}/parameters/0/schema/type)"
            ),
        ]
    );
}

#[test]
fn path_item_parameters_count_for_the_operation() {
    let mut up = identical();
    *at(&mut up, &format!("{GET}/parameters/0/schema")) = json!({"type": "string", "pattern": "^w_"});
    assert_eq!(
        lines(&diff(&up)),
        [format!(
            "drift: getWidget: parameter path widgetId schema pattern changed ours unset -> upstream ^w_ \
             (ours #/components/parameters/widgetId/schema, upstream #{GET}/parameters/0/schema/pattern)"
        )]
    );
}

#[test]
fn changed_enum_lists_each_value() {
    let mut up = identical();
    *at(&mut up, &format!("{BODY}/properties/target/enum")) = json!(["production", "staging"]);
    let ptrs = format!(
        "(ours #/components/schemas/PurgeRequest/properties/target/enum, upstream #{BODY}/properties/target/enum)"
    );
    assert_eq!(
        lines(&diff(&up)),
        [
            format!("drift: purgeWidgets: body property target.enum value \"preview\" only in ours {ptrs}"),
            format!("drift: purgeWidgets: body property target.enum value \"staging\" only upstream {ptrs}"),
        ]
    );
}

#[test]
fn changed_type_and_removed_maximum_are_drift_despite_the_deliberate_request_body() {
    // The request body's x-deliberate-deviation covers its `required`, not its schema.
    let mut up = identical();
    *at(&mut up, &format!("{BODY}/properties/deadlineSeconds")) = json!({"type": "number", "minimum": 0});
    assert_eq!(
        lines(&diff(&up)),
        [
            format!(
                "drift: purgeWidgets: body property deadlineSeconds.type changed ours integer -> upstream number \
                 (ours #/components/schemas/PurgeRequest/properties/deadlineSeconds/type, \
                 upstream #{BODY}/properties/deadlineSeconds/type)"
            ),
            format!(
                "drift: purgeWidgets: body property deadlineSeconds.maximum changed ours 100 -> upstream unset \
                 (ours #/components/schemas/PurgeRequest/properties/deadlineSeconds/maximum, \
                 upstream #{BODY}/properties/deadlineSeconds)"
            ),
        ]
    );
}

#[test]
fn removed_and_added_response_codes_are_drift() {
    let mut up = identical();
    remove(&mut up, &format!("{GET}/responses"), "404");
    at(&mut up, &format!("{GET}/responses"))
        .as_object_mut()
        .expect("a mapping")
        .insert("410".into(), json!({"description": "Gone"}));
    assert_eq!(
        lines(&diff(&up)),
        [
            format!(
                "drift: getWidget: response 404 only in ours (ours #/components/responses/NotFound, upstream #{GET}/responses)"
            ),
            format!(
                "drift: getWidget: response 410 only upstream (ours #{GET}/responses, upstream #{GET}/responses/410)"
            ),
        ]
    );
}

#[test]
fn response_content_and_schemas_are_compared() {
    let mut up = identical();
    remove(&mut up, "/components/schemas/WidgetV2/properties", "size");
    set(&mut up, "/components/schemas/WidgetV2/properties/id", "format", json!("uuid"));
    assert_eq!(
        lines(&diff(&up)),
        [
            "drift: getWidget: response 200 body property id.format changed ours unset -> upstream uuid \
                 (ours #/components/schemas/Widget/properties/id, upstream #/components/schemas/WidgetV2/properties/id/format)"
                .to_string(),
            "drift: getWidget: response 200 body property size only in ours \
             (ours #/components/schemas/Widget/properties/size, upstream #/components/schemas/WidgetV2/properties)"
                .to_string(),
        ]
    );
}

#[test]
fn required_list_changes_are_drift() {
    let mut up = identical();
    *at(&mut up, "/components/schemas/WidgetV2/required") = json!(["id", "size"]);
    let ptrs = "(ours #/components/schemas/Widget/required, upstream #/components/schemas/WidgetV2/required)";
    assert_eq!(
        lines(&diff(&up)),
        [
            format!("drift: getWidget: response 200 body schema required \"name\" only in ours {ptrs}"),
            format!("drift: getWidget: response 200 body schema required \"size\" only upstream {ptrs}"),
        ]
    );
}

#[test]
fn upstream_operation_under_our_tag_is_listed_and_is_drift() {
    let mut up = identical();
    at(&mut up, "/paths").as_object_mut().expect("a mapping").insert(
        "/v1/widgets/restore".into(),
        json!({"post": {"operationId": "restoreWidgets", "tags": ["widgets"], "responses": {"200": {"description": ""}}}}),
    );
    let report = diff(&up);
    // `listGadgets` is upstream too, but under a tag we do not use.
    assert_eq!(
        lines(&report),
        ["upstream-only: POST /v1/widgets/restore (restoreWidgets) has tag widgets but is not in our spec \
          (upstream #/paths/~1v1~1widgets~1restore/post)"]
    );
    assert_eq!(report.count(Kind::UpstreamOnly), 1);
    assert!(report.has_drift());
}

#[test]
fn operation_only_in_ours_is_drift() {
    let mut up = identical();
    remove(&mut up, "/paths", "/v1/widgets/{widgetId}");
    assert_eq!(
        lines(&diff(&up)),
        ["drift: getWidget: operation GET /v1/widgets/{widgetId} only in ours \
          (ours #/paths/~1v1~1widgets~1{widgetId}/get, upstream #/paths)"]
    );
}

#[test]
fn operation_moved_upstream_is_matched_by_operation_id() {
    let mut up = identical();
    let op = at(&mut up, PURGE).take();
    remove(&mut up, "/paths", "/v1/widgets/purge");
    at(&mut up, "/paths").as_object_mut().expect("a mapping").insert("/v2/widgets/purge".into(), json!({ "put": op }));
    *at(
        &mut up,
        "/paths/~1v2~1widgets~1purge/put/requestBody/content/application~1json/schema/properties/tags/oneOf/1/maxLength",
    ) = json!(100);
    assert_eq!(
        lines(&diff(&up)),
        [
            format!(
                "drift: purgeWidgets: operation changed ours POST /v1/widgets/purge -> upstream PUT /v2/widgets/purge \
                 (ours #{PURGE}, upstream #/paths/~1v2~1widgets~1purge/put)"
            ),
            "drift: purgeWidgets: body property tags.oneOf[1].maxLength changed ours 8196 -> upstream 100 \
             (ours #/components/schemas/TagString/maxLength, upstream \
             #/paths/~1v2~1widgets~1purge/put/requestBody/content/application~1json/schema/properties/tags/oneOf/1/maxLength)"
                .to_string(),
        ]
    );
}

#[test]
fn deliberate_deviations_are_shown_as_such_and_exit_zero() {
    // Vercel's style: no body `required`, errors without content, no `default` response.
    let mut up = identical();
    remove(&mut up, &format!("{PURGE}/requestBody"), "required");
    remove(&mut up, &format!("{PURGE}/responses/400"), "content");
    remove(&mut up, &format!("{PURGE}/responses"), "default");
    let report = diff(&up);
    assert_eq!(
        lines(&report),
        [
            format!(
                "deliberate: purgeWidgets: request body required changed ours true -> upstream unset \
                 (ours #/components/requestBodies/Purge/required, upstream #{PURGE}/requestBody) \
                 [x-deliberate-deviation at #/components/requestBodies/Purge: Required here; upstream leaves `required` unset.]"
            ),
            format!(
                "deliberate: purgeWidgets: response 400 content application/json only in ours \
                 (ours #/components/responses/BadRequest/content/application~1json, upstream #{PURGE}/responses/400) \
                 [x-deliberate-deviation at #/components/responses/BadRequest: Typed with `Error`; upstream gives no content.]"
            ),
            format!(
                "deliberate: purgeWidgets: response default only in ours \
                 (ours #/components/responses/UnexpectedError, upstream #{PURGE}/responses) \
                 [x-deliberate-deviation at #/components/responses/UnexpectedError: Not in upstream; added so that 5xx are typed too.]"
            ),
        ]
    );
    assert_eq!(report.count(Kind::Deliberate), 3);
    assert!(!report.has_drift());
    assert_eq!(report.exit_code(), 0);
    let declared = report.differences[0].declared.as_ref().expect("declared");
    assert_eq!(declared.pointer, "/components/requestBodies/Purge");
}

#[test]
fn a_deliberate_schema_covers_everything_inside_it() {
    // The error schema carries the extension: upstream's different error body is deliberate,
    // wherever it differs, and even where upstream has a property we lack.
    let mut up = identical();
    *at(&mut up, "/components/schemas/ErrorBody/properties/error/properties/code/type") = json!("integer");
    at(&mut up, "/components/schemas/ErrorBody/properties")
        .as_object_mut()
        .expect("a mapping")
        .insert("traceId".into(), json!({}));
    let report = diff(&up);
    let kinds: Vec<(Kind, &str)> = report.differences.iter().map(|d| (d.kind, d.message.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (Kind::Deliberate, "response 400 body property error.code.type changed ours string -> upstream integer"),
            (Kind::Deliberate, "response 400 body property traceId only upstream"),
            (
                Kind::Deliberate,
                "response default body property error.code.type changed ours string -> upstream integer"
            ),
            (Kind::Deliberate, "response default body property traceId only upstream"),
        ]
    );
    assert!(
        report
            .differences
            .iter()
            .all(|d| d.declared.as_ref().is_some_and(|d| d.pointer == "/components/schemas/Error"))
    );
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn comparison_is_semantic() {
    // Already in the identical fixture: inline vs $ref, enum order, `required` order, 64 vs 64.0,
    // `nullable: true` vs `type: [number, "null"]`, absent vs `{}` additionalProperties,
    // descriptions and examples. Here: more of the same, none of which is a difference.
    let mut up = identical();
    *at(&mut up, &format!("{BODY}/properties/tags/oneOf/0/items")) = json!({"$ref": "#/components/schemas/TagItem"});
    at(&mut up, "/components/schemas").as_object_mut().expect("a mapping").insert(
        "TagItem".into(),
        json!({"type": "string", "maxLength": 256.0, "description": "One tag.", "example": "blog", "exclusiveMaximum": false}),
    );
    set(&mut up, "/components/schemas/ErrorBody", "additionalProperties", json!(true));
    assert_eq!(lines(&diff(&up)), Vec::<String>::new());
    // ...while a nullable that upstream drops is one.
    *at(&mut up, "/components/schemas/WidgetV2/properties/size/type") = json!("number");
    assert_eq!(
        lines(&diff(&up)),
        ["drift: getWidget: response 200 body property size.nullable changed ours true -> upstream false \
          (ours #/components/schemas/Widget/properties/size/nullable, \
          upstream #/components/schemas/WidgetV2/properties/size)"]
    );
}

#[test]
fn the_order_is_stable() {
    let mut up = identical();
    *at(&mut up, &format!("{BODY}/properties/tags/oneOf/0/maxItems")) = json!(20);
    remove(&mut up, &format!("{GET}/responses"), "404");
    remove(&mut up, &format!("{PURGE}/responses"), "default");
    let first = diff(&up).lines();
    assert_eq!(first, diff(&up).lines());
    // Operations by path: /v1/widgets/purge before /v1/widgets/{widgetId}.
    let ops: Vec<&str> = first.iter().map(|l| l.split(": ").nth(1).unwrap_or_default()).collect();
    assert_eq!(ops, ["purgeWidgets", "purgeWidgets", "getWidget"]);
}

#[test]
fn upstream_need_not_pass_our_validation() {
    // No info, no operationIds, OpenAPI 3.1, a path item that is not a mapping, an operation
    // without responses: upstream is only compared, never generated from.
    let up = json!({
        "openapi": "3.1.0",
        "paths": {"/elsewhere": "junk", "/v1/other": {"get": {"tags": ["widgets"]}}},
    });
    let report = diff(&up);
    assert_eq!(
        lines(&report),
        [
            "drift: purgeWidgets: operation POST /v1/widgets/purge only in ours (ours #/paths/~1v1~1widgets~1purge/post, upstream #/paths)",
            "drift: getWidget: operation GET /v1/widgets/{widgetId} only in ours (ours #/paths/~1v1~1widgets~1{widgetId}/get, upstream #/paths)",
            "upstream-only: GET /v1/other has tag widgets but is not in our spec (upstream #/paths/~1v1~1other/get)",
        ]
    );
}

fn diff_error(upstream: &[u8]) -> String {
    spec_diff::diff(Path::new("ours.yaml"), &read("ours.yaml"), Path::new("up.yaml"), upstream)
        .expect_err("an error")
        .to_string()
}

#[test]
fn errors_name_the_file() {
    assert_eq!(diff_error(b""), "up.yaml: the file is empty");
    assert_eq!(diff_error(&read("broken.yaml")), "up.yaml:4:1: did not find expected ',' or ']'");
    assert_eq!(
        diff_error(b"swagger: '2.0'\npaths: {}\n"),
        "up.yaml: at #/swagger: Swagger 2 descriptions cannot be compared; use OpenAPI 3"
    );
    assert_eq!(diff_error(b"openapi: 3.0.3\n"), "up.yaml: at #: the required field `paths` is missing");
    assert_eq!(diff_error(b"- a list\n"), "up.yaml: the document is not a mapping (an OpenAPI object)");

    let mut up = identical();
    *at(&mut up, &format!("{BODY}/properties/tags")) = json!({"$ref": "#/components/schemas/Nowhere"});
    let bytes = serde_json::to_vec(&up).expect("serialises");
    assert_eq!(
        diff_error(&bytes),
        format!("up.yaml: at #{BODY}/properties/tags/$ref: `$ref: #/components/schemas/Nowhere` does not resolve")
    );
    *at(&mut up, &format!("{BODY}/properties/tags")) = json!({"$ref": "other.yaml#/Tags"});
    let bytes = serde_json::to_vec(&up).expect("serialises");
    assert!(diff_error(&bytes).contains("`$ref: other.yaml#/Tags` points outside this file"));

    // Our spec is loaded as for generation; its errors name it.
    let err = spec_diff::diff(Path::new("ours.yaml"), b"openapi: 3.0.3\n", Path::new("up.yaml"), &read("ours.yaml"))
        .expect_err("an error");
    assert_eq!(err.to_string(), "ours.yaml: at #: the required field `info` is missing");

    let err = spec_diff::diff_files(&fixture("ours.yaml"), &fixture("missing.json")).expect_err("an error");
    assert!(err.to_string().ends_with("missing.json: no such file"), "{err}");
}

#[test]
fn a_ref_cycle_upstream_is_an_error_not_a_hang() {
    let mut up = identical();
    *at(&mut up, &format!("{BODY}/properties/tags")) = json!({"$ref": "#/components/schemas/A"});
    let schemas = at(&mut up, "/components/schemas").as_object_mut().expect("a mapping");
    schemas.insert("A".into(), json!({"$ref": "#/components/schemas/B"}));
    schemas.insert("B".into(), json!({"$ref": "#/components/schemas/A"}));
    let bytes = serde_json::to_vec(&up).expect("serialises");
    assert!(diff_error(&bytes).contains("`$ref`s in a row (a cycle?)"));
}

#[test]
fn recursive_schemas_terminate() {
    // A tree node whose children are nodes, on both sides, differing only deep inside.
    let spec = |max: u64, node: &str| {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/v1/tree": {"get": {
                "operationId": "getTree",
                "responses": {"200": {"description": "", "content": {"application/json": {
                    "schema": {"$ref": format!("#/components/schemas/{node}")}}}}}}}},
            "components": {"schemas": {node: {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": max},
                    "children": {"type": "array", "items": {"$ref": format!("#/components/schemas/{node}")}},
                },
            }}},
        })
    };
    let bytes = |v: Value| serde_json::to_vec(&v).expect("serialises");
    let report = spec_diff::diff(
        Path::new("ours.json"),
        &bytes(spec(10, "Node")),
        Path::new("up.json"),
        &bytes(spec(10, "TreeNode")),
    )
    .expect("compares");
    assert_eq!(report, Report::default());
    let report = spec_diff::diff(
        Path::new("ours.json"),
        &bytes(spec(10, "Node")),
        Path::new("up.json"),
        &bytes(spec(20, "TreeNode")),
    )
    .expect("compares");
    assert_eq!(
        report.lines(),
        ["drift: getTree: response 200 body property name.maxLength changed ours 10 -> upstream 20 \
          (ours #/components/schemas/Node/properties/name/maxLength, \
          upstream #/components/schemas/TreeNode/properties/name/maxLength)"]
    );
}

/// `cargo xtask spec-diff` on the fixtures: exit 0 without drift, 1 with, 2 on an error.
#[test]
fn the_command_line_exit_codes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root");
    let run = |upstream: &str| {
        let out = Command::new(env!("CARGO"))
            .current_dir(root)
            .args([
                "run",
                "-q",
                "-p",
                "xtask",
                "--",
                "spec-diff",
                "--spec",
                "generator/tests/spec_diff/ours.yaml",
                "--upstream",
            ])
            .arg(format!("generator/tests/spec_diff/{upstream}"))
            .output()
            .expect("cargo runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    let (code, stdout, stderr) = run("upstream-identical.json");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "");

    let (code, stdout, stderr) = run("upstream-drift.yaml");
    assert_eq!(code, Some(1), "{stderr}");
    let kinds: Vec<&str> = stdout.lines().map(|l| l.split(':').next().unwrap_or_default()).collect();
    assert_eq!(kinds, ["deliberate", "drift", "deliberate", "deliberate"], "{stdout}");
    assert!(
        stdout.contains("drift: purgeWidgets: body property tags.oneOf[0].maxItems changed ours 16 -> upstream 20"),
        "{stdout}"
    );
    assert!(stderr.contains("1 drift, 3 deliberate, 0 upstream-only"), "{stderr}");

    let (code, _, stderr) = run("broken.yaml");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("generator/tests/spec_diff/broken.yaml:4:1:"), "{stderr}");

    let (code, _, stderr) = run("missing.json");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("generator/tests/spec_diff/missing.json: no such file"), "{stderr}");
}

/// Our spec's `minLength: 1` on `projectIdOrName`, against an upstream that, as Vercel's does,
/// gives the parameter a plain string: deliberate (declared on the schema, with the reason), not
/// drift, for each operation.
#[test]
fn the_specs_project_min_length_is_a_deliberate_deviation() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/edge-cache.yaml");
    let ours = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reference = "$ref: '#/components/schemas/ProjectIdOrName'";
    assert_eq!(ours.matches(reference).count(), 1, "the parameter's schema moved; update this test");
    let upstream = ours.replace(reference, "type: string");
    let report = spec_diff::diff(Path::new("ours.yaml"), ours.as_bytes(), Path::new("up.yaml"), upstream.as_bytes())
        .expect("compares");
    let lines = lines(&report);
    // One line per operation that takes the parameter, as many as the spec has.
    let operations = ours.matches("$ref: '#/components/parameters/projectIdOrName'").count();
    assert!(operations > 0, "no operation takes the parameter; update this test");
    assert_eq!(lines.len(), operations, "{lines:#?}");
    for line in &lines {
        assert!(line.starts_with("deliberate: "), "{line}");
        assert!(
            line.contains("parameter query projectIdOrName schema minLength changed ours 1 -> upstream unset"),
            "{line}"
        );
        assert!(line.contains("can never succeed"), "the reason is shown: {line}");
    }
    assert!(!report.has_drift());
}
