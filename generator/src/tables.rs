//! The spec tables: what progenitor leaves out, generated with quote.
//!
//! progenitor drops `minItems`/`maxItems`/`maxLength`/`maximum` (typify #169) and ignores
//! `securitySchemes` (progenitor #420). This module emits them as declarative data (constants
//! and `crate::schema` tables) that the hand-written runtime interprets: validation before a
//! request is sent, batch sizes, the auth header, the default base URL, typed error statuses.

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Api, Auth, Operation, Rule};

/// Generates the `spec` module's items.
pub fn generate(api: &Api) -> TokenStream {
    let base_url = match &api.default_base_url {
        Some(url) => {
            let doc = " The spec's first server: where requests go unless the client is told otherwise.";
            quote! { #[doc = #doc] pub const DEFAULT_BASE_URL: &str = #url; }
        }
        None => quote! {},
    };
    let title = &api.title;
    let version = &api.version;
    let auth = auth(api.auth.as_ref());
    let limits = limits(&api.operations);
    let names = names(&api.operations);
    let modules = api.operations.iter().map(operation_module);
    let all = api.operations.iter().map(|op| {
        let m = format_ident!("{}", op.id.to_snake_case());
        quote! { &#m::OPERATION }
    });
    quote! {
        use crate::schema::{Operation, Property, QueryParam, Schema};

        #[doc = " `info.title` of the spec."]
        pub const API_TITLE: &str = #title;
        #[doc = " `info.version` of the spec."]
        pub const API_VERSION: &str = #version;
        #base_url
        #auth
        #limits
        #names
        #(#modules)*

        #[doc = " Every operation of the spec, in spec order."]
        pub static OPERATIONS: &[&Operation] = &[#(#all),*];
    }
}

fn auth(auth: Option<&Auth>) -> TokenStream {
    let (scheme, header, prefix, doc) = match auth {
        Some(Auth::Bearer { scheme }) => (
            scheme.as_str(),
            "authorization",
            "Bearer ",
            format!(" `{scheme}`: HTTP bearer authentication, `Authorization: Bearer <token>`."),
        ),
        Some(Auth::ApiKeyHeader { scheme, header }) => {
            (scheme.as_str(), header.as_str(), "", format!(" `{scheme}`: an API key in the `{header}` header."))
        }
        None => return quote! {},
    };
    let header = header.to_ascii_lowercase();
    quote! {
        #[doc = " How every request authenticates, from `components/securitySchemes`."]
        #[doc = ""]
        #[doc = #doc]
        pub mod auth {
            #[doc = " The security scheme's name in the spec."]
            pub const SCHEME: &str = #scheme;
            #[doc = " The header that carries the credential (lower case)."]
            pub const HEADER: &str = #header;
            #[doc = " What goes before the token in the header's value."]
            pub const PREFIX: &str = #prefix;
        }
    }
}

/// Constants for the wire names of query parameters and top-level body properties, so that
/// hand-written code names them through the spec (a rename in the spec is a compile error there).
/// A name is left out when two different wire names would get the same constant.
fn names(ops: &[Operation]) -> TokenStream {
    fn consts<'a>(names: impl Iterator<Item = &'a str>, what: &str) -> Vec<TokenStream> {
        let mut by_const: BTreeMap<String, std::collections::BTreeSet<&str>> = BTreeMap::new();
        for n in names {
            by_const.entry(n.to_shouty_snake_case()).or_default().insert(n);
        }
        by_const
            .into_iter()
            .filter(|(c, wire)| wire.len() == 1 && syn::parse_str::<syn::Ident>(c).is_ok())
            .map(|(c, wire)| {
                let ident = format_ident!("{}", c);
                let wire = wire.into_iter().next().expect("one");
                let doc = format!(" The {what} `{wire}`.");
                quote! { #[doc = #doc] pub const #ident: &str = #wire; }
            })
            .collect()
    }
    let query = consts(ops.iter().flat_map(|op| op.query.iter().map(|q| q.name.as_str())), "query parameter");
    let body = consts(
        ops.iter().flat_map(|op| match &op.body {
            Some(Rule::Object { properties, .. }) => properties.iter().map(|(n, _)| n.as_str()).collect(),
            _ => Vec::new(),
        }),
        "request-body property",
    );
    quote! {
        #[doc = " Wire names of the query parameters, across all operations."]
        pub mod query {
            #(#query)*
        }
        #[doc = " Wire names of the request bodies' top-level properties, across all operations."]
        pub mod body {
            #(#body)*
        }
    }
}

/// Shared per-field limits, named after the field, where every operation agrees on them.
fn limits(ops: &[Operation]) -> TokenStream {
    let mut by_field: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for op in ops {
        if let Some(b) = &op.batch {
            by_field.entry(b.field.as_str()).or_default().push(b.max_items);
        }
    }
    let consts = by_field.into_iter().filter_map(|(field, maxes)| {
        let max = maxes[0];
        if maxes.iter().any(|m| *m != max) {
            return None;
        }
        let name = format_ident!("MAX_{}_PER_REQUEST", field.to_shouty_snake_case());
        let value = Literal::usize_unsuffixed(max as usize);
        let doc = format!(" The most `{field}` one request may carry (`maxItems`).");
        Some(quote! { #[doc = #doc] pub const #name: usize = #value; })
    });
    quote! {
        #[doc = " Limits shared by every operation that has the field."]
        pub mod limits {
            #(#consts)*
        }
    }
}

fn operation_module(op: &Operation) -> TokenStream {
    let module = format_ident!("{}", op.id.to_snake_case());
    let doc = format!(" `{}`: `{} {}`.", op.id, op.method, op.path);
    let id = &op.id;
    let method = &op.method;
    let path = &op.path;
    let summary = op.summary.as_deref().unwrap_or("");
    let query = op.query.iter().map(|q| {
        let name = &q.name;
        let required = q.required;
        let schema = rule(&q.rule);
        quote! { QueryParam { name: #name, required: #required, schema: #schema } }
    });
    let body = match &op.body {
        Some(r) => {
            let r = rule(r);
            quote! { Some(#r) }
        }
        None => quote! { None },
    };
    let body_required = op.body_required;
    let success = op.success_statuses.iter().map(|s| Literal::u16_unsuffixed(*s));
    let errors = op.error_statuses.iter().map(|s| Literal::u16_unsuffixed(*s));
    let default_error = op.default_error;
    let batch = match &op.batch {
        Some(b) => {
            let field = &b.field;
            let max = Literal::usize_unsuffixed(b.max_items as usize);
            let min = Literal::usize_unsuffixed(b.min_items as usize);
            let fdoc = " The body list that large selections are split on.".to_string();
            let maxdoc = format!(" The most `{field}` one request may carry (`maxItems`).");
            let mindoc = format!(" The fewest `{field}` one request must carry (`minItems`).");
            quote! {
                #[doc = #fdoc]
                pub const BATCH_FIELD: &str = #field;
                #[doc = #maxdoc]
                pub const MAX_ITEMS_PER_REQUEST: usize = #max;
                #[doc = #mindoc]
                pub const MIN_ITEMS_PER_REQUEST: usize = #min;
            }
        }
        None => quote! {},
    };
    quote! {
        #[doc = #doc]
        pub mod #module {
            use super::*;
            #batch
            #[doc = " The operation's table: path, query, body rules and statuses."]
            pub static OPERATION: Operation = Operation {
                operation_id: #id,
                method: #method,
                path: #path,
                summary: #summary,
                query: &[#(#query),*],
                body: #body,
                body_required: #body_required,
                success_statuses: &[#(#success),*],
                error_statuses: &[#(#errors),*],
                default_error: #default_error,
            };
        }
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(v) => {
            let v = Literal::u64_unsuffixed(v);
            quote! { Some(#v) }
        }
        None => quote! { None },
    }
}

fn rule(r: &Rule) -> TokenStream {
    match r {
        Rule::String { min_length, max_length, enumeration } => {
            let (min, max) = (opt_u64(*min_length), opt_u64(*max_length));
            quote! { Schema::String { min_length: #min, max_length: #max, enumeration: &[#(#enumeration),*] } }
        }
        Rule::Integer { minimum, maximum } => {
            let lit = |v: &Option<i64>| match v {
                Some(v) => {
                    let v = Literal::i64_unsuffixed(*v);
                    quote! { Some(#v) }
                }
                None => quote! { None },
            };
            let (min, max) = (lit(minimum), lit(maximum));
            quote! { Schema::Integer { minimum: #min, maximum: #max } }
        }
        Rule::Number { minimum, maximum } => {
            let lit = |v: &Option<f64>| match v {
                Some(v) => {
                    let v = Literal::f64_unsuffixed(*v);
                    quote! { Some(#v) }
                }
                None => quote! { None },
            };
            let (min, max) = (lit(minimum), lit(maximum));
            quote! { Schema::Number { minimum: #min, maximum: #max } }
        }
        Rule::Boolean => quote! { Schema::Boolean },
        Rule::Array { min_items, max_items, items } => {
            let (min, max) = (opt_u64(*min_items), opt_u64(*max_items));
            let items = rule(items);
            quote! { Schema::Array { min_items: #min, max_items: #max, items: &#items } }
        }
        Rule::Object { properties, required, additional } => {
            let props = properties.iter().map(|(name, r)| {
                let r = rule(r);
                quote! { Property { name: #name, schema: #r } }
            });
            quote! {
                Schema::Object {
                    properties: &[#(#props),*],
                    required: &[#(#required),*],
                    additional_properties: #additional,
                }
            }
        }
        Rule::OneOf(alts) => {
            let alts = alts.iter().map(rule);
            quote! { Schema::OneOf(&[#(#alts),*]) }
        }
        Rule::Any => quote! { Schema::Any },
    }
}
