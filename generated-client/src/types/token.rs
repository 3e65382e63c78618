//! The bearer token, kept out of every `Debug`, `Display`, error and log line.

use std::fmt;
use std::sync::Arc;

/// A Vercel access token. Its `Debug` and `Display` print `Token(***)` / `***`, never the token.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Token(Arc<str>);

/// Why a token was refused. Never contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The token is empty or only white space.
    #[error("the token is empty")]
    Empty,
    /// The token contains characters that cannot go in an HTTP header (such as a newline).
    #[error("the token contains characters that cannot be sent in an HTTP header (a newline or control character?)")]
    Invalid,
}

impl Token {
    /// Wraps a token, trimming surrounding white space (a trailing newline from a file, say).
    pub(crate) fn new(token: impl AsRef<str>) -> Result<Self, TokenError> {
        let token = token.as_ref().trim();
        if token.is_empty() {
            return Err(TokenError::Empty);
        }
        if token.chars().any(|c| c.is_control() || !c.is_ascii()) {
            return Err(TokenError::Invalid);
        }
        Ok(Self(token.into()))
    }

    /// The token itself. Only the transport calls this, to build the `Authorization` header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_never_shown_and_blank_ones_are_refused() {
        let token = Token::new("secret-value\n").unwrap();
        assert_eq!(format!("{token:?}"), "Token(***)");
        assert_eq!(token.to_string(), "***");
        assert_eq!(token.expose(), "secret-value");
        assert_eq!(Token::new("  "), Err(TokenError::Empty));
        assert_eq!(Token::new("a\u{7}b"), Err(TokenError::Invalid));
    }
}
