//! The client users hold: construction and configuration ([`EdgeCache`], [`EdgeCacheBuilder`]),
//! and what starts its calls ([`purge`]) and types them ([`operation`]). It imports the engine
//! and [`crate::types`].

pub(crate) mod operation;
pub(crate) mod purge;

use std::fmt;
use std::time::Duration;

use crate::engine::credential::Credential;
use crate::engine::rate_limit::RateLimiter;
use crate::engine::{Engine, settings};
use crate::generated::api;
use crate::generated::spec::API;
use crate::types::error::ConfigError;
use crate::types::reserved;
use crate::types::retry::RetryPolicy;
use crate::types::scope::Scope;
use crate::types::token::Token;
use crate::types::validation::Problem;

/// A client of Vercel's edge-cache API.
///
/// **One client per service, cloned.** The connection pool, the rate limiter (what it learns
/// of Vercel's window, its holds after a 429, its pacing when other processes share the
/// token) and the cap on requests in flight ([`EdgeCacheBuilder::max_in_flight`]) belong to the
/// client and are shared by its clones, which are cheap. A client built per call starts each
/// of them afresh: it knows nothing of the window the others spent, and is answered 429 where
/// a shared one would have waited.
///
/// Every request carries
/// `Authorization: Bearer <token>` and `User-Agent: vercel-edge-cache/<version>`, is checked
/// against the spec's rules before it is sent, and is retried on 429, 5xx, timeouts and
/// connection errors (see [`RetryPolicy`]).
///
/// ```
/// use std::time::Duration;
/// use vercel_edge_cache::EdgeCache;
/// let client = EdgeCache::builder("my-token")
///     .base_url("https://vercel-proxy.example.com") // default: the spec's server
///     .timeout(Duration::from_secs(10))
///     .concurrency(8)
///     .build()?;
/// assert_eq!(client.base_url(), "https://vercel-proxy.example.com");
/// # Ok::<(), vercel_edge_cache::Error>(())
/// ```
///
/// Each operation of the spec has a method that starts a call of it (see the crate's example),
/// and [`EdgeCache::operation`] starts one chosen at run time.
#[derive(Clone)]
pub struct EdgeCache {
    pub(crate) engine: Engine,
}

impl fmt::Debug for EdgeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EdgeCache")
            .field("base_url", &self.base_url())
            .field("token", &"***")
            .field("scope", &self.engine.scope)
            .field("concurrency", &self.engine.concurrency)
            .field("timeout", &self.engine.timeout)
            .field("retry", &self.engine.retry)
            .field("max_time", &self.engine.max_time)
            .finish()
    }
}

impl EdgeCache {
    /// The `User-Agent` every request carries: `vercel-edge-cache/` and the crate's version.
    pub const USER_AGENT: &str = concat!("vercel-edge-cache/", env!("CARGO_PKG_VERSION"));

    /// The default per-attempt timeout: 30 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// The default number of requests in flight for a large selection: 4.
    pub const DEFAULT_CONCURRENCY: usize = 4;

    /// Where requests go unless the client is told otherwise: the spec's first server (empty
    /// when the spec names none; then [`EdgeCacheBuilder::base_url`] is required).
    pub const DEFAULT_BASE_URL: &str = API.base_url;

    /// A builder with the defaults: the spec's server, 30 s per attempt, 3 retries, 4 in flight.
    pub fn builder(token: impl AsRef<str>) -> EdgeCacheBuilder {
        EdgeCacheBuilder {
            token: Token::new(token).map_err(ConfigError::from),
            base_url: Self::DEFAULT_BASE_URL.to_string(),
            scope: Scope::default(),
            timeout: Self::DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            concurrency: Self::DEFAULT_CONCURRENCY,
            max_in_flight: None,
            max_time: None,
            http_client: None,
        }
    }

    /// A client with the default settings.
    pub fn new(token: impl AsRef<str>) -> Result<Self, ConfigError> {
        Self::builder(token).build()
    }

    /// A client from the environment, read as the `edge-cache` CLI reads it: `VERCEL_TOKEN`
    /// (required), `VERCEL_API_URL`, and the variables of the CLI's flags that set a
    /// client-wide parameter: `VERCEL_ORG_ID`, the team (`teamId`). A blank variable is none,
    /// and a personal account's ID in `VERCEL_ORG_ID` (`usr_…`, as `vercel link` writes for a
    /// personal project) is no team. `VERCEL_PROJECT_ID` is not read: the project is an
    /// argument of each call.
    ///
    /// ```
    /// // With VERCEL_TOKEN unset:
    /// # unsafe { std::env::remove_var("VERCEL_TOKEN") };
    /// let err = vercel_edge_cache::EdgeCache::from_env().unwrap_err();
    /// assert_eq!(err.to_string(), "the environment variable VERCEL_TOKEN is not set");
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder_from_env()?.build()
    }

    /// A builder from the environment, for further settings.
    pub fn builder_from_env() -> Result<EdgeCacheBuilder, ConfigError> {
        let token = std::env::var("VERCEL_TOKEN").map_err(|_| ConfigError::MissingEnv("VERCEL_TOKEN"))?;
        let mut builder = Self::builder(token);
        if let Ok(url) = std::env::var("VERCEL_API_URL")
            && !url.trim().is_empty()
        {
            builder = builder.base_url(url.trim());
        }
        for (flag, var) in reserved::PARAMETER_ENV {
            let Some(&(_, wire)) = API.parameter_flags.iter().find(|(f, _)| f == flag) else { continue };
            let scoped = API.operations.iter().any(|o| o.info.fields.iter().any(|f| f.name == wire && f.in_scope));
            let value = std::env::var(var).unwrap_or_default();
            let value = value.trim();
            if scoped && !value.is_empty() && !value.starts_with(reserved::PERSONAL_ACCOUNT_PREFIX) {
                builder = builder.scope_param(wire, value.to_string());
            }
        }
        Ok(builder)
    }

    /// The team scope sent with every request unless a call overrides it.
    pub fn scope(&self) -> &Scope {
        &self.engine.scope
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.engine.api.baseurl()
    }

    /// How long this client (and its clones) held requests for Vercel's rate limit so far.
    pub fn rate_limit_waited(&self) -> Duration {
        self.engine.limiter.waited()
    }

    /// The generated low-level client (progenitor's, with this client's token on every request,
    /// and its `User-Agent` and timeout unless it sends through a client of yours,
    /// [`EdgeCacheBuilder::http_client`]), for requests the high-level calls do not cover. It neither
    /// validates input nor retries, and error statuses reach it as `UnexpectedResponse`.
    pub fn api(&self) -> &api::Client {
        &self.engine.api
    }
}

/// Settings for an [`EdgeCache`].
///
/// ```
/// use std::time::Duration;
/// use vercel_edge_cache::EdgeCache;
/// let client = EdgeCache::builder("token")
///     .base_url("http://127.0.0.1:8080")
///     .timeout(Duration::from_secs(5))
///     .max_retries(0)
///     .concurrency(8)
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
/// let err = EdgeCache::builder("token").base_url("http://example.com").build().unwrap_err();
/// assert!(err.to_string().starts_with("https is required"));
/// ```
#[derive(Debug)]
#[must_use]
pub struct EdgeCacheBuilder {
    token: Result<Token, ConfigError>,
    base_url: String,
    scope: Scope,
    timeout: Duration,
    retry: RetryPolicy,
    concurrency: usize,
    max_in_flight: Option<usize>,
    max_time: Option<Duration>,
    http_client: Option<reqwest::Client>,
}

impl EdgeCacheBuilder {
    /// Where requests go. `https://` anywhere; plain `http://` only to loopback hosts.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The whole scope: the optional query parameters every request carries (the generated
    /// setters of [`EdgeCacheBuilder`], such as `team_id`, set them one by one).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Sets one scope parameter (the contract's `default_scope`, which the generated setters
    /// call).
    pub(crate) fn scope_param(mut self, name: &'static str, value: String) -> Self {
        self.scope = self.scope.with(name, value);
        self
    }

    /// The timeout of each attempt (default 30 s), on the builder's own client or on yours
    /// ([`EdgeCacheBuilder::http_client`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after a failed attempt (default 3); 0 turns retrying off.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The whole retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A time budget for each call (none by default; calls may set their own): when it runs
    /// out, nothing new is sent, requests in flight are abandoned, and the report lists every
    /// item not done.
    pub fn max_time(mut self, budget: Duration) -> Self {
        self.max_time = Some(budget);
        self
    }

    /// Requests in flight for a large selection (default 4), per call: two calls at once may
    /// have twice as many. [`max_in_flight`](EdgeCacheBuilder::max_in_flight) caps them all.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// A cap on requests in flight across every call of the client and its clones (none by
    /// default: each call is bounded by its own [`concurrency`](EdgeCacheBuilder::concurrency)).
    /// For a service whose many tasks share one client: a request past the cap waits for a
    /// slot before it is sent (and before the rate limiter counts it); a slot is held for one
    /// attempt, not for the backoff between attempts. At least 1.
    ///
    /// ```
    /// use vercel_edge_cache::EdgeCache;
    /// let client = EdgeCache::builder("token").base_url("https://vercel-proxy.example.com").max_in_flight(8).build()?;
    /// let for_a_task = client.clone(); // shares the cap, the rate limiter and the pool
    /// # Ok::<(), vercel_edge_cache::Error>(())
    /// ```
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = Some(n);
        self
    }

    /// Sends through `client`, a `reqwest::Client` of yours (a proxy, your corporate CA roots,
    /// a connection pool shared with the rest of your service), instead of one the builder
    /// makes. Every request still carries the token, is checked, retried and paced to the rate
    /// limit, with the builder's [`timeout`](EdgeCacheBuilder::timeout) (30 s unless set) on each
    /// request, in place of your client's own `timeout`, so that the timeout errors name is the
    /// one applied. The base URL must still be https (or loopback). The client's other settings
    /// are yours to make, as the builder makes them for its own: a connect timeout, the
    /// `User-Agent` ([`EdgeCache::USER_AGENT`] is not sent unless you set it), and redirects:
    /// turn them off (`reqwest::redirect::Policy::none()`, as the builder's own client has
    /// them). reqwest's default follows up to 10 and drops only an
    /// `Authorization` header, and only on a redirect to another host: it keeps the token on a
    /// redirect to `http://` on the same host. TLS is whatever your client has.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vercel_edge_cache::EdgeCache;
    /// let http = reqwest::Client::builder()
    ///     .user_agent(EdgeCache::USER_AGENT)
    ///     .connect_timeout(Duration::from_secs(10))
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let client = EdgeCache::builder("token")
    ///     .base_url("https://vercel-proxy.example.com")
    ///     .timeout(Duration::from_secs(20)) // each request's, on your client too
    ///     .http_client(http)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<EdgeCache, ConfigError> {
        let token = self.token?;
        let base_url = check_base_url(&self.base_url)?;
        let refused = |setting| move |p: Problem| ConfigError::Setting { setting, reason: p.to_string() };
        settings::concurrency(self.concurrency).map_err(refused("concurrency"))?;
        if let Some(n) = self.max_in_flight {
            settings::max_in_flight(n).map_err(refused("max_in_flight"))?;
        }
        settings::timeout(self.timeout).map_err(refused("timeout"))?;
        let mut credential = Credential::default();
        if !API.auth.header.is_empty() {
            let auth = reqwest::header::HeaderValue::from_str(&format!("{}{}", API.auth.prefix, token.expose()))
                .map_err(|_| ConfigError::Token(crate::types::token::TokenError::Invalid))?;
            credential = Credential::new(reqwest::header::HeaderName::from_static(API.auth.header), auth);
        }
        let http = match self.http_client {
            Some(http) => {
                credential = credential.with_timeout(self.timeout);
                http
            }
            None => crate::engine::tls::configure(reqwest::Client::builder())?
                .user_agent(EdgeCache::USER_AGENT)
                .timeout(self.timeout)
                .connect_timeout(self.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| ConfigError::Http(e.to_string()))?,
        };
        Ok(EdgeCache {
            engine: Engine {
                api: api::Client::new_with_client(&base_url, http, credential),
                scope: self.scope,
                concurrency: self.concurrency,
                timeout: self.timeout,
                limiter: std::sync::Arc::new(RateLimiter::new(&self.retry)),
                retry: self.retry,
                max_time: self.max_time,
                max_in_flight: self.max_in_flight.map(|n| std::sync::Arc::new(tokio::sync::Semaphore::new(n))),
            },
        })
    }
}

/// Accepts `https://` URLs, and `http://` only to loopback hosts; returns it without a trailing `/`.
fn check_base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidUrl { url: redact_url(url), reason: reason.to_string() };
    if url.trim().is_empty() {
        return Err(invalid("no base URL: the spec names no server, so give one with `base_url`"));
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL cannot have a query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("credentials in the URL are not accepted; pass the token instead"));
    }
    match parsed.scheme() {
        "https" => {}
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(ConfigError::HttpsRequired { url: redact_url(url) });
            }
        }
        other => return Err(invalid(&format!("the scheme must be https, not {other}"))),
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// A URL for error messages: credentials (`user:pw@`) and the query or fragment become `***`,
/// since a token may have been pasted there.
fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_at(url.find("://").map_or(0, |i| i + "://".len()));
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let authority = authority.rfind('@').map_or_else(|| authority.to_string(), |at| format!("***{}", &authority[at..]));
    let tail = tail.find(['?', '#']).map_or_else(|| tail.to_string(), |i| format!("{}***", &tail[..=i]));
    format!("{scheme}{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_urls_never_show_credentials_or_queries() {
        for (url, shown) in [
            ("https://user:tok3n@api.vercel.com", "https://***@api.vercel.com"),
            ("http://tok3n@example.com/x", "http://***@example.com/x"),
            ("https://api.vercel.com/?token=tok3n", "https://api.vercel.com/?***"),
        ] {
            let e = check_base_url(url).unwrap_err().to_string();
            assert!(!e.contains("tok3n"), "{e}");
            assert!(e.contains(shown), "{e}");
        }
    }

    #[test]
    fn https_anywhere_http_only_to_loopback() {
        for ok in [
            "https://api.vercel.com",
            "https://example.com/prefix/",
            "http://127.0.0.1:1",
            "http://127.8.9.10",
            "http://[::1]:80",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.vercel.com",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.evil.com",
            "http://128.0.0.1",
        ] {
            assert!(matches!(check_base_url(bad), Err(ConfigError::HttpsRequired { .. })), "{bad}");
        }
        for bad in ["ftp://x", "not a url", "https://user:pw@api.vercel.com", "https://a/?q=1"] {
            assert!(matches!(check_base_url(bad), Err(ConfigError::InvalidUrl { .. })), "{bad}");
        }
        assert_eq!(check_base_url("https://example.com/x/").unwrap(), "https://example.com/x");
    }

    #[test]
    fn debug_never_shows_the_token() {
        let client = EdgeCache::builder("sekrit-token-123").base_url("http://127.0.0.1:9").build().unwrap();
        let shown = format!("{client:?} {:?}", client.api());
        assert!(!shown.contains("sekrit-token-123"), "{shown}");
        let builder = EdgeCache::builder("sekrit-token-123");
        assert!(!format!("{builder:?}").contains("sekrit"));
    }

    #[test]
    fn settings_out_of_range_are_refused() {
        let e = EdgeCache::builder("t").base_url("http://127.0.0.1:9").concurrency(0).build().unwrap_err();
        assert_eq!(e.to_string(), "concurrency: must be at least 1, got 0");
        // A cap past what the semaphore holding its slots counts: refused, not a panic.
        let too_many = tokio::sync::Semaphore::MAX_PERMITS + 1;
        let e = EdgeCache::builder("t").base_url("http://127.0.0.1:9").max_in_flight(too_many).build().unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("max_in_flight: must be at most {}, got {too_many}", tokio::sync::Semaphore::MAX_PERMITS)
        );
        let e = EdgeCache::builder("").build().unwrap_err();
        assert_eq!(e.to_string(), "invalid token: the token is empty");
    }
}
