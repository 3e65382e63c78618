//! Codegen scale: how `generator::generate` grows with the number of operations.
//!
//! `cargo run --release -p edge-cache-bench --bin codegen-scale [-- --rounds N --small-runs N
//! --large-runs N]`
//!
//! Specs of 4, 40 and 400 operations are made from `spec/edge-cache.yaml` by cloning its four
//! operations as serde_yaml values: copy `i` (from 1) of `/v1/edge-cache/<op>` is
//! `/v1/edge-cache/<op>-<i>`, with operationId `<opId><i>`; the components are shared. So the
//! 4-operation spec is the real one with renamed paths, and every size goes through the same
//! code path. Each round times every size (the 4- and 40-operation sizes several times, taking
//! their median), and gives the ratios 40/4 and 400/4 measured side by side; the figures are the
//! medians over rounds. The 400-operation output is checked: every file parses with syn, and
//! `operations.rs`'s `OPERATIONS` lists 400 operations.

use std::path::Path;
use std::time::Instant;

use edge_cache_bench::{arg_usize, machine, median};
use serde_yaml::{Mapping, Value};

const SIZES: [usize; 3] = [4, 40, 400];

/// The spec with its operations cloned `copies` times.
fn scaled(spec: &Value, copies: usize) -> Value {
    let mut out = spec.clone();
    let paths = spec.get("paths").and_then(Value::as_mapping).expect("the spec has paths");
    let mut new_paths = Mapping::new();
    for i in 1..=copies {
        for (path, item) in paths {
            let path = path.as_str().expect("path keys are strings");
            let mut item = item.clone();
            for (_, op) in item.as_mapping_mut().expect("a path item is a mapping").iter_mut() {
                if let Some(op) = op.as_mapping_mut()
                    && let Some(Value::String(id)) = op.get_mut("operationId")
                {
                    *id = format!("{id}{i}");
                    // One operation per command and selection: the copies are library-only.
                    if i > 1 {
                        op.remove("x-edge-cache-cli");
                    }
                }
            }
            new_paths.insert(Value::String(format!("{path}-{i}")), item);
        }
    }
    out["paths"] = Value::Mapping(new_paths);
    out
}

/// Seconds per `generate` call: the median of `runs` calls.
fn time_generate(bytes: &[u8], runs: usize) -> f64 {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let files =
            generator::generate(Path::new("bench.yaml"), "bench.yaml", bytes).expect("the scaled spec generates");
        times.push(started.elapsed().as_secs_f64());
        std::hint::black_box(files);
    }
    median(&times)
}

/// The number of entries of `static OPERATIONS: &[OperationEntry] = &[...]` in operations.rs.
fn count_operations(spec_rs: &syn::File) -> Option<usize> {
    spec_rs.items.iter().find_map(|item| match item {
        syn::Item::Static(s) if s.ident == "OPERATIONS" => match &*s.expr {
            syn::Expr::Reference(r) => match &*r.expr {
                syn::Expr::Array(a) => Some(a.elems.len()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    })
}

/// Parses every generated file with syn; returns the operation count and total lines.
fn verify(bytes: &[u8], expected_ops: usize) -> Result<(usize, usize), String> {
    let files = generator::generate(Path::new("bench.yaml"), "bench.yaml", bytes).map_err(|e| e.to_string())?;
    let mut ops = None;
    let mut lines = 0;
    for f in &files {
        let parsed = syn::parse_file(&f.contents).map_err(|e| format!("{} does not parse: {e}", f.path.display()))?;
        lines += f.contents.lines().count();
        if f.path.file_name().is_some_and(|n| n == "operations.rs") {
            ops = count_operations(&parsed);
        }
    }
    match ops {
        Some(n) if n == expected_ops => Ok((n, lines)),
        Some(n) => Err(format!("operations.rs lists {n} operations, expected {expected_ops}")),
        None => Err("operations.rs has no `static OPERATIONS = &[..]`".into()),
    }
}

fn main() {
    let rounds = arg_usize("rounds", 7);
    let small_runs = arg_usize("small-runs", 9);
    let large_runs = arg_usize("large-runs", 3);
    println!("codegen-scale: {}", machine());

    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/edge-cache.yaml");
    let spec: Value = serde_yaml::from_slice(&std::fs::read(&spec_path).expect("read spec/edge-cache.yaml"))
        .expect("the spec is YAML");
    let original_ops = spec["paths"].as_mapping().map(|m| m.len()).unwrap_or(0);
    assert_eq!(original_ops, 4, "spec/edge-cache.yaml has four operations");
    let specs: Vec<Vec<u8>> =
        SIZES.iter().map(|&n| serde_yaml::to_string(&scaled(&spec, n / 4)).expect("YAML").into_bytes()).collect();

    let mut failed = false;
    for (bytes, &n) in specs.iter().zip(&SIZES) {
        match verify(bytes, n) {
            Ok((ops, lines)) => println!(
                "{n:>4} operations: spec {:>7} bytes -> output parses with syn, OPERATIONS has {ops} entries, {lines} lines",
                bytes.len()
            ),
            Err(e) => {
                eprintln!("error: {n} operations: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }

    // The warm-up is `verify` above: one generate per size.
    let runs = [small_runs.max(1), small_runs.div_ceil(2).max(1), large_runs.max(1)];
    println!(
        "\n{rounds} rounds; per round: median of {} runs at 4 ops, {} at 40, {} at 400",
        runs[0], runs[1], runs[2]
    );
    println!(
        "{:>5}  {:>10}  {:>10}  {:>10}  {:>8}  {:>8}",
        "round", "4 ops ms", "40 ops ms", "400 ops ms", "40/4", "400/4"
    );
    let mut t: [Vec<f64>; 3] = Default::default();
    let (mut r40, mut r400) = (vec![], vec![]);
    for round in 0..rounds {
        let mut this = [0.0; 3];
        // Alternate the order of the sizes so that drift cancels.
        let order: Vec<usize> = if round % 2 == 0 { vec![0, 1, 2] } else { vec![2, 1, 0] };
        for i in order {
            this[i] = time_generate(&specs[i], runs[i]);
            t[i].push(this[i]);
        }
        r40.push(this[1] / this[0]);
        r400.push(this[2] / this[0]);
        println!(
            "{:>5}  {:>10.1}  {:>10.1}  {:>10.1}  {:>8.2}  {:>8.2}",
            round + 1,
            this[0] * 1e3,
            this[1] * 1e3,
            this[2] * 1e3,
            this[1] / this[0],
            this[2] / this[0]
        );
    }
    let m = [median(&t[0]), median(&t[1]), median(&t[2])];
    println!(
        "codegen-scale: median generate 4 ops {:.1} ms, 40 ops {:.1} ms, 400 ops {:.1} ms; ratio 40/4 = {:.2} (x10 operations), 400/4 = {:.2} (x100 operations); per operation: {:.2} / {:.2} / {:.2} ms",
        m[0] * 1e3,
        m[1] * 1e3,
        m[2] * 1e3,
        median(&r40),
        median(&r400),
        m[0] * 1e3 / 4.0,
        m[1] * 1e3 / 40.0,
        m[2] * 1e3 / 400.0
    );
    println!(
        "\nSUMMARY codegen-scale ms_4={:.1} ms_40={:.1} ms_400={:.1} ratio_40_over_4={:.2} ratio_400_over_4={:.2} verified_400_ops=true",
        m[0] * 1e3,
        m[1] * 1e3,
        m[2] * 1e3,
        median(&r40),
        median(&r400)
    );
}
