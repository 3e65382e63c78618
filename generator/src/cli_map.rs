//! The CLI mapping declared in the spec with the `x-edge-cache-cli` extension.
//!
//! On the document, the commands and the selections (which flags give the items):
//!
//! ```yaml
//! x-edge-cache-cli:
//!   commands:                     # a list: the order of `--help`
//!     - name: invalidate
//!       about: Mark the selection stale.
//!     - name: dangerously-delete
//!       about: Mark the selection deleted.
//!       confirm: The next request for each entry will wait for the origin.
//!   parameters:                   # the global flags that set query parameters
//!     project: projectIdOrName
//!     team-id: teamId
//!   selections:
//!     tag:                        # --tag, repeatable
//!       from: tags-from           # --tags-from FILE|-
//!       noun: [tag, tags]
//!       split: ","                # a value holds several items, split on this (default: the
//!                                 # separator of the batch field's string form, x-edge-cache-split)
//!       help: A cache tag
//! ```
//!
//! On an operation, which command and selection reach it (an operation without a batch field
//! takes no selection), which of its required body properties are positional arguments
//! (`args`), and how its flags are named. Every other body property and every query parameter
//! that no global flag sets is a flag named after it in kebab case, unless `flags` renames it:
//!
//! ```yaml
//! x-edge-cache-cli: { command: invalidate, selection: tag, flags: [target, { field: dryRun, flag: preview }] }
//! x-edge-cache-cli: { command: dangerously-delete-immutable-static, args: [path] }
//! ```
//!
//! An operation without the extension is in the library only. This module reads the mapping;
//! `cli_check` checks it against the operations.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Location, SpecError, pointer};

/// The extension, on the document and on operations, that maps operations to CLI commands.
pub const CLI_EXTENSION: &str = "x-edge-cache-cli";

/// The document's commands and selections.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliConfig {
    /// Subcommands, in the order `--help` lists them.
    #[serde(default)]
    pub commands: Vec<Command>,
    /// Selections by their flag's name.
    #[serde(default)]
    pub selections: indexmap::IndexMap<String, Selection>,
    /// The CLI's global flags (`project`, `team-id`, `scope`) that set query parameters, and
    /// the parameter each sets (its wire name).
    #[serde(default)]
    pub parameters: indexmap::IndexMap<String, String>,
    /// Command lines `--help` shows; each is checked against the commands and flags generated.
    #[serde(default)]
    pub examples: Vec<String>,
}

/// A subcommand.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Its name.
    pub name: String,
    /// Its help line.
    pub about: String,
    /// When set, the command asks before sending (or needs `--yes`); the text says why.
    #[serde(default)]
    pub confirm: Option<String>,
}

/// A kind of item and the flags that give it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Selection {
    /// The flag that reads items from a file or standard input.
    pub from: String,
    /// The item's noun, singular and plural.
    pub noun: (String, String),
    /// A separator that splits one value into several items.
    #[serde(default)]
    pub split: Option<String>,
    /// Help of the item flag.
    pub help: String,
}

/// An operation's place in the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliMapping {
    /// The subcommand.
    pub command: String,
    /// The selection (a key of the document's `selections`), for an operation with a batch
    /// field.
    #[serde(default)]
    pub selection: Option<String>,
    /// The required body properties given as positional arguments, in order.
    #[serde(default)]
    pub args: Vec<String>,
    /// The operation's fields given as flags, named or renamed here (the others are flags
    /// named after them).
    #[serde(default)]
    pub flags: Vec<FlagMapping>,
}

impl CliMapping {
    /// Every flag of the operation: those the mapping names, then each other field that is
    /// neither the batch field, a positional argument, nor set by a global flag (`parameters`),
    /// and that a flag can give (a string, integer, number, boolean or list of strings), named
    /// after it in kebab case.
    pub fn all_flags(&self, cli: &CliConfig, op: &crate::model::Operation) -> Vec<FlagMapping> {
        let mut flags = self.flags.clone();
        let batch = op.batch.as_ref().map(|b| b.field.as_str());
        let fields = op.query.iter().map(|q| (q.name.as_str(), &q.rule));
        let fields = fields.chain(op.body_properties().iter().map(|p| (p.name.as_str(), &p.rule)));
        for (field, rule) in fields {
            let set_elsewhere = !flaggable(rule)
                || Some(field) == batch
                || self.args.iter().any(|a| a == field)
                || cli.parameters.values().any(|wire| wire == field)
                || flags.iter().any(|f| f.field == field);
            if !set_elsewhere {
                flags.push(FlagMapping { field: field.to_string(), flag: crate::names::kebab(field) });
            }
        }
        flags
    }
}

/// A field of an operation given as a flag of its command.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "FlagEntry")]
pub struct FlagMapping {
    /// The field's wire name: a body property, or an optional query parameter.
    pub field: String,
    /// The flag's name (without `--`): the field's name in kebab case unless given.
    pub flag: String,
}

/// A flag as the spec writes it: the field's name, or the field and the flag's name.
#[derive(Deserialize)]
#[serde(untagged)]
enum FlagEntry {
    Field(String),
    Renamed { field: String, flag: String },
}

impl From<FlagEntry> for FlagMapping {
    fn from(entry: FlagEntry) -> Self {
        match entry {
            FlagEntry::Field(field) => FlagMapping { flag: crate::names::kebab(&field), field },
            FlagEntry::Renamed { field, flag } => FlagMapping { field, flag },
        }
    }
}

/// Whether a flag can give a value of `rule`: a string, an integer, a number, a boolean, or a
/// list of strings (comma-separated).
pub fn flaggable(rule: &crate::model::Rule) -> bool {
    use crate::model::Rule;
    rule.is_scalar() || matches!(rule, Rule::Array { items, .. } if matches!(**items, Rule::String { .. }))
}

/// Reads the document's `x-edge-cache-cli`.
pub fn config(
    file: &Path,
    extensions: &indexmap::IndexMap<String, serde_json::Value>,
) -> Result<CliConfig, Vec<SpecError>> {
    match extensions.get(CLI_EXTENSION) {
        None => Ok(CliConfig::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            vec![SpecError::new(
                file,
                Location::Pointer { pointer: pointer([CLI_EXTENSION]), operation: None },
                format!("cannot read the CLI mapping: {e}"),
            )]
        }),
    }
}

/// Reads an operation's `x-edge-cache-cli`.
pub fn mapping(
    file: &Path,
    extensions: &indexmap::IndexMap<String, serde_json::Value>,
    at: &[&str],
) -> Result<Option<CliMapping>, SpecError> {
    let Some(v) = extensions.get(CLI_EXTENSION) else { return Ok(None) };
    serde_json::from_value(v.clone()).map(Some).map_err(|e| {
        SpecError::new(
            file,
            Location::Pointer { pointer: pointer(at.iter().copied().chain([CLI_EXTENSION])), operation: None },
            format!("cannot read the operation's CLI mapping: {e}"),
        )
    })
}
