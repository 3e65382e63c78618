//! `spec.rs`: the API as a whole, as the runtime reads it (`generated::spec::API`): the default
//! base URL, how requests authenticate (progenitor ignores `securitySchemes`, progenitor #420),
//! and the registry of operations with a high-level call. The per-operation facts and checks
//! are in the layer ([`crate::layer`]).

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Api, Auth};

/// Generates the `spec` module's items.
pub fn generate(api: &Api) -> TokenStream {
    let (base_url, base_doc) = match &api.default_base_url {
        Some(url) => (
            url.as_str(),
            format!(" Requests go to `{url}` (the spec's first server) unless the client is told otherwise."),
        ),
        None => ("", " The spec names no server: the client needs an explicit base URL.".to_string()),
    };
    let (header, prefix, auth_doc) = auth(api.auth.as_ref());
    let flags = api.cli.parameters.iter().map(|(flag, wire)| quote! { (#flag, #wire) });
    quote! {
        use crate::contract;

        #[doc = " The API as the runtime reads it."]
        #[doc = ""]
        #[doc = #base_doc]
        #[doc = ""]
        #[doc = #auth_doc]
        pub(crate) static API: contract::ApiSpec = contract::ApiSpec {
            base_url: #base_url,
            auth: contract::Auth { header: #header, prefix: #prefix },
            parameter_flags: &[#(#flags),*],
            operations: super::operations::OPERATIONS,
        };
    }
}

/// The header, the prefix before the token, and what the scheme is.
fn auth(auth: Option<&Auth>) -> (String, &'static str, String) {
    match auth {
        Some(Auth::Bearer { scheme }) => (
            "authorization".into(),
            "Bearer ",
            format!(" Auth, `{scheme}`: HTTP bearer authentication, `Authorization: Bearer <token>`."),
        ),
        Some(Auth::ApiKeyHeader { scheme, header }) => {
            (header.to_ascii_lowercase(), "", format!(" Auth, `{scheme}`: an API key in the `{header}` header."))
        }
        None => {
            (String::new(), "", " Auth: the spec declares no security scheme, so no credential header is sent.".into())
        }
    }
}
