//! What spec-diff reports: one [`Difference`] per line, of a [`Kind`], maybe covered by a
//! [`Declaration`] of ours; the whole [`Report`].

use std::fmt;

use super::DEVIATION_KEY;

/// What kind of difference a line reports.
///
/// ```
/// use generator::spec_diff::Kind;
/// assert_eq!(Kind::UpstreamOnly.to_string(), "upstream-only");
/// assert!(Kind::Drift.is_drift() && !Kind::Deliberate.is_drift());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Ours and upstream differ, and nothing of ours declares it.
    Drift,
    /// Ours and upstream differ where our spec declares a deliberate deviation.
    Deliberate,
    /// Upstream has an operation under one of our tags that our spec lacks.
    UpstreamOnly,
}

impl Kind {
    /// Whether this kind of difference is drift (makes the comparison fail).
    pub fn is_drift(self) -> bool {
        !matches!(self, Kind::Deliberate)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Drift => "drift",
            Kind::Deliberate => "deliberate",
            Kind::UpstreamOnly => "upstream-only",
        })
    }
}

/// Where our spec declares a deviation deliberate, and why.
///
/// ```
/// use generator::spec_diff::Declaration;
/// let d = Declaration { pointer: "/components/responses/Gone".into(), reason: "Typed.".into() };
/// assert_eq!(d.to_string(), "x-deliberate-deviation at #/components/responses/Gone: Typed.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// The JSON pointer of the object that carries the extension, in our spec.
    pub pointer: String,
    /// The extension's text, on one line (a list's items are joined with `; `).
    pub reason: String,
}

impl fmt::Display for Declaration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{DEVIATION_KEY} at #{}: {}", self.pointer, self.reason)
    }
}

/// One difference between our spec and upstream.
///
/// ```
/// use generator::spec_diff::{Difference, Kind};
/// let d = Difference {
///     kind: Kind::Drift,
///     operation: "invalidateByTags".into(),
///     message: "response 410 only in ours".into(),
///     ours: Some("/components/responses/Gone".into()),
///     upstream: Some("/paths/~1v1~1edge-cache~1invalidate-by-tags/post/responses".into()),
///     declared: None,
/// };
/// assert_eq!(
///     d.to_string(),
///     "drift: invalidateByTags: response 410 only in ours (ours #/components/responses/Gone, \
///      upstream #/paths/~1v1~1edge-cache~1invalidate-by-tags/post/responses)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Drift, deliberate, or an operation only upstream.
    pub kind: Kind,
    /// Our operation: its `operationId`, else `METHOD /path`. For [`Kind::UpstreamOnly`], the
    /// upstream operation as `METHOD /path (operationId)`.
    pub operation: String,
    /// What differs, such as `body property tags.oneOf[0].maxItems changed ours 16 -> upstream 20`.
    pub message: String,
    /// The JSON pointer in our spec, if the difference has a place there.
    pub ours: Option<String>,
    /// The JSON pointer in upstream, if the difference has a place there.
    pub upstream: Option<String>,
    /// For [`Kind::Deliberate`], the declaration that covers it.
    pub declared: Option<Declaration>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::UpstreamOnly => write!(f, "{}: {} {}", self.kind, self.operation, self.message)?,
            _ => write!(f, "{}: {}: {}", self.kind, self.operation, self.message)?,
        }
        let places: Vec<String> = [("ours", &self.ours), ("upstream", &self.upstream)]
            .into_iter()
            .filter_map(|(side, p)| p.as_ref().map(|p| format!("{side} #{p}")))
            .collect();
        if !places.is_empty() {
            write!(f, " ({})", places.join(", "))?;
        }
        if let Some(d) = &self.declared {
            write!(f, " [{d}]")?;
        }
        Ok(())
    }
}

/// Every difference found, in a stable order.
///
/// ```
/// let report = generator::spec_diff::Report::default();
/// assert!(!report.has_drift());
/// assert_eq!(report.exit_code(), 0);
/// assert_eq!(report.to_string(), "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The differences, one per output line.
    pub differences: Vec<Difference>,
}

impl Report {
    /// Whether any difference is drift: not declared deliberate, or an upstream-only operation.
    pub fn has_drift(&self) -> bool {
        self.differences.iter().any(|d| d.kind.is_drift())
    }

    /// The process exit code: 0 without drift (deliberate lines allowed), 1 with drift.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.has_drift())
    }

    /// How many differences are of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.differences.iter().filter(|d| d.kind == kind).count()
    }

    /// The output lines, one per difference.
    pub fn lines(&self) -> Vec<String> {
        self.differences.iter().map(ToString::to_string).collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.differences.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}
