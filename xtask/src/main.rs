//! `cargo xtask`: thin argument parsing over the generator library.
//!
//! - `cargo xtask codegen [--check] [--spec PATH] [--out DIR]`
//! - `cargo xtask spec-diff --upstream FILE [--spec PATH]`
//! - `cargo xtask test [CARGO TEST ARGS] [-- TEST BINARY ARGS]`
//! - `cargo xtask bench [client|codegen|process|all] [-- ARGS]`
//! - `cargo xtask man [--out FILE]`
//! - `cargo xtask api-listing [--out FILE]`
//! - `cargo xtask api-diff [--base REV]`
//! - `cargo xtask release VERSION [--date YYYY-MM-DD]`
//! - `cargo xtask release-check [--baseline-rev REV | --baseline-root DIR | --no-semver-checks]`

mod api_diff;
mod api_listing;
mod bench;
mod changelog;
mod codegen;
mod git;
mod listing;
mod listing_diff;
mod man;
mod paths;
mod release;
mod releases;
mod semver_checks;
mod spec_diff;
mod test;
mod test_report;
mod tools;
mod version;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Workspace tasks for vercel-edge-cache")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the client's generated files from the spec.
    Codegen {
        /// Write nothing; fail if the generated files are stale.
        #[arg(long)]
        check: bool,
        /// The spec to generate from [default: spec/edge-cache.yaml].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// The client crate's directory [default: generated-client].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Compare the spec with a published description (JSON or YAML); exit 0 no drift, 1 drift, 2 error.
    SpecDiff {
        /// The published description, such as Vercel's whole `openapi.json`.
        #[arg(long, value_name = "FILE")]
        upstream: PathBuf,
        /// Our spec [default: spec/edge-cache.yaml].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
    },
    /// Install what the tests need (Prism, openapi-spec-validator, schemathesis) unless their
    /// lockfiles are unchanged since the last install, validate the spec, then run every test
    /// binary (`cargo test --workspace --all-features --no-fail-fast`) and list every failure with
    /// the command that reruns it alone.
    Test {
        /// `cargo test`'s own arguments, passed on: `-p PACKAGE`, `--test NAME`, a test-name
        /// filter, and after `--` the test binaries' (`-- NAME --exact`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Write the `edge-cache` man page, generated from its clap definition (clap_mangen).
    Man {
        /// Where to write it [default: target/man/edge-cache.1].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the crate's public API, one item per line (rustdoc JSON; default features and `mock`).
    ApiListing {
        /// Write it to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// What the working tree changes for users against REV, as Markdown for a pull request: the
    /// spec's changes and the Rust API's, each breaking / additive / behaviour, and the version
    /// the crate needs. Reads REV with git.
    ApiDiff {
        /// The revision to compare with.
        #[arg(long, value_name = "REV", default_value = "HEAD")]
        base: String,
    },
    /// Record a release: set the crate's version, write generated-client/api/VERSION.txt (its
    /// public API listing) and move CHANGELOG.md's `## [Unreleased]` entries under the version.
    Release {
        /// The new version, such as 0.2.0.
        version: String,
        /// The release date [default: today, UTC].
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Fail when the API changed in a breaking way since the last recorded release without a
    /// version bump, or when it or the spec's behaviour changed with an empty `## [Unreleased]`;
    /// then, when the public API listing differs from the last release's, run cargo-semver-checks
    /// against that release's source (built into target/tools the first time).
    ReleaseCheck {
        /// Only this gate: do not run cargo-semver-checks even when the listing differs.
        #[arg(long, conflicts_with_all = ["baseline_rev", "baseline_root"])]
        no_semver_checks: bool,
        /// The last release's source as of REV [default: the commit that last wrote its listing].
        #[arg(long, value_name = "REV", conflicts_with = "baseline_root")]
        baseline_rev: Option<String>,
        /// The last release's source in DIR (a workspace whose generated-client is that release).
        #[arg(long, value_name = "DIR")]
        baseline_root: Option<PathBuf>,
    },
    /// Run the benchmarks in release mode (see BENCHMARKS.md).
    Bench {
        /// Which benchmarks.
        #[arg(value_enum, default_value = "all")]
        which: bench::Which,
        /// Extra arguments for the benchmark binaries.
        #[arg(last = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen { check, spec, out } => codegen::run(check, spec, out),
        Command::SpecDiff { upstream, spec } => spec_diff::run(upstream, spec),
        Command::Test { args } => test::run(&args),
        Command::Bench { which, args } => bench::run(which, &args),
        Command::Man { out } => man::run(out),
        Command::ApiListing { out } => api_listing::run(out),
        Command::ApiDiff { base } => api_diff::run(Some(base)),
        Command::Release { version, date } => release::release(&version, date),
        Command::ReleaseCheck { no_semver_checks, baseline_rev, baseline_root } => {
            release::check(match (no_semver_checks, baseline_rev, baseline_root) {
                (true, _, _) => None,
                (false, Some(rev), _) => Some(release::Baseline::Rev(rev)),
                (false, None, Some(dir)) => Some(release::Baseline::Root(dir)),
                (false, None, None) => Some(release::Baseline::Recorded),
            })
        }
    }
}
