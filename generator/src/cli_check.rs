//! The CLI mapping (`cli_map`) checked against the operations and against itself: every
//! command, selection and flag it names exists, no flag means two things in one command, no name
//! takes one the CLI already has (`names::reserved`), and every example runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::cli_map::{CLI_EXTENSION, CliConfig, CliMapping, Selection};
use crate::error::{Location, SpecError, pointer};
use crate::kinds::ValueKind;
use crate::model::Operation;
use crate::names::reserved::{GLOBAL_FLAGS, OWN_COMMANDS, PARAMETER_FLAGS};

/// Checks the operations' mappings against the document's and against each other.
pub fn check(file: &Path, cli: &CliConfig, ops: &[Operation]) -> Vec<SpecError> {
    let mut errors = check_document(file, cli);
    // Per command, every flag name its routes add, and what it is: one flag, one meaning.
    let mut flags_of: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut taken: BTreeMap<(String, String), String> = BTreeMap::new();
    for op in ops {
        let Some(m) = &op.cli else { continue };
        let at = |msg: String| {
            let Location::Pointer { pointer: p, operation } = op.location() else { unreachable!() };
            SpecError::new(file, Location::Pointer { pointer: format!("{p}/{CLI_EXTENSION}"), operation }, msg)
        };
        if let Some(other) = taken.insert((m.command.clone(), m.selection.clone()), op.id.clone()) {
            errors.push(at(format!(
                "`{} --{}` already reaches operation `{other}`; two operations cannot share a command and selection",
                m.command, m.selection
            )));
        }
        errors.extend(check_operation(cli, op, m, &mut flags_of).into_iter().map(at));
    }
    errors.extend(check_examples(file, cli, ops, &flags_of));
    errors
}

fn doc_error(file: &Path, at: Vec<&str>, msg: String) -> SpecError {
    SpecError::new(file, Location::Pointer { pointer: pointer(at), operation: None }, msg)
}

/// The document's own mapping: its parameter flags, commands and selections.
fn check_document(file: &Path, cli: &CliConfig) -> Vec<SpecError> {
    let mut errors = Vec::new();
    for flag in cli.parameters.keys() {
        if !PARAMETER_FLAGS.contains(&flag.as_str()) {
            errors.push(doc_error(
                file,
                vec![CLI_EXTENSION, "parameters", flag.as_str()],
                format!("`{flag}` is not one of the CLI's parameter flags {PARAMETER_FLAGS:?}"),
            ));
        }
    }
    let mut names = BTreeSet::new();
    for c in &cli.commands {
        if OWN_COMMANDS.contains(&c.name.as_str()) {
            errors.push(doc_error(
                file,
                vec![CLI_EXTENSION, "commands"],
                format!("command `{}` is one of the CLI's own ({})", c.name, OWN_COMMANDS.join(", ")),
            ));
        }
        if !names.insert(c.name.as_str()) {
            let msg = format!("command `{}` is declared twice", c.name);
            errors.push(doc_error(file, vec![CLI_EXTENSION, "commands"], msg));
        }
    }
    for (name, sel) in &cli.selections {
        for flag in [name.as_str(), sel.from.as_str()] {
            if GLOBAL_FLAGS.contains(&flag) {
                errors.push(doc_error(
                    file,
                    vec![CLI_EXTENSION, "selections", name.as_str()],
                    format!("flag `--{flag}` clashes with a flag the CLI already has"),
                ));
            }
        }
    }
    errors
}

/// One operation's mapping; records the flags it adds to its command in `flags_of`.
fn check_operation(
    cli: &CliConfig,
    op: &Operation,
    m: &CliMapping,
    flags_of: &mut BTreeMap<(String, String), String>,
) -> Vec<String> {
    let mut errors = Vec::new();
    if !cli.commands.iter().any(|c| c.name == m.command) {
        errors.push(format!("command `{}` is not among the document's {CLI_EXTENSION} commands", m.command));
    }
    let Some(selection) = cli.selections.get(&m.selection) else {
        errors.push(format!("selection `{}` is not among the document's {CLI_EXTENSION} selections", m.selection));
        return errors;
    };
    if let Err(why) = op.high_level_call() {
        errors.push(format!("the CLI cannot reach this operation: it has no high-level call ({why})"));
    }
    let mut mean = |flag: &str, meaning: String, errors: &mut Vec<String>| {
        if let Some(other) = flags_of.insert((m.command.clone(), flag.to_string()), meaning.clone())
            && other != meaning
        {
            errors
                .push(format!("flag `--{flag}` of command `{}` would mean two things ({other}; {meaning})", m.command));
        }
    };
    mean(&m.selection, "a selection".into(), &mut errors);
    mean(&selection.from, "a selection file".into(), &mut errors);
    for q in op.query.iter().filter(|q| q.required) {
        if !cli.parameters.values().any(|wire| *wire == q.name) {
            errors.push(format!(
                "the required query parameter `{}` is set by no CLI flag; map one of {PARAMETER_FLAGS:?} to it in the document's {CLI_EXTENSION} parameters",
                q.name
            ));
        }
    }
    if !op.other_params.is_empty() {
        errors.push(format!("the CLI sets query parameters only; this operation also takes {:?}", op.other_params));
    }
    for flag in &m.flags {
        match flag_meaning(cli, op, m, selection, &flag.field, &flag.flag) {
            Ok(meaning) => mean(&flag.flag, meaning, &mut errors),
            Err(e) => errors.push(e),
        }
    }
    errors
}

/// What a field's flag is (for the one-meaning check), or why it cannot be one.
fn flag_meaning(
    cli: &CliConfig,
    op: &Operation,
    m: &CliMapping,
    selection: &Selection,
    field: &str,
    flag: &str,
) -> Result<String, String> {
    let batch = op.batch.as_ref().map(|b| b.field.as_str());
    let (what, rule) = if let Some(p) = op.body_properties().iter().find(|p| p.name == field) {
        if batch == Some(field) {
            return Err(format!("flag `{field}` is the batch field; the selection gives it"));
        }
        ("the body property", &p.rule)
    } else if let Some(q) = op.query.iter().find(|q| q.name == field) {
        if q.required || cli.parameters.values().any(|wire| wire == field) {
            return Err(format!("flag `{field}` is a query parameter a global flag or an argument sets already"));
        }
        ("the query parameter", &q.rule)
    } else {
        return Err(format!("flag `{field}` is not a request-body property or query parameter of the operation"));
    };
    if GLOBAL_FLAGS.contains(&flag) || flag == m.selection || flag == selection.from {
        return Err(format!("flag `--{flag}` clashes with a flag the CLI already has"));
    }
    if !rule.is_scalar() {
        return Err(format!("flag `{field}` is not a string, integer, number or boolean"));
    }
    Ok(format!("{what} `{field}`, {}", ValueKind::of(rule).describe()))
}

/// Every example names a command that reaches an operation, and only flags it has.
fn check_examples(
    file: &Path,
    cli: &CliConfig,
    ops: &[Operation],
    flags_of: &BTreeMap<(String, String), String>,
) -> Vec<SpecError> {
    let mut errors = Vec::new();
    for (i, example) in cli.examples.iter().enumerate() {
        let index = i.to_string();
        let at = vec![CLI_EXTENSION, "examples", index.as_str()];
        let routed = |c: &str| ops.iter().any(|op| op.cli.as_ref().is_some_and(|m| m.command == c));
        // The words after `edge-cache` (an example may pipe into it).
        let words: Vec<&str> = example.split_whitespace().skip_while(|w| *w != "edge-cache").skip(1).collect();
        let Some(command) = words.iter().find(|w| cli.commands.iter().any(|c| c.name == **w) && routed(w)) else {
            let msg = format!("the example `{example}` names no command that reaches an operation");
            errors.push(doc_error(file, at, msg));
            continue;
        };
        let confirm = cli.commands.iter().any(|c| c.name == *command && c.confirm.is_some());
        for word in words.iter().filter_map(|w| w.strip_prefix("--")) {
            let flag = word.split('=').next().unwrap_or(word);
            let known = GLOBAL_FLAGS.contains(&flag) && (flag != "yes" || confirm)
                || flags_of.contains_key(&(command.to_string(), flag.to_string()));
            if !known {
                errors.push(doc_error(
                    file,
                    at.clone(),
                    format!("the example `{example}` uses `--{flag}`, which `{command}` does not have"),
                ));
            }
        }
    }
    errors
}
