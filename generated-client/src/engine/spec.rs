//! An operation and the API as the generated code describes them to the engine: the
//! declarations the generated registry fills in (`generated/spec.rs`, through
//! [`crate::contract`]).

use crate::engine::value::Values;
use crate::types::operation::OperationInfo;
use crate::types::validation::ValidationError;

/// Implemented by the generated marker types, and by nothing outside the crate: the supertrait
/// that seals [`Operation`](crate::operations::Operation).
pub trait Sealed {
    /// The operation's description.
    const SPEC: &'static OperationSpec;
}

/// One operation, as the generated code describes it to the runtime.
#[derive(Debug)]
pub struct OperationSpec {
    /// Its facts.
    pub info: OperationInfo,
    /// A call's values, none set yet: the generated typed values of the operation, which check
    /// themselves, build the body and send (see [`crate::engine::value::OperationValues`]).
    pub values: fn() -> Box<dyn Values>,
    /// Checks the item at an index of the selection.
    pub check_item: fn(usize, &str) -> Result<(), ValidationError>,
    /// Checks the batch field's string form ([`OperationInfo::text_form`]).
    pub check_text: fn(&str) -> Result<(), ValidationError>,
    /// A body of the successful answer, as JSON text, when the spec gives it one: what the
    /// testing kit answers.
    pub success_body: Option<&'static str>,
}

/// The API as a whole.
#[derive(Debug)]
pub struct ApiSpec {
    /// The spec's first server; empty when it names none.
    pub base_url: &'static str,
    /// How requests authenticate.
    pub auth: Auth,
    /// The CLI's global flags that set query parameters, with the parameter each sets (flag,
    /// wire name), from the spec's CLI mapping: `EdgeCache::from_env` reads the variables of
    /// those that set a scope parameter.
    pub parameter_flags: &'static [(&'static str, &'static str)],
    /// Every operation with a high-level call, in spec order.
    pub operations: &'static [&'static OperationSpec],
}

/// The header every request carries its credential in (`header` empty: none).
#[derive(Debug)]
pub struct Auth {
    /// Its name, lower case.
    pub header: &'static str,
    /// What goes before the token (`"Bearer "`).
    pub prefix: &'static str,
}
