//! The `edge-cache` CLI as the spec declares it: its commands and each command's flags.

use std::collections::BTreeMap;

use super::{Change, Class};
use crate::model::{Api, Rule};

/// One command's flags (without `--`), each with what it takes.
pub type Flags = BTreeMap<String, String>;

/// Every command an operation is mapped to, with its flags: the selection flags and the fields
/// listed in the operations' `x-edge-cache-cli.flags`.
pub fn command_flags(api: &Api) -> BTreeMap<String, Flags> {
    let mut commands: BTreeMap<String, Flags> = BTreeMap::new();
    for op in &api.operations {
        let Some(m) = &op.cli else { continue };
        let flags = commands.entry(m.command.clone()).or_default();
        if let Some((name, selection)) = m.selection.as_ref().and_then(|s| Some((s, api.cli.selections.get(s)?))) {
            flags.insert(name.clone(), format!("<{}>...", selection.noun.0.to_uppercase()));
            flags.insert(selection.from.clone(), "<FILE|->".into());
        }
        for (i, arg) in m.args.iter().enumerate() {
            // Positional arguments, listed by position.
            flags.insert(format!("<{}>", i + 1), format!("<{}>", arg.to_uppercase()));
        }
        for flag in &m.all_flags(&api.cli, op) {
            let rule = match op.body_properties().iter().find(|p| p.name == flag.field) {
                Some(p) => &p.rule,
                None => match op.query.iter().find(|q| q.name == flag.field) {
                    Some(q) => &q.rule,
                    None => continue,
                },
            };
            flags.insert(flag.flag.clone(), value(rule));
        }
    }
    commands
}

/// What a flag takes, as a listing shows it.
fn value(rule: &Rule) -> String {
    match rule {
        Rule::String { enumeration, .. } if !enumeration.is_empty() => format!("<{}>", enumeration.join("|")),
        Rule::Integer { .. } => "<INTEGER>".into(),
        Rule::Number { .. } => "<NUMBER>".into(),
        Rule::Boolean => "(a switch)".into(),
        _ => "<TEXT>".into(),
    }
}

fn confirm(api: &Api, command: &str) -> bool {
    api.cli.commands.iter().any(|c| c.name == command && c.confirm.is_some())
}

/// The CLI's spec-declared surface, one line each (`[cli] edge-cache invalidate --tag <TAG>...`):
/// the lines the public API listing ends with.
pub fn cli_lines(api: &Api) -> Vec<String> {
    let mut lines = Vec::new();
    for (flag, wire) in &api.cli.parameters {
        lines.push(format!("[cli] edge-cache --{flag} <VALUE> (sets the query parameter {wire})"));
    }
    for (command, flags) in command_flags(api) {
        let asks = if confirm(api, &command) { " (asks first, or needs --yes)" } else { "" };
        lines.push(format!("[cli] edge-cache {command}{asks}"));
        for (flag, value) in flags {
            lines.push(format!("[cli] edge-cache {command} --{flag} {value}"));
        }
    }
    lines.sort();
    lines
}

/// The CLI's changes: commands and flags removed or added, a flag's values, confirmation, and
/// the global flags that set query parameters.
pub fn diff(old: &Api, new: &Api, out: &mut Vec<Change>) {
    let (o, n) = (command_flags(old), command_flags(new));
    for (command, flags) in &o {
        let Some(new_flags) = n.get(command) else {
            out.push(Change::new(
                Class::Breaking,
                format!("CLI: the command `edge-cache {command}` removed: scripts that run it fail (exit 2)"),
            ));
            continue;
        };
        for (flag, value) in flags {
            match new_flags.get(flag) {
                None => out.push(Change::new(
                    Class::Breaking,
                    format!(
                        "CLI: the flag `--{flag}` of `edge-cache {command}` removed: scripts that pass it fail (exit 2)"
                    ),
                )),
                Some(v) if v != value => {
                    let narrower = value
                        .trim_matches(['<', '>'])
                        .split('|')
                        .any(|x| !v.trim_matches(['<', '>']).split('|').any(|y| y == x));
                    let class = if narrower { Class::Breaking } else { Class::Additive };
                    out.push(Change::new(
                        class,
                        format!("CLI: `edge-cache {command} --{flag}` takes {v} (was {value})"),
                    ));
                }
                Some(_) => {}
            }
        }
        for (flag, value) in new_flags.iter().filter(|(f, _)| !flags.contains_key(*f)) {
            out.push(Change::new(Class::Additive, format!("CLI: the flag `edge-cache {command} --{flag} {value}`")));
        }
        match (confirm(old, command), confirm(new, command)) {
            (false, true) => out.push(Change::new(
                Class::Breaking,
                format!("CLI: `edge-cache {command}` asks first now: scripts without a terminal need `--yes`"),
            )),
            (true, false) => {
                out.push(Change::new(Class::Behaviour, format!("CLI: `edge-cache {command}` no longer asks first")))
            }
            _ => {}
        }
    }
    for command in n.keys().filter(|c| !o.contains_key(*c)) {
        out.push(Change::new(Class::Additive, format!("CLI: the command `edge-cache {command}`")));
    }
    for (flag, wire) in &old.cli.parameters {
        match new.cli.parameters.get(flag) {
            None => out.push(Change::new(
                Class::Breaking,
                format!("CLI: `--{flag}` no longer sets the query parameter `{wire}`"),
            )),
            Some(w) if w != wire => out.push(Change::new(
                Class::Breaking,
                format!("CLI: `--{flag}` sets the query parameter `{w}` (was `{wire}`)"),
            )),
            Some(_) => {}
        }
    }
    for (flag, wire) in new.cli.parameters.iter().filter(|(f, _)| !old.cli.parameters.contains_key(*f)) {
        out.push(Change::new(Class::Additive, format!("CLI: `--{flag}` sets the query parameter `{wire}`")));
    }
}
