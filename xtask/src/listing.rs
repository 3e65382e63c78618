//! The crate's public API as text, one item per line, from rustdoc's JSON output.
//!
//! Every public path (a re-exported item is listed at each path users can name it by), with its
//! signature; every public field and variant; every trait impl that is not a blanket impl, and the
//! auto traits `Send`, `Sync` and `Unpin` (losing one breaks callers that hold a value across an
//! `.await` or share it between threads). Members (fields, variants, methods, impls) are listed
//! once, under the item's shortest path. `#[doc(hidden)]` items are not listed: rustdoc leaves
//! them out, as cargo-semver-checks does.
//!
//! Types are written with their defining paths (`alloc::string::String`,
//! `core::option::Option<T>`), and local types with their public path, so a line never depends on
//! where an item is defined privately. The output holds no absolute path and no crate hash: the
//! same crate gives the same bytes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rustdoc_types::{
    Attribute, Crate, GenericArg, GenericArgs, GenericBound, GenericParamDef, GenericParamDefKind, Generics, Id, Impl,
    Item, ItemEnum, Path, StructKind, Term, TraitBoundModifier, Type, VariantKind, Visibility, WherePredicate,
};

/// The rustdoc JSON format this module reads (`rustdoc_types::FORMAT_VERSION`).
pub const FORMAT_VERSION: u32 = rustdoc_types::FORMAT_VERSION;

/// The auto traits whose impls are listed.
const AUTO_TRAITS: &[&str] = &["Send", "Sync", "Unpin"];

/// One line of the listing, with the key it is sorted by (the owner's path first, so that an
/// item, its members and its impls stand together).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line {
    /// The sort key.
    pub key: String,
    /// The text.
    pub text: String,
}

/// The listing of a crate's rustdoc JSON, sorted, without duplicates.
pub fn render(krate: &Crate) -> Result<Vec<Line>, String> {
    if krate.format_version != FORMAT_VERSION {
        return Err(format!(
            "rustdoc wrote JSON format {}, and xtask reads format {FORMAT_VERSION}: pin the rustdoc-types release \
             that reads format {} in xtask/Cargo.toml (rustdoc-types 0.N reads format N)",
            krate.format_version, krate.format_version
        ));
    }
    let walk = Walk::new(krate)?;
    let mut lines = BTreeSet::new();
    for (id, paths) in &walk.paths {
        for (i, path) in paths.iter().enumerate() {
            walk.item(*id, path, i == 0, &mut lines);
        }
    }
    // Re-exports of foreign items that rustdoc did not inline.
    for (at, source) in &walk.foreign {
        let text = format!("pub use {at} = {source}");
        lines.insert(Line { key: format!("{at}\u{0}0\u{0}{text}"), text });
    }
    Ok(lines.into_iter().collect())
}

struct Walk<'a> {
    krate: &'a Crate,
    /// Every public path of each local item: the first is where its members are listed (the
    /// shortest path where it is a module's own item, else the shortest re-export), so that the
    /// choice does not depend on which features add re-exports.
    paths: BTreeMap<Id, Vec<String>>,
    /// The paths at which an item is a module's own item (not a `pub use`).
    direct: BTreeSet<(Id, String)>,
    /// Re-exports of items rustdoc did not inline: path → what it names.
    foreign: Vec<(String, String)>,
}

impl<'a> Walk<'a> {
    fn new(krate: &'a Crate) -> Result<Self, String> {
        let root = krate.index.get(&krate.root).ok_or("the rustdoc JSON has no root module")?;
        let name = root.name.clone().unwrap_or_default();
        let mut walk = Walk { krate, paths: BTreeMap::new(), direct: BTreeSet::new(), foreign: Vec::new() };
        let mut seen_modules = BTreeSet::new();
        let mut queue = VecDeque::from([(krate.root, name)]);
        // Breadth first: a module's items get their shortest path first.
        while let Some((module, path)) = queue.pop_front() {
            walk.add(module, &path);
            if !seen_modules.insert(module) {
                continue;
            }
            let mut children = Vec::new();
            walk.children(module, &path, &mut children, &mut BTreeSet::new());
            children.sort_by(|a, b| a.1.cmp(&b.1));
            for (id, child_path, direct) in children {
                if direct {
                    walk.direct.insert((id, child_path.clone()));
                }
                match krate.index.get(&id).map(|i| &i.inner) {
                    Some(ItemEnum::Module(_)) => queue.push_back((id, child_path)),
                    Some(_) => walk.add(id, &child_path),
                    None => {}
                }
            }
        }
        let direct = std::mem::take(&mut walk.direct);
        for (id, paths) in walk.paths.iter_mut() {
            paths.sort_by_key(|p| (!direct.contains(&(*id, p.clone())), p.matches("::").count(), p.clone()));
            paths.dedup();
        }
        Ok(walk)
    }

    fn add(&mut self, id: Id, path: &str) {
        self.paths.entry(id).or_default().push(path.to_string());
    }

    /// The public items a module holds (its own, re-exported, and those of glob re-exports), with
    /// the path each has there.
    fn children(&mut self, module: Id, path: &str, out: &mut Vec<(Id, String, bool)>, globbed: &mut BTreeSet<Id>) {
        let items = match self.krate.index.get(&module).map(|i| &i.inner) {
            Some(ItemEnum::Module(m)) => m.items.clone(),
            Some(ItemEnum::Enum(e)) => e.variants.clone(),
            _ => return,
        };
        for id in items {
            let Some(item) = self.krate.index.get(&id) else { continue };
            if !matches!(item.visibility, Visibility::Public) && !matches!(item.inner, ItemEnum::Variant(_)) {
                continue;
            }
            match &item.inner {
                ItemEnum::Use(u) if u.is_glob => {
                    if let Some(target) = u.id
                        && globbed.insert(target)
                    {
                        let mut globbed_items = Vec::new();
                        self.children(target, path, &mut globbed_items, globbed);
                        out.extend(globbed_items.into_iter().map(|(id, p, _)| (id, p, false)));
                    }
                }
                ItemEnum::Use(u) => {
                    let child = format!("{path}::{}", u.name);
                    match u.id.filter(|t| self.krate.index.contains_key(t)) {
                        Some(target) => out.push((target, child, false)),
                        None => {
                            let source = u.id.and_then(|t| self.krate.paths.get(&t)).map(|s| s.path.join("::"));
                            self.foreign.push((child, source.unwrap_or_else(|| u.source.clone())));
                        }
                    }
                }
                ItemEnum::Impl(_) | ItemEnum::Primitive(_) | ItemEnum::ExternCrate { .. } => {}
                _ => {
                    if let Some(name) = &item.name {
                        out.push((id, format!("{path}::{name}"), true));
                    }
                }
            }
        }
    }

    /// The path a type is written with: its public path when it is local and public, else its
    /// defining path.
    fn path_of(&self, p: &Path) -> String {
        if let Some(paths) = self.paths.get(&p.id) {
            return paths[0].clone();
        }
        match self.krate.paths.get(&p.id) {
            Some(summary) => summary.path.join("::"),
            None => p.path.clone(),
        }
    }

    fn item(&self, id: Id, path: &str, canonical: bool, out: &mut BTreeSet<Line>) {
        let Some(item) = self.krate.index.get(&id) else { return };
        let push = |out: &mut BTreeSet<Line>, rank: u8, text: String| {
            out.insert(Line { key: format!("{path}\u{0}{rank}\u{0}{text}"), text });
        };
        let attrs = attrs(item);
        match &item.inner {
            ItemEnum::Module(_) => push(out, 0, format!("pub mod {path}")),
            ItemEnum::Struct(s) => {
                let generics = self.generics(&s.generics);
                let shape = match &s.kind {
                    StructKind::Unit => String::new(),
                    StructKind::Tuple(fields) => format!("({})", self.tuple_fields(fields)),
                    StructKind::Plain { has_stripped_fields: true, .. } => " { /* private fields */ }".into(),
                    StructKind::Plain { .. } => String::new(),
                };
                push(
                    out,
                    0,
                    format!("{attrs}pub struct {path}{generics}{shape}{}", self.where_clause(&s.generics, &[])),
                );
                if canonical {
                    if let StructKind::Plain { fields, .. } = &s.kind {
                        for field in fields {
                            self.field(*field, path, out);
                        }
                    }
                    self.impls(&s.impls, Some(id), path, out);
                }
            }
            ItemEnum::Union(u) => {
                push(out, 0, format!("{attrs}pub union {path}{}", self.generics(&u.generics)));
                if canonical {
                    for field in &u.fields {
                        self.field(*field, path, out);
                    }
                    self.impls(&u.impls, Some(id), path, out);
                }
            }
            ItemEnum::Enum(e) => {
                let generics = self.generics(&e.generics);
                push(out, 0, format!("{attrs}pub enum {path}{generics}{}", self.where_clause(&e.generics, &[])));
                if canonical {
                    for variant in &e.variants {
                        self.variant(*variant, path, out);
                    }
                    self.impls(&e.impls, Some(id), path, out);
                }
            }
            ItemEnum::Trait(t) => {
                let unsafety = if t.is_unsafe { "unsafe " } else { "" };
                let bounds = self.bounds(&t.bounds);
                let supertraits = if bounds.is_empty() { String::new() } else { format!(": {bounds}") };
                let sealed = if self.is_sealed(t) { " (sealed)" } else { "" };
                push(
                    out,
                    0,
                    format!(
                        "{attrs}pub {unsafety}trait {path}{}{supertraits}{}{sealed}",
                        self.generics(&t.generics),
                        self.where_clause(&t.generics, &[])
                    ),
                );
                if canonical {
                    for member in &t.items {
                        self.trait_item(*member, path, out);
                    }
                    // Impls of the trait for types listed elsewhere are listed with those types;
                    // here, those for foreign types.
                    let foreign: Vec<Id> = t
                        .implementations
                        .iter()
                        .copied()
                        .filter(|i| match self.krate.index.get(i).map(|i| &i.inner) {
                            Some(ItemEnum::Impl(imp)) => !self.is_listed_type(&imp.for_),
                            _ => false,
                        })
                        .collect();
                    self.impls(&foreign, None, path, out);
                }
            }
            ItemEnum::Function(f) => {
                push(out, 1, self.function(&attrs, path, f, &[]));
            }
            ItemEnum::TypeAlias(t) => {
                push(out, 0, format!("{attrs}pub type {path}{} = {}", self.generics(&t.generics), self.ty(&t.type_)));
            }
            ItemEnum::Constant { type_, .. } => push(out, 0, format!("pub const {path}: {}", self.ty(type_))),
            ItemEnum::Static(s) => {
                let mutability = if s.is_mutable { "mut " } else { "" };
                push(out, 0, format!("pub static {mutability}{path}: {}", self.ty(&s.type_)));
            }
            ItemEnum::Macro(_) => push(out, 0, format!("pub macro {path}!")),
            ItemEnum::ProcMacro(_) => push(out, 0, format!("pub proc-macro {path}")),
            ItemEnum::TraitAlias(_) => push(out, 0, format!("pub trait-alias {path}")),
            ItemEnum::ExternType => push(out, 0, format!("pub extern-type {path}")),
            _ => {}
        }
    }

    fn field(&self, id: Id, owner: &str, out: &mut BTreeSet<Line>) {
        let Some(item) = self.krate.index.get(&id) else { return };
        if let (ItemEnum::StructField(ty), Some(name)) = (&item.inner, &item.name) {
            let text = format!("pub {owner}::{name}: {}", self.ty(ty));
            out.insert(Line { key: format!("{owner}\u{0}1\u{0}{text}"), text });
        }
    }

    fn tuple_fields(&self, fields: &[Option<Id>]) -> String {
        fields
            .iter()
            .map(|f| match f.and_then(|f| self.krate.index.get(&f)) {
                Some(Item { inner: ItemEnum::StructField(ty), visibility, .. }) => {
                    let vis = if matches!(visibility, Visibility::Public) { "pub " } else { "" };
                    format!("{vis}{}", self.ty(ty))
                }
                _ => "_".to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn variant(&self, id: Id, owner: &str, out: &mut BTreeSet<Line>) {
        let Some(item) = self.krate.index.get(&id) else { return };
        let (ItemEnum::Variant(v), Some(name)) = (&item.inner, &item.name) else { return };
        let shape = match &v.kind {
            VariantKind::Plain => String::new(),
            VariantKind::Tuple(fields) => {
                let types: Vec<String> = fields
                    .iter()
                    .map(|f| match f.and_then(|f| self.krate.index.get(&f)) {
                        Some(Item { inner: ItemEnum::StructField(ty), .. }) => self.ty(ty),
                        _ => "_".into(),
                    })
                    .collect();
                format!("({})", types.join(", "))
            }
            VariantKind::Struct { fields, has_stripped_fields } => {
                let mut named: Vec<String> = fields
                    .iter()
                    .filter_map(|f| match self.krate.index.get(f) {
                        Some(Item { inner: ItemEnum::StructField(ty), name: Some(n), .. }) => {
                            Some(format!("{n}: {}", self.ty(ty)))
                        }
                        _ => None,
                    })
                    .collect();
                if *has_stripped_fields {
                    named.push("..".into());
                }
                format!(" {{ {} }}", named.join(", "))
            }
        };
        let discriminant = v.discriminant.as_ref().map(|d| format!(" = {}", d.value)).unwrap_or_default();
        let text = format!("{}pub {owner}::{name}{shape}{discriminant}", attrs(item));
        out.insert(Line { key: format!("{owner}\u{0}1\u{0}{text}"), text });
    }

    fn trait_item(&self, id: Id, owner: &str, out: &mut BTreeSet<Line>) {
        let Some(item) = self.krate.index.get(&id) else { return };
        let Some(name) = &item.name else { return };
        let path = format!("{owner}::{name}");
        let text = match &item.inner {
            ItemEnum::Function(f) => {
                let provided = if f.has_body { " (provided)" } else { "" };
                format!("{}{provided}", self.function(&attrs(item), &path, f, &[]))
            }
            ItemEnum::AssocType { generics, bounds, type_ } => {
                let bounds = self.bounds(bounds);
                let bounds = if bounds.is_empty() { String::new() } else { format!(": {bounds}") };
                let default = type_.as_ref().map(|t| format!(" = {}", self.ty(t))).unwrap_or_default();
                format!("pub type {path}{}{bounds}{default}", self.generics(generics))
            }
            ItemEnum::AssocConst { type_, value } => {
                let provided = if value.is_some() { " (provided)" } else { "" };
                format!("pub const {path}: {}{provided}", self.ty(type_))
            }
            _ => return,
        };
        out.insert(Line { key: format!("{owner}\u{0}1\u{0}{text}"), text });
    }

    /// The impls `ids` of the type `of` (rustdoc also gives a type the impls that only name it,
    /// such as `impl From<It> for Other`: those are listed with `Other`).
    fn impls(&self, ids: &[Id], of: Option<Id>, owner: &str, out: &mut BTreeSet<Line>) {
        for id in ids {
            let Some(Item { inner: ItemEnum::Impl(imp), .. }) = self.krate.index.get(id) else { continue };
            if imp.blanket_impl.is_some() {
                continue;
            }
            if of.is_some() && of != self_id(&imp.for_) {
                continue;
            }
            // A derive's marker for `PartialEq`, unstable and never named by users.
            if imp.trait_.as_ref().is_some_and(|t| self.path_of(t) == "core::marker::StructuralPartialEq") {
                continue;
            }
            match &imp.trait_ {
                None => self.inherent(imp, owner, out),
                Some(tr) => {
                    if imp.is_synthetic && !AUTO_TRAITS.contains(&tr.path.rsplit("::").next().unwrap_or_default()) {
                        continue;
                    }
                    let header = self.impl_header(imp, tr);
                    out.insert(Line { key: format!("{owner}\u{0}2\u{0}{header}"), text: header.clone() });
                    for member in &imp.items {
                        let Some(item) = self.krate.index.get(member) else { continue };
                        let text = match (&item.inner, &item.name) {
                            (ItemEnum::AssocType { type_: Some(t), generics, .. }, Some(n)) => {
                                format!("{header}: type {n}{} = {}", self.generics(generics), self.ty(t))
                            }
                            (ItemEnum::AssocConst { type_, .. }, Some(n)) => {
                                format!("{header}: const {n}: {}", self.ty(type_))
                            }
                            _ => continue,
                        };
                        out.insert(Line { key: format!("{owner}\u{0}2\u{0}{text}"), text });
                    }
                }
            }
        }
    }

    fn impl_header(&self, imp: &Impl, tr: &Path) -> String {
        let unsafety = if imp.is_unsafe { "unsafe " } else { "" };
        let negative = if imp.is_negative { "!" } else { "" };
        format!(
            "{unsafety}impl{} {negative}{} for {}{}",
            self.generics(&imp.generics),
            self.path(tr),
            self.ty(&imp.for_),
            self.where_clause(&imp.generics, &[])
        )
    }

    fn inherent(&self, imp: &Impl, owner: &str, out: &mut BTreeSet<Line>) {
        let self_ty = self.ty(&imp.for_);
        for member in &imp.items {
            let Some(item) = self.krate.index.get(member) else { continue };
            if !matches!(item.visibility, Visibility::Public) {
                continue;
            }
            let Some(name) = &item.name else { continue };
            let path = format!("{self_ty}::{name}");
            let text = match &item.inner {
                ItemEnum::Function(f) => self.function(&attrs(item), &path, f, &imp.generics.params),
                ItemEnum::AssocConst { type_, .. } => format!("pub const {path}: {}", self.ty(type_)),
                ItemEnum::AssocType { type_: Some(t), .. } => format!("pub type {path} = {}", self.ty(t)),
                _ => continue,
            };
            // The impl's own bounds belong to the method: it exists only where they hold.
            let text = match self.where_clause(&imp.generics, &[]) {
                w if w.is_empty() || text.contains(" where ") => text,
                w => format!("{text}{w}"),
            };
            out.insert(Line { key: format!("{owner}\u{0}1\u{0}{text}"), text });
        }
    }

    fn function(&self, attrs: &str, path: &str, f: &rustdoc_types::Function, outer: &[GenericParamDef]) -> String {
        let h = &f.header;
        let mut quals = String::new();
        for (on, word) in [(h.is_const, "const "), (h.is_async, "async "), (h.is_unsafe, "unsafe ")] {
            if on {
                quals.push_str(word);
            }
        }
        let inputs: Vec<String> = f.sig.inputs.iter().map(|(name, ty)| self.input(name, ty)).collect();
        let output = f.sig.output.as_ref().map(|t| format!(" -> {}", self.ty(t))).unwrap_or_default();
        let variadic = if f.sig.is_c_variadic { ", ..." } else { "" };
        format!(
            "{attrs}pub {quals}fn {path}{}({}{variadic}){output}{}",
            self.generics(&f.generics),
            inputs.join(", "),
            self.where_clause(&f.generics, outer)
        )
    }

    fn input(&self, name: &str, ty: &Type) -> String {
        if name == "self" {
            match ty {
                Type::Generic(s) if s == "Self" => return "self".into(),
                Type::BorrowedRef { lifetime, is_mutable, type_ } if matches!(&**type_, Type::Generic(s) if s == "Self") =>
                {
                    let lt = lifetime.as_ref().map(|l| format!("{l} ")).unwrap_or_default();
                    let m = if *is_mutable { "mut " } else { "" };
                    return format!("&{lt}{m}self");
                }
                _ => return format!("self: {}", self.ty(ty)),
            }
        }
        format!("{name}: {}", self.ty(ty))
    }

    /// `<'a, T: Bound, const N: usize>`, without the parameters of `impl Trait` arguments.
    fn generics(&self, g: &Generics) -> String {
        let params: Vec<String> = g.params.iter().filter_map(|p| self.param(p)).collect();
        if params.is_empty() { String::new() } else { format!("<{}>", params.join(", ")) }
    }

    fn param(&self, p: &GenericParamDef) -> Option<String> {
        Some(match &p.kind {
            GenericParamDefKind::Lifetime { outlives } if outlives.is_empty() => p.name.clone(),
            GenericParamDefKind::Lifetime { outlives } => format!("{}: {}", p.name, outlives.join(" + ")),
            GenericParamDefKind::Type { is_synthetic: true, .. } => return None,
            GenericParamDefKind::Type { bounds, default, .. } => {
                let mut s = p.name.clone();
                let b = self.bounds(bounds);
                if !b.is_empty() {
                    s.push_str(&format!(": {b}"));
                }
                if let Some(d) = default {
                    s.push_str(&format!(" = {}", self.ty(d)));
                }
                s
            }
            GenericParamDefKind::Const { type_, default } => {
                let d = default.as_ref().map(|d| format!(" = {d}")).unwrap_or_default();
                format!("const {}: {}{d}", p.name, self.ty(type_))
            }
        })
    }

    /// ` where A: B, …` of `g`, after the bounds of `outer` (an impl's parameters) that `g` lacks.
    fn where_clause(&self, g: &Generics, outer: &[GenericParamDef]) -> String {
        let mut preds: Vec<String> = outer
            .iter()
            .filter_map(|p| match &p.kind {
                GenericParamDefKind::Type { bounds, is_synthetic: false, .. } if !bounds.is_empty() => {
                    Some(format!("{}: {}", p.name, self.bounds(bounds)))
                }
                _ => None,
            })
            .collect();
        for w in &g.where_predicates {
            preds.push(match w {
                WherePredicate::BoundPredicate { type_, bounds, generic_params } => {
                    format!("{}{}: {}", self.hrtb(generic_params), self.ty(type_), self.bounds(bounds))
                }
                WherePredicate::LifetimePredicate { lifetime, outlives } => {
                    format!("{lifetime}: {}", outlives.join(" + "))
                }
                WherePredicate::EqPredicate { lhs, rhs } => format!("{} == {}", self.ty(lhs), self.term(rhs)),
            });
        }
        if preds.is_empty() { String::new() } else { format!(" where {}", preds.join(", ")) }
    }

    fn hrtb(&self, params: &[GenericParamDef]) -> String {
        if params.is_empty() {
            return String::new();
        }
        let names: Vec<String> = params.iter().filter_map(|p| self.param(p)).collect();
        format!("for<{}> ", names.join(", "))
    }

    fn bounds(&self, bounds: &[GenericBound]) -> String {
        bounds
            .iter()
            .map(|b| match b {
                GenericBound::TraitBound { trait_, generic_params, modifier } => {
                    let m = match modifier {
                        TraitBoundModifier::None => "",
                        TraitBoundModifier::Maybe => "?",
                        TraitBoundModifier::MaybeConst => "~const ",
                    };
                    format!("{}{m}{}", self.hrtb(generic_params), self.path(trait_))
                }
                GenericBound::Outlives(l) => l.clone(),
                GenericBound::Use(args) => {
                    let args: Vec<String> = args
                        .iter()
                        .map(|a| match a {
                            rustdoc_types::PreciseCapturingArg::Lifetime(l) => l.clone(),
                            rustdoc_types::PreciseCapturingArg::Param(p) => p.clone(),
                        })
                        .collect();
                    format!("use<{}>", args.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }

    fn path(&self, p: &Path) -> String {
        format!("{}{}", self.path_of(p), p.args.as_deref().map(|a| self.args(a)).unwrap_or_default())
    }

    fn args(&self, a: &GenericArgs) -> String {
        match a {
            GenericArgs::AngleBracketed { args, constraints } => {
                let mut all: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        GenericArg::Lifetime(l) => l.clone(),
                        GenericArg::Type(t) => self.ty(t),
                        GenericArg::Const(c) => c.expr.clone(),
                        GenericArg::Infer => "_".into(),
                    })
                    .collect();
                for c in constraints {
                    let args = c.args.as_deref().map(|a| self.args(a)).unwrap_or_default();
                    all.push(match &c.binding {
                        rustdoc_types::AssocItemConstraintKind::Equality(t) => {
                            format!("{}{args} = {}", c.name, self.term(t))
                        }
                        rustdoc_types::AssocItemConstraintKind::Constraint(b) => {
                            format!("{}{args}: {}", c.name, self.bounds(b))
                        }
                    });
                }
                if all.is_empty() { String::new() } else { format!("<{}>", all.join(", ")) }
            }
            GenericArgs::Parenthesized { inputs, output } => {
                let inputs: Vec<String> = inputs.iter().map(|t| self.ty(t)).collect();
                let output = output.as_ref().map(|t| format!(" -> {}", self.ty(t))).unwrap_or_default();
                format!("({}){output}", inputs.join(", "))
            }
            GenericArgs::ReturnTypeNotation => "(..)".into(),
        }
    }

    fn term(&self, t: &Term) -> String {
        match t {
            Term::Type(t) => self.ty(t),
            Term::Constant(c) => c.expr.clone(),
        }
    }

    fn ty(&self, t: &Type) -> String {
        match t {
            Type::ResolvedPath(p) => self.path(p),
            Type::DynTrait(d) => {
                let mut parts: Vec<String> = d
                    .traits
                    .iter()
                    .map(|p| format!("{}{}", self.hrtb(&p.generic_params), self.path(&p.trait_)))
                    .collect();
                if let Some(l) = &d.lifetime {
                    parts.push(l.clone());
                }
                format!("dyn {}", parts.join(" + "))
            }
            Type::Generic(s) | Type::Primitive(s) => s.clone(),
            Type::FunctionPointer(f) => {
                let inputs: Vec<String> = f.sig.inputs.iter().map(|(_, t)| self.ty(t)).collect();
                let output = f.sig.output.as_ref().map(|t| format!(" -> {}", self.ty(t))).unwrap_or_default();
                let unsafety = if f.header.is_unsafe { "unsafe " } else { "" };
                format!("{}{unsafety}fn({}){output}", self.hrtb(&f.generic_params), inputs.join(", "))
            }
            Type::Tuple(types) if types.len() == 1 => format!("({},)", self.ty(&types[0])),
            Type::Tuple(types) => format!("({})", types.iter().map(|t| self.ty(t)).collect::<Vec<_>>().join(", ")),
            Type::Slice(t) => format!("[{}]", self.ty(t)),
            Type::Array { type_, len } => format!("[{}; {len}]", self.ty(type_)),
            Type::Pat { type_, .. } => self.ty(type_),
            Type::ImplTrait(bounds) => format!("impl {}", self.bounds(bounds)),
            Type::Infer => "_".into(),
            Type::RawPointer { is_mutable, type_ } => {
                format!("*{} {}", if *is_mutable { "mut" } else { "const" }, self.ty(type_))
            }
            Type::BorrowedRef { lifetime, is_mutable, type_ } => {
                let lt = lifetime.as_ref().map(|l| format!("{l} ")).unwrap_or_default();
                let m = if *is_mutable { "mut " } else { "" };
                format!("&{lt}{m}{}", self.ty(type_))
            }
            Type::QualifiedPath { name, args, self_type, trait_ } => {
                let args = args.as_deref().map(|a| self.args(a)).unwrap_or_default();
                match trait_ {
                    Some(tr) => format!("<{} as {}>::{name}{args}", self.ty(self_type), self.path(tr)),
                    None => format!("{}::{name}{args}", self.ty(self_type)),
                }
            }
        }
    }

    /// Whether a trait cannot be implemented outside the crate: a supertrait is a local trait
    /// that users cannot name.
    fn is_sealed(&self, t: &rustdoc_types::Trait) -> bool {
        t.bounds.iter().any(|b| match b {
            GenericBound::TraitBound { trait_, .. } => {
                !self.paths.contains_key(&trait_.id) && self.krate.paths.get(&trait_.id).is_none_or(|s| s.crate_id == 0)
            }
            _ => false,
        })
    }

    /// Whether `t` is a local type with a public path (its impls are listed with it).
    fn is_listed_type(&self, t: &Type) -> bool {
        match t {
            Type::ResolvedPath(p) => self.paths.contains_key(&p.id),
            _ => false,
        }
    }
}

/// The local item a type names (through references too).
fn self_id(t: &Type) -> Option<Id> {
    match t {
        Type::ResolvedPath(p) => Some(p.id),
        Type::BorrowedRef { type_, .. } => self_id(type_),
        _ => None,
    }
}

/// The attributes that matter to callers, as a prefix.
fn attrs(item: &Item) -> String {
    let mut s = String::new();
    for a in &item.attrs {
        if matches!(a, Attribute::NonExhaustive) {
            s.push_str("#[non_exhaustive] ");
        }
    }
    s
}

/// The listing of one build per feature set, merged: a line in every build is written as it is,
/// a line in some only is prefixed with the feature sets it is in (`[mock] `).
///
/// `builds` is (label, lines), the first being the default features (whose label is never
/// written).
pub fn merge(builds: &[(&str, Vec<Line>)]) -> String {
    let mut by_text: BTreeMap<&str, (&str, Vec<&str>)> = BTreeMap::new();
    for (label, lines) in builds {
        for line in lines {
            let labels = &mut by_text.entry(line.text.as_str()).or_insert((line.key.as_str(), Vec::new())).1;
            if !labels.contains(label) {
                labels.push(label);
            }
        }
    }
    let all: Vec<&str> = builds.iter().map(|(l, _)| *l).collect();
    let mut out: Vec<(&str, String)> = by_text
        .into_iter()
        .map(|(text, (key, labels))| {
            if labels == all {
                (key, text.to_string())
            } else if labels.len() == 1 && labels[0] != all[0] {
                (key, format!("[{}] {text}", labels[0]))
            } else {
                let without: Vec<&str> = all.iter().filter(|l| !labels.contains(l)).copied().collect();
                (key, format!("[not {}] {text}", without.join(", not ")))
            }
        })
        .collect();
    out.sort();
    let mut text = String::new();
    for (_, line) in out {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The lines of a listing with the given feature set: `[mock] X` is `X` with `mock` and absent
/// without; `[not mock] X` the other way round.
pub fn lines_with<'t>(listing: &'t str, feature: Option<&str>) -> BTreeSet<&'t str> {
    let mut out = BTreeSet::new();
    for line in listing.lines().filter(|l| !l.is_empty() && !l.starts_with("# ")) {
        let (tag, text) = match line.strip_prefix('[').and_then(|rest| rest.split_once("] ")) {
            Some((tag, text)) => (Some(tag), text),
            None => (None, line),
        };
        let keep = match (tag, feature) {
            (None, _) => true,
            (Some(t), Some(f)) if !t.starts_with("not ") => t == f,
            (Some(t), Some(f)) => !t.split(", ").any(|n| n.trim_start_matches("not ") == f),
            (Some(t), None) => t.starts_with("not "),
        };
        if keep {
            out.insert(text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merged_listing_reads_back_per_feature_set() {
        let line = |t: &str| Line { key: t.to_string(), text: t.to_string() };
        let merged = merge(&[
            ("default", vec![line("pub mod a"), line("pub fn a::f()")]),
            ("mock", vec![line("pub mod a"), line("pub fn a::f()"), line("pub mod a::mock")]),
        ]);
        assert_eq!(merged, "pub fn a::f()\npub mod a\n[mock] pub mod a::mock\n");
        assert_eq!(lines_with(&merged, None).into_iter().collect::<Vec<_>>(), ["pub fn a::f()", "pub mod a"]);
        assert_eq!(lines_with(&merged, Some("mock")).len(), 3);
        let only_default = merge(&[("default", vec![line("x")]), ("mock", vec![])]);
        assert_eq!(only_default, "[not mock] x\n");
        assert_eq!(lines_with(&only_default, None).len(), 1);
        assert!(lines_with(&only_default, Some("mock")).is_empty());
    }
}
