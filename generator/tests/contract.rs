//! The generated code reaches the runtime only through `crate::contract` (see ARCHITECTURE.md,
//! "The contract between generated and hand-written code"): no other path of the runtime, no
//! field of a runtime type, no parameter by position. Checked on the checked-in files and on
//! what the fixture specs generate.

mod common;

use std::path::Path;

use common::{generate_ok, workspace};

/// Every `crate::<name>` path's first segment in `text`.
fn crate_paths(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(i, _)| text[i + "crate::".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect())
        .collect()
}

/// The ways generated code used to reach into the runtime.
const FORBIDDEN: [&str; 5] = ["params[", ".param(", "self.options.", "self.scope.", ".scope."];

fn check(label: &str, name: &str, text: &str) {
    if name == "api.rs" {
        // progenitor's own code: it names nothing of the runtime.
        assert!(crate_paths(text).is_empty(), "{label}: {name} names the crate: {:?}", crate_paths(text));
        return;
    }
    for path in crate_paths(text) {
        assert!(
            path == "contract" || path == "generated",
            "{label}: {name} names `crate::{path}`: the generated code may only go through `crate::contract`"
        );
    }
    for pattern in FORBIDDEN {
        assert!(!text.contains(pattern), "{label}: {name} reaches into the runtime with `{pattern}`");
    }
}

#[test]
fn the_checked_in_generated_files_reach_the_runtime_only_through_the_contract() {
    let dir = workspace().join("generated-client/src/generated");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") && path.file_name().is_some_and(|n| n != "cli.rs") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            check("the checked-in files", &name, &std::fs::read_to_string(&path).unwrap());
            seen += 1;
        }
    }
    assert_eq!(seen, 5, "mod.rs, api.rs, operations.rs, recorded.rs, spec.rs");
}

#[test]
fn what_the_fixture_specs_generate_reaches_the_runtime_only_through_the_contract() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for name in ["evolution/published-style.yaml", "features/limits.yaml", "features/auth.yaml"] {
        let text = std::fs::read_to_string(fixtures.join(name)).unwrap();
        for file in generate_ok(name, &text) {
            let file_name = file.path.file_name().unwrap().to_string_lossy().to_string();
            if file_name.ends_with(".rs") && file_name != "cli.rs" {
                check(name, &file_name, &file.contents);
            }
        }
    }
}
