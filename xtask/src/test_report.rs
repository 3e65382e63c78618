//! What `cargo test --no-fail-fast --message-format=json-render-diagnostics` printed, read line by
//! line: which test binary ran when, which of its tests failed, and how to rerun each failure
//! alone. `cargo xtask test` ends with [`Report::summary`].
//!
//! The build's JSON messages (`compiler-artifact`) name each test executable's package and target,
//! so a binary's `Running tests/cli.rs (target/debug/deps/cli-0123)` line becomes the selector
//! `-p vercel-edge-cache --test cli`, and `Doc-tests vercel_edge_cache` becomes
//! `-p vercel-edge-cache --doc`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

/// How many seconds a binary must take to be listed in the timing table.
const LISTED: Duration = Duration::from_secs(1);

/// The counts of a `test result:` line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
    pub measured: u64,
    pub filtered_out: u64,
}

impl Counts {
    /// The counts of `test result: ok. 3 passed; 1 failed; 0 ignored; 0 measured; 2 filtered out; finished in 0.1s`.
    fn parse(line: &str) -> Option<Counts> {
        let rest = line.strip_prefix("test result: ")?;
        let (_, counts) = rest.split_once(". ")?;
        let mut c = Counts::default();
        for part in counts.split("; ") {
            let Some((n, what)) = part.split_once(' ') else { continue };
            let Ok(n) = n.parse() else { continue };
            match what {
                "passed" => c.passed = n,
                "failed" => c.failed = n,
                "ignored" => c.ignored = n,
                "measured" => c.measured = n,
                "filtered out" => c.filtered_out = n,
                _ => {}
            }
        }
        Some(c)
    }

    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
        self.measured += other.measured;
        self.filtered_out += other.filtered_out;
    }
}

/// One test binary's run (or one crate's doc tests).
#[derive(Debug)]
pub struct Binary {
    /// The cargo arguments that select it, such as `-p vercel-edge-cache --test cli`, or what
    /// cargo's line named when the build did not say (`tests/cli.rs`).
    pub selector: String,
    /// When it started, from the start of `cargo test`.
    pub started: Duration,
    /// How long it ran, to its last line.
    pub took: Duration,
    /// Its tests that printed `test NAME ... FAILED`.
    pub failed_tests: Vec<String>,
    /// Whether cargo said it failed (`error: test failed, to rerun pass …`).
    pub failed: bool,
    /// Its `test result:` line, once printed.
    pub counts: Option<Counts>,
    /// Where its output is: before `failures:` (the result lines), in the failures' details
    /// (where a test's captured output, even another `cargo test`'s, is printed), or ended by
    /// cargo's word that it failed.
    part: Part,
}

/// Where a binary's output is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Results,
    Details,
    Done,
}

/// The test binaries of one `cargo test` run, as read from its output.
#[derive(Default)]
pub struct Report {
    /// Test executables' file names (`cli-0123abcd`) → their selectors.
    executables: HashMap<String, String>,
    /// Library names (`vercel_edge_cache`) → their packages, for doc tests.
    libraries: HashMap<String, String>,
    pub binaries: Vec<Binary>,
}

/// A package's name from its id: `path+file:///w/generated-client#vercel-edge-cache@0.1.0`, or
/// `path+file:///w/xtask#0.1.0` when the name is the directory's.
fn package_name(id: &str) -> Option<String> {
    let (url, fragment) = id.rsplit_once('#')?;
    match fragment.split_once('@') {
        Some((name, _)) => Some(name.to_string()),
        None => url.rsplit('/').next().map(str::to_string),
    }
}

impl Report {
    /// Reads one `compiler-artifact` message of the build.
    pub fn artifact(&mut self, message: &serde_json::Value) {
        if message["reason"] != "compiler-artifact" {
            return;
        }
        let Some(package) = message["package_id"].as_str().and_then(package_name) else { return };
        let target = &message["target"];
        let (Some(name), Some(kind)) = (target["name"].as_str(), target["kind"][0].as_str()) else { return };
        if kind == "lib" {
            self.libraries.insert(name.to_string(), package.clone());
        }
        let Some(exe) = message["executable"].as_str() else { return };
        let file = exe.rsplit(['/', '\\']).next().unwrap_or(exe).trim_end_matches(".exe");
        let selector = match kind {
            "lib" | "proc-macro" => format!("-p {package} --lib"),
            other => format!("-p {package} --{other} {name}"),
        };
        self.executables.insert(file.to_string(), selector);
    }

    /// Reads one line of cargo's or a test binary's output, `now` after the start of the run.
    ///
    /// A failed test's captured output, printed under `failures:`, may hold another
    /// `cargo test`'s lines (the replays run cargo in copies of the workspace): those belong to
    /// that test. So a binary starts at a `Running` line naming an executable of this build (or
    /// at `Doc-tests`, outside a failure's details), and a failed binary ends at cargo's
    /// `error: test failed, to rerun pass `SELECTOR`` naming it; its counts are its last
    /// `test result:` line.
    pub fn line(&mut self, line: &str, now: Duration) {
        let line = line.trim_end();
        if let Some(current) = self.binaries.last_mut() {
            current.took = now.saturating_sub(current.started);
        }
        let status = line.trim_start();
        let part = self.binaries.last().map_or(Part::Done, |b| b.part);
        if let Some(rest) = status.strip_prefix("Running ") {
            // `Running tests/cli.rs (target/debug/deps/cli-0123abcd)`
            let exe = rest.rsplit_once(" (").map(|(_, p)| p.trim_end_matches(')')).unwrap_or(rest);
            let file = exe.rsplit(['/', '\\']).next().unwrap_or(exe).trim_end_matches(".exe");
            match self.executables.get(file) {
                Some(selector) => return self.start(selector.clone(), now),
                None if self.executables.is_empty() && part != Part::Details => {
                    return self.start(rest.to_string(), now);
                }
                None => {}
            }
        } else if let Some(library) = status.strip_prefix("Doc-tests ")
            && part != Part::Details
        {
            let selector = match self.libraries.get(library) {
                Some(package) => format!("-p {package} --doc"),
                None => format!("--doc ({library})"),
            };
            return self.start(selector, now);
        }
        let Some(current) = self.binaries.last_mut() else { return };
        if cargo_says_failed(line, &current.selector) {
            current.failed = true;
            current.part = Part::Done;
        } else if current.part == Part::Results
            && let Some(name) = line.strip_prefix("test ").and_then(|l| l.strip_suffix(" ... FAILED"))
        {
            current.failed_tests.push(name.to_string());
        } else if line == "failures:" && current.part == Part::Results {
            current.part = Part::Details;
        } else if let Some(counts) = Counts::parse(line) {
            current.counts = Some(counts);
        }
    }

    fn start(&mut self, selector: String, now: Duration) {
        self.binaries.push(Binary {
            selector,
            started: now,
            took: Duration::ZERO,
            failed_tests: Vec::new(),
            failed: false,
            counts: None,
            part: Part::Results,
        });
    }

    /// The binaries that failed: with a failed test, a `FAILED` result, or cargo's word.
    pub fn failed(&self) -> impl Iterator<Item = &Binary> {
        self.binaries.iter().filter(|b| {
            b.failed || !b.failed_tests.is_empty() || b.counts.is_some_and(|c| c.failed > 0) || b.counts.is_none()
        })
    }

    /// Whether the run passed: cargo exited with success and no binary failed.
    pub fn passed(&self, cargo_ok: bool) -> bool {
        cargo_ok && self.failed().next().is_none()
    }

    /// The end of `cargo xtask test`'s output: the binaries by time (those of a second or more),
    /// every failure with the command that reruns it alone, and the totals as a `test result:` line.
    /// `cargo_ok` is whether cargo exited with success; `total` is the run's time.
    pub fn summary(&self, cargo_ok: bool, total: Duration) -> String {
        let mut out = String::new();
        let build = self.binaries.first().map_or(total, |b| b.started);
        let mut by_time: Vec<&Binary> = self.binaries.iter().collect();
        by_time.sort_by(|a, b| b.took.cmp(&a.took).then_with(|| a.selector.cmp(&b.selector)));
        let shown: Vec<&&Binary> = by_time.iter().filter(|b| b.took >= LISTED).collect();
        let _ = writeln!(
            out,
            "\ntest binaries by time: {} ran in {:.0} s after {:.0} s of building ({} under {} s not listed)",
            self.binaries.len(),
            total.saturating_sub(build).as_secs_f64(),
            build.as_secs_f64(),
            self.binaries.len() - shown.len(),
            LISTED.as_secs(),
        );
        for b in shown {
            let _ = writeln!(out, "  {:>6.1} s  {}", b.took.as_secs_f64(), b.selector);
        }
        let mut totals = Counts::default();
        for b in &self.binaries {
            totals.add(b.counts.unwrap_or_default());
        }
        let failed: Vec<&Binary> = self.failed().collect();
        let mut failures = 0;
        if !failed.is_empty() {
            let _ = writeln!(out, "\nfailures:");
        }
        for b in &failed {
            if b.failed_tests.is_empty() {
                failures += 1;
                let _ =
                    writeln!(out, "FAILED  {}  (the binary failed, not one test: see its output above)", b.selector);
                let _ = writeln!(out, "        rerun: cargo xtask test {}", b.selector);
            }
            for test in &b.failed_tests {
                failures += 1;
                let _ = writeln!(out, "FAILED  {}  {test}", b.selector);
                let _ = writeln!(out, "        rerun: cargo xtask test {} -- {} --exact", b.selector, quoted(test));
            }
        }
        if !cargo_ok && failed.is_empty() {
            failures += 1;
            let _ =
                writeln!(out, "\nerror: cargo test failed before or between the test binaries (see its errors above)");
        }
        let ok = self.passed(cargo_ok);
        let _ = writeln!(
            out,
            "test result: {}. {} passed; {} failed; {} ignored; {} measured; {} filtered out; finished in {:.2}s",
            if ok { "ok" } else { "FAILED" },
            totals.passed,
            totals.failed.max(failures),
            totals.ignored,
            totals.measured,
            totals.filtered_out,
            total.as_secs_f64(),
        );
        out
    }
}

/// Whether `line` is cargo's word that the binary `selector` failed: `error: test failed, to
/// rerun pass `-p vercel-edge-cache --test cli`` (or `doctest failed`). A selector that is not
/// one (the build said nothing of the binary) takes any such line.
fn cargo_says_failed(line: &str, selector: &str) -> bool {
    let Some(rest) = line
        .strip_prefix("error: test failed, to rerun pass `")
        .or_else(|| line.strip_prefix("error: doctest failed, to rerun pass `"))
    else {
        return false;
    };
    rest.strip_suffix('`') == Some(selector) || !selector.starts_with("-p ")
}

/// `word` as one shell word.
fn quoted(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "_-:./=@".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(package_id: &str, kind: &str, name: &str, exe: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "reason": "compiler-artifact",
            "package_id": package_id,
            "target": { "kind": [kind], "name": name },
            "executable": exe,
        })
    }

    /// A run of two packages: a CLI test with one failed test, a generator test binary that
    /// crashed without a result line, doc tests with a failed example, and a passing binary.
    fn sample() -> Report {
        let mut r = Report::default();
        let client = "path+file:///w/generated-client#vercel-edge-cache@0.1.0";
        let generator = "path+file:///w/generator#edge-cache-generator@0.1.0";
        r.artifact(&artifact(client, "lib", "vercel_edge_cache", None));
        r.artifact(&artifact(client, "test", "cli", Some("/w/target/debug/deps/cli-0123abcd")));
        r.artifact(&artifact(generator, "test", "defects", Some("/w/target/debug/deps/defects-4567")));
        r.artifact(&artifact("path+file:///w/xtask#0.1.0", "bin", "xtask", Some("/w/target/debug/deps/xtask-89ab")));
        let transcript = [
            (0, "   Compiling vercel-edge-cache v0.1.0 (/w/generated-client)"),
            (40, "     Running tests/cli.rs (target/debug/deps/cli-0123abcd)"),
            (40, ""),
            (40, "running 3 tests"),
            (41, "test refuses_an_empty_tag ... ok"),
            (45, "test dry_run_prints_the_plan ... FAILED"),
            (45, "test help_lists_the_commands ... ok"),
            (45, "failures:"),
            (45, "    dry_run_prints_the_plan"),
            (46, "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 5.80s"),
            (46, "error: test failed, to rerun pass `-p vercel-edge-cache --test cli`"),
            (46, "     Running tests/defects.rs (target/debug/deps/defects-4567)"),
            (46, "running 2 tests"),
            (47, "error: test failed, to rerun pass `-p edge-cache-generator --test defects`"),
            (47, "     Running src/main.rs (target/debug/deps/xtask-89ab)"),
            (48, "test result: ok. 4 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s"),
            (48, "   Doc-tests vercel_edge_cache"),
            (50, "test src/lib.rs - EdgeCache (line 12) ... FAILED"),
            (51, "test result: FAILED. 7 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 2.00s"),
            (51, "error: doctest failed, to rerun pass `-p vercel-edge-cache --doc`"),
        ];
        for (s, line) in transcript {
            r.line(line, Duration::from_secs(s));
        }
        r
    }

    #[test]
    fn every_failure_is_listed_with_its_binary_and_the_command_that_reruns_it_alone() {
        let summary = sample().summary(false, Duration::from_secs(52));
        let failures = summary.split("\nfailures:\n").nth(1).expect(&summary);
        assert_eq!(
            failures,
            "FAILED  -p vercel-edge-cache --test cli  dry_run_prints_the_plan
        rerun: cargo xtask test -p vercel-edge-cache --test cli -- dry_run_prints_the_plan --exact
FAILED  -p edge-cache-generator --test defects  (the binary failed, not one test: see its output above)
        rerun: cargo xtask test -p edge-cache-generator --test defects
FAILED  -p vercel-edge-cache --doc  src/lib.rs - EdgeCache (line 12)
        rerun: cargo xtask test -p vercel-edge-cache --doc -- 'src/lib.rs - EdgeCache (line 12)' --exact
test result: FAILED. 13 passed; 3 failed; 1 ignored; 0 measured; 0 filtered out; finished in 52.00s
"
        );
    }

    #[test]
    fn another_cargo_tests_output_printed_by_a_failed_test_is_that_tests_not_this_runs() {
        let mut r = Report::default();
        let generator = "path+file:///w/generator#edge-cache-generator@0.1.0";
        r.artifact(&artifact(generator, "test", "evolution", Some("/w/target/debug/deps/evolution-77")));
        let transcript = [
            "     Running tests/evolution.rs (target/debug/deps/evolution-77)",
            "test removed ... ok",
            "test limits ... FAILED",
            "failures:",
            "---- limits stdout ----",
            "limits: the regenerated crate fails to build or its tests fail:",
            "     Running tests/evolution.rs (target/tmp/evolution/target/debug/deps/evolution-99)",
            "test a_copys_test ... FAILED",
            "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.10s",
            "error: test failed, to rerun pass `--test evolution`",
            "   Doc-tests vercel_edge_cache",
            "test src/lib.rs - (line 51) - compile ... FAILED",
            "failures:",
            "    limits",
            "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 24.00s",
            "error: test failed, to rerun pass `-p edge-cache-generator --test evolution`",
        ];
        for line in transcript {
            r.line(line, Duration::ZERO);
        }
        assert_eq!(r.binaries.len(), 1, "{:?}", r.binaries);
        assert_eq!(r.binaries[0].failed_tests, ["limits"]);
        assert!(r.binaries[0].failed);
        assert_eq!(r.binaries[0].counts.map(|c| (c.passed, c.failed)), Some((1, 1)));
    }

    #[test]
    fn binaries_are_listed_slowest_first_with_the_build_time_apart() {
        let summary = sample().summary(false, Duration::from_secs(52));
        let table: Vec<&str> = summary.lines().skip(1).take(4).collect();
        assert_eq!(
            table,
            [
                "test binaries by time: 4 ran in 12 s after 40 s of building (0 under 1 s not listed)",
                "     6.0 s  -p vercel-edge-cache --test cli",
                "     3.0 s  -p vercel-edge-cache --doc",
                "     1.0 s  -p edge-cache-generator --test defects",
            ]
        );
        assert!(summary.contains("     1.0 s  -p xtask --bin xtask\n"), "{summary}");
    }

    #[test]
    fn a_clean_run_ends_with_an_ok_result_line_and_lists_no_failure() {
        let mut r = Report::default();
        r.line("     Running tests/b.rs (target/debug/deps/b-d8c9)", Duration::from_secs(3));
        r.line(
            "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 2 filtered out; finished in 0.00s",
            Duration::from_secs(3),
        );
        let summary = r.summary(true, Duration::from_secs(3));
        assert!(!summary.contains("FAILED") && !summary.contains("failures:"), "{summary}");
        // Without the build's messages, the binary is named as cargo named it.
        assert!(summary.contains("1 under 1 s not listed"), "{summary}");
        assert!(summary.ends_with(
            "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 2 filtered out; finished in 3.00s\n"
        ));
    }

    #[test]
    fn a_failed_build_is_a_failed_run() {
        let summary = Report::default().summary(false, Duration::from_secs(9));
        assert!(summary.contains("error: cargo test failed before or between the test binaries"), "{summary}");
        assert!(summary.ends_with(
            "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 9.00s\n"
        ));
    }

    #[test]
    fn package_names_come_from_ids_with_and_without_a_name() {
        assert_eq!(
            package_name("path+file:///w/generated-client#vercel-edge-cache@0.1.0").as_deref(),
            Some("vercel-edge-cache")
        );
        assert_eq!(package_name("path+file:///w/xtask#0.1.0").as_deref(), Some("xtask"));
    }
}
