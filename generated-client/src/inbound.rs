//! Requests seen from the server's side: what the mock server (feature `mock`) checks and
//! records. The checks are the generated ones ([`Operation::check`], [`Operation::check_item`],
//! the operation's `minItems`/`maxItems`) and serde's reading of progenitor's types, so a
//! request is refused for exactly the rules the client enforces before sending.

use serde::Deserialize;
use serde_json::Value;

use crate::check;
use crate::operation::{Operation, OperationInfo};
use crate::validation::{Problem, ValidationError};

/// A request as a server received it, read leniently: whatever could be read is kept, so that
/// a refused request can still be recorded.
///
/// ```
/// use vercel_edge_cache::inbound::Request;
/// use vercel_edge_cache::{Operation, operations::InvalidateByTags};
/// let query = vec![("projectIdOrName".to_string(), "my-site".to_string())];
/// let request = Request::new(Some(InvalidateByTags::INFO), query, br#"{"tags":["a","b"]}"#);
/// assert_eq!(request.items(), ["a", "b"]);
/// assert_eq!(request.query("projectIdOrName").as_deref(), Some("my-site"));
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    info: Option<&'static OperationInfo>,
    query: Vec<(String, String)>,
    body: Result<Value, String>,
}

impl Request {
    /// A request of the operation `info` (`None` when its method and path match none), with its
    /// decoded query pairs and its body bytes.
    pub fn new(info: Option<&'static OperationInfo>, query: Vec<(String, String)>, body: &[u8]) -> Self {
        let body = serde_json::from_slice(body).map_err(|e| {
            if body.iter().all(u8::is_ascii_whitespace) {
                "an empty body".to_string()
            } else {
                format!("not JSON ({e})")
            }
        });
        Self { info, query, body }
    }

    /// The spec's `operationId`, or `""`.
    pub fn operation(&self) -> &'static str {
        self.info.map_or("", |i| i.operation_id)
    }

    /// The first value of a query parameter.
    pub fn query(&self, name: &str) -> Option<String> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// A body property read as `T`; `None` when it is absent or does not read as `T`.
    pub fn body_value<T: serde::de::DeserializeOwned>(&self, name: &str) -> Option<T> {
        let value = self.body.as_ref().ok()?.get(name)?;
        T::deserialize(value).ok()
    }

    /// The items of the batch field: its strings, or its string form split on the spec's
    /// separator. Values that are not strings are left out.
    pub fn items(&self) -> Vec<String> {
        let (Some(info), Ok(body)) = (self.info, &self.body) else { return Vec::new() };
        match body.get(info.batch_field) {
            Some(Value::Array(list)) => list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            Some(Value::String(s)) if info.text_form => match info.separator {
                Some(sep) => s.split(sep).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect(),
                None => vec![s.clone()],
            },
            _ => Vec::new(),
        }
    }
}

fn refuse(field: &str, problem: Problem) -> ValidationError {
    ValidationError { field: field.to_string(), problem }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks a received request of `O` against every rule of the spec, in the order a reader
/// would: the body is JSON, the batch field's items (count, then each) or its string form, each
/// other property, the query parameters, then the whole body as progenitor's type (unknown
/// properties, anything else serde refuses).
///
/// ```
/// use vercel_edge_cache::inbound::{Request, check_request};
/// use vercel_edge_cache::{Operation, operations::InvalidateByTags};
/// let query = vec![("projectIdOrName".to_string(), "my-site".to_string())];
/// let tags: Vec<String> = (0..17).map(|i| format!("t{i}")).collect();
/// let body = serde_json::to_vec(&serde_json::json!({ "tags": tags })).unwrap();
/// let request = Request::new(Some(InvalidateByTags::INFO), query, &body);
/// let err = check_request::<InvalidateByTags>(&request).unwrap_err();
/// assert_eq!(err.to_string(), "tags: at most 16 items per request, got 17");
/// ```
pub fn check_request<O: Operation>(request: &Request) -> Result<(), ValidationError> {
    let info = O::INFO;
    let body = request
        .body
        .as_ref()
        .map_err(|got| refuse("body", Problem::WrongType { expected: "a JSON object".into(), got: got.clone() }))?;
    let Some(object) = body.as_object() else {
        return Err(refuse("body", Problem::WrongType { expected: "a JSON object".into(), got: kind(body).into() }));
    };

    let field = info.batch_field;
    match object.get(field) {
        None => return Err(refuse(field, Problem::Missing)),
        Some(Value::Array(list)) => {
            for (i, v) in list.iter().enumerate() {
                if !v.is_string() {
                    let problem = Problem::WrongType { expected: "a string".into(), got: kind(v).into() };
                    return Err(refuse(&format!("{field}[{i}]"), problem));
                }
            }
            check::count(field, list.len(), Some(info.min_items as u64), Some(info.max_items as u64))?;
            for (i, v) in list.iter().enumerate() {
                O::check_item(i, v.as_str().unwrap_or_default())?;
            }
        }
        Some(Value::String(text)) if info.text_form => O::check_text(text)?,
        Some(other) => {
            let expected = if info.text_form { "a list of strings or a string" } else { "a list of strings" };
            return Err(refuse(field, Problem::WrongType { expected: expected.into(), got: kind(other).into() }));
        }
    }

    // Each property alone, so that an error names it; the generated `set` words an enum's or a
    // number's refusal the way the client does.
    for name in info.options {
        let Some(value) = object.get(*name) else { continue };
        // Absent and null are one `None` to serde; the spec's properties are not nullable.
        if value.is_null() {
            let reason = "null; leave the property out instead (the spec does not make it nullable)";
            return Err(refuse(name, Problem::Unreadable { reason: reason.into() }));
        }
        let alone = Value::Object([(name.to_string(), value.clone())].into_iter().collect());
        if let Err(e) = O::Options::deserialize(&alone) {
            if let Value::String(text) = value {
                O::set(&mut O::Options::default(), name, text)?;
            }
            return Err(refuse(name, Problem::Unreadable { reason: e.to_string() }));
        }
    }
    let unreadable = |e: serde_json::Error| refuse("body", Problem::Unreadable { reason: e.to_string() });
    let options = O::Options::deserialize(body).map_err(unreadable)?;
    let params: Vec<Option<String>> = info.params.iter().map(|p| request.query(p.name)).collect();
    O::check(&params, &options)?;

    O::Body::deserialize(body).map_err(unreadable)?;
    Ok(())
}
