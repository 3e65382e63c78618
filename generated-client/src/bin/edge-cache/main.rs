//! `edge-cache`: invalidate or delete Vercel's CDN cache from the command line.

/// `println!` that never panics: a reader gone away (`edge-cache … | head -1`, a closed pipe)
/// loses what is printed, not the run: requests still go, `--save-failed` is still written, and
/// the exit code still says how it went.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, $($arg)*).and_then(|()| out.flush());
    }};
}

/// `eprintln!` that never panics, by `say!`'s rule: a stderr gone away (a terminal closed, the
/// SIGHUP that says so, `2>&1 | head`) loses the message, not the run or `--save-failed`.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod args;
#[path = "../../generated/cli.rs"]
#[rustfmt::skip]
mod cli_table;
mod debug;
mod input;
mod invalid;
mod json;
mod json_result;
mod man;
mod mock;
mod report;
#[path = "../../types/reserved.rs"]
#[allow(dead_code)]
mod reserved;
mod save;
mod signals;
// The library's escaping of text from elsewhere, for the JSON the CLI prints.
#[path = "../../types/text.rs"]
#[allow(dead_code)]
mod text;
// Which flag kinds a spec uses depends on it.
#[allow(dead_code)]
mod table;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgMatches, FromArgMatches};
use vercel_edge_cache::operations::Kind;
use vercel_edge_cache::{BatchOutcome, ConfigError, DynPurge, EdgeCache, Outcome, Progress, RetryPolicy, StopReason};

use crate::args::Global;
use crate::input::Items;
use crate::signals::{Confirmed, Ended, Signal, Signals};

/// Why the command stopped early.
pub struct Failure {
    code: u8,
    message: String,
    kind: &'static str,
}

impl Failure {
    /// A usage or validation error: exit 2, nothing sent.
    pub fn usage(message: impl Into<String>) -> Self {
        Self { code: 2, message: message.into(), kind: "usage" }
    }

    /// Input that cannot be read (a `--tags-from` file): exit 2, nothing sent.
    pub fn io(message: impl Into<String>) -> Self {
        Self { code: 2, message: message.into(), kind: "io" }
    }

    /// Input that breaks a rule of the spec: exit 2, nothing sent.
    fn invalid(message: impl std::fmt::Display) -> Self {
        Self { code: 2, message: format!("invalid input, nothing was sent: {message}"), kind: "validation" }
    }
}

fn main() -> ExitCode {
    let matches = match args::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => {
            // A usage error the parser found is still an `error` object on stdout under --json, as
            // every other usage error is (--help and --version are not errors).
            let json =
                std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "--json" || a == "--json-lines");
            if json && e.use_stderr() {
                // What clap says, up to its usage line, without its tips: "the following required
                // arguments were not provided: <PATH>", "invalid value … [possible values: …]".
                let rendered = e.render().to_string();
                let lines = rendered.lines().map(str::trim).take_while(|l| !l.starts_with("Usage:"));
                let tip = |l: &str| l.starts_with("tip:") || l.starts_with("For more information");
                let said: Vec<&str> = lines.filter(|l| !l.is_empty() && !tip(l)).collect();
                let message = said.join(" ");
                let message = message.trim_start_matches("error: ");
                let error = serde_json::json!({
                    "event": "error",
                    "ok": false,
                    "error": { "kind": "usage", "message": message },
                });
                say!("{}", json::line(&error));
            }
            e.exit()
        }
    };
    // The CLI's own commands, which need no token or project.
    match matches.subcommand() {
        Some(("completions", m)) => {
            let shell = *m.get_one::<clap_complete::Shell>("shell").expect("required by clap");
            // Written whole, through `say!`'s rule: a closed stdout is not a panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut args::command(), "edge-cache", &mut script);
            if shell == clap_complete::Shell::Bash {
                script = bash_fixed(script);
            }
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&script).and_then(|()| out.flush());
            return ExitCode::SUCCESS;
        }
        Some(("mock", m)) => return mock::run(m),
        Some(("man", _)) => {
            let page = man::page().and_then(|page| {
                let mut out = std::io::stdout().lock();
                out.write_all(&page).and_then(|()| out.flush())
            });
            return match page {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tell!("error: cannot write the man page: {e}");
                    ExitCode::from(1)
                }
            };
        }
        _ => {}
    }
    let global = match Global::from_arg_matches(&matches) {
        Ok(g) => g,
        Err(e) => e.exit(),
    };
    let json = global.json || global.json_lines;
    debug::init(global.debug);
    match run(&global, &matches) {
        Ok(code) => code,
        Err(f) => {
            if json {
                let error = serde_json::json!({
                    "event": "error",
                    "ok": false,
                    "error": { "kind": f.kind, "message": f.message },
                });
                say!("{}", json::line(&error));
            }
            tell!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(g: &Global, matches: &ArgMatches) -> Result<ExitCode, Failure> {
    let (command, m) = matches.subcommand().ok_or_else(|| Failure::usage("a command is required"))?;
    refuse_blank_flags(matches)?;
    // The project: --project, VERCEL_PROJECT_ID, else the directory's link (`vercel link`).
    let linked = if g.project.as_deref().is_some_and(|p| !p.trim().is_empty()) { None } else { Linked::find() };
    let project =
        g.project.clone().filter(|p| !p.trim().is_empty()).or_else(|| linked.as_ref().map(|l| l.project.clone()));
    // Every missing input at once; the token is only needed to send (a dry run works without).
    let token = g.token.clone().filter(|t| !t.trim().is_empty());
    let mut missing = Vec::new();
    if project.is_none() {
        missing.push("--project <ID_OR_NAME> (or VERCEL_PROJECT_ID, or a directory linked by `vercel link`)");
    }
    if token.is_none() && !g.dry_run {
        missing.push(match &g.token {
            Some(_) => "--token <TOKEN> (it is empty)",
            None => "--token <TOKEN> (or VERCEL_TOKEN)",
        });
    }
    if !missing.is_empty() {
        let verb = if missing.len() == 1 { "is" } else { "are" };
        return Err(Failure::usage(format!("{} {verb} required", missing.join(" and "))));
    }
    let project = project.unwrap_or_default();
    let items = Items::read(command, m)?;
    if let Some(path) = g.save_failed.as_deref() {
        save::can_save(path, command, &items, !g.dry_run)?;
    }
    if let Some(linked) = &linked {
        // Said, since nothing on the command line named them: a purge should not surprise.
        let team = linked.org.as_deref().map(|org| format!(" (team {org})")).unwrap_or_default();
        // The file's text is data: escaped, as any text the run did not write.
        let team = text::escape(&team);
        tell!("edge-cache: project {}{team} from {}", text::escape(&linked.project), linked.file.display());
    }
    if items.route.deprecated {
        tell!("warning: Vercel's API marks `{}` ({command}) deprecated; it may be removed", items.route.operation_id);
    }
    // Seconds as a duration; the client's settings check says what else it accepts.
    let seconds = |flag: &str, value: f64| {
        if value.is_nan() || value < 0.0 {
            return Err(Failure::usage(format!("--{flag}: must be a number of seconds, at least 0, got {value}")));
        }
        Duration::try_from_secs_f64(value)
            .map_err(|_| Failure::usage(format!("--{flag}: too long, got {value} seconds")))
    };
    let timeout = seconds("timeout", g.timeout)?;
    let max_time = g.max_time.map(|t| seconds("max-time", t)).transpose()?;
    if max_time.is_some_and(|t| t.is_zero()) {
        // A budget of nothing would send nothing and report every item not done.
        let given = g.max_time.unwrap_or_default();
        return Err(Failure::usage(format!("--max-time: must be more than 0 seconds, got {given}")));
    }
    let max_retry_after = seconds("max-retry-after", g.max_retry_after)?;
    let policy = RetryPolicy {
        max_retries: g.max_retries,
        max_retry_after,
        // A request waits at most twice --max-retry-after in all (see the flag's help).
        max_rate_limit_wait: max_retry_after.saturating_mul(2),
        adaptive_rate: !g.no_adaptive_rate,
        ..RetryPolicy::default()
    };
    let token = token.unwrap_or_else(|| "dry-run".to_string());
    let client = EdgeCache::builder(token)
        .base_url(g.api_url.clone())
        .timeout(timeout)
        .retry_policy(policy)
        .concurrency(g.concurrency)
        .build()
        .map_err(|e| match e {
            // A setting named as its flag.
            ConfigError::Setting { setting, reason } => Failure::usage(format!("--{setting}: {reason}")),
            other => Failure::usage(other.to_string()),
        })?;
    let linked_org = linked.as_ref().and_then(|l| l.org.as_deref());
    let mut purge = start(&client, &items, &project, linked_org, g, m)?;
    if let Some(budget) = max_time {
        purge = purge.max_time(budget);
    }
    let confirm = cli_table::COMMANDS.iter().find(|c| c.name == command).and_then(|c| c.confirm);
    let ctx = Context { global: g, project: &project, command, confirm, items: &items, matches: m };
    execute(&ctx, &client, purge)
}

/// The values the global flags that set query parameters give.
pub struct Parameters<'a> {
    project: &'a str,
    team: Team,
}

/// The value a global flag gives, if any.
pub type ParameterValue = for<'p> fn(&'p Parameters<'_>) -> Option<&'p str>;

/// Each global flag that may set a query parameter (the spec's `x-edge-cache-cli` parameters say
/// which one it sets), and its value: the CLI's one list of them, which its test checks against
/// `reserved.rs`'s `PARAMETER_FLAGS`, the generator's.
pub const PARAMETER_VALUES: &[(&str, ParameterValue)] =
    &[("project", |p| Some(p.project)), ("scope", |p| p.team.slug()), ("team-id", |p| p.team.team_id())];

/// The call the route leads to, with the project, the scope and the flags set.
fn start<'a>(
    client: &'a EdgeCache,
    items: &Items,
    project: &str,
    linked_org: Option<&str>,
    g: &Global,
    m: &ArgMatches,
) -> Result<DynPurge<'a>, Failure> {
    let route = items.route;
    let mut purge = client
        .operation(route.operation_id, items.items.iter().cloned())
        .ok_or_else(|| Failure::usage(format!("operation {} is not in this build's spec", route.operation_id)))?;
    let parameters = Parameters { project, team: Team::of(g, linked_org) };
    // The global flags that set query parameters, and the parameter each sets (from the spec).
    let mut set: Vec<(&str, String)> = Vec::new();
    for (flag, wire) in cli_table::PARAMETERS {
        let value = PARAMETER_VALUES.iter().find(|(f, _)| f == flag).and_then(|(_, value)| value(&parameters));
        if let Some(value) = value {
            if purge.info().field(wire).is_none() {
                return Err(Failure::usage(format!("--{flag} is not accepted by {}", route.operation_id)));
            }
            set.push((wire, value.to_string()));
        }
    }
    for arg in route.args {
        if let Some(value) = m.get_one::<String>(arg.field) {
            set.push((arg.field, value.clone()));
        }
    }
    // Flags of the command that this selection's operation does not take are refused.
    for (other, route_flag) in table::routes(route.command).flat_map(|r| r.flags.iter().map(move |f| (r, f))) {
        let given = match table::kind(other, route_flag.field) {
            Kind::Boolean => m.get_flag(route_flag.name).then(|| "true".to_string()),
            _ => m.get_one::<String>(route_flag.name).cloned(),
        };
        let Some(value) = given else { continue };
        match route.flags.iter().find(|f| f.name == route_flag.name) {
            Some(flag) => set.push((flag.field, value)),
            None => {
                let only: Vec<&str> = table::routes(route.command)
                    .filter(|r| r.flags.iter().any(|f| f.name == route_flag.name))
                    .filter_map(|r| r.selection)
                    .collect();
                return Err(Failure::usage(format!(
                    "--{} applies to {} selections only",
                    route_flag.name,
                    only.join(", ")
                )));
            }
        }
    }
    for (name, value) in set {
        purge = purge.set(name, &value).map_err(Failure::invalid)?;
    }
    Ok(purge)
}

/// Refuses a flag that sets a query parameter (`--project`, `--team-id`, `--scope`) given a blank
/// value on the command line, rather than reading it as "not given": `--team-id "$TEAM"` with
/// `TEAM` unset would otherwise act for no team (or for the linked project's), and `vercel`
/// refuses it too. A blank environment variable (`VERCEL_ORG_ID=`) is no value, and is not refused.
fn refuse_blank_flags(matches: &ArgMatches) -> Result<(), Failure> {
    for (flag, _) in cli_table::PARAMETERS {
        let id = flag.replace('-', "_");
        let typed = matches.value_source(&id) == Some(clap::parser::ValueSource::CommandLine);
        if typed && matches.get_one::<String>(&id).is_some_and(|v| v.trim().is_empty()) {
            return Err(Failure::usage(format!(
                "--{flag} is empty; give a value, or leave the flag out (a blank value is often an unset variable)"
            )));
        }
    }
    Ok(())
}

/// The project a directory is linked to by `vercel link`: `.vercel/project.json` in it or in
/// the nearest ancestor that has one, as the `vercel` CLI finds it.
struct Linked {
    project: String,
    org: Option<String>,
    /// The `.vercel/project.json` they came from.
    file: std::path::PathBuf,
}

impl Linked {
    fn find() -> Option<Self> {
        let cwd = std::env::current_dir().ok()?;
        let file = cwd.ancestors().map(|d| d.join(".vercel/project.json")).find(|f| f.is_file())?;
        let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
        let field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
        Some(Self { project: field("projectId")?.to_string(), org: field("orgId").map(str::to_string), file })
    }
}

/// The team a run acts for, from `--team-id` (`VERCEL_ORG_ID`) and `--scope`, as `vercel` reads
/// them: a blank `VERCEL_ORG_ID` is no value (blank flags were refused), a personal account's ID
/// (`usr_…`) is no team, and a `--scope` that is a team ID (`team_…`) goes out as one.
struct Team {
    id: Option<String>,
    slug: Option<String>,
}

impl Team {
    /// From the flags (and their variables), else the linked project's `orgId`.
    fn of(g: &Global, linked_org: Option<&str>) -> Self {
        let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let team_id = given(g.team_id.as_deref());
        let flagged = team_id.is_some() || given(g.scope.as_deref()).is_some();
        // A blank `VERCEL_ORG_ID` is no value: the link's team, if any, still applies.
        let team_id = if flagged { team_id } else { given(linked_org) };
        let mut id = team_id.filter(|id| !id.starts_with(reserved::PERSONAL_ACCOUNT_PREFIX));
        let mut slug = None;
        match given(g.scope.as_deref()) {
            Some(scope) if scope.starts_with("team_") => id = Some(scope),
            Some(scope) => slug = Some(scope),
            None => {}
        }
        Self { id, slug }
    }

    fn team_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn slug(&self) -> Option<&str> {
        self.slug.as_deref()
    }
}

/// clap_complete's bash script for a name with a hyphen, made to work: its loop names the state
/// `edge__cache__subcmd__invalidate` while its `case` arms spell it
/// `edge__subcmd__cache__subcmd__invalidate`, so nothing past the command name completed
/// (clap-rs/clap#6421, open in clap_complete 4.6.12). The arms are respelt as the loop spells them.
fn bash_fixed(script: Vec<u8>) -> Vec<u8> {
    match String::from_utf8(script) {
        Ok(text) => text.replace("edge__subcmd__cache", "edge__cache").into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

struct Context<'a> {
    global: &'a Global,
    project: &'a str,
    command: &'a str,
    confirm: Option<&'static str>,
    items: &'a Items,
    matches: &'a ArgMatches,
}

fn execute<'a>(ctx: &Context, client: &'a EdgeCache, mut purge: DynPurge<'a>) -> Result<ExitCode, Failure> {
    let g = ctx.global;
    let invalid = purge.invalid_items();
    if !invalid.is_empty() {
        let noun = ctx.items.nouns().map_or("items", |n| if invalid.len() == 1 { n.0 } else { n.1 });
        let named = invalid::lines(&invalid, &ctx.items.sources).join("\n");
        let breaks = if invalid.len() == 1 { "breaks" } else { "break" };
        if !g.skip_invalid {
            return Err(Failure::invalid(format!(
                "{} {noun} {breaks} the spec's rules (--skip-invalid sends the others):\n{named}",
                invalid.len()
            )));
        }
        let saved = if g.dry_run { "" } else { " (not done, and saved with --save-failed)" };
        tell!("warning: leaving out {} {noun} that {breaks} the spec's rules{saved}:\n{named}", invalid.len());
        purge = purge.skip_invalid();
    }
    let as_json = g.json || g.json_lines;
    let plan = purge.plan().map_err(Failure::invalid)?;
    if g.dry_run {
        report::dry_run(&plan, as_json);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(why) = ctx.confirm
        && !g.yes
    {
        confirm(ctx, why, plan.len())?;
    }
    let noun = ctx.items.nouns();
    // With --debug, stderr is the trace's: no bar drawn over it.
    let progress = match noun {
        Some(noun) if g.debug == 0 => progress_bar(plan.len() as u64, noun.1),
        _ => indicatif::ProgressBar::hidden(),
    };
    let bar = progress.clone();
    let confirmed = Confirmed::default();
    let record = confirmed.clone();
    let events = g.json_lines.then(json_result::BatchEvents::default);
    let purge = purge.on_batch(move |batch: &BatchOutcome, progress: &Progress| {
        record.record(batch);
        if let Some(events) = &events {
            // A reader gone away (a closed pipe) does not stop the run: the result is still
            // saved (--save-failed), and the exit code still says it.
            say!("{}", json::line(&events.event(batch, progress)));
        }
        bar.inc(1);
        let waited = client.rate_limit_waited();
        if !waited.is_zero() {
            bar.set_message(format!("{:.1} s waiting on the rate limit", waited.as_secs_f64()));
        }
    });
    let internal =
        |what: &str, e: std::io::Error| Failure { code: 1, message: format!("{what}: {e}"), kind: "internal" };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| internal("cannot start the async runtime", e))?;
    // A signal (Ctrl-C, SIGTERM, SIGHUP): stop sending, give requests in flight a short grace,
    // then report and save what is not done. A second one quits at once, still saving what is not
    // confirmed done (the file is renamed into place whole, so it is complete or absent).
    let cancel = vercel_edge_cache::CancellationToken::new();
    let purge = purge.cancel_on(&cancel);
    let save = g.save_failed.as_deref();
    let ended = runtime
        .block_on(async {
            let mut signals = Signals::listen()?;
            Ok(signals::watch(purge.send(), &mut signals, |signal| {
                cancel.cancel();
                report::stopping(signal, save);
            })
            .await)
        })
        .map_err(|e| internal("cannot listen for signals", e))?;
    progress.finish_and_clear();
    let (report, signal) = match ended {
        Ended::Finished(report, signal) => (report.map_err(Failure::invalid)?, signal),
        Ended::Quit { first, second } => {
            let not_done = confirmed.not_done(&ctx.items.items);
            let not_saved = save.and_then(|path| save::save_failed(path, not_done.iter().map(String::as_str)).err());
            report::quit(ctx.items, ctx.project, &not_done, (first, second), as_json, not_saved.as_deref());
            // The first signal's code: it is what stopped the run.
            return Ok(save::after_saving(first.exit_code(), not_saved));
        }
    };
    let not_saved = save.and_then(|path| save::save_failed(path, report.not_done()).err());
    report::outcome(&report, ctx.project, noun, plan.len(), as_json, not_saved.as_deref());
    // A refusal (401, 402, 403, 404) needs a person, not a retry: an exit code of its own.
    let refused = report.failures().any(|b| b.result.as_ref().is_err_and(|e| e.refusal().is_some()));
    let code = match report.outcome() {
        // Only a signal cancels a run: shells' code for it (130 for Ctrl-C).
        Outcome::Stopped { reason: StopReason::Cancelled, .. } => {
            signal.map_or(Signal::Interrupt.exit_code(), Signal::exit_code)
        }
        Outcome::Stopped { reason: StopReason::Refused { .. }, .. } => 3,
        Outcome::Partial { .. } if refused => 3,
        Outcome::Done => 0,
        _ => 1,
    };
    Ok(save::after_saving(code, not_saved))
}

/// Asks before a command that says so; without a terminal, `--yes` is required.
fn confirm(ctx: &Context, why: &str, requests: usize) -> Result<(), Failure> {
    let stdin = std::io::stdin();
    let why_not = if ctx.items.reads_stdin(ctx.matches) {
        Some("its standard input gives the items")
    } else {
        (!stdin.is_terminal()).then_some("its standard input is not a terminal")
    };
    if let Some(why_not) = why_not {
        return Err(Failure::usage(format!(
            "{} needs confirmation, and cannot ask: {why_not}. Pass --yes to confirm. Nothing was sent.",
            ctx.command
        )));
    }
    let what = match ctx.items.nouns() {
        Some((one, many)) => {
            let n = ctx.items.items.len();
            format!(" {n} {} of", if n == 1 { one } else { many })
        }
        None => {
            ctx.items
                .route
                .args
                .iter()
                .map(|a| format!(" {}", ctx.matches.get_one::<String>(a.field).map_or("", String::as_str)))
                .collect::<String>()
                + " for"
        }
    };
    let _ = write!(
        std::io::stderr(),
        "{}{what} project {} ({} request{})? {why} [y/N] ",
        ctx.command,
        ctx.project,
        requests,
        if requests == 1 { "" } else { "s" }
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin.read_line(&mut answer).map_err(|e| Failure::usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::usage("not confirmed; nothing was sent"))
    }
}

/// A progress bar on stderr for runs of several batches, when stderr is a terminal.
fn progress_bar(batches: u64, noun: &str) -> indicatif::ProgressBar {
    if batches < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(batches);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:30}} {{pos}}/{{len}} requests ({noun}) {{elapsed}} {{msg}}"
    )) {
        bar.set_style(style);
    }
    bar
}
