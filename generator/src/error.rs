//! Errors of the generator: every one names the spec file and where in it the fault is.

use std::fmt;
use std::path::PathBuf;

/// Where in the spec a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Nowhere more precise than the file (it is empty, unreadable, too large, ...).
    File,
    /// A line and column (1-based), for YAML/JSON syntax and shape errors.
    LineCol { line: usize, column: usize },
    /// A JSON pointer into the document, and the operation it belongs to, if any (boxed, to
    /// keep `SpecError`, returned everywhere, small).
    Pointer { pointer: String, operation: Option<Box<OperationRef>> },
}

/// An operation named the way a maintainer finds it in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRef {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template, such as `/v1/edge-cache/invalidate-by-tags`.
    pub path: String,
    /// The operationId, when the operation has one.
    pub operation_id: Option<String>,
}

impl fmt::Display for OperationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(id) = &self.operation_id {
            write!(f, " (operationId `{id}`)")?;
        }
        Ok(())
    }
}

/// A problem with the spec, located in it.
///
/// ```
/// use generator::{SpecError, Location};
/// let e = SpecError::new("spec.yaml", Location::LineCol { line: 3, column: 7 }, "did not find expected key");
/// assert_eq!(e.to_string(), "spec.yaml:3:7: did not find expected key");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file, as the maintainer named it.
    pub file: PathBuf,
    /// Where in the file.
    pub location: Location,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl SpecError {
    /// A new error about `file` at `location`.
    pub fn new(file: impl Into<PathBuf>, location: Location, message: impl Into<String>) -> Self {
        Self { file: file.into(), location, message: message.into() }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match &self.location {
            Location::File => write!(f, "{file}: {}", self.message),
            Location::LineCol { line, column } => write!(f, "{file}:{line}:{column}: {}", self.message),
            Location::Pointer { pointer, operation: Some(op) } => {
                write!(f, "{file}: at #{pointer} in {op}: {}", self.message)
            }
            Location::Pointer { pointer, operation: None } => {
                write!(f, "{file}: at #{pointer}: {}", self.message)
            }
        }
    }
}

impl std::error::Error for SpecError {}

/// Everything that can stop code generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec is missing, unreadable or invalid. Nothing was written.
    #[error("{0}")]
    Spec(#[from] SpecError),
    /// One or more problems found while validating the spec. Nothing was written.
    #[error("{}", render_many(.0))]
    SpecMany(Vec<SpecError>),
    /// An output file could not be read, written or renamed into place.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn render_many(errors: &[SpecError]) -> String {
    let mut out = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&e.to_string());
    }
    out
}

impl Error {
    /// The located spec errors inside, if this is a spec problem.
    pub fn spec_errors(&self) -> Vec<&SpecError> {
        match self {
            Error::Spec(e) => vec![e],
            Error::SpecMany(v) => v.iter().collect(),
            Error::Io { .. } => vec![],
        }
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub(crate) fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from segments.
pub(crate) fn pointer<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for s in segments {
        out.push('/');
        out.push_str(&escape_segment(s.as_ref()));
    }
    out
}
