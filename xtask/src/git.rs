//! What xtask reads with git: files and trees at a revision, without touching the working tree
//! or the repository's worktree list.

use std::path::Path;
use std::process::{Command, Stdio};

/// Why a command needs git, for the error when the checkout has none.
pub fn require(root: &Path, why: &str) -> Result<(), String> {
    let out = Command::new("git").arg("-C").arg(root).args(["rev-parse", "--git-dir"]).output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(_) => Err(format!(
            "{} is not a git checkout (no .git): {why} reads the base with git. Run it in a clone of the repository.",
            root.display()
        )),
        Err(e) => Err(format!("cannot run git ({e}): {why} reads the base with git; install git")),
    }
}

/// `git <args>` in `root`: its standard output, or an error with its standard error.
pub fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("`git {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(out.stdout)
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
