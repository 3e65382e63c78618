//! The rules for names, in one place: the Rust identifier a spec name becomes (progenitor's and
//! typify's rule, which the generated layer follows too), keywords, the case of CLI flags, the
//! names the runtime already uses (`reserved`, shared with the runtime), and the checks that
//! refuse a spec whose names would clash.
//!
//! progenitor and typify turn operationIds, parameter names, property names and schema names
//! into Rust identifiers (snake_case or PascalCase). Two spec names that become the same
//! identifier, or a name that becomes a keyword or an identifier the generated code already
//! uses, make generation succeed and the generated crate fail to compile. These checks refuse
//! such specs with the names involved.

use std::collections::BTreeMap;
use std::path::Path;

use heck::{ToKebabCase, ToPascalCase, ToSnakeCase};
use serde_json::Value;

use crate::error::{Location, OperationRef, SpecError, pointer};
use crate::shape::METHODS;

/// The runtime's reserved names: the one list, which the runtime's tests check against its
/// code in both directions.
#[path = "../../generated-client/src/types/reserved.rs"]
pub mod reserved;

/// The case a spec name is turned into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `snake_case`: methods, fields, modules.
    Snake,
    /// `PascalCase`: types.
    Pascal,
}

/// The Rust identifier progenitor and typify make of a spec name (their `sanitize`).
///
/// ```
/// use generator::names::{rust_name, Case};
/// assert_eq!(rust_name("teamId", Case::Snake), "team_id");
/// assert_eq!(rust_name("team-id", Case::Snake), "team_id");
/// assert_eq!(rust_name("foo_bar", Case::Pascal), "FooBar");
/// assert_eq!(rust_name("type", Case::Snake), "type_");
/// ```
pub fn rust_name(input: &str, case: Case) -> String {
    let to_case = |s: &str| match case {
        Case::Snake => s.to_snake_case(),
        Case::Pascal => s.to_pascal_case(),
    };
    let cleaned: String =
        input.replace('\'', "").chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '-' }).collect();
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => to_case(&cleaned),
    };
    let out = match out.chars().next() {
        None => to_case("x"),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("{}{out}", to_case("x")),
    };
    if is_keyword(&out) { format!("{out}_") } else { out }
}

/// `name` as a Rust identifier (in the case of `case`), as [`rust_name`] makes it.
pub fn ident(name: &str, case: Case) -> syn::Ident {
    let rust = rust_name(name, case);
    syn::parse_str(&rust)
        .unwrap_or_else(|_| proc_macro2::Ident::new(&format!("x_{}", rust.len()), proc_macro2::Span::call_site()))
}

/// Whether [`rust_name`] makes an identifier of `name` (every character of it may stand in one).
pub fn makes_ident(name: &str, case: Case) -> bool {
    syn::parse_str::<syn::Ident>(&rust_name(name, case)).is_ok()
}

/// The CLI flag a spec name becomes (`revalidationDeadlineSeconds` →
/// `revalidation-deadline-seconds`).
pub fn kebab(name: &str) -> String {
    name.to_kebab_case()
}

/// Whether `name` is a Rust keyword (strict, reserved or weak), which cannot name an item.
pub fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// Method names progenitor's generated `Client` already has: its constructors, the `ClientInfo`
/// methods (`baseurl`, `client`, ...) and the `ClientHooks` methods its builders call.
pub const RESERVED_OPERATION_NAMES: [&str; 9] =
    ["new", "new_with_client", "api_version", "baseurl", "client", "inner", "pre", "post", "exec"];

/// Why an operationId cannot name a method, if it cannot.
///
/// progenitor's client method is the `operationId` in snake_case; it must be a Rust identifier
/// that is no keyword and not one the generated `Client` already has.
///
/// ```
/// use generator::names::operation_id_problem;
/// assert_eq!(operation_id_problem("invalidateByTags"), None);
/// assert!(operation_id_problem("123").unwrap().contains("`123`"));
/// assert!(operation_id_problem("type").unwrap().contains("keyword"));
/// assert!(operation_id_problem("new").unwrap().contains("already"));
/// ```
pub fn operation_id_problem(id: &str) -> Option<String> {
    let snake = id.to_snake_case();
    let Some(first) = snake.chars().next() else {
        return Some(format!(
            "operationId `{id}` has no letters or digits, so it cannot name a Rust method; use a name such as `getItem`"
        ));
    };
    if !(first.is_alphabetic() || first == '_') {
        return Some(format!(
            "operationId `{id}` becomes `{snake}`, which is not a Rust identifier (it must start with a letter); use a name such as `getItem`"
        ));
    }
    if is_keyword(&snake) {
        return Some(format!("operationId `{id}` becomes `{snake}`, a Rust keyword; choose another operationId"));
    }
    if RESERVED_OPERATION_NAMES.contains(&snake.as_str()) {
        return Some(format!(
            "operationId `{id}` becomes `{snake}`, which the generated code already uses; choose another operationId"
        ));
    }
    None
}

/// Refuses component schemas whose names become the same Rust type name.
pub fn check_schema_names(file: &Path, tree: &Value, errors: &mut Vec<SpecError>) {
    let Some(schemas) = tree.pointer("/components/schemas").and_then(Value::as_object) else { return };
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for name in schemas.keys() {
        let rust = rust_name(name, Case::Pascal);
        match seen.get(&rust) {
            Some(first) => errors.push(SpecError::new(
                file,
                Location::Pointer { pointer: pointer(["components", "schemas", name]), operation: None },
                format!("schemas `{first}` and `{name}` both become the Rust type `{rust}`; rename one"),
            )),
            None => {
                seen.insert(rust, name);
            }
        }
    }
}

/// Refuses objects whose property names become the same Rust field name, anywhere in the spec.
pub fn check_property_names(file: &Path, tree: &Value, errors: &mut Vec<SpecError>) {
    walk_schemas(file, tree, tree, false, &mut Vec::new(), errors);
}

/// Walks `v`; `in_properties` is true when `v` is a `properties` map (its values are schemas).
fn walk_schemas(
    file: &Path,
    tree: &Value,
    v: &Value,
    in_properties: bool,
    at: &mut Vec<String>,
    errors: &mut Vec<SpecError>,
) {
    match v {
        Value::Object(map) => {
            if !in_properties && let Some(Value::Object(props)) = map.get("properties") {
                let mut seen: BTreeMap<String, &str> = BTreeMap::new();
                for name in props.keys() {
                    let rust = rust_name(name, Case::Snake);
                    match seen.get(&rust) {
                        Some(first) => {
                            let mut ptr = at.clone();
                            ptr.extend(["properties".to_string(), name.clone()]);
                            errors.push(SpecError::new(
                                file,
                                Location::Pointer { pointer: pointer(&ptr), operation: operation_at(tree, at) },
                                format!(
                                    "properties `{first}` and `{name}` both become the Rust field `{rust}`; rename one"
                                ),
                            ));
                        }
                        None => {
                            seen.insert(rust, name);
                        }
                    }
                }
            }
            for (k, child) in map {
                let skip = !in_properties
                    && (k == "example" || k == "examples" || k == "enum" || k == "default" || k.starts_with("x-"));
                if skip {
                    continue;
                }
                at.push(k.clone());
                walk_schemas(file, tree, child, !in_properties && k == "properties", at, errors);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(i.to_string());
                walk_schemas(file, tree, child, false, at, errors);
                at.pop();
            }
        }
        _ => {}
    }
}

/// The operation a pointer (as segments) lies in, if any.
pub(crate) fn operation_at(tree: &Value, at: &[String]) -> Option<Box<OperationRef>> {
    match at {
        [paths, path, method, ..] if paths == "paths" && METHODS.contains(&method.as_str()) => {
            let op = tree.get("paths")?.get(path)?.get(method)?;
            Some(Box::new(OperationRef {
                method: method.to_uppercase(),
                path: path.clone(),
                operation_id: op.get("operationId").and_then(Value::as_str).map(str::to_string),
            }))
        }
        _ => None,
    }
}
