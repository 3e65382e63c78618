//! `cargo xtask test [CARGO TEST ARGS]`: install what the tests need (once per lockfile), validate
//! the spec, then run every test binary of the workspace with `cargo test --no-fail-fast`, and end
//! with every binary's time and every failure, each with the command that reruns it alone.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::test_report::Report;
use crate::{paths, tools};

/// Runs the tests with `extra` passed on to `cargo test`; fails when a tool cannot be installed,
/// the spec is invalid, or any test binary failed.
pub fn run(extra: &[String]) -> ExitCode {
    let started = Instant::now();
    let root = paths::root();
    let tools = match tools::install(&root).and_then(|t| tools::validate_spec(&root, &t).map(|()| t)) {
        Ok(tools) => tools,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(&root)
        .args(cargo_args(extra))
        .env("PRISM_BIN", &tools.prism)
        .env("SCHEMATHESIS_BIN", &tools.schemathesis)
        .env("EDGE_CACHE_SPEC", root.join("spec/edge-cache.yaml"));
    eprintln!("tools and spec ready in {:.0} s; cargo test:", started.elapsed().as_secs_f64());
    let started = Instant::now();
    match run_and_read(cmd, started) {
        Ok((report, cargo_ok)) => {
            print!("{}", report.summary(cargo_ok, started.elapsed()));
            if report.passed(cargo_ok) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("error: cannot run cargo test: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo test`'s arguments: every package (unless one is named) with every feature, every
/// binary whatever fails (`--no-fail-fast`), the build's messages as JSON for [`Report`], then
/// the caller's arguments, cargo's and, after `--`, the test binaries'.
fn cargo_args(extra: &[String]) -> Vec<String> {
    let ours = extra.iter().position(|a| a == "--").map_or(extra, |i| &extra[..i]);
    let has = |flag: &str| ours.iter().any(|a| a == flag || a.starts_with(&format!("{flag}=")));
    let mut args: Vec<String> = vec!["test".into(), "--message-format=json-render-diagnostics".into()];
    let names_a_package = has("--package") || ours.iter().any(|a| a.starts_with("-p"));
    if !names_a_package && !has("--workspace") {
        args.push("--workspace".into());
    }
    if !has("--all-features") {
        args.push("--all-features".into());
    }
    if !has("--no-fail-fast") {
        args.push("--no-fail-fast".into());
    }
    args.extend(extra.iter().cloned());
    args
}

/// Runs `cmd` with its output and errors on one pipe, in the order they were written: the JSON
/// messages go to the report, every other line to standard output and the report.
fn run_and_read(mut cmd: Command, started: Instant) -> std::io::Result<(Report, bool)> {
    let (reader, writer) = std::io::pipe()?;
    cmd.stdout(writer.try_clone()?).stderr(writer);
    let mut child = cmd.spawn()?;
    // The command holds the pipe's writing ends: drop them, or the pipe never closes.
    drop(cmd);
    let mut report = Report::default();
    let mut reader = BufReader::new(reader);
    let mut bytes = Vec::new();
    let stdout = std::io::stdout();
    while reader.read_until(b'\n', &mut bytes)? > 0 {
        let line = String::from_utf8_lossy(&bytes);
        match line.starts_with("{\"reason\":").then(|| serde_json::from_str(&line).ok()).flatten() {
            Some(message) => report.artifact(&message),
            None => {
                let mut out = stdout.lock();
                out.write_all(&bytes)?;
                out.flush()?;
                report.line(&line, started.elapsed());
            }
        }
        bytes.clear();
    }
    let status = child.wait()?;
    Ok((report, status.success()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> String {
        cargo_args(&extra.iter().map(|s| s.to_string()).collect::<Vec<_>>()).join(" ")
    }

    #[test]
    fn cargo_gets_the_callers_flags_and_filter_and_runs_every_binary() {
        let base = "test --message-format=json-render-diagnostics";
        assert_eq!(args(&[]), format!("{base} --workspace --all-features --no-fail-fast"));
        assert_eq!(
            args(&["--no-fail-fast", "rate_limit"]),
            format!("{base} --workspace --all-features --no-fail-fast rate_limit")
        );
        assert_eq!(
            args(&["-p", "vercel-edge-cache", "--test", "cli", "--", "a_test", "--exact"]),
            format!("{base} --all-features --no-fail-fast -p vercel-edge-cache --test cli -- a_test --exact")
        );
        // After `--`, arguments are the test binaries': they name no package.
        assert_eq!(args(&["--", "-p"]), format!("{base} --workspace --all-features --no-fail-fast -- -p"));
    }
}
