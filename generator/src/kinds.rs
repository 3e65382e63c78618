//! What kind of value a query parameter or a body property holds, decided once from its rule:
//! its kind in the runtime (`contract::Kind`, which says how it parses from text and what JSON
//! it takes, and what CLI flag it is), its type in the operation's typed values, the argument
//! its typed setter takes and the value it stores, how the generated code reads it, and its
//! type in the mock's `RecordedPurge`. A new kind is
//! added here, and in the runtime's `Kind`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Rule;

/// A field's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A string.
    Text,
    /// One of these strings (an `enum`): a setter enum of the layer.
    Choice(Vec<String>),
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// A list of strings.
    TextList,
    /// Anything else: progenitor's type, which the setter takes and the values keep.
    Json,
}

/// What a typed setter takes and stores.
pub struct Setter {
    /// Generic parameters, if any (`<I, S>`).
    pub generics: TokenStream,
    /// The argument (`value: i64`).
    pub arg: TokenStream,
    /// Bounds of the generic parameters (`where ...`).
    pub bounds: TokenStream,
    /// The value stored in the field.
    pub value: TokenStream,
}

impl ValueKind {
    /// The kind of a rule.
    pub fn of(rule: &Rule) -> ValueKind {
        match rule {
            Rule::String { enumeration, .. } if !enumeration.is_empty() => ValueKind::Choice(enumeration.clone()),
            Rule::String { .. } => ValueKind::Text,
            Rule::Integer { .. } => ValueKind::Integer,
            Rule::Number { .. } => ValueKind::Number,
            Rule::Boolean => ValueKind::Boolean,
            Rule::Array { items, .. } if matches!(**items, Rule::String { .. }) => ValueKind::TextList,
            _ => ValueKind::Json,
        }
    }

    /// How the kind is named in errors and in the CLI check's "one flag, one meaning".
    pub fn describe(&self) -> String {
        match self {
            ValueKind::Choice(values) => format!("one of {values:?}"),
            ValueKind::Integer => "an integer".into(),
            ValueKind::Number => "a number".into(),
            ValueKind::Boolean => "a switch".into(),
            ValueKind::Text => "text".into(),
            ValueKind::TextList => "a list of text".into(),
            ValueKind::Json => "a structured value".into(),
        }
    }

    /// The runtime's `contract::Kind`.
    pub fn runtime(&self) -> TokenStream {
        match self {
            ValueKind::Text => quote! { contract::Kind::Text },
            ValueKind::Choice(values) => quote! { contract::Kind::OneOf(&[#(#values),*]) },
            ValueKind::Integer => quote! { contract::Kind::Integer },
            ValueKind::Number => quote! { contract::Kind::Number },
            ValueKind::Boolean => quote! { contract::Kind::Boolean },
            ValueKind::TextList => quote! { contract::Kind::TextList },
            ValueKind::Json => quote! { contract::Kind::Json },
        }
    }

    /// The field's value read from the call's typed values (`values.<field>`), as an `Option`
    /// of the plain form the checks and bodies take: `&str` for text and an enum's wire value,
    /// `&[String]` for a list, a copy for numbers and booleans, a reference for progenitor's type.
    pub fn read(&self, field: &syn::Ident) -> TokenStream {
        match self {
            ValueKind::Text | ValueKind::TextList => quote! { values.#field.as_deref() },
            ValueKind::Choice(_) => quote! { values.#field.map(|v| v.as_str()) },
            ValueKind::Integer | ValueKind::Number | ValueKind::Boolean => quote! { values.#field },
            ValueKind::Json => quote! { values.#field.as_ref() },
        }
    }

    /// The field's type in the operation's typed values; `choice` is the setter enum's path,
    /// `json` progenitor's type (for [`ValueKind::Json`]).
    pub fn rust_type(&self, choice: &TokenStream, json: &TokenStream) -> TokenStream {
        match self {
            ValueKind::Text => quote! { String },
            ValueKind::Choice(_) => quote! { #choice },
            ValueKind::Integer => quote! { i64 },
            ValueKind::Number => quote! { f64 },
            ValueKind::Boolean => quote! { bool },
            ValueKind::TextList => quote! { ::std::vec::Vec<String> },
            ValueKind::Json => quote! { #json },
        }
    }

    /// The plain Rust type the value reads as, to compare with progenitor's field type (`None`:
    /// always converted).
    pub fn plain_type(&self) -> Option<&'static str> {
        match self {
            ValueKind::Text => Some("::std::string::String"),
            ValueKind::Integer => Some("i64"),
            ValueKind::Number => Some("f64"),
            ValueKind::Boolean => Some("bool"),
            ValueKind::TextList => Some("::std::vec::Vec<::std::string::String>"),
            ValueKind::Choice(_) | ValueKind::Json => None,
        }
    }

    /// The typed setter's argument (named `arg`) and stored value; `choice` is the setter
    /// enum's path, `json` progenitor's type (for [`ValueKind::Json`]).
    pub fn setter(&self, arg: &syn::Ident, choice: &TokenStream, json: &TokenStream) -> Setter {
        let plain = |ty: TokenStream, value: TokenStream| Setter {
            generics: quote! {},
            arg: quote! { #arg: #ty },
            bounds: quote! {},
            value,
        };
        match self {
            ValueKind::Text => plain(quote! { impl Into<String> }, quote! { #arg.into() }),
            ValueKind::Choice(_) => plain(quote! { #choice }, quote! { #arg }),
            ValueKind::Integer => plain(quote! { i64 }, quote! { #arg }),
            ValueKind::Number => plain(quote! { f64 }, quote! { #arg }),
            ValueKind::Boolean => plain(quote! { bool }, quote! { #arg }),
            ValueKind::TextList => Setter {
                generics: quote! { <I, S> },
                arg: quote! { #arg: I },
                bounds: quote! { where I: IntoIterator<Item = S>, S: Into<String> },
                value: quote! { #arg.into_iter().map(Into::into).collect() },
            },
            ValueKind::Json => plain(quote! { #json }, quote! { #arg }),
        }
    }

    /// The field's type in the mock's `RecordedPurge` (read from a received request's values by
    /// wire name, through serde): its type in the typed values, but for an enum without a shared
    /// setter enum (its wire value) and anything else (its JSON).
    pub fn recorded(&self, choice: Option<&TokenStream>) -> TokenStream {
        self.rust_type(&choice.cloned().unwrap_or_else(|| quote! { String }), &quote! { serde_json::Value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_has_one_kind() {
        let s = |e: &[&str]| Rule::String {
            min_length: None,
            max_length: Some(3),
            enumeration: e.iter().map(|v| v.to_string()).collect(),
            separator: None,
            excluded: None,
        };
        assert_eq!(ValueKind::of(&s(&[])), ValueKind::Text);
        assert_eq!(ValueKind::of(&s(&["a"])), ValueKind::Choice(vec!["a".into()]));
        assert_eq!(ValueKind::of(&Rule::Boolean), ValueKind::Boolean);
        let list = Rule::Array { min_items: None, max_items: None, items: Box::new(s(&[])) };
        assert_eq!(ValueKind::of(&list), ValueKind::TextList);
        assert_eq!(ValueKind::of(&Rule::Any), ValueKind::Json);
        assert_eq!(ValueKind::Boolean.describe(), "a switch");
    }
}
