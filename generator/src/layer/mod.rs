//! The user-facing layer, generated with quote from the model and what progenitor's types are
//! ([`crate::progenitor_names`]): `operations.rs` (per operation a sealed marker type, its typed
//! setters, its `EdgeCache` method and its description for the runtime; the setter enums; the
//! scope's constructors and setters) and, for the testing kit, `recorded.rs`.
//!
//! Every name of the runtime it uses goes through the runtime's `contract` module; each
//! constraint of the spec becomes one direct check ([`checks`]).

pub mod body;
pub mod checks;
pub mod docs;
pub mod enums;
pub mod operation;
pub mod plan;
pub mod recorded;

use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::SpecError;
use crate::model::Api;
use crate::progenitor_names::Types;
use plan::{Plan, ScopeParam};

/// The generated `operations.rs` and `recorded.rs`.
pub struct Layer {
    /// `operations.rs`.
    pub operations: TokenStream,
    /// `recorded.rs` (the mock's `RecordedPurge`).
    pub recorded: TokenStream,
    /// `example.md`: the crate's front-page example.
    pub example: String,
    /// `mock_example.md`: the testing kit's example.
    pub mock_example: String,
}

/// The layer, or every problem that stops it.
pub fn generate(file: &Path, api: &Api, types: &Types) -> Result<Layer, Vec<SpecError>> {
    let plan = plan::plan(file, api, types)?;
    let recorded = recorded::generate(file, &plan)?;
    Ok(Layer {
        operations: operations(&plan),
        recorded,
        example: docs::example(&plan),
        mock_example: docs::mock_example(&plan),
    })
}

fn operations(plan: &Plan) -> TokenStream {
    let doc =
        " The operations of the spec, one marker type each, with their checks, setters and\n `EdgeCache` methods.";
    let enums = plan.enums.iter().map(enums::setter_enum);
    let scope = scope(&plan.scope);
    let public = plan.covered.iter().map(operation::public);
    let modules = plan.covered.iter().map(operation::module);
    let specs = plan.covered.iter().map(|c| {
        let module = &c.module;
        quote! { &#module::SPEC }
    });
    quote! {
        #![doc = #doc]
        use crate::contract;
        use crate::generated::api::{self, types};

        #[doc = " The enums the setters take, re-exported at the crate root."]
        #[doc(hidden)]
        pub mod setter_types {
            use crate::contract;
            #(#enums)*
        }

        #scope

        #(#public)*

        #[doc = " Every operation with a high-level call, in spec order."]
        pub(crate) const OPERATIONS: &[&contract::OperationSpec] = &[#(#specs),*];

        #(#modules)*
    }
}

/// The scope's constructors and the builder's setters, one per scope parameter.
fn scope(scope: &[ScopeParam]) -> TokenStream {
    let ctors = scope.iter().map(|p| {
        let (f, wire) = (&p.ident, p.wire);
        let mut doc = vec![format!(" A scope with only `{wire}`.")];
        let more = doc_lines(p.description);
        if !more.is_empty() {
            doc.push(String::new());
            doc.extend(more);
        }
        doc.extend([
            String::new(),
            " ```".into(),
            " use vercel_edge_cache::Scope;".into(),
            format!(" let scope = Scope::{f}(\"x\");"),
            format!(" assert_eq!(scope.get({wire:?}), Some(\"x\"));"),
            " ```".into(),
        ]);
        quote! {
            #(#[doc = #doc])*
            pub fn #f(value: impl Into<String>) -> Self {
                contract::scope(Self::default(), #wire, value.into())
            }
        }
    });
    let setters = scope.iter().map(|p| {
        let (f, wire) = (&p.ident, p.wire);
        let doc = format!(" The `{wire}` sent with every request (calls may override it).");
        quote! {
            #[doc = #doc]
            pub fn #f(self, value: impl Into<String>) -> Self {
                contract::default_scope(self, #wire, value.into())
            }
        }
    });
    quote! {
        impl contract::Scope {
            #(#ctors)*
        }

        impl contract::EdgeCacheBuilder {
            #(#setters)*
        }
    }
}

/// A description as doc lines (each with its leading space).
pub fn doc_lines(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("").trim().lines().map(|l| format!(" {l}").trim_end().to_string()).collect()
}
