//! The rehearsal: the whole local stack a show needs — an nginx-rtmp ingest with `/stat`, an SRT
//! receiver, localstripe, a dovecot mailbox and an SMTP sink — started on loopback so a newcomer can
//! press every button before a real show, and a crew can train.
//!
//! The stack runs on its own thread, which owns the service processes for as long as they live (the
//! services die with the thread that started them, and with this process).

pub mod drill;
mod drill_buyers;
mod drill_mail;
pub mod wiring;

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use showdesk_testkit::{LocalStack, StackEndpoints, StackOptions};
use ts_rs::TS;

use crate::{ControlError, ErrorBody};

/// Where the rehearsal stack is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "RehearsalPhase.ts")]
pub enum RehearsalPhase {
    Off,
    Starting,
    Running,
    Failed,
    Stopped,
}

/// One service of the running stack, as the window lists it. Never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "LocalService.ts")]
pub struct LocalService {
    /// What it stands in for: "ingest", "srt", "payments", "mailbox", "outgoing_mail".
    pub role: String,
    /// The program: "nginx-rtmp", "srt-live-transmit", "localstripe", "dovecot", "aiosmtpd".
    pub program: String,
    /// Where it answers.
    pub address: String,
}

/// A snapshot of the rehearsal, sent to the UI on every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "RehearsalStatus.ts")]
pub struct RehearsalStatus {
    pub phase: RehearsalPhase,
    pub services: Vec<LocalService>,
    pub error: Option<ErrorBody>,
}

type Listener = Box<dyn Fn(&RehearsalStatus) + Send + Sync>;

#[derive(Default)]
struct Shared {
    status: Mutex<Option<RehearsalStatus>>,
    changed: Condvar,
    endpoints: Mutex<Option<StackEndpoints>>,
    listeners: Mutex<Vec<Listener>>,
}

/// Starts, stops and reports on the rehearsal stack.
#[derive(Default)]
pub struct Rehearsal {
    shared: Arc<Shared>,
    worker: Mutex<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
}

impl std::fmt::Debug for Rehearsal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rehearsal").field("status", &self.status()).finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Rehearsal {
    pub fn status(&self) -> RehearsalStatus {
        lock(&self.shared.status).clone().unwrap_or(RehearsalStatus {
            phase: RehearsalPhase::Off,
            services: Vec::new(),
            error: None,
        })
    }

    /// Calls `listener` with every status change from now on.
    pub fn subscribe(&self, listener: impl Fn(&RehearsalStatus) + Send + Sync + 'static) {
        lock(&self.shared.listeners).push(Box::new(listener));
    }

    /// Where each service answers, with the stack's local credentials (for wiring connectors;
    /// never for display).
    pub fn endpoints(&self) -> Option<StackEndpoints> {
        lock(&self.shared.endpoints).clone()
    }

    /// Starts the stack in the background; a no-op while it is starting or running.
    pub fn start(&self) {
        let mut worker = lock(&self.worker);
        if matches!(self.status().phase, RehearsalPhase::Starting | RehearsalPhase::Running) {
            return;
        }
        if let Some((_, handle)) = worker.take() {
            let _ = handle.join();
        }
        set_status(&self.shared, RehearsalPhase::Starting, Vec::new(), None);
        let (stop_tx, stop_rx) = mpsc::channel();
        let shared = Arc::clone(&self.shared);
        let spawned = std::thread::Builder::new().name("rehearsal-stack".into()).spawn(move || run(&shared, &stop_rx));
        match spawned {
            Ok(handle) => *worker = Some((stop_tx, handle)),
            Err(err) => {
                let error = ControlError::Internal(format!("cannot start the rehearsal thread: {err}"));
                set_status(&self.shared, RehearsalPhase::Failed, Vec::new(), Some(error.to_body()));
            }
        }
    }

    /// Stops every service and waits until they are gone.
    pub fn stop(&self) {
        if let Some((stop, handle)) = lock(&self.worker).take() {
            let _ = stop.send(());
            let _ = handle.join();
        }
    }

    /// Waits until the stack is running or has failed (or `timeout` passes), and returns the status.
    pub fn wait_until_settled(&self, timeout: Duration) -> RehearsalStatus {
        let deadline = Instant::now() + timeout;
        let mut status = lock(&self.shared.status);
        while matches!(status.as_ref().map(|s| s.phase), Some(RehearsalPhase::Starting)) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            status = self
                .shared
                .changed
                .wait_timeout(status, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        drop(status);
        self.status()
    }
}

impl Drop for Rehearsal {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The stack's thread: start, report, hold until told to stop.
fn run(shared: &Shared, stop: &mpsc::Receiver<()>) {
    let stack = match LocalStack::start(StackOptions::default()) {
        Ok(stack) => stack,
        Err(err) => {
            let error = ControlError::from(err);
            tracing::error!(code = %error.code(), "rehearsal stack failed: {error}");
            set_status(shared, RehearsalPhase::Failed, Vec::new(), Some(error.to_body()));
            return;
        }
    };
    let endpoints = stack.endpoints();
    // The stack's credentials are local and throwaway, but they are credentials: keep them out of logs.
    showdesk_platform::register_secret(&endpoints.imap_password);
    showdesk_platform::register_secret(&endpoints.stripe_secret_key);
    let services = describe(&endpoints);
    *lock(&shared.endpoints) = Some(endpoints);
    tracing::info!(services = services.len(), "rehearsal stack running");
    set_status(shared, RehearsalPhase::Running, services.clone(), None);

    // Blocks until stop() sends or the Rehearsal is gone.
    let _ = stop.recv();
    drop(stack);
    *lock(&shared.endpoints) = None;
    tracing::info!("rehearsal stack stopped");
    set_status(shared, RehearsalPhase::Stopped, Vec::new(), None);
}

fn describe(endpoints: &StackEndpoints) -> Vec<LocalService> {
    let service = |role: &str, program: &str, address: String| LocalService {
        role: role.into(),
        program: program.into(),
        address,
    };
    vec![
        service("ingest", "nginx-rtmp", endpoints.rtmp_server_url.clone()),
        service("audience", "nginx-rtmp /stat", endpoints.rtmp_stat_url.clone()),
        service("srt", "srt-live-transmit", endpoints.srt_url.clone()),
        service("payments", "localstripe", endpoints.stripe_api_base.clone()),
        service(
            "mailbox",
            "dovecot",
            format!("{}:{} ({})", endpoints.imap_host, endpoints.imap_port, endpoints.imap_user),
        ),
        service("outgoing_mail", "aiosmtpd", format!("{}:{}", endpoints.smtp_host, endpoints.smtp_port)),
    ]
}

fn set_status(shared: &Shared, phase: RehearsalPhase, services: Vec<LocalService>, error: Option<ErrorBody>) {
    let status = RehearsalStatus { phase, services, error };
    *lock(&shared.status) = Some(status.clone());
    shared.changed.notify_all();
    for listener in lock(&shared.listeners).iter() {
        listener(&status);
    }
}
