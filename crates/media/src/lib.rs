//! Showdesk's media engine, on GStreamer: sources, the program mixer, encoders, outputs, recording,
//! preview, meters and preflight.
//!
//! - [`destination`]: ingest URLs and keys as people paste them (C09), shown masked (C01).
//! - [`program`]: sources (each in its own pipeline) mixed and encoded once.
//! - [`output`]: every destination and the recording as its own pipeline fed from the program,
//!   each with its own reconnect policy.
//! - [`engine`]: the whole thing behind one handle, with commands and events.
//! - [`probe`]: which needed GStreamer elements this machine has.

pub mod destination;
pub mod devices;
mod elements;
pub mod engine;
pub mod gst_log;
pub mod layout;
pub mod meters;
pub mod output;
pub mod playback;
pub mod preflight;
pub mod probe;
mod process_stats;
pub mod program;
pub mod spec;
pub mod viewer;

pub use probe::{ElementCheck, MediaProbe, probe};

/// Everything that can go wrong in the media engine.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("GStreamer could not start: {0}")]
    Init(String),
    #[error("the GStreamer element {0} is missing: run `showdesk info` to see which package provides it")]
    MissingElement(String),
    #[error("cannot build the pipeline: {0}")]
    Build(String),
    #[error("{0}")]
    State(String),
    #[error("{0}")]
    BadCommand(String),
    #[error("{element}: {value:?} is not a valid {property}")]
    BadValue { element: String, property: String, value: String },
    #[error("the source is unavailable: {0}")]
    SourceUnavailable(String),
    #[error(transparent)]
    Destination(#[from] destination::DestinationError),
    #[error("{0}")]
    Io(String),
}

impl MediaError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Init(_) => "media.init",
            Self::MissingElement(_) => "media.missing_element",
            Self::Build(_) => "media.build",
            Self::State(_) => "media.state",
            Self::BadCommand(_) => "media.bad_command",
            Self::BadValue { .. } => "media.bad_value",
            Self::SourceUnavailable(_) => "media.source_unavailable",
            Self::Destination(err) => err.code(),
            Self::Io(_) => "media.io",
        }
    }
}

/// A name made safe for GStreamer object and channel names.
pub(crate) fn profile_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}
