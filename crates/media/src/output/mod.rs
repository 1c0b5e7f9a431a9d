//! Outputs: every destination and the recording is its own pipeline, fed from the program's two
//! stream producers, with its own supervisor. One failing never touches the others, the preview or
//! the recording.
//!
//! The supervisor runs a session (build the pipeline, connect, stream), watches it, and after it
//! ends applies the reconnect policy in `state`: probe an unreachable server every 250 ms and go as
//! soon as it answers; back off 1–10 s after other failures; give up (and say why) on a refused
//! stream or on a server that keeps dropping us right after accepting.

mod congestion;
mod session;
mod state;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{mpsc, watch};

pub use congestion::{BitrateChange, BitrateController};
pub use session::{OutputKind, SessionStats};
pub use state::{FailureKind, Next, OutputState, Reconnect, backoff, classify};

use crate::program::Program;
use session::{Session, SessionEnd};

/// What can be asked of a running output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputCommand {
    /// Try again now (after a failure, or to skip a backoff wait).
    RetryNow,
    /// Stop for good: EOS first (a recording is finalised), then tear down.
    Stop,
}

/// A change of an output's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputEvent {
    pub id: String,
    pub state: OutputState,
}

/// The numbers of one output, as of now.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutputStats {
    pub state: String,
    pub reconnects: u32,
    /// Bits per second over the last second.
    pub bitrate_bps: u64,
    pub bytes_sent: u64,
    /// Video frames not sent (waiting for a keyframe, congestion), of all frames since the output
    /// started, in percent.
    pub dropped_percent: f64,
    /// Data waiting to be sent, in milliseconds.
    pub queue_ms: u64,
    pub srt_rtt_ms: Option<f64>,
    pub srt_loss_percent: Option<f64>,
    /// Seconds live in all.
    pub live_seconds: u64,
    /// The recording's file.
    pub file: Option<String>,
}

/// Shared state of one output: the supervisor writes, the engine reads.
#[derive(Debug, Default)]
pub struct OutputShared {
    pub state: Option<OutputState>,
    pub stats: OutputStats,
    /// Frames sent and dropped by sessions that ended.
    pub frames_sent: u64,
    pub frames_dropped: u64,
    pub live_total: Duration,
}

/// A running output's handle.
#[derive(Debug)]
pub struct OutputHandle {
    pub id: String,
    pub name: String,
    pub kind: OutputKind,
    pub display: String,
    pub commands: mpsc::UnboundedSender<OutputCommand>,
    pub shared: Arc<Mutex<OutputShared>>,
    pub done: watch::Receiver<bool>,
}

impl OutputHandle {
    /// Starts the supervisor of one output on the tokio runtime.
    pub fn spawn(
        id: String,
        name: String,
        kind: OutputKind,
        program: Arc<Program>,
        events: mpsc::UnboundedSender<OutputEvent>,
    ) -> Self {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Mutex::new(OutputShared::default()));
        let (done_tx, done) = watch::channel(false);
        let display = kind.display();
        let supervisor =
            Supervisor { id: id.clone(), kind: kind.clone(), program, events, shared: Arc::clone(&shared) };
        tokio::spawn(async move {
            supervisor.run(command_rx).await;
            let _ = done_tx.send(true);
        });
        Self { id, name, kind, display, commands, shared, done }
    }

    /// Where the output is now.
    pub fn state(&self) -> OutputState {
        lock(&self.shared).state.clone().unwrap_or(OutputState::Idle)
    }

    /// The output's numbers now (sampled by the session every half second).
    pub fn stats(&self) -> OutputStats {
        lock(&self.shared).stats.clone()
    }

    /// Asks the output to stop and waits until it has (at most `timeout`).
    pub async fn stop(&self, timeout: Duration) {
        let _ = self.commands.send(OutputCommand::Stop);
        let mut done = self.done.clone();
        let _ = tokio::time::timeout(timeout, done.wait_for(|done| *done)).await;
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Supervisor {
    id: String,
    kind: OutputKind,
    program: Arc<Program>,
    events: mpsc::UnboundedSender<OutputEvent>,
    shared: Arc<Mutex<OutputShared>>,
}

impl Supervisor {
    fn publish(&self, state: OutputState) {
        {
            let mut shared = lock(&self.shared);
            shared.stats.state = state.name().to_owned();
            shared.state = Some(state.clone());
        }
        let log_state = state.clone();
        match &log_state {
            OutputState::Reconnecting { attempt, reason } => {
                tracing::warn!(output = %self.id, attempt, "reconnecting: {reason}")
            }
            OutputState::Failed { reason } => tracing::error!(output = %self.id, "failed: {reason}"),
            other => tracing::info!(output = %self.id, "{}", other.name()),
        }
        let _ = self.events.send(OutputEvent { id: self.id.clone(), state });
    }

    async fn run(self, mut commands: mpsc::UnboundedReceiver<OutputCommand>) {
        let mut policy = Reconnect::default();
        let mut part = 1u32;
        loop {
            self.publish(OutputState::Connecting);
            let end = match Session::start(&self.kind, &self.program, part, Arc::clone(&self.shared)) {
                Ok(session) => session.run(&mut commands, |state| self.publish(state), &mut policy).await,
                Err(err) => SessionEnd::Failed { message: err.to_string(), kind: FailureKind::Local, live_for: None },
            };
            let (message, kind, live_for) = match end {
                SessionEnd::Stopped => break,
                SessionEnd::Failed { message, kind, live_for } => (message, kind, live_for),
            };
            if live_for.is_some() {
                lock(&self.shared).stats.reconnects += 1;
            }
            // A recording that fails continues in a new file: the old one stays playable.
            if matches!(self.kind, OutputKind::Recording { .. }) && live_for.is_some() {
                part += 1;
            }
            let next = policy.after_failure(kind, &message, live_for);
            let go_on = match next {
                Next::GiveUp { reason } => {
                    self.publish(OutputState::Failed { reason });
                    wait_for_retry(&mut commands).await
                }
                Next::ProbeThenConnect { attempt, reason } => {
                    self.publish(OutputState::Reconnecting { attempt, reason });
                    self.probe_until_reachable(&mut commands).await
                }
                Next::WaitThenConnect { attempt, wait, reason } => {
                    self.publish(OutputState::Reconnecting { attempt, reason });
                    wait_or_command(&mut commands, wait).await
                }
            };
            match go_on {
                Resume::Go => {}
                Resume::RetryNow => policy.reset(),
                Resume::Stop => break,
            }
        }
        self.publish(OutputState::Stopped);
    }

    /// Waits until the server accepts a TCP connection (RTMP), checking every PROBE_INTERVAL.
    /// Outputs that cannot be probed this way (SRT over UDP, files) wait one interval.
    async fn probe_until_reachable(&self, commands: &mut mpsc::UnboundedReceiver<OutputCommand>) -> Resume {
        let Some((host, port)) = self.kind.tcp_endpoint() else {
            return wait_or_command(commands, state::PROBE_INTERVAL * 2).await;
        };
        loop {
            let probe =
                tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect((host.as_str(), port)));
            if let Ok(Ok(_)) = probe.await {
                return Resume::Go;
            }
            match wait_or_command(commands, state::PROBE_INTERVAL).await {
                Resume::Go => {}
                other => return other,
            }
        }
    }
}

enum Resume {
    Go,
    RetryNow,
    Stop,
}

async fn wait_or_command(commands: &mut mpsc::UnboundedReceiver<OutputCommand>, wait: Duration) -> Resume {
    let deadline = Instant::now() + wait;
    tokio::select! {
        () = tokio::time::sleep_until(deadline.into()) => Resume::Go,
        command = commands.recv() => match command {
            Some(OutputCommand::RetryNow) => Resume::RetryNow,
            Some(OutputCommand::Stop) | None => Resume::Stop,
        },
    }
}

async fn wait_for_retry(commands: &mut mpsc::UnboundedReceiver<OutputCommand>) -> Resume {
    match commands.recv().await {
        Some(OutputCommand::RetryNow) => Resume::RetryNow,
        Some(OutputCommand::Stop) | None => Resume::Stop,
    }
}
