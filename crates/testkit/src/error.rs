use std::path::PathBuf;
use std::time::Duration;

/// Why a service could not be started or used.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    #[error(
        "missing: {tool} ({detail}). Run `cargo xtask install` (or `cargo xtask run` or `cargo xtask test`, which install it first)."
    )]
    ToolMissing { tool: &'static str, detail: String },
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
    #[error("{service} exited during start-up ({status}); its log, {log}:\n{tail}")]
    Exited { service: &'static str, status: String, log: PathBuf, tail: String },
    #[error("{service} was not ready after {waited:?}: {reason}; its log, {log}:\n{tail}")]
    NotReady { service: &'static str, waited: Duration, reason: String, log: PathBuf, tail: String },
    #[error("no free loopback port after {0} tries")]
    NoFreePort(usize),
    #[error("{service} answered unexpectedly: {detail}")]
    Protocol { service: &'static str, detail: String },
}

impl TestkitError {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ToolMissing { .. } => "testkit.tool_missing",
            Self::Io { .. } => "testkit.io",
            Self::Exited { .. } => "testkit.exited",
            Self::NotReady { .. } => "testkit.not_ready",
            Self::NoFreePort(_) => "testkit.no_free_port",
            Self::Protocol { .. } => "testkit.protocol",
        }
    }
}
