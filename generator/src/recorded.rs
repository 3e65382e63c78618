//! The mock's `RecordedPurge`, generated with quote: one field per query parameter and per body
//! property of any operation (a union, each an `Option`), filled from a received request by wire
//! name. Two operations may share a field only with one name and type.

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::quote;

use crate::error::SpecError;
use crate::model::Operation;
use crate::operations::ident;

/// A body property as `RecordedPurge` holds it: the type its setter stores.
pub struct RecordedOption {
    /// The wire name.
    pub wire: String,
    /// Its description.
    pub description: Option<String>,
    /// The setter's type (`String`, `i64`, `types::Target`, ...).
    pub ty: TokenStream,
}

/// Field names the runtime fills itself.
const RUNTIME_FIELDS: &[&str] = &["operation", "items", "status", "error"];

/// One field of `RecordedPurge`.
struct Field {
    name: String,
    wire: String,
    description: Option<String>,
    ty: TokenStream,
    /// A query parameter (else a body property).
    query: bool,
    /// The operation it was first seen in.
    owner: String,
}

impl Field {
    fn what(&self) -> String {
        let kind = if self.query { "query parameter" } else { "body property" };
        format!("the {kind} `{}` ({})", self.wire, self.ty.to_string().replace(' ', ""))
    }

    fn same(&self, other: &Field) -> bool {
        self.wire == other.wire && self.query == other.query && self.ty.to_string() == other.ty.to_string()
    }
}

/// `RecordedPurge` for the covered operations, each with its body properties, or every clash.
pub fn generate(
    file: &std::path::Path,
    ops: &[(&Operation, Vec<RecordedOption>)],
) -> Result<TokenStream, Vec<SpecError>> {
    let mut errors = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    for (op, options) in ops {
        let params = op.query.iter().map(|q| Field {
            name: q.rust_name.clone(),
            wire: q.name.clone(),
            description: q.description.clone(),
            ty: quote! { String },
            query: true,
            owner: op.id.clone(),
        });
        let options = options.iter().map(|o| Field {
            name: o.wire.to_snake_case(),
            wire: o.wire.clone(),
            description: o.description.clone(),
            ty: o.ty.clone(),
            query: false,
            owner: op.id.clone(),
        });
        for field in params.chain(options) {
            let clash = |why: String| SpecError::new(file, op.location(), why);
            if RUNTIME_FIELDS.contains(&field.name.as_str()) {
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
    if !errors.is_empty() {
        return Err(errors);
    }

    let decl = |f: &Field| {
        let (name, wire, ty) = (ident(&f.name), &f.wire, &f.ty);
        let kind = if f.query { "query parameter" } else { "body property" };
        let doc = match f.description.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => format!(" The {kind} `{wire}`: {}", d.lines().next().unwrap_or_default()),
            None => format!(" The {kind} `{wire}`."),
        };
        quote! { #[doc = #doc] #[serde(rename = #wire)] pub #name: Option<#ty>, }
    };
    let fill = |f: &Field| {
        let (name, wire) = (ident(&f.name), &f.wire);
        if f.query {
            quote! { #name: request.query(#wire), }
        } else {
            quote! { #name: request.body_value(#wire), }
        }
    };
    let (query, body): (Vec<&Field>, Vec<&Field>) = fields.iter().partition(|f| f.query);
    let (query_decls, body_decls) = (query.iter().map(|f| decl(f)), body.iter().map(|f| decl(f)));
    let (query_fills, body_fills) = (query.iter().map(|f| fill(f)), body.iter().map(|f| fill(f)));
    let query_arms: Vec<TokenStream> = query
        .iter()
        .map(|f| {
            let (name, wire) = (ident(&f.name), &f.wire);
            quote! { #wire => self.#name.as_deref(), }
        })
        .collect();
    let query_body = if query_arms.is_empty() {
        quote! { let _ = name; None }
    } else {
        quote! { match name { #(#query_arms)* _ => None } }
    };
    let batch_fields = ops
        .iter()
        .filter_map(|(op, _)| op.batch.as_ref().map(|b| format!("`{}` of `{}`", b.field, op.id)))
        .collect::<Vec<_>>()
        .join(", ");
    let items_doc =
        format!(" The items of the request's batch field ({batch_fields}), whether the request was accepted or not.");
    Ok(quote! {
        #[doc = " One request the mock server (`vercel_edge_cache::mock`, feature `mock`) received: its"]
        #[doc = " operation, query parameters and body properties (a field for each of any operation, unset"]
        #[doc = " when the request did not carry it or it could not be read), and what the mock answered."]
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
            #[doc = " A query parameter by its wire name, as the request carried it."]
            pub fn query(&self, name: &str) -> Option<&str> {
                #query_body
            }

            #[doc = " The record of a request (the mock server builds it)."]
            #[doc(hidden)]
            pub fn of(request: &crate::inbound::Request, status: u16, error: Option<String>) -> Self {
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
