//! The path template: well formed, and its placeholders and the path parameters matched both
//! ways.

use std::collections::BTreeSet;

use super::Operation;

/// Checks the path template against the operation's path parameters (`path_params`): well formed
/// ([`template_problem`]), a parameter for each placeholder and a placeholder for each parameter.
/// Returns false when the template is malformed, which ends the operation's checks.
pub(super) fn check(op: &mut Operation<'_>, path_params: &BTreeSet<String>) -> bool {
    if let Some(problem) = template_problem(op.path) {
        op.push(op.at(&[]), problem);
        return false;
    }
    let placeholders = placeholders(op.path);
    for ph in &placeholders {
        if !path_params.contains(ph) {
            op.push(op.at(&[]), format!("the path has placeholder `{{{ph}}}` but no path parameter `{ph}`"));
        }
    }
    for p in path_params {
        if !placeholders.contains(p) {
            op.push(
                op.at(&["parameters"]),
                format!(
                    "path parameter `{p}` has no `{{{p}}}` placeholder in the path, so it would never reach the URL"
                ),
            );
        }
    }
    true
}

/// Why a path template is malformed, if it is: every `{` closes with a `}` around a name.
///
/// ```
/// use generator::validate::template_problem;
/// assert_eq!(template_problem("/v1/items/{id}"), None);
/// assert!(template_problem("/v1/items/{id").unwrap().contains("not closed"));
/// assert!(template_problem("/v1/items/{}").unwrap().contains("empty"));
/// ```
pub fn template_problem(path: &str) -> Option<String> {
    let mut open: Option<usize> = None;
    for (i, c) in path.char_indices() {
        match (c, open) {
            ('{', None) => open = Some(i),
            ('{', Some(_)) => return Some(format!("the path template `{path}` has a `{{` inside a placeholder")),
            ('}', None) => return Some(format!("the path template `{path}` has a `}}` that closes no placeholder")),
            ('}', Some(start)) if start + 1 == i => {
                return Some(format!("the path template `{path}` has an empty placeholder `{{}}`"));
            }
            ('}', Some(_)) => open = None,
            _ => {}
        }
    }
    open.map(|_| format!("the path template `{path}` has a placeholder that is not closed with `}}`"))
}

/// The `{name}` placeholders of a path template.
pub fn placeholders(path: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        out.insert(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    out
}
