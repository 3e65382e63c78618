//! `cargo xtask api-diff [--base REV]`: what the working tree changes for users, against `REV`
//! (default `HEAD`), as Markdown to paste into a pull request.
//!
//! Two sides: the spec's (the generator's model of `spec/edge-cache.yaml` at `REV` and now, see
//! `generator::api_diff`) and the Rust API's (the public API listings, see [`crate::listing`]).
//! The report ends with the version the crate needs.

use std::path::Path;
use std::process::ExitCode;

use generator::api_diff::{Change, Class};

use crate::api_listing::{self, CRATE_DIR, SPEC};
use crate::version::{self, Version};
use crate::{git, listing_diff, paths, releases};

/// `cargo xtask api-diff`.
pub fn run(base: Option<String>) -> ExitCode {
    let started = std::time::Instant::now();
    let root = paths::root();
    let rev = base.unwrap_or_else(|| "HEAD".into());
    match report(&root, &rev) {
        Ok(report) => {
            print!("{}", report.markdown());
            eprintln!("api-diff: {} against {rev} in {:.1} s", report.summary(), started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The changes from a revision to the working tree, and the versions.
pub struct Report {
    /// The revision as given, and its commit.
    pub base: (String, String),
    /// The spec's changes, or why they could not be read.
    pub spec: Result<Vec<Change>, String>,
    /// The Rust API's changes.
    pub rust: Vec<Change>,
    /// The crate's version at the base.
    pub base_version: Version,
    /// The newest recorded release, if any.
    pub last_release: Option<Version>,
    /// The crate's version in the working tree.
    pub current_version: Version,
}

/// The report of the working tree at `root` against `rev`.
pub fn report(root: &Path, rev: &str) -> Result<Report, String> {
    git::require(root, "cargo xtask api-diff --base")?;
    let commit = git::commit(root, rev)?;
    let spec = spec_changes(root, &commit);
    let old = api_listing::at_commit(root, &commit)?;
    let new = if unchanged(root, &commit)? { old.clone() } else { api_listing::build(root)? };
    let rust = listing_diff::rust(&old, &new);
    let manifest = format!("{CRATE_DIR}/Cargo.toml");
    let base_manifest = String::from_utf8_lossy(&git::show(root, &commit, &manifest)?).to_string();
    let base_version = version::of_manifest(&base_manifest, Path::new(&manifest))?;
    let current_manifest = releases::manifest(root);
    let current = std::fs::read_to_string(&current_manifest)
        .map_err(|e| format!("cannot read {}: {e}", current_manifest.display()))?;
    Ok(Report {
        base: (rev.to_string(), commit),
        spec,
        rust,
        base_version,
        last_release: releases::last(root)?.map(|(v, _)| v),
        current_version: version::of_manifest(&current, &current_manifest)?,
    })
}

/// The spec's changes from `commit` to the working tree.
pub fn spec_changes(root: &Path, commit: &str) -> Result<Vec<Change>, String> {
    let label = Path::new(SPEC);
    let old = git::show(root, commit, SPEC)?;
    let new = std::fs::read(root.join(SPEC)).map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let old = generator::api_diff::model(label, &old).map_err(|e| {
        format!("the spec at {} does not generate with this generator: {e}", &commit[..12.min(commit.len())])
    })?;
    let new = generator::api_diff::model(label, &new).map_err(|e| format!("the spec does not generate: {e}"))?;
    Ok(generator::api_diff::diff(&old, &new))
}

/// Whether what the listing is built from is the same in the working tree as at `commit`.
fn unchanged(root: &Path, commit: &str) -> Result<bool, String> {
    let paths = [CRATE_DIR, "Cargo.toml", "Cargo.lock", SPEC];
    if !git::succeeds(root, &[&["diff", "--quiet", commit, "--"][..], &paths].concat())? {
        return Ok(false);
    }
    let untracked = git::text(root, &[&["ls-files", "--others", "--exclude-standard", "--"][..], &paths].concat())?;
    Ok(untracked.is_empty())
}

impl Report {
    /// Every change, spec side then Rust side.
    fn all(&self) -> impl Iterator<Item = &Change> {
        self.spec.iter().flatten().chain(&self.rust)
    }

    /// The most severe class of change.
    pub fn worst(&self) -> Option<Class> {
        version::worst(self.all().map(|c| c.class))
    }

    /// The version the working tree needs: the base's, bumped for the change; when the base's
    /// version is an unreleased bump already, at least the last release bumped for it.
    pub fn needed(&self) -> Version {
        let worst = self.worst();
        match self.last_release {
            Some(last) if self.base_version > last => self.base_version.max(last.bump(worst)),
            _ => self.base_version.bump(worst),
        }
    }

    /// `2 breaking, 1 additive` (both sides).
    pub fn summary(&self) -> String {
        let all: Vec<Change> = self.all().cloned().collect();
        generator::api_diff::summary(&all)
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let (rev, commit) = &self.base;
        let mut md = format!("## API changes: `{rev}` ({}) → working tree\n\n", &commit[..12.min(commit.len())]);
        md.push_str(&format!("### Spec (`{SPEC}`)\n\n"));
        match &self.spec {
            Ok(changes) => section(&mut md, changes),
            Err(e) => md.push_str(&format!("- the spec side could not be compared: {e}\n")),
        }
        md.push_str(&format!("\n### Rust API (`{}`, default features and `mock`)\n\n", api_listing::PACKAGE));
        section(&mut md, &self.rust);
        md.push('\n');
        md.push_str(&self.version_line());
        md.push('\n');
        md
    }

    fn version_line(&self) -> String {
        let needed = self.needed();
        let why = match self.worst() {
            None => "no change for users".to_string(),
            Some(Class::Breaking) if needed.major == 0 => {
                "breaking changes: at 0.x a breaking change bumps the minor version".to_string()
            }
            Some(Class::Breaking) => "breaking changes bump the major version".to_string(),
            Some(_) => "no breaking change: a patch release".to_string(),
        };
        let current = if self.current_version >= needed {
            format!("`{CRATE_DIR}/Cargo.toml` has {}", self.current_version)
        } else if self.worst() == Some(Class::Breaking) {
            format!(
                "`{CRATE_DIR}/Cargo.toml` has {}: `cargo xtask release-check` fails until it is {needed} (`cargo xtask release {needed}`)",
                self.current_version
            )
        } else {
            format!(
                "`{CRATE_DIR}/Cargo.toml` has {}: `cargo xtask release {needed}` when releasing",
                self.current_version
            )
        };
        format!(
            "**Version:** {} at `{}` → the crate needs **{needed}** ({why}). {current}.",
            self.base_version, self.base.0
        )
    }
}

fn section(md: &mut String, changes: &[Change]) {
    if changes.is_empty() {
        md.push_str("- no change\n");
    }
    for c in changes {
        md.push_str(&format!("- {c}\n"));
    }
}

/// The one-line summary `cargo xtask codegen` prints: the spec side against `HEAD` (quick: it
/// builds no documentation), or why there is none.
pub fn codegen_summary(root: &Path) -> String {
    let full = "`cargo xtask api-diff` for the report with the Rust API";
    if git::require(root, "the summary").is_err() {
        return format!("api-diff: no git history here to compare with; {full} needs a git checkout");
    }
    let commit = match git::commit(root, "HEAD") {
        Ok(c) => c,
        Err(e) => return format!("api-diff: {e}"),
    };
    match spec_changes(root, &commit) {
        Ok(changes) => {
            let manifest = format!("{CRATE_DIR}/Cargo.toml");
            let base = git::show(root, &commit, &manifest)
                .ok()
                .and_then(|m| version::of_manifest(&String::from_utf8_lossy(&m), Path::new(&manifest)).ok());
            let needs = match (base, version::worst(changes.iter().map(|c| c.class))) {
                (Some(v), Some(class)) => format!("; from {v} the crate needs {}", v.bump(Some(class))),
                _ => String::new(),
            };
            format!("api-diff against HEAD (spec side): {}{needs}. {full}", generator::api_diff::summary(&changes))
        }
        Err(e) => format!("api-diff: {e}"),
    }
}
