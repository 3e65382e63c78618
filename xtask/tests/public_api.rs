//! The public API of `vercel-edge-cache`, locked: `cargo xtask api-listing` (rustdoc JSON, default
//! features and `mock`, then the CLI's flags) against the checked-in snapshot
//! `xtask/tests/snapshots/public_api__listing.snap`. A change to the crate's API fails here first,
//! and `cargo insta review` shows it line by line.

use std::path::{Path, PathBuf};
use std::process::Command;

const REFRESH: &str = "The public API of vercel-edge-cache changed. Review it with `cargo insta review` \
(or accept it with `INSTA_UPDATE=always cargo test -p xtask --test public_api`); `cargo xtask api-diff` says \
what it changes for users, and `cargo xtask release-check` whether the version or CHANGELOG.md must follow.";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

#[test]
fn the_checked_in_public_api_listing_is_current() {
    let out =
        Command::new(env!("CARGO_BIN_EXE_xtask")).arg("api-listing").current_dir(root()).output().expect("xtask runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo xtask api-listing failed:\n{stderr}");
    let listing = String::from_utf8(out.stdout).expect("the listing is UTF-8");
    // Deterministic: nothing of this machine or build in it.
    let here = root().display().to_string();
    assert!(!listing.contains(&here) && !listing.contains("/home/") && !listing.contains(".rustup"), "{listing}");
    assert!(listing.lines().any(|l| l.starts_with("pub fn vercel_edge_cache::EdgeCache::")), "{listing}");
    assert!(
        listing.lines().any(|l| l.starts_with("[mock] pub struct vercel_edge_cache::mock::MockVercel")),
        "{listing}"
    );
    assert!(listing.lines().any(|l| l.starts_with("[cli] edge-cache invalidate --tag ")), "{listing}");
    let snapshot = root().join("xtask/tests/snapshots/public_api__listing.snap");
    let recorded = std::fs::read_to_string(&snapshot).unwrap_or_default();
    if recorded.split("---\n").nth(2) != Some(listing.as_str()) {
        eprintln!("{REFRESH}");
    }
    insta::with_settings!({ description => REFRESH, omit_expression => true }, {
        insta::assert_snapshot!("listing", listing);
    });
}
