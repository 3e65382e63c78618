//! Helpers shared by the generator's integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use generator::GeneratedFile;

/// The label (and error path) of the main spec, relative to the workspace root, as
/// `cargo xtask codegen` names it.
pub const SPEC_LABEL: &str = "spec/edge-cache.yaml";

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the generator sits in the workspace").to_path_buf()
}

/// The main spec's text.
pub fn main_spec() -> String {
    let path = workspace().join(SPEC_LABEL);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Generates from `text`, named `label` in errors and preambles; panics with the error.
pub fn generate_ok(label: &str, text: &str) -> Vec<GeneratedFile> {
    generator::generate(Path::new(label), label, text.as_bytes()).unwrap_or_else(|e| panic!("{label}: {e}"))
}

/// The contents of the generated file `name` (`mod.rs`, `api.rs`, `spec.rs`).
pub fn contents<'a>(files: &'a [GeneratedFile], name: &str) -> &'a str {
    let path = Path::new(generator::GENERATED_DIR).join(name);
    match files.iter().find(|f| f.path == path) {
        Some(f) => &f.contents,
        None => panic!("no generated file {}", path.display()),
    }
}

/// The files of `dir` with one of `extensions`, sorted by name.
pub fn fixtures(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e)))
        .collect();
    found.sort();
    found
}

/// A spec's text without the path item `path` (up to the next path item or `components:`).
pub fn without_path(spec: &str, path: &str) -> String {
    let start = spec.find(&format!("  {path}:\n")).unwrap_or_else(|| panic!("the spec has {path}"));
    let rest = &spec[start + 3..];
    let end = rest.find("\n  /").map(|i| start + 3 + i + 1).unwrap_or_else(|| spec.find("components:").unwrap());
    format!("{}{}", &spec[..start], &spec[end..])
}
