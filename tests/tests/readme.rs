//! The README's library example, built the way a user would: a fresh crate with exactly the
//! README's dependency lines and its code as `main.rs`.

use std::path::PathBuf;
use std::process::Command;

use edge_cache_tests::workspace_root;

/// The first fenced block that starts with ```` ```lang ```` after `heading`.
fn block(readme: &str, heading: &str, lang: &str) -> String {
    let section = &readme[readme.find(heading).unwrap_or_else(|| panic!("README has {heading}"))..];
    let start = section.find(&format!("```{lang}")).unwrap_or_else(|| panic!("no ```{lang} block after {heading}"));
    let body = &section[start..];
    let body = &body[body.find('\n').expect("a fence line") + 1..];
    body[..body.find("```").expect("a closing fence")].to_string()
}

#[test]
fn the_readme_example_builds_in_a_fresh_crate_with_only_the_readmes_lines() {
    let root = workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let deps = block(&readme, "## Using the crate", "toml");
    let code = block(&readme, "## Using the crate", "rust");
    // The one edit a user makes: where they keep this repository.
    let client = root.join("generated-client");
    let deps = deps.replace("path = \"generated-client\"", &format!("path = {:?}", client.display().to_string()));
    assert!(deps.contains("[dependencies]") && deps.contains(&client.display().to_string()), "{deps}");

    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let krate = tmp.join("readme-example");
    let _ = std::fs::remove_dir_all(&krate);
    std::fs::create_dir_all(krate.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"readme-example\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n{deps}"
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(krate.join("src/main.rs"), code).unwrap();
    // The workspace's lockfile, so that the build is offline and uses the tested versions.
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&krate)
        .args(["build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", tmp.join("readme-example-target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the README example does not build in a fresh crate:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
