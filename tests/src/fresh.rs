//! A fresh crate outside the workspace, as a user's crate depends on this one: its own
//! `Cargo.toml` and sources, the workspace's `Cargo.lock` (so the build is offline and uses the
//! tested versions), built with `cargo <command> --offline`.

use std::path::Path;
use std::process::Command;

use crate::workspace_root;

/// The client crate's directory, as a `path = …` dependency value (quoted).
pub fn client_path() -> String {
    format!("{:?}", workspace_root().join("generated-client").display().to_string())
}

/// What a fresh crate is made of.
pub struct Crate<'a> {
    /// Its package name (and directory).
    pub name: &'a str,
    /// The manifest's dependency tables.
    pub dependencies: &'a str,
    /// Its files: path in the crate, contents.
    pub files: &'a [(&'a str, &'a str)],
}

/// Makes `krate` in `tmp` (a test's `CARGO_TARGET_TMPDIR`), runs `cargo <command> --offline
/// --quiet` in it, and returns its stdout, or panics with cargo's output, saying that `what`
/// failed in a fresh crate.
///
/// Every fresh crate shares one target directory in `tmp`, so the client is built once.
pub fn cargo(tmp: &Path, krate: &Crate, command: &str, what: &str) -> String {
    let (name, dependencies, files) = (krate.name, krate.dependencies, krate.files);
    let krate = tmp.join(name);
    let _ = std::fs::remove_dir_all(&krate);
    std::fs::create_dir_all(&krate).unwrap();
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n{dependencies}"
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).unwrap();
    for (path, text) in files {
        let path = krate.join(path);
        std::fs::create_dir_all(path.parent().expect("a file in the crate")).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::copy(workspace_root().join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&krate)
        .args([command, "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", tmp.join("fresh-crates-target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "`cargo {command}` fails in a fresh crate, on {what}:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
