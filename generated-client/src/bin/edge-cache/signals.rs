//! The signals that stop a run: SIGINT (Ctrl-C), SIGTERM and SIGHUP on Unix, Ctrl-C elsewhere.
//!
//! The first stops sending and lets the requests in flight settle (the library's grace); a
//! second, of any of them, quits at once. Either way what is not confirmed done is known: the
//! report, or the batches reported done as they finished ([`Confirmed`]), so that no signal loses
//! the `--save-failed` file.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::{Either, select};
use vercel_edge_cache::BatchOutcome;

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C.
    Interrupt,
    /// SIGTERM: `kill`, a supervisor, a CI job cancelled.
    #[cfg_attr(not(unix), allow(dead_code))]
    Terminate,
    /// SIGHUP: the terminal closed.
    #[cfg_attr(not(unix), allow(dead_code))]
    Hangup,
}

impl Signal {
    /// Its name, as `kill -l` gives it.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
            Signal::Hangup => "SIGHUP",
        }
    }

    /// The exit code shells give a process it ended: 128 and its number.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
            Signal::Hangup => 129,
        }
    }
}

/// The signals listened for, from [`Signals::listen`] on: once listened for, they no longer end
/// the process (for as long as it runs).
pub struct Signals {
    #[cfg(unix)]
    streams: Vec<(tokio::signal::unix::Signal, Signal)>,
}

impl Signals {
    /// Starts listening; needs the runtime.
    #[cfg(unix)]
    pub fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            (SignalKind::interrupt(), Signal::Interrupt),
            (SignalKind::terminate(), Signal::Terminate),
            (SignalKind::hangup(), Signal::Hangup),
        ];
        let streams = kinds.into_iter().map(|(kind, s)| Ok((signal(kind)?, s))).collect::<std::io::Result<_>>()?;
        Ok(Self { streams })
    }

    /// Starts listening (Ctrl-C only).
    #[cfg(not(unix))]
    pub fn listen() -> std::io::Result<Self> {
        Ok(Self {})
    }

    /// The next signal.
    #[cfg(unix)]
    pub async fn next(&mut self) -> Signal {
        std::future::poll_fn(|cx| {
            for (stream, signal) in &mut self.streams {
                if let std::task::Poll::Ready(Some(())) = stream.poll_recv(cx) {
                    return std::task::Poll::Ready(*signal);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }

    /// The next Ctrl-C.
    #[cfg(not(unix))]
    pub async fn next(&mut self) -> Signal {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Signal::Interrupt,
            Err(_) => std::future::pending().await,
        }
    }
}

/// How a run watched for signals ended.
pub enum Ended<T> {
    /// It finished: on its own, or after the first signal (given), which `on_first` acted on.
    Finished(T, Option<Signal>),
    /// A second signal came before it finished: it was dropped, requests in flight with it.
    Quit {
        /// The signal that stopped it.
        first: Signal,
        /// The one that cut the wait short.
        second: Signal,
    },
}

/// Runs `work` until it finishes, telling `on_first` of the first signal (which should make it
/// finish soon) and dropping it at a second one.
pub async fn watch<T>(work: impl Future<Output = T>, signals: &mut Signals, on_first: impl FnOnce(Signal)) -> Ended<T> {
    let mut work = std::pin::pin!(work);
    let first = match select(work.as_mut(), std::pin::pin!(signals.next())).await {
        Either::Left((done, _)) => return Ended::Finished(done, None),
        Either::Right((signal, _)) => signal,
    };
    on_first(first);
    match select(work, std::pin::pin!(signals.next())).await {
        Either::Left((done, _)) => Ended::Finished(done, Some(first)),
        Either::Right((second, _)) => Ended::Quit { first, second },
    }
}

/// The items of the requests reported done as they finished (`Purge::on_batch`): what a run
/// dropped at a second signal knows it did. Cheap to clone.
#[derive(Clone, Default)]
pub struct Confirmed(Arc<Mutex<HashSet<String>>>);

impl Confirmed {
    /// Counts a finished request: its items, if it succeeded.
    pub fn record(&self, batch: &BatchOutcome) {
        if batch.result.is_ok() {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).extend(batch.items.iter().cloned());
        }
    }

    /// The items of the selection not confirmed done, in its order: those of failed requests,
    /// of requests in flight and of those never sent.
    pub fn not_done(&self, selection: &[String]) -> Vec<String> {
        let done = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        selection.iter().filter(|item| !done.contains(*item)).cloned().collect()
    }
}
