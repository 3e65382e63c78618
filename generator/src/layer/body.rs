//! The typed body of one batch: progenitor's body struct, built from the batch's items and the
//! call's typed values, directly where the field's type is known (no JSON in between), through
//! serde's in-memory deserializer where it is not.

use proc_macro2::TokenStream;
use quote::quote;

use super::plan::{Covered, FieldPlan, Place};
use crate::kinds::ValueKind;
use crate::model::Rule;
use crate::progenitor_names::Shape;

/// The body of `fn body(values: &Values, items: &[String])`, over the operation's typed values.
pub fn build(c: &Covered, body_type: &syn::Ident) -> TokenStream {
    let batch = c.batch.zip(c.batch_field.as_ref()).map(|(batch, (batch_ident, batch_shape))| {
        let constrained = matches!(&batch.item, Rule::String { min_length, max_length, .. } if min_length.is_some() || max_length.is_some());
        let items = match list(batch_shape, constrained, 0) {
            Some(direct) => direct,
            None => quote! { contract::convert::list(items)? },
        };
        quote! { #batch_ident: #items, }
    });
    let fields = c.fields.iter().filter(|f| f.place == Place::Body).map(|f| field(c, f));
    quote! {
        Ok(types::#body_type { #batch #(#fields),* })
    }
}

/// An expression that builds a value of `shape` from `items: &[String]`, directly: a list of
/// strings, a newtype of one, or an enum with such a list among its forms, its items plain
/// strings or string newtypes (whose own checks, for a `constrained` item, run in
/// `try_from`). `None` for any other shape.
fn list(shape: &Shape, constrained: bool, depth: usize) -> Option<TokenStream> {
    if depth > 4 {
        return None;
    }
    match shape {
        Shape::Vec(item) => match &**item {
            Shape::String => Some(quote! { items.to_vec() }),
            Shape::Newtype { path, inner } if **inner == Shape::String => {
                let path: TokenStream = path.parse().ok()?;
                let item = if constrained {
                    quote! { #path::try_from(s.as_str()).map_err(|e| e.to_string()) }
                } else {
                    quote! { Ok::<_, String>(#path(s.clone())) }
                };
                Some(quote! { items.iter().map(|s| #item).collect::<Result<::std::vec::Vec<_>, String>>()? })
            }
            _ => None,
        },
        // A newtype of a list is public (typify constrains only string newtypes).
        Shape::Newtype { path, inner } => {
            let path: TokenStream = path.parse().ok()?;
            let inner = list(inner, constrained, depth + 1)?;
            Some(quote! { #path(#inner) })
        }
        Shape::Enum { path, variants } => variants.iter().find_map(|(variant, one)| {
            let inner = list(one.as_ref()?, constrained, depth + 1)?;
            let path: TokenStream = path.parse().ok()?;
            let variant: syn::Ident = syn::parse_str(variant).ok()?;
            Some(quote! { #path::#variant(#inner) })
        }),
        _ => None,
    }
}

/// One body field: the call's value as progenitor's field type.
fn field(c: &Covered, f: &FieldPlan) -> TokenStream {
    let (field, shape) = (&f.target.0, f.target.1.as_ref().expect("body fields have a shape"));
    let wire = f.wire;
    let plain = f.kind.plain_type() == Some(shape.unwrap_option().text().as_str());
    let read = f.kind.read(&f.id);
    let value = match &f.kind {
        ValueKind::Text if plain => quote! { #read.map(str::to_string) },
        ValueKind::TextList if plain => quote! { #read.map(<[String]>::to_vec) },
        ValueKind::Integer | ValueKind::Number | ValueKind::Boolean if plain => read,
        ValueKind::Choice(_) => quote! { contract::convert::choice(#read)? },
        ValueKind::TextList => quote! { contract::convert::strings(#read)? },
        ValueKind::Json => quote! { #read.cloned() },
        _ => quote! { contract::convert::value(#read)? },
    };
    let value = match shape {
        Shape::Option(_) => value,
        _ if c.op.body_requires(wire) => quote! { contract::convert::required(#wire, #value)? },
        // An optional property typify keeps without `Option` (a list, say): its default is
        // what serde leaves out.
        _ => quote! { #value.unwrap_or_default() },
    };
    quote! { #field: #value }
}
