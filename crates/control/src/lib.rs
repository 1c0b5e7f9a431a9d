//! Showdesk's use cases: the one API the desktop shell and the `showdesk` CLI call.
//!
//! The control service wires the store, the connectors and the media engine together; the shell only
//! adapts its calls to Tauri commands and events, the CLI to a terminal. Everything the UI shows comes
//! from here as typed snapshots (see [`bindings`] for their TypeScript form).

pub mod bindings;
pub mod box_office;
mod buyer_mail;
mod error;
pub mod info;
pub mod live;
pub mod rehearsal;
pub mod report;
pub mod setup;
pub mod support;

use std::sync::Arc;

use showdesk_platform::AppDirs;
use showdesk_store::Store;

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
        Self { dirs, store, rehearsal: Rehearsal::default(), box_office, support, live: tokio::sync::Mutex::new(None) }
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

    /// Plugs the box office into the support desk (refunds, promo codes, access, orders).
    pub fn with_buyer_actions(self, buyers: Arc<dyn BuyerActions>) -> Self {
        self.support.set_buyer_actions(buyers);
        self
    }
}
