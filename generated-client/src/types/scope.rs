//! The client-wide scope: the optional query parameters every operation takes (for Vercel, the
//! team: `teamId` or `slug`), sent with each request unless a call overrides them.

use std::fmt;

/// The optional query parameters every operation takes, sent with each request unless a call
/// overrides them. Its constructors, one per parameter, are generated from the spec (for
/// Vercel's, `Scope::team_id` and `Scope::slug`); [`EdgeCacheBuilder`](crate::EdgeCacheBuilder)
/// has a setter for each too.
///
/// ```
/// use vercel_edge_cache::{EdgeCache, Scope};
/// let client = EdgeCache::builder("token").scope(Scope::default()).base_url("http://127.0.0.1:9").build()?;
/// assert_eq!(client.scope().iter().count(), 0, "no parameter given: none is sent");
/// # Ok::<(), vercel_edge_cache::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// (wire name, value), in the order set; a name at most once.
    values: Vec<(&'static str, String)>,
}

impl Scope {
    /// The value of a parameter by its wire name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// Every parameter set, by wire name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.values.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// Sets a parameter (the contract's `scope`, which the generated constructors and setters
    /// call).
    pub(crate) fn with(mut self, name: &'static str, value: String) -> Self {
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
        self
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
