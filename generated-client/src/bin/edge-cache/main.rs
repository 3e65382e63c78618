//! `edge-cache`: invalidate or delete Vercel's CDN cache from the command line.

mod args;
mod input;
mod report;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use vercel_edge_cache::{BatchOutcome, EdgeCache, Error, Kind, Purge, Target};

use crate::args::{Cli, Command, TargetArg};
use crate::input::Items;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.global.json;
    match run(cli) {
        Ok(code) => code,
        Err(f) => {
            if json {
                println!("{}", serde_json::json!({ "ok": false, "error": { "kind": f.kind, "message": f.message } }));
            }
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let g = &cli.global;
    let project = g
        .project
        .clone()
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| Failure::usage("--project <ID_OR_NAME> is required (or set VERCEL_PROJECT_ID)"))?;
    let (selection, deadline, yes, delete) = match &cli.command {
        Command::Invalidate(sel) => (sel, None, false, false),
        Command::DangerouslyDelete { selection, revalidation_deadline_seconds, yes } => {
            (selection, *revalidation_deadline_seconds, *yes, true)
        }
    };
    let items = Items::read(selection)?;
    if !(g.timeout.is_finite() && g.timeout > 0.0 && g.timeout <= 86_400.0) {
        return Err(Failure::usage(format!(
            "--timeout must be more than 0 and at most 86400 seconds, got {}",
            g.timeout
        )));
    }
    if g.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1, got 0"));
    }
    // The token is only needed to send; a dry run works without it.
    let token = match (&g.token, g.dry_run) {
        (Some(t), _) if !t.trim().is_empty() => t.clone(),
        (_, true) => "dry-run".to_string(),
        _ => return Err(Failure::usage("--token <TOKEN> is required (or set VERCEL_TOKEN)")),
    };
    let mut builder = EdgeCache::builder(token)
        .base_url(g.api_url.clone())
        .timeout(Duration::from_secs_f64(g.timeout))
        .max_retries(g.max_retries)
        .concurrency(g.concurrency);
    if let Some(team) = &g.team_id {
        builder = builder.team_id(team.clone());
    }
    if let Some(slug) = &g.scope {
        builder = builder.slug(slug.clone());
    }
    let client = builder.build().map_err(|e| Failure::usage(e.to_string()))?;
    let target = selection.target.map(|t| match t {
        TargetArg::Production => Target::Production,
        TargetArg::Preview => Target::Preview,
    });
    let noun = items.noun();
    let count = items.len();
    let ctx = Context { cli: &cli, project: &project, noun, count, delete, yes };
    match (items, delete) {
        (Items::Tags(tags), false) => {
            let mut p = client.invalidate_by_tags(project.clone(), tags);
            if let Some(t) = target {
                p = p.target(t);
            }
            execute(&ctx, p)
        }
        (Items::Tags(tags), true) => {
            let mut p = client.dangerously_delete_by_tags(project.clone(), tags);
            if let Some(t) = target {
                p = p.target(t);
            }
            if let Some(d) = deadline {
                p = p.revalidation_deadline_seconds(d);
            }
            execute(&ctx, p)
        }
        (Items::SrcImages(images), false) => execute(&ctx, client.invalidate_by_src_images(project.clone(), images)),
        (Items::SrcImages(images), true) => {
            let mut p = client.dangerously_delete_by_src_images(project.clone(), images);
            if let Some(d) = deadline {
                p = p.revalidation_deadline_seconds(d);
            }
            execute(&ctx, p)
        }
    }
}

struct Context<'a> {
    cli: &'a Cli,
    project: &'a str,
    noun: &'static str,
    count: usize,
    delete: bool,
    yes: bool,
}

fn execute<K: Kind>(ctx: &Context, purge: Purge<'_, K>) -> Result<ExitCode, Failure> {
    let g = &ctx.cli.global;
    let plan = purge.plan().map_err(|e| match e {
        Error::InvalidInput(v) => {
            Failure { code: 2, message: format!("invalid input, nothing was sent: {v}"), kind: "validation" }
        }
        other => Failure::usage(other.to_string()),
    })?;
    if g.dry_run {
        report::dry_run(&plan, g.json);
        return Ok(ExitCode::SUCCESS);
    }
    if ctx.delete && !ctx.yes {
        confirm(ctx, plan.len())?;
    }
    let batches = plan.len();
    let progress = progress_bar(batches as u64, ctx.noun);
    let bar = progress.clone();
    let purge = purge.on_batch(move |_: &BatchOutcome| bar.inc(1));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| Failure {
        code: 1,
        message: format!("cannot start the async runtime: {e}"),
        kind: "internal",
    })?;
    let report =
        runtime.block_on(purge.send()).map_err(|e| Failure { code: 2, message: e.to_string(), kind: "validation" })?;
    progress.finish_and_clear();
    report::outcome(&report, ctx.project, ctx.noun, g.json);
    Ok(if report.is_success() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Asks before a dangerous delete; without a terminal, `--yes` is required.
fn confirm(ctx: &Context, requests: usize) -> Result<(), Failure> {
    let stdin = std::io::stdin();
    let reads_stdin = ctx_reads_stdin(ctx);
    if !stdin.is_terminal() || reads_stdin {
        return Err(Failure::usage(
            "dangerously-delete needs confirmation, and there is no terminal to ask on: pass --yes to confirm. Nothing was sent.",
        ));
    }
    eprint!(
        "Dangerously delete {} {} of project {} ({} request{})? The next request for each entry will wait for the origin. [y/N] ",
        ctx.count,
        ctx.noun,
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

fn ctx_reads_stdin(ctx: &Context) -> bool {
    let dash = std::path::Path::new("-");
    match &ctx.cli.command {
        Command::Invalidate(s) | Command::DangerouslyDelete { selection: s, .. } => {
            s.tags_from.as_deref() == Some(dash) || s.srcimgs_from.as_deref() == Some(dash)
        }
    }
}

/// A progress bar on stderr for runs of several batches, when stderr is a terminal.
fn progress_bar(batches: u64, noun: &str) -> indicatif::ProgressBar {
    if batches < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(batches);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template(&format!("{{bar:30}} {{pos}}/{{len}} requests ({noun}) {{elapsed}}"))
    {
        bar.set_style(style);
    }
    bar
}
