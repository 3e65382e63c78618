//! What progenitor named things: read back from its output, so that the user-facing layer calls
//! the generated client core by the names progenitor chose (they follow the spec's schema names,
//! or the operation's name for inline schemas).
//!
//! For each operation: the `Client` method and its builder, the query-parameter setters in the
//! order the request sends them, and the request body's type with the Rust name and type of each
//! property.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::visit_mut::VisitMut;

/// Where the spec's names landed in progenitor's output.
pub struct Bindings {
    /// Per operation, keyed by `"<METHOD> <path>"`.
    operations: BTreeMap<String, OperationBinding>,
    /// The type names declared in `api::types`.
    types: BTreeSet<String>,
    /// The structs and enums of `api::types`, by name.
    items: BTreeMap<String, syn::Item>,
}

/// One operation's names in progenitor's output.
#[derive(Clone)]
pub struct OperationBinding {
    /// The `api::Client` method that starts the operation's builder.
    pub method: syn::Ident,
    /// The parameter setters in the order the request sends them: (wire name, setter).
    pub params: Vec<(String, syn::Ident)>,
    /// The request body's type name in `api::types`, if the operation has a body.
    pub body_type: Option<syn::Ident>,
    /// The body's fields by wire name: (Rust field, its type relative to `api`).
    pub body_fields: BTreeMap<String, (syn::Ident, syn::Type)>,
}

impl Bindings {
    /// Reads progenitor's output.
    pub fn read(api: &syn::File) -> Self {
        let mut types_mod: Vec<&syn::Item> = Vec::new();
        let mut builder_mod: Vec<&syn::Item> = Vec::new();
        let mut client_fns: Vec<&syn::ImplItemFn> = Vec::new();
        for item in &api.items {
            match item {
                syn::Item::Mod(m) if m.ident == "types" => types_mod = items_of(m),
                syn::Item::Mod(m) if m.ident == "builder" => builder_mod = items_of(m),
                syn::Item::Impl(i) if is_client_impl(i) => {
                    client_fns.extend(i.items.iter().filter_map(|it| match it {
                        syn::ImplItem::Fn(f) => Some(f),
                        _ => None,
                    }))
                }
                _ => {}
            }
        }
        let structs: BTreeMap<String, &syn::ItemStruct> = types_mod
            .iter()
            .filter_map(|i| match i {
                syn::Item::Struct(s) => Some((s.ident.to_string(), s)),
                _ => None,
            })
            .collect();
        let types: BTreeSet<String> = types_mod
            .iter()
            .filter_map(|i| match i {
                syn::Item::Struct(s) => Some(s.ident.to_string()),
                syn::Item::Enum(e) => Some(e.ident.to_string()),
                syn::Item::Type(t) => Some(t.ident.to_string()),
                _ => None,
            })
            .collect();
        let items: BTreeMap<String, syn::Item> = types_mod
            .iter()
            .filter_map(|i| match i {
                syn::Item::Struct(s) => Some((s.ident.to_string(), (*i).clone())),
                syn::Item::Enum(e) => Some((e.ident.to_string(), (*i).clone())),
                _ => None,
            })
            .collect();
        let mut operations = BTreeMap::new();
        for f in client_fns {
            let Some(key) = sends(&doc_of(&f.attrs)) else { continue };
            let Some(builder) = builder_name(&f.sig.output) else { continue };
            let Some(builder_struct) = builder_mod.iter().find_map(|i| match i {
                syn::Item::Struct(s) if s.ident == builder => Some(s),
                _ => None,
            }) else {
                continue;
            };
            let send = builder_mod.iter().find_map(|i| match i {
                syn::Item::Impl(imp) if self_ident(imp).is_some_and(|n| *n == builder) => {
                    imp.items.iter().find_map(|it| match it {
                        syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
                        _ => None,
                    })
                }
                _ => None,
            });
            let params = send.map(|s| query_params(s.block.to_token_stream())).unwrap_or_default();
            let body_type =
                builder_struct.fields.iter().find(|f| f.ident.as_ref().is_some_and(|i| i == "body")).and_then(|f| {
                    let text = f.ty.to_token_stream().to_string().replace(' ', "");
                    let name = text.split("types::builder::").nth(1)?;
                    let name: String = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    syn::parse_str::<syn::Ident>(&name).ok()
                });
            let body_fields = body_type
                .as_ref()
                .and_then(|t| structs.get(&t.to_string()))
                .map(|s| fields_of(s, &types))
                .unwrap_or_default();
            operations.insert(key, OperationBinding { method: f.sig.ident.clone(), params, body_type, body_fields });
        }
        Self { operations, types, items }
    }

    /// An expression that builds a value of `ty` (relative to `api`) from `items: &[String]`,
    /// directly: a list of strings, a newtype of one, or an enum with such a list among its
    /// forms, its items plain strings or string newtypes (their own checks run in `try_from`).
    /// `None` for any other shape (the caller then goes through serde).
    pub fn list_conversion(&self, ty: &syn::Type) -> Option<TokenStream> {
        self.list_expr(ty, 0)
    }

    fn list_expr(&self, ty: &syn::Type, depth: usize) -> Option<TokenStream> {
        if depth > 4 {
            return None;
        }
        if let Some(item) = generic_arg(ty, "Vec") {
            if is_string(&item) {
                return Some(quote::quote! { items.to_vec() });
            }
            let name = self.local(&item)?;
            let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
            let syn::Item::Struct(s) = self.items.get(&name)? else { return None };
            if !single_field(&s.fields).is_some_and(is_string) {
                return None;
            }
            // A private field is a constrained string (typify checks it in `TryFrom<&str>`); a
            // public one wraps any string.
            let public = s.fields.iter().all(|f| matches!(f.vis, syn::Visibility::Public(_)));
            let item = if public {
                quote::quote! { Ok::<_, String>(types::#ident(s.clone())) }
            } else {
                quote::quote! { types::#ident::try_from(s.as_str()).map_err(|e| e.to_string()) }
            };
            return Some(quote::quote! {
                items.iter().map(|s| #item).collect::<Result<::std::vec::Vec<_>, String>>()?
            });
        }
        let name = self.local(ty)?;
        let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
        match self.items.get(&name)? {
            syn::Item::Struct(s) => {
                let field = single_field(&s.fields)?;
                let public = s.fields.iter().all(|f| matches!(f.vis, syn::Visibility::Public(_)));
                let inner = self.list_expr(&self.qualified(field), depth + 1)?;
                public.then(|| quote::quote! { types::#ident(#inner) })
            }
            syn::Item::Enum(e) => e.variants.iter().find_map(|v| {
                let field = single_field(&v.fields)?;
                let inner = self.list_expr(&self.qualified(field), depth + 1)?;
                let variant = &v.ident;
                Some(quote::quote! { types::#ident::#variant(#inner) })
            }),
            _ => None,
        }
    }

    /// The name of a type of `api::types` (`types::X`).
    fn local(&self, ty: &syn::Type) -> Option<String> {
        match ty {
            syn::Type::Path(p)
                if p.qself.is_none() && p.path.segments.len() == 2 && p.path.segments[0].ident == "types" =>
            {
                let name = p.path.segments[1].ident.to_string();
                self.items.contains_key(&name).then_some(name)
            }
            _ => None,
        }
    }

    fn qualified(&self, ty: &syn::Type) -> syn::Type {
        let mut ty = ty.clone();
        QualifyTypes { types: &self.types }.visit_type_mut(&mut ty);
        ty
    }

    /// The binding of the operation `METHOD path`.
    pub fn operation(&self, method: &str, path: &str) -> Option<&OperationBinding> {
        self.operations.get(&format!("{} {path}", method.to_uppercase()))
    }

    /// Whether `api::types` declares a type of this name.
    pub fn has_type(&self, name: &str) -> bool {
        self.types.contains(name)
    }
}

fn items_of(m: &syn::ItemMod) -> Vec<&syn::Item> {
    m.content.as_ref().map(|(_, items)| items.iter().collect()).unwrap_or_default()
}

fn is_client_impl(i: &syn::ItemImpl) -> bool {
    i.trait_.is_none() && self_ident(i).is_some_and(|n| n == "Client")
}

fn self_ident(i: &syn::ItemImpl) -> Option<&syn::Ident> {
    match &*i.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| &s.ident),
        _ => None,
    }
}

fn doc_of(attrs: &[syn::Attribute]) -> String {
    let mut out = String::new();
    for a in attrs {
        if let syn::Meta::NameValue(nv) = &a.meta
            && nv.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value
        {
            out.push_str(&s.value());
            out.push('\n');
        }
    }
    out
}

/// `"POST /v1/x"` from progenitor's "Sends a `POST` request to `/v1/x`" doc line.
fn sends(doc: &str) -> Option<String> {
    let line = doc.lines().find(|l| l.trim_start().starts_with("Sends a `"))?;
    let mut parts = line.split('`');
    parts.next()?;
    let method = parts.next()?;
    parts.next()?;
    let path = parts.next()?;
    Some(format!("{method} {path}"))
}

fn builder_name(output: &syn::ReturnType) -> Option<syn::Ident> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let syn::Type::Path(p) = &**ty else { return None };
    let segs: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    match segs.as_slice() {
        [first, last] if first.ident == "builder" => Some(last.ident.clone()),
        _ => None,
    }
}

/// `QueryParam::new("wireName", &setter)` calls of a builder's `send`, in order.
fn query_params(block: TokenStream) -> Vec<(String, syn::Ident)> {
    let tokens: Vec<proc_macro2::TokenTree> = flatten(block);
    let mut out = Vec::new();
    // The flattened stream holds `QueryParam`, `:`, `:`, `new`, then the argument tokens.
    let mut i = 0;
    while i + 4 < tokens.len() {
        let is_call = matches!(&tokens[i], proc_macro2::TokenTree::Ident(q) if q == "QueryParam")
            && matches!(&tokens[i + 3], proc_macro2::TokenTree::Ident(n) if n == "new");
        if is_call
            && let Some(proc_macro2::TokenTree::Literal(lit)) = tokens.get(i + 4)
            && let Ok(syn::Lit::Str(s)) = syn::parse_str::<syn::Lit>(&lit.to_string())
        {
            // `"name" , & ident`
            if let Some(proc_macro2::TokenTree::Ident(setter)) = tokens.get(i + 7) {
                out.push((s.value(), syn::Ident::new(&setter.to_string(), setter.span())));
            }
        }
        i += 1;
    }
    out
}

/// Every token of a stream, groups opened (their delimiters dropped).
fn flatten(stream: TokenStream) -> Vec<proc_macro2::TokenTree> {
    let mut out = Vec::new();
    for t in stream {
        match t {
            proc_macro2::TokenTree::Group(g) => out.extend(flatten(g.stream())),
            other => out.push(other),
        }
    }
    out
}

/// The struct's fields by wire name (`#[serde(rename = "..")]` or the field's own name), with
/// types made relative to `api` (`types::X` for the types progenitor declared).
fn fields_of(s: &syn::ItemStruct, types: &BTreeSet<String>) -> BTreeMap<String, (syn::Ident, syn::Type)> {
    let mut out = BTreeMap::new();
    for f in &s.fields {
        let Some(ident) = f.ident.clone() else { continue };
        let mut wire = ident.to_string().trim_start_matches("r#").to_string();
        for a in &f.attrs {
            if !a.path().is_ident("serde") {
                continue;
            }
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let s: syn::LitStr = meta.value()?.parse()?;
                    wire = s.value();
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
        }
        let mut ty = f.ty.clone();
        QualifyTypes { types }.visit_type_mut(&mut ty);
        out.insert(wire, (ident, ty));
    }
    out
}

/// Prefixes bare names of `api::types` with `types::`.
struct QualifyTypes<'a> {
    types: &'a BTreeSet<String>,
}

impl VisitMut for QualifyTypes<'_> {
    fn visit_type_path_mut(&mut self, tp: &mut syn::TypePath) {
        syn::visit_mut::visit_type_path_mut(self, tp);
        if tp.qself.is_none()
            && tp.path.leading_colon.is_none()
            && tp.path.segments.len() == 1
            && self.types.contains(&tp.path.segments[0].ident.to_string())
        {
            let name = &tp.path.segments[0];
            *tp = syn::parse_quote!(types::#name);
        }
    }
}

/// The one field of a tuple struct or tuple variant.
fn single_field(fields: &syn::Fields) -> Option<&syn::Type> {
    match fields {
        syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => f.unnamed.first().map(|f| &f.ty),
        _ => None,
    }
}

/// `T` of `...::Name<T>`.
fn generic_arg(ty: &syn::Type, name: &str) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match args.args.first()? {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn is_string(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_empty()))
}
