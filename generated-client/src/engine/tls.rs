//! TLS, as the crate's features choose it.
//!
//! By default (`aws-lc-rs`), reqwest's own: rustls with aws-lc-rs, whose key exchange includes the
//! post-quantum X25519MLKEM768, and the platform's trust store. Nothing to set up here, and cargo's
//! feature unification gives a user's reqwest without a TLS feature the same working default.
//!
//! With `ring` (and without the default), rustls with *ring* and the platform's trust store.
//! reqwest is then built with `rustls-no-provider`, and cargo unifies features: another crate's
//! reqwest in the same build gets rustls without a provider too, and its `Client::new()` panics
//! unless a process-wide default is installed. [`install_default_provider`] installs *ring* as
//! that default when, and only when, none is installed yet.

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!("vercel-edge-cache needs a TLS backend: keep the default feature `aws-lc-rs`, or enable `ring`");

/// The reqwest client builder with the crate's TLS.
#[cfg(not(feature = "ring"))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, crate::types::error::ConfigError> {
    Ok(builder)
}

/// The reqwest client builder with the crate's TLS: *ring*, whatever the process default.
#[cfg(feature = "ring")]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, crate::types::error::ConfigError> {
    use crate::types::error::ConfigError;
    use rustls_platform_verifier::BuilderVerifierExt;
    install_default_provider();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(ring_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Http(format!("TLS: {e}")))?
        .with_platform_verifier()
        .map_err(|e| ConfigError::Http(format!("TLS trust store: {e}")))?
        .with_no_client_auth();
    Ok(builder.tls_backend_preconfigured(config))
}

/// rustls's *ring* provider. rustls 0.23.48 deprecates it (no post-quantum key exchange) and
/// offers no other way to it: the `ring` feature is the opt-in for builds that cannot compile
/// aws-lc, and says so.
#[cfg(feature = "ring")]
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// Makes *ring* rustls's process-wide default provider (feature `ring`), unless one is installed
/// already (a provider the application installed first is kept). Called when a client is built
/// and when a mock starts; nothing to do with the default TLS.
#[cfg_attr(not(any(feature = "mock", feature = "ring")), allow(dead_code))]
pub(crate) fn install_default_provider() {
    #[cfg(feature = "ring")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one meanwhile: then that one stays, which is as well.
        let _ = ring_provider().install_default();
    }
}
