//! `--debug` / `-v`: the library's `tracing` spans and events, on stderr, through the ecosystem's
//! formatter (`tracing_subscriber::fmt`), filtered by `RUST_LOG` when it is set.
//!
//! Nothing here names a secret: the library's spans and events hold no request header (the
//! token is in one) and no query value, and show the server's text escaped. Other crates' events
//! are off unless `-vv` or `RUST_LOG` asks for them: hyper-util's name hosts and addresses, never
//! headers, and reqwest's `log` records are not forwarded at all.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// What `-v` shows: a line per attempt, and the rate limit's holds.
pub const ONE: &str = "vercel_edge_cache=debug";

/// What `-vv` shows: the above, when each batch and attempt starts and ends (with the time spent
/// busy and waiting), and the connections opened and reused.
pub const TWO: &str = "vercel_edge_cache=trace,hyper_util=debug";

/// Installs the subscriber for `level` (`-v` is 1), unless it is 0. `RUST_LOG`, when set,
/// chooses what is shown instead of `level`'s default; one that does not parse is said so, and
/// the default is used.
pub fn init(level: u8) {
    if level == 0 {
        return;
    }
    let default = if level == 1 { ONE } else { TWO };
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::try_new(&directives).unwrap_or_else(|e| {
            tell!("warning: RUST_LOG is not a filter ({e}); showing {default}");
            EnvFilter::new(default)
        }),
        _ => EnvFilter::new(default),
    };
    let spans = if level >= 2 { FmtSpan::NEW | FmtSpan::CLOSE } else { FmtSpan::NONE };
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .with_target(false)
        .with_span_events(spans)
        .try_init();
    if let Err(e) = installed {
        tell!("warning: --debug: cannot install the tracing subscriber: {e}");
    }
}
