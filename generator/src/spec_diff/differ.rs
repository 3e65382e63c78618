//! The comparison of one operation with its upstream match: parameters, request body,
//! responses, and schemas keyword by keyword. Every "only in ours / only upstream / both" is one
//! [`merge`](super::merge::merge).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::merge::{Pair, merge};
use super::normalize::{Additional, Step, additional, canonical, label, same, show, show_types, types};
use super::report::{Declaration, Difference, Kind};
use super::walk::{At, Operation, Side};
use super::{MAX_SCHEMA_DEPTH, SCALAR_KEYWORDS};
use crate::error::SpecError;

/// The comparison in progress.
pub(super) struct Differ<'a> {
    pub(super) ours: Side<'a>,
    pub(super) up: Side<'a>,
    /// The name of our operation being compared.
    pub(super) operation: String,
    pub(super) out: Vec<Difference>,
}

/// Both sides of a schema comparison, and where it is.
pub(super) struct SchemaPair<'b> {
    base: &'b str,
    steps: &'b mut Vec<Step>,
    /// (ours, upstream) pointers of the schemas being compared, to stop at cycles.
    stack: &'b mut Vec<(String, String)>,
}

impl<'a> Differ<'a> {
    pub(super) fn emit(
        &mut self,
        message: String,
        ours: Option<String>,
        upstream: Option<String>,
        cover: &Option<Declaration>,
    ) {
        self.out.push(Difference {
            kind: if cover.is_some() { Kind::Deliberate } else { Kind::Drift },
            operation: self.operation.clone(),
            message,
            ours,
            upstream,
            declared: cover.clone(),
        });
    }

    pub(super) fn operation_pair(
        &mut self,
        ours: &Operation<'a>,
        up: &Operation<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        self.parameters(ours, up, cover)?;
        self.request_body(&ours.at, &up.at, cover)?;
        self.responses(&ours.at, &up.at, cover)
    }

    /// The parameters of an operation by (`in`, `name`): the path item's, replaced by the
    /// operation's own of the same key; each with the declaration covering it (ours only).
    #[allow(clippy::type_complexity)]
    fn parameter_map(
        side: &Side<'a>,
        op: &Operation<'a>,
        cover: &Option<Declaration>,
    ) -> Result<BTreeMap<(String, String), (At<'a>, Option<Declaration>)>, SpecError> {
        let mut out = BTreeMap::new();
        for holder in [&op.item, &op.at] {
            let Some(list) = holder.get("parameters") else { continue };
            let Some(items) = list.v.as_array() else { continue };
            for (i, p) in items.iter().enumerate() {
                let mut c = cover.clone();
                let at = side.resolve(At { v: p, ptr: format!("{}/{i}", list.ptr) }, &mut c)?;
                let (Some(inn), Some(name)) =
                    (at.v.get("in").and_then(Value::as_str), at.v.get("name").and_then(Value::as_str))
                else {
                    continue;
                };
                out.insert((inn.to_string(), name.to_string()), (at, c));
            }
        }
        Ok(out)
    }

    fn parameters(
        &mut self,
        ours: &Operation<'a>,
        up: &Operation<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        let o = Self::parameter_map(&self.ours, ours, cover)?;
        let u = Self::parameter_map(&self.up, up, &None)?;
        for (key, pair) in merge(o, u) {
            let what = format!("parameter {} {}", key.0, key.1);
            match pair {
                Pair::Ours((oa, oc)) => {
                    let message = format!("{what} only in ours");
                    self.emit(message, Some(oa.ptr.clone()), Some(up.at.ptr_of("parameters")), &oc);
                }
                Pair::Upstream((ua, _)) => {
                    let required = if is_required(&ua, &key) { " (required)" } else { "" };
                    let message = format!("{what}{required} only upstream");
                    self.emit(message, Some(ours.at.ptr_of("parameters")), Some(ua.ptr.clone()), cover);
                }
                Pair::Both((oa, oc), (ua, _)) => {
                    if is_required(&oa, &key) != is_required(&ua, &key) {
                        self.emit(
                            format!(
                                "{what} required changed ours {} -> upstream {}",
                                show(oa.v.get("required")),
                                show(ua.v.get("required"))
                            ),
                            Some(oa.ptr_of("required")),
                            Some(ua.ptr_of("required")),
                            &oc,
                        );
                    }
                    match Pair::of(parameter_schema(&oa), parameter_schema(&ua)) {
                        None => {}
                        Some(Pair::Ours(os)) => {
                            self.emit(format!("{what} schema only in ours"), Some(os.ptr), Some(ua.ptr.clone()), &oc)
                        }
                        Some(Pair::Upstream(us)) => {
                            self.emit(format!("{what} schema only upstream"), Some(oa.ptr.clone()), Some(us.ptr), &oc)
                        }
                        Some(Pair::Both(os, us)) => self.schema_root(&what, os, us)?,
                    }
                }
            }
        }
        Ok(())
    }

    fn request_body(&mut self, ours: &At<'a>, up: &At<'a>, cover: &Option<Declaration>) -> Result<(), SpecError> {
        let mut cover = cover.clone();
        let (o, u) = match Pair::of(ours.get("requestBody"), up.get("requestBody")) {
            None => return Ok(()),
            Some(Pair::Ours(o)) => {
                let o = self.ours.resolve(o, &mut cover)?;
                self.emit("request body only in ours".into(), Some(o.ptr), Some(up.ptr.clone()), &cover);
                return Ok(());
            }
            Some(Pair::Upstream(u)) => {
                let u = self.up.resolve(u, &mut None)?;
                self.emit("request body only upstream".into(), Some(ours.ptr.clone()), Some(u.ptr), &cover);
                return Ok(());
            }
            Some(Pair::Both(o, u)) => (self.ours.resolve(o, &mut cover)?, self.up.resolve(u, &mut None)?),
        };
        let required = |at: &At<'_>| at.v.get("required").and_then(Value::as_bool).unwrap_or(false);
        if required(&o) != required(&u) {
            self.emit(
                format!(
                    "request body required changed ours {} -> upstream {}",
                    show(o.v.get("required")),
                    show(u.v.get("required"))
                ),
                Some(o.ptr_of("required")),
                Some(u.ptr_of("required")),
                &cover,
            );
        }
        self.content("request body", "body", &o, &u, &cover)
    }

    /// Compares the `content` of a request body or a response: media types and schemas.
    fn content(
        &mut self,
        what: &str,
        base: &str,
        o: &At<'a>,
        u: &At<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        for (mt, pair) in merge(o.entries("content"), u.entries("content")) {
            match pair {
                Pair::Ours(oa) => {
                    let mut c = cover.clone();
                    let oa = self.ours.resolve(oa, &mut c)?;
                    self.emit(format!("{what} content {mt} only in ours"), Some(oa.ptr), Some(u.ptr_of("content")), &c);
                }
                Pair::Upstream(ua) => {
                    self.emit(
                        format!("{what} content {mt} only upstream"),
                        Some(o.ptr_of("content")),
                        Some(ua.ptr),
                        cover,
                    );
                }
                Pair::Both(oa, ua) => {
                    let mut c = cover.clone();
                    let oa = self.ours.resolve(oa, &mut c)?;
                    let ua = self.up.resolve(ua, &mut None)?;
                    let base = if mt == "application/json" { base.to_string() } else { format!("{base} ({mt})") };
                    match Pair::of(oa.get("schema"), ua.get("schema")) {
                        None => {}
                        Some(Pair::Ours(os)) => {
                            let os = self.ours.resolve(os, &mut c)?;
                            self.emit(format!("{base} schema only in ours"), Some(os.ptr), Some(ua.ptr.clone()), &c);
                        }
                        Some(Pair::Upstream(us)) => {
                            self.emit(format!("{base} schema only upstream"), Some(oa.ptr.clone()), Some(us.ptr), &c);
                        }
                        Some(Pair::Both(os, us)) => self.schema_root(&base, os, us)?,
                    }
                }
            }
        }
        Ok(())
    }

    fn responses(&mut self, ours: &At<'a>, up: &At<'a>, cover: &Option<Declaration>) -> Result<(), SpecError> {
        let codes = |at: &At<'a>| at.entries("responses").into_iter().filter(|(code, _)| !code.starts_with("x-"));
        for (code, pair) in merge(codes(ours), codes(up)) {
            let what = format!("response {code}");
            match pair {
                Pair::Ours(oa) => {
                    let mut c = cover.clone();
                    let oa = self.ours.resolve(oa, &mut c)?;
                    self.emit(format!("{what} only in ours"), Some(oa.ptr), Some(up.ptr_of("responses")), &c);
                }
                Pair::Upstream(ua) => {
                    let ua = self.up.resolve(ua, &mut None)?;
                    self.emit(format!("{what} only upstream"), Some(ours.ptr_of("responses")), Some(ua.ptr), cover);
                }
                Pair::Both(oa, ua) => {
                    let mut c = cover.clone();
                    let oa = self.ours.resolve(oa, &mut c)?;
                    let ua = self.up.resolve(ua, &mut None)?;
                    self.content(&what, &format!("{what} body"), &oa, &ua, &c)?;
                }
            }
        }
        Ok(())
    }

    /// Compares the schema of a parameter or a media type. Declarations of the objects above do
    /// not reach into it: only the schemas' own do.
    fn schema_root(&mut self, base: &str, o: At<'a>, u: At<'a>) -> Result<(), SpecError> {
        let mut steps = Vec::new();
        let mut stack = Vec::new();
        let mut pair = SchemaPair { base, steps: &mut steps, stack: &mut stack };
        self.schema(&mut pair, o, u, None)
    }

    fn schema(
        &mut self,
        at: &mut SchemaPair<'_>,
        o: At<'a>,
        u: At<'a>,
        cover: Option<Declaration>,
    ) -> Result<(), SpecError> {
        let mut cover = cover;
        let o = self.ours.resolve(o, &mut cover)?;
        let u = self.up.resolve(u, &mut None)?;
        let key = (o.ptr.clone(), u.ptr.clone());
        if at.stack.contains(&key) || at.stack.len() >= MAX_SCHEMA_DEPTH {
            return Ok(());
        }
        at.stack.push(key);
        let result = self.schema_body(at, &o, &u, &cover);
        at.stack.pop();
        result
    }

    /// Compares two schemas keyword by keyword: a schema that is not a mapping as a whole value;
    /// otherwise type and `nullable`, the scalar constraints, `enum`, `required`, the properties,
    /// `additionalProperties`, then the sub-schemas (`items`, `not`, and the branches).
    fn schema_body(
        &mut self,
        at: &mut SchemaPair<'_>,
        o: &At<'a>,
        u: &At<'a>,
        cover: &Option<Declaration>,
    ) -> Result<(), SpecError> {
        let s = Schemas { o, u, cover };
        let (Some(om), Some(um)) = (o.v.as_object(), u.v.as_object()) else {
            if !same(o.v, u.v) {
                self.changed(at, &s, None, (show(Some(o.v)), show(Some(u.v))));
            }
            return Ok(());
        };
        self.type_and_nullable(at, &s, om, um);
        self.scalar_keywords(at, &s);
        self.enum_values(at, &s);
        self.required_names(at, &s);
        self.properties(at, &s)?;
        self.additional_properties(at, &s)?;
        for kw in ["items", "not"] {
            self.sub_schema(at, kw, o.get(kw), u.get(kw), &s)?;
        }
        self.branches(at, &s)
    }

    /// Reports that `keyword` of the schemas (`None`: the schemas themselves) differs,
    /// `<label> changed ours <ours> -> upstream <upstream>`, at the keyword's pointers.
    fn changed(
        &mut self,
        at: &SchemaPair<'_>,
        s: &Schemas<'_, 'a>,
        keyword: Option<&str>,
        (ours, upstream): (String, String),
    ) {
        let message = format!("{} changed ours {ours} -> upstream {upstream}", label(at.base, at.steps, keyword));
        let ptr = |side: &At<'a>| keyword.map_or_else(|| side.ptr.clone(), |kw| side.ptr_of(kw));
        self.emit(message, Some(ptr(s.o)), Some(ptr(s.u)), s.cover);
    }

    /// Compares the types (`type`, without `"null"`) and whether each schema is nullable.
    fn type_and_nullable(
        &mut self,
        at: &SchemaPair<'_>,
        s: &Schemas<'_, 'a>,
        om: &Map<String, Value>,
        um: &Map<String, Value>,
    ) {
        let (ot, on) = types(om);
        let (ut, un) = types(um);
        if ot != ut {
            self.changed(at, s, Some("type"), (show_types(&ot), show_types(&ut)));
        }
        if on != un {
            self.changed(at, s, Some("nullable"), (on.to_string(), un.to_string()));
        }
    }

    /// Compares the scalar constraints ([`SCALAR_KEYWORDS`]) by value; an absent keyword with a
    /// default is its default.
    fn scalar_keywords(&mut self, at: &SchemaPair<'_>, s: &Schemas<'_, 'a>) {
        for (kw, default) in SCALAR_KEYWORDS {
            let ov = s.o.v.get(kw);
            let uv = s.u.v.get(kw);
            let differs = match (ov, uv, default) {
                (Some(a), Some(b), _) => !same(a, b),
                (None, None, _) => false,
                (Some(v), None, Some(d)) | (None, Some(v), Some(d)) => v.as_bool() != Some(d),
                _ => true,
            };
            if differs {
                self.changed(at, s, Some(kw), (show(ov), show(uv)));
            }
        }
    }

    /// Compares `enum`: value by value when both are lists, else as a whole.
    fn enum_values(&mut self, at: &SchemaPair<'_>, s: &Schemas<'_, 'a>) {
        match (s.o.v.get("enum"), s.u.v.get("enum")) {
            (None, None) => {}
            (Some(Value::Array(ov)), Some(Value::Array(uv))) => {
                let values = |vs: &'a [Value]| vs.iter().map(|v| (canonical(v), v)).collect::<Vec<_>>();
                let lbl = label(at.base, at.steps, Some("enum"));
                for (_, pair) in merge(values(ov), values(uv)) {
                    let (v, side) = match pair {
                        Pair::Ours(v) => (v, "only in ours"),
                        Pair::Upstream(v) => (v, "only upstream"),
                        Pair::Both(..) => continue,
                    };
                    let (o_ptr, u_ptr) = (s.o.ptr_of("enum"), s.u.ptr_of("enum"));
                    self.emit(format!("{lbl} value {v} {side}"), Some(o_ptr), Some(u_ptr), s.cover);
                }
            }
            (ov, uv) => self.changed(at, s, Some("enum"), (show(ov), show(uv))),
        }
    }

    /// Compares the names in `required`, name by name.
    fn required_names(&mut self, at: &SchemaPair<'_>, s: &Schemas<'_, 'a>) {
        let names = |side: &At<'a>| -> Vec<(String, ())> {
            side.v
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| (show(Some(v)), ()))
                .collect()
        };
        let lbl = label(at.base, at.steps, Some("required"));
        for (n, pair) in merge(names(s.o), names(s.u)) {
            let side = match pair {
                Pair::Ours(()) => "only in ours",
                Pair::Upstream(()) => "only upstream",
                Pair::Both(..) => continue,
            };
            let message = format!("{lbl} {} {side}", Value::String(n));
            self.emit(message, Some(s.o.ptr_of("required")), Some(s.u.ptr_of("required")), s.cover);
        }
    }

    /// Compares the properties by name: each only in ours, only upstream, or in both (its schemas
    /// compared).
    fn properties(&mut self, at: &mut SchemaPair<'_>, s: &Schemas<'_, 'a>) -> Result<(), SpecError> {
        let (o, u, cover) = (s.o, s.u, s.cover);
        for (name, pair) in merge(o.entries("properties"), u.entries("properties")) {
            at.steps.push(Step::Property(name.to_string()));
            let lbl = label(at.base, at.steps, None);
            let r = match pair {
                Pair::Ours(oa) => {
                    let mut c = cover.clone();
                    self.ours.resolve(oa.clone(), &mut c).map(|_| {
                        self.emit(
                            format!("{lbl} only in ours"),
                            Some(oa.ptr.clone()),
                            Some(u.ptr_of("properties")),
                            &c,
                        );
                    })
                }
                Pair::Upstream(ua) => {
                    self.emit(format!("{lbl} only upstream"), Some(o.ptr_of("properties")), Some(ua.ptr), cover);
                    Ok(())
                }
                Pair::Both(oa, ua) => self.schema(at, oa, ua, cover.clone()),
            };
            at.steps.pop();
            r?;
        }
        Ok(())
    }

    /// Compares `additionalProperties`: allowed or not, or both schemas compared.
    fn additional_properties(&mut self, at: &mut SchemaPair<'_>, s: &Schemas<'_, 'a>) -> Result<(), SpecError> {
        match (additional(s.o), additional(s.u)) {
            (Additional::Allowed(a), Additional::Allowed(b)) => {
                if a != b {
                    self.changed(at, s, Some("additionalProperties"), (a.to_string(), b.to_string()));
                }
            }
            (Additional::Schema(oa), Additional::Schema(ua)) => {
                at.steps.push(Step::Keyword("additionalProperties".into()));
                let r = self.schema(at, oa, ua, s.cover.clone());
                at.steps.pop();
                r?;
            }
            (oa, ua) => {
                let show_ap = |a: &Additional<'_>| match a {
                    Additional::Allowed(b) => b.to_string(),
                    Additional::Schema(_) => "a schema".to_string(),
                };
                self.changed(at, s, Some("additionalProperties"), (show_ap(&oa), show_ap(&ua)));
            }
        }
        Ok(())
    }

    /// Compares `oneOf`, `anyOf` and `allOf` branch by branch, by position.
    fn branches(&mut self, at: &mut SchemaPair<'_>, s: &Schemas<'_, 'a>) -> Result<(), SpecError> {
        for kw in ["oneOf", "anyOf", "allOf"] {
            let list = |a: &At<'a>| -> Vec<At<'a>> {
                match a.get(kw) {
                    Some(At { v: Value::Array(items), ptr }) => {
                        items.iter().enumerate().map(|(i, v)| At { v, ptr: format!("{ptr}/{i}") }).collect()
                    }
                    _ => Vec::new(),
                }
            };
            let (ol, ul) = (list(s.o), list(s.u));
            for i in 0..ol.len().max(ul.len()) {
                self.sub_schema(at, &format!("{kw}[{i}]"), ol.get(i).cloned(), ul.get(i).cloned(), s)?;
            }
        }
        Ok(())
    }

    /// Compares a sub-schema (`items`, `not`, a branch) present on either side.
    fn sub_schema(
        &mut self,
        at: &mut SchemaPair<'_>,
        step: &str,
        os: Option<At<'a>>,
        us: Option<At<'a>>,
        s: &Schemas<'_, 'a>,
    ) -> Result<(), SpecError> {
        let (o, u, cover) = (s.o, s.u, s.cover);
        at.steps.push(Step::Keyword(step.to_string()));
        let lbl = label(at.base, at.steps, None);
        let r = match Pair::of(os, us) {
            None => Ok(()),
            Some(Pair::Ours(os)) => {
                let mut c = cover.clone();
                self.ours.resolve(os.clone(), &mut c).map(|_| {
                    self.emit(format!("{lbl} only in ours"), Some(os.ptr.clone()), Some(u.ptr.clone()), &c);
                })
            }
            Some(Pair::Upstream(us)) => {
                self.emit(format!("{lbl} only upstream"), Some(o.ptr.clone()), Some(us.ptr), cover);
                Ok(())
            }
            Some(Pair::Both(os, us)) => self.schema(at, os, us, cover.clone()),
        };
        at.steps.pop();
        r
    }
}

/// Our schema and upstream's at one place of a schema comparison, and the declaration covering
/// ours.
struct Schemas<'s, 'a> {
    o: &'s At<'a>,
    u: &'s At<'a>,
    cover: &'s Option<Declaration>,
}

/// Whether a parameter is required; path parameters always are.
pub(super) fn is_required(param: &At<'_>, key: &(String, String)) -> bool {
    key.0 == "path" || param.v.get("required").and_then(Value::as_bool).unwrap_or(false)
}

/// A parameter's schema: `schema`, else the schema of its single `content` entry.
pub(super) fn parameter_schema<'a>(param: &At<'a>) -> Option<At<'a>> {
    param.get("schema").or_else(|| param.entries("content").into_values().next().and_then(|mt| mt.get("schema")))
}
