//! Local `$ref`s: the generator's one resolver. Validation and spec-diff follow them through the
//! document tree with [`follow`]; the model, which works on openapiv3's typed document, looks
//! components up with [`component`]. Both read a reference the same way (`#/...`, a JSON pointer
//! with `%XX` escapes) and refuse the same things.

use serde_json::Value;

/// The most `$ref`s followed in a row before giving up (a cycle).
pub const MAX_HOPS: usize = 32;

/// Why a `$ref` could not be followed. `at` is the JSON pointer of the `$ref` (or, for a cycle,
/// of the last value reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// `$ref` is not a string.
    NotAString {
        /// Where.
        at: String,
    },
    /// The reference points outside this document.
    NotLocal {
        /// Where.
        at: String,
        /// The reference.
        reference: String,
    },
    /// The reference points at nothing.
    Dangling {
        /// Where.
        at: String,
        /// The reference.
        reference: String,
    },
    /// More than [`MAX_HOPS`] references in a row.
    TooMany {
        /// Where.
        at: String,
    },
}

impl RefError {
    /// The JSON pointer the problem is at.
    pub fn pointer(&self) -> &str {
        match self {
            RefError::NotAString { at } | RefError::TooMany { at } => at,
            RefError::NotLocal { at, .. } | RefError::Dangling { at, .. } => at,
        }
    }
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefError::NotAString { .. } => write!(f, "`$ref` must be a string"),
            RefError::NotLocal { reference, .. } => {
                write!(f, "`$ref: {reference}` points outside this file; only local references (`#/...`) are supported")
            }
            RefError::Dangling { reference, .. } => write!(f, "`$ref: {reference}` does not resolve"),
            RefError::TooMany { .. } => write!(f, "more than {MAX_HOPS} `$ref`s in a row (a cycle?)"),
        }
    }
}

/// The JSON pointer a local reference names (`#/a/b%20c` → `/a/b c`), if it is local.
pub fn pointer_of(reference: &str) -> Option<String> {
    reference.strip_prefix('#').map(percent_decode)
}

/// Follows `$ref`s from `v`, found at JSON pointer `ptr`, to the value they name and its
/// pointer. `visit` sees every value on the way, `v` and the last one included.
///
/// ```
/// use generator::refs::follow;
/// let tree = serde_json::json!({"a": {"$ref": "#/b"}, "b": {"type": "string"}});
/// let (v, at) = follow(&tree, &tree["a"], "/a".into(), |_, _| {}).unwrap();
/// assert_eq!((v, at.as_str()), (&tree["b"], "/b"));
/// ```
pub fn follow<'a>(
    tree: &'a Value,
    v: &'a Value,
    ptr: String,
    mut visit: impl FnMut(&'a Value, &str),
) -> Result<(&'a Value, String), RefError> {
    let (mut v, mut ptr) = (v, ptr);
    for _ in 0..MAX_HOPS {
        visit(v, &ptr);
        let Some(r) = v.get("$ref") else { return Ok((v, ptr)) };
        let at = format!("{ptr}/$ref");
        let Some(reference) = r.as_str() else { return Err(RefError::NotAString { at }) };
        let Some(target) = pointer_of(reference) else {
            return Err(RefError::NotLocal { at, reference: reference.to_string() });
        };
        let Some(next) = tree.pointer(&target) else {
            return Err(RefError::Dangling { at, reference: reference.to_string() });
        };
        (v, ptr) = (next, target);
    }
    Err(RefError::TooMany { at: ptr })
}

/// The name of the component of `kind` (`schemas`, `parameters`, ...) a reference names, if it
/// names one directly (`#/components/<kind>/<name>`).
///
/// ```
/// use generator::refs::component;
/// assert_eq!(component("#/components/schemas/Tags", "schemas").as_deref(), Some("Tags"));
/// assert_eq!(component("#/components/parameters/a~1b", "parameters").as_deref(), Some("a/b"));
/// assert_eq!(component("#/paths/x", "schemas"), None);
/// ```
pub fn component(reference: &str, kind: &str) -> Option<String> {
    let pointer = pointer_of(reference)?;
    let name = pointer.strip_prefix("/components/")?.strip_prefix(kind)?.strip_prefix('/')?;
    (!name.contains('/')).then(|| name.replace("~1", "/").replace("~0", "~"))
}

/// Decodes `%XX` escapes of a URI fragment; anything malformed is kept as it is.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}
