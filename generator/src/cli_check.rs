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
    let mut taken: BTreeMap<(String, Option<String>), String> = BTreeMap::new();
    for op in ops {
        let Some(m) = &op.cli else { continue };
        let at = |msg: String| {
            let Location::Pointer { pointer: p, operation } = op.location() else { unreachable!() };
            SpecError::new(file, Location::Pointer { pointer: format!("{p}/{CLI_EXTENSION}"), operation }, msg)
        };
        if let Some(other) = taken.insert((m.command.clone(), m.selection.clone()), op.id.clone()) {
            let how = match &m.selection {
                Some(s) => format!("`{} --{s}`", m.command),
                None => format!("`{}` without a selection", m.command),
            };
            errors.push(at(format!(
                "{how} already reaches operation `{other}`; two operations cannot share a command and selection"
            )));
        }
        errors.extend(check_operation(cli, op, m, &mut flags_of).into_iter().map(at));
    }
    // A command that reaches an operation without a selection reaches only it.
    for ((command, selection), id) in &taken {
        let others = taken.keys().filter(|(c, _)| c == command).count();
        if selection.is_none() && others > 1 {
            let op = ops.iter().find(|op| op.id == *id).expect("taken from ops");
            let Location::Pointer { pointer: p, operation } = op.location() else { unreachable!() };
            errors.push(SpecError::new(
                file,
                Location::Pointer { pointer: format!("{p}/{CLI_EXTENSION}"), operation },
                format!(
                    "command `{command}` reaches this operation without a selection and others with one; give this operation a command of its own"
                ),
            ));
        }
    }
    for (i, c) in cli.commands.iter().enumerate() {
        if !taken.keys().any(|(command, _)| *command == c.name) {
            let index = i.to_string();
            errors.push(doc_error(
                file,
                vec![CLI_EXTENSION, "commands", index.as_str()],
                format!(
                    "command `{}` reaches no operation; name it in an operation's {CLI_EXTENSION} (`command: {}`), or remove it",
                    c.name, c.name
                ),
            ));
        }
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
    // A wrong selection is reported, and the rest checked as if none were given.
    let selection = match (&m.selection, &op.batch) {
        (Some(name), Some(_)) => match cli.selections.get(name) {
            Some(selection) => Some((name.as_str(), selection)),
            None => {
                errors.push(format!("selection `{name}` is not among the document's {CLI_EXTENSION} selections"));
                None
            }
        },
        (Some(name), None) => {
            errors.push(format!(
                "selection `{name}`: the operation has no batch field, so it takes no selection; remove `selection`"
            ));
            None
        }
        (None, Some(batch)) => {
            errors.push(format!(
                "the operation takes a selection (its batch field `{}`); name one of the document's {CLI_EXTENSION} selections with `selection`",
                batch.field
            ));
            None
        }
        (None, None) => None,
    };
    let mut mean = |flag: &str, meaning: String, errors: &mut Vec<String>| {
        if let Some(other) = flags_of.insert((m.command.clone(), flag.to_string()), meaning.clone())
            && other != meaning
        {
            errors
                .push(format!("flag `--{flag}` of command `{}` would mean two things ({other}; {meaning})", m.command));
        }
    };
    if let Some((name, selection)) = selection {
        mean(name, "a selection".into(), &mut errors);
        mean(&selection.from, "a selection file".into(), &mut errors);
    }
    if !op.other_params.is_empty() {
        errors.push(format!(
            "the CLI cannot set header or cookie parameters; this operation takes {:?}",
            op.other_params
        ));
    }
    for arg in &m.args {
        let property = op.body_properties().iter().find(|p| p.name == *arg);
        match property {
            Some(p) if op.body_requires(arg) && p.rule.is_scalar() => {}
            _ => errors.push(format!(
                "argument `{arg}` is not a required request-body property that is a string, integer, number or boolean"
            )),
        }
    }
    let flags = m.all_flags(cli, op);
    let taken: Vec<&str> = flags.iter().map(|f| f.flag.as_str()).collect();
    for flag in &flags {
        match flag_meaning(cli, op, selection, &flag.field, &flag.flag) {
            Ok(meaning) => mean(&flag.flag, meaning, &mut errors),
            Err(e) => errors.push(rename_hint(e, op, selection, flag, &taken)),
        }
    }
    errors
}

/// A flag's problem, with a rename that works where a rename is the fix: the field's name
/// after its place (`--query-target`), else with a number.
fn rename_hint(
    problem: FlagProblem,
    op: &Operation,
    selection: Option<(&str, &Selection)>,
    flag: &crate::cli_map::FlagMapping,
    taken: &[&str],
) -> String {
    match problem {
        FlagProblem::Other(message) => message,
        FlagProblem::Clash(message) => {
            let place = if op.query.iter().any(|q| q.name == flag.field) { "query" } else { "body" };
            let free = |name: &str| {
                !GLOBAL_FLAGS.contains(&name)
                    && !taken.contains(&name)
                    && selection.is_none_or(|(n, s)| n != name && s.from != name)
            };
            let base = format!("{place}-{}", crate::names::kebab(&flag.field));
            let rename = std::iter::once(base.clone())
                .chain((2..).map(|i| format!("{base}-{i}")))
                .find(|name| free(name))
                .expect("an unbounded list of names has a free one");
            let global = (place == "query" && PARAMETER_FLAGS.contains(&flag.flag.as_str())).then(|| {
                format!(
                    "let the global flag set it (`{}: {}` in the document's {CLI_EXTENSION} parameters), or ",
                    flag.flag, flag.field
                )
            });
            format!(
                "{message}; {}rename it in the operation's {CLI_EXTENSION} flags: `{{ field: {}, flag: {rename} }}`",
                global.unwrap_or_default(),
                flag.field
            )
        }
    }
}

/// Why a field cannot be the flag it was given.
enum FlagProblem {
    /// The flag's name is the CLI's already: a rename fixes it.
    Clash(String),
    /// Anything else.
    Other(String),
}

/// What a field's flag is (for the one-meaning check), or why it cannot be one.
fn flag_meaning(
    cli: &CliConfig,
    op: &Operation,
    selection: Option<(&str, &Selection)>,
    field: &str,
    flag: &str,
) -> Result<String, FlagProblem> {
    let batch = op.batch.as_ref().map(|b| b.field.as_str());
    let (what, rule) = if let Some(p) = op.body_properties().iter().find(|p| p.name == field) {
        if batch == Some(field) {
            return Err(FlagProblem::Other(format!("flag `{field}` is the batch field; the selection gives it")));
        }
        ("the body property", &p.rule)
    } else if let Some(q) = op.query.iter().find(|q| q.name == field) {
        if cli.parameters.values().any(|wire| wire == field) {
            return Err(FlagProblem::Other(format!("flag `{field}` is a query parameter a global flag sets already")));
        }
        ("the query parameter", &q.rule)
    } else {
        return Err(FlagProblem::Other(format!(
            "flag `{field}` is not a request-body property or query parameter of the operation"
        )));
    };
    if GLOBAL_FLAGS.contains(&flag) || selection.is_some_and(|(name, s)| flag == name || flag == s.from) {
        return Err(FlagProblem::Clash(format!(
            "flag `--{flag}` of `{field}` clashes with a flag the CLI already has"
        )));
    }
    if !crate::cli_map::flaggable(rule) {
        return Err(FlagProblem::Other(format!(
            "flag `{field}` is not a string, integer, number, boolean or list of strings"
        )));
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
