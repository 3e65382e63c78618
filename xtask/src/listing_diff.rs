//! Two public API listings compared (see [`crate::listing`]): each line removed, added or changed,
//! classed as `generator::api_diff` classes spec changes.
//!
//! A removed line breaks callers that use it. An added line is additive, unless code that
//! compiles today stops compiling with it: a variant of an enum without `#[non_exhaustive]` (an
//! exhaustive `match`), a public field of a struct that can be built with a literal (all its
//! fields public, no `#[non_exhaustive]`), or a required item of a trait that is not sealed. A
//! line removed and one added for the same item is a changed signature: breaking.

use std::collections::{BTreeMap, BTreeSet};

use generator::api_diff::{Change, Class};

use crate::listing::lines_with;

/// The feature sets a listing holds, as `lines_with` reads them.
const FEATURES: &[Option<&str>] = &[None, Some("mock")];

/// The changes of the Rust API (default features and `mock`), without the `[cli]` lines.
pub fn rust(old: &str, new: &str) -> Vec<Change> {
    // A change seen with both feature sets is listed once; one seen with `mock` only says so.
    let mut found: BTreeMap<(Class, String), Vec<Option<&str>>> = BTreeMap::new();
    for feature in FEATURES {
        let (o, n) = (lines_with(old, *feature), lines_with(new, *feature));
        for (class, text) in compare(&o, &n) {
            found.entry((class, text)).or_default().push(*feature);
        }
    }
    let mut changes: Vec<Change> = found
        .into_iter()
        .map(|((class, text), features)| {
            let text = match features.as_slice() {
                [Some(f)] => format!("{text} (feature `{f}`)"),
                [None] => format!("{text} (without feature `mock`)"),
                _ => text,
            };
            Change { class, text }
        })
        .collect();
    changes.sort_by(|a, b| (a.class, &a.text).cmp(&(b.class, &b.text)));
    changes
}

/// The changes of the `[cli]` lines: a command or flag removed (or its values narrowed) is
/// breaking, one added additive.
pub fn cli(old: &str, new: &str) -> Vec<Change> {
    let lines = |text: &str| -> BTreeSet<String> {
        text.lines().filter_map(|l| l.strip_prefix("[cli] ")).map(str::to_string).collect()
    };
    let (o, n) = (lines(old), lines(new));
    let mut changes = Vec::new();
    for gone in o.difference(&n) {
        changes.push(Change { class: Class::Breaking, text: format!("CLI: removed `{gone}`") });
    }
    for added in n.difference(&o) {
        changes.push(Change { class: Class::Additive, text: format!("CLI: added `{added}`") });
    }
    changes
}

fn compare(old: &BTreeSet<&str>, new: &BTreeSet<&str>) -> Vec<(Class, String)> {
    let removed: Vec<&str> = old.difference(new).copied().collect();
    let added: Vec<&str> = new.difference(old).copied().collect();
    let mut out = Vec::new();
    let added_keys: BTreeMap<String, &str> = added.iter().map(|l| (key(l), *l)).collect();
    let removed_keys: BTreeSet<String> = removed.iter().map(|l| key(l)).collect();
    let mut paired = BTreeSet::new();
    let mut gone = Vec::new();
    for line in &removed {
        match added_keys.get(&key(line)) {
            Some(now) => {
                paired.insert(*now);
                let class = if strip_non_exhaustive(line) == *now { Class::Additive } else { Class::Breaking };
                out.push((class, format!("changed: `{line}` is now `{now}`")));
            }
            None => gone.push(*line),
        }
    }
    let (gone, gone_members) = fold(&gone);
    for line in gone {
        out.push((Class::Breaking, format!("removed `{line}`{}", members(&gone_members, line))));
    }
    let parents = Parents::of(new);
    let fresh: Vec<&str> =
        added.iter().copied().filter(|l| !paired.contains(l) && !removed_keys.contains(&key(l))).collect();
    let (fresh, fresh_members) = fold(&fresh);
    for line in fresh {
        let with = members(&fresh_members, line);
        out.push(match parents.breaks(line) {
            Some(why) => (Class::Breaking, format!("added `{line}`{with}: {why}")),
            None => (Class::Additive, format!("added `{line}`{with}")),
        });
    }
    out
}

/// The declarations among `lines` (modules, types, traits) with the lines that belong to them
/// (their members and impls, or a module's items) folded in: the kept lines, and how many were
/// folded into each declaration's path.
fn fold<'a>(lines: &[&'a str]) -> (Vec<&'a str>, BTreeMap<String, usize>) {
    let declared: BTreeSet<String> = lines.iter().filter_map(|l| declaration(l)).collect();
    let mut kept = Vec::new();
    let mut folded: BTreeMap<String, usize> = BTreeMap::new();
    for line in lines {
        let (path, own) = match declaration(line) {
            Some(path) => (path, false),
            None => match owner(line) {
                Some(path) => (path, true),
                None => {
                    kept.push(*line);
                    continue;
                }
            },
        };
        // The outermost declaration among the path's ancestors (and the owner itself).
        let mut top = None;
        let mut prefix = String::new();
        for (i, segment) in path.split("::").enumerate() {
            if i > 0 {
                prefix.push_str("::");
            }
            prefix.push_str(segment);
            let is_self = prefix == path;
            if declared.contains(&prefix) && (own || !is_self) {
                top = Some(prefix.clone());
                break;
            }
        }
        match top {
            Some(top) => *folded.entry(top).or_default() += 1,
            None => kept.push(*line),
        }
    }
    (kept, folded)
}

/// The path a module, type or trait line declares.
fn declaration(line: &str) -> Option<String> {
    let k = key(line);
    let (kind, path) = k.split_once(' ')?;
    let path = path.split('<').next().unwrap_or_default();
    matches!(kind, "mod" | "struct" | "enum" | "union" | "trait").then(|| path.to_string())
}

/// The type or trait a member or impl line belongs to, without generic arguments.
fn owner(line: &str) -> Option<String> {
    let l = strip_non_exhaustive(line);
    let path = if l.starts_with("impl") || l.starts_with("unsafe impl") {
        let (_, ty) = l.split_once(" for ")?;
        let ty = ty.trim_start_matches('&');
        member_path(ty)
    } else {
        let k = key(l);
        let (_, path) = k.split_once(' ')?;
        let mut depth = 0usize;
        let mut last = None;
        for (i, c) in path.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                ':' if depth == 0 && path[i..].starts_with("::") => last = Some(i),
                _ => {}
            }
        }
        path[..last?].to_string()
    };
    Some(path.split('<').next().unwrap_or_default().to_string())
}

/// ` (and its 12 members and impls)` for a declaration that had lines folded into it.
fn members(folded: &BTreeMap<String, usize>, line: &str) -> String {
    let Some(path) = declaration(line) else { return String::new() };
    match folded.get(&path) {
        None => String::new(),
        Some(n) if line.contains("pub mod ") => format!(" (and the {n} lines of its items)"),
        Some(n) => format!(" (and its {n} members and impls)"),
    }
}

fn strip_non_exhaustive(line: &str) -> &str {
    line.strip_prefix("#[non_exhaustive] ").unwrap_or(line)
}

/// What identifies an item across versions: its kind and path, without its signature.
fn key(line: &str) -> String {
    let line = strip_non_exhaustive(line);
    if line.starts_with("impl") || line.starts_with("unsafe impl") {
        return line.to_string();
    }
    let mut rest = line.strip_prefix("pub ").unwrap_or(line);
    while let Some((word, after)) = rest.split_once(' ') {
        let qualifier = matches!(word, "async" | "unsafe" | "mut")
            || (word == "const"
                && (after.starts_with("fn ") || after.starts_with("async ") || after.starts_with("unsafe ")));
        if !qualifier {
            break;
        }
        rest = after;
    }
    let (kind, rest) = match rest.split_once(' ') {
        Some((
            k @ ("mod" | "struct" | "enum" | "union" | "trait" | "type" | "const" | "static" | "use" | "macro" | "fn"),
            r,
        )) => (k, r),
        _ => ("member", rest),
    };
    format!("{kind} {}", member_path(rest))
}

/// The path of `a::B<'a, T>::c(…)` or `a::B::c: T`, up to its signature.
fn member_path(rest: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            '(' | ' ' | '{' | '=' if depth == 0 => break,
            ':' if depth == 0 && chars.get(i + 1) != Some(&':') && (i == 0 || chars[i - 1] != ':') => break,
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The structs, enums and traits of a listing, by path, with what makes an added member break.
struct Parents {
    /// Enums without `#[non_exhaustive]`.
    exhaustive_enums: BTreeSet<String>,
    /// Structs that a struct literal can build outside the crate.
    literal_structs: BTreeSet<String>,
    /// Traits that are not sealed.
    open_traits: BTreeSet<String>,
}

impl Parents {
    fn of(lines: &BTreeSet<&str>) -> Self {
        let mut p = Parents {
            exhaustive_enums: BTreeSet::new(),
            literal_structs: BTreeSet::new(),
            open_traits: BTreeSet::new(),
        };
        for line in lines {
            let exhaustive = !line.starts_with("#[non_exhaustive]");
            let rest = strip_non_exhaustive(line);
            let name = |r: &str| member_path(r).split('<').next().unwrap_or_default().to_string();
            if let Some(r) = rest.strip_prefix("pub enum ") {
                if exhaustive {
                    p.exhaustive_enums.insert(name(r));
                }
            } else if let Some(r) = rest.strip_prefix("pub struct ") {
                let tuple = r[member_path(r).len()..].starts_with('(');
                if exhaustive && !r.contains("/* private fields */") && !tuple {
                    p.literal_structs.insert(name(r));
                }
            } else if let Some(r) = rest.strip_prefix("pub trait ").or_else(|| rest.strip_prefix("pub unsafe trait "))
                && !r.ends_with("(sealed)")
            {
                p.open_traits.insert(name(r));
            }
        }
        p
    }

    /// Why an added line breaks code that compiles today, if it does.
    fn breaks(&self, line: &str) -> Option<String> {
        let rest = strip_non_exhaustive(line).strip_prefix("pub ")?;
        if rest.starts_with("fn ") || rest.starts_with("type ") || rest.starts_with("const ") {
            let path = member_path(rest.split_once(' ')?.1);
            let (parent, _) = path.rsplit_once("::")?;
            let provided = line.ends_with("(provided)");
            if self.open_traits.contains(parent) && !provided && !line.contains(" = ") {
                return Some(format!(
                    "a required item of the trait `{parent}`: its implementations outside the crate must add it"
                ));
            }
            return None;
        }
        let path = member_path(rest);
        let (parent, _) = path.rsplit_once("::")?;
        if self.exhaustive_enums.contains(parent) {
            return Some(format!(
                "a variant of `{parent}`, which is not `#[non_exhaustive]`: a `match` without a wildcard arm stops compiling"
            ));
        }
        if self.literal_structs.contains(parent) {
            return Some(format!("a field of `{parent}`, which struct literals build: they stop compiling without it"));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(old: &str, new: &str) -> Vec<(Class, String)> {
        rust(old, new).into_iter().map(|c| (c.class, c.text)).collect()
    }

    #[test]
    fn removed_items_break_and_new_ones_add() {
        let old = "pub struct a::S { /* private fields */ }\npub fn a::S::f(&self)\npub fn a::S::g(&self)\n";
        let new = "pub struct a::S { /* private fields */ }\npub fn a::S::f(&self)\npub fn a::S::h(&self)\n";
        assert_eq!(
            classes(old, new),
            [
                (Class::Breaking, "removed `pub fn a::S::g(&self)`".to_string()),
                (Class::Additive, "added `pub fn a::S::h(&self)`".to_string()),
            ]
        );
    }

    #[test]
    fn a_changed_signature_is_one_breaking_change() {
        let old = "pub fn a::S<'a, O>::f(self, v: u32) -> Self where O: a::Op\n";
        let new = "pub fn a::S<'a, O>::f(self, v: i64) -> Self where O: a::Op\n";
        let got = classes(old, new);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, Class::Breaking);
        assert!(got[0].1.starts_with("changed: `pub fn a::S<'a, O>::f(self, v: u32)"), "{got:?}");
    }

    #[test]
    fn a_variant_breaks_an_exhaustive_enum_only() {
        let old = "pub enum a::E\npub a::E::A\n#[non_exhaustive] pub enum a::N\npub a::N::A\n";
        let new = format!("{old}pub a::E::B\npub a::N::B\n");
        let got = classes(old, &new);
        assert_eq!(got[0].0, Class::Breaking);
        assert!(got[0].1.contains("a variant of `a::E`"), "{got:?}");
        assert_eq!(got[1], (Class::Additive, "added `pub a::N::B`".to_string()));
    }

    #[test]
    fn a_field_breaks_a_struct_literal_and_a_required_method_an_open_trait() {
        let old = "pub struct a::P\npub a::P::x: u32\n#[non_exhaustive] pub struct a::Q\npub trait a::T\npub trait a::Sealed: a::private::S (sealed)\n";
        let new = format!(
            "{old}pub a::P::y: u32\npub a::Q::y: u32\npub fn a::T::m(&self)\npub fn a::T::p(&self) (provided)\npub fn a::Sealed::m(&self)\n"
        );
        let got = classes(old, &new);
        let breaking: Vec<&String> = got.iter().filter(|(c, _)| *c == Class::Breaking).map(|(_, t)| t).collect();
        assert_eq!(breaking.len(), 2, "{got:?}");
        assert!(breaking[0].contains("a field of `a::P`"), "{breaking:?}");
        assert!(breaking[1].contains("a required item of the trait `a::T`"), "{breaking:?}");
    }

    #[test]
    fn a_removed_type_takes_its_members_and_impls_along() {
        let old = "pub struct a::S<'a>\npub a::S::x: u32\npub fn a::S<'a>::f(&self)\nimpl<'a> core::clone::Clone for a::S<'a>\npub mod a::m\npub struct a::m::T\npub fn a::m::T::g()\npub fn a::keep()\n";
        let got = classes(old, "pub fn a::keep()\n");
        assert_eq!(
            got,
            [
                (Class::Breaking, "removed `pub mod a::m` (and the 2 lines of its items)".to_string()),
                (Class::Breaking, "removed `pub struct a::S<'a>` (and its 3 members and impls)".to_string()),
            ]
        );
    }

    #[test]
    fn a_change_with_feature_mock_only_says_so() {
        let got = rust("pub mod a\n", "pub mod a\n[mock] pub mod a::mock\n");
        assert_eq!(got[0].text, "added `pub mod a::mock` (feature `mock`)");
        let cli = cli("[cli] edge-cache invalidate --srcimg <SOURCE IMAGE>...\n", "");
        assert_eq!(cli[0].class, Class::Breaking);
        assert_eq!(cli[0].text, "CLI: removed `edge-cache invalidate --srcimg <SOURCE IMAGE>...`");
    }
}
