//! Where things are in the workspace, found at run time: checkouts that share one target
//! directory share the built xtask too, so a path baked in at compile time (`env!`) would name
//! whichever checkout built it last.

use std::path::{Path, PathBuf};

/// The workspace root of the checkout `cargo xtask` was run in: the parent of the
/// `CARGO_MANIFEST_DIR` that `cargo run` gives the process, else the nearest ancestor of the
/// current directory whose `Cargo.toml` declares the workspace.
pub fn root() -> PathBuf {
    let from_cargo = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .and_then(|xtask| xtask.parent().map(Path::to_path_buf))
        .filter(|root| is_root(root));
    if let Some(root) = from_cargo {
        return root;
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors().find(|dir| is_root(dir)).map(Path::to_path_buf).unwrap_or(cwd)
}

/// Whether `dir` holds this workspace's root manifest.
fn is_root(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|m| m.contains("[workspace]") && m.contains("\"xtask\""))
}

/// The target directory: `CARGO_TARGET_DIR` when set (relative to the root), else `target/`.
pub fn target_dir() -> PathBuf {
    let root = root();
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// The default spec.
pub fn default_spec() -> PathBuf {
    root().join("spec/edge-cache.yaml")
}

/// The default output: the client crate.
pub fn default_out() -> PathBuf {
    root().join("generated-client")
}

/// How a path is shown: relative to the workspace root when inside it.
pub fn label(path: &Path) -> String {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let root = root();
    let shown = abs.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(abs);
    shown.display().to_string().replace('\\', "/")
}
