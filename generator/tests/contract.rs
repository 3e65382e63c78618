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
        // progenitor's own code: it names nothing of the runtime but the credential its client
        // holds and the pre-hook that puts it on each request (`core.rs`'s settings).
        let mut named: Vec<String> = text
            .match_indices("crate::")
            .map(|(i, _)| text[i..].chars().take_while(|c| c.is_alphanumeric() || "_:".contains(*c)).collect())
            .collect();
        named.sort();
        named.dedup();
        assert_eq!(named, ["crate::contract::Credential", "crate::contract::authorize"], "{label}: {name}");
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

/// The runtime's folders, lowest first: a module may import its own folder's and lower ones'
/// (`generated`, the generated code, is not a layer: the contract says what the runtime reads
/// of it).
const LAYERS: [&str; 5] = ["types", "engine", "client", "mock", "contract"];

/// The modules the hand-written runtime's source names (`crate::a::b`, `crate::a::{b, c}`,
/// `super::b` in a folder), by module path (`engine/call`), each with the modules it names.
/// Comments and `#[cfg(test)]` modules (at the end of a file) are left out.
fn runtime_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let root = workspace().join("generated-client/src");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() && name != "generated" && name != "bin" {
                dirs.push(path);
            } else if name.ends_with(".rs") {
                let module = path.strip_prefix(&root).unwrap().with_extension("").to_string_lossy().replace('\\', "/");
                files.push((module.trim_end_matches("/mod").to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let modules: std::collections::BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let word = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut imports = std::collections::BTreeMap::new();
    for (module, text) in files {
        let code: String = text
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .map(|l| format!("{}\n", l.split(" // ").next().unwrap()))
            .collect();
        let mut named = std::collections::BTreeSet::new();
        let mut add = |first: &str, second: &str| {
            let nested = format!("{first}/{second}");
            named.insert(if modules.contains(&nested) { nested } else { first.to_string() });
        };
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let first = word(rest);
            let after = &rest[first.len()..];
            match after.strip_prefix("::") {
                Some(group) if group.starts_with('{') => {
                    for part in group[1..group.find('}').unwrap()].split(',') {
                        add(&first, &word(part.trim()));
                    }
                }
                Some(next) => add(&first, &word(next)),
                None => add(&first, ""),
            }
        }
        let folder = module.split('/').next().unwrap().to_string();
        for (i, _) in code.match_indices("super::") {
            add(&folder, &word(&code[i + "super::".len()..]));
        }
        named.remove(&module);
        imports.insert(module, named);
    }
    imports
}

#[test]
fn the_runtimes_layers_import_only_lower_ones_and_no_module_imports_itself_through_others() {
    let imports = runtime_imports();
    assert!(imports.contains_key("engine/call") && imports.contains_key("types/error"), "{imports:?}");
    // The reading of imports finds the ones there are: a parser that found none would pass below.
    for (module, imported) in
        [("engine/call", "engine/batch"), ("engine/call", "types/report"), ("client/purge", "engine/call")]
    {
        assert!(imports[module].contains(imported), "{module} imports {imported}, not found: {:?}", imports[module]);
    }
    let rank = |module: &str| LAYERS.iter().position(|l| module.split('/').next() == Some(*l));
    for (module, named) in &imports {
        let Some(own) = rank(module) else { continue };
        for other in named {
            if let Some(theirs) = rank(other) {
                assert!(
                    theirs <= own,
                    "{module} imports {other}: a {} module may not import a {} one",
                    LAYERS[own],
                    LAYERS[theirs]
                );
            }
        }
    }
    // No circle: every module's imports, followed, never lead back to it.
    for start in imports.keys() {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((module, trail)) = stack.pop() {
            for next in imports.get(&module).into_iter().flatten() {
                assert!(next != start, "a circle of imports: {} -> {start}", trail.join(" -> "));
                if seen.insert(next.clone()) {
                    stack.push((next.clone(), [trail.clone(), vec![next.clone()]].concat()));
                }
            }
        }
    }
}
