//! The crate's README (`generated-client/README.md`, its page on crates.io) examples, built the way
//! a user would: a fresh crate with exactly the README's dependency lines and its code, as `main.rs`
//! (the library example, built) and as `lib.rs` (the testing example, whose tests run). The one
//! edit: the crates.io requirement (`"0.1"`) becomes this repository's path.

use std::path::Path;

use edge_cache_tests::{fresh, workspace_root};

/// The first fenced block that starts with ```` ```lang ```` after `heading`.
fn block(readme: &str, heading: &str, lang: &str) -> String {
    let section = &readme[readme.find(heading).unwrap_or_else(|| panic!("README has {heading}"))..];
    let start = section.find(&format!("```{lang}")).unwrap_or_else(|| panic!("no ```{lang} block after {heading}"));
    let body = &section[start..];
    let body = &body[body.find('\n').expect("a fence line") + 1..];
    body[..body.find("```").expect("a closing fence")].to_string()
}

/// A fresh crate named `name` with the README section's dependency lines and its code as
/// `src/<file>`, made with `cargo <command>` ([`fresh::cargo`]): its output, or a failure.
fn fresh_crate(section: &str, name: &str, file: &str, command: &str) -> String {
    let readme = std::fs::read_to_string(workspace_root().join("generated-client/README.md")).unwrap();
    let deps = block(&readme, section, "toml");
    let code = block(&readme, section, "rust");
    // The one edit: this repository's crate instead of the published one.
    let client = fresh::client_path();
    let path = format!("path = {client}");
    let requirement = requirement();
    let deps = deps
        .replace(&format!("vercel-edge-cache = \"{requirement}\""), &format!("vercel-edge-cache = {{ {path} }}"))
        .replace(&format!("version = \"{requirement}\""), &path);
    assert!(deps.contains("[dependencies]") && deps.contains(&client), "{deps}");
    assert!(!deps.contains(&format!("\"{requirement}\"")), "a vercel-edge-cache line the test cannot read:\n{deps}");
    let what = format!("the README example \"{section}\"");
    let files = [(format!("src/{file}"), code)];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let krate = fresh::Crate { name, dependencies: &deps, files: &files };
    fresh::cargo(Path::new(env!("CARGO_TARGET_TMPDIR")), &krate, command, &what)
}

/// The requirement users write for the crate's version: `0.1` for 0.1.x, `1` for 1.x.
fn requirement() -> String {
    let manifest = std::fs::read_to_string(workspace_root().join("generated-client/Cargo.toml")).unwrap();
    let version = manifest.lines().find_map(|l| l.strip_prefix("version = \"")).expect("a version line");
    let parts: Vec<&str> = version.trim_end_matches('"').split('.').collect();
    if parts[0] == "0" { format!("0.{}", parts[1]) } else { parts[0].to_string() }
}

#[test]
fn the_readme_asks_for_the_crates_own_version() {
    let readme = std::fs::read_to_string(workspace_root().join("generated-client/README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().filter(|l| l.starts_with("vercel-edge-cache = ")).collect();
    assert!(lines.len() >= 3, "{lines:?}");
    for line in lines {
        assert!(
            line.contains(&format!("\"{}\"", requirement())),
            "generated-client/README.md asks for another version than generated-client/Cargo.toml's: {line} \
             (`cargo xtask release VERSION` updates both)"
        );
    }
}

#[test]
fn the_readme_example_builds_in_a_fresh_crate_with_only_the_readmes_lines() {
    fresh_crate("## Using the crate", "readme-example", "main.rs", "build");
}

#[test]
fn the_readmes_testing_example_passes_cargo_test_in_a_fresh_crate() {
    let out = fresh_crate("## Testing your code", "readme-testing-example", "lib.rs", "test");
    // Every test the example has ran, and passed.
    let readme = std::fs::read_to_string(workspace_root().join("generated-client/README.md")).unwrap();
    let tests = block(&readme, "## Testing your code", "rust").matches("#[tokio::test]").count();
    assert!(
        tests > 0 && out.contains(&format!("test result: ok. {tests} passed; 0 failed")),
        "the README's {tests} tests ran:\n{out}"
    );
}
