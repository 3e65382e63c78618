//! `cargo xtask test`: install what the tests need, then run every test of the workspace.

use std::path::Path;
use std::process::{Command, ExitCode};

use crate::paths;

pub fn run(extra: &[String]) -> ExitCode {
    let root = paths::root();
    let prism_dir = root.join("tools/prism");
    if let Err(e) = install_prism(&prism_dir) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let prism = prism_dir.join("node_modules/.bin/prism");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args(["test", "--workspace", "--all-features"])
        .args(extra)
        .env("PRISM_BIN", &prism)
        .env("EDGE_CACHE_SPEC", root.join("spec/edge-cache.yaml"))
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: cannot run cargo test: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `npm ci` from the committed lockfile, unless the installed tree already matches it.
fn install_prism(dir: &Path) -> Result<(), String> {
    for tool in ["node", "npm"] {
        match Command::new(tool).arg("--version").output() {
            Ok(o) if o.status.success() => {}
            _ => {
                return Err(format!(
                    "`{tool}` was not found. The contract tests run Prism, an npm package: install Node.js 20 or newer with npm \
                     (Debian: `apt-get install nodejs npm`), then run `cargo xtask test` again."
                ));
            }
        }
    }
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let up_to_date = match (std::fs::read(&lock), std::fs::read(&installed)) {
        (Ok(_), Ok(_)) => dir.join("node_modules/.bin/prism").exists()
            && std::fs::metadata(&installed).and_then(|m| m.modified()).ok()
                >= std::fs::metadata(&lock).and_then(|m| m.modified()).ok(),
        _ => false,
    };
    if up_to_date {
        return Ok(());
    }
    eprintln!("installing Prism: npm ci in {}", dir.display());
    let status = Command::new("npm")
        .current_dir(dir)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !status.success() {
        return Err(format!("`npm ci` failed in {}; Prism is needed by the contract tests", dir.display()));
    }
    Ok(())
}
