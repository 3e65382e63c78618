//! The one merge behind every comparison: two keyed collections, walked in key order, each key
//! found in ours only, upstream only, or in both.

use std::collections::BTreeMap;

/// Where a key was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pair<T> {
    /// Only in our spec.
    Ours(T),
    /// Only upstream.
    Upstream(T),
    /// On both sides.
    Both(T, T),
}

impl<T> Pair<T> {
    /// The pair of two optional things, if either is there.
    pub(super) fn of(ours: Option<T>, upstream: Option<T>) -> Option<Self> {
        match (ours, upstream) {
            (Some(o), Some(u)) => Some(Pair::Both(o, u)),
            (Some(o), None) => Some(Pair::Ours(o)),
            (None, Some(u)) => Some(Pair::Upstream(u)),
            (None, None) => None,
        }
    }
}

/// Every key of `ours` and `upstream`, in key order, with what each side has under it.
///
/// ```text
/// let merged = merge([("a", 1), ("b", 2)], [("b", 20), ("c", 30)]);
/// assert_eq!(merged, [("a", Pair::Ours(1)), ("b", Pair::Both(2, 20)), ("c", Pair::Upstream(30))]);
/// ```
pub(super) fn merge<K: Ord, T>(
    ours: impl IntoIterator<Item = (K, T)>,
    upstream: impl IntoIterator<Item = (K, T)>,
) -> Vec<(K, Pair<T>)> {
    let mut sides: BTreeMap<K, (Option<T>, Option<T>)> = BTreeMap::new();
    for (k, v) in ours {
        sides.entry(k).or_insert((None, None)).0 = Some(v);
    }
    for (k, v) in upstream {
        sides.entry(k).or_insert((None, None)).1 = Some(v);
    }
    sides.into_iter().filter_map(|(k, (o, u))| Pair::of(o, u).map(|p| (k, p))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_once_in_order_with_its_sides() {
        let merged = merge([("b", 2), ("a", 1)], [("c", 30), ("b", 20)]);
        assert_eq!(merged, [("a", Pair::Ours(1)), ("b", Pair::Both(2, 20)), ("c", Pair::Upstream(30))]);
        assert_eq!(merge(Vec::<(u8, u8)>::new(), []), []);
        assert_eq!(Pair::of(Some(1), None), Some(Pair::Ours(1)));
        assert_eq!(Pair::<u8>::of(None, None), None);
    }
}
