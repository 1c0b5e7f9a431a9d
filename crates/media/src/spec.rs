//! What the engine is asked to run, resolved and validated (the TOML profile becomes this; see
//! `profile`). Secrets are already in hand here, as `Secret`s.

use std::path::PathBuf;

use serde::Serialize;

use crate::destination::Target;

/// Picture size and rate of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VideoFormat {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

/// The encoder presets a show picks from. Keyframes every 2 s (what every ingest asks for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoPreset {
    P720p30,
    P1080p30,
}

impl VideoPreset {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "720p30" | "720p" => Some(Self::P720p30),
            "1080p30" | "1080p" => Some(Self::P1080p30),
            _ => None,
        }
    }

    pub fn format(self) -> VideoFormat {
        match self {
            Self::P720p30 => VideoFormat { width: 1280, height: 720, fps: 30 },
            Self::P1080p30 => VideoFormat { width: 1920, height: 1080, fps: 30 },
        }
    }

    /// The bitrate used when the profile names none (what the big hosts recommend).
    pub fn default_bitrate_kbps(self) -> u32 {
        match self {
            Self::P720p30 => 2500,
            Self::P1080p30 => 4500,
        }
    }
}

/// Which H.264 encoder to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EncoderChoice {
    /// A hardware encoder when this machine has one, x264 otherwise.
    Auto,
    X264,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VideoSettings {
    pub format: VideoFormat,
    pub bitrate_kbps: u32,
    /// The floor dynamic bitrate may go down to.
    pub min_bitrate_kbps: u32,
    pub encoder: EncoderChoice,
    /// x264 speed preset (veryfast by default: the quality/CPU balance streaming software uses).
    pub speed_preset: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudioSettings {
    /// 128–160 kb/s AAC.
    pub bitrate_kbps: u32,
}

/// Slates: full-frame text cards the operator can cut to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlateKind {
    /// "Starts in 12:34" to the show's start time.
    Countdown,
    StartingSoon,
    BeRightBack,
    Ended,
    /// Shown in a source's slot while that source fails.
    NoSignal,
}

/// Slate language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Fr,
}

/// One input of the show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceKind {
    TestPattern {
        pattern: String,
    },
    Tone {
        frequency_hz: u32,
    },
    /// A camera by device path (/dev/video0) or name; None: the first one.
    Camera {
        device: Option<String>,
    },
    /// A microphone by device name; None: the default one.
    Microphone {
        device: Option<String>,
    },
    /// A media file, once or looped.
    File {
        path: PathBuf,
        looped: bool,
    },
    /// A still image (PNG, JPEG).
    Image {
        path: PathBuf,
    },
}

impl SourceKind {
    pub fn has_video(&self) -> bool {
        matches!(self, Self::TestPattern { .. } | Self::Camera { .. } | Self::File { .. } | Self::Image { .. })
    }

    pub fn has_audio(&self) -> bool {
        matches!(self, Self::Tone { .. } | Self::Microphone { .. } | Self::File { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceSpec {
    pub name: String,
    pub kind: SourceKind,
}

/// One place the show goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// Stable id (from the profile's name), used in stats and commands.
    pub id: String,
    pub name: String,
    pub target: Target,
}

/// The local recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordingSpec {
    pub folder: PathBuf,
    /// File name without extension; a part number is added if the recording has to restart.
    pub base_name: String,
}

/// Everything the engine runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSpec {
    pub show_title: String,
    /// Seconds since the epoch, for the countdown slate.
    pub show_starts_at: Option<i64>,
    pub language: Language,
    pub video: VideoSettings,
    pub audio: AudioSettings,
    pub sources: Vec<SourceSpec>,
    pub outputs: Vec<OutputSpec>,
    pub recording: Option<RecordingSpec>,
    /// Small JPEG frames of the program for the UI.
    pub preview: bool,
    /// Lower the bitrate when an output falls behind (off for the bandwidth test, which sets it).
    pub dynamic_bitrate: bool,
}
