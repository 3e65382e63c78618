//! The checks of an operation, one generated statement per constraint of the spec, over the
//! call's values (`check`), each item of the selection (`check_item`) and the batch field's
//! string form (`check_text`). The runtime runs them, and holds no rule of its own.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::plan::{Covered, FieldPlan, Place};
use crate::kinds::ValueKind;
use crate::model::Rule;

/// The body of `fn check(&self)` of the operation's typed values (`values`).
pub fn values(c: &Covered) -> TokenStream {
    let rules = c.fields.iter().map(field);
    let conversions = c.fields.iter().filter_map(conversion);
    quote! {
        #(#rules)*
        #(#conversions)*
        Ok(())
    }
}

/// The checks of one field: present when required, then its rule.
fn field(f: &FieldPlan) -> TokenStream {
    let (wire, read) = (f.wire, f.kind.read(&f.id));
    let required = match (f.required, &f.kind) {
        (false, _) => quote! {},
        (true, ValueKind::Text | ValueKind::Choice(_)) => quote! { contract::check::required(#wire, #read)?; },
        (true, _) => quote! { contract::check::present(#wire, #read.is_some())?; },
    };
    let rules = match (f.rule, &f.kind) {
        (Rule::String { .. }, ValueKind::Text) => string(f.rule, wire, quote! { None }, quote! { v }),
        (Rule::Integer { minimum, maximum }, _) if minimum.is_some() || maximum.is_some() => {
            let (min, max) = (opt(*minimum, Literal::i64_suffixed), opt(*maximum, Literal::i64_suffixed));
            quote! { contract::check::integer(#wire, v, #min, #max)?; }
        }
        (Rule::Number { minimum, maximum }, _) => {
            let (min, max) = (opt(*minimum, Literal::f64_suffixed), opt(*maximum, Literal::f64_suffixed));
            quote! { contract::check::number(#wire, v, #min, #max)?; }
        }
        (Rule::Array { min_items, max_items, items }, ValueKind::TextList) => {
            let (min, max) = (opt(*min_items, Literal::u64_suffixed), opt(*max_items, Literal::u64_suffixed));
            let each = string(items, wire, quote! { Some(i) }, quote! { item });
            let each = if each.is_empty() {
                each
            } else {
                quote! { for (i, item) in v.iter().enumerate() { #each } }
            };
            quote! { contract::check::count(#wire, v.len(), #min, #max)?; #each }
        }
        _ => quote! {},
    };
    if rules.is_empty() {
        required
    } else {
        quote! { #required if let Some(v) = #read { #rules } }
    }
}

/// A body field whose progenitor type is not the plain type its value reads as (a
/// `NonZeroU64`, a string newtype, ...): the conversion is tried before sending, so that
/// building the bodies cannot fail. (A [`ValueKind::Json`] value is progenitor's type already.)
fn conversion(f: &FieldPlan) -> Option<TokenStream> {
    let shape = f.target.1.as_ref().filter(|_| f.place == Place::Body)?.unwrap_option();
    if matches!(f.kind, ValueKind::Choice(_) | ValueKind::Json) || f.kind.plain_type() == Some(shape.text().as_str()) {
        return None;
    }
    let (wire, read, ty) = (f.wire, f.kind.read(&f.id), shape.tokens());
    let convert = match f.kind {
        ValueKind::TextList => quote! { contract::convert::strings::<#ty> },
        _ => quote! { contract::convert::value::<_, #ty> },
    };
    Some(quote! {
        #convert(#read).map_err(|e| contract::check::unconvertible(#wire, e))?;
    })
}

/// The checks of one string against its rule (`field` and `index` name it in errors).
pub fn string(rule: &Rule, field: &str, index: TokenStream, value: TokenStream) -> TokenStream {
    let Rule::String { min_length, max_length, enumeration, excluded, .. } = rule else { return quote! {} };
    let mut out = TokenStream::new();
    if min_length.is_some() || max_length.is_some() {
        let (min, max) = (opt(*min_length, Literal::u64_suffixed), opt(*max_length, Literal::u64_suffixed));
        out.extend(quote! { contract::check::length(#field, #index, #value, #min, #max)?; });
    }
    if !enumeration.is_empty() {
        out.extend(quote! { contract::check::one_of(#field, #index, #value, &[#(#enumeration),*])?; });
    }
    if let Some(x) = excluded {
        let (pattern, ranges) = (&x.pattern, x.ranges.iter().map(|(lo, hi)| quote! { (#lo, #hi) }));
        out.extend(quote! { contract::check::excludes(#field, #index, #value, &[#(#ranges),*], #pattern)?; });
    }
    out
}

/// `Some(literal)` or `None`.
pub fn opt<T: Copy>(v: Option<T>, lit: impl Fn(T) -> Literal) -> TokenStream {
    match v {
        Some(v) => {
            let v = lit(v);
            quote! { Some(#v) }
        }
        None => quote! { None },
    }
}
