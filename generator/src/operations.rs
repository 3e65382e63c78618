//! The user-facing layer, generated with quote: for every operation that has a batch field, a
//! marker type implementing the runtime's `Operation` trait (its facts, its checks, how to build
//! its typed body and send it through progenitor's builder), the setters of `Purge<'_, Op>`, and
//! the `EdgeCache` method that starts it. Also the client-wide scope (optional query parameters
//! every operation takes) and the registry of operations for calls chosen at run time.
//!
//! Each constraint of the spec becomes one direct check here; the runtime only runs them.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::bindings::{Bindings, OperationBinding};
use crate::error::SpecError;
use crate::model::{Api, Operation, Property, QueryParam, Rule};
use crate::recorded::RecordedOption;

/// `EdgeCache` methods the runtime defines (and the traits' it implements): an operation cannot
/// take their names. `tests/runtime_names.rs` checks these lists against the runtime's source.
pub const CLIENT_METHODS: &[&str] = &[
    "builder",
    "new",
    "from_env",
    "builder_from_env",
    "scope",
    "base_url",
    "api",
    "operation",
    "operations",
    "rate_limit_waited",
    "clone",
    "fmt",
];
/// `Purge` methods the runtime defines: a setter cannot take their names.
pub const PURGE_METHODS: &[&str] = &[
    "concurrency",
    "max_time",
    "cancel_on",
    "on_batch",
    "plan",
    "validate",
    "checked",
    "query",
    "send",
    "batch_count",
    "new",
    "param",
    "options",
];
/// `EdgeCacheBuilder` methods the runtime defines: a scope setter cannot take their names.
pub const BUILDER_METHODS: &[&str] =
    &["base_url", "timeout", "max_retries", "retry_policy", "concurrency", "max_time", "build", "scope"];
/// `Scope` methods besides the one constructor per scope parameter.
const SCOPE_METHODS: &[&str] = &["get", "default", "clone", "fmt", "eq"];
/// The names `operations.rs` defines or imports besides the marker types: an operation's
/// marker (`InvalidateByTags`) or options type (`InvalidateByTagsOptions`) cannot take them.
pub const LAYER_TYPES: &[&str] = &[
    "EdgeCache",
    "EdgeCacheBuilder",
    "Purge",
    "Operation",
    "OperationInfo",
    "OperationEntry",
    "ValidationError",
    "Scope",
    "RecordedPurge",
];

/// An operation the layer covers, with what progenitor named its parts.
struct Covered<'a> {
    op: &'a Operation,
    binding: &'a OperationBinding,
    marker: syn::Ident,
    options: syn::Ident,
    method: syn::Ident,
}

/// The generated `operations.rs`, or every problem that stops it.
pub fn generate(file: &std::path::Path, api: &Api, bindings: &Bindings) -> Result<TokenStream, Vec<SpecError>> {
    let mut errors = Vec::new();
    let mut covered = Vec::new();
    let mut library_only = Vec::new();
    for op in &api.operations {
        let err = |msg: String| SpecError::new(file, op.location(), msg);
        let binding = bindings.operation(&op.method, &op.path);
        match (op.high_level_call(), binding) {
            (Err(why), _) => library_only.push((op, why)),
            (Ok(()), None) => errors.push(err("progenitor generated no builder for this operation".into())),
            (Ok(()), Some(binding)) => {
                let bad: Vec<String> = rust_names(op).into_iter().filter(|n| try_ident(n).is_none()).collect();
                if !bad.is_empty() {
                    errors.push(err(format!(
                        "the names {bad:?} do not make Rust identifiers for the generated call; rename them"
                    )));
                    continue;
                }
                let method = op.id.to_snake_case();
                if CLIENT_METHODS.contains(&method.as_str()) {
                    errors
                        .push(err(format!("`EdgeCache::{method}` is a method of the runtime; rename the operationId")));
                    continue;
                }
                let unsent: Vec<&str> = op
                    .query
                    .iter()
                    .map(|q| q.name.as_str())
                    .filter(|n| !binding.params.iter().any(|(w, _)| w == n))
                    .collect();
                if !unsent.is_empty() {
                    errors.push(err(format!(
                        "progenitor's builder sends no query parameters {unsent:?}; the generated layer could not send them"
                    )));
                    continue;
                }
                let missing: Vec<&str> = op
                    .body_properties()
                    .iter()
                    .map(|p| p.name.as_str())
                    .filter(|n| !binding.body_fields.contains_key(*n))
                    .collect();
                if binding.body_type.is_none() || !missing.is_empty() {
                    errors.push(err(format!(
                        "progenitor's body type lacks the properties {missing:?}; the generated layer cannot set them"
                    )));
                    continue;
                }
                let mut setters: Vec<String> = Vec::new();
                for name in setter_names(op) {
                    if PURGE_METHODS.contains(&name.as_str()) || setters.contains(&name) {
                        errors.push(err(format!(
                            "the setter `{name}` would clash with another method of the call's builder; rename the property"
                        )));
                    }
                    setters.push(name);
                }
                let camel = op.id.to_upper_camel_case();
                if LAYER_TYPES.contains(&camel.as_str()) || LAYER_TYPES.contains(&format!("{camel}Options").as_str()) {
                    errors.push(err(format!(
                        "the operation's type `{camel}` would clash with a type of the generated layer ({}); rename the operationId",
                        LAYER_TYPES.join(", ")
                    )));
                    continue;
                }
                covered.push(Covered {
                    op,
                    binding,
                    marker: ident(&op.id.to_upper_camel_case()),
                    options: ident(&format!("{}Options", op.id.to_upper_camel_case())),
                    method: ident(&method),
                });
            }
        }
    }
    let scope = shared_scope(&covered);
    for p in &scope {
        let name = p.name.to_snake_case();
        let clash = if BUILDER_METHODS.contains(&name.as_str()) {
            Some("EdgeCacheBuilder")
        } else if SCOPE_METHODS.contains(&name.as_str()) {
            Some("Scope")
        } else {
            None
        };
        if let Some(owner) = clash {
            // Every covered operation takes it; the first one locates it.
            let at = covered.first().map_or(crate::error::Location::File, |c| c.op.location());
            errors.push(SpecError::new(
                file,
                at,
                format!("the query parameter `{}` would clash with `{owner}::{name}`; rename it", p.name),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let (items, recorded): (Vec<TokenStream>, Vec<Vec<RecordedOption>>) =
        covered.iter().map(|c| operation(c, &scope, bindings)).unzip();
    let recorded = {
        let ops: Vec<(&Operation, Vec<RecordedOption>)> = covered.iter().map(|c| c.op).zip(recorded).collect();
        crate::recorded::generate(file, &ops)?
    };
    let entries = covered.iter().map(|c| {
        let marker = &c.marker;
        quote! {
            OperationEntry {
                info: <#marker as Operation>::INFO,
                start: crate::dynamic::start::<#marker>,
                check_request: crate::inbound::check_request::<#marker>,
            }
        }
    });
    let exports = setter_types(&covered, bindings);
    let scope_items = scope_tokens(&scope);
    let mut doc = String::from(
        " The operations of the spec that take a selection, one marker type each, with their checks,\n setters and `EdgeCache` methods.",
    );
    if !library_only.is_empty() {
        doc.push_str("\n\n Operations reachable only through [`EdgeCache::api`](crate::EdgeCache::api):");
        for (op, why) in &library_only {
            doc.push_str(&format!("\n - `{}` ({why})", op.id));
        }
    }
    Ok(quote! {
        #![doc = #doc]
        use crate::check;
        use crate::convert;
        use crate::dynamic::OperationEntry;
        use crate::generated::api::{self, types};
        use crate::operation::{Operation, OperationInfo};
        use crate::purge::Purge;
        use crate::validation::ValidationError;
        use crate::{EdgeCache, EdgeCacheBuilder};

        #[doc = " The types the setters take, re-exported at the crate root."]
        pub mod setter_types {
            #exports
        }

        #scope_items

        #(#items)*

        #recorded

        #[doc = " Every operation with a high-level call, in spec order, for calls chosen at run time"]
        #[doc = " ([`EdgeCache::operation`])."]
        pub static OPERATIONS: &[OperationEntry] = &[#(#entries),*];
    })
}

/// The Rust names the layer makes from an operation's names.
fn rust_names(op: &Operation) -> Vec<String> {
    let camel = op.id.to_upper_camel_case();
    let mut names = vec![op.id.to_snake_case(), format!("{camel}Options"), camel];
    names.extend(op.query.iter().map(|q| q.name.to_snake_case()));
    names.extend(op.query.iter().map(|q| q.rust_name.clone()));
    names.extend(op.body_properties().iter().map(|p| p.name.to_snake_case()));
    names
}

/// `name` as an identifier (raw, `r#type`, for a keyword), if it makes one.
fn try_ident(name: &str) -> Option<syn::Ident> {
    syn::parse_str::<syn::Ident>(name).ok().or_else(|| syn::parse_str::<syn::Ident>(&format!("r#{name}")).ok())
}

/// An identifier [`generate`] has checked with [`rust_names`].
pub(crate) fn ident(name: &str) -> syn::Ident {
    try_ident(name).unwrap_or_else(|| proc_macro2::Ident::new("__unchecked_name", proc_macro2::Span::call_site()))
}

/// The setters of an operation's call: optional query parameters, then body properties.
fn setter_names(op: &Operation) -> Vec<String> {
    let params = op.query.iter().filter(|q| !q.required).map(|q| q.name.to_snake_case());
    params.chain(options(op).map(|p| p.name.to_snake_case())).collect()
}

/// The body properties set by setters: every one but the batch field.
fn options(op: &Operation) -> impl Iterator<Item = &Property> {
    let batch = op.batch.as_ref().map(|b| b.field.as_str());
    op.body_properties().iter().filter(move |p| Some(p.name.as_str()) != batch)
}

/// Optional string query parameters that every covered operation takes: the client-wide scope.
fn shared_scope(covered: &[Covered]) -> Vec<QueryParam> {
    let Some(first) = covered.first() else { return Vec::new() };
    first
        .op
        .query
        .iter()
        .filter(|q| !q.required)
        .filter(|q| covered.iter().all(|c| c.op.query.iter().any(|o| o.name == q.name && !o.required)))
        .cloned()
        .collect()
}

fn scope_tokens(scope: &[QueryParam]) -> TokenStream {
    let fields = scope.iter().map(|q| {
        let f = ident(&q.name.to_snake_case());
        let doc = match q.description.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => format!(" `{}`: {d}", q.name),
            None => format!(" The query parameter `{}`.", q.name),
        };
        quote! { #[doc = #doc] pub #f: Option<String>, }
    });
    let ctors = scope.iter().map(|q| {
        let f = ident(&q.name.to_snake_case());
        let doc = format!(" A scope with only `{}`.", q.name);
        quote! { #[doc = #doc] pub fn #f(value: impl Into<String>) -> Self { Self { #f: Some(value.into()), ..Self::default() } } }
    });
    let gets = scope.iter().map(|q| {
        let f = ident(&q.name.to_snake_case());
        let name = &q.name;
        quote! { #name => self.#f.as_deref(), }
    });
    let builder = scope.iter().map(|q| {
        let f = ident(&q.name.to_snake_case());
        let doc = format!(" The `{}` sent with every request (calls may override it).", q.name);
        quote! { #[doc = #doc] pub fn #f(mut self, value: impl Into<String>) -> Self { self.scope.#f = Some(value.into()); self } }
    });
    let example = scope.first().map(|q| {
        let f = q.name.to_snake_case();
        format!(
            "\n\n ```\n use vercel_edge_cache::Scope;\n let scope = Scope::{f}(\"x\");\n assert_eq!(scope.{f}.as_deref(), Some(\"x\"));\n ```"
        )
    });
    let doc = format!(
        " The optional query parameters every operation takes, sent with each request unless a call\n overrides them.{}",
        example.unwrap_or_default()
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct Scope {
            #(#fields)*
        }

        impl Scope {
            #(#ctors)*

            #[doc = " The value of a parameter by its wire name."]
            pub fn get(&self, name: &str) -> Option<&str> {
                match name {
                    #(#gets)*
                    _ => None,
                }
            }
        }

        impl EdgeCacheBuilder {
            #(#builder)*
        }
    }
}

/// The enum types the setters take, re-exported so that users name them at the crate root.
fn setter_types(covered: &[Covered], bindings: &Bindings) -> TokenStream {
    let mut names = std::collections::BTreeSet::new();
    for c in covered {
        for p in options(c.op) {
            if let Rule::String { enumeration, .. } = &p.rule
                && !enumeration.is_empty()
                && let Some((_, ty)) = c.binding.body_fields.get(&p.name)
                && let Some(name) = type_name(&unwrap_option(ty))
                && bindings.has_type(&name)
            {
                names.insert(name);
            }
        }
    }
    let names = names.into_iter().map(|n| ident(&n));
    quote! { pub use crate::generated::api::types::{#(#names),*}; }
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.path.segments.len() == 2 && p.path.segments[0].ident == "types" => {
            Some(p.path.segments[1].ident.to_string())
        }
        _ => None,
    }
}

/// `T` of `Option<T>` (any path ending in `Option`), or the type itself.
fn unwrap_option(ty: &syn::Type) -> syn::Type {
    if let syn::Type::Path(p) = ty
        && let Some(last) = p.path.segments.last()
        && last.ident == "Option"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
    {
        return inner.clone();
    }
    ty.clone()
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn opt_lit<T: Copy>(v: Option<T>, lit: impl Fn(T) -> Literal) -> TokenStream {
    match v {
        Some(v) => {
            let v = lit(v);
            quote! { Some(#v) }
        }
        None => quote! { None },
    }
}

/// The checks of one string value against its rule (`field`, `index` name it in errors).
fn string_checks(rule: &Rule, field: &str, index: TokenStream, value: TokenStream) -> TokenStream {
    let Rule::String { min_length, max_length, enumeration, .. } = rule else { return quote! {} };
    let mut out = TokenStream::new();
    if min_length.is_some() || max_length.is_some() {
        let (min, max) = (opt_lit(*min_length, Literal::u64_suffixed), opt_lit(*max_length, Literal::u64_suffixed));
        out.extend(quote! { check::length(#field, #index, #value, #min, #max)?; });
    }
    if !enumeration.is_empty() {
        out.extend(quote! { check::one_of(#field, #index, #value, &[#(#enumeration),*])?; });
    }
    out
}

/// What a setter takes, and what the options struct stores, for a body property.
enum SetterKind {
    /// The generated type itself (an enum, or anything without a plainer form).
    Typed(Box<syn::Type>),
    String,
    Integer,
    Number,
    Boolean,
    /// A list of strings.
    StringList,
}

fn setter_kind(p: &Property, field_ty: &syn::Type) -> SetterKind {
    match &p.rule {
        Rule::String { enumeration, .. } if enumeration.is_empty() => SetterKind::String,
        Rule::Array { items, .. } if matches!(**items, Rule::String { .. }) => SetterKind::StringList,
        Rule::Integer { .. } => SetterKind::Integer,
        Rule::Number { .. } => SetterKind::Number,
        Rule::Boolean => SetterKind::Boolean,
        _ => SetterKind::Typed(Box::new(unwrap_option(field_ty))),
    }
}

/// Whether the field's type is the plain type the setter stores (`i64`, `f64`, `bool`,
/// `String`), so that its value goes into the body as it is.
fn plain_type(p: &Property, field_ty: &syn::Type) -> bool {
    let field = quote::ToTokens::to_token_stream(&unwrap_option(field_ty)).to_string().replace(' ', "");
    let plain = match setter_kind(p, field_ty) {
        SetterKind::Typed(_) => return false,
        SetterKind::String => "::std::string::String",
        SetterKind::Integer => "i64",
        SetterKind::Number => "f64",
        SetterKind::Boolean => "bool",
        SetterKind::StringList => "::std::vec::Vec<::std::string::String>",
    };
    field == plain
}

fn doc_lines(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("").trim().lines().map(|l| format!(" {l}").trim_end().to_string()).collect()
}

fn operation(c: &Covered, scope: &[QueryParam], bindings: &Bindings) -> (TokenStream, Vec<RecordedOption>) {
    let op = c.op;
    let batch = op.batch.as_ref().expect("covered operations have a batch field");
    let (marker, options_ident, method) = (&c.marker, &c.options, &c.method);
    let body_type = c.binding.body_type.as_ref().expect("checked");
    let client_method = &c.binding.method;

    // Parameters in the order progenitor sends them; the spec's order for any it did not list.
    let mut params: Vec<&QueryParam> = Vec::new();
    for (wire, _) in &c.binding.params {
        if let Some(q) = op.query.iter().find(|q| &q.name == wire) {
            params.push(q);
        }
    }
    for q in &op.query {
        if !params.iter().any(|p| p.name == q.name) {
            params.push(q);
        }
    }
    let param_infos = params.iter().map(|q| {
        let (name, required) = (&q.name, q.required);
        let in_scope = scope.iter().any(|s| s.name == q.name);
        quote! { crate::operation::Param { name: #name, required: #required, in_scope: #in_scope } }
    });
    let param_checks = params.iter().enumerate().map(|(i, q)| {
        let name = &q.name;
        let i = Literal::usize_unsuffixed(i);
        let required = if q.required {
            quote! { check::required(#name, params[#i].as_deref())?; }
        } else {
            quote! {}
        };
        let rules = string_checks(&q.rule, name, quote! { None }, quote! { v });
        if rules.is_empty() {
            required
        } else {
            quote! { #required if let Some(v) = params[#i].as_deref() { #rules } }
        }
    });
    let param_sends = params.iter().enumerate().filter_map(|(i, q)| {
        let setter = &c.binding.params.iter().find(|(w, _)| *w == q.name)?.1;
        let i = Literal::usize_unsuffixed(i);
        Some(quote! { if let Some(v) = &params[#i] { b = b.#setter(v.clone()); } })
    });
    let positional: Vec<(usize, &QueryParam)> =
        params.iter().enumerate().filter(|(_, q)| q.required).map(|(i, q)| (i, *q)).collect();
    let param_setters = params.iter().enumerate().filter(|(_, q)| !q.required).map(|(i, q)| {
        let setter = ident(&q.name.to_snake_case());
        let i = Literal::usize_unsuffixed(i);
        let overrides = if scope.iter().any(|s| s.name == q.name) { ", overriding the client's" } else { "" };
        let mut doc = vec![format!(" Sets `{}` for this call{overrides}.", q.name)];
        let more = doc_lines(q.description.as_deref());
        if !more.is_empty() {
            doc.push(String::new());
            doc.extend(more);
        }
        quote! { #(#[doc = #doc])* pub fn #setter(self, value: impl Into<String>) -> Self { self.param(#i, value.into()) } }
    });

    // Body properties set by setters.
    let opts: Vec<&Property> = options(op).collect();
    let mut option_fields = Vec::new();
    let mut recorded = Vec::new();
    let mut setters = Vec::new();
    let mut option_checks = Vec::new();
    let mut conversion_checks = Vec::new();
    let mut set_arms = Vec::new();
    for p in &opts {
        let (_, field_ty) = &c.binding.body_fields[&p.name];
        let f = ident(&p.name.to_snake_case());
        let wire = &p.name;
        let mut doc = doc_lines(p.description.as_deref());
        let kind = setter_kind(p, field_ty);
        let mut generics = quote! {};
        let (stored, arg, value, parse) = match &kind {
            SetterKind::Typed(ty) => {
                let parse = match &p.rule {
                    Rule::String { enumeration, .. } => quote! {
                        options.#f = Some(value.parse().map_err(|_| check::not_allowed(#wire, value, &[#(#enumeration),*]))?);
                    },
                    _ => quote! { return Err(check::not_text(#wire)) },
                };
                (quote! { #ty }, quote! { value: #ty }, quote! { value }, parse)
            }
            SetterKind::String => (
                quote! { String },
                quote! { value: impl Into<String> },
                quote! { value.into() },
                quote! { options.#f = Some(value.to_string()); },
            ),
            SetterKind::Integer => (
                quote! { i64 },
                quote! { value: i64 },
                quote! { value },
                quote! { options.#f = Some(check::parse(#wire, value, "an integer")?); },
            ),
            SetterKind::Number => (
                quote! { f64 },
                quote! { value: f64 },
                quote! { value },
                quote! { options.#f = Some(check::parse(#wire, value, "a number")?); },
            ),
            SetterKind::Boolean => (
                quote! { bool },
                quote! { value: bool },
                quote! { value },
                quote! { options.#f = Some(check::parse(#wire, value, "true or false")?); },
            ),
            SetterKind::StringList => {
                generics = quote! { <I, S> };
                (
                    quote! { Vec<String> },
                    quote! { values: I },
                    quote! { values.into_iter().map(Into::into).collect() },
                    // As text, a comma-separated list (the form Vercel's CLI takes lists in).
                    quote! { options.#f = Some(value.split(',').map(|v| v.trim().to_string()).collect()); },
                )
            }
        };
        let bounds = if matches!(kind, SetterKind::StringList) {
            quote! { where I: IntoIterator<Item = S>, S: Into<String> }
        } else {
            quote! {}
        };
        if doc.is_empty() {
            doc.push(format!(" The body property `{wire}`."));
        }
        let field_doc = doc.clone();
        option_fields.push(quote! { #(#[doc = #field_doc])* #[serde(rename = #wire)] pub #f: Option<#stored>, });
        recorded.push(RecordedOption {
            wire: wire.clone(),
            description: p.description.clone(),
            ty: quote! { #stored },
        });
        setters.push(quote! {
            #(#[doc = #doc])*
            pub fn #f #generics (mut self, #arg) -> Self #bounds {
                self.options.#f = Some(#value);
                self
            }
        });
        set_arms.push(quote! { #wire => { #parse true } });
        // The value must also fit progenitor's type (a `NonZeroU64`, an `f32`, ...): checked
        // here, before sending, so that building the bodies cannot fail.
        let inner = unwrap_option(field_ty);
        if !matches!(kind, SetterKind::Typed(_)) && !plain_type(p, field_ty) {
            conversion_checks.push(quote! {
                convert::value::<_, #inner>(&options.#f).map_err(|e| check::unconvertible(#wire, e))?;
            });
        }
        if op.body_requires(wire) {
            option_checks.push(quote! { check::present(#wire, options.#f.is_some())?; });
        }
        let rules = match &p.rule {
            Rule::String { enumeration, .. } if enumeration.is_empty() => {
                string_checks(&p.rule, wire, quote! { None }, quote! { v })
            }
            Rule::Integer { minimum, maximum } if minimum.is_some() || maximum.is_some() => {
                let (min, max) = (opt_lit(*minimum, Literal::i64_suffixed), opt_lit(*maximum, Literal::i64_suffixed));
                quote! { check::integer(#wire, *v, #min, #max)?; }
            }
            Rule::Number { minimum, maximum } => {
                let (min, max) = (opt_lit(*minimum, Literal::f64_suffixed), opt_lit(*maximum, Literal::f64_suffixed));
                quote! { check::number(#wire, *v, #min, #max)?; }
            }
            Rule::Array { min_items, max_items, items } if matches!(**items, Rule::String { .. }) => {
                let (min, max) =
                    (opt_lit(*min_items, Literal::u64_suffixed), opt_lit(*max_items, Literal::u64_suffixed));
                let each = string_checks(items, wire, quote! { Some(i) }, quote! { item });
                let each = if each.is_empty() {
                    quote! {}
                } else {
                    quote! { for (i, item) in v.iter().enumerate() { #each } }
                };
                quote! { check::count(#wire, v.len(), #min, #max)?; #each }
            }
            _ => quote! {},
        };
        if !rules.is_empty() {
            option_checks.push(quote! { if let Some(v) = &options.#f { #rules } });
        }
    }

    let set_body = if set_arms.is_empty() {
        quote! { let _ = (options, name, value); Ok(false) }
    } else {
        quote! {
            let known = match name {
                #(#set_arms)*
                _ => false,
            };
            Ok(known)
        }
    };

    // The typed body of one batch.
    let body_fields = c.binding.body_fields.iter().map(|(wire, (field_ident, ty))| {
        if *wire == batch.field {
            match bindings.list_conversion(ty) {
                Some(direct) => quote! { #field_ident: #direct },
                None => quote! { #field_ident: convert::list(items)? },
            }
        } else {
            let f = ident(&wire.to_snake_case());
            // The setter's value as it is (the generated type, or the same plain type), else
            // converted into the field's type.
            let as_is = opts
                .iter()
                .find(|p| &p.name == wire)
                .is_some_and(|p| matches!(setter_kind(p, ty), SetterKind::Typed(_)) || plain_type(p, ty));
            let value = if as_is {
                quote! { convert::cloned(&options.#f) }
            } else {
                quote! { convert::value(&options.#f)? }
            };
            if is_option(ty) {
                quote! { #field_ident: #value }
            } else if op.body_requires(wire) {
                quote! { #field_ident: convert::required(#wire, #value)? }
            } else {
                // An optional property typify keeps without `Option` (a list, say): its default
                // is what serde leaves out.
                quote! { #field_ident: #value.unwrap_or_default() }
            }
        }
    });

    let item_checks = string_checks(&batch.item, &batch.field, quote! { Some(index) }, quote! { item });
    let (id, http, path) = (&op.id, &op.method, &op.path);
    let summary = op.summary.as_deref().unwrap_or("");
    let field = &batch.field;
    let (min, max) =
        (Literal::usize_unsuffixed(batch.min_items as usize), Literal::usize_unsuffixed(batch.max_items as usize));
    let option_names = opts.iter().map(|p| &p.name);
    let separator = match &batch.text {
        Some(Rule::String { separator: Some(sep), .. }) => quote! { Some(#sep) },
        _ => quote! { None },
    };
    let text_form = batch.text.is_some();
    let text_checks = match &batch.text {
        Some(rule) => string_checks(rule, &batch.field, quote! { None }, quote! { text }),
        None => quote! {},
    };
    let idempotent = op.idempotent;

    let mut marker_doc = vec![format!(" `{id}`: `{http} {path}`."), String::new()];
    if !summary.is_empty() {
        marker_doc.insert(0, format!(" {summary}."));
        marker_doc.insert(1, String::new());
    }
    marker_doc.extend(doc_lines(op.description.as_deref()));
    let options_doc = format!(" The optional body properties of [`{marker}`], set through the call's setters.");

    let mut method_doc: Vec<String> = Vec::new();
    method_doc.push(format!(
        " {} (`{id}`): sends every item of `{field}`, in requests of at most {} each.",
        if summary.is_empty() { id.as_str() } else { summary },
        batch.max_items
    ));
    method_doc.push(String::new());
    method_doc.extend(doc_lines(op.description.as_deref()));
    method_doc.push(String::new());
    method_doc.push(" Nothing is sent until [`Purge::send`]; the whole selection is checked first.".into());
    let positional_args = positional.iter().map(|(_, q)| {
        let a = ident(&q.rust_name);
        quote! { #a: impl Into<String> }
    });
    let positional_values = positional.iter().map(|(i, q)| {
        let a = ident(&q.rust_name);
        let i = Literal::usize_unsuffixed(*i);
        quote! { (#i, #a.into()) }
    });
    let items_arg = ident(&field.to_snake_case());

    let tokens = quote! {
        #(#[doc = #marker_doc])*
        #[derive(Debug, Clone, Copy)]
        pub enum #marker {}

        #[doc = #options_doc]
        #[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
        #[serde(default)]
        pub struct #options_ident {
            #(#option_fields)*
        }

        impl Operation for #marker {
            const INFO: &'static OperationInfo = &OperationInfo {
                operation_id: #id,
                method: #http,
                path: #path,
                summary: #summary,
                params: &[#(#param_infos),*],
                batch_field: #field,
                min_items: #min,
                max_items: #max,
                options: &[#(#option_names),*],
                text_form: #text_form,
                separator: #separator,
                idempotent: #idempotent,
            };
            type Options = #options_ident;
            type Body = types::#body_type;

            fn check(params: &[Option<String>], options: &Self::Options) -> Result<(), ValidationError> {
                let _ = (params, options);
                #(#param_checks)*
                #(#option_checks)*
                #(#conversion_checks)*
                Ok(())
            }

            fn check_item(index: usize, item: &str) -> Result<(), ValidationError> {
                let _ = (index, item);
                #item_checks
                Ok(())
            }

            fn check_text(text: &str) -> Result<(), ValidationError> {
                let _ = text;
                #text_checks
                Ok(())
            }

            fn set(options: &mut Self::Options, name: &str, value: &str) -> Result<bool, ValidationError> {
                #set_body
            }

            fn body(items: &[String], options: &Self::Options) -> Result<Self::Body, String> {
                let _ = options;
                Ok(types::#body_type { #(#body_fields),* })
            }

            fn send<'a>(
                api: &'a api::Client,
                params: &[Option<String>],
                body: Self::Body,
            ) -> crate::operation::Sending<'a> {
                let _ = params;
                #[allow(unused_mut)]
                let mut b = api.#client_method();
                #(#param_sends)*
                Box::pin(async move {
                    b.body(body).send().await.map(|r| crate::operation::Answer::of(r.status(), r.headers()))
                })
            }
        }

        impl Purge<'_, #marker> {
            #(#param_setters)*
            #(#setters)*
        }

        impl EdgeCache {
            #(#[doc = #method_doc])*
            pub fn #method<I, S>(&self, #(#positional_args,)* #items_arg: I) -> Purge<'_, #marker>
            where
                I: IntoIterator<Item = S>,
                S: Into<String>,
            {
                Purge::new(self, vec![#(#positional_values),*], #items_arg.into_iter().map(Into::into).collect())
            }
        }
    };
    (tokens, recorded)
}
