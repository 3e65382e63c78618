//! Each thing `generator::progenitor_names` assumes of progenitor's output, checked against the
//! output progenitor really gives for the real spec and the fixture specs (inline schemas,
//! components, an operation with an integer query parameter): a progenitor upgrade that breaks
//! one fails here, by name, before the generated crate fails to compile.

mod common;

use std::path::Path;

use common::main_spec;
use generator::progenitor_names::{body_type, client_method, query_order, query_setter};
use quote::ToTokens;

/// A spec with an inline body, an integer query parameter and a keyword-named property.
const ODD: &str = r#"
openapi: 3.0.3
info: { title: Odd, version: '1' }
paths:
  /v1/things:
    post:
      operationId: putThingsNow
      parameters:
        - { name: zeta, in: query, schema: { type: string } }
        - { name: alphaCount, in: query, required: true, schema: { type: integer } }
        - { name: mid-name, in: query, schema: { type: boolean } }
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [items]
              properties:
                items: { type: array, maxItems: 3, items: { type: string } }
                type: { type: string }
      responses:
        '200': { description: Done. }
"#;

/// (label, spec text) of every spec the assumptions are checked on.
fn specs() -> Vec<(String, String)> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut specs = vec![("spec/edge-cache.yaml".to_string(), main_spec()), ("odd.yaml".to_string(), ODD.to_string())];
    for name in ["evolution/published-style.yaml", "features/limits.yaml"] {
        specs.push((name.to_string(), std::fs::read_to_string(fixtures.join(name)).unwrap()));
    }
    specs
}

/// progenitor's output and the model of `text`.
fn generated(label: &str, text: &str) -> (syn::File, generator::model::Api) {
    let path = Path::new(label);
    let loaded = generator::load::parse(path, text.as_bytes()).unwrap();
    let (model, problems) = generator::model::build(path, &loaded.api);
    assert!(problems.is_empty(), "{label}: {problems:?}");
    let (file, _) = generator::core::generate(path, &loaded.api).unwrap();
    (file, model)
}

/// Every item of the module `name` of progenitor's output.
fn module<'a>(file: &'a syn::File, name: &str) -> &'a [syn::Item] {
    file.items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("progenitor's output has no module `{name}`"))
}

/// The methods of every inherent `impl <type_name>` among `items`.
fn methods<'a>(items: &'a [syn::Item], type_name: &str) -> Vec<&'a syn::ImplItemFn> {
    items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Impl(imp) if imp.trait_.is_none() => Some(imp),
            _ => None,
        })
        .filter(|imp| matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == type_name)))
        .flat_map(|imp| imp.items.iter())
        .filter_map(|i| match i {
            syn::ImplItem::Fn(f) => Some(f),
            _ => None,
        })
        .collect()
}

#[test]
fn the_client_method_of_an_operation_is_its_operation_id_in_snake_case() {
    for (label, text) in specs() {
        let (file, model) = generated(&label, &text);
        let client = methods(&file.items, "Client");
        for op in &model.operations {
            let method = client_method(op);
            assert!(client.iter().any(|f| f.sig.ident == method), "{label}: no `Client::{method}` for {}", op.id);
        }
    }
}

#[test]
fn the_builder_has_one_setter_per_query_parameter_named_in_snake_case() {
    for (label, text) in specs() {
        let (file, model) = generated(&label, &text);
        let builder = module(&file, "builder");
        for op in &model.operations {
            let name = generator::names::rust_name(&op.id, generator::names::Case::Pascal);
            let setters = methods(builder, &name);
            for q in &op.query {
                let setter = query_setter(q);
                assert!(
                    setters.iter().any(|f| f.sig.ident == setter),
                    "{label}: no setter `{setter}` on builder::{name}"
                );
            }
        }
    }
}

#[test]
fn the_builder_sends_query_parameters_in_the_order_of_their_names() {
    for (label, text) in specs() {
        let (file, model) = generated(&label, &text);
        let builder = module(&file, "builder");
        for op in &model.operations.iter().filter(|o| !o.query.is_empty()).collect::<Vec<_>>() {
            let name = generator::names::rust_name(&op.id, generator::names::Case::Pascal);
            let send = methods(builder, &name).into_iter().find(|f| f.sig.ident == "send").expect("a send method");
            let text = send.block.to_token_stream().to_string();
            let sent: Vec<usize> =
                op.query.iter().map(|q| text.find(&format!("\"{}\"", q.name)).expect("sent")).collect();
            let mut in_order: Vec<(usize, &str)> =
                sent.iter().copied().zip(op.query.iter().map(|q| q.name.as_str())).collect();
            in_order.sort();
            let expected: Vec<&str> = query_order(&op.query).iter().map(|q| q.name.as_str()).collect();
            let actual: Vec<&str> = in_order.iter().map(|(_, n)| *n).collect();
            assert_eq!(actual, expected, "{label}: {}", op.id);
        }
    }
}

#[test]
fn the_body_type_is_the_components_name_or_the_operation_id_and_body() {
    for (label, text) in specs() {
        let (file, model) = generated(&label, &text);
        let types = module(&file, "types");
        for op in model.operations.iter().filter(|o| o.body.is_some()) {
            let name = body_type(op);
            let body = types.iter().find_map(|i| match i {
                syn::Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            });
            let body = body.unwrap_or_else(|| panic!("{label}: no struct types::{name} for {}", op.id));
            // Its fields are the properties' names in snake case (typify's rule, the layer's too).
            for p in op.body_properties() {
                let field = generator::names::rust_name(&p.name, generator::names::Case::Snake);
                let has = body.fields.iter().any(|f| f.ident.as_ref().is_some_and(|i| *i == field));
                assert!(has, "{label}: types::{name} has no field `{field}` for `{}`", p.name);
            }
        }
    }
}
