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
//! - the values of a call: [`OperationValues`], which each operation's generated `Values`
//!   (one typed field per parameter and property) implement: their checks, body and sending,
//!   and the setting of a field by wire name from JSON; [`values`] makes the empty one;
//! - the constructors: [`start`] (a call of an operation), [`set`] (a field of a call's values:
//!   the typed setters), [`scope`] and [`default_scope`] (the client-wide parameters),
//!   [`sending`] and [`unsendable`] (an attempt, from progenitor's builder);
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
//! or a property may not take) live in one file, `types/reserved.rs`, which the generator includes
//! too; tests check it against the runtime in both directions.

pub(crate) use crate::client::operation::Operation;
pub(crate) use crate::client::purge::Purge;
pub(crate) use crate::client::{EdgeCache, EdgeCacheBuilder};
pub(crate) use crate::engine::credential::{Credential, authorize};
pub(crate) use crate::engine::spec::{ApiSpec, Auth, OperationSpec, Sealed};
pub(crate) use crate::engine::transport::{Sending, sending, unsendable};
pub(crate) use crate::engine::value::{OperationValues, values};
pub(crate) use crate::engine::{check, convert};
#[cfg(feature = "mock")]
pub(crate) use crate::mock::inbound::Request as Inbound;
pub(crate) use crate::types::operation::{Field, Kind, OperationInfo, Place};
pub(crate) use crate::types::scope::Scope;
pub(crate) use crate::types::validation::ValidationError;

/// A call of `O` on `client`, its items given, every other field unset but for the client's
/// scope.
pub fn start<'a, O: Operation>(client: &'a EdgeCache, items: Vec<String>) -> Purge<'a, O> {
    Purge::start(client, items)
}

/// Sets a field of a call's values (`V`, its operation's): what the typed setters call.
pub fn set<O, V: OperationValues>(purge: Purge<'_, O>, set: impl FnOnce(&mut V)) -> Purge<'_, O> {
    purge.with(set)
}

/// A scope parameter (`teamId`) in a scope.
pub fn scope(scope: Scope, name: &'static str, value: String) -> Scope {
    scope.with(name, value)
}

/// A scope parameter sent with every request of a client.
pub fn default_scope(builder: EdgeCacheBuilder, name: &'static str, value: String) -> EdgeCacheBuilder {
    builder.scope_param(name, value)
}
