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
    let page = match String::from_utf8(page) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: edge-cache man wrote text that is not UTF-8: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (dir, name) = match (out.parent(), out.file_name()) {
        (Some(dir), Some(name)) => (if dir.as_os_str().is_empty() { std::path::Path::new(".") } else { dir }, name),
        _ => {
            eprintln!("error: {} is not a file path", out.display());
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    // Through a temporary file renamed into place, as codegen writes: never half a page.
    let file = generator::GeneratedFile { path: PathBuf::from(name), contents: page };
    match generator::output::write_all(dir, &[file]) {
        Ok(_) => {
            eprintln!("wrote {}", paths::label(&out));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
