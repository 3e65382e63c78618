//! The values of a call's fields, kept by the one non-generic call ([`crate::engine::call::Call`]):
//! each set in one place ([`Values::set`]), from a typed setter, from text (the CLI,
//! `DynPurge::set`) or from JSON (the testing kit), and read by the generated checks and bodies
//! through a [`FieldId`] resolved at compile time.

use crate::types::operation::{Field, Kind, OperationInfo};
use crate::types::validation::{Problem, ValidationError};

/// A field's value, of its [`Kind`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// [`Kind::Text`].
    Text(String),
    /// [`Kind::OneOf`]: one of its values.
    Choice(&'static str),
    /// [`Kind::Integer`].
    Integer(i64),
    /// [`Kind::Number`].
    Number(f64),
    /// [`Kind::Boolean`].
    Boolean(bool),
    /// [`Kind::TextList`].
    List(Vec<String>),
    /// [`Kind::Json`].
    Json(serde_json::Value),
}

/// A field of an operation, resolved from its wire name when the generated code is compiled
/// ([`FieldId::named`]): reading or setting it looks nothing up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldId(usize);

impl FieldId {
    /// The field named `name` among `fields`; a name that is not there fails to compile.
    pub const fn named(fields: &[Field], name: &str) -> FieldId {
        let mut i = 0;
        while i < fields.len() {
            if str_eq(fields[i].name, name) {
                return FieldId(i);
            }
            i += 1;
        }
        panic!("the generated code names a field its operation does not have");
    }

    /// The field at `index` of its operation's fields.
    pub(crate) const fn at(index: usize) -> FieldId {
        FieldId(index)
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The values of one call, one slot per field of its operation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values(Vec<Option<Value>>);

impl Values {
    /// No value set, for `fields`.
    pub(crate) fn new(fields: &[Field]) -> Self {
        Self(vec![None; fields.len()])
    }

    /// Sets a field: the one place a value is stored.
    pub(crate) fn set(&mut self, id: FieldId, value: Value) {
        self.0[id.0] = Some(value);
    }

    /// Sets a field of `info` by its wire name, from text (the CLI, `DynPurge::set`), parsed by
    /// its kind.
    pub(crate) fn set_text(&mut self, info: &OperationInfo, name: &str, text: &str) -> Result<(), ValidationError> {
        let (id, field) = field(info, name)?;
        self.set(id, field.kind.parse(field.name, text)?);
        Ok(())
    }

    /// Sets a field of `info` by its wire name, from JSON (a request the testing kit received).
    #[cfg(feature = "mock")]
    pub(crate) fn set_json(
        &mut self,
        info: &OperationInfo,
        name: &str,
        json: &serde_json::Value,
    ) -> Result<(), ValidationError> {
        let (id, field) = field(info, name)?;
        self.set(id, field.kind.read_json(field.name, json)?);
        Ok(())
    }

    /// The value of the field at `index` of the operation's fields.
    pub(crate) fn at(&self, index: usize) -> Option<&Value> {
        self.0.get(index).and_then(Option::as_ref)
    }

    fn get(&self, id: FieldId) -> Option<&Value> {
        self.at(id.0)
    }

    /// Whether the field is set.
    pub fn is_set(&self, id: FieldId) -> bool {
        self.get(id).is_some()
    }

    /// A [`Kind::Text`] or [`Kind::OneOf`] value.
    pub fn text(&self, id: FieldId) -> Option<&str> {
        match self.get(id)? {
            Value::Text(s) => Some(s),
            Value::Choice(s) => Some(s),
            _ => None,
        }
    }

    /// A [`Kind::Integer`] value.
    pub fn integer(&self, id: FieldId) -> Option<i64> {
        match self.get(id)? {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// A [`Kind::Number`] value.
    pub fn number(&self, id: FieldId) -> Option<f64> {
        match self.get(id)? {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// A [`Kind::Boolean`] value.
    pub fn boolean(&self, id: FieldId) -> Option<bool> {
        match self.get(id)? {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// A [`Kind::TextList`] value.
    pub fn list(&self, id: FieldId) -> Option<&[String]> {
        match self.get(id)? {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// A [`Kind::Json`] value.
    pub fn json(&self, id: FieldId) -> Option<&serde_json::Value> {
        match self.get(id)? {
            Value::Json(v) => Some(v),
            _ => None,
        }
    }
}

impl Value {
    /// The value as the wire carries it in a query string (`None` for kinds a query cannot
    /// carry).
    pub(crate) fn query_text(&self) -> Option<String> {
        Some(match self {
            Value::Text(s) => s.clone(),
            Value::Choice(s) => s.to_string(),
            Value::Integer(n) => n.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::List(_) | Value::Json(_) => return None,
        })
    }
}

impl Kind {
    /// A value of this kind from text, as the CLI and `DynPurge::set` give it: the one place
    /// text becomes a value.
    pub(crate) fn parse(&self, name: &str, text: &str) -> Result<Value, ValidationError> {
        let wrong = |expected: &str| ValidationError {
            field: name.to_string(),
            problem: Problem::WrongType { expected: expected.to_string(), got: format!("{text:?}") },
        };
        Ok(match self {
            Kind::Text => Value::Text(text.to_string()),
            Kind::OneOf(allowed) => Value::Choice(choice(name, text, allowed)?),
            Kind::Integer => Value::Integer(text.trim().parse().map_err(|_| wrong("an integer"))?),
            Kind::Number => Value::Number(text.trim().parse().map_err(|_| wrong("a number"))?),
            Kind::Boolean => Value::Boolean(text.trim().parse().map_err(|_| wrong("true or false"))?),
            // As text, a comma-separated list (the form Vercel's CLI takes lists in).
            Kind::TextList => Value::List(text.split(',').map(|v| v.trim().to_string()).collect()),
            Kind::Json => return Err(wrong("a value set through its typed setter")),
        })
    }

    /// A value of this kind from JSON, as a request body carries it (the testing kit).
    #[cfg(feature = "mock")]
    pub(crate) fn read_json(&self, name: &str, json: &serde_json::Value) -> Result<Value, ValidationError> {
        use serde_json::Value as J;
        let wrong = |expected: &str| ValidationError {
            field: name.to_string(),
            problem: Problem::WrongType { expected: expected.to_string(), got: json_kind(json).to_string() },
        };
        Ok(match (self, json) {
            (Kind::Text, J::String(s)) => Value::Text(s.clone()),
            (Kind::OneOf(allowed), J::String(s)) => Value::Choice(choice(name, s, allowed)?),
            (Kind::Integer, J::Number(n)) => Value::Integer(n.as_i64().ok_or_else(|| wrong("an integer"))?),
            (Kind::Number, J::Number(n)) => Value::Number(n.as_f64().ok_or_else(|| wrong("a number"))?),
            (Kind::Boolean, J::Bool(b)) => Value::Boolean(*b),
            (Kind::TextList, J::Array(items)) => Value::List(
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(|| wrong("a list of strings"))?,
            ),
            (Kind::Json, v) => Value::Json(v.clone()),
            (Kind::Text | Kind::OneOf(_), _) => return Err(wrong("a string")),
            (Kind::Integer, _) => return Err(wrong("an integer")),
            (Kind::Number, _) => return Err(wrong("a number")),
            (Kind::Boolean, _) => return Err(wrong("true or false")),
            (Kind::TextList, _) => return Err(wrong("a list of strings")),
        })
    }
}

/// The field of `info` named `name` on the wire, or the refusal that says `info` has none.
fn field<'i>(info: &'i OperationInfo, name: &str) -> Result<(FieldId, &'i Field), ValidationError> {
    match info.fields.iter().position(|f| f.name == name) {
        Some(i) => Ok((FieldId(i), &info.fields[i])),
        None => Err(ValidationError {
            field: name.to_string(),
            problem: Problem::NotAccepted { operation: info.operation_id.to_string() },
        }),
    }
}

/// `text` as one of `allowed`, or the refusal that lists them.
fn choice(name: &str, text: &str, allowed: &[&'static str]) -> Result<&'static str, ValidationError> {
    allowed.iter().copied().find(|a| *a == text).ok_or_else(|| ValidationError {
        field: name.to_string(),
        problem: Problem::NotAllowed {
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
            got: text.to_string(),
        },
    })
}

/// How a JSON value is named in errors (the testing kit's).
#[cfg(feature = "mock")]
pub(crate) fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::operation::Place;

    const FIELDS: &[Field] = &[
        Field { name: "a", place: Place::Query, kind: Kind::Text, required: true, in_scope: false, description: "" },
        Field {
            name: "bb",
            place: Place::Body,
            kind: Kind::Integer,
            required: false,
            in_scope: false,
            description: "",
        },
    ];

    #[test]
    fn field_ids_are_resolved_by_name_at_compile_time() {
        const B: FieldId = FieldId::named(FIELDS, "bb");
        let mut values = Values::new(FIELDS);
        values.set(B, Value::Integer(3));
        assert_eq!(values.integer(B), Some(3));
        assert_eq!(values.text(FieldId::named(FIELDS, "a")), None);
    }

    #[test]
    fn text_and_json_become_values_of_the_kind_or_say_why_not() {
        let e = |r: Result<Value, ValidationError>| r.unwrap_err().to_string();
        assert_eq!(Kind::Integer.parse("n", " 60 ").unwrap(), Value::Integer(60));
        assert_eq!(e(Kind::Integer.parse("n", "abc")), "n: must be an integer, got \"abc\"");
        assert_eq!(e(Kind::Boolean.parse("b", "yes")), "b: must be true or false, got \"yes\"");
        assert_eq!(Kind::OneOf(&["x", "y"]).parse("t", "y").unwrap(), Value::Choice("y"));
        assert_eq!(e(Kind::OneOf(&["x", "y"]).parse("t", "z")), "t: must be one of x, y, got \"z\"");
        assert_eq!(Kind::TextList.parse("l", "a, b").unwrap(), Value::List(vec!["a".into(), "b".into()]));
        #[cfg(feature = "mock")]
        {
            let json = serde_json::json!({"n": 5, "s": "x", "l": ["a", 1]});
            assert_eq!(Kind::Integer.read_json("n", &json["n"]).unwrap(), Value::Integer(5));
            assert_eq!(e(Kind::Integer.read_json("s", &json["s"])), "s: must be an integer, got a string");
            assert_eq!(e(Kind::TextList.read_json("l", &json["l"])), "l: must be a list of strings, got a list");
            assert_eq!(e(Kind::OneOf(&["x"]).read_json("n", &json["n"])), "n: must be a string, got a number");
        }
    }
}
