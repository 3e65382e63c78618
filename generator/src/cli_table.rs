//! The CLI's table, generated from the `x-edge-cache-cli` mapping: the commands, the selections
//! and, per operation, the command and selection that reach it and the flags it takes. The
//! `edge-cache` binary builds its commands from this table and dispatches through it.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Api, Rule};

/// The generated `cli.rs`.
pub fn generate(api: &Api) -> TokenStream {
    let routed: Vec<_> = api.operations.iter().filter_map(|op| op.cli.as_ref().map(|m| (op, m))).collect();
    let commands = api.cli.commands.iter().filter(|c| routed.iter().any(|(_, m)| m.command == c.name)).map(|c| {
        let (name, about) = (&c.name, &c.about);
        let confirm = match &c.confirm {
            Some(text) => quote! { Some(#text) },
            None => quote! { None },
        };
        quote! { crate::table::Command { name: #name, about: #about, confirm: #confirm } }
    });
    let selections =
        api.cli.selections.iter().filter(|(name, _)| routed.iter().any(|(_, m)| m.selection.as_ref() == Some(*name))).map(
            |(name, s)| {
                let (from, one, many, help) = (&s.from, &s.noun.0, &s.noun.1, &s.help);
                // Its own separator, else that of the string form of its operations' batch field
                // (`x-edge-cache-split`): one rule for the CLI and the mock.
                let written = routed.iter().filter(|(_, m)| m.selection.as_ref() == Some(name)).find_map(|(op, _)| {
                    match op.batch.as_ref()?.text.as_ref()? {
                        Rule::String { separator, .. } => separator.clone(),
                        _ => None,
                    }
                });
                let split = match s.split.clone().or(written) {
                    Some(sep) => quote! { Some(#sep) },
                    None => quote! { None },
                };
                quote! { crate::table::Selection { flag: #name, from: #from, noun: (#one, #many), split: #split, help: #help } }
            },
        );
    let routes = routed.iter().map(|(op, m)| {
        let (command, id) = (&m.command, &op.id);
        let selection = match &m.selection {
            Some(s) => quote! { Some(#s) },
            None => quote! { None },
        };
        let help = |field: &str| {
            let description = match op.body_properties().iter().find(|p| p.name == field) {
                Some(p) => p.description.as_deref(),
                None => op
                    .query
                    .iter()
                    .chain(&op.path_params)
                    .find(|q| q.name == field)
                    .and_then(|q| q.description.as_deref()),
            };
            description.unwrap_or("").trim().lines().next().unwrap_or("").trim_end_matches('.').to_string()
        };
        // Path parameters first (they name what the command acts on), then the arguments the
        // mapping names.
        let path = op.path_params.iter().map(|p| &p.name);
        let args = path.chain(&m.args).map(|field| {
            let (name, help) = (crate::names::kebab(field).to_uppercase().replace('-', "_"), help(field));
            quote! { crate::table::Positional { name: #name, field: #field, help: #help } }
        });
        let flags = m.all_flags(&api.cli, op).into_iter().map(|f| {
            let help = help(&f.field);
            let (flag, field) = (&f.flag, &f.field);
            quote! { crate::table::Flag { name: #flag, field: #field, help: #help } }
        });
        let deprecated = op.deprecated;
        quote! {
            crate::table::Route {
                command: #command,
                selection: #selection,
                operation_id: #id,
                args: &[#(#args),*],
                flags: &[#(#flags),*],
                deprecated: #deprecated,
            }
        }
    });
    let parameters = api.cli.parameters.iter().map(|(flag, wire)| quote! { (#flag, #wire) });
    let examples = &api.cli.examples;
    quote! {
        #[doc = " Command lines `--help` shows (checked by the generator against the table)."]
        pub static EXAMPLES: &[&str] = &[#(#examples),*];
        #[doc = " The global flags that set query parameters: (flag, wire name)."]
        pub static PARAMETERS: &[(&str, &str)] = &[#(#parameters),*];

        #[doc = " The subcommands, in the order `--help` lists them."]
        pub static COMMANDS: &[crate::table::Command] = &[#(#commands),*];
        #[doc = " The selections: the flags that give items."]
        pub static SELECTIONS: &[crate::table::Selection] = &[#(#selections),*];
        #[doc = " Which operation each command and selection reach, and its flags."]
        pub static ROUTES: &[crate::table::Route] = &[#(#routes),*];
    }
}
