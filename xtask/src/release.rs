//! `cargo xtask release VERSION` and `cargo xtask release-check`.
//!
//! A release is recorded as its public API listing, `generated-client/api/VERSION.txt`, beside
//! the crate's version in `generated-client/Cargo.toml` (and Cargo.lock, and the requirement its
//! README's dependency lines ask for) and a `## [VERSION] - DATE` section in CHANGELOG.md. `release-check` compares the working tree's listing with the newest recorded
//! one and the spec with that release's, and, when the listing differs from that release's, runs
//! cargo-semver-checks against that release's source as a second opinion.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use generator::api_diff::{Change, Class};

use crate::api_listing::{self, CRATE_DIR};
use crate::version::{self, Version};
use crate::{changelog, git, listing_diff, paths, releases, semver_checks};

/// The changelog, relative to the workspace root.
pub const CHANGELOG: &str = "CHANGELOG.md";

/// How many changes an error lists before it says how many more there are.
const SHOWN: usize = 12;

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", paths::label(path)))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", paths::label(dir)))?;
    }
    // Through a temporary file renamed into place: never half a file.
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", paths::label(&tmp)))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", paths::label(path)))?;
    eprintln!("wrote {}", paths::label(path));
    Ok(())
}

/// The changes from a recorded listing to another: the Rust API's and the CLI's.
fn changes(recorded: &str, current: &str) -> Vec<Change> {
    let mut all = listing_diff::rust(recorded, current);
    all.extend(listing_diff::cli(recorded, current));
    all
}

/// The first changes of `class`, one per line, for an error.
fn list(changes: &[Change], class: Option<Class>) -> String {
    let picked: Vec<&Change> = changes.iter().filter(|c| class.is_none_or(|k| c.class == k)).collect();
    let mut text: String = picked.iter().take(SHOWN).map(|c| format!("  - {c}\n")).collect();
    if picked.len() > SHOWN {
        text.push_str(&format!("  - … and {} more (`cargo xtask api-diff` lists them all)\n", picked.len() - SHOWN));
    }
    text
}

/// `cargo xtask release VERSION [--date YYYY-MM-DD]`.
pub fn release(version: &str, date: Option<String>) -> ExitCode {
    match release_in(&paths::root(), version, date) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn release_in(root: &Path, version: &str, date: Option<String>) -> Result<(), String> {
    let version = Version::parse(version)?;
    let last = releases::last(root)?;
    if let Some((last, _)) = &last
        && version <= *last
    {
        return Err(format!("{version} is not newer than the last release, {last}"));
    }
    let changelog_path = root.join(CHANGELOG);
    let date = date.unwrap_or_else(changelog::today);
    let changelog = changelog::release(&read(&changelog_path)?, &version.to_string(), &date)?;
    let listing = api_listing::build(root)?;
    if let Some((last, path)) = &last {
        let changes = changes(&read(path)?, &listing);
        let needed = last.bump(version::worst(changes.iter().map(|c| c.class)));
        if needed > version {
            return Err(format!(
                "the API has breaking changes since {last}, so this release must be {needed} or later, not {version}:\n{}",
                list(&changes, Some(Class::Breaking))
            ));
        }
    }
    let manifest_path = releases::manifest(root);
    let manifest = version::set_in_manifest(&read(&manifest_path)?, version)
        .ok_or_else(|| format!("{}: no `version = \"…\"` in [package]", paths::label(&manifest_path)))?;
    let lock_path = root.join("Cargo.lock");
    let lock = version::set_in_lockfile(&read(&lock_path)?, api_listing::PACKAGE, version)
        .ok_or_else(|| format!("Cargo.lock has no package {}", api_listing::PACKAGE))?;
    let readme_path = root.join(CRATE_DIR).join("README.md");
    let current = version::of_manifest(&read(&manifest_path)?, &manifest_path)?;
    let readme = version::set_in_readme(&read(&readme_path)?, api_listing::PACKAGE, current, version);
    write(&root.join(releases::listing_path(version)), &listing)?;
    write(&manifest_path, &manifest)?;
    write(&readme_path, &readme)?;
    write(&lock_path, &lock)?;
    write(&changelog_path, &changelog)?;
    eprintln!(
        "release {version} recorded: commit these files; `cargo publish -p {}` publishes it (tag the commit v{version})",
        api_listing::PACKAGE
    );
    Ok(())
}

/// Where release-check finds the last release's source for cargo-semver-checks.
pub enum Baseline {
    /// The commit that last wrote the release's listing (the default).
    Recorded,
    /// A revision given with `--baseline-rev`.
    Rev(String),
    /// A directory given with `--baseline-root`: a workspace whose client crate is the release.
    Root(PathBuf),
}

/// `cargo xtask release-check`; `baseline` is `None` with `--no-semver-checks`.
pub fn check(baseline: Option<Baseline>) -> ExitCode {
    let started = std::time::Instant::now();
    match check_in(&paths::root(), baseline) {
        Ok(problems) if problems.is_empty() => {
            eprintln!("release-check: ok ({:.0} s)", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Ok(problems) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check_in(root: &Path, baseline: Option<Baseline>) -> Result<Vec<String>, String> {
    let Some((last, listing_path)) = releases::last(root)? else {
        return Err(format!(
            "no release is recorded in {}/: record the first with `cargo xtask release 0.1.0`",
            releases::DIR
        ));
    };
    let recorded = read(&listing_path)?;
    let current = api_listing::build(root)?;
    let changes = changes(&recorded, &current);
    let manifest_path = releases::manifest(root);
    let version = version::of_manifest(&read(&manifest_path)?, &manifest_path)?;
    let mut problems = Vec::new();
    let record = releases::listing_path(last);
    eprintln!(
        "release-check: since {last} ({record}): {}; {CRATE_DIR}/Cargo.toml has {version}",
        generator::api_diff::summary(&changes)
    );
    if version < last {
        problems.push(format!("{CRATE_DIR}/Cargo.toml has {version}, older than the last release, {last}"));
    }
    let needed = last.bump(Some(Class::Breaking));
    if changes.iter().any(|c| c.class == Class::Breaking) && version < needed {
        problems.push(format!(
            "the public API has breaking changes since {last} (recorded in {record}), and {CRATE_DIR}/Cargo.toml still has {version}; they need {needed}:\n{}  Describe them under `{}` in {CHANGELOG}, then run `cargo xtask release {needed}`.",
            list(&changes, Some(Class::Breaking)),
            changelog::UNRELEASED,
        ));
    }
    let notes = read(&root.join(CHANGELOG))?;
    let unreleased_empty = !changelog::has_entries(changelog::unreleased(&notes)?);
    if !changes.is_empty() && unreleased_empty {
        problems.push(format!(
            "the public API changed since {last} ({}), and {CHANGELOG}'s `{}` is empty:\n{}  Describe what changes for users there (`cargo xtask api-diff` writes the list to start from).",
            generator::api_diff::summary(&changes),
            changelog::UNRELEASED,
            list(&changes, None),
        ));
    }
    // What the Rust API cannot show: the spec's behaviour changes (a lower limit refuses inputs
    // it used to accept, a smaller batch) need their changelog entry too.
    let spec = spec_since(root, last, &record)?;
    eprintln!("release-check: the spec since {last}: {}", generator::api_diff::summary(&spec));
    if changes.is_empty() && !spec.is_empty() && unreleased_empty {
        problems.push(format!(
            "the spec changed since {last} ({}), and {CHANGELOG}'s `{}` is empty:\n{}  Describe what changes for users there (`cargo xtask api-diff` writes the list to start from).",
            generator::api_diff::summary(&spec),
            changelog::UNRELEASED,
            list(&spec, None),
        ));
    }
    // The second opinion, when there is something to judge: a listing equal to the release's,
    // line for line, is the same API (and cargo-semver-checks is not built for nothing).
    if recorded == current {
        eprintln!(
            "release-check: the public API listing is {last}'s ({record}), line for line: cargo-semver-checks skipped (nothing to compare)"
        );
    } else if let Some(baseline) = baseline {
        match semver_checks_against(root, last, &record, baseline)? {
            Some((true, _)) => eprintln!("release-check: cargo-semver-checks {} agrees", semver_checks::VERSION),
            Some((false, output)) => problems.push(format!(
                "cargo-semver-checks {} (the second opinion), against the source of {last}:\n{}",
                semver_checks::VERSION,
                output.trim_end()
            )),
            None => {}
        }
    } else {
        eprintln!(
            "release-check: the public API listing differs from {last}'s, and cargo-semver-checks was not asked for (--no-semver-checks)"
        );
    }
    Ok(problems)
}

/// The spec's changes since the commit that last wrote the release's listing; none when that
/// listing is not committed yet (the release is this working tree). Without git history there is
/// nothing to compare: that is said, and the Rust side's checks still hold.
fn spec_since(root: &Path, last: Version, record: &str) -> Result<Vec<Change>, String> {
    if !git::is_checkout(root) {
        eprintln!("release-check: not a git checkout: the spec is not compared with {last}'s");
        return Ok(Vec::new());
    }
    match recorded_commit(root, record)? {
        Some(commit) => crate::api_diff::spec_changes(root, &commit),
        None => Ok(Vec::new()),
    }
}

/// The commit that last wrote the release's listing `record`; `None` when the listing is not
/// committed yet (the release is this working tree). Needs a checkout.
fn recorded_commit(root: &Path, record: &str) -> Result<Option<String>, String> {
    if !git::text(root, &["status", "--porcelain", "--", record])?.is_empty() {
        return Ok(None);
    }
    let commit = git::text(root, &["log", "-1", "--format=%H", "--", record])?;
    if commit.is_empty() {
        return Err(format!("no commit of this clone wrote {record} (a shallow clone?): run `git fetch --unshallow`"));
    }
    Ok(Some(commit))
}

/// cargo-semver-checks against the last release's source: `None` when that source is the
/// working tree itself (the release was recorded and not committed yet), so there is nothing to
/// compare.
fn semver_checks_against(
    root: &Path,
    last: Version,
    record: &str,
    baseline: Baseline,
) -> Result<Option<(bool, String)>, String> {
    let why = "release-check's second opinion (cargo-semver-checks against the last release's source)";
    let rev = match baseline {
        Baseline::Root(dir) => return semver_checks::check(root, &dir).map(Some),
        Baseline::Rev(rev) => {
            git::require(root, why)?;
            git::commit(root, &rev)?
        }
        Baseline::Recorded => {
            git::require(root, why).map_err(|e| format!("{e} Or pass --baseline-root DIR (the source of {last})."))?;
            let commit = recorded_commit(root, record).map_err(|e| {
                format!("{e}, or pass --baseline-rev REV or --baseline-root DIR (the source of {last})")
            })?;
            let Some(commit) = commit else {
                eprintln!(
                    "release-check: {record} is not committed yet: the source of {last} is this working tree, nothing for cargo-semver-checks to compare"
                );
                return Ok(None);
            };
            commit
        }
    };
    let dir = paths::target_dir().join("release-check").join(format!("baseline-{}", &rev[..12]));
    let _ = std::fs::remove_dir_all(&dir);
    git::extract(root, &rev, &["Cargo.toml", "Cargo.lock", CRATE_DIR], &dir)?;
    api_listing::only_the_client(&dir)?;
    eprintln!("release-check: cargo-semver-checks against {last} as of {}", &rev[..12]);
    let result = semver_checks::check(root, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result.map(Some)
}
