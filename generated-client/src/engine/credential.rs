//! The credential every request carries: progenitor's client holds it (its inner value), and
//! its pre-hook puts it on each request, so that a `reqwest::Client` of the user's
//! (`EdgeCacheBuilder::http_client`) carries it as the client's own does.

use reqwest::header::{HeaderName, HeaderValue};

/// The auth header and its value (marked sensitive), or none when the spec has no auth.
/// `Debug` never shows the value.
#[derive(Clone, Default)]
pub struct Credential(Option<(HeaderName, HeaderValue)>);

impl Credential {
    /// The header `name` with `value`, which is marked sensitive (`Debug` of the header map does
    /// not show it, and HTTP/2's HPACK does not index it).
    pub(crate) fn new(name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        Self(Some((name, value)))
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some((name, _)) => write!(f, "Credential({name}: ***)"),
            None => f.write_str("Credential(none)"),
        }
    }
}

/// progenitor's pre-hook: the credential onto `request`.
pub fn authorize(credential: &Credential, request: &mut reqwest::Request) {
    if let Some((name, value)) = &credential.0 {
        request.headers_mut().insert(name.clone(), value.clone());
    }
}
