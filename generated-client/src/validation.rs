//! Checking a request against the spec's rules before a byte is sent.
//!
//! The rules come from the generated tables ([`crate::spec`]); nothing here knows a limit.

use std::fmt;

use serde_json::Value;

use crate::schema::{Operation, Schema};

/// A request refused before sending: which field, which limit, what it got.
///
/// ```
/// use vercel_edge_cache::validation::{check_body, ValidationError};
/// use vercel_edge_cache::spec::invalidate_by_tags::OPERATION;
/// let tags: Vec<String> = (0..17).map(|i| format!("t{i}")).collect();
/// let err = check_body(&OPERATION, &serde_json::json!({ "tags": tags })).unwrap_err();
/// assert_eq!(err.to_string(), "tags: at most 16 items per request, got 17");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The field at fault, as a path such as `tags`, `tags[3]` or `projectIdOrName`.
    pub field: String,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// More items than `maxItems`.
    TooManyItems {
        /// The limit.
        max: u64,
        /// How many were given.
        got: u64,
    },
    /// Fewer items than `minItems`.
    TooFewItems {
        /// The limit.
        min: u64,
        /// How many were given.
        got: u64,
    },
    /// Longer than `maxLength`.
    TooLong {
        /// The limit, in characters.
        max: u64,
        /// The length given.
        got: u64,
    },
    /// Shorter than `minLength`.
    TooShort {
        /// The limit, in characters.
        min: u64,
        /// The length given.
        got: u64,
    },
    /// Below `minimum`.
    BelowMinimum {
        /// The limit.
        min: String,
        /// The value given.
        got: String,
    },
    /// Above `maximum`.
    AboveMaximum {
        /// The limit.
        max: String,
        /// The value given.
        got: String,
    },
    /// Not one of the `enum` values.
    NotAllowed {
        /// The allowed values.
        allowed: Vec<String>,
        /// The value given.
        got: String,
    },
    /// A required field is missing or empty.
    Missing,
    /// A field the operation does not accept.
    NotAccepted {
        /// The operation.
        operation: String,
    },
    /// The wrong JSON type.
    WrongType {
        /// What the spec expects.
        expected: String,
        /// What was given.
        got: String,
    },
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.field)?;
        match &self.problem {
            Problem::TooManyItems { max, got } => {
                write!(f, "at most {max} {} per request, got {got}", plural(*max, "item"))
            }
            Problem::TooFewItems { min, got } => {
                write!(f, "at least {min} {} per request, got {got}", plural(*min, "item"))
            }
            Problem::TooLong { max, got } => {
                write!(f, "at most {max} {}, got {got}", plural(*max, "character"))
            }
            Problem::TooShort { min, got } => {
                write!(f, "at least {min} {}, got {got}", plural(*min, "character"))
            }
            Problem::BelowMinimum { min, got } => write!(f, "must be at least {min}, got {got}"),
            Problem::AboveMaximum { max, got } => write!(f, "must be at most {max}, got {got}"),
            Problem::NotAllowed { allowed, got } => {
                write!(f, "must be one of {}, got {got:?}", allowed.join(", "))
            }
            Problem::Missing => write!(f, "is required"),
            Problem::NotAccepted { operation } => write!(f, "is not accepted by {operation}"),
            Problem::WrongType { expected, got } => write!(f, "must be {expected}, got {got}"),
        }
    }
}

impl std::error::Error for ValidationError {}

fn plural(n: u64, word: &str) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}

/// Checks a request body against `op`'s body rules.
pub fn check_body(op: &Operation, body: &Value) -> Result<(), ValidationError> {
    match &op.body {
        Some(schema) => check(op, schema, body, ""),
        None => Ok(()),
    }
}

/// Checks the query parameters: required ones present and non-empty, values within their rules.
///
/// ```
/// use vercel_edge_cache::validation::check_query;
/// use vercel_edge_cache::spec::invalidate_by_tags::OPERATION;
/// let err = check_query(&OPERATION, &[("projectIdOrName", "")]).unwrap_err();
/// assert_eq!(err.to_string(), "projectIdOrName: is required");
/// ```
pub fn check_query(op: &Operation, query: &[(&str, &str)]) -> Result<(), ValidationError> {
    for p in op.query {
        match query.iter().find(|(name, _)| *name == p.name) {
            None if p.required => return Err(missing(p.name)),
            Some((_, v)) if p.required && v.is_empty() => return Err(missing(p.name)),
            Some((_, v)) => check(op, &p.schema, &Value::String((*v).to_string()), p.name)?,
            None => {}
        }
    }
    for (name, _) in query {
        if !op.query.iter().any(|p| p.name == *name) {
            return Err(ValidationError {
                field: (*name).to_string(),
                problem: Problem::NotAccepted { operation: op.operation_id.to_string() },
            });
        }
    }
    Ok(())
}

fn missing(field: &str) -> ValidationError {
    ValidationError { field: field.to_string(), problem: Problem::Missing }
}

/// Checks one value against one schema; `field` names it in errors.
pub fn check(op: &Operation, schema: &Schema, value: &Value, field: &str) -> Result<(), ValidationError> {
    let fail = |problem| Err(ValidationError { field: field.to_string(), problem });
    match schema {
        Schema::Any => Ok(()),
        Schema::Boolean => match value {
            Value::Bool(_) => Ok(()),
            other => fail(wrong("a boolean", other)),
        },
        Schema::String { min_length, max_length, enumeration } => {
            let Value::String(s) = value else { return fail(wrong("a string", value)) };
            let len = s.chars().count() as u64;
            if let Some(max) = max_length
                && len > *max
            {
                return fail(Problem::TooLong { max: *max, got: len });
            }
            if let Some(min) = min_length
                && len < *min
            {
                return fail(Problem::TooShort { min: *min, got: len });
            }
            if !enumeration.is_empty() && !enumeration.contains(&s.as_str()) {
                return fail(Problem::NotAllowed {
                    allowed: enumeration.iter().map(|s| s.to_string()).collect(),
                    got: s.clone(),
                });
            }
            Ok(())
        }
        Schema::Integer { minimum, maximum } => {
            let Some(n) = value.as_i64() else {
                return match value.as_u64() {
                    Some(u) => match maximum {
                        Some(max) => fail(Problem::AboveMaximum { max: max.to_string(), got: u.to_string() }),
                        None => Ok(()),
                    },
                    None => fail(wrong("an integer", value)),
                };
            };
            bounds(n, *minimum, *maximum).map_err(|problem| ValidationError { field: field.to_string(), problem })
        }
        Schema::Number { minimum, maximum } => {
            let Some(n) = value.as_f64() else { return fail(wrong("a number", value)) };
            bounds(n, *minimum, *maximum).map_err(|problem| ValidationError { field: field.to_string(), problem })
        }
        Schema::Array { min_items, max_items, items } => {
            let Value::Array(list) = value else { return fail(wrong("a list", value)) };
            let got = list.len() as u64;
            if let Some(max) = max_items
                && got > *max
            {
                return fail(Problem::TooManyItems { max: *max, got });
            }
            if let Some(min) = min_items
                && got < *min
            {
                return fail(Problem::TooFewItems { min: *min, got });
            }
            for (i, item) in list.iter().enumerate() {
                check(op, items, item, &format!("{field}[{i}]"))?;
            }
            Ok(())
        }
        Schema::Object { properties, required, additional_properties } => {
            let Value::Object(map) = value else { return fail(wrong("an object", value)) };
            let join = |name: &str| if field.is_empty() { name.to_string() } else { format!("{field}.{name}") };
            for name in *required {
                if !map.contains_key(*name) {
                    return Err(missing(&join(name)));
                }
            }
            for (name, v) in map {
                match properties.iter().find(|p| p.name == name) {
                    Some(p) => check(op, &p.schema, v, &join(name))?,
                    None if !additional_properties => {
                        return Err(ValidationError {
                            field: join(name),
                            problem: Problem::NotAccepted { operation: op.operation_id.to_string() },
                        });
                    }
                    None => {}
                }
            }
            Ok(())
        }
        Schema::OneOf(alternatives) => {
            // The alternative of the value's JSON type decides the message; exactly one must pass.
            let mut passed = 0;
            let mut first_error = None;
            for alt in *alternatives {
                match check(op, alt, value, field) {
                    Ok(()) => passed += 1,
                    Err(e) => {
                        let same_type = !matches!(e.problem, Problem::WrongType { .. });
                        if same_type && first_error.is_none() {
                            first_error = Some(e);
                        }
                    }
                }
            }
            match (passed, first_error) {
                (1, _) => Ok(()),
                (0, Some(e)) => Err(e),
                (0, None) => fail(wrong(&describe_alternatives(alternatives), value)),
                (_, _) => fail(wrong("exactly one of the accepted forms (it matches several)", value)),
            }
        }
    }
}

/// `minimum`/`maximum` of integers and numbers.
fn bounds<T: PartialOrd + ToString>(n: T, minimum: Option<T>, maximum: Option<T>) -> Result<(), Problem> {
    if let Some(min) = minimum
        && n < min
    {
        return Err(Problem::BelowMinimum { min: min.to_string(), got: n.to_string() });
    }
    if let Some(max) = maximum
        && n > max
    {
        return Err(Problem::AboveMaximum { max: max.to_string(), got: n.to_string() });
    }
    Ok(())
}

fn describe_alternatives(alternatives: &[Schema]) -> String {
    let names: Vec<&str> = alternatives
        .iter()
        .map(|a| match a {
            Schema::String { .. } => "a string",
            Schema::Integer { .. } => "an integer",
            Schema::Number { .. } => "a number",
            Schema::Boolean => "a boolean",
            Schema::Array { .. } => "a list",
            Schema::Object { .. } => "an object",
            Schema::OneOf(_) | Schema::Any => "a value",
        })
        .collect();
    names.join(" or ")
}

fn wrong(expected: &str, got: &Value) -> Problem {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    Problem::WrongType { expected: expected.to_string(), got: got.to_string() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::{dangerously_delete_by_src_images as del_img, dangerously_delete_by_tags as del_tags};
    use crate::spec::{invalidate_by_src_images as inv_img, invalidate_by_tags as inv_tags};

    fn tags(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("t{i}")).collect()
    }

    fn msg(op: &Operation, body: serde_json::Value) -> String {
        check_body(op, &body).unwrap_err().to_string()
    }

    #[test]
    fn item_counts_follow_the_spec() {
        let max = inv_tags::MAX_ITEMS_PER_REQUEST;
        assert!(check_body(&inv_tags::OPERATION, &json!({ "tags": tags(max) })).is_ok());
        assert_eq!(
            msg(&inv_tags::OPERATION, json!({ "tags": tags(max + 1) })),
            format!("tags: at most {max} items per request, got {}", max + 1)
        );
        assert_eq!(msg(&inv_tags::OPERATION, json!({ "tags": [] })), "tags: at least 1 item per request, got 0");
        let max = inv_img::MAX_ITEMS_PER_REQUEST;
        let images: Vec<String> = (0..=max).map(|i| format!("/i{i}.png")).collect();
        assert_eq!(
            msg(&inv_img::OPERATION, json!({ "srcImages": images })),
            format!("srcImages: at most {max} items per request, got {}", max + 1)
        );
    }

    #[test]
    fn string_lengths_count_characters_and_name_the_item() {
        let item = inv_tags::OPERATION.list_item_schema("tags").unwrap();
        let Schema::String { max_length: Some(max), .. } = item else { panic!("tags are strings with maxLength") };
        let max = *max as usize;
        assert!(check_body(&inv_tags::OPERATION, &json!({ "tags": ["é".repeat(max)] })).is_ok());
        assert_eq!(
            msg(&inv_tags::OPERATION, json!({ "tags": ["ok", "x".repeat(max + 1)] })),
            format!("tags[1]: at most {max} characters, got {}", max + 1)
        );
    }

    #[test]
    fn the_comma_separated_form_has_its_own_limit() {
        let Some(Schema::OneOf(alts)) = inv_tags::OPERATION.body_property("tags") else { panic!() };
        let max = alts.iter().find_map(|a| match a {
            Schema::String { max_length, .. } => *max_length,
            _ => None,
        });
        let max = max.unwrap() as usize;
        assert!(check_body(&inv_tags::OPERATION, &json!({ "tags": "a".repeat(max) })).is_ok());
        assert_eq!(
            msg(&inv_tags::OPERATION, json!({ "tags": "a".repeat(max + 1) })),
            format!("tags: at most {max} characters, got {}", max + 1)
        );
        assert_eq!(msg(&inv_tags::OPERATION, json!({ "tags": 5 })), "tags: must be a list or a string, got an integer");
    }

    #[test]
    fn deadline_range_enum_and_unknown_fields() {
        let deadline = del_tags::OPERATION.body_property("revalidationDeadlineSeconds").unwrap();
        let Schema::Integer { minimum: Some(min), maximum: Some(max) } = deadline else { panic!() };
        let ok = json!({ "tags": ["a"], "revalidationDeadlineSeconds": max });
        assert!(check_body(&del_tags::OPERATION, &ok).is_ok());
        assert_eq!(
            msg(&del_tags::OPERATION, json!({ "tags": ["a"], "revalidationDeadlineSeconds": max + 1 })),
            format!("revalidationDeadlineSeconds: must be at most {max}, got {}", max + 1)
        );
        assert_eq!(
            msg(&del_img::OPERATION, json!({ "srcImages": ["/a"], "revalidationDeadlineSeconds": min - 1 })),
            format!("revalidationDeadlineSeconds: must be at least {min}, got {}", min - 1)
        );
        assert_eq!(
            msg(&del_tags::OPERATION, json!({ "tags": ["a"], "revalidationDeadlineSeconds": 1.5 })),
            "revalidationDeadlineSeconds: must be an integer, got a number"
        );
        assert_eq!(
            msg(&inv_tags::OPERATION, json!({ "tags": ["a"], "target": "staging" })),
            "target: must be one of production, preview, got \"staging\""
        );
        assert_eq!(
            msg(&inv_tags::OPERATION, json!({ "tags": ["a"], "revalidationDeadlineSeconds": 1 })),
            "revalidationDeadlineSeconds: is not accepted by invalidateByTags"
        );
        assert_eq!(msg(&inv_img::OPERATION, json!({})), "srcImages: is required");
    }

    #[test]
    fn query_rules() {
        assert!(check_query(&inv_tags::OPERATION, &[("projectIdOrName", "p"), ("teamId", "t")]).is_ok());
        assert_eq!(check_query(&inv_tags::OPERATION, &[]).unwrap_err().to_string(), "projectIdOrName: is required");
        assert_eq!(
            check_query(&inv_tags::OPERATION, &[("projectIdOrName", "p"), ("team", "t")]).unwrap_err().to_string(),
            "team: is not accepted by invalidateByTags"
        );
    }
}
