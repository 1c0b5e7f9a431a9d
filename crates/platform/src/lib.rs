//! Where Showdesk keeps its files, how it logs, and how secrets are kept out of everything it writes.
//!
//! - [`dirs`]: the platform data / config / log / cache / videos directories, all redirected under one
//!   root by `SHOWDESK_HOME` so a test never touches a user's data.
//! - [`redact`]: a process-wide registry of secret values (stream keys, passphrases, API keys,
//!   passwords) and the scrubber every log line, error text and export goes through.
//! - [`logging`]: tracing to stderr and a daily log file, both through the scrubber, plus a panic hook
//!   that scrubs crash reports.

pub mod dirs;
pub mod keyring;
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
    #[error("{HOME_ENV} is set but empty: unset it to use your own folders, or give it a folder")]
    EmptyHome,
    #[error("the data folder {0} is a file, not a folder (from {HOME_ENV} or --home)")]
    HomeIsFile(std::path::PathBuf),
    #[error("cannot create the folder {path}: {}", describe_io(source))]
    CreateDir { path: std::path::PathBuf, source: std::io::Error },
    #[error("cannot start logging: {0}")]
    Logging(String),
}

impl PlatformError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoHome => "platform.no_home",
            Self::EmptyHome => "platform.empty_home",
            Self::HomeIsFile(_) => "platform.home_is_file",
            Self::CreateDir { .. } => "platform.create_dir",
            Self::Logging(_) => "platform.logging",
        }
    }
}

/// An I/O error in words a person can act on.
fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory => {
            "a file is in the way (something on that path is a file, not a folder)".to_owned()
        }
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}
