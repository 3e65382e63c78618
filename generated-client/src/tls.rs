//! TLS: rustls with the *ring* provider and the platform's trust store. No system library is
//! needed to build, and no aws-lc.

use std::sync::Arc;

use rustls_platform_verifier::BuilderVerifierExt;

use crate::error::ConfigError;

/// A rustls client configuration for reqwest.
pub(crate) fn config() -> Result<rustls::ClientConfig, ConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Http(format!("TLS: {e}")))?
        .with_platform_verifier()
        .map_err(|e| ConfigError::Http(format!("TLS trust store: {e}")))?
        .with_no_client_auth();
    Ok(config)
}
