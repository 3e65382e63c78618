//! Conversions into progenitor's body types, for the generated `body` functions. Input is
//! checked before these run, so their errors mean the spec and progenitor's types disagree.

use serde::de::IntoDeserializer;

/// The selection's items as the batch field's type (a list, a newtype of one, or a `oneOf`
/// with a list among its forms), through serde's in-memory deserializer: no JSON in between.
pub(crate) fn list<T: serde::de::DeserializeOwned>(items: &[String]) -> Result<T, String> {
    let de: serde::de::value::SeqDeserializer<_, serde::de::value::Error> =
        serde::de::value::SeqDeserializer::new(items.iter().map(|s| s.as_str().into_deserializer()));
    T::deserialize(de).map_err(|e| e.to_string())
}

/// An optional property, converted into its field's type.
pub(crate) fn opt<A: Clone, B>(value: &Option<A>) -> Result<Option<B>, String>
where
    B: TryFrom<A>,
    B::Error: std::fmt::Display,
{
    value.clone().map(B::try_from).transpose().map_err(|e| e.to_string())
}

/// A required property (the checks have made sure it is set).
pub(crate) fn required<A: Clone, B>(name: &str, value: &Option<A>) -> Result<B, String>
where
    B: TryFrom<A>,
    B::Error: std::fmt::Display,
{
    let value = value.clone().ok_or_else(|| format!("{name} is required"))?;
    B::try_from(value).map_err(|e| e.to_string())
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
        assert_eq!(opt::<i64, i64>(&Some(3)).unwrap(), Some(3));
        assert_eq!(opt::<i64, i64>(&None).unwrap(), None);
        assert_eq!(required::<i64, i64>("x", &None).unwrap_err(), "x is required");
    }
}
