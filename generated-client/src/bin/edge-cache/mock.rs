//! `edge-cache mock`: the testing kit's look-alike of Vercel's API as a process, for services
//! written in other languages.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::{Arg, ArgMatches};
use vercel_edge_cache::mock::{CONTROL_PREFIX, MockVercel};

/// The `mock` command's definition.
pub fn command() -> clap::Command {
    clap::Command::new("mock")
        .about("Run a look-alike of Vercel's edge-cache API for tests: it checks, records and answers purges")
        .long_about(format!(
            "Run a look-alike of Vercel's edge-cache API for the integration tests of any service.\n\n\
             It serves every operation of the spec on a loopback port, refuses what Vercel would \
             refuse (400 with Vercel's error body, 401 without a token), and records every request.\n\
             The first line on standard output is its base URL; point the service's Vercel API URL \
             at it. Ctrl-C stops it.\n\n\
             Its own endpoints:\n  \
             GET    {p}purges      every request received, as JSON\n  \
             DELETE {p}purges      forget them\n  \
             POST   {p}faults      fail the next requests: {{\"status\":429,\"times\":2,\"retryAfter\":1}} or {{\"drop\":true}}\n  \
             DELETE {p}faults      drop the scripted faults\n  \
             PUT    {p}rate-limit  {{\"limit\":20,\"windowSeconds\":1,\"retryAfter\":true}}, or null\n  \
             PUT    {p}latency     {{\"ms\":250}}",
            p = CONTROL_PREFIX
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
                .help("The address to listen on (0.0.0.0 to reach it from a container)"),
        )
        .arg(
            Arg::new("require-token")
                .long("require-token")
                .value_name("TOKEN")
                .help("Accept only this bearer token (any non-empty one otherwise)"),
        )
}

/// Runs the mock until Ctrl-C.
pub fn run(m: &ArgMatches) -> ExitCode {
    let port = *m.get_one::<u16>("port").expect("has a default");
    let host = *m.get_one::<IpAddr>("host").expect("has a default");
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async {
        let vercel = match MockVercel::bind(SocketAddr::new(host, port)).await {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: cannot listen on {host}:{port}: {e}");
                return ExitCode::from(1);
            }
        };
        if let Some(token) = m.get_one::<String>("require-token") {
            vercel.require_token(token.clone());
        }
        println!("{}", vercel.uri());
        eprintln!("edge-cache mock: serving Vercel's edge-cache API at {}", vercel.uri());
        eprintln!("  recorded purges: GET {}{CONTROL_PREFIX}purges (Ctrl-C stops)", vercel.uri());
        let _ = tokio::signal::ctrl_c().await;
        ExitCode::SUCCESS
    })
}
