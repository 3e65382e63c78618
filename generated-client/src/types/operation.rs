//! The facts of an operation of the spec, as users see them: [`OperationInfo`], its [`Field`]s
//! and their [`Kind`] and [`Place`]. The sealed trait its marker type implements is
//! [`crate::operations::Operation`].

/// The facts of an operation: where it goes, the values it takes, and how selections are split.
///
/// ```
/// use vercel_edge_cache::EdgeCache;
/// for info in EdgeCache::operations() {
///     match info.batch_field {
///         Some(list) => println!("{} {} {}: {list} in requests of at most {}", info.method, info.path, info.operation_id, info.max_items),
///         None => println!("{} {} {}: one request", info.method, info.path, info.operation_id),
///     }
///     for field in info.fields {
///         println!("  {} ({:?}, {:?})", field.name, field.place, field.kind);
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path, relative to the base URL.
    pub path: &'static str,
    /// The spec's `summary`.
    pub summary: &'static str,
    /// The query parameters, in the order requests send them, then the body properties other
    /// than the batch field, in spec order.
    pub fields: &'static [Field],
    /// The body list a selection is split on; `None` for an operation that takes no selection
    /// (a call of it is one request).
    pub batch_field: Option<&'static str>,
    /// The fewest items one request carries (`minItems`; 0 without a batch field).
    pub min_items: usize,
    /// The most items one request carries (`maxItems`): selections are split into batches of it
    /// (0 without a batch field).
    pub max_items: usize,
    /// Whether the batch field also takes its items written as one string (a `oneOf` with a
    /// string alternative); the client always sends a list.
    pub text_form: bool,
    /// The separator of that string (`"a,b"`), when the spec gives it one
    /// (`x-edge-cache-split`).
    pub separator: Option<&'static str>,
    /// Whether the body may carry properties the spec does not list
    /// (`additionalProperties`).
    pub additional_properties: bool,
    /// Whether sending it twice does what sending it once does (`x-edge-cache-idempotent` in
    /// the spec): then 5xx, timeouts and resets are retried too, not only 429 and connections
    /// never made.
    pub idempotent: bool,
    /// Whether the spec marks the operation `deprecated` (its `EdgeCache` method is
    /// `#[deprecated]`, and the CLI warns).
    pub deprecated: bool,
}

impl OperationInfo {
    /// The field named `name` on the wire.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The required query parameters, then the required body properties: the positional
    /// arguments of the operation's [`EdgeCache`](crate::EdgeCache) method, in order (before
    /// the selection, if it takes one).
    pub fn required(&self) -> impl Iterator<Item = &'static Field> {
        self.fields.iter().filter(|f| f.required)
    }
}

/// A query parameter or a body property of an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Field {
    /// Its name on the wire, by which [`crate::DynPurge::set`] sets it.
    pub name: &'static str,
    /// Where it goes.
    pub place: Place,
    /// What it holds.
    pub kind: Kind,
    /// Whether every request must carry it.
    pub required: bool,
    /// Whether the client's [`Scope`](crate::Scope) gives it a default.
    pub in_scope: bool,
    /// The spec's description (its first paragraph).
    pub description: &'static str,
}

/// Where a field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Place {
    /// The path (`/v1/widgets/{id}`): an argument of the call.
    Path,
    /// The query string.
    Query,
    /// The JSON body.
    Body,
}

/// What a field holds: how it is set from text (the CLI, [`crate::DynPurge::set`]) and read
/// from JSON (the testing kit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A string.
    Text,
    /// One of these strings (an `enum`).
    OneOf(&'static [&'static str]),
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A list of strings (as text: comma-separated).
    TextList,
    /// Any other JSON value (a nested object, say): set through its typed setter only.
    Json,
}
