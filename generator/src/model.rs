//! The spec reduced to what the generated layers need: operations, their query parameters, the
//! request-body rules (every constraint, with `$ref`s resolved), the batch field, the CLI mapping
//! and auth.
//!
//! Spec problems found here are all collected, each located, before generation stops.

use std::path::Path;

use openapiv3::{
    OpenAPI, Operation as OaOperation, Parameter, ReferenceOr, RequestBody, Schema, SchemaKind, SecurityScheme, Type,
};

use crate::error::{Location, OperationRef, SpecError, pointer};

/// The operation extension that names the body list a selection is split on.
pub const BATCH_EXTENSION: &str = "x-edge-cache-batch";
/// The operation extension that declares it idempotent (so the client may retry it after a
/// failure that may have reached the server).
pub const IDEMPOTENT_EXTENSION: &str = "x-edge-cache-idempotent";
/// The string-schema extension that makes a string the written form of a list: the separator
/// between its items (`x-edge-cache-split: ','`). On the string alternative of a batch field, it
/// tells the mock server how to read the items of a request that sends that form.
pub const SPLIT_EXTENSION: &str = "x-edge-cache-split";
/// The query-parameter extension that gives it a shorter Rust name where its wire name is
/// long-winded (`projectIdOrName` → `project`): the field of the mock's `RecordedPurge` and the
/// argument of the high-level call.
pub const NAME_EXTENSION: &str = "x-edge-cache-name";

/// The API, as the generated layers describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// The first server's URL.
    pub default_base_url: Option<String>,
    /// The authentication every operation uses.
    pub auth: Option<Auth>,
    /// The operations, in spec order.
    pub operations: Vec<Operation>,
    /// The document's CLI commands and selections (`x-edge-cache-cli`).
    pub cli: crate::cli_map::CliConfig,
}

/// How requests authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `type: http, scheme: bearer`: `Authorization: Bearer <token>`.
    Bearer {
        /// The security scheme's name in `components/securitySchemes`.
        scheme: String,
    },
    /// `type: apiKey, in: header`: `<header>: <token>`.
    ApiKeyHeader {
        /// The security scheme's name.
        scheme: String,
        /// The header's name.
        header: String,
    },
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// `summary`, if any.
    pub summary: Option<String>,
    /// `description`, if any.
    pub description: Option<String>,
    /// Query parameters in spec order.
    pub query: Vec<QueryParam>,
    /// Path parameters in spec order (each required): arguments of the high-level call.
    pub path_params: Vec<QueryParam>,
    /// Header and cookie parameters (the high-level call does not take them).
    pub other_params: Vec<String>,
    /// The JSON request body's rules, if the operation has a body.
    pub body: Option<Rule>,
    /// The component schema the body refers to (`$ref: '#/components/schemas/X'`), when it
    /// is not written inline: progenitor names the body's type after it.
    pub body_component: Option<String>,
    /// Whether the body is required.
    pub body_required: bool,
    /// The body list that large selections are split on (see [`find_batch`]).
    pub batch: Option<Batch>,
    /// The CLI command and selection the operation is reached by, if it declares one.
    pub cli: Option<crate::cli_map::CliMapping>,
    /// Whether the spec declares it idempotent (`x-edge-cache-idempotent: true`).
    pub idempotent: bool,
    /// Whether the spec marks it `deprecated`.
    pub deprecated: bool,
    /// The JSON body of its successful answer, if it has one.
    pub success: Option<crate::response::SuccessBody>,
}

impl Operation {
    /// Where the operation is, for errors.
    pub fn location(&self) -> Location {
        Location::Pointer {
            pointer: pointer(["paths", self.path.as_str(), &self.method.to_lowercase()]),
            operation: Some(Box::new(OperationRef {
                method: self.method.clone(),
                path: self.path.clone(),
                operation_id: Some(self.id.clone()),
            })),
        }
    }

    /// The body's top-level properties (empty without an object body).
    pub fn body_properties(&self) -> &[Property] {
        match &self.body {
            Some(Rule::Object { properties, .. }) => properties,
            _ => &[],
        }
    }

    /// Why the operation gets no high-level call (`EdgeCache::<operation>`), if it does not:
    /// the one rule, used by the layer and by the CLI mapping's checks.
    pub fn high_level_call(&self) -> Result<(), String> {
        if !self.other_params.is_empty() {
            return Err(format!("it has header or cookie parameters ({})", self.other_params.join(", ")));
        }
        if self.query.iter().chain(&self.path_params).any(|q| !q.rule.is_scalar()) {
            return Err("a query or path parameter is not a string, integer, number or boolean".into());
        }
        match &self.body {
            None if self.body_required => return Err("its required request body is not JSON".into()),
            None | Some(Rule::Object { .. }) => {}
            Some(_) => return Err("its body is not an object".into()),
        }
        let batch = self.batch.as_ref().map(|b| b.field.as_str());
        for p in self.body_properties().iter().filter(|p| Some(p.name.as_str()) != batch) {
            let checked = match &p.rule {
                Rule::String { .. } | Rule::Integer { .. } | Rule::Number { .. } | Rule::Boolean => true,
                Rule::Array { items, .. } => matches!(**items, Rule::String { .. }),
                other => !other.has_constraints(),
            };
            if !checked {
                return Err(format!(
                    "its property `{}` has constraints that the generated checks do not cover",
                    p.name
                ));
            }
            if self.body_requires(&p.name) && !p.rule.is_scalar() {
                return Err(format!(
                    "its required property `{}` is not a string, integer, number or boolean (required properties are the call's arguments)",
                    p.name
                ));
            }
        }
        Ok(())
    }

    /// Whether the body requires the property.
    pub fn body_requires(&self, name: &str) -> bool {
        matches!(&self.body, Some(Rule::Object { required, .. }) if required.iter().any(|r| r == name))
    }
}

/// A query parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryParam {
    /// Its name on the wire.
    pub name: String,
    /// Whether it must be sent.
    pub required: bool,
    /// Its rules.
    pub rule: Rule,
    /// Its description.
    pub description: Option<String>,
    /// Its Rust name (`x-edge-cache-name`), else its wire name in snake case.
    pub rust_name: String,
}

/// A body list whose items large selections are split into batches of.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The body property.
    pub field: String,
    /// The fewest items a request accepts.
    pub min_items: u64,
    /// The most items a request accepts.
    pub max_items: u64,
    /// The rule of each item (a string rule).
    pub item: Rule,
    /// The rule of the field's string form, when it is a `oneOf` with a string alternative (its
    /// `separator`, from `x-edge-cache-split`, says how the string lists the items).
    pub text: Option<Rule>,
}

/// A named property of an object rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The JSON name.
    pub name: String,
    /// Its rules.
    pub rule: Rule,
    /// Its description (the property's, or else its schema's).
    pub description: Option<String>,
}

/// A string's `pattern` of the form `^[^…]*$`: the characters the value must not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// The pattern, as the spec writes it.
    pub pattern: String,
    /// The characters it excludes, as inclusive ranges.
    pub ranges: Vec<(char, char)>,
}

/// The constraints on one JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A string.
    String {
        /// `minLength`.
        min_length: Option<u64>,
        /// `maxLength`.
        max_length: Option<u64>,
        /// `enum` values.
        enumeration: Vec<String>,
        /// The separator, when the string is the written form of a list (`x-edge-cache-split`).
        separator: Option<String>,
        /// `pattern`, of the one form the checks enforce: characters the value must not hold.
        excluded: Option<Excluded>,
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
        items: Box<Rule>,
    },
    /// An object.
    Object {
        /// Properties in spec order.
        properties: Vec<Property>,
        /// Required property names.
        required: Vec<String>,
        /// Whether other properties are allowed.
        additional: bool,
    },
    /// Exactly one of these.
    OneOf(Vec<Rule>),
    /// Anything.
    Any,
}

impl Rule {
    /// Whether the value is a string, an integer, a number or a boolean.
    pub fn is_scalar(&self) -> bool {
        matches!(self, Rule::String { .. } | Rule::Integer { .. } | Rule::Number { .. } | Rule::Boolean)
    }

    /// Whether the rule, or one inside it, constrains the value (beyond its type).
    pub fn has_constraints(&self) -> bool {
        match self {
            Rule::String { min_length, max_length, enumeration, excluded, .. } => {
                min_length.is_some() || max_length.is_some() || !enumeration.is_empty() || excluded.is_some()
            }
            Rule::Integer { minimum, maximum } => minimum.is_some() || maximum.is_some(),
            Rule::Number { minimum, maximum } => minimum.is_some() || maximum.is_some(),
            Rule::Boolean | Rule::Any => false,
            Rule::Array { min_items, max_items, items } => {
                min_items.is_some() || max_items.is_some() || items.has_constraints()
            }
            Rule::Object { properties, required, additional } => {
                !required.is_empty() || !additional || properties.iter().any(|p| p.rule.has_constraints())
            }
            Rule::OneOf(_) => true,
        }
    }

    /// The list rule of a list, or of the list alternative of a `oneOf`.
    pub fn list(&self) -> Option<&Rule> {
        match self {
            Rule::Array { .. } => Some(self),
            Rule::OneOf(alts) => alts.iter().find(|r| matches!(r, Rule::Array { .. })),
            _ => None,
        }
    }
}

struct Ctx<'a> {
    file: &'a Path,
    api: &'a OpenAPI,
    op: Option<Box<OperationRef>>,
    /// The component schemas being reduced, outermost first, to refuse `$ref` cycles.
    refs: std::cell::RefCell<Vec<String>>,
}

impl Ctx<'_> {
    fn err(&self, segments: &[&str], msg: impl Into<String>) -> SpecError {
        SpecError::new(self.file, Location::Pointer { pointer: pointer(segments), operation: self.op.clone() }, msg)
    }
}

/// Reduces a validated spec to the model, and every problem found, each located; the model
/// holds the operations that could be reduced, so that later checks see them too.
pub fn build(file: &Path, api: &OpenAPI) -> (Api, Vec<SpecError>) {
    let mut cx = Ctx { file, api, op: None, refs: std::cell::RefCell::new(Vec::new()) };
    let mut errors = Vec::new();
    let auth = build_auth(&cx).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let cli = crate::cli_map::config(file, &api.extensions).unwrap_or_else(|e| {
        errors.extend(e);
        Default::default()
    });
    let mut operations = Vec::new();
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else {
            errors.push(cx.err(&["paths", path], "path items given by `$ref` are not supported"));
            continue;
        };
        for (method, op) in item.iter() {
            cx.op = Some(Box::new(OperationRef {
                method: method.to_uppercase(),
                path: path.clone(),
                operation_id: op.operation_id.clone(),
            }));
            match build_operation(&cx, path, method, op, &item.parameters) {
                Ok(op) => operations.push(op),
                Err(e) => errors.push(e),
            }
        }
    }
    let model = Api {
        default_base_url: api.servers.first().map(|s| s.url.trim_end_matches('/').to_string()),
        auth,
        operations,
        cli,
    };
    (model, errors)
}

/// The scheme requests authenticate with: the document's `security`, else the one its operations
/// name (Vercel's published description names it on each operation, not on the document). The
/// client sends one credential, so operations that name different schemes are refused.
fn build_auth(cx: &Ctx) -> Result<Option<Auth>, SpecError> {
    let first_scheme = |security: &Option<Vec<openapiv3::SecurityRequirement>>| {
        security.as_ref().and_then(|s| s.first()).and_then(|req| req.keys().next().cloned())
    };
    let (name, at) = match first_scheme(&cx.api.security) {
        Some(name) => (name, vec!["security".to_string(), "0".into()]),
        None => {
            let mut named: Option<(String, Vec<String>)> = None;
            for (path, item) in &cx.api.paths.paths {
                let ReferenceOr::Item(item) = item else { continue };
                for (method, op) in item.iter() {
                    let Some(scheme) = first_scheme(&op.security) else { continue };
                    let here =
                        vec!["paths".to_string(), path.clone(), method.to_string(), "security".into(), "0".into()];
                    match &named {
                        None => named = Some((scheme, here)),
                        Some((first, _)) if *first == scheme => {}
                        Some((first, _)) => {
                            let here: Vec<&str> = here.iter().map(String::as_str).collect();
                            return Err(cx.err(
                                &here,
                                format!("operations name different security schemes (`{first}`, `{scheme}`); the client sends one credential, so name one on the document"),
                            ));
                        }
                    }
                }
            }
            match named {
                Some(found) => found,
                None => return Ok(None),
            }
        }
    };
    let name = &name;
    let at: Vec<&str> = at.iter().map(String::as_str).collect();
    let schemes = cx.api.components.as_ref().map(|c| &c.security_schemes);
    let Some(scheme) = schemes.and_then(|s| s.get(name)) else {
        return Err(cx.err(
            &[&at[..], &[name.as_str()]].concat(),
            format!("security scheme `{name}` is not defined in components/securitySchemes"),
        ));
    };
    let ReferenceOr::Item(scheme) = scheme else {
        return Err(
            cx.err(&["components", "securitySchemes", name], "a security scheme given by `$ref` is not supported")
        );
    };
    match scheme {
        SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(Some(Auth::Bearer { scheme: name.clone() }))
        }
        SecurityScheme::APIKey { location: openapiv3::APIKeyLocation::Header, name: header, .. } => {
            Ok(Some(Auth::ApiKeyHeader { scheme: name.clone(), header: header.clone() }))
        }
        _ => Err(cx.err(
            &["components", "securitySchemes", name],
            "only `type: http, scheme: bearer` and `type: apiKey, in: header` are supported",
        )),
    }
}

/// Reduces one operation; the first problem found stops it.
fn build_operation(
    cx: &Ctx,
    path: &str,
    method: &str,
    op: &OaOperation,
    shared: &[ReferenceOr<Parameter>],
) -> Result<Operation, SpecError> {
    let at = ["paths", path, method];
    let id = op.operation_id.clone().ok_or_else(|| cx.err(&at, "the operation has no operationId"))?;
    let (query, path_params, other_params) = parameters(cx, &at, op, shared)?;
    let RequestBodyRules { body, body_component, body_required } = request_body(cx, &at, op)?;
    let batch = batch(cx, &at, op, body.as_ref())?;
    let cli = crate::cli_map::mapping(cx.file, &op.extensions, &at)?;
    let idempotent = idempotent(cx, &at, op)?;
    Ok(Operation {
        id,
        method: method.to_uppercase(),
        path: path.to_string(),
        summary: op.summary.clone(),
        description: op.description.clone(),
        query,
        path_params,
        other_params,
        body,
        body_component,
        body_required,
        batch,
        cli,
        idempotent,
        deprecated: op.deprecated,
        success: crate::response::success_body(cx.api, op),
    })
}

/// The operation's parameters, the path item's (`shared`) first: its query and path parameters
/// ([`query_param`]), and the names of the others (header and cookie parameters).
#[allow(clippy::type_complexity)]
fn parameters(
    cx: &Ctx,
    at: &[&str],
    op: &OaOperation,
    shared: &[ReferenceOr<Parameter>],
) -> Result<(Vec<QueryParam>, Vec<QueryParam>, Vec<String>), SpecError> {
    let mut query = Vec::new();
    let mut path = Vec::new();
    let mut other_params = Vec::new();
    for (i, p) in shared.iter().chain(op.parameters.iter()).enumerate() {
        let idx = i.to_string();
        let (param, ptr) = resolve_parameter(cx, p, &[at, &["parameters", &idx]].concat())?;
        let ptr: Vec<&str> = ptr.iter().map(String::as_str).collect();
        match param {
            Parameter::Query { parameter_data, .. } => query.push(query_param(cx, parameter_data, &ptr)?),
            Parameter::Path { parameter_data, .. } => {
                let mut p = query_param(cx, parameter_data, &ptr)?;
                p.required = true;
                path.push(p);
            }
            _ => other_params.push(param.parameter_data_ref().name.clone()),
        }
    }
    Ok((query, path, other_params))
}

/// A query parameter (`ptr` is where it is declared): its schema's rules (anything, when it is
/// described by `content`) and its Rust name (`x-edge-cache-name`, else its wire name's).
fn query_param(cx: &Ctx, parameter_data: &openapiv3::ParameterData, ptr: &[&str]) -> Result<QueryParam, SpecError> {
    let rule = match &parameter_data.format {
        openapiv3::ParameterSchemaOrContent::Schema(s) => schema_rule(cx, s, &[ptr, &["schema"]].concat(), 0)?,
        openapiv3::ParameterSchemaOrContent::Content(_) => Rule::Any,
    };
    let rust_name = match parameter_data.extensions.get(NAME_EXTENSION) {
        None => crate::names::rust_name(&parameter_data.name, crate::names::Case::Snake),
        Some(serde_json::Value::String(name)) if !name.is_empty() => name.clone(),
        Some(_) => return Err(cx.err(&[ptr, &[NAME_EXTENSION]].concat(), "must be a name (a string)")),
    };
    Ok(QueryParam {
        name: parameter_data.name.clone(),
        required: parameter_data.required,
        rule,
        description: parameter_data.description.clone(),
        rust_name,
    })
}

/// What an operation's request body gives its [`Operation`].
struct RequestBodyRules {
    /// The JSON body's rules (none without a body, or without a JSON one).
    body: Option<Rule>,
    /// The component schema the JSON body's schema refers to, if it is a `$ref`.
    body_component: Option<String>,
    /// Whether the body is required.
    body_required: bool,
}

/// The rules of the operation's request body, from its `application/json` schema.
fn request_body(cx: &Ctx, at: &[&str], op: &OaOperation) -> Result<RequestBodyRules, SpecError> {
    let Some(rb) = &op.request_body else {
        return Ok(RequestBodyRules { body: None, body_component: None, body_required: false });
    };
    let (rb, ptr) = resolve_request_body(cx, rb, &[at, &["requestBody"]].concat())?;
    let ptr: Vec<&str> = ptr.iter().map(String::as_str).collect();
    let mut body_component = None;
    let body = match rb.content.get("application/json") {
        Some(media) => match &media.schema {
            Some(s) => {
                if let ReferenceOr::Reference { reference } = s {
                    body_component = crate::refs::component(reference, "schemas");
                }
                Some(schema_rule(cx, s, &[&ptr[..], &["content", "application/json", "schema"]].concat(), 0)?)
            }
            None => {
                return Err(cx.err(
                    &[&ptr[..], &["content", "application/json"]].concat(),
                    "the JSON request body has no schema",
                ));
            }
        },
        None => None,
    };
    Ok(RequestBodyRules { body, body_component, body_required: rb.required })
}

/// The operation's batch field: the body property `x-edge-cache-batch` names, which must be one
/// ([`batch_of`]), else the one [`find_batch`] finds.
fn batch(cx: &Ctx, at: &[&str], op: &OaOperation, body: Option<&Rule>) -> Result<Option<Batch>, SpecError> {
    let declared = match op.extensions.get(BATCH_EXTENSION) {
        None => None,
        Some(serde_json::Value::String(field)) => Some(field.as_str()),
        Some(_) => {
            return Err(cx.err(&[at, &[BATCH_EXTENSION]].concat(), "must be the name of a request-body property"));
        }
    };
    Ok(match (declared, body) {
        (Some(field), body) => Some(body.and_then(|b| batch_of(b, field)).ok_or_else(|| {
            cx.err(
                &[at, &[BATCH_EXTENSION]].concat(),
                format!(
                    "`{field}` is not a required request-body property that is a list of strings with `maxItems` (or a `oneOf` with one)"
                ),
            )
        })?),
        (None, Some(body)) => find_batch(body),
        (None, None) => None,
    })
}

/// Whether the operation declares itself idempotent (`x-edge-cache-idempotent`, true or false).
fn idempotent(cx: &Ctx, at: &[&str], op: &OaOperation) -> Result<bool, SpecError> {
    match op.extensions.get(IDEMPOTENT_EXTENSION) {
        None => Ok(false),
        Some(serde_json::Value::Bool(b)) => Ok(*b),
        Some(_) => Err(cx.err(&[at, &[IDEMPOTENT_EXTENSION]].concat(), "must be true or false")),
    }
}

/// The batch field of a body, when the operation does not declare one with
/// `x-edge-cache-batch`: the one required top-level property that is a list of strings with
/// `maxItems`, or a `oneOf` with such a list among its alternatives. None, or several, and the
/// operation has no high-level call (its low-level builder is still in `api`).
pub fn find_batch(body: &Rule) -> Option<Batch> {
    let Rule::Object { properties, .. } = body else { return None };
    let mut found = properties.iter().filter_map(|p| batch_of(body, &p.name));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// `field` as a batch field of `body`, if it is one.
fn batch_of(body: &Rule, field: &str) -> Option<Batch> {
    let Rule::Object { properties, required, .. } = body else { return None };
    if !required.iter().any(|r| r == field) {
        return None;
    }
    let property = properties.iter().find(|p| p.name == field)?;
    match property.rule.list()? {
        Rule::Array { max_items: Some(max), min_items, items } if matches!(**items, Rule::String { .. }) => {
            let text = match &property.rule {
                Rule::OneOf(alts) => alts.iter().find(|r| matches!(r, Rule::String { .. })).cloned(),
                _ => None,
            };
            Some(Batch {
                field: field.to_string(),
                min_items: min_items.unwrap_or(0),
                max_items: *max,
                item: (**items).clone(),
                text,
            })
        }
        _ => None,
    }
}

fn resolve_parameter<'a>(
    cx: &Ctx<'a>,
    p: &'a ReferenceOr<Parameter>,
    at: &[&str],
) -> Result<(&'a Parameter, Vec<String>), SpecError> {
    component(cx, p, "parameters", |c| &c.parameters, at)
}

fn resolve_request_body<'a>(
    cx: &Ctx<'a>,
    rb: &'a ReferenceOr<RequestBody>,
    at: &[&str],
) -> Result<(&'a RequestBody, Vec<String>), SpecError> {
    component(cx, rb, "requestBodies", |c| &c.request_bodies, at)
}

/// The item, or the component of `kind` its `$ref` names ([`crate::refs::component`]), with
/// the segments of its pointer. One hop: a component that is itself a `$ref` is refused.
fn component<'a, T>(
    cx: &Ctx<'a>,
    item: &'a ReferenceOr<T>,
    kind: &str,
    table: impl Fn(&'a openapiv3::Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
    at: &[&str],
) -> Result<(&'a T, Vec<String>), SpecError> {
    let reference = match item {
        ReferenceOr::Item(t) => return Ok((t, at.iter().map(|s| s.to_string()).collect())),
        ReferenceOr::Reference { reference } => reference,
    };
    let name = crate::refs::component(reference, kind)
        .ok_or_else(|| cx.err(at, format!("`$ref: {reference}` must point into #/components/{kind}")))?;
    match cx.api.components.as_ref().and_then(|c| table(c).get(&name)) {
        Some(ReferenceOr::Item(t)) => Ok((t, vec!["components".into(), kind.into(), name])),
        Some(ReferenceOr::Reference { .. }) => {
            Err(cx.err(at, format!("`$ref: {reference}` points at another `$ref`; chains are not supported")))
        }
        None => Err(cx.err(at, format!("`$ref: {reference}` does not resolve"))),
    }
}

const MAX_REF_DEPTH: usize = 32;

/// The rules of a schema, inline or through a `$ref` into `components/schemas`: no `$ref` cycle,
/// and nested at most [`MAX_REF_DEPTH`] deep (`depth` is how deep it is).
fn schema_rule<S: std::borrow::Borrow<Schema>>(
    cx: &Ctx,
    s: &ReferenceOr<S>,
    at: &[&str],
    depth: usize,
) -> Result<Rule, SpecError> {
    if depth > MAX_REF_DEPTH {
        return Err(cx.err(at, "schema references nest too deeply (a `$ref` cycle?)"));
    }
    match s {
        ReferenceOr::Reference { reference } => {
            let name = crate::refs::component(reference, "schemas")
                .ok_or_else(|| cx.err(at, format!("`$ref: {reference}` must point into #/components/schemas")))?;
            let name = name.as_str();
            let target = cx
                .api
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(name))
                .ok_or_else(|| cx.err(at, format!("`$ref: {reference}` does not resolve")))?;
            let cycle = {
                let refs = cx.refs.borrow();
                refs.iter().position(|r| r == name).map(|i| {
                    let mut chain: Vec<&str> = refs[i..].iter().map(String::as_str).collect();
                    chain.push(name);
                    chain.join(" → ")
                })
            };
            if let Some(chain) = cycle {
                return Err(cx.err(
                    at,
                    format!("schema `{name}` refers to itself through `$ref` ({chain}); request schemas cannot be recursive, the generated tables could not hold them"),
                ));
            }
            cx.refs.borrow_mut().push(name.to_string());
            let rule = schema_rule(cx, target, &["components", "schemas", name], depth + 1);
            cx.refs.borrow_mut().pop();
            rule
        }
        ReferenceOr::Item(schema) => schema_item_rule(cx, schema.borrow(), at, depth),
    }
}

/// The error for a keyword (`what`) in a request schema that the generated checks do not enforce.
fn unsupported(cx: &Ctx, at: &[&str], what: &str) -> SpecError {
    cx.err(at, format!("`{what}` is not supported in request schemas: the generated client could not enforce it"))
}

/// The rules of an inline schema, by its kind; `at` is where it is, `depth` how deep it is nested.
fn schema_item_rule(cx: &Ctx, schema: &Schema, at: &[&str], depth: usize) -> Result<Rule, SpecError> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(t)) => string_rule(cx, schema, t, at),
        SchemaKind::Type(Type::Integer(t)) => integer_rule(cx, t, at),
        SchemaKind::Type(Type::Number(t)) => number_rule(cx, t, at),
        SchemaKind::Type(Type::Boolean(_)) => Ok(Rule::Boolean),
        SchemaKind::Type(Type::Array(t)) => array_rule(cx, t, at, depth),
        SchemaKind::Type(Type::Object(t)) => object_rule(cx, t, at, depth),
        SchemaKind::OneOf { one_of } => one_of_rule(cx, one_of, at, depth),
        SchemaKind::AllOf { .. } => Err(unsupported(cx, at, "allOf")),
        SchemaKind::AnyOf { .. } => Err(unsupported(cx, at, "anyOf")),
        SchemaKind::Not { .. } => Err(unsupported(cx, at, "not")),
        SchemaKind::Any(_) => Ok(Rule::Any),
    }
}

/// A string's rules: its lengths, `enum` values (no `null`), separator (`x-edge-cache-split`)
/// and `pattern`, of the one form the checks enforce (`^[^…]*$`).
fn string_rule(cx: &Ctx, schema: &Schema, t: &openapiv3::StringType, at: &[&str]) -> Result<Rule, SpecError> {
    let excluded = match &t.pattern {
        None => None,
        Some(pattern) => Some(Excluded {
            ranges: excluded_chars(pattern).map_err(|why| cx.err(&[at, &["pattern"]].concat(), why))?,
            pattern: pattern.clone(),
        }),
    };
    let mut enumeration = Vec::new();
    for v in &t.enumeration {
        match v {
            Some(v) => enumeration.push(v.clone()),
            None => return Err(cx.err(at, "`null` in a string `enum` is not supported")),
        }
    }
    ordered(cx, at, ("minLength", t.min_length), ("maxLength", t.max_length))?;
    let separator = match schema.schema_data.extensions.get(SPLIT_EXTENSION) {
        None => None,
        Some(serde_json::Value::String(sep)) if !sep.is_empty() => Some(sep.clone()),
        Some(_) => {
            return Err(cx.err(&[at, &[SPLIT_EXTENSION]].concat(), "must be a non-empty string (the separator)"));
        }
    };
    Ok(Rule::String {
        min_length: t.min_length.map(|v| v as u64),
        max_length: t.max_length.map(|v| v as u64),
        enumeration,
        separator,
        excluded,
    })
}

/// The characters a `pattern` of the form `^[^…]*$` excludes, as inclusive ranges: literal
/// characters, ranges (`a-z`), and the escapes `\xHH`, `\uHHHH`, `\t`, `\n`, `\r` and of `\`,
/// `]`, `-`, `^`. Any other pattern is refused, saying what is supported.
pub fn excluded_chars(pattern: &str) -> Result<Vec<(char, char)>, String> {
    let supported = "only a pattern of characters a value must not hold is supported, `^[^…]*$` \
                     (such as '^[^,\\x00-\\x1F]*$'); for a value that must not be empty, add minLength: 1";
    let class = pattern
        .strip_prefix("^[^")
        .and_then(|p| p.strip_suffix("]*$"))
        .ok_or_else(|| format!("{pattern:?}: {supported}"))?;
    let mut chars = class.chars().peekable();
    let one = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| -> Result<Option<char>, String> {
        let Some(c) = chars.next() else { return Ok(None) };
        if c == ']' || c == '[' {
            return Err(format!("{pattern:?}: `{c}` must be escaped in the class; {supported}"));
        }
        if c != '\\' {
            return Ok(Some(c));
        }
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| -> Result<char, String> {
            let digits: String = chars.by_ref().take(n).collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .filter(|_| digits.len() == n && digits.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(char::from_u32)
                .ok_or_else(|| format!("{pattern:?}: a bad escape `{digits}`; {supported}"))
        };
        match chars.next() {
            Some('x') => hex(chars, 2).map(Some),
            Some('u') => hex(chars, 4).map(Some),
            Some('t') => Ok(Some('\t')),
            Some('n') => Ok(Some('\n')),
            Some('r') => Ok(Some('\r')),
            Some(c @ ('\\' | ']' | '[' | '-' | '^' | '/' | '.')) => Ok(Some(c)),
            Some(c) => Err(format!("{pattern:?}: the escape `\\{c}` is not supported; {supported}")),
            None => Err(format!("{pattern:?}: it ends with `\\`; {supported}")),
        }
    };
    let mut ranges = Vec::new();
    while let Some(lo) = one(&mut chars)? {
        let hi = if chars.peek() == Some(&'-') && chars.clone().nth(1).is_some() {
            chars.next();
            one(&mut chars)?.unwrap_or(lo)
        } else {
            lo
        };
        if hi < lo {
            return Err(format!("{pattern:?}: the range {lo:?}-{hi:?} is backwards"));
        }
        ranges.push((lo, hi));
    }
    if ranges.is_empty() {
        return Err(format!("{pattern:?}: the class excludes nothing; {supported}"));
    }
    Ok(ranges)
}

/// An integer's rules: its bounds; exclusive bounds, `multipleOf` and `enum` are refused.
fn integer_rule(cx: &Ctx, t: &openapiv3::IntegerType, at: &[&str]) -> Result<Rule, SpecError> {
    numeric_unsupported(cx, at, t.exclusive_minimum || t.exclusive_maximum, t.multiple_of.is_some())?;
    if !t.enumeration.is_empty() {
        return Err(unsupported(cx, at, "enum (on an integer)"));
    }
    ordered(cx, at, ("minimum", t.minimum), ("maximum", t.maximum))?;
    Ok(Rule::Integer { minimum: t.minimum, maximum: t.maximum })
}

/// A number's rules: its bounds; exclusive bounds and `multipleOf` are refused.
fn number_rule(cx: &Ctx, t: &openapiv3::NumberType, at: &[&str]) -> Result<Rule, SpecError> {
    numeric_unsupported(cx, at, t.exclusive_minimum || t.exclusive_maximum, t.multiple_of.is_some())?;
    ordered(cx, at, ("minimum", t.minimum), ("maximum", t.maximum))?;
    Ok(Rule::Number { minimum: t.minimum, maximum: t.maximum })
}

/// Refuses what the generated checks of an integer or a number do not enforce: an exclusive
/// bound (`exclusive`), then `multipleOf` (`multiple_of`).
fn numeric_unsupported(cx: &Ctx, at: &[&str], exclusive: bool, multiple_of: bool) -> Result<(), SpecError> {
    if exclusive {
        return Err(unsupported(cx, at, "exclusiveMinimum/exclusiveMaximum"));
    }
    if multiple_of {
        return Err(unsupported(cx, at, "multipleOf"));
    }
    Ok(())
}

/// Refuses a lower bound above its upper bound: `(name, value)` of each, such as
/// `("minLength", Some(5))` and `("maxLength", Some(3))`.
fn ordered<T: PartialOrd + std::fmt::Display>(
    cx: &Ctx,
    at: &[&str],
    (lo_name, lo): (&str, Option<T>),
    (hi_name, hi): (&str, Option<T>),
) -> Result<(), SpecError> {
    match (lo, hi) {
        (Some(lo), Some(hi)) if lo > hi => Err(cx.err(at, format!("{lo_name} {lo} is greater than {hi_name} {hi}"))),
        _ => Ok(()),
    }
}

/// A list's rules: its item counts and the rules of its items (anything without `items`);
/// `uniqueItems` is refused.
fn array_rule(cx: &Ctx, t: &openapiv3::ArrayType, at: &[&str], depth: usize) -> Result<Rule, SpecError> {
    if t.unique_items {
        return Err(unsupported(cx, at, "uniqueItems"));
    }
    ordered(cx, at, ("minItems", t.min_items), ("maxItems", t.max_items))?;
    let items = match &t.items {
        Some(items) => schema_rule(cx, items, &[at, &["items"]].concat(), depth + 1)?,
        None => Rule::Any,
    };
    Ok(Rule::Array {
        min_items: t.min_items.map(|v| v as u64),
        max_items: t.max_items.map(|v| v as u64),
        items: Box::new(items),
    })
}

/// An object's rules: its properties' (in spec order), the required ones (each among the
/// properties) and whether others are allowed; `additionalProperties` with a schema is refused.
fn object_rule(cx: &Ctx, t: &openapiv3::ObjectType, at: &[&str], depth: usize) -> Result<Rule, SpecError> {
    let mut properties = Vec::new();
    for (name, p) in &t.properties {
        let rule = schema_rule(cx, p, &[at, &["properties", name]].concat(), depth + 1)?;
        properties.push(Property { name: name.clone(), rule, description: description(cx, p) });
    }
    for r in &t.required {
        if !t.properties.contains_key(r) {
            return Err(
                cx.err(&[at, &["required"]].concat(), format!("required property `{r}` is not among the properties"))
            );
        }
    }
    let additional = match &t.additional_properties {
        None | Some(openapiv3::AdditionalProperties::Any(true)) => true,
        Some(openapiv3::AdditionalProperties::Any(false)) => false,
        Some(openapiv3::AdditionalProperties::Schema(_)) => {
            return Err(unsupported(cx, at, "additionalProperties with a schema"));
        }
    };
    Ok(Rule::Object { properties, required: t.required.clone(), additional })
}

/// A `oneOf`'s rules: those of each alternative, in order.
fn one_of_rule(cx: &Ctx, one_of: &[ReferenceOr<Schema>], at: &[&str], depth: usize) -> Result<Rule, SpecError> {
    let mut alts = Vec::new();
    for (i, s) in one_of.iter().enumerate() {
        alts.push(schema_rule(cx, s, &[at, &["oneOf", &i.to_string()]].concat(), depth + 1)?);
    }
    Ok(Rule::OneOf(alts))
}

/// A property's description: its own, or else that of the schema it refers to.
fn description(cx: &Ctx, s: &ReferenceOr<Box<Schema>>) -> Option<String> {
    match s {
        ReferenceOr::Item(schema) => schema.schema_data.description.clone(),
        ReferenceOr::Reference { reference } => {
            let name = crate::refs::component(reference, "schemas")?;
            let name = name.as_str();
            match cx.api.components.as_ref()?.schemas.get(name)? {
                ReferenceOr::Item(schema) => schema.schema_data.description.clone(),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

#[cfg(test)]
mod excluded_chars_tests {
    use super::excluded_chars;

    #[test]
    fn a_class_of_characters_a_value_must_not_hold_reads_as_ranges_and_nothing_else_does() {
        assert_eq!(
            excluded_chars(r"^[^,\x00-\x1F\x7F]*$"),
            Ok(vec![(',', ','), ('\0', '\u{1f}'), ('\u{7f}', '\u{7f}')])
        );
        assert_eq!(
            excluded_chars(r"^[^a-c\u00e9\]\-\\]*$"),
            Ok(vec![('a', 'c'), ('é', 'é'), (']', ']'), ('-', '-'), ('\\', '\\')])
        );
        assert_eq!(excluded_chars("^[^-a]*$"), Ok(vec![('-', '-'), ('a', 'a')]), "a leading - is itself");
        assert_eq!(excluded_chars("^[^a-]*$"), Ok(vec![('a', 'a'), ('-', '-')]), "a trailing - is itself");
        for bad in [
            "^[a-z]+$",
            "^[^a]+$",
            "[^a]*",
            r"^[^\x+7]*$",
            r"^[^\u+7FF]*$",
            r"^[^\xZZ]*$",
            r"^[^\d]*$",
            "^[^z-a]*$",
            "^[^]*$",
            "^[^[]*$",
            r"^[^a\]*$",
        ] {
            assert!(excluded_chars(bad).is_err(), "{bad} was taken");
        }
    }
}
