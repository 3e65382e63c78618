//! What the layer will be, decided before a token is written: which operations get a high-level
//! call, the Rust names of their parts, the kind of each field, the setter enums, the scope,
//! and every name clash, each a located error.

use std::collections::BTreeMap;
use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::{Location, SpecError};
use crate::kinds::ValueKind;
use crate::model::{Api, Batch, Operation, Rule};
use crate::names::reserved::{
    BUILDER_METHODS, CLIENT_METHODS, OPERATIONS_ITEMS, PURGE_METHODS, ROOT_ITEMS, SCOPE_METHODS,
};
use crate::names::{Case, ident, makes_ident, rust_name};
use crate::progenitor_names::{self, Shape, Types};

/// The whole layer.
pub struct Plan<'a> {
    /// The operations, each with its high-level call (one that cannot have one is an error).
    pub covered: Vec<Covered<'a>>,
    /// The optional string query parameters every covered operation takes.
    pub scope: Vec<ScopeParam<'a>>,
    /// The setter enums, by name.
    pub enums: Vec<SetterEnum<'a>>,
}

/// A parameter of the client-wide scope.
pub struct ScopeParam<'a> {
    /// Its wire name.
    pub wire: &'a str,
    /// Its description.
    pub description: Option<&'a str>,
    /// Its constructor and setter.
    pub ident: syn::Ident,
}

/// An enum of the layer that setters of `enum` fields take.
pub struct SetterEnum<'a> {
    /// Its name.
    pub ident: syn::Ident,
    /// The wire name of the fields it is for.
    pub wire: &'a str,
    /// Its values, with their variants.
    pub values: Vec<(String, syn::Ident)>,
    /// Its description.
    pub description: Option<&'a str>,
}

/// An operation with a high-level call.
pub struct Covered<'a> {
    /// The operation.
    pub op: &'a Operation,
    /// Its batch field, if it takes a selection.
    pub batch: Option<&'a Batch>,
    /// Its marker type.
    pub marker: syn::Ident,
    /// Its `EdgeCache` method.
    pub method: syn::Ident,
    /// Its private module in the layer.
    pub module: syn::Ident,
    /// progenitor's client method for it.
    pub client_method: syn::Ident,
    /// progenitor's body type, if the operation has a body.
    pub body_type: Option<syn::Ident>,
    /// progenitor's field of the batch field, and its shape.
    pub batch_field: Option<(syn::Ident, Shape)>,
    /// Its fields: query parameters in the order progenitor sends them, then the body
    /// properties other than the batch field, in spec order.
    pub fields: Vec<FieldPlan<'a>>,
}

/// Where a field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The path, through progenitor's builder setter.
    Path,
    /// The query, through progenitor's builder setter.
    Query,
    /// The body, as progenitor's body struct's field.
    Body,
}

/// One field of a covered operation.
pub struct FieldPlan<'a> {
    /// Its wire name.
    pub wire: &'a str,
    /// Where it goes.
    pub place: Place,
    /// Its rules.
    pub rule: &'a Rule,
    /// Its kind.
    pub kind: ValueKind,
    /// Whether every request must carry it.
    pub required: bool,
    /// Whether the client's scope gives it a default.
    pub in_scope: bool,
    /// Its description.
    pub description: Option<&'a str>,
    /// Its field in the operation's typed values.
    pub id: syn::Ident,
    /// Its typed setter, or the call's argument of a required field ([`FieldPlan::positional`]).
    pub setter: syn::Ident,
    /// The setter enum's path (for [`ValueKind::Choice`]).
    pub choice: Option<TokenStream>,
    /// Whether that enum is the one of every operation's field of this name (then the mock's
    /// record holds it; else the wire value).
    pub choice_shared: bool,
    /// progenitor's builder setter (query) or body field (body), and the field's shape (body).
    pub target: (syn::Ident, Option<Shape>),
}

/// Decides the layer, or returns every problem.
pub fn plan<'a>(file: &Path, api: &'a Api, types: &Types) -> Result<Plan<'a>, Vec<SpecError>> {
    let mut errors = Vec::new();
    let mut covered = Vec::new();
    for op in &api.operations {
        match op.high_level_call() {
            // Nothing is silently low-level only: an operation the layer cannot cover is refused.
            Err(why) => errors.push(SpecError::new(
                file,
                op.location(),
                format!(
                    "the operation cannot get a high-level call (checks, retries, the testing kit's route, a CLI command): {why}; describe it in a shape the layer covers, or leave it out of the spec"
                ),
            )),
            Ok(()) => match cover(op, types) {
                Ok(c) => covered.push(c),
                Err(problems) => errors.extend(problems.into_iter().map(|m| SpecError::new(file, op.location(), m))),
            },
        }
    }
    let scope = shared_scope(&mut covered);
    let enums = setter_enums(&mut covered, &mut errors, file);
    errors.extend(scope_clashes(file, &covered, &scope));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Plan { covered, scope, enums })
}

/// An operation's plan, or its problems.
fn cover<'a>(op: &'a Operation, types: &Types) -> Result<Covered<'a>, Vec<String>> {
    let mut problems = Vec::new();
    let batch = op.batch.as_ref();
    let bad: Vec<String> = rust_names(op).into_iter().filter(|(n, c)| !makes_ident(n, *c)).map(|(n, _)| n).collect();
    if !bad.is_empty() {
        return Err(vec![format!(
            "the names {bad:?} do not make Rust identifiers for the generated call; rename them"
        )]);
    }
    let method = rust_name(&op.id, Case::Snake);
    if CLIENT_METHODS.contains(&method.as_str()) {
        problems.push(format!("`EdgeCache::{method}` is a method of the runtime; rename the operationId"));
    }
    let marker = rust_name(&op.id, Case::Pascal);
    if OPERATIONS_ITEMS.contains(&marker.as_str()) {
        problems.push(format!(
            "the operation's type `{marker}` would clash with an item of the `operations` module ({}); rename the operationId",
            OPERATIONS_ITEMS.join(", ")
        ));
    }
    let body_name = progenitor_names::body_type(op);
    let body = match &op.body {
        None => None,
        Some(_) => match types.get(&body_name) {
            Some(body) => Some(body),
            None => {
                problems.push(format!("progenitor generated no body type `{body_name}` for this operation"));
                return Err(problems);
            }
        },
    };
    let mut fields = Vec::new();
    for p in &op.path_params {
        let target = (progenitor_names::query_setter(p), None);
        fields.push(field(p.name.as_str(), Place::Path, &p.rule, true, p.description.as_deref(), target));
    }
    for q in progenitor_names::query_order(&op.query) {
        let target = (progenitor_names::query_setter(q), None);
        fields.push(field(q.name.as_str(), Place::Query, &q.rule, q.required, q.description.as_deref(), target));
    }
    for p in op.body_properties() {
        let rust = rust_name(&p.name, Case::Snake);
        let Some(shape) = body.and_then(|b| b.fields.get(&rust)) else {
            problems.push(format!("progenitor's body type `{body_name}` lacks the property `{}`", p.name));
            continue;
        };
        if batch.is_none_or(|b| p.name != b.field) {
            let target = (ident(&p.name, Case::Snake), Some(shape.clone()));
            let required = op.body_requires(&p.name);
            fields.push(field(p.name.as_str(), Place::Body, &p.rule, required, p.description.as_deref(), target));
        }
    }
    // Path parameters and required query parameters are the call's arguments, by their Rust
    // names.
    let params = op.path_params.iter().chain(progenitor_names::query_order(&op.query));
    for (f, q) in fields.iter_mut().filter(|f| f.place != Place::Body).zip(params) {
        if f.required {
            f.setter = syn::parse_str(&q.rust_name).unwrap_or_else(|_| ident(&q.rust_name, Case::Snake));
        }
    }
    problems.extend(field_clashes(&fields, batch.map(|b| b.field.as_str())));
    if !problems.is_empty() {
        return Err(problems);
    }
    let batch_field = batch.map(|batch| {
        let shape = body
            .and_then(|b| b.fields.get(&rust_name(&batch.field, Case::Snake)))
            .cloned()
            .unwrap_or(Shape::Other("?".into()));
        (ident(&batch.field, Case::Snake), shape)
    });
    Ok(Covered {
        op,
        batch,
        marker: ident(&op.id, Case::Pascal),
        method: ident(&op.id, Case::Snake),
        module: ident(&format!("op_{}", rust_name(&op.id, Case::Snake)), Case::Snake),
        client_method: progenitor_names::client_method(op),
        body_type: body.map(|_| ident(&body_name, Case::Pascal)),
        batch_field,
        fields,
    })
}

impl FieldPlan<'_> {
    /// Whether it is an argument of the operation's `EdgeCache` method (a required query
    /// parameter or body property) rather than a setter.
    pub fn positional(&self) -> bool {
        self.required
    }
}

fn field<'a>(
    wire: &'a str,
    place: Place,
    rule: &'a Rule,
    required: bool,
    description: Option<&'a str>,
    target: (syn::Ident, Option<Shape>),
) -> FieldPlan<'a> {
    FieldPlan {
        wire,
        place,
        rule,
        kind: ValueKind::of(rule),
        required,
        in_scope: false,
        description,
        id: ident(wire, Case::Snake),
        setter: ident(wire, Case::Snake),
        choice: None,
        choice_shared: false,
        target,
    }
}

/// The spec names the layer makes Rust names of, each with its case.
fn rust_names(op: &Operation) -> Vec<(String, Case)> {
    let mut names = vec![(op.id.clone(), Case::Snake), (op.id.clone(), Case::Pascal)];
    names.extend(op.query.iter().chain(&op.path_params).map(|q| (q.name.clone(), Case::Snake)));
    names.extend(op.query.iter().chain(&op.path_params).map(|q| (q.rust_name.clone(), Case::Snake)));
    names.extend(op.body_properties().iter().map(|p| (p.name.clone(), Case::Snake)));
    names
}

/// Setters that clash with the call's methods or each other, arguments of the call that clash
/// with each other or with its selection (`batch`), and fields of one wire name or constant.
fn field_clashes(fields: &[FieldPlan], batch: Option<&str>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut setters: Vec<String> = Vec::new();
    let mut args: Vec<String> = batch.map(|b| rust_name(b, Case::Snake)).into_iter().collect();
    let mut ids: BTreeMap<String, &str> = BTreeMap::new();
    for f in fields {
        if let Some(first) = ids.insert(f.id.to_string(), f.wire) {
            problems.push(format!(
                "the fields `{first}` and `{}` (a query parameter and a body property, or two names of one spelling) would be set by one name; rename one",
                f.wire
            ));
        }
        let name = f.setter.to_string();
        if f.positional() {
            if args.contains(&name) {
                problems.push(format!(
                    "the required field `{}` would be the call's argument `{name}`, which another argument has; rename it",
                    f.wire
                ));
            }
            args.push(name);
            continue;
        }
        if PURGE_METHODS.contains(&name.as_str()) || setters.contains(&name) {
            problems.push(format!(
                "the setter `{name}` would clash with another method of the call's builder; rename the property"
            ));
        }
        setters.push(name);
    }
    problems
}

/// The optional string query parameters that every covered operation takes: the client-wide
/// scope. Marks those fields as in scope.
fn shared_scope<'a>(covered: &mut [Covered<'a>]) -> Vec<ScopeParam<'a>> {
    let Some(first) = covered.first() else { return Vec::new() };
    // In the spec's order (the fields are in the order requests send them).
    let mut spec_order: Vec<&FieldPlan<'a>> = first.fields.iter().filter(|f| f.place == Place::Query).collect();
    spec_order.sort_by_key(|f| first.op.query.iter().position(|q| q.name == f.wire));
    let shared: Vec<(&'a str, Option<&'a str>)> = spec_order
        .into_iter()
        .filter(|f| !f.required && f.kind == ValueKind::Text)
        .filter(|f| {
            covered.iter().all(|c| {
                c.fields
                    .iter()
                    .any(|o| o.place == Place::Query && o.wire == f.wire && !o.required && o.kind == ValueKind::Text)
            })
        })
        .map(|f| (f.wire, f.description))
        .collect();
    for c in covered.iter_mut() {
        for f in c.fields.iter_mut().filter(|f| f.place == Place::Query) {
            f.in_scope = shared.iter().any(|(w, _)| *w == f.wire);
        }
    }
    shared
        .into_iter()
        .map(|(wire, description)| ScopeParam { wire, description, ident: ident(wire, Case::Snake) })
        .collect()
}

fn scope_clashes(file: &Path, covered: &[Covered], scope: &[ScopeParam]) -> Vec<SpecError> {
    let mut errors = Vec::new();
    for p in scope {
        let name = p.ident.to_string();
        let owner = if BUILDER_METHODS.contains(&name.as_str()) {
            "EdgeCacheBuilder"
        } else if SCOPE_METHODS.contains(&name.as_str()) {
            "Scope"
        } else {
            continue;
        };
        // Every covered operation takes it; the first one locates it.
        let at = covered.first().map_or(Location::File, |c| c.op.location());
        let msg = format!("the query parameter `{}` would clash with `{owner}::{name}`; rename it", p.wire);
        errors.push(SpecError::new(file, at, msg));
    }
    errors
}

/// The setter enums: the `enum` fields of one wire name and the same values share one, named
/// after the field (`target` → `Target`); fields of one name with different values get one each,
/// named after their operation too (`InvalidateByTagsTarget`).
fn setter_enums<'a>(covered: &mut [Covered<'a>], errors: &mut Vec<SpecError>, file: &Path) -> Vec<SetterEnum<'a>> {
    let mut by_wire: BTreeMap<&'a str, Vec<(&'a Vec<String>, &'a str)>> = BTreeMap::new();
    for c in covered.iter() {
        for f in &c.fields {
            if let Rule::String { enumeration, .. } = f.rule
                && !enumeration.is_empty()
            {
                by_wire.entry(f.wire).or_default().push((enumeration, c.op.id.as_str()));
            }
        }
    }
    let mut enums: Vec<SetterEnum<'a>> = Vec::new();
    // (op, wire) -> (enum name, whether every operation's field of that name shares it)
    let mut named: BTreeMap<(String, String), (String, bool)> = BTreeMap::new();
    for (wire, uses) in &by_wire {
        let unified = uses.iter().all(|(values, _)| *values == uses[0].0);
        for (values, op) in uses {
            let name =
                if unified { rust_name(wire, Case::Pascal) } else { rust_name(&format!("{op}-{wire}"), Case::Pascal) };
            named.insert((op.to_string(), wire.to_string()), (name.clone(), unified));
            if enums.iter().any(|e| e.ident == name) {
                continue;
            }
            let description =
                covered.iter().flat_map(|c| &c.fields).find(|f| f.wire == *wire).and_then(|f| f.description);
            let values = values.iter().map(|v| (v.clone(), ident(v, Case::Pascal))).collect();
            enums.push(SetterEnum { ident: ident(&name, Case::Pascal), wire, values, description });
        }
    }
    for c in covered.iter_mut() {
        for f in c.fields.iter_mut() {
            if let Some((name, unified)) = named.get(&(c.op.id.clone(), f.wire.to_string())) {
                let name = ident(name, Case::Pascal);
                f.choice = Some(quote! { setter_types::#name });
                f.choice_shared = *unified;
            }
        }
    }
    errors.extend(enum_clashes(file, covered, &enums));
    enums
}

fn enum_clashes(file: &Path, covered: &[Covered], enums: &[SetterEnum]) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let at = |wire: &str| {
        let op = covered.iter().find(|c| c.fields.iter().any(|f| f.wire == wire));
        op.map_or(Location::File, |c| c.op.location())
    };
    for (i, e) in enums.iter().enumerate() {
        let name = e.ident.to_string();
        if ROOT_ITEMS.contains(&name.as_str()) || enums[..i].iter().any(|o| o.ident == e.ident && o.wire != e.wire) {
            let msg = format!(
                "the enum of `{}` would be the type `{name}`, which the crate root has already; rename the property",
                e.wire
            );
            errors.push(SpecError::new(file, at(e.wire), msg));
        }
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (value, variant) in &e.values {
            if let Some(first) = seen.insert(variant.to_string(), value) {
                let msg = format!(
                    "the values `{first}` and `{value}` of `{}` both become the variant `{variant}`; rename one",
                    e.wire
                );
                errors.push(SpecError::new(file, at(e.wire), msg));
            }
        }
    }
    errors
}
