//! What a spec change does to users, read from the generator's model of the old and the new spec
//! (`cargo xtask api-diff`, and the summary `cargo xtask codegen` prints).
//!
//! Each change names the operation, parameter, property, limit, CLI flag or mock field, and is
//! classed as:
//!
//! - [`Class::Breaking`]: code or scripts that work today stop compiling or are refused (an
//!   operation, setter, enum value or CLI flag removed; a required parameter added; a type
//!   changed);
//! - [`Class::Additive`]: new operations, setters, enum values or flags;
//! - [`Class::Behaviour`]: the same code now acts differently (a limit changed: a lower
//!   `maxLength` refuses inputs it used to accept, a lower `maxItems` only changes the batch
//!   size, because batching follows the spec; a different retry rule).
//!
//! This module only reads [`crate::model::Api`]; the names it gives (methods, setters, flags) follow
//! the generator's rules (snake case, kebab case).

mod cli;
mod rules;

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::model::{Api, Operation, Rule};

pub use cli::{cli_lines, command_flags};

/// How a change reaches users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Code or scripts that work today stop compiling or are refused.
    Breaking,
    /// Something new; nothing that works today changes.
    Additive,
    /// The same code acts differently.
    Behaviour,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Behaviour => "behaviour",
        })
    }
}

/// One change, in Markdown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Change {
    /// How it reaches users.
    pub class: Class,
    /// What changed and what it does, naming the operation, parameter, property, limit, CLI flag
    /// or mock field.
    pub text: String,
}

impl Change {
    fn new(class: Class, text: impl Into<String>) -> Self {
        Change { class, text: text.into() }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "**{}** {}", self.class, self.text)
    }
}

/// The model of a spec's bytes (`path` names it in errors): what `generate` builds before it
/// emits code, so a spec that does not generate has no model either.
pub fn model(path: &Path, bytes: &[u8]) -> Result<Api, crate::Error> {
    crate::load_model(path, bytes).map(|(_, model)| model)
}

/// Every change from `old` to `new`: operations first (in the old spec's order, then the new
/// ones), then the CLI, then the mock's record.
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Vec::new();
    for o in &old.operations {
        match new.operations.iter().find(|n| n.id == o.id) {
            None => out.push(removed(o)),
            Some(n) => operation(o, n, &mut out),
        }
    }
    for n in new.operations.iter().filter(|n| !old.operations.iter().any(|o| o.id == n.id)) {
        out.push(added(n));
    }
    cli::diff(old, new, &mut out);
    mock(old, new, &mut out);
    if old.default_base_url != new.default_base_url {
        out.push(Change::new(
            Class::Behaviour,
            format!(
                "the default base URL is `{}` (was `{}`)",
                new.default_base_url.as_deref().unwrap_or("none"),
                old.default_base_url.as_deref().unwrap_or("none")
            ),
        ));
    }
    if old.auth != new.auth {
        out.push(Change::new(Class::Breaking, "authentication changed: tokens are sent another way".to_string()));
    }
    out
}

/// `EdgeCache`'s method for an operation.
pub fn method(op: &Operation) -> String {
    op.id.to_snake_case()
}

/// The operation's marker type in `operations`.
pub fn marker(op: &Operation) -> String {
    op.id.to_upper_camel_case()
}

/// A setter's name for a property or parameter.
fn setter(name: &str) -> String {
    name.to_snake_case()
}

fn removed(o: &Operation) -> Change {
    let what = if o.high_level_call().is_ok() {
        format!(
            "`EdgeCache::{m}`, `operations::{t}` and `api::Client::{m}` are gone, and `EdgeCache::operation(\"{id}\", ..)` is refused",
            m = method(o),
            t = marker(o),
            id = o.id
        )
    } else {
        format!("`api::Client::{}` is gone", method(o))
    };
    Change::new(Class::Breaking, format!("operation `{}` (`{} {}`) removed: {what}", o.id, o.method, o.path))
}

fn added(n: &Operation) -> Change {
    let text = match n.high_level_call() {
        Ok(()) => {
            let mut args: Vec<String> = n.path_params.iter().map(|p| p.rust_name.clone()).collect();
            args.extend(n.query.iter().filter(|q| q.required).map(|q| q.rust_name.clone()));
            args.extend(properties(n).iter().filter(|(_, _, required)| *required).map(|(name, ..)| setter(name)));
            args.extend(n.batch.as_ref().map(|b| setter(&b.field)));
            let cli = match &n.cli {
                Some(m) => {
                    let args: String = m.args.iter().map(|a| format!(" <{}>", a.to_uppercase())).collect();
                    let selection = m.selection.as_ref().map(|s| format!(" --{s}")).unwrap_or_default();
                    format!("; CLI: `edge-cache {}{args}{selection}`", m.command)
                }
                None => "; not in the CLI (no `x-edge-cache-cli`)".into(),
            };
            format!(
                "operation `{}` (`{} {}`) added: `EdgeCache::{}({})`, `operations::{}`{cli}; mock: serves and records `{} {}`",
                n.id,
                n.method,
                n.path,
                method(n),
                args.join(", "),
                marker(n),
                n.method,
                n.path,
            )
        }
        Err(why) => format!(
            "operation `{}` (`{} {}`) added, low-level only (`api::Client::{}`): {why}",
            n.id,
            n.method,
            n.path,
            method(n)
        ),
    };
    Change::new(Class::Additive, text)
}

fn operation(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    let id = &n.id;
    if (o.method.as_str(), o.path.as_str()) != (n.method.as_str(), n.path.as_str()) {
        out.push(Change::new(
            Class::Behaviour,
            format!("`{id}`: requests go to `{} {}` (was `{} {}`)", n.method, n.path, o.method, o.path),
        ));
    }
    match (o.high_level_call(), n.high_level_call()) {
        (Ok(()), Err(why)) => out.push(Change::new(
            Class::Breaking,
            format!("`{id}`: `EdgeCache::{}` is gone, the operation is low-level only now: {why}", method(n)),
        )),
        (Err(_), Ok(())) => out.push(Change::new(Class::Additive, format!("`{id}`: `EdgeCache::{}` added", method(n)))),
        _ => {}
    }
    if o.deprecated != n.deprecated {
        let text = if n.deprecated {
            format!(
                "`{id}`: deprecated by the spec: `EdgeCache::{}` is `#[deprecated]` and the CLI warns when it is used",
                method(n)
            )
        } else {
            format!("`{id}`: no longer deprecated",)
        };
        out.push(Change::new(Class::Behaviour, text));
    }
    query(o, n, out);
    path_params(o, n, out);
    body(o, n, out);
    batch(o, n, out);
    if o.idempotent != n.idempotent {
        let text = if n.idempotent {
            "now declared idempotent (`x-edge-cache-idempotent`): a 5xx, a timeout or a reset is retried too"
        } else {
            "no longer declared idempotent (`x-edge-cache-idempotent`): a 5xx, a timeout or a reset is not retried any more (a 429 and a connection never made still are)"
        };
        out.push(Change::new(Class::Behaviour, format!("`{id}`: retries: {text}")));
    }
}

fn query(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    let id = &n.id;
    let m = method(n);
    for q in &o.query {
        match n.query.iter().find(|p| p.name == q.name) {
            None if q.required => out.push(Change::new(
                Class::Breaking,
                format!(
                    "`{id}`: required query parameter `{}` removed: `EdgeCache::{m}` takes one argument fewer",
                    q.name
                ),
            )),
            None => out.push(Change::new(
                Class::Breaking,
                format!("`{id}`: query parameter `{}` removed: the setter `.{}()` is gone", q.name, q.rust_name),
            )),
            Some(p) => {
                if q.required != p.required {
                    let text = if p.required {
                        format!(
                            "query parameter `{}` is required now: `EdgeCache::{m}` takes it as an argument, the setter `.{}()` is gone",
                            p.name, q.rust_name
                        )
                    } else {
                        format!(
                            "query parameter `{}` is optional now: `EdgeCache::{m}` takes one argument fewer, and the setter `.{}()` sets it",
                            p.name, p.rust_name
                        )
                    };
                    out.push(Change::new(Class::Breaking, format!("`{id}`: {text}")));
                }
                if q.rust_name != p.rust_name {
                    out.push(Change::new(
                        Class::Breaking,
                        format!(
                            "`{id}`: query parameter `{}` is `{}` in Rust now (was `{}`)",
                            p.name, p.rust_name, q.rust_name
                        ),
                    ));
                }
                let subject = format!("`{id}`: query parameter `{}`", p.name);
                rules::compare(&subject, "values", &q.rule, &p.rule, out);
            }
        }
    }
    for p in n.query.iter().filter(|p| !o.query.iter().any(|q| q.name == p.name)) {
        out.push(if p.required {
            Change::new(
                Class::Breaking,
                format!(
                    "`{id}`: required query parameter `{}` added: `EdgeCache::{m}` takes one more argument (`{}`)",
                    p.name, p.rust_name
                ),
            )
        } else {
            Change::new(
                Class::Additive,
                format!("`{id}`: optional query parameter `{}` added: the setter `.{}()`", p.name, p.rust_name),
            )
        });
    }
}

/// Path parameters added or removed: either changes the arguments of the call (and of its CLI
/// command), so either is breaking.
fn path_params(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    let id = &n.id;
    for (from, to, what) in
        [(o, n, "removed: `EdgeCache::{m}` no longer takes"), (n, o, "added: `EdgeCache::{m}` takes")]
    {
        for p in from.path_params.iter().filter(|p| !to.path_params.iter().any(|q| q.name == p.name)) {
            let what = what.replace("{m}", &method(n));
            out.push(Change::new(
                Class::Breaking,
                format!("`{id}`: path parameter `{}` {what} `{}`", p.name, p.rust_name),
            ));
        }
    }
}

/// The body's properties, without the batch field (its changes are the selection's).
fn properties(op: &Operation) -> Vec<(&str, &Rule, bool)> {
    let field = op.batch.as_ref().map(|b| b.field.as_str());
    op.body_properties()
        .iter()
        .filter(|p| Some(p.name.as_str()) != field)
        .map(|p| (p.name.as_str(), &p.rule, op.body_requires(&p.name)))
        .collect()
}

fn body(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    let id = &n.id;
    let (old, new) = (properties(o), properties(n));
    for (name, rule, _) in &old {
        match new.iter().find(|(p, ..)| p == name) {
            None => out.push(Change::new(
                Class::Breaking,
                format!(
                    "`{id}`: body property `{name}` removed: the setter `.{}()` is gone, and `set(\"{name}\", ..)` is refused",
                    setter(name)
                ),
            )),
            Some((_, new_rule, _)) => {
                let subject = format!("`{id}`: body property `{name}`");
                rules::compare(&subject, "values", rule, new_rule, out);
            }
        }
    }
    for (name, _, required) in &new {
        let was = old.iter().find(|(p, ..)| p == name).map(|(_, _, r)| *r);
        match (was, *required) {
            (None, false) => out.push(Change::new(
                Class::Additive,
                format!("`{id}`: optional body property `{name}` added: the setter `.{}()`", setter(name)),
            )),
            (None, true) => out.push(Change::new(
                Class::Breaking,
                format!(
                    "`{id}`: required body property `{name}` added: `EdgeCache::{}` takes it as an argument",
                    method(n)
                ),
            )),
            (Some(false), true) => out.push(Change::new(
                Class::Breaking,
                format!(
                    "`{id}`: body property `{name}` is required now: `EdgeCache::{}` takes it as an argument (the setter `.{}()` is gone)",
                    method(n),
                    setter(name)
                ),
            )),
            (Some(true), false) => out.push(Change::new(
                Class::Breaking,
                format!(
                    "`{id}`: body property `{name}` is optional now: `EdgeCache::{}` no longer takes it as an argument (the setter `.{}()` sets it)",
                    method(n),
                    setter(name)
                ),
            )),
            _ => {}
        }
    }
}

fn batch(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    let id = &n.id;
    let (Some(ob), Some(nb)) = (&o.batch, &n.batch) else { return };
    if ob.field != nb.field {
        out.push(Change::new(
            Class::Breaking,
            format!(
                "`{id}`: the selection is `{}` now (was `{}`): the items of `EdgeCache::{}` mean something else",
                nb.field,
                ob.field,
                method(n)
            ),
        ));
        return;
    }
    let field = &nb.field;
    if ob.max_items != nb.max_items {
        let effect = if nb.max_items < ob.max_items {
            "the same selection is sent in more requests"
        } else {
            "the same selection is sent in fewer requests"
        };
        out.push(Change::new(
            Class::Behaviour,
            format!(
                "`{id}`: batching: at most {} `{field}` per request (`maxItems`, was {}): {effect}; calling code needs no change",
                nb.max_items, ob.max_items
            ),
        ));
    }
    if ob.min_items != nb.min_items {
        let effect = if nb.min_items > ob.min_items {
            format!("a selection of fewer than {} `{field}` is now refused before sending", nb.min_items)
        } else {
            format!("selections of {} or more `{field}` are accepted", nb.min_items)
        };
        out.push(Change::new(
            Class::Behaviour,
            format!(
                "`{id}`: at least {} `{field}` per request (`minItems`, was {}): {effect}",
                nb.min_items, ob.min_items
            ),
        ));
    }
    rules::compare(&format!("`{id}`: each of `{field}`"), field, &ob.item, &nb.item, out);
    if let (Some(ot), Some(nt)) = (&ob.text, &nb.text) {
        rules::compare(&format!("`{id}`: `{field}` as one string (the mock reads this form)"), "strings", ot, nt, out);
    }
}

/// The fields of the mock's `RecordedPurge` that come from the spec: one per query parameter and
/// per body property (but the batch field, which is `items`) of any operation with a call.
fn recorded_fields(api: &Api) -> BTreeSet<String> {
    let mut fields = BTreeSet::new();
    for op in api.operations.iter().filter(|o| o.high_level_call().is_ok()) {
        fields.extend(op.query.iter().map(|q| q.rust_name.clone()));
        fields.extend(properties(op).iter().map(|(name, ..)| setter(name)));
    }
    fields
}

fn mock(old: &Api, new: &Api, out: &mut Vec<Change>) {
    let (o, n) = (recorded_fields(old), recorded_fields(new));
    for gone in o.difference(&n) {
        out.push(Change::new(
            Class::Breaking,
            format!("mock (feature `mock`): the field `RecordedPurge::{gone}` is gone: no operation has it any more"),
        ));
    }
    for new_field in n.difference(&o) {
        out.push(Change::new(
            Class::Additive,
            format!("mock (feature `mock`): the field `RecordedPurge::{new_field}`"),
        ));
    }
}

/// A one-line summary of `changes`: how many of each class, or that nothing changed for users.
pub fn summary(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no change for users".into();
    }
    let count = |c: Class| changes.iter().filter(|x| x.class == c).count();
    [Class::Breaking, Class::Additive, Class::Behaviour]
        .into_iter()
        .filter(|c| count(*c) > 0)
        .map(|c| format!("{} {c}", count(c)))
        .collect::<Vec<_>>()
        .join(", ")
}
