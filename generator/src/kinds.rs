//! What kind of value a query parameter or a body property holds, decided once from its rule:
//! its kind in the runtime (`contract::Kind`, which says how it parses from text and reads from
//! JSON, and what CLI flag it is), the argument its typed setter takes and the value it stores,
//! how the generated code reads it, and its type in the mock's `RecordedPurge`. A new kind is
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
    /// Anything else: the setter takes progenitor's type, the value is kept as JSON.
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
    /// The `contract::Value` stored.
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

    /// The method of `contract::Values` that reads it.
    pub fn reader(&self) -> TokenStream {
        match self {
            ValueKind::Text | ValueKind::Choice(_) => quote! { text },
            ValueKind::Integer => quote! { integer },
            ValueKind::Number => quote! { number },
            ValueKind::Boolean => quote! { boolean },
            ValueKind::TextList => quote! { list },
            ValueKind::Json => quote! { json },
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
            ValueKind::Text => plain(quote! { impl Into<String> }, quote! { contract::Value::Text(#arg.into()) }),
            ValueKind::Choice(_) => plain(quote! { #choice }, quote! { contract::Value::Choice(#arg.as_str()) }),
            ValueKind::Integer => plain(quote! { i64 }, quote! { contract::Value::Integer(#arg) }),
            ValueKind::Number => plain(quote! { f64 }, quote! { contract::Value::Number(#arg) }),
            ValueKind::Boolean => plain(quote! { bool }, quote! { contract::Value::Boolean(#arg) }),
            ValueKind::TextList => Setter {
                generics: quote! { <I, S> },
                arg: quote! { #arg: I },
                bounds: quote! { where I: IntoIterator<Item = S>, S: Into<String> },
                value: quote! { contract::Value::List(#arg.into_iter().map(Into::into).collect()) },
            },
            ValueKind::Json => plain(quote! { #json }, quote! { contract::json_value(&#arg) }),
        }
    }

    /// The field's type in the mock's `RecordedPurge`, and how it is read from a received
    /// request (`request.<reader>(name)`).
    pub fn recorded(&self, choice: Option<&TokenStream>) -> (TokenStream, TokenStream) {
        match (self, choice) {
            (ValueKind::Choice(_), Some(ty)) => (quote! { #ty }, quote! { choice }),
            (ValueKind::Text | ValueKind::Choice(_), _) => (quote! { String }, quote! { text }),
            (ValueKind::Integer, _) => (quote! { i64 }, quote! { integer }),
            (ValueKind::Number, _) => (quote! { f64 }, quote! { number }),
            (ValueKind::Boolean, _) => (quote! { bool }, quote! { boolean }),
            (ValueKind::TextList, _) => (quote! { Vec<String> }, quote! { list }),
            (ValueKind::Json, _) => (quote! { serde_json::Value }, quote! { json }),
        }
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
