//! Two checkouts sharing one target directory (a global `CARGO_TARGET_DIR`, say): `cargo xtask`
//! run in the second must work on the second, not on the checkout that built it first.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

fn run(program: &str, dir: &Path, args: &[&str], target: &Path) -> Output {
    Command::new(program)
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn codegen_in_a_second_worktree_sharing_the_target_dir_works_on_that_worktree() {
    let root = root();
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("worktree-test");
    let worktree = scratch.join("second");
    let shared_target = scratch.join("shared-target");
    let _ = run("git", &root, &["worktree", "remove", "--force", worktree.to_str().unwrap()], &shared_target);
    let _ = std::fs::remove_dir_all(&worktree);
    std::fs::create_dir_all(&scratch).unwrap();
    let added = run("git", &root, &["worktree", "add", "--detach", worktree.to_str().unwrap(), "HEAD"], &shared_target);
    assert!(added.status.success(), "git worktree add: {}", text(&added));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());

    // The first checkout builds xtask into the shared target directory. (Its own check may fail
    // on uncommitted edits of the first checkout; only the second checkout matters here.)
    let _ = run(&cargo, &root, &["xtask", "codegen", "--check"], &shared_target);
    let generated = std::fs::read_to_string(root.join("generated-client/src/generated/operations.rs")).unwrap();

    // The second checkout changes its spec: --check there must see it stale, and codegen must
    // write there, leaving the first checkout alone.
    let spec = worktree.join("spec/edge-cache.yaml");
    let text_before = std::fs::read_to_string(&spec).unwrap();
    assert_eq!(text_before.matches("maxItems: 16").count(), 1, "the tag limit moved; update this test");
    std::fs::write(&spec, text_before.replace("maxItems: 16", "maxItems: 20")).unwrap();
    // The xtask the first checkout built, run in the second (as when cargo finds it fresh).
    let built = shared_target.join("debug").join(format!("xtask{}", std::env::consts::EXE_SUFFIX));
    let stale = run(built.to_str().unwrap(), &worktree, &["codegen", "--check"], &shared_target);
    assert!(!stale.status.success(), "the first checkout's xtask checked the first checkout: {}", text(&stale));
    assert!(text(&stale).contains("max_items: 20"), "{}", text(&stale));
    let check = run(&cargo, &worktree, &["xtask", "codegen", "--check"], &shared_target);
    assert!(!check.status.success(), "--check in the second worktree passed: {}", text(&check));
    assert!(text(&check).contains("max_items: 20"), "{}", text(&check));
    let write = run(&cargo, &worktree, &["xtask", "codegen"], &shared_target);
    assert!(write.status.success(), "{}", text(&write));
    let second = std::fs::read_to_string(worktree.join("generated-client/src/generated/operations.rs")).unwrap();
    assert!(second.contains("max_items: 20,"), "the second worktree was not regenerated");
    let first_after = std::fs::read_to_string(root.join("generated-client/src/generated/operations.rs")).unwrap();
    assert_eq!(first_after, generated, "codegen in the second worktree changed the first checkout");

    let removed = run("git", &root, &["worktree", "remove", "--force", worktree.to_str().unwrap()], &shared_target);
    assert!(removed.status.success(), "{}", text(&removed));
}
