//! The checks the generated code calls, one per constraint of the spec. Each names the field
//! and the limit, and what it got.

use crate::types::validation::{Problem, ValidationError};

fn field(name: &str, index: Option<usize>) -> String {
    match index {
        Some(i) => format!("{name}[{i}]"),
        None => name.to_string(),
    }
}

fn fail(name: &str, index: Option<usize>, problem: Problem) -> Result<(), ValidationError> {
    Err(ValidationError { field: field(name, index), problem })
}

/// A required parameter: present. (Whether it may be empty is the spec's `minLength`.)
pub(crate) fn required(name: &str, value: Option<&str>) -> Result<(), ValidationError> {
    present(name, value.is_some())
}

/// A required body property: set.
pub(crate) fn present(name: &str, set: bool) -> Result<(), ValidationError> {
    if set { Ok(()) } else { fail(name, None, Problem::Missing) }
}

/// `minLength` / `maxLength`, in characters.
pub(crate) fn length(
    name: &str,
    index: Option<usize>,
    value: &str,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ValidationError> {
    let got = value.chars().count() as u64;
    let problem = size(got, min, max, |max| Problem::TooLong { max, got }, |min| Problem::TooShort { min, got });
    problem.map_or(Ok(()), |p| fail(name, index, p))
}

/// `pattern`, of the form `^[^…]*$`: none of the characters in `ranges` (inclusive).
pub(crate) fn excludes(
    name: &str,
    index: Option<usize>,
    value: &str,
    ranges: &[(char, char)],
    pattern: &str,
) -> Result<(), ValidationError> {
    let found = value.chars().enumerate().find(|(_, c)| ranges.iter().any(|(lo, hi)| (lo..=hi).contains(&c)));
    match found {
        Some((at, character)) => {
            fail(name, index, Problem::Excluded { character, at: at as u64 + 1, pattern: pattern.to_string() })
        }
        None => Ok(()),
    }
}

/// The problem of a size (a length, a count) outside `min..=max`, if any.
fn size(
    got: u64,
    min: Option<u64>,
    max: Option<u64>,
    above: impl FnOnce(u64) -> Problem,
    below: impl FnOnce(u64) -> Problem,
) -> Option<Problem> {
    match (min, max) {
        (_, Some(max)) if got > max => Some(above(max)),
        (Some(min), _) if got < min => Some(below(min)),
        _ => None,
    }
}

/// `enum`.
pub(crate) fn one_of(name: &str, index: Option<usize>, value: &str, allowed: &[&str]) -> Result<(), ValidationError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(ValidationError { field: field(name, index), ..not_allowed(name, value, allowed) })
}

/// `minimum` / `maximum` of an integer.
pub(crate) fn integer(name: &str, value: i64, min: Option<i64>, max: Option<i64>) -> Result<(), ValidationError> {
    bounds(name, value, min, max)
}

/// A finite number within `minimum` / `maximum` (JSON has no NaN or infinity).
pub(crate) fn number(name: &str, value: f64, min: Option<f64>, max: Option<f64>) -> Result<(), ValidationError> {
    if !value.is_finite() {
        let problem = Problem::WrongType { expected: "a finite number".into(), got: value.to_string() };
        return fail(name, None, problem);
    }
    bounds(name, value, min, max)
}

fn bounds<T: PartialOrd + ToString>(name: &str, n: T, min: Option<T>, max: Option<T>) -> Result<(), ValidationError> {
    match (min, max) {
        (Some(min), _) if n < min => {
            fail(name, None, Problem::BelowMinimum { min: min.to_string(), got: n.to_string() })
        }
        (_, Some(max)) if n > max => {
            fail(name, None, Problem::AboveMaximum { max: max.to_string(), got: n.to_string() })
        }
        _ => Ok(()),
    }
}

/// `minItems` / `maxItems` of a list that is not the batch field.
pub(crate) fn count(name: &str, got: usize, min: Option<u64>, max: Option<u64>) -> Result<(), ValidationError> {
    let got = got as u64;
    let problem =
        size(got, min, max, |max| Problem::TooManyItems { max, got }, |min| Problem::TooFewItems { min, got });
    problem.map_or(Ok(()), |p| fail(name, None, p))
}

/// `minItems` of the whole selection (`maxItems` is what batches are split on).
pub(crate) fn min_items(name: &str, got: usize, min: usize) -> Result<(), ValidationError> {
    count(name, got, Some(min as u64), None)
}

/// A value that is not one of the `enum` values.
pub(crate) fn not_allowed(name: &str, value: &str, allowed: &[&str]) -> ValidationError {
    let allowed = allowed.iter().map(|s| s.to_string()).collect();
    ValidationError { field: name.to_string(), problem: Problem::NotAllowed { allowed, got: value.to_string() } }
}

/// A value the field's type cannot hold (`reason` is what the type said).
pub(crate) fn unconvertible(name: &str, reason: String) -> ValidationError {
    ValidationError { field: name.to_string(), problem: Problem::Unrepresentable { reason } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_the_limit_and_what_was_got() {
        let e = |r: Result<(), ValidationError>| r.unwrap_err().to_string();
        assert_eq!(e(length("tags", Some(3), &"é".repeat(9), None, Some(8))), "tags[3]: at most 8 characters, got 9");
        assert_eq!(e(length("name", None, "ab", Some(3), None)), "name: at least 3 characters, got 2");
        assert!(length("tags", Some(0), &"é".repeat(8), None, Some(8)).is_ok(), "characters, not bytes");
        assert_eq!(e(integer("n", -1, Some(0), Some(5))), "n: must be at least 0, got -1");
        assert_eq!(e(integer("n", 6, Some(0), Some(5))), "n: must be at most 5, got 6");
        assert_eq!(e(number("x", 2.5, None, Some(2.25))), "x: must be at most 2.25, got 2.5");
        assert_eq!(
            e(one_of("target", None, "staging", &["production", "preview"])),
            "target: must be one of production, preview, got \"staging\""
        );
        assert_eq!(e(min_items("tags", 0, 1)), "tags: at least 1 item per request, got 0");
        assert_eq!(e(count("paths", 4, None, Some(3))), "paths: at most 3 items per request, got 4");
        assert_eq!(e(count("paths", 0, Some(1), None)), "paths: at least 1 item per request, got 0");
        assert_eq!(e(required("projectIdOrName", None)), "projectIdOrName: is required");
        assert!(required("projectIdOrName", Some("")).is_ok(), "present; its length is the spec's minLength");
        assert_eq!(e(present("x", false)), "x: is required");
        assert_eq!(e(number("x", f64::NAN, None, None)), "x: must be a finite number, got NaN");
        assert_eq!(e(number("x", f64::INFINITY, None, Some(1.0))), "x: must be a finite number, got inf");
    }
}
