//! cargo-semver-checks, the second opinion of `cargo xtask release-check`: pinned, and installed
//! into the target directory the first time it is needed, as `cargo xtask test` installs Prism.
//! It is never skipped: a failed install is an error.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::api_listing::PACKAGE;
use crate::paths;

/// The pinned release. 0.51 reads rustdoc JSON formats 57 and 60 (57 is this toolchain's).
pub const VERSION: &str = "0.51.0";

/// How it is built: the release profile less its link-time optimisation and single codegen unit
/// (its manifest asks for both, which on a 2-core machine take most of a 7-minute build), at
/// opt-level 1. It then checks one small crate in seconds all the same.
const PROFILE: &[&str] = &[
    "profile.release.lto=false",
    "profile.release.codegen-units=16",
    "profile.release.opt-level=1",
    "profile.release.debug=false",
];

/// Where it is installed (`--root` of `cargo install`): `XTASK_TOOLS_DIR` when set, else
/// `<target>/tools`.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("XTASK_TOOLS_DIR").map(PathBuf::from).unwrap_or_else(|| paths::target_dir().join("tools"))
}

/// The installed binary, installed first when it is missing or another version.
pub fn install() -> Result<PathBuf, String> {
    let root = tools_dir();
    let bin = root.join("bin").join(format!("cargo-semver-checks{}", std::env::consts::EXE_SUFFIX));
    let installed = Command::new(&bin)
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(VERSION));
    if installed {
        return Ok(bin);
    }
    eprintln!(
        "installing cargo-semver-checks {VERSION} (pinned) into {}: built from source once, this takes a few minutes",
        paths::label(&root)
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    for setting in PROFILE {
        cmd.args(["--config", setting]);
    }
    let status = cmd
        .args(["install", "--locked", "--version", &format!("={VERSION}"), "--root"])
        .arg(&root)
        .arg("cargo-semver-checks")
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo install --locked --version ={VERSION} cargo-semver-checks` failed; release-check needs it (it reaches crates.io)"
        ));
    }
    Ok(bin)
}

/// Runs `cargo semver-checks check-release` on the client crate of the workspace at `root`
/// against the source at `baseline` (a workspace whose client crate is the last release), with
/// the default features (a TLS backend: the crate refuses to build without one) and `mock`
/// (whose API holds the default one's). Whether it passed, and what it printed.
pub fn check(root: &Path, baseline: &Path) -> Result<(bool, String), String> {
    let bin = install()?;
    let out = Command::new(bin)
        .current_dir(root)
        .args(["semver-checks", "check-release", "--package", PACKAGE, "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(baseline)
        .args(["--default-features", "--features", "mock", "--color", "never"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo-semver-checks: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), text))
}
