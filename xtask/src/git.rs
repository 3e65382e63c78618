//! What xtask reads with git: files and trees at a revision, without touching the working tree
//! or the repository's worktree list.
//!
//! The one place xtask runs git, and only in a checkout: a workspace whose root has no `.git`
//! (a source tarball, an exported copy, a copy inside another repository) runs no git at all, so
//! `codegen`, `test` and every other task that does not read history work there unchanged, and
//! the ones that do (`api-diff`, `release`, `release-check`) say that they need a checkout.

use std::path::Path;
use std::process::{Command, Stdio};

/// Whether `root` is the top of a git checkout (`.git`: a directory, or a file in a worktree).
pub fn is_checkout(root: &Path) -> bool {
    root.join(".git").exists()
}

/// Why a command needs git, for the error when the checkout has none.
pub fn require(root: &Path, why: &str) -> Result<(), String> {
    if !is_checkout(root) {
        return Err(not_a_checkout(root, why));
    }
    let out = Command::new("git").arg("-C").arg(root).args(["rev-parse", "--git-dir"]).output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(_) => Err(not_a_checkout(root, why)),
        Err(e) => Err(format!("cannot run git ({e}): {why} reads the base with git; install git")),
    }
}

fn not_a_checkout(root: &Path, why: &str) -> String {
    format!(
        "{} is not a git checkout (no .git): {why} reads the base with git. Run it in a clone of the repository.",
        root.display()
    )
}

/// `git <args>` in `root`, which must be a checkout: the command.
fn git(root: &Path, args: &[&str]) -> Result<Command, String> {
    if !is_checkout(root) {
        return Err(not_a_checkout(root, &format!("`git {}`", args.join(" "))));
    }
    let mut command = Command::new("git");
    command.arg("-C").arg(root).args(args).stdin(Stdio::null());
    Ok(command)
}

/// `git <args>` in `root`: its standard output, or an error with its standard error.
pub fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = git(root, args)?.output().map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("`git {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(out.stdout)
}

/// `git <args>` in `root`: whether it exited with success (for `diff --quiet` and the like).
pub fn succeeds(root: &Path, args: &[&str]) -> Result<bool, String> {
    let status = git(root, args)?.status().map_err(|e| format!("cannot run git: {e}"))?;
    Ok(status.success())
}

/// `git <args>`, as trimmed text.
pub fn text(root: &Path, args: &[&str]) -> Result<String, String> {
    run(root, args).map(|b| String::from_utf8_lossy(&b).trim().to_string())
}

/// The commit `rev` names; an error that names `rev` when it names none.
pub fn commit(root: &Path, rev: &str) -> Result<String, String> {
    text(root, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("`{rev}` names no commit in {}", root.display()))
}

/// The file `path` (relative to the repository root) at `commit`.
pub fn show(root: &Path, commit: &str, path: &str) -> Result<Vec<u8>, String> {
    run(root, &["show", &format!("{commit}:{path}")])
}

/// Writes `paths` as they are at `commit` under `dest` (which must not exist yet): through `git
/// archive`, so no worktree is registered and the working tree is left alone.
pub fn extract(root: &Path, commit: &str, paths: &[&str], dest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let archive = run(root, &[&["archive", "--format=tar", commit][..], paths].concat())?;
    let mut tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dest)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    {
        use std::io::Write;
        let mut stdin = tar.stdin.take().expect("piped");
        stdin.write_all(&archive).map_err(|e| format!("cannot unpack {commit} with tar: {e}"))?;
    }
    let status = tar.wait().map_err(|e| format!("tar: {e}"))?;
    if !status.success() {
        return Err(format!("tar could not unpack {commit} into {}", dest.display()));
    }
    Ok(())
}
