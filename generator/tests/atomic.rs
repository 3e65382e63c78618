//! "Nothing lost": a defective spec leaves the generated files byte for byte as they were, through
//! the library and through `cargo xtask codegen`; `--check` on stale files fails with a diff and
//! says what to run.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{SPEC_LABEL, generate_ok, main_spec, workspace};
use generator::GeneratedFile;

/// A defective spec from the corpus, relative to the workspace root.
const DEFECT: &str = "generator/tests/defects/12-parameter-without-placeholder.yaml";

/// A temporary client crate holding freshly generated files.
fn client_copy() -> (tempfile::TempDir, Vec<GeneratedFile>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = generate_ok(SPEC_LABEL, &main_spec());
    generator::output::write_all(dir.path(), &files).expect("the first write");
    (dir, files)
}

/// Every file under `dir`, by relative path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("a readable directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("a readable file");
                out.insert(path.strip_prefix(root).expect("under the root").to_path_buf(), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// `cargo xtask codegen ARGS`, run from the workspace root as a maintainer would.
fn xtask_codegen(args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .current_dir(workspace())
        .args(["run", "-q", "-p", "xtask", "--", "codegen"])
        .args(args)
        .output()
        .expect("cargo runs")
}

fn path_arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn library_defective_spec_writes_nothing() {
    let (dir, _) = client_copy();
    // Hand edits the generator would overwrite, and a file it does not own.
    let spec_rs = dir.path().join("src/generated/spec.rs");
    std::fs::write(&spec_rs, "// an edit that a successful run would overwrite\n").unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "mod generated;\n").unwrap();
    let before = snapshot(dir.path());

    let bytes = std::fs::read(workspace().join(DEFECT)).unwrap();
    let result = generator::generate(Path::new(DEFECT), DEFECT, &bytes)
        .and_then(|files| generator::output::write_all(dir.path(), &files));
    let error = result.expect_err("a defective spec must fail");
    assert!(error.to_string().starts_with(DEFECT), "{error}");
    assert_eq!(snapshot(dir.path()), before, "the defective spec changed files");
}

#[test]
fn library_rewrites_only_what_changed() {
    let (dir, files) = client_copy();
    let api = dir.path().join("src/generated/api.rs");
    let spec = dir.path().join("src/generated/spec.rs");
    std::fs::write(&spec, "stale\n").unwrap();
    let api_modified = std::fs::metadata(&api).unwrap().modified().unwrap();

    let written = generator::output::write_all(dir.path(), &files).unwrap();
    assert_eq!(written.as_slice(), std::slice::from_ref(&spec), "only the stale file is rewritten");
    assert_eq!(std::fs::metadata(&api).unwrap().modified().unwrap(), api_modified, "an up-to-date file was touched");
    let expected = files.iter().find(|f| f.path.ends_with("spec.rs")).expect("spec.rs is generated");
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), expected.contents);
    assert!(generator::output::write_all(dir.path(), &files).unwrap().is_empty(), "a second run writes nothing");
    assert!(generator::output::check(dir.path(), &files, 10).is_empty());
}

#[test]
fn library_write_failure_leaves_no_temporary_files() {
    let (dir, mut files) = client_copy();
    for f in &mut files {
        f.contents.push_str("// changed\n");
    }
    // A directory where a generated file should be: its rename fails.
    let api = dir.path().join("src/generated/api.rs");
    std::fs::remove_file(&api).unwrap();
    std::fs::create_dir(&api).unwrap();
    std::fs::write(api.join("keep"), "kept").unwrap();

    let error = generator::output::write_all(dir.path(), &files).expect_err("the rename onto a directory fails");
    assert!(matches!(error, generator::Error::Io { .. }), "{error}");
    let leftovers: Vec<PathBuf> =
        snapshot(dir.path()).into_keys().filter(|p| p.to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
    assert_eq!(std::fs::read_to_string(api.join("keep")).unwrap(), "kept");
}

#[test]
fn library_missing_output_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let files = generate_ok(SPEC_LABEL, &main_spec());
    let missing = dir.path().join("no-such-crate");
    let error = generator::output::write_all(&missing, &files).expect_err("no output directory");
    assert!(error.to_string().contains("does not exist"), "{error}");
    assert!(!missing.exists());
}

#[test]
fn cli_defective_spec_leaves_existing_files_untouched() {
    let (dir, _) = client_copy();
    let spec_rs = dir.path().join("src/generated/spec.rs");
    std::fs::write(&spec_rs, "// hand-edited: a successful run would overwrite this\n").unwrap();
    let before = snapshot(dir.path());

    let spec = workspace().join(DEFECT);
    let out = xtask_codegen(&["--spec", path_arg(&spec), "--out", path_arg(dir.path())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "exit status {:?}; stderr:\n{stderr}", out.status);
    assert!(stderr.contains(DEFECT), "stderr does not name the spec:\n{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(stderr.contains("path parameter `itemId`"), "{stderr}");
    assert_eq!(snapshot(dir.path()), before, "files changed although the spec is defective");
}

#[test]
fn cli_check_on_tampered_files_prints_a_diff_and_the_fix() {
    let (dir, _) = client_copy();
    let ops_rs = dir.path().join("src/generated/operations.rs");
    let original = std::fs::read_to_string(&ops_rs).unwrap();
    let tampered = original.replacen("max_items: 16,", "max_items: 99,", 1);
    assert_ne!(tampered, original, "the tag limit moved; update this test");
    std::fs::write(&ops_rs, &tampered).unwrap();
    let before = snapshot(dir.path());

    let spec = workspace().join(SPEC_LABEL);
    let out = xtask_codegen(&["--check", "--spec", path_arg(&spec), "--out", path_arg(dir.path())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "--check passed on a tampered file; stderr:\n{stderr}");
    assert!(stderr.contains("--- a/src/generated/operations.rs (on disk)"), "no unified diff header:\n{stderr}");
    assert!(stderr.contains("+++ b/src/generated/operations.rs (from the spec)"), "{stderr}");
    assert!(stderr.contains("@@ "), "no hunk:\n{stderr}");
    let changed = |sign: char, line: &str| stderr.lines().any(|l| l.starts_with(sign) && l[1..].trim() == line);
    assert!(changed('-', "max_items: 99,"), "no removed line:\n{stderr}");
    assert!(changed('+', "max_items: 16,"), "no added line:\n{stderr}");
    // The command, with the --spec and --out it was given when they are not the defaults.
    assert!(stderr.contains("Run `cargo xtask codegen"), "does not say what to run:\n{stderr}");
    assert!(!stderr.contains("api.rs is stale"), "an untouched file is reported stale:\n{stderr}");
    assert_eq!(snapshot(dir.path()), before, "--check wrote files");
}

#[test]
fn cli_check_on_current_files_passes() {
    let (dir, _) = client_copy();
    let spec = workspace().join(SPEC_LABEL);
    let out = xtask_codegen(&["--check", "--spec", path_arg(&spec), "--out", path_arg(dir.path())]);
    assert!(out.status.success(), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
}
