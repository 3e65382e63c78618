//! Facts of the spec read from `spec/edge-cache.yaml` itself, not from the client: the tests
//! compare the client with the spec, so they must not take the spec's facts from the client.

use std::sync::OnceLock;

use serde_json::Value;

/// An operation, as the spec writes it.
#[derive(Debug, PartialEq, Eq)]
pub struct Operation {
    /// Its operationId.
    pub operation_id: String,
    /// Its path.
    pub path: String,
    /// Its request body's top-level properties, in spec order.
    pub properties: Vec<String>,
    /// Its documented response statuses (`"200"`, `"402"`, `"default"`).
    pub statuses: Vec<String>,
    /// Its batch field, if it has one.
    pub batch: Option<Batch>,
}

/// The list a selection is split on.
#[derive(Debug, PartialEq, Eq)]
pub struct Batch {
    /// The body property.
    pub field: String,
    /// Its `maxItems`.
    pub max_items: usize,
    /// Each item's `minLength`, if the spec gives one.
    pub item_min_length: Option<u64>,
    /// Each item's `pattern`, if the spec gives one.
    pub item_pattern: Option<String>,
}

/// The spec, as a JSON tree (read once).
fn root() -> &'static Value {
    static ROOT: OnceLock<Value> = OnceLock::new();
    ROOT.get_or_init(|| {
        let path = crate::workspace_root().join("spec/edge-cache.yaml");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

/// Every operation of the spec, in spec order (read once).
pub fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let operations = read(root());
        // The tests loop over these: none read would make them pass vacuously.
        assert!(
            operations.iter().any(|o| o.batch.is_some()),
            "read no operation with a batch field from spec/edge-cache.yaml"
        );
        operations
    })
}

fn read(root: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in root["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let Some(operation_id) = op["operationId"].as_str() else { continue };
            let schema = resolve(root, &op["requestBody"]);
            let schema = resolve(root, &schema["content"]["application/json"]["schema"]);
            let properties: Vec<String> =
                schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
            let required: Vec<&str> =
                schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let batch = required.iter().find_map(|name| {
                let list = list(root, resolve(root, &schema["properties"][*name]))?;
                let item = resolve(root, &list["items"]);
                Some(Batch {
                    field: name.to_string(),
                    max_items: list["maxItems"].as_u64()? as usize,
                    item_min_length: item["minLength"].as_u64(),
                    item_pattern: item["pattern"].as_str().map(str::to_string),
                })
            });
            let statuses = op["responses"].as_object().map(|r| r.keys().cloned().collect()).unwrap_or_default();
            let _ = method;
            out.push(Operation { operation_id: operation_id.into(), path: path.clone(), properties, statuses, batch });
        }
    }
    out
}

/// A list schema with `maxItems`, or the one among a `oneOf`'s alternatives.
fn list<'a>(root: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    if schema["type"] == "array" && schema["maxItems"].is_u64() {
        return Some(schema);
    }
    schema["oneOf"].as_array()?.iter().map(|alt| resolve(root, alt)).find(|alt| alt["type"] == "array")
}

/// `value`, or what its `$ref` points at.
fn resolve<'a>(root: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => root.pointer(pointer).unwrap_or(&Value::Null),
        None => value,
    }
}

/// The query parameter the spec's CLI mapping binds a global flag to (`x-edge-cache-cli`'s
/// `parameters`: `team-id` → `teamId`).
pub fn parameter_of_flag(flag: &str) -> String {
    let wire = root()["x-edge-cache-cli"]["parameters"][flag].as_str();
    wire.unwrap_or_else(|| panic!("the spec's CLI mapping binds no parameter to --{flag}")).to_string()
}
