//! A value's rules, old against new: which inputs a change refuses or accepts.

use heck::ToUpperCamelCase;

use super::{Change, Class};
use crate::model::Rule;

/// The changes from `old` to `new` of the rules of `subject` (Markdown, such as
/// ``"`invalidateByTags`: each of `tags`"``), whose values are called `noun` in the text.
pub fn compare(subject: &str, noun: &str, old: &Rule, new: &Rule, out: &mut Vec<Change>) {
    let behaviour =
        |out: &mut Vec<Change>, text: String| out.push(Change::new(Class::Behaviour, format!("{subject}: {text}")));
    match (old, new) {
        (
            Rule::String { min_length: omin, max_length: omax, enumeration: oe, separator: os, excluded: ox },
            Rule::String { min_length: nmin, max_length: nmax, enumeration: ne, separator: ns, excluded: nx },
        ) => {
            // What users meet is the set of characters refused, not how the pattern spells it.
            let (oset, nset) = (excluded_set(ox.as_ref()), excluded_set(nx.as_ref()));
            if oset != nset {
                let shown = |x: &Option<crate::model::Excluded>| {
                    x.as_ref().map_or("none".to_string(), |x| format!("`{}`", x.pattern))
                };
                let what = if nset.is_empty() {
                    "no longer refused for the characters it excluded"
                } else if oset.is_empty() {
                    "refused if they hold a character the pattern excludes"
                } else if covers(&nset, &oset) {
                    "refused for more characters"
                } else if covers(&oset, &nset) {
                    "refused for fewer characters"
                } else {
                    "refused by the new pattern's characters"
                };
                behaviour(out, format!("{noun} are {what}: `pattern` {} (was {})", shown(nx), shown(ox)));
            }
            if omax != nmax {
                behaviour(out, upper("characters", "maxLength", noun, omax.map(|v| v as f64), nmax.map(|v| v as f64)));
            }
            if omin != nmin {
                behaviour(out, lower("characters", "minLength", noun, omin.map(|v| v as f64), nmin.map(|v| v as f64)));
            }
            enumeration(subject, oe, ne, out);
            if os != ns {
                behaviour(
                    out,
                    format!(
                        "the items of its string form are split on {} (was {}, `x-edge-cache-split`)",
                        quoted(ns.as_deref()),
                        quoted(os.as_deref())
                    ),
                );
            }
        }
        (Rule::Integer { minimum: omin, maximum: omax }, Rule::Integer { minimum: nmin, maximum: nmax }) => {
            if omax != nmax {
                behaviour(out, upper("", "maximum", noun, omax.map(|v| v as f64), nmax.map(|v| v as f64)));
            }
            if omin != nmin {
                behaviour(out, lower("", "minimum", noun, omin.map(|v| v as f64), nmin.map(|v| v as f64)));
            }
        }
        (Rule::Number { minimum: omin, maximum: omax }, Rule::Number { minimum: nmin, maximum: nmax }) => {
            if omax != nmax {
                behaviour(out, upper("", "maximum", noun, *omax, *nmax));
            }
            if omin != nmin {
                behaviour(out, lower("", "minimum", noun, *omin, *nmin));
            }
        }
        (Rule::Boolean, Rule::Boolean) | (Rule::Any, Rule::Any) => {}
        (
            Rule::Array { min_items: omin, max_items: omax, items: oi },
            Rule::Array { min_items: nmin, max_items: nmax, items: ni },
        ) => {
            if omax != nmax {
                behaviour(out, upper("items", "maxItems", "lists", omax.map(|v| v as f64), nmax.map(|v| v as f64)));
            }
            if omin != nmin {
                behaviour(out, lower("items", "minItems", "lists", omin.map(|v| v as f64), nmin.map(|v| v as f64)));
            }
            compare(&format!("{subject} (each item)"), "items", oi, ni, out);
        }
        (Rule::OneOf(o), Rule::OneOf(n)) if o.len() == n.len() => {
            for (a, b) in o.iter().zip(n) {
                compare(subject, noun, a, b, out);
            }
        }
        (Rule::Object { properties: op, required: or, .. }, Rule::Object { properties: np, required: nr, .. }) => {
            for p in op {
                match np.iter().find(|q| q.name == p.name) {
                    None => out.push(Change::new(Class::Breaking, format!("{subject}: property `{}` removed", p.name))),
                    Some(q) => compare(&format!("{subject}, property `{}`", p.name), "values", &p.rule, &q.rule, out),
                }
            }
            for q in np.iter().filter(|q| !op.iter().any(|p| p.name == q.name)) {
                let class = if nr.contains(&q.name) { Class::Breaking } else { Class::Additive };
                out.push(Change::new(class, format!("{subject}: property `{}` added", q.name)));
            }
            for r in nr.iter().filter(|r| !or.contains(r) && op.iter().any(|p| &p.name == *r)) {
                out.push(Change::new(Class::Breaking, format!("{subject}: property `{r}` is required now")));
            }
        }
        _ => out.push(Change::new(
            Class::Breaking,
            format!("{subject}: its type changed from {} to {}: the setter takes another type", kind(old), kind(new)),
        )),
    }
}

/// Which side of the values a bound limits.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    /// `maxLength`, `maximum`, `maxItems`.
    Upper,
    /// `minLength`, `minimum`, `minItems`.
    Lower,
}

/// A new upper bound: `unit` is "characters" or "items" (or empty for numbers).
fn upper(unit: &str, keyword: &str, noun: &str, old: Option<f64>, new: Option<f64>) -> String {
    bound(Side::Upper, unit, keyword, noun, old, new)
}

/// A new lower bound.
fn lower(unit: &str, keyword: &str, noun: &str, old: Option<f64>, new: Option<f64>) -> String {
    bound(Side::Lower, unit, keyword, noun, old, new)
}

/// What a bound moving from `old` to `new` accepts and refuses.
fn bound(side: Side, unit: &str, keyword: &str, noun: &str, old: Option<f64>, new: Option<f64>) -> String {
    let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
    let was = old.map(|v| format!("was {}", num(v))).unwrap_or_else(|| "was no limit".into());
    let (limit, side_word, more, beyond) = match side {
        Side::Upper => ("at most", "upper", "larger", "over"),
        Side::Lower => ("at least", "lower", "smaller", "under"),
    };
    let Some(n) = new else {
        return format!("no {side_word} limit any more (`{keyword}` removed, {was}): {more} {noun} are accepted");
    };
    let head = format!("{limit} {}{unit} (`{keyword}`, {was})", num(n));
    match old {
        None => format!("{head}: {noun} {beyond} {} are now refused before sending", num(n)),
        Some(o) if (side == Side::Upper && n < o) || (side == Side::Lower && n > o) => {
            format!("{head}: {noun} of {}{unit} are now refused before sending", refused(side, o, n))
        }
        Some(_) => format!("{head}: {more} {noun} are accepted"),
    }
}

/// The values a tightened bound refuses: "101 to 256" for a maximum lowered from 256 to 100
/// (whole numbers), "over 100" otherwise.
fn refused(side: Side, old: f64, new: f64) -> String {
    let whole = new.fract() == 0.0 && old.fract() == 0.0;
    let (from, to) = match side {
        Side::Upper => (new + 1.0, old),
        Side::Lower => (old, new - 1.0),
    };
    match (whole, side) {
        (true, _) if from == to => num(from),
        (true, _) => format!("{} to {}", num(from), num(to)),
        (false, Side::Upper) => format!("over {}", num(new)),
        (false, Side::Lower) => format!("under {}", num(new)),
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

fn quoted(s: Option<&str>) -> String {
    s.map(|s| format!("`{s}`")).unwrap_or_else(|| "nothing".into())
}

fn enumeration(subject: &str, old: &[String], new: &[String], out: &mut Vec<Change>) {
    match (old.is_empty(), new.is_empty()) {
        (true, true) => return,
        (true, false) => {
            out.push(Change::new(
                Class::Breaking,
                format!("{subject}: only {} accepted now (an enum): the setter takes the generated enum, and other values are refused", list(new)),
            ));
            return;
        }
        (false, true) => {
            out.push(Change::new(
                Class::Breaking,
                format!("{subject}: any string accepted now (was one of {}): the generated enum is gone, the setter takes text", list(old)),
            ));
            return;
        }
        (false, false) => {}
    }
    for gone in old.iter().filter(|v| !new.contains(v)) {
        out.push(Change::new(
            Class::Breaking,
            format!(
                "{subject}: the value `{gone}` removed: the enum variant `{}` is gone, and `set(.., \"{gone}\")` and the CLI refuse it",
                gone.to_upper_camel_case()
            ),
        ));
    }
    for added in new.iter().filter(|v| !old.contains(v)) {
        out.push(Change::new(
            Class::Additive,
            format!(
                "{subject}: the value `{added}` added: the enum variant `{}` (an exhaustive `match` on the enum needs an arm for it)",
                added.to_upper_camel_case()
            ),
        ));
    }
}

fn list(values: &[String]) -> String {
    values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
}

fn kind(rule: &Rule) -> &'static str {
    match rule {
        Rule::String { enumeration, .. } if !enumeration.is_empty() => "an enum",
        Rule::String { .. } => "a string",
        Rule::Integer { .. } => "an integer",
        Rule::Number { .. } => "a number",
        Rule::Boolean => "a boolean",
        Rule::Array { .. } => "a list",
        Rule::Object { .. } => "an object",
        Rule::OneOf(_) => "a oneOf",
        Rule::Any => "any value",
    }
}

/// The characters a pattern excludes, as sorted ranges that neither overlap nor touch: one
/// spelling of the set, whatever order, repeats or escapes the pattern used.
fn excluded_set(excluded: Option<&crate::model::Excluded>) -> Vec<(u32, u32)> {
    let mut ranges: Vec<(u32, u32)> =
        excluded.map_or(Vec::new(), |x| x.ranges.iter().map(|&(lo, hi)| (lo as u32, hi as u32)).collect());
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match merged.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

/// Whether the set `outer` holds every character of `inner` (both as [`excluded_set`] gives).
fn covers(outer: &[(u32, u32)], inner: &[(u32, u32)]) -> bool {
    inner.iter().all(|&(lo, hi)| outer.iter().any(|&(olo, ohi)| olo <= lo && hi <= ohi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tightened_bound_names_the_values_it_now_refuses() {
        let refused = upper("characters", "maxLength", "tags", Some(256.0), Some(100.0));
        assert_eq!(
            refused,
            "at most 100 characters (`maxLength`, was 256): tags of 101 to 256 characters are now refused before sending"
        );
        let refused = lower("", "minimum", "values", Some(0.0), Some(1.0));
        assert_eq!(refused, "at least 1 (`minimum`, was 0): values of 0 are now refused before sending");
        let loosened = upper("items", "maxItems", "lists", Some(8.0), Some(16.0));
        assert_eq!(loosened, "at most 16 items (`maxItems`, was 8): larger lists are accepted");
        let added = lower("characters", "minLength", "values", None, Some(3.0));
        assert_eq!(
            added,
            "at least 3 characters (`minLength`, was no limit): values under 3 are now refused before sending"
        );
        let gone = upper("", "maximum", "values", Some(2.5), None);
        assert_eq!(gone, "no upper limit any more (`maximum` removed, was 2.5): larger values are accepted");
        assert_eq!(refused_range(), "over 2.5");
    }

    fn refused_range() -> String {
        refused(Side::Upper, 3.0, 2.5)
    }
}
