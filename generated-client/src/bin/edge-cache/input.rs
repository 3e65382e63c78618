//! Reading the selection: which of the command's selections was given, its items from flags,
//! files and standard input, and the route (operation) it leads to.

use std::io::{BufRead, BufReader, IsTerminal, Read};
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
    /// Where each item was given, by its index in `items`.
    pub sources: Vec<Source>,
}

/// Where an item was given: a flag's value, or a line of a file (or of standard input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The `n`th item (from 1) the flag gave (`--tag a,b --tag c`: `c` is the third).
    Flag(&'static str, usize),
    /// A line of a file, from 1; the path `-` is standard input.
    Line(std::rc::Rc<str>, usize),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(flag, n) => write!(f, "--{flag}, item {n}"),
            Source::Line(path, line) if &**path == "-" => write!(f, "standard input, line {line}"),
            Source::Line(path, line) => write!(f, "{path}, line {line}"),
        }
    }
}

impl Items {
    /// Reads the selection of command `command`; exactly one kind must be given, unless the
    /// command reaches an operation that takes none.
    pub fn read(command: &str, m: &ArgMatches) -> Result<Self, Failure> {
        let routes: Vec<&'static Route> = table::routes(command).collect();
        if let [route] = routes.as_slice()
            && route.selection.is_none()
        {
            return Ok(Items { route, selection: None, items: Vec::new(), sources: Vec::new() });
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
        let mut items: Vec<(String, Source)> = Vec::new();
        // A separator splits flag values and file lines alike (Vercel sends tags comma-separated).
        // The non-blank entries of a flag value or a file line.
        let entries = |text: &str| -> Vec<String> {
            let parts: Vec<&str> = match selection.split {
                Some(sep) => text.split(sep).collect(),
                None => vec![text],
            };
            parts.into_iter().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
        };
        for value in m.get_many::<String>(selection.flag).into_iter().flatten() {
            for entry in entries(value) {
                let n = items.len() + 1;
                items.push((entry, Source::Flag(selection.flag, n)));
            }
        }
        if let Some(path) = m.get_one::<String>(selection.from) {
            if path == "-" && std::io::stdin().is_terminal() {
                // Typed by hand: say what is awaited, and how to end it.
                tell!("edge-cache: reading {} from standard input, one per line; Ctrl-D ends", selection.noun.1);
            }
            let name: std::rc::Rc<str> = path.as_str().into();
            for (line, text) in read_lines(Path::new(path))? {
                items.extend(entries(&text).into_iter().map(|e| (e, Source::Line(name.clone(), line))));
            }
        }
        if items.is_empty() {
            return Err(Failure::usage(format!(
                "no {} given (the flags and files held only blank entries)",
                selection.noun.1
            )));
        }
        let (items, sources) = dedup(items).into_iter().unzip();
        Ok(Items { route, selection: Some(selection), items, sources })
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

/// Drops repeated entries, keeping the first of each (and where it was given).
fn dedup(items: Vec<(String, Source)>) -> Vec<(String, Source)> {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items.into_iter().filter(|(i, _)| seen.insert(i.clone())).collect()
}

/// Non-blank lines of a file or of standard input (`-`), trimmed (and the first without a
/// byte-order mark), each with its number (from 1).
fn read_lines(path: &Path) -> Result<Vec<(usize, String)>, Failure> {
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?)
    };
    let mut out = Vec::new();
    for (n, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.map_err(|e| Failure::io(format!("cannot read {} line {}: {e}", path.display(), n + 1)))?;
        // A byte-order mark (as Windows tools write a file) is not part of the first item.
        let line = if n == 0 { line.strip_prefix('\u{feff}').unwrap_or(&line) } else { &line };
        let line = line.trim();
        if !line.is_empty() {
            out.push((n + 1, line.to_string()));
        }
    }
    Ok(out)
}
