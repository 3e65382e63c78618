//! Two checkouts, the second without git: `cargo xtask` run in the second must work on the
//! second, and so must an xtask the first one built (as a global `CARGO_TARGET_DIR` may hand
//! it to the second), not on the checkout that built it.
//!
//! The second checkout is a copy of the project's files without `.git`, as a source tarball or
//! an exported copy has them, and every command runs where git can find no repository and where
//! a `git` on the `PATH` fails the test: `cargo xtask` needs no git, and the user's repository is
//! left as it was (no worktree entry, no file changed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

/// What a copy of the project leaves out: version control, build output, installed tools.
const NOT_COPIED: &[&str] = &[".git", "target", "node_modules"];

/// The project's files under `dir`, relative to it: every file, less [`NOT_COPIED`] and the
/// directories in `skip` (the target directory, wherever `CARGO_TARGET_DIR` puts it). A walk of
/// the directory, not `git ls-files`: a copy without `.git` has them too.
fn project_files(dir: &Path, skip: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(rel) = dirs.pop() {
        let here = dir.join(&rel);
        for entry in std::fs::read_dir(&here).unwrap_or_else(|e| panic!("read {}: {e}", here.display())) {
            let entry = entry.unwrap();
            let (path, name) = (entry.path(), entry.file_name());
            if NOT_COPIED.iter().any(|n| name == *n) || skip.iter().any(|s| same_file(s, &path)) {
                continue;
            }
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                dirs.push(rel.join(&name));
            } else if kind.is_file() {
                files.push(rel.join(&name));
            } else {
                panic!("{} is neither a file nor a directory; a copy would differ from the checkout", path.display());
            }
        }
    }
    files.sort();
    files
}

/// Copies the project's files (see [`project_files`]) from `from` into `to`, each only when it
/// differs (cargo goes by modification times, so a copy kept from the last run is not rebuilt),
/// and removes the copy's files that the project no longer has.
fn copy_project(from: &Path, to: &Path, skip: &[PathBuf]) {
    let files = project_files(from, skip);
    if to.is_dir() {
        for stale in project_files(to, &[]).into_iter().filter(|f| !files.contains(f)) {
            std::fs::remove_file(to.join(stale)).unwrap();
        }
    }
    for file in files {
        let dest = to.join(&file);
        let bytes = std::fs::read(from.join(&file)).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        if std::fs::read(&dest).is_ok_and(|old| old == bytes) {
            continue;
        }
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(&dest, bytes).unwrap_or_else(|e| panic!("copy {}: {e}", file.display()));
    }
}

/// The target directory this test was built into.
fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().expect("tmp is in the target dir").to_path_buf()
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// Where a command runs: no git repository above `ceiling`, and a `git` that records its
/// arguments in `calls` and fails.
struct NoGit {
    path: std::ffi::OsString,
    ceiling: PathBuf,
    calls: PathBuf,
}

impl NoGit {
    fn new(scratch: &Path) -> Self {
        let bin = scratch.join("no-git-bin");
        std::fs::create_dir_all(&bin).unwrap();
        let calls = scratch.join("git-calls.txt");
        let _ = std::fs::remove_file(&calls);
        let shim = bin.join("git");
        std::fs::write(&shim, format!("#!/bin/sh\necho \"git $*\" >> '{}'\nexit 1\n", calls.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut dirs = vec![bin];
        dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        let path = std::env::join_paths(dirs).unwrap();
        Self { path, ceiling: scratch.to_path_buf(), calls }
    }

    fn run(&self, program: &str, dir: &Path, args: &[&str], target: &Path) -> Output {
        Command::new(program)
            .current_dir(dir)
            .args(args)
            .env("CARGO_TARGET_DIR", target)
            .env("PATH", &self.path)
            // The copy lies inside the user's checkout (under target/): git must not find it.
            .env("GIT_CEILING_DIRECTORIES", &self.ceiling)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("CARGO_MANIFEST_DIR")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
    }

    /// The git commands run so far.
    fn calls(&self) -> String {
        std::fs::read_to_string(&self.calls).unwrap_or_default()
    }
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[cfg(unix)]
#[test]
fn the_shim_catches_a_git_command() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-git-shim-test");
    let no_git = NoGit::new(&scratch);
    let out = no_git.run("git", &scratch, &["status"], &scratch); // the shim
    assert!(!out.status.success());
    assert_eq!(no_git.calls(), "git status\n", "the shim records its calls");
}

/// The first checkout's xtask is the one cargo built for this test (`CARGO_BIN_EXE_xtask`), run
/// in the second checkout as when a shared target directory makes cargo find it fresh there. The
/// second checkout's own `cargo xtask` builds into a target directory kept between runs (as is
/// the copy, rewritten only where it differs), so a second run rebuilds nothing.
#[test]
fn codegen_in_a_second_checkout_without_git_works_on_that_checkout_even_with_the_first_checkouts_xtask() {
    let root = root();
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("worktree-test");
    let second = scratch.join("second");
    let second_target = scratch.join("shared-target");
    copy_project(&root, &second, &[target_dir(), scratch.clone()]);
    assert!(second.join("Cargo.toml").is_file() && second.join("spec/edge-cache.yaml").is_file());
    assert!(!second.join(".git").exists() && !second.join("target").exists(), "the copy has no .git and no target");
    let no_git = NoGit::new(&scratch);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let generated = std::fs::read_to_string(root.join("generated-client/src/generated/operations.rs")).unwrap();

    // The copy is as fresh as the checkout: --check passes there.
    let fresh = no_git.run(&cargo, &second, &["xtask", "codegen", "--check"], &second_target);
    assert!(fresh.status.success(), "codegen --check in a copy without .git: {}", text(&fresh));

    // The second checkout changes its spec: --check there must see it stale, and codegen must
    // write there, leaving the first checkout alone.
    let spec = second.join("spec/edge-cache.yaml");
    let text_before = std::fs::read_to_string(&spec).unwrap();
    assert_eq!(text_before.matches("maxItems: 16").count(), 1, "the tag limit moved; update this test");
    std::fs::write(&spec, text_before.replace("maxItems: 16", "maxItems: 20")).unwrap();
    // The xtask the first checkout built, run in the second.
    let built = env!("CARGO_BIN_EXE_xtask");
    let stale = no_git.run(built, &second, &["codegen", "--check"], &second_target);
    assert!(!stale.status.success(), "the first checkout's xtask checked the first checkout: {}", text(&stale));
    assert!(text(&stale).contains("max_items: 20"), "{}", text(&stale));
    let check = no_git.run(&cargo, &second, &["xtask", "codegen", "--check"], &second_target);
    assert!(!check.status.success(), "--check in the second checkout passed: {}", text(&check));
    assert!(text(&check).contains("max_items: 20"), "{}", text(&check));
    let write = no_git.run(&cargo, &second, &["xtask", "codegen"], &second_target);
    assert!(write.status.success(), "{}", text(&write));
    let regenerated = std::fs::read_to_string(second.join("generated-client/src/generated/operations.rs")).unwrap();
    assert!(regenerated.contains("max_items: 20,"), "the second checkout was not regenerated");
    let first_after = std::fs::read_to_string(root.join("generated-client/src/generated/operations.rs")).unwrap();
    assert_eq!(first_after, generated, "codegen in the second checkout changed the first checkout");

    assert_eq!(no_git.calls(), "", "cargo xtask ran git");
}

/// `cargo xtask test` runs in a source tarball too: no task, test, benchmark or CI step runs
/// git (which needs `.git`), except through `xtask/src/git.rs`, which runs none where the
/// workspace has no `.git` (the tasks that read history, `api-diff` and `release`, then say they
/// need a checkout), and the release replays, which run it in repositories they make themselves.
/// In this file, only the lines that name the shim do, which fails.
#[test]
fn no_task_test_or_ci_step_runs_git() {
    let root = root();
    // Each runs git only in a `.git` of its own (see above).
    let allowed = ["xtask/src/git.rs", "xtask/tests/release.rs"];
    // The patterns, spelled so that this test does not find itself.
    let git = String::from_iter(['g', 'i', 't']);
    let quoted = [format!("{q}{git}{q}", q = '"'), format!("{q}{git} ", q = '"')];
    let piped = [format!("$({git} "), format!("| {git} ")];
    let mut found = Vec::new();
    for file in project_files(&root, &[target_dir()]) {
        let name = file.to_string_lossy().replace('\\', "/");
        let rust = name.ends_with(".rs");
        let script = name.starts_with(".ci/") || name.ends_with(".sh");
        if (!rust && !script) || allowed.contains(&name.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            let runs_git = if rust {
                quoted.iter().any(|q| line.contains(q.as_str())) && !line.contains("shim")
            } else {
                !code.starts_with('#')
                    && (code.starts_with(&format!("{git} ")) || piped.iter().any(|p| line.contains(p.as_str())))
            };
            // The spec's example of a pipeline is text a user reads, not a command we run.
            if runs_git && !line.contains("git diff --name-only | edge-cache") {
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "these run git, which fails in a copy of the project without .git (a source tarball); \
         find the files another way (a walk of the directory, skipping target/ and .git/):\n{}",
        found.join("\n")
    );
}
