//! Reading the selection: which of the command's selections was given, its items from flags,
//! files and standard input, and the route (operation) it leads to.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use clap::ArgMatches;

use crate::Failure;
use crate::table::{self, Route, Selection};

/// The selection, read and split, and where it goes.
pub struct Items {
    /// The operation the command and selection reach.
    pub route: &'static Route,
    /// Its selection; `None` for an operation that takes none.
    pub selection: Option<&'static Selection>,
    /// The items, without blanks and repeats, in the order given.
    pub items: Vec<String>,
}

impl Items {
    /// Reads the selection of command `command`; exactly one kind must be given, unless the
    /// command reaches an operation that takes none.
    pub fn read(command: &str, m: &ArgMatches) -> Result<Self, Failure> {
        let routes: Vec<&'static Route> = table::routes(command).collect();
        if let [route] = routes.as_slice()
            && route.selection.is_none()
        {
            return Ok(Items { route, selection: None, items: Vec::new() });
        }
        let selections = || routes.iter().filter_map(|r| Some((*r, table::selection(r.selection?))));
        let given: Vec<&'static Route> = selections()
            .filter(|(_, s)| {
                m.contains_id(s.flag) && m.get_many::<String>(s.flag).is_some() || m.get_one::<String>(s.from).is_some()
            })
            .map(|(r, _)| r)
            .collect();
        let kinds = || {
            let kinds: Vec<String> =
                selections().map(|(_, s)| format!("{} (--{}, --{})", s.noun.1, s.flag, s.from)).collect();
            kinds.join(" or ")
        };
        let route = match given.as_slice() {
            [] => return Err(Failure::usage(format!("nothing selected: give {}", kinds()))),
            [one] => *one,
            _ => return Err(Failure::usage(format!("give either {}, not both", kinds()))),
        };
        let selection = table::selection(route.selection.expect("given routes have a selection"));
        let mut items: Vec<String> = Vec::new();
        for value in m.get_many::<String>(selection.flag).into_iter().flatten() {
            match selection.split {
                Some(sep) => items.extend(value.split(sep).map(str::to_string)),
                None => items.push(value.clone()),
            }
        }
        let mut items: Vec<String> =
            items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).map(str::to_string).collect();
        if let Some(path) = m.get_one::<String>(selection.from) {
            // A separator splits file lines too (Vercel sends tags comma-separated).
            for line in read_lines(Path::new(path))? {
                match selection.split {
                    Some(sep) => {
                        items.extend(line.split(sep).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string))
                    }
                    None => items.push(line),
                }
            }
        }
        if items.is_empty() {
            return Err(Failure::usage(format!(
                "no {} given (the flags and files held only blank entries)",
                selection.noun.1
            )));
        }
        Ok(Items { route, selection: Some(selection), items: dedup(items) })
    }

    /// Whether the items come from standard input.
    pub fn reads_stdin(&self, m: &ArgMatches) -> bool {
        self.selection.is_some_and(|s| m.get_one::<String>(s.from).is_some_and(|p| p == "-"))
    }

    /// The selection's noun, singular and plural, if it has one.
    pub fn nouns(&self) -> Option<(&'static str, &'static str)> {
        self.selection.map(|s| s.noun)
    }
}

/// Drops repeated entries, keeping the first of each.
fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items.into_iter().filter(|i| seen.insert(i.clone())).collect()
}

/// Non-blank lines of a file or of standard input (`-`), trimmed.
fn read_lines(path: &Path) -> Result<Vec<String>, Failure> {
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?)
    };
    let mut out = Vec::new();
    for (n, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.map_err(|e| Failure::usage(format!("cannot read {} line {}: {e}", path.display(), n + 1)))?;
        let line = line.trim();
        if !line.is_empty() {
            out.push(line.to_string());
        }
    }
    Ok(out)
}
