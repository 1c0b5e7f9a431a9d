//! Showdesk's use cases: the one API the desktop shell and the `showdesk` CLI call.
//!
//! The control service wires the store, the connectors and the media engine together; the shell only
//! adapts its calls to Tauri commands and events, the CLI to a terminal. Everything the UI shows comes
//! from here as typed snapshots (see [`bindings`] for their TypeScript form).

pub mod bindings;
pub mod box_office;
mod buyer_mail;
pub mod connections;
mod error;
pub mod info;
pub mod live;
pub mod operations;
pub mod rehearsal;
pub mod report;
pub mod setup;
pub mod support;

use std::sync::Arc;

use showdesk_platform::AppDirs;
use showdesk_store::Store;
use tokio::sync::broadcast;

use crate::live::views::{LiveAlert, LiveStatus};

pub use box_office::BoxOffice;
pub use error::{ControlError, ErrorBody};
pub use info::AppInfo;
pub use rehearsal::{LocalService, Rehearsal, RehearsalPhase, RehearsalStatus};
pub use support::{BuyerActions, SupportDesk, SupportError, SupportSettings};

/// The file name of the embedded store in the data folder.
pub const STORE_FILE: &str = "showdesk.db";

/// The control service: one per process.
#[derive(Debug)]
pub struct ControlService {
    dirs: AppDirs,
    store: Arc<dyn Store>,
    rehearsal: Rehearsal,
    box_office: Arc<BoxOffice>,
    support: SupportDesk,
    /// The show on air, if any.
    live: tokio::sync::Mutex<Option<live::session::LiveShow>>,
    /// Every alert (the show on air, the box office, support), for the window and notifications.
    alerts: broadcast::Sender<LiveAlert>,
    /// The live status, every second while live (sent by [`operations`]).
    statuses: broadcast::Sender<LiveStatus>,
    /// Set while this process is wired to a running rehearsal stack.
    rehearsal_wiring: std::sync::RwLock<Option<rehearsal::wiring::RehearsalWiring>>,
    /// The rehearsal drill, while it runs.
    drill: tokio::sync::Mutex<Option<rehearsal::drill::Drill>>,
}

impl ControlService {
    /// A service over these folders (created if missing) and the embedded store in the data folder
    /// (created and migrated if needed).
    pub async fn open(dirs: AppDirs) -> Result<Self, ControlError> {
        dirs.ensure()?;
        let store = showdesk_store::open_sqlite(&dirs.data.join(STORE_FILE)).await?;
        Ok(Self::with_store(dirs, store))
    }

    /// A service over an already opened store (crew mode, tests).
    pub fn with_store(dirs: AppDirs, store: Arc<dyn Store>) -> Self {
        let box_office = Arc::new(BoxOffice::new(store.clone()));
        let support = SupportDesk::new(Arc::clone(&store));
        // Refunds, promo codes, access and orders from a ticket go through the box office.
        support.set_buyer_actions(Arc::clone(&box_office) as Arc<dyn BuyerActions>);
        Self {
            dirs,
            store,
            rehearsal: Rehearsal::default(),
            box_office,
            support,
            live: tokio::sync::Mutex::new(None),
            alerts: broadcast::channel(256).0,
            statuses: broadcast::channel(16).0,
            rehearsal_wiring: std::sync::RwLock::new(None),
            drill: tokio::sync::Mutex::new(None),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn dirs(&self) -> &AppDirs {
        &self.dirs
    }

    /// What this installation is: version, folders, media capabilities.
    pub fn app_info(&self) -> AppInfo {
        AppInfo::gather(&self.dirs)
    }

    /// Ticket sales, refunds, promo codes, double purchases, the dashboard and viewer counts.
    pub fn box_office(&self) -> &BoxOffice {
        &self.box_office
    }

    /// The local rehearsal stack (ingest, payments, mailbox, SMTP) this process may run.
    pub fn rehearsal(&self) -> &Rehearsal {
        &self.rehearsal
    }

    /// The support desk: intake, tickets, one-step actions, the outbox.
    pub fn support(&self) -> &SupportDesk {
        &self.support
    }

    /// Every alert from now on: the show on air (outputs, sound, dropped frames), the box office
    /// (declines, rate limits, viewers above tickets, sales spikes) and support surges.
    pub fn subscribe_alerts(&self) -> broadcast::Receiver<LiveAlert> {
        self.alerts.subscribe()
    }

    pub(crate) fn raise_alert(&self, alert: LiveAlert) {
        tracing::info!(kind = alert.kind, severity = alert.severity, "alert: {}", alert.message);
        let _ = self.alerts.send(alert);
    }

    pub(crate) fn alert_sender(&self) -> broadcast::Sender<LiveAlert> {
        self.alerts.clone()
    }

    /// The live status every second while live, and once when the show ends.
    pub fn subscribe_live_status(&self) -> broadcast::Receiver<LiveStatus> {
        self.statuses.subscribe()
    }

    pub(crate) fn publish_live_status(&self, status: LiveStatus) {
        let _ = self.statuses.send(status);
    }

    /// The shows whose numbers matter now: the one on air, those on sale, and those starting or
    /// running within the hour.
    pub async fn shows_in_focus(&self) -> Vec<String> {
        let on_air = self.live.lock().await.as_ref().and_then(|show| show.show_id.clone());
        let now = showdesk_store::now_ms();
        let hour = 3_600_000;
        let mut shows: Vec<String> = on_air.into_iter().collect();
        match self.box_office.shows().await {
            Ok(all) => shows.extend(
                all.into_iter()
                    .filter(|show| {
                        show.sales_open || (show.starts_at_ms - hour..=show.ends_at_ms + hour).contains(&now)
                    })
                    .map(|show| show.id),
            ),
            Err(err) => tracing::warn!(code = %err.code(), "shows: {err}"),
        }
        let mut seen = std::collections::HashSet::new();
        shows.retain(|id| seen.insert(id.clone()));
        shows
    }

    /// Plugs the box office into the support desk (refunds, promo codes, access, orders).
    pub fn with_buyer_actions(self, buyers: Arc<dyn BuyerActions>) -> Self {
        self.support.set_buyer_actions(buyers);
        self
    }
}
