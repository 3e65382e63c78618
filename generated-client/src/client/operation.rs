//! The sealed trait an operation's marker type implements, and what it types: the body of a
//! successful answer, read from a report.

use crate::engine::spec::Sealed;
use crate::types::operation::OperationInfo;
use crate::types::report::BatchOutcome;

/// An operation of the spec that takes a selection: implemented by the generated marker types
/// of [`crate::operations`], such as `InvalidateByTags`, and by nothing else (the trait is
/// sealed).
///
/// It is the type parameter of a typed call ([`crate::Purge`]) and of the testing kit's
/// queries (`MockVercel::items::<O>()`).
///
/// It can bound a caller's generic code:
///
/// ```
/// use vercel_edge_cache::operations::Operation;
/// fn describe<O: Operation>() -> String {
///     format!("{} {}", O::INFO.method, O::INFO.path)
/// }
/// ```
///
/// but not be implemented outside the crate (the trait is sealed: `Mine` cannot implement its
/// private supertrait):
///
/// ```compile_fail,E0277
/// struct Mine;
/// impl vercel_edge_cache::operations::Operation for Mine {}
/// ```
pub trait Operation: Sealed + Send + Sync + 'static {
    /// Its facts.
    const INFO: &'static OperationInfo = &<Self as Sealed>::SPEC.info;

    /// The body of its successful answer, as progenitor types it: `()` when the spec gives the
    /// answer no JSON body. [`BatchOutcome::response`](crate::BatchOutcome::response) reads it.
    type Response: serde::de::DeserializeOwned + Send + 'static;
}

impl BatchOutcome {
    /// The body of Vercel's successful answer, typed as the call's operation `O` says
    /// (`O::Response`, progenitor's type): `None` when the request failed or the answer had no
    /// body.
    ///
    /// ```no_run
    /// # use vercel_edge_cache::{BatchReport, operations::Operation};
    /// # fn show<O: Operation>(report: &BatchReport) where O::Response: std::fmt::Debug {
    /// for batch in &report.batches {
    ///     if let Some(answer) = batch.response::<O>() {
    ///         println!("request {}: {answer:?}", batch.index);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn response<O: Operation>(&self) -> Option<O::Response> {
        serde_json::from_value(self.response.clone()?).ok()
    }
}
