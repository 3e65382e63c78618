//! The tools `cargo xtask test` runs, installed once per lockfile: Prism (`npm ci` in
//! `tools/prism`, from its `package-lock.json`), openapi-spec-validator and schemathesis
//! (virtualenvs under the target directory, from `tools/<dir>/requirements.txt`).
//!
//! Each install leaves a stamp, `<target>/tool-stamps/<dir>`, holding the hash of the lockfile it
//! installed from. A tool whose stamp matches its lockfile and whose executable exists is up to
//! date and is not installed again (no `npm ci`, no `pip`); a changed lockfile, a missing stamp or
//! a missing executable installs it. A tool that cannot be installed is an error, never a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{api_listing, paths};

/// How a tool is installed.
#[derive(Clone, Copy)]
enum Kind {
    /// `npm ci` in its directory.
    Npm,
    /// A virtualenv under the target directory, `pip install -r requirements.txt`.
    Python,
}

/// A tool pinned under `tools/<dir>`.
struct Tool {
    /// Its name, as users know it.
    name: &'static str,
    /// Its directory under `tools/`.
    dir: &'static str,
    /// Its executable's file name.
    bin: &'static str,
    kind: Kind,
}

const PRISM: Tool = Tool { name: "Prism", dir: "prism", bin: "prism", kind: Kind::Npm };
const SPEC_VALIDATOR: Tool =
    Tool { name: "openapi-spec-validator", dir: "spec-validator", bin: "openapi-spec-validator", kind: Kind::Python };
const SCHEMATHESIS: Tool = Tool { name: "schemathesis", dir: "schemathesis", bin: "st", kind: Kind::Python };

/// The tools the tests run, installed.
pub struct Tools {
    pub prism: PathBuf,
    pub spec_validator: PathBuf,
    pub schemathesis: PathBuf,
}

impl Tool {
    /// The lockfile it is installed from.
    fn lockfile(&self, root: &Path) -> PathBuf {
        let file = match self.kind {
            Kind::Npm => "package-lock.json",
            Kind::Python => "requirements.txt",
        };
        root.join("tools").join(self.dir).join(file)
    }

    /// Where it is installed: `tools/<dir>/node_modules`, or `<target>/<dir>-venv`.
    fn home(&self, root: &Path) -> PathBuf {
        match self.kind {
            Kind::Npm => root.join("tools").join(self.dir).join("node_modules"),
            Kind::Python => paths::target_dir().join(format!("{}-venv", self.dir)),
        }
    }

    /// Its executable.
    fn exe(&self, root: &Path) -> PathBuf {
        let bin_dir = match self.kind {
            Kind::Npm => ".bin",
            Kind::Python => "bin",
        };
        self.home(root).join(bin_dir).join(self.bin)
    }

    /// The stamp of its last install.
    fn stamp(&self) -> PathBuf {
        paths::target_dir().join("tool-stamps").join(self.dir)
    }
}

/// What a stamp holds for a lockfile: the FNV-1a hash of its bytes.
pub fn fingerprint(lockfile: &[u8]) -> String {
    format!("fnv1a64:{:016x}\n", api_listing::fnv(lockfile))
}

/// Why `tool` must be installed, or `None` when it is up to date.
fn why_install(tool: &Tool, root: &Path, fingerprint: &str) -> Option<String> {
    let lockfile = paths::label(&tool.lockfile(root));
    if !tool.exe(root).exists() {
        return Some("not installed".into());
    }
    match std::fs::read_to_string(tool.stamp()) {
        Err(_) => Some(format!("no stamp of the {lockfile} it was installed from")),
        Ok(stamp) if stamp != fingerprint => Some(format!("{lockfile} changed since it was installed")),
        Ok(_) => None,
    }
}

/// Installs what is not up to date (saying why), and says when everything is.
pub fn install(root: &Path) -> Result<Tools, String> {
    let mut installed = Vec::new();
    for tool in [PRISM, SPEC_VALIDATOR, SCHEMATHESIS] {
        let lockfile = tool.lockfile(root);
        let bytes = std::fs::read(&lockfile).map_err(|e| format!("cannot read {}: {e}", paths::label(&lockfile)))?;
        let fingerprint = fingerprint(&bytes);
        let Some(why) = why_install(&tool, root, &fingerprint) else { continue };
        eprintln!("installing {} ({why})", tool.name);
        let stamp = tool.stamp();
        let _ = std::fs::remove_file(&stamp);
        match tool.kind {
            Kind::Npm => npm_ci(&tool, root)?,
            Kind::Python => pip_install(&tool, root)?,
        }
        if !tool.exe(root).exists() {
            return Err(format!("{} was installed, but {} is missing", tool.name, tool.exe(root).display()));
        }
        std::fs::create_dir_all(stamp.parent().expect("in tool-stamps"))
            .and_then(|()| std::fs::write(&stamp, &fingerprint))
            .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
        installed.push(tool.name);
    }
    if installed.is_empty() {
        eprintln!(
            "tools up to date ({}, {}, {}): their lockfiles are unchanged since they were installed",
            PRISM.name, SPEC_VALIDATOR.name, SCHEMATHESIS.name
        );
    }
    Ok(Tools { prism: PRISM.exe(root), spec_validator: SPEC_VALIDATOR.exe(root), schemathesis: SCHEMATHESIS.exe(root) })
}

/// Validates the spec with openapi-spec-validator.
pub fn validate_spec(root: &Path, tools: &Tools) -> Result<(), String> {
    let spec = root.join(api_listing::SPEC);
    run_step(
        Command::new(&tools.spec_validator).arg(&spec),
        "validate spec/edge-cache.yaml with openapi-spec-validator",
    )
}

/// `npm ci` from the committed lockfile.
fn npm_ci(tool: &Tool, root: &Path) -> Result<(), String> {
    for program in ["node", "npm"] {
        if !Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return Err(format!(
                "`{program}` was not found. The contract tests run {}, an npm package: install Node.js 20 or newer with npm \
                 (Debian: `apt-get install nodejs npm`), then run `cargo xtask test` again.",
                tool.name
            ));
        }
    }
    let dir = root.join("tools").join(tool.dir);
    run_step(
        Command::new("npm").current_dir(&dir).args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]),
        &format!("npm ci in {} ({} is needed by the contract tests)", paths::label(&dir), tool.name),
    )
}

/// A fresh virtualenv, then `pip install -r requirements.txt`.
fn pip_install(tool: &Tool, root: &Path) -> Result<(), String> {
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success()))
        .ok_or_else(|| {
            format!(
                "python3 was not found; the tests run {} (PyPI, pinned in tools/{}): install Python 3 with venv and pip \
                 (Debian: `apt-get install python3 python3-venv`), then run `cargo xtask test` again",
                tool.name, tool.dir
            )
        })?;
    let venv = tool.home(root);
    run_step(Command::new(python).args(["-m", "venv", "--clear"]).arg(&venv), "create a Python virtualenv")?;
    run_step(
        Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(tool.lockfile(root)),
        &format!("pip install {} (tools/{}/requirements.txt)", tool.name, tool.dir),
    )
}

fn run_step(cmd: &mut Command, what: &str) -> Result<(), String> {
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("failed to {what} ({s})")),
        Err(e) => Err(format!("cannot {what}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_follows_the_lockfile_content_only() {
        assert_eq!(fingerprint(b"schemathesis==4.32.5\n"), fingerprint(b"schemathesis==4.32.5\n"));
        assert_ne!(fingerprint(b"schemathesis==4.32.5\n"), fingerprint(b"schemathesis==4.32.6\n"));
        // Stable across runs and releases of Rust: a changed hash would reinstall every tool.
        assert_eq!(fingerprint(b""), "fnv1a64:cbf29ce484222325\n");
    }

    #[test]
    fn executables_are_where_npm_and_venv_put_them() {
        let root = Path::new("/w");
        assert_eq!(PRISM.exe(root), Path::new("/w/tools/prism/node_modules/.bin/prism"));
        assert!(SCHEMATHESIS.exe(root).ends_with("schemathesis-venv/bin/st"));
    }
}
