//! Conversions of a call's values into progenitor's body types, for the generated bodies. Values
//! are checked before these run, so their errors mean the spec and progenitor's types disagree.

use serde::de::IntoDeserializer;

/// The selection's items as the batch field's type (a list, a newtype of one, or a `oneOf`
/// with a list among its forms), through serde's in-memory deserializer: no JSON in between.
/// The generated body builds the common shapes directly instead.
pub(crate) fn list<T: serde::de::DeserializeOwned>(items: &[String]) -> Result<T, String> {
    let de: serde::de::value::SeqDeserializer<_, serde::de::value::Error> =
        serde::de::value::SeqDeserializer::new(items.iter().map(|s| s.as_str().into_deserializer()));
    T::deserialize(de).map_err(|e| e.to_string())
}

/// An optional plain value (a string, an integer, a number, a boolean) as its field's type (a
/// string newtype, a `NonZeroU64`, an `f32`, ...), through serde's in-memory deserializer,
/// which applies the type's own rules.
pub(crate) fn value<'v, A, B>(value: Option<A>) -> Result<Option<B>, String>
where
    A: IntoDeserializer<'v, serde::de::value::Error>,
    B: serde::de::DeserializeOwned,
{
    value.map(|v| B::deserialize(v.into_deserializer())).transpose().map_err(|e| e.to_string())
}

/// An optional list of strings as its field's type.
pub(crate) fn strings<B: serde::de::DeserializeOwned>(value: Option<&[String]>) -> Result<Option<B>, String> {
    value.map(list).transpose()
}

/// An optional `enum` value (its wire string) as progenitor's enum.
pub(crate) fn choice<B: std::str::FromStr>(value: Option<&str>) -> Result<Option<B>, String> {
    value.map(|v| v.parse().map_err(|_| format!("{v:?} is not a value of the type"))).transpose()
}

/// A required property (the checks have made sure it is set).
pub(crate) fn required<B>(name: &str, value: Option<B>) -> Result<B, String> {
    value.ok_or_else(|| format!("{name} is required"))
}

/// A body as JSON, for plans.
pub(crate) fn to_json<B: serde::Serialize>(body: Result<B, String>) -> Result<serde_json::Value, String> {
    serde_json::to_value(body?).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(transparent)]
    struct Newtype(Vec<String>);

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<String>),
        String(String),
    }

    #[test]
    fn lists_become_the_field_type_whatever_its_shape() {
        let items = vec!["a".to_string(), "b,c".to_string()];
        assert_eq!(list::<Vec<String>>(&items).unwrap(), items);
        assert_eq!(list::<Newtype>(&items).unwrap(), Newtype(items.clone()));
        assert_eq!(list::<ListOrString>(&items).unwrap(), ListOrString::List(items.clone()));
        assert_eq!(strings::<Newtype>(Some(&items)).unwrap(), Some(Newtype(items.clone())));
        assert_eq!(required::<i64>("x", None).unwrap_err(), "x is required");
    }

    #[test]
    fn plain_values_become_the_field_type_or_say_why_not() {
        use std::num::NonZeroU64;
        assert_eq!(value::<i64, NonZeroU64>(Some(3)).unwrap(), NonZeroU64::new(3));
        assert!(value::<i64, NonZeroU64>(Some(0)).unwrap_err().contains("nonzero"));
        assert_eq!(value::<i64, i64>(None).unwrap(), None);
        assert_eq!(value::<f64, f32>(Some(1.5)).unwrap(), Some(1.5f32));
        assert_eq!(value::<&str, String>(Some("a")).unwrap().as_deref(), Some("a"));
        assert_eq!(choice::<std::net::Ipv4Addr>(Some("127.0.0.1")).unwrap(), Some([127, 0, 0, 1].into()));
        assert_eq!(choice::<std::net::Ipv4Addr>(Some("x")).unwrap_err(), "\"x\" is not a value of the type");
    }
}
