//! `cargo xtask spec-diff`: compare the spec with a published description; the logic is
//! `generator::spec_diff`.
//!
//! Prints one line per difference on stdout and a summary on stderr. Exit code: 0 no drift
//! (deliberate deviations allowed), 1 drift, 2 error (a file is missing, unreadable or invalid).

use std::path::PathBuf;
use std::process::ExitCode;

use generator::spec_diff::Kind;

use crate::paths;

pub fn run(upstream: PathBuf, spec: Option<PathBuf>) -> ExitCode {
    let spec = spec.unwrap_or_else(paths::default_spec);
    let report = match generator::spec_diff::diff_files(&spec, &upstream) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: cannot compare the specs.\n{e}");
            return ExitCode::from(2);
        }
    };
    for line in report.lines() {
        println!("{line}");
    }
    eprintln!(
        "spec-diff: {} drift, {} deliberate, {} upstream-only ({} against {})",
        report.count(Kind::Drift),
        report.count(Kind::Deliberate),
        report.count(Kind::UpstreamOnly),
        paths::label(&spec),
        paths::label(&upstream),
    );
    ExitCode::from(report.exit_code())
}
