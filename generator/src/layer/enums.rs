//! The setter enums (`Target`): one per `enum` field, or per group of fields of one name and the
//! same values; re-exported at the crate root. Each converts to and from its wire value, and
//! its `FromStr` refuses other text the way the client's checks do.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_lines;
use super::plan::SetterEnum;

/// One enum, with its conversions.
pub fn setter_enum(e: &SetterEnum) -> TokenStream {
    let name = &e.ident;
    let wire = e.wire;
    let mut doc = doc_lines(e.description);
    if doc.is_empty() {
        doc.push(format!(" The values of `{wire}`."));
    }
    doc.extend([
        String::new(),
        " A value the spec adds is a new variant: a `match` needs a wildcard arm (`_ =>`).".to_string(),
    ]);
    let variants = e.values.iter().map(|(value, variant)| {
        let doc = format!(" `{value}`");
        quote! { #[doc = #doc] #[serde(rename = #value)] #variant }
    });
    let all = e.values.iter().map(|(_, v)| quote! { #name::#v });
    let to_str = e.values.iter().map(|(value, v)| quote! { #name::#v => #value });
    let from_str = e.values.iter().map(|(value, v)| quote! { #value => Ok(#name::#v) });
    let values: Vec<&String> = e.values.iter().map(|(v, _)| v).collect();
    quote! {
        #(#[doc = #doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants),*
        }

        impl #name {
            #[doc = " Every value, in the spec's order."]
            pub const ALL: &'static [#name] = &[#(#all),*];

            #[doc = " The value as the wire carries it."]
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(#to_str),*
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = contract::ValidationError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    #(#from_str,)*
                    _ => Err(contract::check::not_allowed(#wire, value, &[#(#values),*])),
                }
            }
        }
    }
}
