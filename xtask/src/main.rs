//! `cargo xtask`: thin argument parsing over the generator library.
//!
//! - `cargo xtask codegen [--check] [--spec PATH] [--out DIR]`
//! - `cargo xtask spec-diff --upstream FILE [--spec PATH]`
//! - `cargo xtask test [-- ARGS]`
//! - `cargo xtask bench [client|codegen|process|all] [-- ARGS]`
//! - `cargo xtask man [--out FILE]`

mod api_listing;
mod bench;
mod codegen;
mod git;
mod listing;
mod man;
mod paths;
mod spec_diff;
mod test;
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
    /// Install what the tests need (Prism, openapi-spec-validator), validate the spec, then run every test.
    Test {
        /// Extra arguments for `cargo test`.
        #[arg(last = true)]
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
    }
}
