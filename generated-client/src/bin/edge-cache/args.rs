//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use vercel_edge_cache::spec;

/// Invalidate or delete Vercel's CDN cache by tag or by source image.
///
/// Modelled on `vercel cache invalidate|dangerously-delete`; checks every limit of Vercel's API
/// before sending, splits large selections into batches and retries transient failures.
///
/// Exit codes: 0 every request succeeded; 1 an API or network failure; 2 a usage or validation
/// error (nothing was sent).
#[derive(Debug, Parser)]
#[command(name = "edge-cache", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "Examples:
  edge-cache --project my-site invalidate --tag blog,home --target production
  edge-cache --project my-site invalidate --srcimg /images/hero.png
  git diff --name-only | edge-cache --project my-site invalidate --tags-from -
  edge-cache --project my-site dangerously-delete --tag product-42 --revalidation-deadline-seconds 60 --yes";

/// Options accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct Global {
    /// Vercel access token [required]
    #[arg(long, env = "VERCEL_TOKEN", hide_env_values = true, global = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The project's ID or name (projectIdOrName) [required]
    #[arg(long, env = "VERCEL_PROJECT_ID", global = true, value_name = "ID_OR_NAME")]
    pub project: Option<String>,
    /// The team's ID (teamId)
    #[arg(long, env = "VERCEL_ORG_ID", global = true, value_name = "ID")]
    pub team_id: Option<String>,
    /// The team's slug (slug)
    #[arg(long, global = true, value_name = "SLUG")]
    pub scope: Option<String>,
    /// The API's base URL
    #[arg(long, env = "VERCEL_API_URL", global = true, value_name = "URL", default_value = spec::DEFAULT_BASE_URL)]
    pub api_url: String,
    /// Timeout of each attempt, in seconds
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Retries after a failed attempt (429, 5xx, timeouts, connection errors); 0 turns them off
    #[arg(long, global = true, value_name = "N", default_value_t = 3)]
    pub max_retries: u32,
    /// Requests in flight
    #[arg(long, global = true, value_name = "N", default_value_t = vercel_edge_cache::DEFAULT_CONCURRENCY, value_parser = clap::value_parser!(usize))]
    pub concurrency: usize,
    /// Validate and print the planned requests; send nothing
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Machine-readable result on stdout
    #[arg(long, global = true)]
    pub json: bool,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Mark the selection stale: it is revalidated in the background on the next request.
    Invalidate(Selection),
    /// Mark the selection deleted: the next request for it waits for the origin.
    DangerouslyDelete {
        #[command(flatten)]
        selection: Selection,
        /// Seconds a deleted entry may still be served stale while it revalidates
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        revalidation_deadline_seconds: Option<i64>,
        /// Skip the confirmation (required without a terminal)
        #[arg(long)]
        yes: bool,
    },
}

/// Which entries: tags or source images (exactly one kind).
#[derive(Debug, Args)]
pub struct Selection {
    /// A cache tag; repeatable, and commas split (`--tag a,b`)
    #[arg(long, value_name = "TAG[,TAG...]")]
    pub tag: Vec<String>,
    /// Read tags from a file, one per line (`-` for standard input)
    #[arg(long, value_name = "FILE|-")]
    pub tags_from: Option<PathBuf>,
    /// A source image path or URL; repeatable (no comma splitting)
    #[arg(long, value_name = "PATH")]
    pub srcimg: Vec<String>,
    /// Read source images from a file, one per line (`-` for standard input)
    #[arg(long, value_name = "FILE|-")]
    pub srcimgs_from: Option<PathBuf>,
    /// Only this environment's cache (tag selections only)
    #[arg(long, value_enum, value_name = "production|preview")]
    pub target: Option<TargetArg>,
}

/// `--target`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TargetArg {
    /// The production environment.
    Production,
    /// Preview deployments.
    Preview,
}
