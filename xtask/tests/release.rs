//! Five kinds of spec change, replayed on a copy of the workspace as a maintainer makes them:
//! edit `spec/edge-cache.yaml`, `cargo xtask codegen`, `cargo xtask api-diff` — and the report's
//! lines and the version it asks for are checked. The first case goes on through the release
//! gate: `cargo xtask release-check` fails without a version bump, naming the change and the
//! command, and passes after `cargo xtask release 0.2.0`.
//!
//! Each copy is a git repository under `target/tmp/api-diff/<case>` whose one commit is this
//! working tree (its `HEAD` is the base of `api-diff`). xtask runs there with this workspace's
//! target directory, so rustdoc's dependencies are the ones built for the public API listing,
//! and a listing of files it has seen (the base's, the same tree as this one) is read from
//! xtask's cache (`target/api-listing/cache`, keyed by the files' content). The cases take
//! turns: they write rustdoc's JSON into the same place.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

// The generator tests' helpers: `without_path`, as the evolution tests remove operations.
#[path = "../../generator/tests/common/mod.rs"]
mod common;

use common::without_path;

static TURN: Mutex<()> = Mutex::new(());

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

/// This workspace's target directory.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("tmp is in the target directory").to_path_buf()
}

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("api-diff")
}

/// The workspace's files (not its build output or git data) copied into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if matches!(name.as_ref(), "target" | ".git" | "node_modules") || name.ends_with(".snap.new") {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn run(program: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .current_dir(dir)
        .args(args)
        // The copy is the workspace here, not the checkout that built xtask.
        .env_remove("CARGO_MANIFEST_DIR")
        .env("CARGO_TARGET_DIR", target_dir())
        // cargo-semver-checks is installed once, in the real target directory.
        .env("XTASK_TOOLS_DIR", target_dir().join("tools"))
        // git stops at the copies: a copy without `.git` is not inside this checkout's repository.
        .env("GIT_CEILING_DIRECTORIES", scratch())
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn xtask(dir: &Path, args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_xtask"), dir, args)
}

fn git(dir: &Path, args: &[&str]) {
    let out = run("git", dir, args);
    assert!(out.status.success(), "git {args:?}: {}", text(&out).1);
}

/// A copy of the workspace committed as its base, with `edit` applied to its spec, and
/// `cargo xtask codegen` run: the copy and codegen's summary line.
fn replay(case: &str, edit: impl Fn(String) -> String) -> (PathBuf, String) {
    let copy = scratch().join(case);
    let _ = std::fs::remove_dir_all(&copy);
    copy_tree(&workspace(), &copy);
    git(&copy, &["init", "--quiet"]);
    git(&copy, &["add", "-A"]);
    git(&copy, &["commit", "--quiet", "-m", "base"]);
    let spec = copy.join("spec/edge-cache.yaml");
    let before = std::fs::read_to_string(&spec).unwrap();
    let after = edit(before.clone());
    assert_ne!(after, before, "{case}: the edit changed nothing; update this test");
    std::fs::write(&spec, after).unwrap();
    let out = xtask(&copy, &["codegen"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{case}: codegen failed:\n{stderr}");
    let summary = stderr.lines().find(|l| l.starts_with("api-diff")).unwrap_or_default().to_string();
    (copy, summary)
}

/// `cargo xtask api-diff` in `copy`: the report's change lines, and its version line.
fn api_diff(copy: &Path) -> (Vec<String>, String) {
    let out = xtask(copy, &["api-diff"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "api-diff failed:\n{stderr}");
    let changes = stdout.lines().filter(|l| l.starts_with("- ")).map(str::to_string).collect();
    let version = stdout.lines().find(|l| l.starts_with("**Version:**")).unwrap_or_default().to_string();
    (changes, version)
}

/// `notes` as right after a release: `## [Unreleased]` with no entries.
fn without_unreleased_entries(notes: &str) -> String {
    let heading = "## [Unreleased]\n";
    let start = notes.find(heading).expect("CHANGELOG.md has `## [Unreleased]`") + heading.len();
    let end = notes[start..].find("\n## [").map_or(notes.len(), |i| start + i + 1);
    format!("{}\n{}", &notes[..start], &notes[end..])
}

fn with<'a>(lines: &'a [String], class: &str) -> Vec<&'a String> {
    lines.iter().filter(|l| l.starts_with(&format!("- **{class}**"))).collect()
}

fn has(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

/// The replays' spec edits.
fn remove_the_source_image_operations(spec: String) -> String {
    let spec = without_path(&spec, "/v1/edge-cache/invalidate-by-src-images");
    let spec = without_path(&spec, "/v1/edge-cache/dangerously-delete-by-src-images");
    spec.replace("    - edge-cache --project my-site invalidate --srcimg /images/hero.png\n", "")
}

fn add_a_reason_property(spec: String) -> String {
    let anchor = "    InvalidateByTagsRequest:\n      description: The body of `invalidateByTags`.\n      type: object\n      additionalProperties: false\n      required: [tags]\n      properties:\n";
    assert!(spec.contains(anchor), "InvalidateByTagsRequest moved; update this test");
    spec.replacen(
        anchor,
        &format!("{anchor}        reason:\n          description: Why the cache is purged.\n          type: string\n          maxLength: 20\n"),
        1,
    )
}

fn lower_the_tag_count(spec: String) -> String {
    assert_eq!(spec.matches("maxItems: 16").count(), 1, "the tag limit moved; update this test");
    spec.replace("maxItems: 16", "maxItems: 8")
}

fn lower_the_tag_length(spec: String) -> String {
    assert_eq!(spec.matches("maxLength: 256").count(), 1, "the tag length moved; update this test");
    spec.replace("maxLength: 256", "maxLength: 100")
}

fn remove_an_enum_value(spec: String) -> String {
    assert_eq!(spec.matches("enum: [production, preview]").count(), 1, "Target moved; update this test");
    spec.replace("enum: [production, preview]", "enum: [production]")
}

#[test]
fn two_operations_removed_is_breaking_needs_0_2_0_and_the_release_gate_holds_until_released() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let (copy, summary) = replay("removed", remove_the_source_image_operations);
    assert!(summary.contains("6 breaking; from 0.1.0 the crate needs 0.2.0"), "{summary}");
    let (lines, version) = api_diff(&copy);
    let all = lines.join("\n");
    // The spec side names the removed operations, their methods and the CLI's flags.
    for method in ["invalidate_by_src_images", "dangerously_delete_by_src_images"] {
        assert!(has(&lines, &format!("`EdgeCache::{method}`")), "{all}");
    }
    assert!(
        has(
            &lines,
            "**breaking** operation `invalidateBySrcImages` (`POST /v1/edge-cache/invalidate-by-src-images`) removed"
        ),
        "{all}"
    );
    for command in ["invalidate", "dangerously-delete"] {
        let flag = format!(
            "**breaking** CLI: the flag `--srcimg` of `edge-cache {command}` removed: scripts that pass it fail (exit 2)"
        );
        assert!(has(&lines, &flag), "{all}");
    }
    // The Rust side, from the listings: the methods, the marker types and the setters.
    assert!(
        has(
            &lines,
            "**breaking** removed `pub fn vercel_edge_cache::EdgeCache::invalidate_by_src_images<I, S>(&self, project:"
        ),
        "{all}"
    );
    assert!(
        has(
            &lines,
            "**breaking** removed `pub enum vercel_edge_cache::operations::DangerouslyDeleteBySrcImages` (and its"
        ),
        "{all}"
    );
    assert!(
        has(
            &lines,
            "**breaking** removed `pub fn vercel_edge_cache::Purge<'_, vercel_edge_cache::operations::DangerouslyDeleteBySrcImages>::revalidation_deadline_seconds(self, value: i64) -> Self`"
        ),
        "{all}"
    );
    assert_eq!(with(&lines, "breaking").len(), lines.len(), "only breaking changes:\n{all}");
    assert!(version.contains("the crate needs **0.2.0** (breaking changes"), "{version}");

    // The gate: no bump, no changelog entry (whatever the workspace's `[Unreleased]` holds now).
    let changelog = copy.join("CHANGELOG.md");
    std::fs::write(&changelog, without_unreleased_entries(&std::fs::read_to_string(&changelog).unwrap())).unwrap();
    // Our own gate: cargo-semver-checks' run is `semver_checks_agree_with_api_diff_on_the_replays`.
    let out = xtask(&copy, &["release-check", "--no-semver-checks"]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "release-check passed a breaking change under 0.1.0:\n{stderr}");
    assert!(stderr.contains("error: the public API has breaking changes since 0.1.0 (recorded in generated-client/api/0.1.0.txt), and generated-client/Cargo.toml still has 0.1.0; they need 0.2.0"), "{stderr}");
    assert!(
        stderr.contains("removed `pub fn vercel_edge_cache::EdgeCache::dangerously_delete_by_src_images<I, S>"),
        "{stderr}"
    );
    assert!(stderr.contains("then run `cargo xtask release 0.2.0`"), "{stderr}");
    assert!(stderr.contains("and CHANGELOG.md's `## [Unreleased]` is empty"), "{stderr}");
    assert!(
        stderr.contains("listing differs from 0.1.0's, and cargo-semver-checks was not asked for (--no-semver-checks)"),
        "{stderr}"
    );

    // A release needs its notes first.
    let out = xtask(&copy, &["release", "0.2.0", "--date", "2026-12-02"]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("CHANGELOG.md's `## [Unreleased]` is empty"), "{}", text(&out).1);
    let notes = std::fs::read_to_string(&changelog).unwrap().replacen(
        "## [Unreleased]\n",
        "## [Unreleased]\n\n### Removed\n\n- The source-image operations and the CLI's `--srcimg` and `--srcimgs-from`.\n",
        1,
    );
    std::fs::write(&changelog, notes).unwrap();
    let out = xtask(&copy, &["release", "0.2.0", "--date", "2026-12-02"]);
    assert!(out.status.success(), "release 0.2.0 failed:\n{}", text(&out).1);
    let manifest = std::fs::read_to_string(copy.join("generated-client/Cargo.toml")).unwrap();
    assert!(manifest.contains("\nversion = \"0.2.0\"\n"), "{manifest}");
    let readme = std::fs::read_to_string(copy.join("generated-client/README.md")).unwrap();
    assert!(readme.contains("vercel-edge-cache = \"0.2\"") && !readme.contains("\"0.1\""), "the README asks for 0.2");
    let notes = std::fs::read_to_string(&changelog).unwrap();
    let released = notes.find("## [0.2.0] - 2026-12-02\n\n### Removed\n\n- The source-image operations").expect(&notes);
    assert!(notes.find("## [Unreleased]\n\n## [0.2.0]").is_some_and(|i| i < released), "{notes}");
    let listing = std::fs::read_to_string(copy.join("generated-client/api/0.2.0.txt")).unwrap();
    assert!(!listing.contains("invalidate_by_src_images") && listing.contains("invalidate_by_tags"));

    // Committed, the release passes the gate; its listing is the working tree's, so
    // cargo-semver-checks has nothing to compare and is not run (nor built).
    git(&copy, &["commit", "--quiet", "-am", "release 0.2.0"]);
    git(&copy, &["add", "-A"]);
    git(&copy, &["commit", "--quiet", "-m", "release 0.2.0: the listing"]);
    let out = xtask(&copy, &["release-check"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "release-check after release 0.2.0:\n{stderr}");
    assert!(
        stderr.contains(
            "since 0.2.0 (generated-client/api/0.2.0.txt): no change for users; generated-client/Cargo.toml has 0.2.0"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "the public API listing is 0.2.0's (generated-client/api/0.2.0.txt), line for line: cargo-semver-checks skipped (nothing to compare)"
        ),
        "{stderr}"
    );
}

#[test]
fn an_optional_body_property_added_is_additive_on_the_spec_side_and_names_its_setter() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let (copy, summary) = replay("property", add_a_reason_property);
    assert!(summary.contains("(spec side): 3 additive; from 0.1.0 the crate needs 0.1.1"), "{summary}");
    let (lines, version) = api_diff(&copy);
    let all = lines.join("\n");
    // The operation is in the CLI, so the new property is a flag named after it there too.
    assert!(has(&lines, "- **additive** CLI: the flag `edge-cache invalidate --reason <TEXT>`"), "{all}");
    assert!(
        has(&lines, "- **additive** `invalidateByTags`: optional body property `reason` added: the setter `.reason()`"),
        "{all}"
    );
    assert!(has(&lines, "- **additive** mock (feature `mock`): the field `RecordedPurge::reason`"), "{all}");
    assert!(
        has(
            &lines,
            "- **additive** added `pub fn vercel_edge_cache::Purge<'_, vercel_edge_cache::operations::InvalidateByTags>::reason(self, value: impl core::convert::Into<alloc::string::String>) -> Self`"
        ),
        "{all}"
    );
    let recorded = "RecordedPurge::reason: core::option::Option<alloc::string::String>`";
    assert!(with(&lines, "additive").iter().any(|l| l.contains(recorded)), "{all}");
    // Nothing breaks: the setters are methods, the mock's record and progenitor's body types
    // are `#[non_exhaustive]` (built with their builders outside the crate), so a new field is
    // additive (cargo-semver-checks says the same).
    assert!(with(&lines, "breaking").is_empty(), "{all}");
    assert!(version.contains("the crate needs **0.1.1**"), "{version}");
}

#[test]
fn tags_max_items_16_to_8_is_behaviour_naming_batching_and_nothing_breaks() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let (copy, summary) = replay("max-items", lower_the_tag_count);
    assert!(summary.contains("(spec side): 2 behaviour; from 0.1.0 the crate needs 0.1.1"), "{summary}");
    let (lines, version) = api_diff(&copy);
    let all = lines.join("\n");
    for op in ["invalidateByTags", "dangerouslyDeleteByTags"] {
        let line = format!(
            "- **behaviour** `{op}`: batching: at most 8 `tags` per request (`maxItems`, was 16): the same selection is sent in more requests; calling code needs no change"
        );
        assert!(has(&lines, &line), "{all}");
    }
    assert!(has(&lines, "- no change"), "the Rust API does not change:\n{all}");
    assert!(with(&lines, "breaking").is_empty(), "{all}");
    assert!(version.contains("the crate needs **0.1.1** (no breaking change: a patch release)"), "{version}");
}

#[test]
fn a_tags_max_length_256_to_100_is_behaviour_naming_the_inputs_now_refused() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let (copy, _) = replay("max-length", lower_the_tag_length);
    let (lines, version) = api_diff(&copy);
    let all = lines.join("\n");
    for op in ["invalidateByTags", "dangerouslyDeleteByTags"] {
        let line = format!(
            "- **behaviour** `{op}`: each of `tags`: at most 100 characters (`maxLength`, was 256): tags of 101 to 256 characters are now refused before sending"
        );
        assert!(has(&lines, &line), "{all}");
    }
    assert_eq!(lines.len(), 3, "two behaviour lines and no Rust API change:\n{all}");
    assert!(version.contains("the crate needs **0.1.1**"), "{version}");

    // The Rust API is the same, but users' inputs are now refused: the gate wants the entry.
    let changelog = copy.join("CHANGELOG.md");
    let notes = without_unreleased_entries(&std::fs::read_to_string(&changelog).unwrap());
    std::fs::write(&changelog, &notes).unwrap();
    let out = xtask(&copy, &["release-check"]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "release-check passed a lower limit with no changelog entry:\n{stderr}");
    assert!(
        stderr.contains(
            "error: the spec changed since 0.1.0 (2 behaviour), and CHANGELOG.md's `## [Unreleased]` is empty:"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("tags of 101 to 256 characters are now refused before sending"), "{stderr}");
    let entry = "## [Unreleased]\n\n### Changed\n\n- Tags are at most 100 characters, as Vercel now allows.\n";
    std::fs::write(&changelog, notes.replacen("## [Unreleased]\n", entry, 1)).unwrap();
    let out = xtask(&copy, &["release-check"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "release-check with the entry written:\n{stderr}");
    assert!(stderr.contains("release-check: the spec since 0.1.0: 2 behaviour"), "{stderr}");
    // The Rust API did not change: nothing for cargo-semver-checks to judge.
    assert!(stderr.contains("line for line: cargo-semver-checks skipped (nothing to compare)"), "{stderr}");
}

#[test]
fn an_enum_value_removed_is_breaking() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let (copy, summary) = replay("enum-value", remove_an_enum_value);
    assert!(summary.contains("breaking; from 0.1.0 the crate needs 0.2.0"), "{summary}");
    let (lines, version) = api_diff(&copy);
    let all = lines.join("\n");
    assert!(
        has(
            &lines,
            "- **breaking** `invalidateByTags`: body property `target`: the value `preview` removed: the enum variant `Preview` is gone, and `set(.., \"preview\")` and the CLI refuse it"
        ),
        "{all}"
    );
    assert!(
        has(
            &lines,
            "- **breaking** CLI: `edge-cache invalidate --target` takes <production> (was <production|preview>)"
        ),
        "{all}"
    );
    assert!(has(&lines, "- **breaking** removed `pub vercel_edge_cache::api::types::Target::Preview`"), "{all}");
    assert!(version.contains("the crate needs **0.2.0** (breaking changes"), "{version}");
}

#[test]
fn api_diff_in_a_checkout_without_git_says_that_it_reads_the_base_with_git() {
    let copy = scratch().join("no-git");
    let _ = std::fs::remove_dir_all(&copy);
    copy_tree(&workspace(), &copy);
    let out = xtask(&copy, &["api-diff", "--base", "HEAD~1"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("is not a git checkout (no .git): cargo xtask api-diff --base reads the base with git"),
        "{stderr}"
    );
}

/// cargo-semver-checks, the release gate's second opinion, agrees with api-diff on every replay:
/// it fails where api-diff reports a breaking change and passes where it does not. Not in the
/// default run (`cargo xtask test`): it builds cargo-semver-checks, minutes of a cold run, into
/// the target directory's `tools/`. Run it with
/// `cargo xtask test -p xtask --test release -- --ignored`.
#[test]
#[ignore = "builds cargo-semver-checks: run it with `cargo xtask test -p xtask --test release -- --ignored`"]
fn semver_checks_agree_with_api_diff_on_the_replays() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    type Edit = fn(String) -> String;
    let cases: [(&str, Edit); 4] = [
        ("semver-removed", remove_the_source_image_operations),
        ("semver-property", add_a_reason_property),
        ("semver-enum-value", remove_an_enum_value),
        ("semver-max-items", lower_the_tag_count),
    ];
    let mut ran = 0;
    for (case, edit) in cases {
        let (copy, _) = replay(case, edit);
        let (lines, _) = api_diff(&copy);
        let breaking = !with(&lines, "breaking").is_empty();
        let out = xtask(&copy, &["release-check"]);
        let (_, stderr) = text(&out);
        let disagreed = stderr.contains("cargo-semver-checks 0.51.0 (the second opinion), against the source of 0.1.0");
        let agreed = stderr.contains("release-check: cargo-semver-checks 0.51.0 agrees");
        let skipped = stderr.contains("cargo-semver-checks skipped (nothing to compare)");
        let rust_changed = !has(&lines, "- no change");
        assert_eq!(skipped, !rust_changed, "{case}: run only when the listing changed:\n{stderr}");
        if rust_changed {
            ran += 1;
            assert!(agreed != disagreed, "{case}: cargo-semver-checks gave no verdict:\n{stderr}");
            assert_eq!(
                disagreed, breaking,
                "{case}: api-diff says breaking = {breaking}, cargo-semver-checks differs:\n{stderr}"
            );
        }
    }
    assert_eq!(ran, 3, "cargo-semver-checks judged the three replays whose Rust API changed");
}
