//! Showdesk's use cases: the one API the desktop shell and the `showdesk` CLI call.
//!
//! The control service wires the store, the connectors and the media engine together; the shell only
//! adapts its calls to Tauri commands and events, the CLI to a terminal. Everything the UI shows comes
//! from here as typed snapshots (see [`bindings`] for their TypeScript form).

pub mod bindings;
mod error;
pub mod info;
pub mod rehearsal;

use showdesk_platform::AppDirs;

pub use error::{ControlError, ErrorBody};
pub use info::AppInfo;
pub use rehearsal::{LocalService, Rehearsal, RehearsalPhase, RehearsalStatus};

/// The control service: one per process.
#[derive(Debug)]
pub struct ControlService {
    dirs: AppDirs,
    rehearsal: Rehearsal,
}

impl ControlService {
    /// A service over these folders (created if missing).
    pub fn new(dirs: AppDirs) -> Result<Self, ControlError> {
        dirs.ensure()?;
        Ok(Self { dirs, rehearsal: Rehearsal::default() })
    }

    pub fn dirs(&self) -> &AppDirs {
        &self.dirs
    }

    /// What this installation is: version, folders, media capabilities.
    pub fn app_info(&self) -> AppInfo {
        AppInfo::gather(&self.dirs)
    }

    /// The local rehearsal stack (ingest, payments, mailbox, SMTP) this process may run.
    pub fn rehearsal(&self) -> &Rehearsal {
        &self.rehearsal
    }
}
