//! One operation of the layer: its marker type (sealed to the crate), the typed setters of its
//! call, its `EdgeCache` method, and a private module with its description for the runtime
//! (`SPEC`), its typed values (`Values`) with their checks, body and sending.

use proc_macro2::TokenStream;
use quote::quote;

use super::plan::{Covered, FieldPlan, Place};
use super::{checks, doc_lines};
use crate::kinds::ValueKind;

/// The public items: marker type, setters, method.
pub fn public(c: &Covered) -> TokenStream {
    let (op, marker, module, method) = (c.op, &c.marker, &c.module, &c.method);
    let (id, http, path) = (&op.id, &op.method, &op.path);
    let summary = op.summary.as_deref().unwrap_or("");
    let mut marker_doc = vec![format!(" `{id}`: `{http} {path}`."), String::new()];
    if !summary.is_empty() {
        marker_doc.splice(0..0, [format!(" {summary}."), String::new()]);
    }
    marker_doc.extend(doc_lines(op.description.as_deref()));
    let setters = c.fields.iter().filter(|f| !f.positional()).map(|f| setter(c, f));
    let positional: Vec<&FieldPlan> = c.fields.iter().filter(|f| f.positional()).collect();
    let args = positional.iter().map(|f| f.kind.setter(&f.setter, &choice(f), &json(f)).arg);
    let (items, generics, bounds, start) = match c.batch {
        Some(batch) => {
            let items = crate::names::ident(&batch.field, crate::names::Case::Snake);
            (
                Some(quote! { #items: I }),
                quote! { <I, S> },
                quote! { where I: IntoIterator<Item = S>, S: Into<String>, },
                quote! { contract::start(self, #items.into_iter().map(Into::into).collect()) },
            )
        }
        None => (None, quote! {}, quote! {}, quote! { contract::start(self, ::std::vec::Vec::new()) }),
    };
    let call = positional.iter().fold(start, |call, f| {
        let (id, value) = (&f.id, f.kind.setter(&f.setter, &choice(f), &json(f)).value);
        quote! { contract::set(#call, move |values__: &mut #module::Values| values__.#id = Some(#value)) }
    });
    let method_doc = method_doc(c);
    let response = match (&op.success, crate::progenitor_names::response_type(op)) {
        (Some(_), Some(name)) => {
            let name = crate::names::ident(&name, crate::names::Case::Pascal);
            quote! { types::#name }
        }
        (Some(_), None) => quote! { serde_json::Value },
        (None, _) => quote! { () },
    };
    let deprecated = c.op.deprecated.then(|| quote! { #[deprecated = "the spec marks this operation deprecated"] });
    quote! {
        #(#[doc = #marker_doc])*
        #[derive(Debug, Clone, Copy)]
        pub enum #marker {}

        impl contract::Sealed for #marker {
            const SPEC: &'static contract::OperationSpec = &#module::SPEC;
        }

        impl contract::Operation for #marker {
            type Response = #response;
        }

        impl contract::Purge<'_, #marker> {
            #(#setters)*
        }

        impl contract::EdgeCache {
            #(#[doc = #method_doc])*
            #deprecated
            pub fn #method #generics (&self, #(#args,)* #items) -> contract::Purge<'_, #marker>
            #bounds
            {
                #call
            }
        }
    }
}

fn method_doc(c: &Covered) -> Vec<String> {
    let op = c.op;
    let summary = op.summary.as_deref().unwrap_or("");
    let name = if summary.is_empty() { op.id.as_str() } else { summary };
    let mut doc = vec![match c.batch {
        Some(batch) => format!(
            " {name} (`{}`): sends every item of `{}`, in requests of at most {} each.",
            op.id, batch.field, batch.max_items
        ),
        None => format!(" {name} (`{}`): one request.", op.id),
    }];
    let description = doc_lines(op.description.as_deref());
    if !description.is_empty() {
        doc.push(String::new());
        doc.extend(description);
    }
    doc.push(String::new());
    doc.push(match c.batch {
        Some(_) => " Nothing is sent until `.send().await`; the whole selection is checked first.".into(),
        None => " Nothing is sent until `.send().await`; every value is checked first.".into(),
    });
    doc
}

/// The setter enum of a [`ValueKind::Choice`] field.
fn choice(f: &FieldPlan) -> TokenStream {
    f.choice.clone().unwrap_or_default()
}

/// progenitor's type of a [`ValueKind::Json`] body field.
fn json(f: &FieldPlan) -> TokenStream {
    f.target.1.as_ref().map(|s| s.unwrap_option().tokens()).unwrap_or_default()
}

/// The typed setter of an optional parameter or a body property.
fn setter(c: &Covered, f: &FieldPlan) -> TokenStream {
    let (module, id, name) = (&c.module, &f.id, &f.setter);
    let arg = if f.kind == ValueKind::TextList { "values" } else { "value" };
    let s = f.kind.setter(&syn::Ident::new(arg, proc_macro2::Span::call_site()), &choice(f), &json(f));
    let (generics, arg, bounds, value) = (s.generics, s.arg, s.bounds, s.value);
    let mut doc = match f.place {
        Place::Query | Place::Path => {
            let overrides = if f.in_scope { ", overriding the client's" } else { "" };
            vec![format!(" Sets `{}` for this call{overrides}.", f.wire)]
        }
        Place::Body => Vec::new(),
    };
    let more = doc_lines(f.description);
    if !doc.is_empty() && !more.is_empty() {
        doc.push(String::new());
    }
    doc.extend(more);
    if doc.is_empty() {
        doc.push(format!(" The body property `{}`.", f.wire));
    }
    quote! {
        #(#[doc = #doc])*
        pub fn #name #generics (self, #arg) -> Self #bounds {
            contract::set(self, move |values__: &mut #module::Values| values__.#id = Some(#value))
        }
    }
}

/// The private module: the operation's description, its typed values and their functions.
pub fn module(c: &Covered) -> TokenStream {
    let (op, module) = (c.op, &c.module);
    let (id, http, path) = (&op.id, &op.method, &op.path);
    let summary = op.summary.as_deref().unwrap_or("");
    let (batch_field, min, max, separator, text_form) = match c.batch {
        Some(batch) => {
            let field = &batch.field;
            let separator = match &batch.text {
                Some(crate::model::Rule::String { separator: Some(sep), .. }) => quote! { Some(#sep) },
                _ => quote! { None },
            };
            (
                quote! { Some(#field) },
                batch.min_items as usize,
                batch.max_items as usize,
                separator,
                batch.text.is_some(),
            )
        }
        None => (quote! { None }, 0, 0, quote! { None }, false),
    };
    let (min, max) = (proc_macro2::Literal::usize_unsuffixed(min), proc_macro2::Literal::usize_unsuffixed(max));
    let additional = matches!(&op.body, Some(crate::model::Rule::Object { additional: true, .. }));
    let (idempotent, deprecated) = (op.idempotent, op.deprecated);
    let fields = c.fields.iter().map(field_info);
    let values = c.fields.iter().map(|f| {
        let (id, wire, ty) = (&f.id, f.wire, f.kind.rust_type(&choice(f), &json(f)));
        quote! {
            #[serde(rename = #wire, skip_serializing_if = "Option::is_none")]
            pub(crate) #id: Option<#ty>,
        }
    });
    let set_arms = c.fields.iter().map(|f| {
        let (id, wire) = (&f.id, f.wire);
        quote! { #wire => self.#id = Some(serde_json::from_value(json)?), }
    });
    // The runtime sets only the fields of `FIELDS`, by their wire names: another name is a bug,
    // said, not dropped.
    let unknown = quote! { Err(<serde_json::Error as serde::de::Error>::custom(format!("no field {name:?}"))) };
    let set_body = if c.fields.is_empty() {
        quote! { let _ = json; #unknown }
    } else {
        quote! {
            match name {
                #(#set_arms)*
                _ => return #unknown,
            }
            Ok(())
        }
    };
    let check = checks::values(c);
    let (item_checks, text_checks) = match c.batch {
        Some(batch) => (
            checks::string(&batch.item, &batch.field, quote! { Some(index) }, quote! { item }),
            match &batch.text {
                Some(rule) => checks::string(rule, &batch.field, quote! { None }, quote! { text }),
                None => quote! {},
            },
        ),
        None => (quote! {}, quote! {}),
    };
    let body = match &c.body_type {
        Some(body_type) => {
            let build = super::body::build(c, body_type);
            quote! {
                fn body(values: &Values, items: &[String]) -> Result<types::#body_type, String> {
                    let _ = (items, values);
                    #build
                }
            }
        }
        None => quote! {},
    };
    let json_body = match &c.body_type {
        Some(_) => quote! { contract::convert::to_json(body(self, items)) },
        None => quote! { let _ = items; Ok(serde_json::Value::Null) },
    };
    let send = send(c);
    let success_body = match &op.success {
        Some(success) => {
            let text = success.sample.to_string();
            quote! { Some(#text) }
        }
        None => quote! { None },
    };
    quote! {
        mod #module {
            use super::*;

            pub(crate) static SPEC: contract::OperationSpec = contract::OperationSpec {
                info: contract::OperationInfo {
                    operation_id: #id,
                    method: #http,
                    path: #path,
                    summary: #summary,
                    fields: FIELDS,
                    batch_field: #batch_field,
                    min_items: #min,
                    max_items: #max,
                    text_form: #text_form,
                    separator: #separator,
                    additional_properties: #additional,
                    idempotent: #idempotent,
                    deprecated: #deprecated,
                },
                values: contract::values::<Values>,
                check_item,
                check_text,
                success_body: #success_body,
            };

            const FIELDS: &[contract::Field] = &[#(#fields),*];

            /// The values of a call, by field.
            #[derive(Debug, Clone, Default, serde::Serialize)]
            pub(crate) struct Values {
                #(#values)*
            }

            impl contract::OperationValues for Values {
                fn check(&self) -> Result<(), contract::ValidationError> {
                    let values = self;
                    let _ = values;
                    #check
                }

                fn set(&mut self, name: &str, json: serde_json::Value) -> Result<(), serde_json::Error> {
                    #set_body
                }

                fn body(&self, items: &[String]) -> Result<serde_json::Value, String> {
                    #json_body
                }

                #send
            }

            fn check_item(index: usize, item: &str) -> Result<(), contract::ValidationError> {
                let _ = (index, item);
                #item_checks
                Ok(())
            }

            fn check_text(text: &str) -> Result<(), contract::ValidationError> {
                let _ = text;
                #text_checks
                Ok(())
            }

            #body
        }
    }
}

fn field_info(f: &FieldPlan) -> TokenStream {
    let (name, required, in_scope, kind) = (f.wire, f.required, f.in_scope, f.kind.runtime());
    let place = match f.place {
        Place::Path => quote! { contract::Place::Path },
        Place::Query => quote! { contract::Place::Query },
        Place::Body => quote! { contract::Place::Body },
    };
    let description = f.description.unwrap_or("").trim().split("\n\n").next().unwrap_or("").replace('\n', " ");
    quote! {
        contract::Field { name: #name, place: #place, kind: #kind, required: #required, in_scope: #in_scope, description: #description }
    }
}

/// `fn send`: the body, progenitor's builder with the query set, and the attempt.
fn send(c: &Covered) -> TokenStream {
    let client_method = &c.client_method;
    // Path and query parameters alike go through progenitor's builder setters.
    let query = c.fields.iter().filter(|f| f.place != Place::Body).map(|f| {
        let (read, setter) = (f.kind.read(&f.id), &f.target.0);
        debug_assert!(!matches!(f.kind, ValueKind::TextList | ValueKind::Json), "query parameters are scalar");
        quote! { if let Some(v) = #read { b = b.#setter(v); } }
    });
    let (body, with_body) = match c.body_type {
        Some(_) => (
            quote! {
                let body = match body(values, items) {
                    Ok(body) => body,
                    Err(e) => return contract::unsendable(e),
                };
            },
            quote! { .body(body) },
        ),
        None => (quote! { let _ = items; }, quote! {}),
    };
    quote! {
        fn send<'a>(&self, api: &'a api::Client, items: &[String]) -> contract::Sending<'a> {
            let values = self;
            let _ = values;
            #body
            #[allow(unused_mut)]
            let mut b = api.#client_method()#with_body;
            #(#query)*
            contract::sending(b.send())
        }
    }
}
