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

/// One operation with a query parameter `name` whose `pattern` is `pattern`.
fn with_pattern(pattern: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /v1/widgets:\n    delete:\n      operationId: deleteWidget\n      parameters:\n        - {{ name: name, in: query, required: true, schema: {{ type: string, pattern: '{pattern}' }} }}\n      responses:\n        '204': {{description: Deleted.}}\n"
    )
}

#[test]
fn a_pattern_is_compared_by_the_characters_it_refuses_not_by_its_spelling() {
    let (before, reworded) = (r"^[^,\x00-\x1f]*$", r"^[^\x10-\x1f,\x00-\x0f]*$");
    assert_eq!(changes(&with_pattern(before), &with_pattern(reworded)), [], "the same characters are refused");
    let more = changes(&with_pattern(before), &with_pattern(r"^[^,;\x00-\x1f]*$"));
    assert_eq!(
        more,
        [(
            Class::Behaviour,
            r"`deleteWidget`: query parameter `name`: values are refused for more characters: `pattern` `^[^,;\x00-\x1f]*$` (was `^[^,\x00-\x1f]*$`)"
                .to_string()
        )]
    );
    let fewer = changes(&with_pattern(before), &with_pattern(r"^[^\x00-\x1f]*$"));
    assert_eq!(fewer.len(), 1, "{fewer:?}");
    assert!(fewer[0].1.contains("are refused for fewer characters"), "{fewer:?}");
}
