//! What every request carries whatever `reqwest::Client` sends it: progenitor's client holds it
//! (its inner value), and its pre-hook puts it on each request, so that a client of the user's
//! (`EdgeCacheBuilder::http_client`) sends as the builder's own does: the credential, and the
//! builder's timeout.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

/// The auth header and its value (marked sensitive), or none when the spec has no auth; and the
/// timeout of each request, when the client is the user's (the builder's own client has it
/// already). `Debug` never shows the header's value.
#[derive(Clone, Default)]
pub struct Credential {
    header: Option<(HeaderName, HeaderValue)>,
    timeout: Option<Duration>,
}

impl Credential {
    /// The header `name` with `value`, which is marked sensitive (`Debug` of the header map does
    /// not show it, and HTTP/2's HPACK does not index it).
    pub(crate) fn new(name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        Self { header: Some((name, value)), timeout: None }
    }

    /// Each request gets `timeout`, in place of its client's own.
    pub(crate) fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout: Some(timeout), ..self }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.header {
            Some((name, _)) => write!(f, "Credential({name}: ***)"),
            None => f.write_str("Credential(none)"),
        }
    }
}

/// progenitor's pre-hook: the credential and the timeout onto `request`.
pub fn authorize(credential: &Credential, request: &mut reqwest::Request) {
    if let Some((name, value)) = &credential.header {
        request.headers_mut().insert(name.clone(), value.clone());
    }
    if let Some(timeout) = credential.timeout {
        *request.timeout_mut() = Some(timeout);
    }
}
