//! TLS: rustls with the *ring* provider and the platform's trust store. No system library is
//! needed to build, and no aws-lc.
//!
//! reqwest is built with `rustls-no-provider`, and cargo unifies features: another crate's
//! reqwest in the same build gets rustls without a provider too, and its `Client::new()` panics
//! unless a process-wide default is installed. [`install_default_provider`] installs *ring* as
//! that default when, and only when, none is installed yet.

use std::sync::Arc;

use rustls_platform_verifier::BuilderVerifierExt;

use crate::error::ConfigError;

/// Makes *ring* rustls's process-wide default provider, unless one is installed already (a
/// provider the application installed first is kept). Called when a client is built and when a
/// mock starts.
pub(crate) fn install_default_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one meanwhile: then that one stays, which is as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A rustls client configuration for reqwest (always *ring*, whatever the process default).
pub(crate) fn config() -> Result<rustls::ClientConfig, ConfigError> {
    install_default_provider();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Http(format!("TLS: {e}")))?
        .with_platform_verifier()
        .map_err(|e| ConfigError::Http(format!("TLS trust store: {e}")))?
        .with_no_client_auth();
    Ok(config)
}
