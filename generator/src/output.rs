//! Writing generated files atomically, and comparing them with what is on disk (`--check`).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::render::normalize_newlines;

/// One generated file: its path relative to the client crate's directory, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the client crate (`--out`), e.g. `src/generated/api.rs`.
    pub path: PathBuf,
    /// The whole file, newline-normalised.
    pub contents: String,
}

/// A generated file that differs from what is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Relative path.
    pub path: PathBuf,
    /// A unified diff from the file on disk to what codegen would write (cut to `max_lines`).
    pub diff: String,
}

/// Writes `files` under `out_dir`, each through a temporary file renamed into place.
///
/// Call only after everything was generated: nothing here can fail half-way through generation.
/// Files whose contents are already right are not touched (their mtime stays), so running
/// codegen twice changes nothing.
pub fn write_all(out_dir: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>, Error> {
    if !out_dir.is_dir() {
        return Err(Error::Io {
            path: out_dir.to_path_buf(),
            action: "the output directory (the client crate) does not exist",
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    // Stage every file first; rename only when all temporaries are written.
    let mut staged = Vec::new();
    for f in files {
        let target = out_dir.join(&f.path);
        if std::fs::read_to_string(&target).ok().as_deref() == Some(f.contents.as_str()) {
            continue;
        }
        let dir = target.parent().expect("generated paths have a parent");
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            action: "cannot create directory",
            source,
        })?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            target.file_name().and_then(|n| n.to_str()).unwrap_or("generated"),
            std::process::id()
        ));
        if let Err(source) = std::fs::write(&tmp, &f.contents) {
            cleanup(&staged);
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::Io { path: tmp, action: "cannot write temporary file", source });
        }
        staged.push((tmp, target));
    }
    let mut written = Vec::new();
    for (tmp, target) in &staged {
        std::fs::rename(tmp, target).map_err(|source| {
            cleanup(&staged);
            Error::Io { path: target.clone(), action: "cannot move the generated file into place", source }
        })?;
        written.push(target.clone());
    }
    Ok(written)
}

fn cleanup(staged: &[(PathBuf, PathBuf)]) {
    for (tmp, _) in staged {
        let _ = std::fs::remove_file(tmp);
    }
}

/// Compares `files` with what is under `out_dir`; returns the stale ones with a diff each.
pub fn check(out_dir: &Path, files: &[GeneratedFile], max_lines: usize) -> Vec<Stale> {
    let mut stale = Vec::new();
    for f in files {
        let on_disk = std::fs::read_to_string(out_dir.join(&f.path)).map(|s| normalize_newlines(&s));
        let current = on_disk.as_deref().unwrap_or("");
        if on_disk.is_ok() && current == f.contents {
            continue;
        }
        let old_name = format!("a/{} (on disk)", f.path.display());
        let new_name = format!("b/{} (from the spec)", f.path.display());
        let diff = similar::TextDiff::from_lines(current, f.contents.as_str())
            .unified_diff()
            .context_radius(3)
            .header(&old_name, &new_name)
            .to_string();
        stale.push(Stale { path: f.path.clone(), diff: cut(&diff, max_lines) });
    }
    stale
}

fn cut(diff: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = diff.lines().collect();
    if lines.len() <= max_lines {
        return diff.to_string();
    }
    let mut out = lines[..max_lines].join("\n");
    out.push_str(&format!("\n... ({} more lines of diff)\n", lines.len() - max_lines));
    out
}
