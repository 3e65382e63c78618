//! An operation's successful answer, when it carries a JSON body: the Rust type progenitor gives
//! it (so that the report can hand it back typed), and a value of it that the testing kit
//! answers with (the spec's `example`, else the least value its schema accepts).

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, StatusCode, Type};
use serde_json::{Value, json};

/// The JSON body of an operation's successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessBody {
    /// The component schema it refers to (`$ref: '#/components/schemas/X'`), if it does.
    pub component: Option<String>,
    /// Whether its schema, written inline, is an object (progenitor then names its type after
    /// the operation: `<OperationId>Response`).
    pub inline_object: bool,
    /// A value of it: what the testing kit answers.
    pub sample: Value,
}

/// The first 2xx answer of `op` (by status, then a `2XX` range) with an `application/json`
/// schema; `None` when the successful answer carries no JSON body.
pub fn success_body(api: &OpenAPI, op: &openapiv3::Operation) -> Option<SuccessBody> {
    let mut success: Vec<(u16, &ReferenceOr<openapiv3::Response>)> = op
        .responses
        .responses
        .iter()
        .filter_map(|(status, r)| match status {
            StatusCode::Code(code @ 200..=299) => Some((*code, r)),
            StatusCode::Range(2) => Some((299, r)),
            _ => None,
        })
        .collect();
    success.sort_by_key(|(code, _)| *code);
    let (_, response) = success.first()?;
    let response = match response {
        ReferenceOr::Item(r) => r,
        ReferenceOr::Reference { reference } => {
            let name = crate::refs::component(reference, "responses")?;
            match api.components.as_ref()?.responses.get(&name)? {
                ReferenceOr::Item(r) => r,
                ReferenceOr::Reference { .. } => return None,
            }
        }
    };
    let media = response
        .content
        .iter()
        .find(|(kind, _)| *kind == "application/json" || kind.starts_with("application/json;"))?
        .1;
    let schema = media.schema.as_ref()?;
    let component = match schema {
        ReferenceOr::Reference { reference } => crate::refs::component(reference, "schemas"),
        ReferenceOr::Item(_) => None,
    };
    let inline_object =
        matches!(schema, ReferenceOr::Item(s) if matches!(s.schema_kind, SchemaKind::Type(Type::Object(_))));
    let sample = media.example.clone().unwrap_or_else(|| least(api, schema, 0));
    Some(SuccessBody { component, inline_object, sample })
}

/// How deep [`least`] follows nested schemas before it gives up with `null`.
const MAX_DEPTH: usize = 16;

/// The least value `schema` accepts: its `example` or `default` if it has one, else its
/// required properties (each at its least), `minItems` items, the first `enum` value, a string
/// of `minLength` characters, or a number at its `minimum`.
fn least(api: &OpenAPI, schema: &ReferenceOr<impl std::borrow::Borrow<Schema>>, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let schema: &Schema = match schema {
        ReferenceOr::Item(s) => s.borrow(),
        ReferenceOr::Reference { reference } => {
            let found = crate::refs::component(reference, "schemas")
                .and_then(|name| api.components.as_ref()?.schemas.get(&name));
            match found {
                Some(ReferenceOr::Item(s)) => s,
                _ => return Value::Null,
            }
        }
    };
    if let Some(v) = schema.schema_data.example.clone().or_else(|| schema.schema_data.default.clone()) {
        return v;
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(t)) => match t.enumeration.iter().flatten().next() {
            Some(v) => json!(v),
            None => json!("x".repeat(t.min_length.unwrap_or(0))),
        },
        SchemaKind::Type(Type::Integer(t)) => {
            json!(t.minimum.map_or(0, |m| if t.exclusive_minimum { m + 1 } else { m }))
        }
        SchemaKind::Type(Type::Number(t)) => json!(t.minimum.unwrap_or(0.0)),
        SchemaKind::Type(Type::Boolean(_)) => json!(false),
        SchemaKind::Type(Type::Array(t)) => {
            let item = t.items.as_ref().map_or(Value::Null, |i| least(api, i, depth + 1));
            Value::Array(vec![item; t.min_items.unwrap_or(0)])
        }
        SchemaKind::Type(Type::Object(t)) => {
            let properties = t.properties.iter().filter(|(name, _)| t.required.contains(name));
            Value::Object(properties.map(|(name, s)| (name.clone(), least(api, s, depth + 1))).collect())
        }
        SchemaKind::OneOf { one_of: alts } | SchemaKind::AnyOf { any_of: alts } => {
            alts.first().map_or(Value::Null, |s| least(api, s, depth + 1))
        }
        SchemaKind::AllOf { all_of } => {
            let mut out = serde_json::Map::new();
            for s in all_of {
                if let Value::Object(part) = least(api, s, depth + 1) {
                    out.extend(part);
                }
            }
            Value::Object(out)
        }
        SchemaKind::Not { .. } | SchemaKind::Any(_) => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(responses: &str) -> OpenAPI {
        let yaml = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /x:\n    post:\n      operationId: x\n      responses:\n{responses}\ncomponents:\n  schemas:\n    Done:\n      type: object\n      required: [id, count, tags]\n      properties:\n        id: {{type: string, minLength: 3}}\n        count: {{type: integer, minimum: 1}}\n        tags: {{type: array, minItems: 1, items: {{type: string, enum: [a, b]}}}}\n        note: {{type: string}}\n"
        );
        serde_yaml::from_str(&yaml).unwrap()
    }

    fn body(api: &OpenAPI) -> Option<SuccessBody> {
        let op = api.paths.paths["/x"].as_item().unwrap().post.as_ref().unwrap();
        success_body(api, op)
    }

    #[test]
    fn the_least_value_keeps_to_every_required_rule() {
        let api = spec(
            "        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Done'}",
        );
        let got = body(&api).unwrap();
        assert_eq!(got.component.as_deref(), Some("Done"));
        assert!(!got.inline_object);
        assert_eq!(got.sample, json!({ "id": "xxx", "count": 1, "tags": ["a"] }));
    }

    #[test]
    fn an_example_is_answered_as_written_and_no_content_is_none() {
        let api = spec(
            "        '201':\n          description: ok\n          content:\n            application/json:\n              schema: {type: object}\n              example: {id: abc}\n        '400':\n          description: no",
        );
        let got = body(&api).unwrap();
        assert!(got.inline_object);
        assert_eq!(got.sample, json!({ "id": "abc" }));
        assert_eq!(body(&spec("        '200':\n          description: ok")), None);
    }
}
