//! `cargo xtask codegen`: generate, then write atomically or (`--check`) compare.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::paths;

/// The most diff lines `--check` prints per stale file.
const MAX_DIFF_LINES: usize = 80;

pub fn run(check: bool, spec: Option<PathBuf>, out: Option<PathBuf>) -> ExitCode {
    let mut command = String::from("cargo xtask codegen");
    if let Some(s) = &spec {
        command.push_str(&format!(" --spec {}", s.display()));
    }
    if let Some(o) = &out {
        command.push_str(&format!(" --out {}", o.display()));
    }
    let default_spec = spec.is_none() && out.is_none();
    let spec = spec.unwrap_or_else(paths::default_spec);
    let out = out.unwrap_or_else(paths::default_out);
    let label = paths::label(&spec);
    // Errors name the spec as the maintainer gave it.
    let files = match generator::generate_file(&spec, &label) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: cannot generate the client; nothing was written.\n{e}");
            return ExitCode::FAILURE;
        }
    };
    if check {
        let stale = generator::output::check(&out, &files, MAX_DIFF_LINES);
        if stale.is_empty() {
            return ExitCode::SUCCESS;
        }
        for s in &stale {
            eprintln!("{} is stale:\n{}", out.join(&s.path).display(), s.diff);
        }
        eprintln!(
            "error: {} generated file(s) do not match {label}. Run `{command}` and commit the result.",
            stale.len()
        );
        return ExitCode::FAILURE;
    }
    match generator::output::write_all(&out, &files) {
        Ok(written) => {
            for w in &written {
                eprintln!("wrote {}", paths::label(w));
            }
            if written.is_empty() {
                eprintln!("the generated files are up to date");
            }
            // What the spec change does to users, in one line (the spec side against HEAD).
            if default_spec {
                eprintln!("{}", crate::api_diff::codegen_summary(&paths::root()));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
