//! api-diff on spec changes of the shapes the layer gained: path parameters and `deprecated`.

use std::path::Path;

use generator::api_diff::{Class, diff, model};

/// One operation, `DELETE /v1/widgets/{widgetId}{extra}`, with `extra` path parameters and
/// `deprecated` as given.
fn spec(extra: &[&str], deprecated: bool) -> String {
    let path: String = extra.iter().map(|p| format!("/{{{p}}}")).collect();
    let params: String = extra
        .iter()
        .map(|p| format!("        - {{ name: {p}, in: path, required: true, schema: {{ type: string }} }}\n"))
        .collect();
    format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /v1/widgets/{{widgetId}}{path}:\n    delete:\n      operationId: deleteWidget\n      deprecated: {deprecated}\n      parameters:\n        - {{ name: widgetId, in: path, required: true, schema: {{ type: string }} }}\n{params}      responses:\n        '204': {{description: Deleted.}}\n"
    )
}

fn changes(old: &str, new: &str) -> Vec<(Class, String)> {
    let (old, new) =
        (model(Path::new("old.yaml"), old.as_bytes()).unwrap(), model(Path::new("new.yaml"), new.as_bytes()).unwrap());
    diff(&old, &new).into_iter().map(|c| (c.class, c.text)).collect()
}

#[test]
fn a_path_parameter_added_or_removed_is_breaking_and_named() {
    let added = changes(&spec(&[], false), &spec(&["region"], false));
    assert!(
        added.contains(&(
            Class::Breaking,
            "`deleteWidget`: path parameter `region` added: `EdgeCache::delete_widget` takes `region`".into()
        )),
        "{added:?}"
    );
    let removed = changes(&spec(&["region"], false), &spec(&[], false));
    assert!(
        removed.contains(&(
            Class::Breaking,
            "`deleteWidget`: path parameter `region` removed: `EdgeCache::delete_widget` no longer takes `region`"
                .into()
        )),
        "{removed:?}"
    );
    assert!(changes(&spec(&["region"], false), &spec(&["region"], false)).is_empty());
}

#[test]
fn deprecation_is_a_line_of_its_own() {
    let now = changes(&spec(&[], false), &spec(&[], true));
    assert_eq!(
        now,
        [(Class::Behaviour, "`deleteWidget`: deprecated by the spec: `EdgeCache::delete_widget` is `#[deprecated]` and the CLI warns when it is used".to_string())]
    );
    let undone = changes(&spec(&[], true), &spec(&[], false));
    assert_eq!(undone, [(Class::Behaviour, "`deleteWidget`: no longer deprecated".to_string())]);
}
