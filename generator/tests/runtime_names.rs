//! The generator's lists of names the hand-written runtime already uses (so that a spec whose
//! operation, setter or scope parameter would take one is refused with a located error, not
//! left to fail in rustc) checked against the runtime's source: a method added to the runtime
//! and not to the list fails here.

mod common;

use std::collections::BTreeSet;

use common::workspace;
use generator::operations::{BUILDER_METHODS, CLIENT_METHODS, PURGE_METHODS};

/// Every method of every inherent `impl` of `type_name` in the runtime's source (not the
/// generated files, whose methods are what the lists guard against).
fn runtime_methods(type_name: &str) -> BTreeSet<String> {
    let src = workspace().join("generated-client/src");
    let mut methods = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for item in file.items {
            let syn::Item::Impl(block) = item else { continue };
            let syn::Type::Path(ty) = &*block.self_ty else { continue };
            if block.trait_.is_some() || ty.path.segments.last().is_none_or(|s| s.ident != type_name) {
                continue;
            }
            for item in block.items {
                if let syn::ImplItem::Fn(f) = item {
                    methods.insert(f.sig.ident.to_string());
                }
            }
        }
    }
    assert!(!methods.is_empty(), "no methods of {type_name} found in {}", src.display());
    methods
}

fn assert_listed(type_name: &str, list: &[&str]) {
    let missing: Vec<String> = runtime_methods(type_name).into_iter().filter(|m| !list.contains(&m.as_str())).collect();
    assert!(missing.is_empty(), "{type_name} methods missing from the generator's list: {missing:?}");
}

#[test]
fn every_runtime_method_of_the_client_is_reserved_from_operations() {
    assert_listed("EdgeCache", CLIENT_METHODS);
}

#[test]
fn every_runtime_method_of_a_call_is_reserved_from_setters() {
    assert_listed("Purge", PURGE_METHODS);
}

#[test]
fn every_runtime_method_of_the_builder_is_reserved_from_scope_parameters() {
    assert_listed("EdgeCacheBuilder", BUILDER_METHODS);
}
