//! The releases recorded in `generated-client/api/VERSION.txt`: each the public API listing of
//! that version, written by `cargo xtask release VERSION`.

use std::path::{Path, PathBuf};

use crate::api_listing::CRATE_DIR;
use crate::version::Version;

/// The directory of the recorded listings, relative to the workspace root.
pub const DIR: &str = "generated-client/api";

/// A recorded release's listing, relative to the workspace root.
pub fn listing_path(version: Version) -> String {
    format!("{DIR}/{version}.txt")
}

/// Every recorded release, oldest first.
pub fn recorded(root: &Path) -> Result<Vec<(Version, PathBuf)>, String> {
    let dir = root.join(DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
        let Some(stem) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".txt")) else {
            continue;
        };
        let version =
            Version::parse(stem).map_err(|e| format!("{}: the file name is not VERSION.txt: {e}", path.display()))?;
        found.push((version, path));
    }
    found.sort();
    Ok(found)
}

/// The newest recorded release.
pub fn last(root: &Path) -> Result<Option<(Version, PathBuf)>, String> {
    Ok(recorded(root)?.pop())
}

/// The client crate's manifest.
pub fn manifest(root: &Path) -> PathBuf {
    root.join(CRATE_DIR).join("Cargo.toml")
}
