//! The shape of the spec tables that `cargo xtask codegen` writes into [`crate::spec`].
//!
//! Generated code stays declarative: each operation is an [`Operation`] value listing its path,
//! query parameters, request-body rules and statuses. The runtime interprets these tables (see
//! [`crate::validation`]), so a limit changed in the spec changes what the client enforces.

/// The constraints on one JSON value, as the spec states them.
///
/// ```
/// use vercel_edge_cache::schema::Schema;
/// let tags = vercel_edge_cache::spec::invalidate_by_tags::OPERATION.body_property("tags");
/// assert!(matches!(tags, Some(Schema::OneOf(_))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schema {
    /// A string.
    String {
        /// `minLength`, in characters.
        min_length: Option<u64>,
        /// `maxLength`, in characters.
        max_length: Option<u64>,
        /// `enum`: the allowed values; empty when any string is allowed.
        enumeration: &'static [&'static str],
    },
    /// An integer.
    Integer {
        /// `minimum`.
        minimum: Option<i64>,
        /// `maximum`.
        maximum: Option<i64>,
    },
    /// A number.
    Number {
        /// `minimum`.
        minimum: Option<f64>,
        /// `maximum`.
        maximum: Option<f64>,
    },
    /// A boolean.
    Boolean,
    /// A list.
    Array {
        /// `minItems`.
        min_items: Option<u64>,
        /// `maxItems`.
        max_items: Option<u64>,
        /// The rule for each item.
        items: &'static Schema,
    },
    /// An object.
    Object {
        /// The properties, in spec order.
        properties: &'static [Property],
        /// The names of the required properties.
        required: &'static [&'static str],
        /// Whether properties not listed are allowed.
        additional_properties: bool,
    },
    /// Exactly one of these.
    OneOf(&'static [Schema]),
    /// Any value.
    Any,
}

/// A named property of an object schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Property {
    /// The property's JSON name.
    pub name: &'static str,
    /// Its rules.
    pub schema: Schema,
}

/// A query parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryParam {
    /// Its name on the wire.
    pub name: &'static str,
    /// Whether it must be sent.
    pub required: bool,
    /// Its rules.
    pub schema: Schema,
}

/// One operation of the spec.
///
/// ```
/// use vercel_edge_cache::spec::invalidate_by_tags::OPERATION;
/// assert_eq!(OPERATION.operation_id, "invalidateByTags");
/// assert_eq!(OPERATION.method, "POST");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Operation {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path, relative to the base URL.
    pub path: &'static str,
    /// The spec's `summary`.
    pub summary: &'static str,
    /// Query parameters in spec order.
    pub query: &'static [QueryParam],
    /// The JSON request body's rules.
    pub body: Option<Schema>,
    /// Whether a body must be sent.
    pub body_required: bool,
    /// Documented success statuses.
    pub success_statuses: &'static [u16],
    /// Documented error statuses; their bodies carry Vercel's error object.
    pub error_statuses: &'static [u16],
    /// Whether every other status (the `default` response) carries the error object too.
    pub default_error: bool,
}

impl Operation {
    /// The rules of a body property, if the body has it.
    pub fn body_property(&self, name: &str) -> Option<&'static Schema> {
        match &self.body {
            Some(Schema::Object { properties, .. }) => properties.iter().find(|p| p.name == name).map(|p| &p.schema),
            _ => None,
        }
    }

    /// The rules of each item of the body list `name` (the list branch of a `oneOf`, if need be).
    pub fn list_item_schema(&self, name: &str) -> Option<&'static Schema> {
        let list = match self.body_property(name)? {
            s @ Schema::Array { .. } => s,
            Schema::OneOf(alts) => alts.iter().find(|s| matches!(s, Schema::Array { .. }))?,
            _ => return None,
        };
        match list {
            Schema::Array { items, .. } => Some(items),
            _ => None,
        }
    }

    /// Whether a status is documented to carry Vercel's error object.
    pub fn error_is_typed(&self, status: u16) -> bool {
        self.error_statuses.contains(&status) || (self.default_error && status >= 400)
    }
}
