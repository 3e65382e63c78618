//! A call's values: the typed values of its operation, a generated struct with an `Option` of
//! its Rust type per query parameter, path parameter and body property (one value model). The
//! typed setters assign its fields; text (the CLI, `DynPurge::set`) and JSON (the testing kit)
//! reach them by wire name through serde, once the field's kind has accepted the value here, so
//! the generated checks see the same values whichever way they came.

use std::any::Any;

use serde_json::Value as Json;

use crate::engine::transport::Sending;
use crate::types::operation::{Field, Kind, OperationInfo, Place};
use crate::types::validation::{Problem, ValidationError};

/// The typed values of an operation's call: implemented by the generated `Values` of each
/// operation.
pub trait OperationValues: Any + Clone + std::fmt::Debug + Default + serde::Serialize + Send + Sync {
    /// Checks the values, one generated statement per constraint of the spec.
    fn check(&self) -> Result<(), ValidationError>;
    /// Sets the field named `name` on the wire from JSON of its kind (no field: nothing set).
    fn set(&mut self, name: &str, json: Json) -> Result<(), serde_json::Error>;
    /// The JSON body of one batch, as [`send`](OperationValues::send) would send it.
    fn body(&self, items: &[String]) -> Result<Json, String>;
    /// Starts one attempt of one batch through progenitor's builder.
    fn send<'a>(&self, api: &'a crate::generated::api::Client, items: &[String]) -> Sending<'a>;
}

/// [`OperationValues`] behind a pointer, so that the one call is not generic.
pub trait Values: std::fmt::Debug + Send + Sync {
    /// [`OperationValues::check`].
    fn check(&self) -> Result<(), ValidationError>;
    /// [`OperationValues::set`].
    fn set(&mut self, name: &str, json: Json) -> Result<(), serde_json::Error>;
    /// [`OperationValues::body`].
    fn body(&self, items: &[String]) -> Result<Json, String>;
    /// [`OperationValues::send`].
    fn send<'a>(&self, api: &'a crate::generated::api::Client, items: &[String]) -> Sending<'a>;
    /// The values set, by wire name.
    fn to_json(&self) -> serde_json::Map<String, Json>;
    /// The generated struct, for the typed setters.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: OperationValues> Values for T {
    fn check(&self) -> Result<(), ValidationError> {
        OperationValues::check(self)
    }
    fn set(&mut self, name: &str, json: Json) -> Result<(), serde_json::Error> {
        OperationValues::set(self, name, json)
    }
    fn body(&self, items: &[String]) -> Result<Json, String> {
        OperationValues::body(self, items)
    }
    fn send<'a>(&self, api: &'a crate::generated::api::Client, items: &[String]) -> Sending<'a> {
        OperationValues::send(self, api, items)
    }
    fn to_json(&self) -> serde_json::Map<String, Json> {
        match serde_json::to_value(self) {
            Ok(Json::Object(map)) => map,
            _ => serde_json::Map::new(),
        }
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// No value set: what an [`OperationSpec`](crate::engine::spec::OperationSpec) starts a call with.
pub fn values<T: OperationValues>() -> Box<dyn Values> {
    Box::new(T::default())
}

/// Sets a field of `info` by its wire name, from text (the CLI, `DynPurge::set`), parsed by its
/// kind.
pub(crate) fn set_text(
    values: &mut dyn Values,
    info: &OperationInfo,
    name: &str,
    text: &str,
) -> Result<(), ValidationError> {
    let field = field(info, name)?;
    assign(values, field, field.kind.parse(field.name, text)?)
}

/// Sets a field of `info` by its wire name, from JSON (a request the testing kit received).
#[cfg(feature = "mock")]
pub(crate) fn set_json(
    values: &mut dyn Values,
    info: &OperationInfo,
    name: &str,
    json: &Json,
) -> Result<(), ValidationError> {
    let field = field(info, name)?;
    field.kind.check_json(field.name, json)?;
    assign(values, field, json.clone())
}

/// Stores a value its field's kind accepted, through serde.
fn assign(values: &mut dyn Values, field: &Field, json: Json) -> Result<(), ValidationError> {
    values.set(field.name, json).map_err(|e| crate::engine::check::unconvertible(field.name, e.to_string()))
}

/// A value as progenitor's request carries it (`None` for a list or an object): in a query string
/// as serde writes it (`1.0`), in a path as Rust's `Display` does (`1`).
pub(crate) fn wire_text(json: &Json, place: Place) -> Option<String> {
    match json {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) if place == Place::Path && n.is_f64() => n.as_f64().map(|f| f.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Kind {
    /// A value of this kind from text, as the CLI and `DynPurge::set` give it: the one place
    /// text becomes a value.
    pub(crate) fn parse(&self, name: &str, text: &str) -> Result<Json, ValidationError> {
        let wrong = |expected: &str| ValidationError {
            field: name.to_string(),
            problem: Problem::WrongType { expected: expected.to_string(), got: format!("{text:?}") },
        };
        Ok(match self {
            Kind::Text => Json::from(text),
            Kind::OneOf(allowed) => Json::from(choice(name, text, allowed)?),
            Kind::Integer => Json::from(text.trim().parse::<i64>().map_err(|_| wrong("an integer"))?),
            Kind::Number => {
                let n: f64 = text.trim().parse().map_err(|_| wrong("a number"))?;
                Json::Number(serde_json::Number::from_f64(n).ok_or_else(|| wrong("a finite number"))?)
            }
            Kind::Boolean => Json::from(text.trim().parse::<bool>().map_err(|_| wrong("true or false"))?),
            // As text, a comma-separated list (the form Vercel's CLI takes lists in).
            Kind::TextList => Json::from(text.split(',').map(str::trim).collect::<Vec<_>>()),
            Kind::Json => return Err(wrong("a value set through its typed setter")),
        })
    }

    /// Whether JSON, as a request body carries it (the testing kit), is a value of this kind.
    #[cfg(feature = "mock")]
    pub(crate) fn check_json(&self, name: &str, json: &Json) -> Result<(), ValidationError> {
        let wrong = |expected: &str| ValidationError {
            field: name.to_string(),
            problem: Problem::WrongType { expected: expected.to_string(), got: json_kind(json).to_string() },
        };
        match (self, json) {
            (Kind::Text, Json::String(_)) | (Kind::Boolean, Json::Bool(_)) | (Kind::Json, _) => Ok(()),
            (Kind::OneOf(allowed), Json::String(s)) => choice(name, s, allowed).map(|_| ()),
            (Kind::Integer, Json::Number(n)) if n.is_i64() => Ok(()),
            (Kind::Number, Json::Number(_)) => Ok(()),
            (Kind::TextList, Json::Array(items)) if items.iter().all(Json::is_string) => Ok(()),
            (Kind::Text | Kind::OneOf(_), _) => Err(wrong("a string")),
            (Kind::Integer, _) => Err(wrong("an integer")),
            (Kind::Number, _) => Err(wrong("a number")),
            (Kind::Boolean, _) => Err(wrong("true or false")),
            (Kind::TextList, _) => Err(wrong("a list of strings")),
        }
    }
}

/// The field of `info` named `name` on the wire, or the refusal that says `info` has none (or
/// that it is the selection, which is given as items).
fn field(info: &OperationInfo, name: &str) -> Result<&'static Field, ValidationError> {
    info.field(name).ok_or_else(|| {
        let operation = info.operation_id.to_string();
        let problem = if info.batch_field == Some(name) {
            Problem::Selection { operation }
        } else {
            Problem::NotAccepted { operation }
        };
        ValidationError { field: name.to_string(), problem }
    })
}

/// `text` as one of `allowed`, or the refusal that lists them.
fn choice(name: &str, text: &str, allowed: &[&'static str]) -> Result<&'static str, ValidationError> {
    allowed.iter().copied().find(|a| *a == text).ok_or_else(|| crate::engine::check::not_allowed(name, text, allowed))
}

/// How a JSON value is named in errors (the testing kit's).
#[cfg(feature = "mock")]
pub(crate) fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_progenitor_writes_them_in_a_query_and_in_a_path() {
        let n = Json::from(1.0);
        assert_eq!(wire_text(&n, Place::Query).as_deref(), Some("1.0"));
        assert_eq!(wire_text(&n, Place::Path).as_deref(), Some("1"));
        assert_eq!(wire_text(&Json::from(1.5), Place::Path).as_deref(), Some("1.5"));
        assert_eq!(wire_text(&Json::from(7), Place::Path).as_deref(), Some("7"));
        assert_eq!(wire_text(&serde_json::json!(["a"]), Place::Query), None);
    }

    #[test]
    fn text_and_json_become_values_of_the_kind_or_say_why_not() {
        let e = |r: Result<Json, ValidationError>| r.unwrap_err().to_string();
        assert_eq!(Kind::Integer.parse("n", " 60 ").unwrap(), Json::from(60));
        assert_eq!(e(Kind::Integer.parse("n", "abc")), "n: must be an integer, got \"abc\"");
        assert_eq!(e(Kind::Boolean.parse("b", "yes")), "b: must be true or false, got \"yes\"");
        assert_eq!(Kind::OneOf(&["x", "y"]).parse("t", "y").unwrap(), Json::from("y"));
        assert_eq!(e(Kind::OneOf(&["x", "y"]).parse("t", "z")), "t: must be one of x, y, got \"z\"");
        assert_eq!(Kind::TextList.parse("l", "a, b").unwrap(), serde_json::json!(["a", "b"]));
        #[cfg(feature = "mock")]
        {
            let e = |r: Result<(), ValidationError>| r.unwrap_err().to_string();
            let json = serde_json::json!({"n": 5, "s": "x", "l": ["a", 1]});
            assert!(Kind::Integer.check_json("n", &json["n"]).is_ok());
            assert_eq!(e(Kind::Integer.check_json("s", &json["s"])), "s: must be an integer, got a string");
            assert_eq!(e(Kind::TextList.check_json("l", &json["l"])), "l: must be a list of strings, got a list");
            assert_eq!(e(Kind::OneOf(&["x"]).check_json("n", &json["n"])), "n: must be a string, got a number");
        }
    }
}
