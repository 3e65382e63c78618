//! The runtime's reserved names (`generated-client/src/types/reserved.rs`, which the generator
//! includes as `generator::names::reserved`) checked against the runtime's source in both
//! directions: a method, item or field the runtime adds and the list lacks fails here, and so
//! does one the list keeps after the runtime dropped it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::workspace;
use generator::names::reserved::{
    BUILDER_METHODS, CLIENT_METHODS, OPERATIONS_ITEMS, PURGE_METHODS, RECORDED_FIELDS, ROOT_ITEMS, SCOPE_METHODS,
};

/// Every hand-written source file of the runtime (not the generated ones, whose names are what
/// the lists guard against, nor the CLI's).
fn runtime_files() -> Vec<syn::File> {
    let mut files = Vec::new();
    let mut dirs = vec![workspace().join("generated-client/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if path.is_dir() {
                if name != "generated" && name != "bin" {
                    dirs.push(path);
                }
            } else if name.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                files.push(syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
            }
        }
    }
    files
}

/// The methods a `#[derive]` gives.
fn derived(attrs: &[syn::Attribute]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = a.parse_nested_meta(|meta| {
            let name = meta.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            out.extend(match name.as_str() {
                "Clone" => &["clone", "clone_from"][..],
                "Debug" => &["fmt"][..],
                "Default" => &["default"][..],
                "PartialEq" => &["eq", "ne"][..],
                "Hash" => &["hash", "hash_slice"][..],
                _ => &[][..],
            });
            Ok(())
        });
    }
    out
}

/// Every method of `type_name` in the runtime: inherent, of the traits it implements by hand,
/// and of those it derives.
fn methods(type_name: &str) -> BTreeSet<String> {
    let mut methods = BTreeSet::new();
    let is = |ty: &syn::Type| matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == type_name));
    for file in runtime_files() {
        let mut items: Vec<syn::Item> = file.items;
        while let Some(item) = items.pop() {
            match item {
                syn::Item::Mod(m) => items.extend(m.content.map(|(_, i)| i).unwrap_or_default()),
                syn::Item::Impl(block) if is(&block.self_ty) => {
                    for item in block.items {
                        if let syn::ImplItem::Fn(f) = item {
                            methods.insert(f.sig.ident.to_string());
                        }
                    }
                }
                syn::Item::Struct(s) if s.ident == type_name => {
                    methods.extend(derived(&s.attrs).into_iter().map(String::from));
                }
                _ => {}
            }
        }
    }
    assert!(!methods.is_empty(), "no methods of {type_name} found");
    methods
}

fn assert_same(what: &str, runtime: BTreeSet<String>, list: &[&str]) {
    let list: BTreeSet<String> = list.iter().map(|s| s.to_string()).collect();
    let added: Vec<&String> = runtime.difference(&list).collect();
    let dropped: Vec<&String> = list.difference(&runtime).collect();
    assert!(
        added.is_empty() && dropped.is_empty(),
        "reserved.rs and the runtime disagree on {what}: the runtime has {added:?} that the list lacks, \
         and the list has {dropped:?} that the runtime does not"
    );
}

#[test]
fn the_methods_of_the_client_the_call_the_builder_and_the_scope_are_reserved_both_ways() {
    assert_same("EdgeCache's methods", methods("EdgeCache"), CLIENT_METHODS);
    assert_same("Purge's methods", methods("Purge"), PURGE_METHODS);
    assert_same("EdgeCacheBuilder's methods", methods("EdgeCacheBuilder"), BUILDER_METHODS);
    assert_same("Scope's methods", methods("Scope"), SCOPE_METHODS);
}

/// The names a `use` tree brings (its last segments, or renames); globs are left out.
fn use_names(tree: &syn::UseTree, out: &mut BTreeSet<String>) {
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, out),
        syn::UseTree::Name(n) => {
            out.insert(n.ident.to_string());
        }
        syn::UseTree::Rename(r) => {
            out.insert(r.rename.to_string());
        }
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// The public names `items` declare or re-export (`pub use`, `pub mod`, `pub type`).
fn public_names(items: &[syn::Item]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in items {
        match item {
            syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => use_names(&u.tree, &mut names),
            syn::Item::Mod(m) if matches!(m.vis, syn::Visibility::Public(_)) => {
                names.insert(m.ident.to_string());
            }
            syn::Item::Type(t) if matches!(t.vis, syn::Visibility::Public(_)) => {
                names.insert(t.ident.to_string());
            }
            _ => {}
        }
    }
    names
}

#[test]
fn the_crate_roots_items_and_the_operations_modules_are_reserved_both_ways() {
    let lib = std::fs::read_to_string(workspace().join("generated-client/src/lib.rs")).unwrap();
    let lib = syn::parse_file(&lib).unwrap();
    // The root's items, and `DynPurge`'s type parameter beside it.
    let mut root = public_names(&lib.items);
    for file in runtime_files() {
        for item in &file.items {
            if let syn::Item::Enum(e) = item
                && e.ident == "AnyOperation"
            {
                root.insert(e.ident.to_string());
            }
        }
    }
    assert_same("the crate root's items", root, ROOT_ITEMS);
    let operations = lib.items.iter().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "operations" => m.content.as_ref().map(|(_, items)| items.clone()),
        _ => None,
    });
    let operations = public_names(&operations.expect("lib.rs declares `pub mod operations { .. }`"));
    assert_same("the operations module's runtime items", operations, OPERATIONS_ITEMS);
}

#[test]
fn the_recorded_purges_own_fields_are_reserved_both_ways() {
    let path = Path::new(&workspace()).join("generated-client/src/generated/recorded.rs");
    let file = syn::parse_file(&std::fs::read_to_string(path).unwrap()).unwrap();
    let fields = file.items.iter().find_map(|i| match i {
        syn::Item::Struct(s) if s.ident == "RecordedPurge" => Some(s.fields.clone()),
        _ => None,
    });
    // The spec's fields carry their wire name (`#[serde(rename)]`); the others are the kit's.
    let own: BTreeSet<String> = fields
        .expect("recorded.rs declares RecordedPurge")
        .iter()
        .filter(|f| !f.attrs.iter().any(|a| a.path().is_ident("serde")))
        .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
        .collect();
    assert_same("RecordedPurge's own fields", own, RECORDED_FIELDS);
}
