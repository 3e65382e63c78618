//! The high-level calls: any number of tags or source images, checked, batched and sent.

use std::marker::PhantomData;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::batch::{self, BatchOutcome, BatchReport};
use crate::client::EdgeCache;
use crate::error::Error;
use crate::generated::api::types;
use crate::generated::{api, spec};
use crate::schema::Operation;
use crate::validation::{Problem, ValidationError, check, check_body, check_query};

pub use crate::generated::api::types::Target;

/// One of the four operations, as the high-level calls use it.
pub trait Kind: sealed::Sealed + Send + Sync + 'static {
    /// The operation's spec table.
    const OPERATION: &'static Operation;
    /// The body list that selections are split on.
    const BATCH_FIELD: &'static str;
    /// The most items one request carries.
    const MAX_ITEMS: usize;

    /// Sends one request through the generated builder.
    #[doc(hidden)]
    fn send(
        api: &api::Client,
        query: &QueryValues,
        body: Value,
    ) -> impl Future<Output = Result<progenitor_client::ResponseValue<()>, progenitor_client::Error<types::Error>>> + Send;
}

mod sealed {
    pub trait Sealed {}
}

/// Query values of one call.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct QueryValues {
    project: String,
    team_id: Option<String>,
    slug: Option<String>,
}

macro_rules! kind {
    ($(#[$doc:meta])* $name:ident, $module:ident, $builder:ident, $body:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub enum $name {}
        impl sealed::Sealed for $name {}
        impl Kind for $name {
            const OPERATION: &'static Operation = &spec::$module::OPERATION;
            const BATCH_FIELD: &'static str = spec::$module::BATCH_FIELD;
            const MAX_ITEMS: usize = spec::$module::MAX_ITEMS_PER_REQUEST;

            fn send(
                api: &api::Client,
                query: &QueryValues,
                body: Value,
            ) -> impl Future<Output = Result<progenitor_client::ResponseValue<()>, progenitor_client::Error<types::Error>>> + Send {
                let body = serde_json::from_value::<$body>(body).map_err(|e| e.to_string());
                let mut builder = api.$builder().project_id_or_name(query.project.clone());
                if let Some(team_id) = &query.team_id {
                    builder = builder.team_id(team_id.clone());
                }
                if let Some(slug) = &query.slug {
                    builder = builder.slug(slug.clone());
                }
                async move {
                    let body = body.map_err(progenitor_client::Error::InvalidRequest)?;
                    builder.body(body).send().await
                }
            }
        }
    };
}

kind!(
    /// `invalidateByTags`.
    InvalidateTags, invalidate_by_tags, invalidate_by_tags, types::InvalidateByTagsRequest
);
kind!(
    /// `dangerouslyDeleteByTags`.
    DeleteTags, dangerously_delete_by_tags, dangerously_delete_by_tags, types::DangerouslyDeleteByTagsRequest
);
kind!(
    /// `invalidateBySrcImages`.
    InvalidateSrcImages, invalidate_by_src_images, invalidate_by_src_images, types::InvalidateBySrcImagesRequest
);
kind!(
    /// `dangerouslyDeleteBySrcImages`.
    DeleteSrcImages, dangerously_delete_by_src_images, dangerously_delete_by_src_images, types::DangerouslyDeleteBySrcImagesRequest
);

/// Operations whose body selects by tags (and so takes a `target`).
pub trait ByTags: Kind {}
impl ByTags for InvalidateTags {}
impl ByTags for DeleteTags {}

/// Operations that delete (and so take a revalidation deadline).
pub trait Deletes: Kind {}
impl Deletes for DeleteTags {}
impl Deletes for DeleteSrcImages {}

/// A request planned by [`Purge::plan`]: what would be sent, without the token.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRequest {
    /// The HTTP method.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
    /// Query parameters in the order sent.
    pub query: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Value,
}

/// A selection to invalidate or delete, split into requests of at most the spec's `maxItems`.
///
/// Built by the [`EdgeCache`] methods; nothing is sent until [`Purge::send`].
///
/// ```no_run
/// # async fn run(client: vercel_edge_cache::EdgeCache) -> Result<(), vercel_edge_cache::Error> {
/// let tags = (0..100).map(|i| format!("product-{i}"));
/// let report = client
///     .dangerously_delete_by_tags("my-project", tags)
///     .revalidation_deadline_seconds(60)
///     .concurrency(8)
///     .send()
///     .await?;
/// for failed in report.failures() {
///     eprintln!("{} tags failed: {}", failed.items.len(), failed.result.as_ref().unwrap_err());
/// }
/// # Ok(()) }
/// ```
#[must_use = "nothing is sent until `.send().await`"]
pub struct Purge<'a, K: Kind> {
    client: &'a EdgeCache,
    project: String,
    items: Vec<String>,
    options: Map<String, Value>,
    team_id: Option<String>,
    slug: Option<String>,
    concurrency: usize,
    on_batch: Option<batch::OnBatch<'a>>,
    kind: PhantomData<K>,
}

impl<K: Kind> std::fmt::Debug for Purge<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Purge")
            .field("operation", &K::OPERATION.operation_id)
            .field("project", &self.project)
            .field("items", &self.items.len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a, K: Kind> Purge<'a, K> {
    pub(crate) fn new(client: &'a EdgeCache, project: String, items: Vec<String>) -> Self {
        Self {
            client,
            project,
            items,
            options: Map::new(),
            team_id: client.scope.team_id.clone(),
            slug: client.scope.slug.clone(),
            concurrency: client.concurrency,
            on_batch: None,
            kind: PhantomData,
        }
    }

    /// Overrides the client's `teamId` for this call.
    pub fn team_id(mut self, team_id: impl Into<String>) -> Self {
        self.team_id = Some(team_id.into());
        self
    }

    /// Overrides the client's team `slug` for this call.
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.slug = Some(slug.into());
        self
    }

    /// Requests in flight for this call (default: the client's).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Called as each batch finishes (for progress reporting).
    pub fn on_batch(mut self, callback: impl Fn(&BatchOutcome) + Send + Sync + 'a) -> Self {
        self.on_batch = Some(Arc::new(callback));
        self
    }

    /// How many requests the selection needs.
    pub fn batch_count(&self) -> usize {
        self.items.len().div_ceil(K::MAX_ITEMS)
    }

    fn query(&self) -> QueryValues {
        QueryValues { project: self.project.clone(), team_id: self.team_id.clone(), slug: self.slug.clone() }
    }

    fn body(&self, items: &[String]) -> Value {
        let mut body = self.options.clone();
        body.insert(K::BATCH_FIELD.to_string(), Value::Array(items.iter().cloned().map(Value::String).collect()));
        Value::Object(body)
    }

    /// Checks the whole selection against the spec's rules; on error nothing may be sent.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let op = K::OPERATION;
        let q = self.query();
        let mut query = vec![(spec::query::PROJECT_ID_OR_NAME, q.project.as_str())];
        if let Some(t) = &q.team_id {
            query.push((spec::query::TEAM_ID, t));
        }
        if let Some(s) = &q.slug {
            query.push((spec::query::SLUG, s));
        }
        check_query(op, &query)?;
        if self.concurrency == 0 {
            return Err(ValidationError {
                field: "concurrency".into(),
                problem: Problem::BelowMinimum { min: "1".into(), got: "0".into() },
            });
        }
        // The body's shape and options, with the first batch's worth of items.
        let first = &self.items[..self.items.len().min(K::MAX_ITEMS)];
        check_body(op, &self.body(first))?;
        // Every item, numbered across the whole selection.
        if let Some(item_schema) = op.list_item_schema(K::BATCH_FIELD) {
            for (i, item) in self.items.iter().enumerate() {
                check(op, item_schema, &Value::String(item.clone()), &format!("{}[{i}]", K::BATCH_FIELD))?;
            }
        }
        Ok(())
    }

    /// Validates, then lists the requests [`Purge::send`] would make.
    pub fn plan(&self) -> Result<Vec<PlannedRequest>, Error> {
        self.validate()?;
        let q = self.query();
        let mut query = vec![(spec::query::PROJECT_ID_OR_NAME, q.project.clone())];
        if let Some(s) = &q.slug {
            query.push((spec::query::SLUG, s.clone()));
        }
        if let Some(t) = &q.team_id {
            query.push((spec::query::TEAM_ID, t.clone()));
        }
        Ok(self
            .items
            .chunks(K::MAX_ITEMS)
            .map(|chunk| PlannedRequest {
                method: K::OPERATION.method,
                path: K::OPERATION.path,
                query: query.clone(),
                body: self.body(chunk),
            })
            .collect())
    }

    /// Validates the whole selection, then sends it in batches, at most `concurrency` at once.
    ///
    /// `Err` means nothing was sent (the input broke a rule of the spec). Otherwise the report
    /// tells, batch by batch, which items succeeded and which failed and why; one failed batch
    /// does not stop the others.
    pub async fn send(self) -> Result<BatchReport, Error> {
        self.validate()?;
        let query = self.query();
        let client = self.client;
        let options = self.options;
        let timeout = client.timeout;
        let outcomes = batch::run(self.items, K::MAX_ITEMS, self.concurrency, self.on_batch, |items: &[String]| {
            let mut body = options.clone();
            body.insert(K::BATCH_FIELD.to_string(), Value::Array(items.iter().cloned().map(Value::String).collect()));
            let request = K::send(&client.api, &query, Value::Object(body));
            // Boxed once here, so the large request future is not copied through the combinators.
            Box::pin(crate::transport::call(K::OPERATION, timeout, request))
        })
        .await;
        Ok(BatchReport { operation: K::OPERATION.operation_id, batches: outcomes })
    }
}

impl<K: ByTags> Purge<'_, K> {
    /// Only this environment's cache (`production` or `preview`); both when unset.
    pub fn target(mut self, target: Target) -> Self {
        self.options.insert(spec::body::TARGET.into(), Value::String(target.to_string()));
        self
    }
}

impl<K: Deletes> Purge<'_, K> {
    /// How long, in seconds, deleted entries may still be served stale while they revalidate.
    pub fn revalidation_deadline_seconds(mut self, seconds: i64) -> Self {
        self.options.insert(spec::body::REVALIDATION_DEADLINE_SECONDS.into(), Value::from(seconds));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{invalidate_by_src_images as inv_img, invalidate_by_tags as inv_tags};

    fn client() -> EdgeCache {
        EdgeCache::builder("t").base_url("http://127.0.0.1:9").team_id("team_a").build().unwrap()
    }

    #[test]
    fn plans_split_on_the_spec_limit_and_keep_every_item_once() {
        let c = client();
        let max = inv_tags::MAX_ITEMS_PER_REQUEST;
        let n = 2 * max + 3;
        let tags: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
        let plan = c.invalidate_by_tags("p", tags.clone()).target(Target::Preview).plan().unwrap();
        assert_eq!(plan.len(), 3);
        let mut seen = Vec::new();
        for r in &plan {
            assert_eq!(r.path, inv_tags::OPERATION.path);
            assert_eq!(r.query, vec![("projectIdOrName", "p".to_string()), ("teamId", "team_a".to_string())]);
            assert_eq!(r.body["target"], "preview");
            let items = r.body["tags"].as_array().unwrap();
            assert!(items.len() <= max);
            seen.extend(items.iter().map(|v| v.as_str().unwrap().to_string()));
        }
        assert_eq!(seen, tags);
        let images: Vec<String> = (0..inv_img::MAX_ITEMS_PER_REQUEST * 2 + 1).map(|i| format!("/{i}.png")).collect();
        assert_eq!(c.invalidate_by_src_images("p", images).plan().unwrap().len(), 3);
    }

    #[test]
    fn per_call_scope_overrides_the_client() {
        let c = client();
        let plan = c.invalidate_by_tags("p", ["a"]).team_id("team_b").slug("s").plan().unwrap();
        assert_eq!(
            plan[0].query,
            vec![("projectIdOrName", "p".into()), ("slug", "s".into()), ("teamId", "team_b".into())]
        );
    }

    #[test]
    fn the_whole_selection_is_checked_before_anything_is_sent() {
        let c = client();
        let max = inv_tags::MAX_ITEMS_PER_REQUEST;
        let mut tags: Vec<String> = (0..3 * max).map(|i| format!("t{i}")).collect();
        tags.push("x".repeat(10_000));
        let err = c.invalidate_by_tags("p", tags).validate().unwrap_err();
        assert!(err.to_string().starts_with(&format!("tags[{}]: at most", 3 * max)), "{err}");
        let err = c.invalidate_by_tags("p", Vec::<String>::new()).validate().unwrap_err();
        assert_eq!(err.to_string(), "tags: at least 1 item per request, got 0");
        let err = c.invalidate_by_tags("", ["a"]).validate().unwrap_err();
        assert_eq!(err.to_string(), "projectIdOrName: is required");
        let err = c.dangerously_delete_by_tags("p", ["a"]).revalidation_deadline_seconds(-1).validate().unwrap_err();
        assert_eq!(err.to_string(), "revalidationDeadlineSeconds: must be at least 0, got -1");
    }
}
