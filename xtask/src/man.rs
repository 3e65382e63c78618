//! `cargo xtask man`: the `edge-cache` man page, rendered by the CLI itself from the same clap
//! definition its `--help` comes from (`edge-cache man`, hidden, with clap_mangen).

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::paths;

pub fn run(out: Option<PathBuf>) -> ExitCode {
    let root = paths::root();
    let out = out.unwrap_or_else(|| paths::target_dir().join("man/edge-cache.1"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let page = Command::new(cargo)
        .current_dir(&root)
        .args([
            "run",
            "--quiet",
            "--package",
            "vercel-edge-cache",
            "--features",
            "cli",
            "--bin",
            "edge-cache",
            "--",
            "man",
        ])
        .output();
    let page = match page {
        Ok(o) if o.status.success() => o.stdout,
        Ok(o) => {
            eprintln!("error: edge-cache man failed:\n{}", String::from_utf8_lossy(&o.stderr));
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(dir) = out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::write(&out, page) {
        Ok(()) => {
            eprintln!("wrote {}", paths::label(&out));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
