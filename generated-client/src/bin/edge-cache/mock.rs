//! `edge-cache mock`: the testing kit's look-alike of Vercel's API as a process, for services
//! written in other languages.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::{Arg, ArgMatches};
use vercel_edge_cache::EdgeCache;
use vercel_edge_cache::mock::{CONTROL_ENDPOINTS, CONTROL_PREFIX, MockVercel};
use vercel_edge_cache::operations::Place;

use crate::signals::Signals;

/// The `mock` command's definition.
pub fn command() -> clap::Command {
    let operations: Vec<String> = EdgeCache::operations()
        .map(|i| {
            let required: Vec<&str> = i.required().filter(|p| p.place == Place::Query).map(|p| p.name).collect();
            let body = i.fields.iter().filter(|f| f.place == Place::Body).map(|f| f.name);
            let body: Vec<&str> = i.batch_field.into_iter().chain(body).collect();
            format!(
                "  {} {}  ({})\n      query: {}; body: {}",
                i.method,
                i.path,
                i.operation_id,
                if required.is_empty() { "-".to_string() } else { required.join(", ") },
                if body.is_empty() { "-".to_string() } else { body.join(", ") }
            )
        })
        .collect();
    let endpoints: Vec<String> = CONTROL_ENDPOINTS
        .iter()
        .map(|e| format!("  {:<6} {:<18} {}", e.method, format!("{CONTROL_PREFIX}{}", e.name), e.what))
        .collect();
    let endpoints = endpoints.join("\n");
    clap::Command::new("mock")
        .about("Run a look-alike of Vercel's edge-cache API for tests: it checks, records and answers purges")
        .long_about(format!(
            "Run a look-alike of Vercel's edge-cache API for the integration tests of any service.\n\n\
             It serves every operation of the spec on a loopback port, refuses what Vercel would \
             refuse (400 with Vercel's error body, 401 without a token), and records every request \
             (the newest --max-records of them: its memory stays bounded).\n\
             The first line on standard output is its base URL; point the service's Vercel API URL \
             at it. Ctrl-C, SIGTERM (`docker stop`, a supervisor) or SIGHUP stops it (exit 0). The global options do not apply to it.\n\n\
             The operations it serves (a bearer token, the query parameters required, a JSON body):\n{ops}\n\n\
             Its own endpoints:\n{endpoints}",
            ops = operations.join("\n")
        ))
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("N")
                .default_value("0")
                .value_parser(clap::value_parser!(u16))
                .help("The port to listen on; 0 picks a free one"),
        )
        .arg(
            Arg::new("host")
                .long("host")
                .value_name("ADDRESS")
                .default_value("127.0.0.1")
                .value_parser(clap::value_parser!(IpAddr))
                .help("The address to listen on (0.0.0.0: every interface, for a service in a container)"),
        )
        .arg(
            Arg::new("require-token")
                .long("require-token")
                .env("EDGE_CACHE_MOCK_TOKEN")
                .hide_env_values(true)
                .value_name("TOKEN")
                .help("Accept only this bearer token (any non-empty one otherwise)"),
        )
        .arg(
            Arg::new("max-records")
                .long("max-records")
                .value_name("N")
                .default_value(MockVercel::DEFAULT_MAX_RECORDS.to_string())
                .value_parser(clap::value_parser!(usize))
                .help("Keep the newest N requests; older ones are dropped, and counted in X-Mock-Dropped"),
        )
}

/// Runs the mock until a signal stops it (Ctrl-C, SIGTERM, SIGHUP).
pub fn run(m: &ArgMatches) -> ExitCode {
    // A global option typed for it would be ignored (`--token` does not restrict the tokens it
    // accepts: `--require-token` does): refused, as a usage error.
    let globals = <crate::args::Global as clap::Args>::augment_args(clap::Command::new("global"));
    let ignored: Vec<String> = globals
        .get_arguments()
        .filter(|a| m.value_source(a.get_id().as_str()) == Some(clap::parser::ValueSource::CommandLine))
        .map(|a| format!("--{}", a.get_long().unwrap_or(a.get_id().as_str())))
        .collect();
    if !ignored.is_empty() {
        let own: Vec<String> = command().get_arguments().filter_map(|a| Some(format!("--{}", a.get_long()?))).collect();
        tell!(
            "error: {} would be ignored: the global options do not apply to `edge-cache mock` (its own are {})",
            ignored.join(", "),
            own.join(", ")
        );
        return ExitCode::from(2);
    }
    let port = *m.get_one::<u16>("port").expect("has a default");
    let host = *m.get_one::<IpAddr>("host").expect("has a default");
    let max_records = *m.get_one::<usize>("max-records").expect("has a default");
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            tell!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async {
        let vercel = match MockVercel::bind(SocketAddr::new(host, port)).await {
            Ok(v) => v,
            Err(e) => {
                tell!("error: cannot listen on {host}:{port}: {e}");
                return ExitCode::from(1);
            }
        };
        vercel.max_records(max_records);
        if let Some(token) = m.get_one::<String>("require-token") {
            vercel.require_token(token.clone());
        }
        // Listening on every interface, it is reached locally through loopback.
        let url = if host.is_unspecified() {
            format!("http://{}", SocketAddr::new(IpAddr::from([127, 0, 0, 1]), vercel.address().port()))
        } else {
            vercel.uri()
        };
        // Listened for before the URL is printed: a caller that has read it may stop the mock.
        let mut signals = match Signals::listen() {
            Ok(signals) => signals,
            Err(e) => {
                tell!("error: cannot listen for signals: {e}");
                return ExitCode::from(1);
            }
        };
        say!("{url}");
        tell!("edge-cache mock: serving Vercel's edge-cache API at {url} (listening on {})", vercel.address());
        tell!("  recorded purges: GET {url}{CONTROL_PREFIX}purges, the newest {max_records} (Ctrl-C stops)");
        let signal = signals.next().await;
        tell!("edge-cache mock: stopped by {}", signal.name());
        ExitCode::SUCCESS
    })
}
