//! Items that break a rule of the spec, each named by where it was given (`--tag`, or a file
//! and line), so that a script need not repeat the spec's rules to find them.

use vercel_edge_cache::InvalidItem;

use crate::input::Source;

/// The most bad items named; the rest are counted.
pub const NAMED: usize = 20;

/// The most characters of a bad item shown.
const SHOWN_CHARS: usize = 40;

/// A line per bad item (where it was given, its start, the rule it breaks), up to [`NAMED`],
/// then one counting the rest.
pub fn lines(invalid: &[InvalidItem], sources: &[Source]) -> Vec<String> {
    let mut out: Vec<String> = invalid
        .iter()
        .take(NAMED)
        .map(|i| {
            let at = sources.get(i.index).map_or_else(|| format!("item {}", i.index + 1), Source::to_string);
            format!("  {at}: {}: {}", shown(&i.item), i.error.problem)
        })
        .collect();
    if invalid.len() > NAMED {
        out.push(format!("  and {} more", invalid.len() - NAMED));
    }
    out
}

/// An item as a message shows it: quoted, its first characters, control characters escaped
/// (it may come from anywhere).
fn shown(item: &str) -> String {
    format!("\"{}\"", crate::text::escape_start(item, SHOWN_CHARS))
}
