//! Command-line arguments (clap).

use clap::{Arg, ArgAction, Args, CommandFactory};
use vercel_edge_cache::EdgeCache;
use vercel_edge_cache::operations::Kind;

use crate::table;

/// Invalidate, delete or purge Vercel's CDN cache (the commands below).
///
/// Modelled on `vercel cache`; checks every limit of Vercel's API before sending, splits large
/// selections into batches and retries transient failures.
///
/// Exit codes: 0 every request succeeded; 1 an API or network failure; 2 a usage or validation
/// error (nothing was sent); 3 refused (401, 402, 403, 404: a person must act); 129, 130, 143
/// stopped by SIGHUP, Ctrl-C (SIGINT), SIGTERM.
///
/// The commands, and which flags each takes, come from the spec (`x-edge-cache-cli`).
#[derive(Debug, clap::Parser)]
#[command(name = "edge-cache", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
}

/// The whole command line: the global options, then the commands of the generated table.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command().subcommand_required(true).arg_required_else_help(true);
    let mut after = String::new();
    if !crate::cli_table::EXAMPLES.is_empty() {
        after.push_str(&format!("Examples:\n  {}\n\n", crate::cli_table::EXAMPLES.join("\n  ")));
    }
    after.push_str(WAITS);
    after.push_str("\n\n");
    after.push_str(EXIT_CODES);
    cmd = cmd.after_help(after);
    for c in crate::cli_table::COMMANDS {
        cmd = cmd.subcommand(subcommand(c));
    }
    cmd = cmd
        .subcommand(
            clap::Command::new("completions")
                .about("Print a shell completion script (e.g. `edge-cache completions bash > ~/.local/share/bash-completion/completions/edge-cache`)")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell))
                        .help("The shell: bash, zsh, fish, powershell or elvish"),
                ),
        )
        .subcommand(crate::mock::command())
        .subcommand(clap::Command::new("man").about(
            "Print the man page, every command with its options (roff: `edge-cache man > edge-cache.1 && man -l edge-cache.1`)",
        ));
    // The global options do not apply to `mock`: its `--help` shows only its own (clap copies
    // the global ones into every subcommand when it builds the command).
    cmd.build();
    if let Some(mock) = cmd.find_subcommand_mut("mock") {
        *mock = std::mem::take(mock).mut_args(|a| if a.is_global_set() { a.hide(true) } else { a });
    }
    cmd
}

/// One command: the item flags of its selections (or the positional arguments of its one
/// operation without a selection) and the flags of its operations.
fn subcommand(c: &table::Command) -> clap::Command {
    let mut sub = clap::Command::new(c.name).about(c.about);
    let mut seen: Vec<&str> = Vec::new();
    for route in table::routes(c.name) {
        for arg in route.args {
            sub = sub.arg(Arg::new(arg.field).value_name(arg.name).required(true).help(arg.help));
        }
        let Some(flag) = route.selection.filter(|s| !seen.contains(s)) else { continue };
        seen.push(flag);
        let s = table::selection(flag);
        let value_name = match s.split {
            Some(sep) => format!("{}[{sep}{}...]", s.flag.to_uppercase(), s.flag.to_uppercase()),
            None => s.flag.to_uppercase(),
        };
        let from_help = match s.split {
            Some(sep) => format!(
                "Read {} from a file, one per line, and `{sep}` splits a line as it splits --{} (`-` for standard input)",
                s.noun.1, s.flag
            ),
            None => format!("Read {} from a file, one per line (`-` for standard input)", s.noun.1),
        };
        sub = sub
            .arg(Arg::new(s.flag).long(s.flag).value_name(value_name).action(ArgAction::Append).help(s.help))
            .arg(Arg::new(s.from).long(s.from).value_name("FILE|-").help(from_help));
    }
    let mut flags: Vec<&str> = Vec::new();
    for (route, flag) in table::routes(c.name).flat_map(|r| r.flags.iter().map(move |f| (r, f))) {
        if flags.contains(&flag.name) {
            continue;
        }
        flags.push(flag.name);
        let only: Vec<&str> = table::routes(c.name)
            .filter(|r| r.flags.iter().any(|f| f.name == flag.name))
            .filter_map(|r| Some(table::selection(r.selection?).noun.0))
            .collect();
        let mut help = flag.help.to_string();
        if only.len() < seen.len() {
            help.push_str(&format!(" ({} selections only)", only.join(", ")));
        }
        let arg = Arg::new(flag.name).long(flag.name).help(help);
        // What the flag takes is the field's kind, as the library parses it.
        let arg = match table::kind(route, flag.field) {
            Kind::OneOf(values) => arg
                .value_name(values.join("|"))
                .value_parser(clap::builder::PossibleValuesParser::new(values.iter().copied())),
            Kind::Integer | Kind::Number => arg.value_name("N").allow_negative_numbers(true),
            Kind::Boolean => arg.action(ArgAction::SetTrue),
            Kind::TextList => arg.value_name("VALUE[,VALUE...]"),
            _ => arg.value_name("VALUE"),
        };
        sub = sub.arg(arg);
    }
    if table::routes(c.name).any(|r| r.deprecated) {
        sub = sub.about(format!("{} [deprecated by Vercel]", c.about));
    }
    sub
}

/// How long a run can take, shown by `--help`.
pub const WAITS: &str = "Waits:
  Every wait is bounded. Vercel's rate limit is waited out for as long as it asks, up to
  --max-retry-after (60 s) at a time; a longer wait is not waited: the request fails at once,
  naming the wait and the flag. One request waits at most twice --max-retry-after on the rate
  limit in all, pacing to share the window included, besides its retries' delays (--max-retries,
  each at most 60 s). Header values that make no sense (negative, unparsable, a reset in the past) are
  ignored. --max-time bounds the whole run. Runs that share a token (CI jobs, pods) see each
  other in X-RateLimit-Remaining and pace themselves to their share of the limit.";

/// The exit codes, shown by `--help`.
pub const EXIT_CODES: &str = "Exit codes:
  0    every request succeeded
  1    an API or network failure (transient: a later run may succeed), or the --max-time budget
       ran out (see --save-failed)
  2    a usage or validation error: nothing was sent
  3    refused: Vercel answered 401, 402, 403 or 404, which no later request would change (a
       person must act on the token, the plan or the project); nothing more was sent after it,
       and what was not done is reported and saved (--save-failed)
  129  stopped by SIGHUP (its terminal closed)
  130  stopped by Ctrl-C (SIGINT)
  143  stopped by SIGTERM
       A signal stops sending, gives the requests in flight half a second, then what was not done
       is reported and saved (--save-failed). A second one (any of the three) quits at once,
       still saving every item not confirmed done, with the first one's code. On Windows, only
       Ctrl-C is caught.";

/// Options accepted before or after the subcommand.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Vercel access token [required]
    #[arg(long, env = "VERCEL_TOKEN", hide_env_values = true, global = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The project's ID or name (projectIdOrName) [required]; without it, the project (and team) of the directory linked by `vercel link` (.vercel/project.json, here or above), as `vercel` reads it
    #[arg(long, env = crate::reserved::PROJECT_ENV, hide_env_values = true, global = true, value_name = "ID_OR_NAME")]
    pub project: Option<String>,
    /// The team's ID (teamId)
    #[arg(long, env = crate::reserved::TEAM_ID_ENV, hide_env_values = true, global = true, value_name = "ID")]
    pub team_id: Option<String>,
    /// The team, by slug, or by ID when it starts with `team_` (as `vercel --scope` takes it)
    #[arg(long, global = true, value_name = "SLUG|ID")]
    pub scope: Option<String>,
    /// The API's base URL
    #[arg(long, env = "VERCEL_API_URL", hide_env_values = true, global = true, value_name = "URL", default_value = EdgeCache::DEFAULT_BASE_URL)]
    pub api_url: String,
    /// Timeout of each attempt, in seconds
    #[arg(long, global = true, value_name = "SECONDS", allow_negative_numbers = true, default_value_t = 30.0)]
    pub timeout: f64,
    /// Retries after a failed attempt (5xx, timeouts, connection errors, a 429 that does not say when to come back); 0 turns them off. A 429 that says when is waited out apart from these (see --max-retry-after)
    #[arg(long, global = true, value_name = "N", default_value_t = 3, allow_negative_numbers = true)]
    pub max_retries: u32,
    /// The longest wait Vercel's rate limit may ask for (Retry-After, or a spent window's X-RateLimit-Reset), in seconds: a longer one is not waited, and the request fails at once saying so. One request waits at most twice this in all on the rate limit, and 20 times at most after a 429
    #[arg(long, global = true, value_name = "SECONDS", allow_negative_numbers = true, default_value_t = 60.0)]
    pub max_retry_after: f64,
    /// Spend what Vercel's rate-limit window allows as soon as possible, even when other clients of the token share it (the behaviour before adaptive pacing; for benchmarks)
    #[arg(long, global = true, hide = true)]
    pub no_adaptive_rate: bool,
    /// Time budget for the whole run, in seconds (curl's name): then nothing new is sent and every item not done is reported (and saved with --save-failed)
    #[arg(long, global = true, value_name = "SECONDS", allow_negative_numbers = true)]
    pub max_time: Option<f64>,
    /// Write every item not confirmed done to FILE, one per line, for --tags-from/--srcimgs-from (empty after a clean run; a file is written whole or not at all, a device or pipe in place; its directory is checked before anything is sent; not for commands without items, such as purge)
    #[arg(long, global = true, value_name = "FILE")]
    pub save_failed: Option<std::path::PathBuf>,
    /// Requests in flight
    #[arg(long, global = true, value_name = "N", default_value_t = EdgeCache::DEFAULT_CONCURRENCY, allow_negative_numbers = true, value_parser = clap::value_parser!(usize))]
    pub concurrency: usize,
    /// Validate and print the planned requests; send nothing
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Send the items that keep the spec's rules and leave out those that break one (named on stderr, with where each was given, and saved with --save-failed), instead of refusing the whole run
    #[arg(long, global = true)]
    pub skip_invalid: bool,
    /// Machine-readable result on stdout: one JSON object (its fields are in the README; its schema, json/result.schema.json in the crate)
    #[arg(long, global = true)]
    pub json: bool,
    /// Machine-readable progress on stdout, one JSON object a line, each flushed: a line per request as it finishes ({"event":"batch",...}: the request and the run's counts so far), then --json's result as the last line ({"event":"result",...})
    #[arg(long, global = true, conflicts_with = "json")]
    pub json_lines: bool,
    /// Show what the run does, on stderr: a line per attempt with the operation, the batch (its index from 0, as --json reports it, and its items), the status, the time taken, the decision (done, a 429 waited out, a retry, a failure) and the headers read (X-RateLimit-Limit/-Remaining/-Reset, Retry-After, Date, and x-vercel-id, the request's ID at Vercel), and every hold for the rate limit. -vv adds when each batch and attempt starts and ends, and the connections. RUST_LOG, when set, chooses instead (e.g. RUST_LOG=vercel_edge_cache=info: only the waits, retries and failures). Never the token; the server's text is escaped
    #[arg(short = 'v', long, global = true, action = ArgAction::Count)]
    pub debug: u8,
    /// Skip the confirmation of a dangerous command (required without a terminal); accepted by every command, as `vercel` accepts it. Unlike `vercel`, the prompt defaults to No
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,
}

#[cfg(test)]
mod tests {
    use crate::cli_table::COMMANDS;
    use crate::reserved::{GLOBAL_FLAGS, OWN_COMMANDS, PARAMETER_FLAGS};

    fn sorted<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let mut v: Vec<&str> = names.into_iter().collect();
        v.sort();
        v
    }

    /// The generator keeps the spec's flags and commands from the CLI's own, by the lists of
    /// `reserved.rs`; they must be the CLI's, both ways, or a spec could shadow a flag clap then
    /// panics on.
    #[test]
    fn the_reserved_lists_of_the_clis_own_flags_and_commands_are_the_clis() {
        let mut cmd = super::command();
        cmd.build();
        let flags = sorted(cmd.get_arguments().filter_map(|a| a.get_long()));
        assert_eq!(flags, sorted(GLOBAL_FLAGS.iter().copied()));
        let own = cmd.get_subcommands().map(|c| c.get_name()).filter(|n| !COMMANDS.iter().any(|c| c.name == *n));
        assert_eq!(sorted(own), sorted(OWN_COMMANDS.iter().copied()));
        let parameters = crate::PARAMETER_VALUES.iter().map(|(flag, _)| *flag);
        assert_eq!(sorted(parameters), sorted(PARAMETER_FLAGS.iter().copied()));
    }
}
