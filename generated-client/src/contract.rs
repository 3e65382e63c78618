//! The contract between the generated code (`src/generated/`) and the hand-written runtime.
//!
//! The generated code names nothing of the runtime but what this module holds, and the runtime
//! reads nothing of the generated code but the three items listed below. A test
//! (`generator/tests/contract.rs`) checks that every `crate::` path in the generated files goes
//! through here (or to the generated `api` module).
//!
//! **What the generated code calls** (all here):
//!
//! - the descriptions it declares: [`OperationSpec`] (an operation's [`OperationInfo`], its
//!   [`Field`]s of a [`Kind`] and [`Place`], and its functions), [`ApiSpec`] and [`Auth`];
//! - [`Sealed`], which its marker types implement (so that [`Operation`] is theirs only);
//! - the values of a call: [`Values`] to read them, [`FieldId::named`] to resolve a field's wire
//!   name once, at compile time, and [`Value`];
//! - the constructors: [`start`] (a call of an operation), [`set`] (a field of a call, by its
//!   [`FieldId`]: the typed setters), [`scope`] and [`default_scope`] (the client-wide
//!   parameters), [`sending`] and [`unsendable`] (an attempt, from progenitor's builder);
//! - the checks, one per constraint of the spec ([`check`]), and the conversions into
//!   progenitor's types ([`convert`]);
//! - the types it adds methods to: [`EdgeCache`] (one per operation), [`EdgeCacheBuilder`] and
//!   [`Scope`] (one per scope parameter), [`Purge`] (the setters).
//!
//! **What the runtime reads of the generated code:** `generated::spec::API` (the registry of
//! operations, the base URL and auth), the `api` module (progenitor's client, which
//! [`EdgeCache`] wraps), and the marker types and setter enums it re-exports. RecordedPurge
//! (feature `mock`) is generated too, and built by the mock through [`crate::mock::inbound`].
//!
//! **The runtime's reserved names** (methods of [`EdgeCache`], [`Purge`], …, which an operation
//! or a property may not take) live in one file, `reserved.rs`, which the generator includes
//! too; tests check it against the runtime in both directions.

use std::future::Future;

pub(crate) use crate::check;
pub(crate) use crate::client::{EdgeCache, EdgeCacheBuilder};
pub(crate) use crate::convert;
#[cfg(feature = "mock")]
pub(crate) use crate::mock::inbound::Request as Inbound;
pub(crate) use crate::operation::{Field, Kind, Operation, OperationInfo, Place};
pub(crate) use crate::purge::Purge;
pub(crate) use crate::scope::Scope;
pub(crate) use crate::transport::Reply;
pub(crate) use crate::validation::ValidationError;
pub(crate) use crate::value::{FieldId, Value, Values};

/// Implemented by the generated marker types, and by nothing outside the crate: the supertrait
/// that seals [`Operation`].
pub trait Sealed {
    /// The operation's description.
    const SPEC: &'static OperationSpec;
}

/// One operation, as the generated code describes it to the runtime.
#[derive(Debug)]
pub struct OperationSpec {
    /// Its facts.
    pub info: OperationInfo,
    /// Checks the values of a call (query parameters and body properties), one generated
    /// statement per constraint.
    pub check: fn(&Values) -> Result<(), ValidationError>,
    /// Checks the item at an index of the selection.
    pub check_item: fn(usize, &str) -> Result<(), ValidationError>,
    /// Checks the batch field's string form ([`OperationInfo::text_form`]).
    pub check_text: fn(&str) -> Result<(), ValidationError>,
    /// Starts one attempt of one batch through progenitor's builder.
    pub send: for<'a> fn(&'a crate::generated::api::Client, &Values, &[String]) -> Sending<'a>,
    /// The JSON body of one batch, as [`send`](OperationSpec::send) would send it.
    pub body: fn(&[String], &Values) -> Result<serde_json::Value, String>,
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

/// One attempt in flight.
pub type Sending<'a> = std::pin::Pin<Box<dyn Future<Output = Reply> + Send + 'a>>;

/// An attempt, from the future of progenitor's `send()`.
pub fn sending<'a, T, E>(
    attempt: impl Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>> + Send + 'a,
) -> Sending<'a>
where
    T: serde::Serialize + 'a,
    E: 'a,
{
    Box::pin(async move { Reply::of(attempt.await) })
}

/// An attempt that cannot be made: the body could not be built (the spec and progenitor's types
/// disagree; the checks make this unreachable for input they accept).
pub fn unsendable<'a>(message: String) -> Sending<'a> {
    Box::pin(std::future::ready(Reply::Unsendable(message)))
}

/// A call of `O` on `client`, its items given, every other field unset but for the client's
/// scope.
pub fn start<'a, O: Operation>(client: &'a EdgeCache, items: Vec<String>) -> Purge<'a, O> {
    Purge::start(client, items)
}

/// Sets a field of a call: what the typed setters call.
pub fn set<O>(purge: Purge<'_, O>, id: FieldId, value: Value) -> Purge<'_, O> {
    purge.with(id, value)
}

/// A scope parameter (`teamId`) in a scope.
pub fn scope(scope: Scope, name: &'static str, value: String) -> Scope {
    scope.with(name, value)
}

/// A scope parameter sent with every request of a client.
pub fn default_scope(builder: EdgeCacheBuilder, name: &'static str, value: String) -> EdgeCacheBuilder {
    builder.scope_param(name, value)
}

/// A [`Kind::Json`] value: what the typed setter of such a field stores.
pub fn json_value<T: serde::Serialize>(value: &T) -> Value {
    // Serialising progenitor's types cannot fail (their maps have string keys); should it, the
    // body cannot be built, and the call says so without sending.
    Value::Json(serde_json::to_value(value).unwrap_or(serde_json::Value::Null))
}
