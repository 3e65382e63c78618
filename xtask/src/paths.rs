//! Where things are in the workspace.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
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
