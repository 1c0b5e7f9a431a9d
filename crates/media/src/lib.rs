//! Showdesk's media engine, on GStreamer: sources, the program mixer, encoders, outputs, recording,
//! preview, meters and preflight.
//!
//! What is here so far: [`probe`], which tells whether this machine's GStreamer has every element the
//! engine builds its pipelines from, and names the Debian package for each one that is missing.

pub mod probe;

pub use probe::{ElementCheck, MediaProbe, probe};

/// Everything that can go wrong in the media engine.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("GStreamer could not start: {0}")]
    Init(String),
}

impl MediaError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Init(_) => "media.init",
        }
    }
}
