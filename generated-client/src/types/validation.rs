//! Input refused before a byte is sent: which field, which limit, what it got.
//!
//! The checks themselves are generated, one per constraint of the spec
//! ([`crate::operations`]); this module holds what they report.

use std::fmt;

use crate::types::text::Escaped;

/// A request refused before sending: which field, which limit, what it got.
///
/// ```
/// use vercel_edge_cache::{EdgeCache, Problem};
/// # let client = EdgeCache::builder("token").base_url("http://127.0.0.1:9").build()?;
/// let info = EdgeCache::operations().next().expect("an operation");
/// // A call without its required parameters is refused, naming the first one missing.
/// if let Some(required) = info.required().next() {
///     let err = client.operation(info.operation_id, ["item"]).unwrap().validate().unwrap_err();
///     assert_eq!(err.field, required.name);
///     assert_eq!(err.problem, Problem::Missing);
///     assert_eq!(err.to_string(), format!("{}: is required", required.name));
/// }
/// # Ok::<(), vercel_edge_cache::Error>(())
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
    /// More items than `maxItems` in a list that is not the batch field (the batch field's
    /// selections are split instead).
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
    /// A character the spec's `pattern` excludes (a tag holding a comma, say: Vercel's
    /// `Vercel-Cache-Tag` header is comma-separated, so such a tag could never match).
    Excluded {
        /// The character.
        character: char,
        /// Its position, in characters, from 1.
        at: u64,
        /// The spec's pattern.
        pattern: String,
    },
    /// A required field is missing or empty.
    Missing,
    /// A field the operation does not accept.
    NotAccepted {
        /// The operation.
        operation: String,
    },
    /// The operation's selection (its list of items), set by name: it is given as the call's
    /// items instead ([`EdgeCache::operation`](crate::EdgeCache::operation)'s second argument).
    Selection {
        /// The operation.
        operation: String,
    },
    /// A value the spec's type cannot hold.
    Unrepresentable {
        /// What the type said.
        reason: String,
    },
    /// A selection that cannot be split into requests of `minItems` to `maxItems` items.
    CannotSplit {
        /// `minItems`.
        min: u64,
        /// `maxItems`.
        max: u64,
        /// How many items were given.
        got: u64,
    },
    /// A received value that does not read as its type (the mock server's check of a request).
    Unreadable {
        /// Why, in serde's words.
        reason: String,
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
        // A field's name may be a request's (the testing kit names a property it does not
        // know), and a reason may quote a value: shown escaped, as text from elsewhere is.
        write!(f, "{}: {}", Escaped(&self.field), self.problem)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::TooManyItems { max, got } => {
                write!(f, "at most {max} {} per request, got {got}", plural(*max, "item"))
            }
            Problem::TooFewItems { min, got } => {
                write!(f, "at least {min} {} per request, got {got}", plural(*min, "item"))
            }
            Problem::TooLong { max, got } => write!(f, "at most {max} {}, got {got}", plural(*max, "character")),
            Problem::TooShort { min, got } => write!(f, "at least {min} {}, got {got}", plural(*min, "character")),
            Problem::BelowMinimum { min, got } => write!(f, "must be at least {min}, got {got}"),
            Problem::AboveMaximum { max, got } => write!(f, "must be at most {max}, got {got}"),
            Problem::NotAllowed { allowed, got } => write!(f, "must be one of {}, got {got:?}", allowed.join(", ")),
            Problem::Excluded { character, at, pattern } => {
                // `{:?}` escapes a control character (`'\n'`, `'\u{7f}'`): the value is data.
                write!(f, "must not contain {character:?} (character {at}; the spec's pattern {})", Escaped(pattern))
            }
            Problem::Missing => write!(f, "is required"),
            Problem::NotAccepted { operation } => write!(f, "is not accepted by {}", Escaped(operation)),
            Problem::Selection { operation } => {
                write!(f, "is the selection of {}: give it as the call's items, not to set()", Escaped(operation))
            }
            Problem::WrongType { expected, got } => write!(f, "must be {expected}, got {}", Escaped(got)),
            Problem::Unrepresentable { reason } => write!(f, "cannot be sent: {}", Escaped(reason)),
            Problem::Unreadable { reason } => write!(f, "cannot be read: {}", Escaped(reason)),
            Problem::CannotSplit { min, max, got } => {
                write!(f, "{got} items cannot be split into requests of {min} to {max} items each")
            }
        }
    }
}

impl std::error::Error for ValidationError {}

fn plural(n: u64, word: &str) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_a_request_or_a_parser_is_shown_escaped() {
        // The testing kit names a property it does not know, as the request spelled it.
        let e = ValidationError {
            field: "tags\u{1b}[2J".into(),
            problem: Problem::NotAccepted { operation: "someOperation".into() },
        };
        assert_eq!(e.to_string(), r"tags\u{1b}[2J: is not accepted by someOperation");
        let e = ValidationError {
            field: "target".into(),
            problem: Problem::Unreadable { reason: "unknown variant `\u{7}\r\n`".into() },
        };
        assert_eq!(e.to_string(), r"target: cannot be read: unknown variant `\u{7}\r\n`");
        // A value quoted with `{:?}` is escaped once, not twice.
        let e = ValidationError {
            field: "target".into(),
            problem: Problem::NotAllowed { allowed: vec!["production".into()], got: "\u{1b}".into() },
        };
        assert_eq!(e.to_string(), r#"target: must be one of production, got "\u{1b}""#);
    }
}
