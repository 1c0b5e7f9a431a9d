//! Where Showdesk keeps its files, how it logs, and how secrets are kept out of everything it writes.
//!
//! - [`dirs`]: the platform data / config / log / cache / videos directories, all redirected under one
//!   root by `SHOWDESK_HOME` so a test never touches a user's data.
//! - [`redact`]: a process-wide registry of secret values (stream keys, passphrases, API keys,
//!   passwords) and the scrubber every log line, error text and export goes through.
//! - [`logging`]: tracing to stderr and a daily log file, both through the scrubber, plus a panic hook
//!   that scrubs crash reports.

pub mod dirs;
pub mod logging;
pub mod redact;

pub use dirs::{AppDirs, HOME_ENV};
pub use logging::{LogGuard, LogOptions, init_logging};
pub use redact::{mask, redact, register_secret};

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("no home directory could be found for this user; set {HOME_ENV} to a writable folder")]
    NoHome,
    #[error("cannot create the folder {path}: {source}")]
    CreateDir { path: std::path::PathBuf, source: std::io::Error },
    #[error("cannot start logging: {0}")]
    Logging(String),
}

impl PlatformError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoHome => "platform.no_home",
            Self::CreateDir { .. } => "platform.create_dir",
            Self::Logging(_) => "platform.logging",
        }
    }
}
