//! `cargo xtask bench [client|codegen|process|all] [-- ARGS]`: the benchmarks, in release mode.
//!
//! - `client`: `client-overhead` (per-request overhead against hand-written reqwest), `bulk`
//!   (10 000 tags, 8 in flight, against a server answering after 50 ms), `bulk-rate-limited`
//!   (4 000 tags under a rate limit), `bulk-many-processes` (1 to 8 CLI processes sharing one
//!   rate limit; the CLI is built first) and `mock-throughput` (the testing kit against a bare
//!   server).
//! - `codegen`: `codegen-scale` (`generator::generate` on 4, 40 and 400 operations).
//! - `process`: `bench/scripts/process_time.sh` (the built xtask's wall time and peak memory,
//!   beside openapi-generator's).
//!
//! Each is `cargo run --release -p edge-cache-bench --bin <name>`; see BENCHMARKS.md.

use std::process::{Command, ExitCode};

use clap::ValueEnum;

use crate::paths;

/// Which benchmarks to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// client-overhead, bulk, bulk-rate-limited, bulk-many-processes and mock-throughput.
    Client,
    /// codegen-scale.
    Codegen,
    /// The built xtask's process time and memory, beside openapi-generator's.
    Process,
    /// All of them.
    All,
}

/// The client benchmarks.
const CLIENT: [&str; 5] = ["client-overhead", "bulk", "bulk-rate-limited", "bulk-many-processes", "mock-throughput"];

/// The release build of the CLI that `bulk-many-processes` runs.
const CLI_BUILD: &str = "cargo build --release --quiet -p vercel-edge-cache --features cli --bin edge-cache";

pub fn run(which: Which, args: &[String]) -> ExitCode {
    let bins: &[&str] = match which {
        Which::Client => &CLIENT,
        Which::Codegen => &["codegen-scale"],
        Which::Process => &[],
        Which::All => {
            &["client-overhead", "bulk", "bulk-rate-limited", "bulk-many-processes", "mock-throughput", "codegen-scale"]
        }
    };
    let root = paths::root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut failed = Vec::new();
    if bins.contains(&"bulk-many-processes") {
        // It runs the CLI, which it finds beside itself in target/release.
        eprintln!("==> {CLI_BUILD}");
        match Command::new(&cargo).current_dir(&root).args(CLI_BUILD.split(' ').skip(1)).status() {
            Ok(s) if s.success() => {}
            Ok(_) => failed.push("the CLI's release build".to_string()),
            Err(e) => {
                eprintln!("error: cannot run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    for bin in bins {
        eprintln!("==> cargo run --release -p edge-cache-bench --bin {bin}");
        let status = Command::new(&cargo)
            .current_dir(&root)
            .args(["run", "--release", "--quiet", "-p", "edge-cache-bench", "--bin", bin, "--"])
            .args(args)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(_) => failed.push(bin.to_string()),
            Err(e) => {
                eprintln!("error: cannot run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if matches!(which, Which::Process | Which::All) {
        let script = root.join("bench/scripts/process_time.sh");
        eprintln!("==> bash {}", paths::label(&script));
        match Command::new("bash").arg(&script).current_dir(&root).env("CARGO", &cargo).status() {
            Ok(s) if s.success() => {}
            Ok(_) => failed.push("process".into()),
            Err(e) => {
                eprintln!("error: cannot run bash: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: benchmark(s) failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}
