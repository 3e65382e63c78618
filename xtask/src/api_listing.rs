//! The public API listing of `vercel-edge-cache` (see [`crate::listing`]), built from the compiled
//! crate with rustdoc's JSON output, for the default features and for `mock`, and followed by the
//! CLI's spec-declared flags (`[cli]` lines, see `generator::api_diff::cli_lines`).
//!
//! rustdoc runs with its own target directory (`<target>/api-listing`), so its JSON build never
//! invalidates the normal ones, and with `--cfg docsrs` as docs.rs runs it. A listing is cached
//! there, keyed by the hash of every file it is built from (and of this code and the toolchain):
//! rustdoc's JSON build is never fresh to cargo, and the release replays and release-check ask
//! for the same tree's listing several times.
//!
//! `cargo xtask api-listing [--out FILE]` prints (or writes) the working tree's listing. The
//! checked-in copy is an insta snapshot (`xtask/tests/snapshots/public_api__listing.snap`), so
//! `cargo insta review` shows an API change first.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::{git, listing, paths};

/// The package the listing is of.
pub const PACKAGE: &str = "vercel-edge-cache";
/// Its library's name (rustdoc names the JSON file after it).
const LIBRARY: &str = "vercel_edge_cache";
/// The client crate's directory, relative to the workspace root.
pub const CRATE_DIR: &str = "generated-client";
/// The spec, relative to the workspace root.
pub const SPEC: &str = "spec/edge-cache.yaml";

/// The feature sets listed: the default one first (its lines carry no label).
const FEATURE_SETS: &[(&str, Option<&str>)] = &[("default", None), ("mock", Some("mock"))];

/// The first line of every listing.
pub const HEADER: &str = "# The public API of vercel-edge-cache (`cargo xtask api-listing`): a line is in the default \
features, `[mock]` marks what feature `mock` adds, `[cli]` the `edge-cache` CLI (feature `cli`) as the spec declares it.";

/// Where rustdoc's JSON builds go.
pub fn target_dir() -> PathBuf {
    paths::target_dir().join("api-listing")
}

/// The listing of the workspace at `root` (its client crate and its spec): read from a cache
/// under the target directory when every file it is built from is as it was then (see
/// [`tree_key`]), else built with rustdoc and cached.
pub fn build(root: &Path) -> Result<String, String> {
    let cache = target_dir().join("cache").join(format!("tree-{:016x}.txt", fnv(tree_key(root)?.as_bytes())));
    if let Ok(text) = std::fs::read_to_string(&cache) {
        eprintln!("api-listing: the sources are unchanged since the listing in {} was built", paths::label(&cache));
        return Ok(text);
    }
    let text = build_uncached(root)?;
    if let Some(parent) = cache.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&cache, &text);
    Ok(text)
}

/// What the listing of the workspace at `root` is built from, as one text to hash: every file of
/// the client crate (its sources, manifest and README), the workspace's manifest and lockfile,
/// the spec (the CLI lines), and this code and the toolchain.
fn tree_key(root: &Path) -> Result<String, String> {
    let mut files = Vec::new();
    let mut dirs = vec![root.join(CRATE_DIR)];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let path = entry.path();
            if path.is_dir() {
                if entry.file_name() != "target" {
                    dirs.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files.extend(["Cargo.toml", "Cargo.lock", SPEC].map(|f| root.join(f)));
    let mut key = code_version();
    for file in files {
        let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let name = file.strip_prefix(root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        key.push_str(&format!("\n{name} {:016x} {}", fnv(&bytes), bytes.len()));
    }
    Ok(key)
}

/// The listing of the workspace at `root`, built with rustdoc.
fn build_uncached(root: &Path) -> Result<String, String> {
    let rust = rust_listing(root, &target_dir())?;
    let spec_path = root.join(SPEC);
    let bytes = std::fs::read(&spec_path).map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let model = generator::api_diff::model(Path::new(SPEC), &bytes).map_err(|e| e.to_string())?;
    Ok(assemble(&rust, &generator::api_diff::cli_lines(&model)))
}

/// The header, the Rust listing and the CLI lines.
pub fn assemble(rust: &str, cli: &[String]) -> String {
    let mut text = format!("{HEADER}\n{rust}");
    for line in cli {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The Rust part of the listing of the client crate under `root`, one rustdoc build per feature
/// set, into `target`.
pub fn rust_listing(root: &Path, target: &Path) -> Result<String, String> {
    let mut builds = Vec::new();
    for (label, features) in FEATURE_SETS {
        let krate = rustdoc_json(root, *features, target)?;
        builds.push((*label, listing::render(&krate)?));
    }
    Ok(listing::merge(&builds))
}

fn rustdoc_json(root: &Path, features: Option<&str>, target: &Path) -> Result<rustdoc_types::Crate, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["rustdoc", "--quiet", "--package", PACKAGE, "--lib", "--target-dir"])
        .arg(target)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"));
    if let Some(f) = features {
        cmd.args(["--features", f]);
    }
    // The JSON output is unstable: RUSTC_BOOTSTRAP lets the stable toolchain write it. docs.rs
    // passes `--cfg docsrs`; so does this build.
    cmd.args(["--", "-Z", "unstable-options", "--output-format", "json", "--cfg", "docsrs"])
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTDOCFLAGS")
        .env_remove("CARGO_ENCODED_RUSTDOCFLAGS");
    let what = format!("rustdoc's JSON of {PACKAGE} ({})", features.unwrap_or("default features"));
    let at = paths::label(root);
    eprintln!("building {what} in {}", if at.is_empty() { "the working tree" } else { &at });
    let out = cmd.output().map_err(|e| format!("cannot run cargo rustdoc: {e}"))?;
    if !out.status.success() {
        return Err(format!("cannot build {what}:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    let json = target.join("doc").join(format!("{LIBRARY}.json"));
    let bytes = std::fs::read(&json).map_err(|e| format!("cannot read {}: {e}", json.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "cannot read {} as rustdoc JSON format {} (rustdoc-types {}): {e}",
            json.display(),
            listing::FORMAT_VERSION,
            "=0.57.4"
        )
    })
}

/// The listing of the workspace as it is at `commit`: read from a cache under the target
/// directory, keyed by the trees it is built from, or built from a `git archive` of them.
pub fn at_commit(root: &Path, commit: &str) -> Result<String, String> {
    let mut key = String::new();
    for path in [CRATE_DIR, "Cargo.toml", "Cargo.lock", SPEC] {
        key.push_str(&git::text(root, &["rev-parse", &format!("{commit}:{path}")])?);
    }
    key.push_str(&code_version());
    let cache = target_dir().join("cache").join(format!("{:016x}.txt", fnv(key.as_bytes())));
    if let Ok(text) = std::fs::read_to_string(&cache) {
        return Ok(text);
    }
    let short = &commit[..commit.len().min(12)];
    let dir = target_dir().join("base").join(short);
    let _ = std::fs::remove_dir_all(&dir);
    git::extract(root, commit, &["Cargo.toml", "Cargo.lock", CRATE_DIR, SPEC], &dir)?;
    let result = only_the_client(&dir).and_then(|()| build(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    let text = result?;
    if let Some(parent) = cache.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&cache, &text);
    Ok(text)
}

/// Makes the workspace manifest at `dir` name the client crate as its only member (the other
/// members were not extracted).
pub fn only_the_client(dir: &Path) -> Result<(), String> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let members = text
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .ok_or_else(|| format!("{}: no `members = [...]` line", manifest.display()))?;
    let text = text.replace(members, &format!("members = [\"{CRATE_DIR}\"]"));
    std::fs::write(&manifest, text).map_err(|e| format!("cannot write {}: {e}", manifest.display()))
}

/// What a cached listing depends on besides the source: this code and the toolchain.
fn code_version() -> String {
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    let code = concat!(include_str!("listing.rs"), include_str!("api_listing.rs"));
    format!("{:016x}{rustc}", fnv(code.as_bytes()))
}

/// FNV-1a: a stable hash for cache keys (std's hasher may change between releases).
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// `cargo xtask api-listing [--out FILE]`.
pub fn run(out: Option<PathBuf>) -> ExitCode {
    let started = std::time::Instant::now();
    let text = match build(&paths::root()) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match out {
        None => print!("{text}"),
        Some(path) => {
            if let Err(e) = std::fs::write(&path, &text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            eprintln!("wrote {}", paths::label(&path));
        }
    }
    eprintln!("api-listing: {} lines in {:.1} s", text.lines().count() - 1, started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
