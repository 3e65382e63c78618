//! What depending on the crate costs a service: the crates of its default dependency tree are
//! locked in a snapshot, so that a feature (the CLI's, the testing kit's) or an upgrade that
//! changes what every user compiles shows up as a snapshot diff (`cargo insta review`).

use std::process::Command;

use edge_cache_tests::workspace_root;

/// The crates (`name vX.Y.Z`) of `cargo tree -e normal` for the client with `args`.
fn tree(args: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["tree", "--offline", "-p", "vercel-edge-cache", "-e", "normal", "--prefix", "none"])
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree fails: {}", String::from_utf8_lossy(&out.stderr));
    let mut crates: Vec<String> = String::from_utf8_lossy(&out.stdout)
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
fn the_testing_kit_is_off_by_default_and_compiles_in_no_crate_of_its_own() {
    let default = tree(&[]);
    let mock = tree(&["--features", "mock"]);
    // Its HTTP server (hyper's server half) comes from crates reqwest already brings.
    assert_eq!(mock, default);
    let cli = tree(&["--features", "cli"]);
    assert!(cli.iter().any(|c| c.starts_with("clap ")) && !default.iter().any(|c| c.starts_with("clap ")));
}
