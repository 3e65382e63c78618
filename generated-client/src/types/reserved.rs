//! The names the hand-written code already uses where generated names go: an operation, a
//! setter, a scope parameter, a setter enum, a field of the mock's `RecordedPurge` or a CLI flag
//! of the spec may not take one of them.
//!
//! This file is the one place they are listed. The generator includes it
//! (`generator/src/names.rs`), and refuses a spec that would take one, with a located error;
//! tests check each list against the runtime in both directions, so that a name the runtime
//! adds or drops fails a test (`generator/tests/runtime_names.rs`, and the CLI's own test for
//! its flags and commands).

/// Methods of `EdgeCache` (inherent, and of the traits it implements): an operation's method
/// cannot take them.
pub const CLIENT_METHODS: &[&str] = &[
    "api",
    "base_url",
    "builder",
    "builder_from_env",
    "clone",
    "clone_from",
    "fmt",
    "from_env",
    "new",
    "operation",
    "operations",
    "rate_limit_waited",
    "scope",
];

/// Methods of `Purge` (for every operation): a setter cannot take them.
pub const PURGE_METHODS: &[&str] = &[
    "batch_count",
    "cancel_on",
    "concurrency",
    "fmt",
    "info",
    "invalid_items",
    "max_time",
    "on_batch",
    "plan",
    "send",
    "set",
    "skip_invalid",
    "start",
    "validate",
    "with",
];

/// Methods of `EdgeCacheBuilder`: a scope parameter's setter cannot take them.
pub const BUILDER_METHODS: &[&str] = &[
    "base_url",
    "build",
    "concurrency",
    "fmt",
    "http_client",
    "max_in_flight",
    "max_retries",
    "max_time",
    "retry_policy",
    "scope",
    "scope_param",
    "timeout",
];

/// Methods of `Scope`: a scope parameter's constructor cannot take them.
pub const SCOPE_METHODS: &[&str] = &["clone", "clone_from", "default", "eq", "fmt", "get", "iter", "ne", "with"];

/// The public items of the crate root: a setter enum (re-exported there) cannot take them.
pub const ROOT_ITEMS: &[&str] = &[
    "AnyOperation",
    "ApiError",
    "AskedWait",
    "BatchOutcome",
    "BatchReport",
    "CANCEL_GRACE",
    "CancellationToken",
    "ConfigError",
    "DynPurge",
    "EdgeCache",
    "EdgeCacheBuilder",
    "Error",
    "InvalidItem",
    "Outcome",
    "PlannedRequest",
    "Problem",
    "Progress",
    "Purge",
    "RateLimitWaits",
    "RequestError",
    "RetryPolicy",
    "Scope",
    "StopReason",
    "TokenError",
    "ValidationError",
    "WaitLimit",
    "api",
    "mock",
    "operations",
];

/// The runtime's items in the public `operations` module: an operation's marker type cannot
/// take them.
pub const OPERATIONS_ITEMS: &[&str] = &["Field", "Kind", "Operation", "OperationInfo", "Place"];

/// The fields of the mock's `RecordedPurge` that are not parameters or properties of the spec:
/// a parameter or property cannot take them.
pub const RECORDED_FIELDS: &[&str] = &["error", "items", "operation", "status"];

/// The CLI's global flags (`edge-cache --<flag>`): a selection or a property's flag cannot take
/// them.
pub const GLOBAL_FLAGS: &[&str] = &[
    "api-url",
    "concurrency",
    "debug",
    "dry-run",
    "help",
    "json",
    "json-lines",
    "max-retries",
    "max-retry-after",
    "max-time",
    "no-adaptive-rate",
    "project",
    "save-failed",
    "scope",
    "skip-invalid",
    "team-id",
    "timeout",
    "token",
    "version",
    "yes",
];

/// The CLI's own commands: a command of the spec's CLI mapping cannot take them.
pub const OWN_COMMANDS: &[&str] = &["completions", "help", "man", "mock"];

/// The global flags the spec's CLI mapping may bind to a query parameter.
pub const PARAMETER_FLAGS: &[&str] = &["project", "scope", "team-id"];

/// The environment variable `--project` reads, as `vercel` does.
pub const PROJECT_ENV: &str = "VERCEL_PROJECT_ID";

/// The environment variable `--team-id` reads, as `vercel` does.
pub const TEAM_ID_ENV: &str = "VERCEL_ORG_ID";

/// The environment variables of the global flags that set query parameters (flag, variable):
/// the CLI reads them for its flags, and `EdgeCache::from_env` for the client-wide ones (those
/// the spec's CLI mapping binds to a scope parameter).
pub const PARAMETER_ENV: &[(&str, &str)] = &[("project", PROJECT_ENV), ("team-id", TEAM_ID_ENV)];

/// What a personal account's ID starts with: `VERCEL_ORG_ID` holds one for a project of a
/// personal account, and it is no team (`teamId` is not sent), as `vercel` reads it.
pub const PERSONAL_ACCOUNT_PREFIX: &str = "usr_";
