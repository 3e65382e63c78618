//! What the generator must know of the code progenitor and typify generate, in one place.
//!
//! - **From typify's API** ([`Types::read`], over `progenitor::Generator::get_type_space`): every
//!   struct's fields and the shape of each field's type (an `Option`, a `Vec`, a newtype, an
//!   enum and its variants, a string, a builtin), with the path progenitor's code names it by.
//! - **From progenitor's naming rules**, which it does not expose: the client method and the
//!   builder's setters of an operation ([`client_method`], [`query_setter`]), the order its
//!   builder sends query parameters in ([`query_order`]) and the name of a request body's type
//!   ([`body_type`]). Each is one function here, and `generator/tests/progenitor_names.rs`
//!   checks each against progenitor's real output; [`body_type`] is also checked at generation
//!   time, against the type space.
//!
//! Nothing else of progenitor's output is read back: the generated layer is written from the
//! model and from these.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use typify::{TypeDetails, TypeSpace};

use crate::model::{Operation, QueryParam};
use crate::names::{Case, rust_name};

/// The shape of a Rust type progenitor's code declares or uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `::std::string::String`.
    String,
    /// A builtin type (`i64`, `f64`, `bool`, `::std::num::NonZeroU64`, `::serde_json::Value`).
    Builtin(String),
    /// `Option<T>`.
    Option(Box<Shape>),
    /// `Vec<T>`.
    Vec(Box<Shape>),
    /// A named newtype of `api::types`.
    Newtype {
        /// Its path from the `api` module (`types::TagList`).
        path: String,
        /// The wrapped type.
        inner: Box<Shape>,
    },
    /// A named enum of `api::types`.
    Enum {
        /// Its path from the `api` module.
        path: String,
        /// Its variants: the name, and the one type a single-field variant wraps.
        variants: Vec<(String, Option<Shape>)>,
    },
    /// Any other type (a struct, a map, a tuple): its path.
    Other(String),
}

impl Shape {
    /// The type, as tokens relative to the `api` module.
    pub fn tokens(&self) -> TokenStream {
        self.text().parse().unwrap_or_default()
    }

    /// The type as text, without spaces.
    pub fn text(&self) -> String {
        match self {
            Shape::String => "::std::string::String".into(),
            Shape::Builtin(name) => name.clone(),
            Shape::Option(inner) => format!("::std::option::Option<{}>", inner.text()),
            Shape::Vec(inner) => format!("::std::vec::Vec<{}>", inner.text()),
            Shape::Newtype { path, .. } | Shape::Enum { path, .. } | Shape::Other(path) => path.clone(),
        }
    }

    /// The type inside an `Option`, or the type itself.
    pub fn unwrap_option(&self) -> &Shape {
        match self {
            Shape::Option(inner) => inner,
            other => other,
        }
    }
}

/// A struct of `api::types`: its fields by Rust name, each with its shape and whether it is
/// required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Struct {
    /// The fields, by their Rust names.
    pub fields: BTreeMap<String, Shape>,
}

/// The structs progenitor's code declares, read from typify's type space.
#[derive(Debug, Clone, Default)]
pub struct Types {
    structs: BTreeMap<String, Struct>,
}

/// How deep a type's shape is followed (a recursive type is cut there).
const MAX_DEPTH: usize = 8;

impl Types {
    /// Reads every struct of the type space.
    pub fn read(space: &TypeSpace) -> Self {
        let mut structs = BTreeMap::new();
        for ty in space.iter_types() {
            if let TypeDetails::Struct(s) = ty.details() {
                let fields = s.properties_info().map(|p| (p.name.to_string(), shape(space, &p.type_id, 0))).collect();
                structs.insert(ty.name(), Struct { fields });
            }
        }
        Self { structs }
    }

    /// The struct named `name`.
    pub fn get(&self, name: &str) -> Option<&Struct> {
        self.structs.get(name)
    }
}

fn shape(space: &TypeSpace, id: &typify::TypeId, depth: usize) -> Shape {
    let Ok(ty) = space.get_type(id) else { return Shape::Other("?".into()) };
    let path = ty.ident().to_string().replace(' ', "");
    if depth > MAX_DEPTH {
        return Shape::Other(path);
    }
    match ty.details() {
        TypeDetails::String => Shape::String,
        TypeDetails::Builtin(name) => Shape::Builtin(name.replace(' ', "")),
        TypeDetails::Option(inner) => Shape::Option(Box::new(shape(space, &inner, depth + 1))),
        TypeDetails::Vec(inner) => Shape::Vec(Box::new(shape(space, &inner, depth + 1))),
        TypeDetails::Newtype(n) => Shape::Newtype { path, inner: Box::new(shape(space, &n.inner(), depth + 1)) },
        TypeDetails::Enum(e) => {
            let variants = e
                .variants()
                .map(|(name, v)| {
                    let one = match v {
                        typify::TypeEnumVariant::Tuple(types) if types.len() == 1 => {
                            Some(shape(space, &types[0], depth + 1))
                        }
                        _ => None,
                    };
                    (name.to_string(), one)
                })
                .collect();
            Shape::Enum { path, variants }
        }
        _ => Shape::Other(path),
    }
}

/// The `api::Client` method that starts an operation's builder: its operationId in snake case
/// (progenitor's `sanitize(operation_id, Case::Snake)`).
pub fn client_method(op: &Operation) -> syn::Ident {
    crate::names::ident(&op.id, Case::Snake)
}

/// The builder's setter of a parameter: its name in snake case.
pub fn query_setter(param: &QueryParam) -> syn::Ident {
    crate::names::ident(&param.name, Case::Snake)
}

/// The order the builder sends query parameters in: by name (progenitor's `sort_params`
/// sorts query parameters lexicographically).
pub fn query_order(params: &[QueryParam]) -> Vec<&QueryParam> {
    let mut sorted: Vec<&QueryParam> = params.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    sorted
}

/// The name of an operation's request body type: the component schema's (typify's name for
/// it) when the body refers to one, else `<operationId>-body` in PascalCase (the name progenitor
/// gives typify for an inline body).
pub fn body_type(op: &Operation) -> String {
    match &op.body_component {
        Some(component) => rust_name(component, Case::Pascal),
        None => rust_name(&format!("{}-body", op.id), Case::Pascal),
    }
}

/// The Rust type progenitor gives an operation's successful JSON answer, if it names one: the
/// component's (as for [`body_type`]), or `<OperationId>Response` for an object written inline.
/// Any other inline schema is read as JSON (`None`).
pub fn response_type(op: &Operation) -> Option<String> {
    let success = op.success.as_ref()?;
    match &success.component {
        Some(component) => Some(rust_name(component, Case::Pascal)),
        None if success.inline_object => Some(rust_name(&format!("{}-response", op.id), Case::Pascal)),
        None => None,
    }
}
