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
//! On an operation, which command and selection reach it, and which body properties are flags:
//!
//! ```yaml
//! x-edge-cache-cli: { command: invalidate, selection: tag, flags: [target] }
//! ```
//!
//! An operation without the extension is in the library only.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Location, SpecError, pointer};
use crate::model::{CLI_EXTENSION, Operation, Rule};

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
    /// The selection (a key of the document's `selections`).
    pub selection: String,
    /// Body properties given as flags (`--kebab-case-name`).
    #[serde(default)]
    pub flags: Vec<String>,
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

/// Flags every command has; a body property may not take their names. The CLI's table carries
/// this list, and a test of the CLI checks it against the flags clap is given.
pub const GLOBAL_FLAGS: &[&str] = &[
    "token",
    "project",
    "team-id",
    "scope",
    "api-url",
    "timeout",
    "max-retries",
    "max-time",
    "save-failed",
    "concurrency",
    "dry-run",
    "json",
    "yes",
    "help",
    "version",
];

/// The CLI's own commands; the spec's commands may not take their names (checked like
/// [`GLOBAL_FLAGS`]).
pub const OWN_COMMANDS: &[&str] = &["completions", "man", "mock", "help"];

/// What a flag's value is, as the CLI's table says it (so that two routes of one command that
/// share a flag agree on it).
fn flag_kind(rule: &Rule) -> String {
    match rule {
        Rule::String { enumeration, .. } if !enumeration.is_empty() => format!("one of {enumeration:?}"),
        Rule::Integer { .. } => "an integer".into(),
        Rule::Number { .. } => "a number".into(),
        Rule::Boolean => "a switch".into(),
        _ => "text".into(),
    }
}

/// The global flags that may set a query parameter.
pub const PARAMETER_FLAGS: &[&str] = &["project", "team-id", "scope"];

/// Checks the operations' mappings against the document's and against each other.
pub fn check(file: &Path, cli: &CliConfig, ops: &[Operation]) -> Vec<SpecError> {
    let mut errors = Vec::new();
    for flag in cli.parameters.keys() {
        if !PARAMETER_FLAGS.contains(&flag.as_str()) {
            errors.push(SpecError::new(
                file,
                Location::Pointer { pointer: pointer([CLI_EXTENSION, "parameters", flag.as_str()]), operation: None },
                format!("`{flag}` is not one of the CLI's parameter flags {PARAMETER_FLAGS:?}"),
            ));
        }
    }
    let doc_error = |at: Vec<&str>, msg: String| {
        SpecError::new(file, Location::Pointer { pointer: pointer(at), operation: None }, msg)
    };
    let mut names = std::collections::BTreeSet::new();
    for c in &cli.commands {
        if OWN_COMMANDS.contains(&c.name.as_str()) {
            errors.push(doc_error(
                vec![CLI_EXTENSION, "commands"],
                format!("command `{}` is one of the CLI's own ({})", c.name, OWN_COMMANDS.join(", ")),
            ));
        }
        if !names.insert(c.name.as_str()) {
            errors.push(doc_error(vec![CLI_EXTENSION, "commands"], format!("command `{}` is declared twice", c.name)));
        }
    }
    for (name, sel) in &cli.selections {
        for flag in [name.as_str(), sel.from.as_str()] {
            if GLOBAL_FLAGS.contains(&flag) {
                errors.push(doc_error(
                    vec![CLI_EXTENSION, "selections", name.as_str()],
                    format!("flag `--{flag}` clashes with a flag the CLI already has"),
                ));
            }
        }
    }
    // Per command, every flag name its routes add, and what it is: one flag, one meaning.
    let mut flags_of: BTreeMap<(&str, String), String> = BTreeMap::new();
    let mut taken: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for op in ops {
        let Some(m) = &op.cli else { continue };
        let at = |msg: String| {
            let Location::Pointer { pointer: p, operation } = op.location() else { unreachable!() };
            SpecError::new(file, Location::Pointer { pointer: format!("{p}/{CLI_EXTENSION}"), operation }, msg)
        };
        if !cli.commands.iter().any(|c| c.name == m.command) {
            errors.push(at(format!("command `{}` is not among the document's {CLI_EXTENSION} commands", m.command)));
        }
        let Some(selection) = cli.selections.get(&m.selection) else {
            errors.push(at(format!(
                "selection `{}` is not among the document's {CLI_EXTENSION} selections",
                m.selection
            )));
            continue;
        };
        if let Some(other) = taken.insert((&m.command, &m.selection), &op.id) {
            errors.push(at(format!(
                "`{} --{}` already reaches operation `{other}`; two operations cannot share a command and selection",
                m.command, m.selection
            )));
        }
        if let Err(why) = op.high_level_call() {
            errors.push(at(format!("the CLI cannot reach this operation: it has no high-level call ({why})")));
        }
        for (flag, meaning) in
            [(m.selection.clone(), "a selection".to_string()), (selection.from.clone(), "a selection file".to_string())]
        {
            if let Some(other) = flags_of.insert((m.command.as_str(), flag.clone()), meaning.clone())
                && other != meaning
            {
                errors.push(at(format!("flag `--{flag}` of command `{}` would mean two things", m.command)));
            }
        }
        for q in op.query.iter().filter(|q| q.required) {
            if !cli.parameters.values().any(|wire| *wire == q.name) {
                errors.push(at(format!(
                    "the required query parameter `{}` is set by no CLI flag; map one of {PARAMETER_FLAGS:?} to it in the document's {CLI_EXTENSION} parameters",
                    q.name
                )));
            }
        }
        if !op.other_params.is_empty() {
            errors.push(at(format!(
                "the CLI sets query parameters only; this operation also takes {:?}",
                op.other_params
            )));
        }
        for flag in &m.flags {
            let kebab = heck::ToKebabCase::to_kebab_case(flag.as_str());
            let Some(p) = op.body_properties().iter().find(|p| &p.name == flag) else {
                errors.push(at(format!("flag `{flag}` is not a request-body property of the operation")));
                continue;
            };
            if op.batch.as_ref().is_some_and(|b| &b.field == flag) {
                errors.push(at(format!("flag `{flag}` is the batch field; the selection gives it")));
            }
            if GLOBAL_FLAGS.contains(&kebab.as_str()) || kebab == m.selection || kebab == selection.from {
                errors.push(at(format!("flag `--{kebab}` clashes with a flag the CLI already has")));
            }
            if !matches!(p.rule, Rule::String { .. } | Rule::Integer { .. } | Rule::Number { .. } | Rule::Boolean) {
                errors.push(at(format!("flag `{flag}` is not a string, integer, number or boolean")));
            }
            let meaning = format!("the body property `{flag}`, {}", flag_kind(&p.rule));
            if let Some(other) = flags_of.insert((m.command.as_str(), kebab.clone()), meaning.clone())
                && other != meaning
            {
                errors.push(at(format!(
                    "flag `--{kebab}` of command `{}` would mean two things ({other}; {meaning})",
                    m.command
                )));
            }
        }
    }
    for (i, example) in cli.examples.iter().enumerate() {
        let index = i.to_string();
        let at = vec![CLI_EXTENSION, "examples", index.as_str()];
        let routed = |c: &str| ops.iter().any(|op| op.cli.as_ref().is_some_and(|m| m.command == c));
        // The words after `edge-cache` (an example may pipe into it).
        let words: Vec<&str> = example.split_whitespace().skip_while(|w| *w != "edge-cache").skip(1).collect();
        let Some(command) = words.iter().find(|w| cli.commands.iter().any(|c| c.name == **w) && routed(w)) else {
            errors.push(doc_error(at, format!("the example `{example}` names no command that reaches an operation")));
            continue;
        };
        let confirm = cli.commands.iter().any(|c| c.name == *command && c.confirm.is_some());
        for word in words.iter().filter_map(|w| w.strip_prefix("--")) {
            let flag = word.split('=').next().unwrap_or(word);
            let known = GLOBAL_FLAGS.contains(&flag) && (flag != "yes" || confirm)
                || flags_of.contains_key(&(*command, flag.to_string()));
            if !known {
                errors.push(doc_error(
                    at.clone(),
                    format!("the example `{example}` uses `--{flag}`, which `{command}` does not have"),
                ));
            }
        }
    }
    errors
}
