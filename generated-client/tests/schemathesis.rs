//! schemathesis, a property-based API fuzzer, against `edge-cache mock --require-token`, with
//! the project's spec and every check on (`--checks all`): the testing kit must accept every
//! request the spec allows, refuse every request it forbids, and answer as the spec says
//! (status codes, content types, headers, a 405's `Allow`, auth).
//!
//! `cargo xtask test` installs schemathesis (pinned in `tools/schemathesis/requirements.txt`)
//! into a virtualenv in the target directory and sets `SCHEMATHESIS_BIN` and `EDGE_CACHE_SPEC`.
//! It never skips: without schemathesis the test fails and says how to install it.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_edge-cache");
/// The token the mock requires (schemathesis sends it; its `ignored_auth` check leaves it out).
const TOKEN: &str = "schemathesis-token";
/// How long a run may take (it takes seconds).
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// The target directory the test was built into.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("tmp is in the target dir").to_path_buf()
}

/// `st`: `SCHEMATHESIS_BIN`, else where `cargo xtask test` installs it.
fn schemathesis_bin() -> PathBuf {
    let (path, from) = match std::env::var_os("SCHEMATHESIS_BIN").filter(|v| !v.is_empty()) {
        Some(path) => (PathBuf::from(path), "SCHEMATHESIS_BIN"),
        None => (target_dir().join("schemathesis-venv/bin/st"), "the default place"),
    };
    assert!(
        path.exists(),
        "schemathesis is not installed ({} is missing, from {from}): run `cargo xtask test`, which installs it \
         (tools/schemathesis/requirements.txt) and sets SCHEMATHESIS_BIN and EDGE_CACHE_SPEC",
        path.display()
    );
    path
}

/// The spec: `EDGE_CACHE_SPEC`, else `spec/edge-cache.yaml` in the workspace.
fn spec_path() -> PathBuf {
    let path = std::env::var_os("EDGE_CACHE_SPEC")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/edge-cache.yaml"));
    assert!(path.exists(), "the spec {} does not exist (EDGE_CACHE_SPEC)", path.display());
    path
}

/// A child process, killed when dropped (also when the test panics).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn schemathesis_with_every_check_finds_nothing_in_the_mock() {
    let st = schemathesis_bin();
    let spec = spec_path();
    let mut mock = Killed(
        Command::new(BIN)
            .args(["mock", "--require-token", TOKEN])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start edge-cache mock"),
    );
    let mut url = String::new();
    std::io::BufReader::new(mock.0.stdout.take().expect("piped")).read_line(&mut url).expect("read the mock's URL");
    let url = url.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "edge-cache mock prints its URL first, got {url:?}");

    // Its own directory: schemathesis keeps a database of examples (.hypothesis) where it runs.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schemathesis");
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("output.txt");
    let mut run = Killed(
        Command::new(&st)
            .current_dir(&dir)
            .arg("run")
            .arg(&spec)
            .args(["--url", &url, "--checks", "all", "--continue-on-failure", "--request-timeout", "10"])
            .args(["--header", &format!("Authorization: Bearer {TOKEN}")])
            .env("NO_COLOR", "1")
            .env("COLUMNS", "120")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; run `cargo xtask test`, which installs it", st.display())),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = run.0.try_wait().expect("wait for schemathesis") {
            break status;
        }
        assert!(started.elapsed() < RUN_TIMEOUT, "schemathesis ran past {RUN_TIMEOUT:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "schemathesis found defects in the testing kit ({status}):\n{output}");
    // It ran what it should: every operation, with cases generated, none failed.
    let operations = std::fs::read_to_string(&spec).expect("the spec").matches("operationId:").count();
    assert!(operations > 0, "no operation read from {}", spec.display());
    assert!(output.contains(&format!("{operations} selected / {operations} total")), "{output}");
    assert!(!output.contains("failed") && output.contains(" passed"), "{output}");
    assert!(!output.contains(TOKEN), "schemathesis printed the token:\n{output}");
}
