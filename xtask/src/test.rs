//! `cargo xtask test`: install what the tests need, then run every test of the workspace.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::paths;

pub fn run(extra: &[String]) -> ExitCode {
    let root = paths::root();
    let tools = match install_tools(&root) {
        Ok(tools) => tools,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args(["test", "--workspace", "--all-features"])
        .args(extra)
        .env("PRISM_BIN", &tools.prism)
        .env("SCHEMATHESIS_BIN", &tools.schemathesis)
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

/// The tools the tests run, installed.
struct Tools {
    prism: PathBuf,
    schemathesis: PathBuf,
}

/// Installs Prism and schemathesis, and validates the spec with openapi-spec-validator.
fn install_tools(root: &Path) -> Result<Tools, String> {
    let prism_dir = root.join("tools/prism");
    install_prism(&prism_dir)?;
    validate_spec(root)?;
    let schemathesis = python_tool(root, "schemathesis", "st")?;
    Ok(Tools { prism: prism_dir.join("node_modules/.bin/prism"), schemathesis })
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
        (Ok(_), Ok(_)) => {
            dir.join("node_modules/.bin/prism").exists()
                && std::fs::metadata(&installed).and_then(|m| m.modified()).ok()
                    >= std::fs::metadata(&lock).and_then(|m| m.modified()).ok()
        }
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

/// Validates the spec with openapi-spec-validator (PyPI), pinned in tools/spec-validator.
fn validate_spec(root: &Path) -> Result<(), String> {
    let bin = python_tool(root, "spec-validator", "openapi-spec-validator")?;
    let spec = root.join("spec/edge-cache.yaml");
    run_step(Command::new(&bin).arg(&spec), "validate spec/edge-cache.yaml with openapi-spec-validator")
}

/// Installs the Python tool pinned in `tools/<dir>/requirements.txt` into a virtualenv in the
/// target directory (`CARGO_TARGET_DIR` when set), again whenever the requirements change, and
/// returns the path of its executable `bin`.
fn python_tool(root: &Path, dir: &str, bin: &str) -> Result<PathBuf, String> {
    let requirements = root.join("tools").join(dir).join("requirements.txt");
    let venv = paths::target_dir().join(format!("{dir}-venv"));
    let exe = venv.join("bin").join(bin);
    let stamp = venv.join("installed-requirements.txt");
    let wanted =
        std::fs::read_to_string(&requirements).map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    if exe.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(exe);
    }
    eprintln!("installing {bin} into {}", venv.display());
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success()))
        .ok_or_else(|| {
            format!(
                "python3 was not found; the tests run {bin} (PyPI, pinned in tools/{dir}): install Python 3 with venv and pip \
                 (Debian: `apt-get install python3 python3-venv`), then run `cargo xtask test` again"
            )
        })?;
    run_step(Command::new(python).args(["-m", "venv", "--clear"]).arg(&venv), "create a Python virtualenv")?;
    run_step(
        Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        &format!("pip install {bin} (tools/{dir}/requirements.txt)"),
    )?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(exe)
}

fn run_step(cmd: &mut Command, what: &str) -> Result<(), String> {
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("failed to {what} ({s})")),
        Err(e) => Err(format!("cannot {what}: {e}")),
    }
}
