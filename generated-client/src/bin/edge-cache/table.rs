//! The shapes of the CLI's table, which `cargo xtask codegen` generates from the spec's
//! `x-edge-cache-cli` mapping into `src/generated/cli.rs` (included here as `crate::cli_table`):
//! the contract between the binary and its generated table, as `contract.rs` is the library's.

/// A subcommand.
#[derive(Debug)]
pub struct Command {
    /// Its name.
    pub name: &'static str,
    /// Its help line.
    pub about: &'static str,
    /// When set, the command asks before sending (or needs `--yes`); this says why.
    pub confirm: Option<&'static str>,
}

/// A kind of item, and the flags that give it.
#[derive(Debug)]
pub struct Selection {
    /// The repeatable item flag (`--tag`).
    pub flag: &'static str,
    /// The flag that reads items from a file or `-` (`--tags-from`).
    pub from: &'static str,
    /// The noun, singular and plural.
    pub noun: (&'static str, &'static str),
    /// A separator that splits one flag value into several items.
    pub split: Option<&'static str>,
    /// Help of the item flag.
    pub help: &'static str,
}

/// A field of an operation given as a flag of its command; what it takes is the field's kind
/// (`vercel_edge_cache::operations::Kind`), read from the operation.
#[derive(Debug)]
pub struct Flag {
    /// The flag's name (`--name`).
    pub name: &'static str,
    /// The field's wire name.
    pub field: &'static str,
    /// Help.
    pub help: &'static str,
}

/// A required body property given as a positional argument of its command.
#[derive(Debug)]
pub struct Positional {
    /// The argument's value name in `--help` (`PATH`).
    pub name: &'static str,
    /// The field's wire name.
    pub field: &'static str,
    /// Help.
    pub help: &'static str,
}

/// Which operation a command and selection reach, and the arguments and flags it takes.
#[derive(Debug)]
pub struct Route {
    /// The subcommand.
    pub command: &'static str,
    /// The selection's item flag; `None` for an operation that takes no selection (then the
    /// command reaches only it).
    pub selection: Option<&'static str>,
    /// The spec's operationId.
    pub operation_id: &'static str,
    /// The positional arguments, in order.
    pub args: &'static [Positional],
    /// The flags.
    pub flags: &'static [Flag],
    /// Whether the spec marks the operation deprecated (the CLI warns when it is used).
    pub deprecated: bool,
}

/// The selection named by its item flag.
pub fn selection(flag: &str) -> &'static Selection {
    crate::cli_table::SELECTIONS.iter().find(|s| s.flag == flag).expect("the generator checks every route's selection")
}

/// The routes of a command.
pub fn routes(command: &str) -> impl Iterator<Item = &'static Route> + '_ {
    crate::cli_table::ROUTES.iter().filter(move |r| r.command == command)
}

/// The kind of a route's field (a flag's or an argument's), by its wire name.
pub fn kind(route: &Route, field: &str) -> vercel_edge_cache::operations::Kind {
    let info = vercel_edge_cache::EdgeCache::operations().find(|i| i.operation_id == route.operation_id);
    info.and_then(|i| i.field(field)).map_or(vercel_edge_cache::operations::Kind::Text, |f| f.kind)
}
