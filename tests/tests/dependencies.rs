//! What depending on the crate costs a service: the crates of its default dependency tree are
//! locked in a snapshot, so that a feature (the CLI's, the testing kit's) or an upgrade that
//! changes what every user compiles shows up as a snapshot diff (`cargo insta review`).

use std::process::Command;

use edge_cache_tests::workspace_root;

/// The lines of `cargo tree -p vercel-edge-cache --prefix none -e <edges> <args>`.
fn cargo_tree(edges: &str, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["tree", "--offline", "-p", "vercel-edge-cache", "-e", edges, "--prefix", "none"])
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree fails: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The crates (`name vX.Y.Z`) of the client's normal dependency tree with `args`.
fn tree(args: &[&str]) -> Vec<String> {
    let mut crates: Vec<String> = cargo_tree("normal", args)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some(format!("{} {}", words.next()?, words.next()?))
        })
        .collect();
    crates.sort();
    crates.dedup();
    crates
}

#[test]
fn the_default_dependency_tree_is_locked() {
    insta::assert_snapshot!(tree(&[]).join("\n"));
}

#[test]
fn the_testing_kit_is_off_by_default_and_brings_no_crate_of_its_own() {
    // Its HTTP server is hyper's server half: compiled in only with the feature.
    let server = |args: &[&str]| cargo_tree("normal,features", args).contains("hyper feature \"server\"");
    assert!(!server(&[]), "the default build compiles the mock's server");
    assert!(server(&["--features", "mock"]));
    // And hyper comes with reqwest already: the feature adds features, not crates.
    assert_eq!(tree(&["--features", "mock"]), tree(&[]));
}
