//! The spec's facts about the API as a whole, generated with quote: the default base URL and
//! how requests authenticate (progenitor ignores `securitySchemes`, progenitor #420). The per-operation facts and checks are in [`crate::operations`].

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Api, Auth};

/// Generates the `spec` module's items.
pub fn generate(api: &Api) -> TokenStream {
    let base_url = match &api.default_base_url {
        Some(url) => {
            let doc = " The spec's first server: where requests go unless the client is told otherwise.";
            quote! { #[doc = #doc] pub const DEFAULT_BASE_URL: &str = #url; }
        }
        None => {
            let doc = " The spec names no server: the client needs an explicit base URL.";
            quote! { #[doc = #doc] pub const DEFAULT_BASE_URL: &str = ""; }
        }
    };
    let auth = auth(api.auth.as_ref());
    quote! {
        #base_url
        #auth
    }
}

fn auth(auth: Option<&Auth>) -> TokenStream {
    let (header, prefix, doc) = match auth {
        Some(Auth::Bearer { scheme }) => (
            "authorization",
            "Bearer ",
            format!(" `{scheme}`: HTTP bearer authentication, `Authorization: Bearer <token>`."),
        ),
        Some(Auth::ApiKeyHeader { scheme, header }) => {
            (header.as_str(), "", format!(" `{scheme}`: an API key in the `{header}` header."))
        }
        None => ("", "", " The spec declares no security scheme: no credential header is sent.".to_string()),
    };
    let header = header.to_ascii_lowercase();
    quote! {
        #[doc = " How every request authenticates, from `components/securitySchemes`."]
        #[doc = ""]
        #[doc = #doc]
        pub mod auth {
            #[doc = " The header that carries the credential (lower case)."]
            pub const HEADER: &str = #header;
            #[doc = " What goes before the token in the header's value."]
            pub const PREFIX: &str = #prefix;
        }
    }
}
