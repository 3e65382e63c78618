//! A request seen from the server's side: read leniently (what can be read is kept, so that a
//! refused request is still recorded), then checked with the client's own generated checks, so
//! that the mock refuses exactly what the client refuses before sending.

use serde_json::Value as Json;

use crate::engine::spec::OperationSpec;
use crate::engine::value::{json_kind, set_json, set_text};
use crate::types::operation::{OperationInfo, Place};
use crate::types::validation::{Problem, ValidationError};

/// A request as the mock received it.
#[derive(Debug)]
pub(crate) struct Request {
    spec: Option<&'static OperationSpec>,
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Result<Json, String>,
    /// Whether the body was empty (or only white space).
    empty_body: bool,
    /// The operation's typed values, of the fields that read as their kind.
    values: Option<Box<dyn crate::engine::value::Values>>,
    /// The same, by wire name.
    read: serde_json::Map<String, Json>,
}

impl Request {
    /// A request of the operation `spec` (`None` when its method and path match none), with its
    /// decoded query pairs and its body bytes.
    pub(crate) fn new(
        spec: Option<&'static OperationSpec>,
        path: &[(String, String)],
        query: Vec<(String, String)>,
        body: &[u8],
    ) -> Self {
        let empty_body = body.iter().all(u8::is_ascii_whitespace);
        let body = serde_json::from_slice::<Json>(body)
            .map_err(|e| if empty_body { "an empty body".to_string() } else { format!("not JSON ({e})") });
        let values = spec.map(|spec| {
            let (info, mut values) = (&spec.info, (spec.values)());
            for (name, text) in path {
                let _ = set_text(&mut *values, info, name, text);
            }
            // The first value of each parameter, as servers read a repeated one.
            for (i, (name, text)) in query.iter().enumerate() {
                if is(info, name, Place::Query) && !query[..i].iter().any(|(n, _)| n == name) {
                    let _ = set_text(&mut *values, info, name, text);
                }
            }
            if let Ok(Json::Object(object)) = &body {
                for (name, json) in object.iter().filter(|(name, _)| is(info, name, Place::Body)) {
                    let _ = set_json(&mut *values, info, name, json);
                }
            }
            values
        });
        let read = values.as_ref().map(|v| v.to_json()).unwrap_or_default();
        Self { spec, path: path.to_vec(), query, body, empty_body, values, read }
    }

    fn info(&self) -> Option<&'static OperationInfo> {
        self.spec.map(|s| &s.info)
    }

    /// The spec's `operationId`, or `""`.
    pub(crate) fn operation(&self) -> &'static str {
        self.info().map_or("", |i| i.operation_id)
    }

    /// The value of the field named `name`, if the request carried one that reads as its kind,
    /// as `T` (the field's type in the generated `RecordedPurge`).
    pub(crate) fn get<T: serde::de::DeserializeOwned>(&self, name: &str) -> Option<T> {
        T::deserialize(self.read.get(name)?).ok()
    }

    /// The items of the batch field: its strings, or its string form split on the spec's
    /// separator. Values that are not strings are left out.
    pub(crate) fn items(&self) -> Vec<String> {
        let (Some(info), Ok(body)) = (self.info(), &self.body) else { return Vec::new() };
        match info.batch_field.and_then(|field| body.get(field)) {
            Some(Json::Array(list)) => list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            Some(Json::String(s)) if info.text_form => match info.separator {
                Some(sep) => s.split(sep).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect(),
                None => vec![s.clone()],
            },
            _ => Vec::new(),
        }
    }

    /// Checks the request against every rule of the spec, in the order a reader would: the body
    /// is a JSON object, the query parameters read as their kinds, the batch field's items
    /// (count, then each) or its string form, each other property (known, and of its kind), then
    /// the generated checks of every value (required ones, lengths, ranges), as the client runs
    /// them before sending.
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        let Some(spec) = self.spec else { return Ok(()) };
        let info = &spec.info;
        let params = self.path.iter().filter(|(name, _)| is(info, name, Place::Path));
        for (name, text) in params.chain(self.query.iter().filter(|(name, _)| is(info, name, Place::Query))) {
            set_text(&mut *(spec.values)(), info, name, text)?;
        }
        let takes_body = info.batch_field.is_some() || info.fields.iter().any(|f| f.place == Place::Body);
        if !takes_body {
            // An operation without a request body: nothing, or an empty object, is sent.
            return match &self.body {
                Err(_) if self.empty_body => self.check_values(),
                Ok(Json::Object(object)) if object.is_empty() => self.check_values(),
                _ => Err(refuse("body", Problem::NotAccepted { operation: info.operation_id.to_string() })),
            };
        }
        let body = self.body.as_ref().map_err(|got| refuse("body", wrong("a JSON object", got)))?;
        let Some(object) = body.as_object() else {
            return Err(refuse("body", wrong("a JSON object", json_kind(body))));
        };
        if let Some(field) = info.batch_field {
            check_items(spec, field, object.get(field))?;
        }
        for (name, json) in object.iter().filter(|(name, _)| Some(name.as_str()) != info.batch_field) {
            if is(info, name, Place::Body) {
                set_json(&mut *(spec.values)(), info, name, json)?;
            } else if !info.additional_properties {
                return Err(refuse(name, Problem::NotAccepted { operation: info.operation_id.to_string() }));
            }
        }
        self.check_values()
    }

    /// The generated checks of the values read.
    fn check_values(&self) -> Result<(), ValidationError> {
        self.values.as_ref().map_or(Ok(()), |values| values.check())
    }
}

/// The batch field: present, a list of strings of `minItems` to `maxItems` items each checked,
/// or its string form.
fn check_items(spec: &OperationSpec, field: &str, value: Option<&Json>) -> Result<(), ValidationError> {
    let info = &spec.info;
    match value {
        None => Err(refuse(field, Problem::Missing)),
        Some(Json::Array(list)) => {
            let items = list.iter().enumerate().map(|(i, v)| {
                v.as_str().ok_or_else(|| refuse(&format!("{field}[{i}]"), wrong("a string", json_kind(v))))
            });
            let items = items.collect::<Result<Vec<_>, _>>()?;
            crate::engine::check::count(field, items.len(), Some(info.min_items as u64), Some(info.max_items as u64))?;
            items.into_iter().enumerate().try_for_each(|(i, item)| (spec.check_item)(i, item))
        }
        Some(Json::String(text)) if info.text_form => (spec.check_text)(text),
        Some(other) => {
            let expected = if info.text_form { "a list of strings or a string" } else { "a list of strings" };
            Err(refuse(field, wrong(expected, json_kind(other))))
        }
    }
}

/// Whether `info` has a field `name` that goes in `place`.
fn is(info: &OperationInfo, name: &str, place: Place) -> bool {
    info.field(name).is_some_and(|f| f.place == place)
}

fn refuse(field: &str, problem: Problem) -> ValidationError {
    ValidationError { field: field.to_string(), problem }
}

fn wrong(expected: &str, got: &str) -> Problem {
    Problem::WrongType { expected: expected.to_string(), got: got.to_string() }
}
