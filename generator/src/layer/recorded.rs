//! The mock's `RecordedPurge` (`recorded.rs`, feature `mock`): one field per query parameter and
//! per body property of any operation (a union, each an `Option` of its kind's type), filled
//! from a received request by wire name. Two operations may share a field only with one wire
//! name and one type; an `enum` field holds its setter enum when every operation's field of
//! that name shares one, else its wire value.

use proc_macro2::TokenStream;
use quote::quote;

use super::plan::{Covered, FieldPlan, Place, Plan};
use crate::error::SpecError;
use crate::names::reserved::RECORDED_FIELDS;
use crate::names::{Case, ident, rust_name};

/// One field of `RecordedPurge`.
struct Field {
    name: String,
    wire: String,
    description: Option<String>,
    ty: TokenStream,
    query: bool,
    /// The operation it was first seen in.
    owner: String,
}

impl Field {
    fn of(c: &Covered, f: &FieldPlan) -> Self {
        // A parameter (of the query or the path) is read from the request's URL.
        let query = f.place != Place::Body;
        let param = c.op.query.iter().chain(&c.op.path_params).find(|q| query && q.name == f.wire);
        let name = param.map_or_else(|| rust_name(f.wire, Case::Snake), |q| q.rust_name.clone());
        let ty = f.kind.recorded(f.choice.as_ref().filter(|_| f.choice_shared));
        Field {
            name,
            wire: f.wire.to_string(),
            description: f.description.map(str::to_string),
            ty,
            query,
            owner: c.op.id.clone(),
        }
    }

    fn what(&self) -> String {
        let kind = if self.query { "query parameter" } else { "body property" };
        format!("the {kind} `{}` ({})", self.wire, self.ty.to_string().replace(' ', ""))
    }

    fn same(&self, other: &Field) -> bool {
        self.wire == other.wire && self.query == other.query && self.ty.to_string() == other.ty.to_string()
    }
}

/// The fields of every covered operation, or every clash.
fn fields(file: &std::path::Path, plan: &Plan) -> Result<Vec<Field>, Vec<SpecError>> {
    let mut errors = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    for c in &plan.covered {
        for field in c.fields.iter().map(|f| Field::of(c, f)) {
            let clash = |why: String| SpecError::new(file, c.op.location(), why);
            if RECORDED_FIELDS.contains(&field.name.as_str()) {
                errors.push(clash(format!(
                    "`{}` would be the field `{}` of the mock's `RecordedPurge`, which the runtime fills; rename it",
                    field.wire, field.name
                )));
                continue;
            }
            match fields.iter().find(|f| f.name == field.name) {
                None => fields.push(field),
                Some(seen) if seen.same(&field) => {}
                Some(seen) => errors.push(clash(format!(
                    "{} here and {} of `{}` would both be the field `{}` of the mock's `RecordedPurge`; give them one name and type, or rename one",
                    field.what(),
                    seen.what(),
                    seen.owner,
                    field.name
                ))),
            }
        }
    }
    if errors.is_empty() { Ok(fields) } else { Err(errors) }
}

/// `recorded.rs`, or every clash.
pub fn generate(file: &std::path::Path, plan: &Plan) -> Result<TokenStream, Vec<SpecError>> {
    let fields = fields(file, plan)?;
    let decl = |f: &Field| {
        let (name, wire, ty) = (ident(&f.name, Case::Snake), &f.wire, &f.ty);
        let kind = if f.query { "query parameter" } else { "body property" };
        let doc = match f.description.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => format!(" The {kind} `{wire}`: {}", d.lines().next().unwrap_or_default()),
            None => format!(" The {kind} `{wire}`."),
        };
        quote! { #[doc = #doc] #[serde(rename = #wire)] pub #name: Option<#ty>, }
    };
    let fill = |f: &Field| {
        let (name, wire) = (ident(&f.name, Case::Snake), &f.wire);
        quote! { #name: request.get(#wire), }
    };
    let (query, body): (Vec<&Field>, Vec<&Field>) = fields.iter().partition(|f| f.query);
    let (query_decls, body_decls) = (query.iter().map(|f| decl(f)), body.iter().map(|f| decl(f)));
    let (query_fills, body_fills) = (query.iter().map(|f| fill(f)), body.iter().map(|f| fill(f)));
    let query_arms: Vec<TokenStream> = query
        .iter()
        .map(|f| {
            let (name, wire) = (ident(&f.name, Case::Snake), &f.wire);
            quote! { #wire => self.#name.as_ref().map(ToString::to_string), }
        })
        .collect();
    let batch_fields = plan
        .covered
        .iter()
        .filter_map(|c| Some(format!("`{}` of `{}`", c.batch?.field, c.op.id)))
        .collect::<Vec<_>>()
        .join(", ");
    let items_doc =
        format!(" The items of the request's batch field ({batch_fields}), whether the request was accepted or not.");
    Ok(quote! {
        use crate::contract;
        #[allow(unused_imports)]
        use super::operations::setter_types;

        #[doc = " One request the mock server (`MockVercel`) received: its operation, query parameters"]
        #[doc = " and body properties (a field for each of any operation, unset when the request did not"]
        #[doc = " carry it or it could not be read), and what the mock answered."]
        #[doc = ""]
        #[doc = " The JSON form (the CLI mock's `GET /_mock/purges`) names the fields as the wire does."]
        #[doc = ""]
        #[doc = " A field is added for each parameter or property the spec adds: match it with `..`."]
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct RecordedPurge {
            #[doc = " The spec's `operationId` of the request's method and path, such as"]
            #[doc = " `invalidateByTags`; empty when they match no operation."]
            pub operation: String,
            #(#query_decls)*
            #[doc = #items_doc]
            pub items: Vec<String>,
            #(#body_decls)*
            #[doc = " The HTTP status the mock answered; 0 when it dropped the connection instead."]
            pub status: u16,
            #[doc = " The message of the error body the mock answered, if it refused or failed the request."]
            pub error: Option<String>,
        }

        impl RecordedPurge {
            #[doc = " A query parameter by its wire name, as the request carried it (read as its kind)."]
            pub fn query(&self, name: &str) -> Option<String> {
                match name {
                    #(#query_arms)*
                    _ => None,
                }
            }

            #[doc = " The record of a request (the mock server builds it)."]
            pub(crate) fn of(request: &contract::Inbound, status: u16, error: Option<String>) -> Self {
                Self {
                    operation: request.operation().to_string(),
                    #(#query_fills)*
                    items: request.items(),
                    #(#body_fills)*
                    status,
                    error,
                }
            }
        }
    })
}
