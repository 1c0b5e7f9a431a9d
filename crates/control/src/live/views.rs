//! What the window shows of the show on air, in the form the UI receives (TypeScript through ts-rs).

use serde::{Deserialize, Serialize};
use showdesk_media::engine::{Alert, EngineStats, OutputReport};
use showdesk_media::layout::{Corner, Layout};
use showdesk_media::meters::{MeterReading, SoundAlert};
use showdesk_media::output::OutputState;
use showdesk_media::program::SourceState;
use ts_rs::TS;

/// Where the show is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "LivePhase.ts")]
pub enum LivePhase {
    Off,
    Live,
}

/// One destination or the recording.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "OutputView.ts")]
pub struct OutputView {
    pub id: String,
    pub name: String,
    /// rtmp, srt or recording.
    pub kind: String,
    /// The masked destination, or the recording's folder.
    pub display: String,
    /// idle, connecting, live, reconnecting, failed, stopped.
    pub state: String,
    /// Why it is reconnecting or failed.
    pub reason: Option<String>,
    /// ok, warn (≥ 1 % dropped), error (≥ 5 %).
    pub health: String,
    #[ts(type = "number")]
    pub bitrate_bps: u64,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    pub dropped_percent: f64,
    #[ts(type = "number")]
    pub queue_ms: u64,
    pub reconnects: u32,
    pub srt_rtt_ms: Option<f64>,
    #[ts(type = "number")]
    pub live_seconds: u64,
    pub file: Option<String>,
}

/// One source of the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "SourceView.ts")]
pub struct SourceView {
    pub name: String,
    /// starting, active, failed, finished, stopped.
    pub state: String,
    pub reason: Option<String>,
}

/// A cut or a picture-in-picture, as the UI sends and receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "layout", rename_all = "snake_case")]
#[ts(export_to = "LayoutView.ts")]
pub enum LayoutView {
    Single { slot: usize },
    PictureInPicture { main: usize, inset: usize, corner: String, size_percent: u32 },
}

impl From<Layout> for LayoutView {
    fn from(layout: Layout) -> Self {
        match layout {
            Layout::Single { slot } => Self::Single { slot },
            Layout::PictureInPicture { main, inset, corner, size_percent } => {
                let corner = match corner {
                    Corner::TopLeft => "top_left",
                    Corner::TopRight => "top_right",
                    Corner::BottomLeft => "bottom_left",
                    Corner::BottomRight => "bottom_right",
                };
                Self::PictureInPicture { main, inset, corner: corner.into(), size_percent }
            }
        }
    }
}

impl LayoutView {
    /// The engine's layout; an unknown corner is refused.
    pub fn to_layout(self) -> Option<Layout> {
        Some(match self {
            Self::Single { slot } => Layout::Single { slot },
            Self::PictureInPicture { main, inset, corner, size_percent } => {
                let corner = match corner.as_str() {
                    "top_left" => Corner::TopLeft,
                    "top_right" => Corner::TopRight,
                    "bottom_left" => Corner::BottomLeft,
                    "bottom_right" => Corner::BottomRight,
                    _ => return None,
                };
                Layout::PictureInPicture { main, inset, corner, size_percent }
            }
        })
    }
}

/// The show on air, every second.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "LiveStatus.ts")]
pub struct LiveStatus {
    pub phase: LivePhase,
    pub show_id: Option<String>,
    #[ts(type = "number | null")]
    pub started_ms: Option<i64>,
    /// The video slots, in order: the sources with a picture, then "Slate".
    pub slots: Vec<String>,
    pub layout: Option<LayoutView>,
    /// x264, va_h264 or nv_h264.
    pub encoder: Option<String>,
    pub encoder_fps: f64,
    pub bitrate_kbps: u32,
    pub cpu_percent: f64,
    pub rss_mb: f64,
    pub outputs: Vec<OutputView>,
    pub sources: Vec<SourceView>,
    /// The audio channels (sources with sound), for the meters and the gain controls.
    pub channels: Vec<String>,
}

impl LiveStatus {
    pub fn off() -> Self {
        Self {
            phase: LivePhase::Off,
            show_id: None,
            started_ms: None,
            slots: Vec::new(),
            layout: None,
            encoder: None,
            encoder_fps: 0.0,
            bitrate_kbps: 0,
            cpu_percent: 0.0,
            rss_mb: 0.0,
            outputs: Vec::new(),
            sources: Vec::new(),
            channels: Vec::new(),
        }
    }
}

pub(crate) fn output_view(report: &OutputReport, state: &OutputState) -> OutputView {
    let reason = match state {
        OutputState::Reconnecting { reason, .. } | OutputState::Failed { reason } => Some(reason.clone()),
        _ => None,
    };
    OutputView {
        id: report.id.clone(),
        name: report.name.clone(),
        kind: report.kind.into(),
        display: report.display.clone(),
        state: state.name().into(),
        reason,
        health: report.health.into(),
        bitrate_bps: report.stats.bitrate_bps,
        bytes_sent: report.stats.bytes_sent,
        dropped_percent: (report.stats.dropped_percent * 100.0).round() / 100.0,
        queue_ms: report.stats.queue_ms,
        reconnects: report.stats.reconnects,
        srt_rtt_ms: report.stats.srt_rtt_ms,
        live_seconds: report.stats.live_seconds,
        file: report.stats.file.clone(),
    }
}

pub(crate) fn source_view(name: &str, state: &SourceState) -> SourceView {
    let (state, reason) = match state {
        SourceState::Starting => ("starting", None),
        SourceState::Active => ("active", None),
        SourceState::Failed { reason } => ("failed", Some(reason.clone())),
        SourceState::Finished => ("finished", None),
        SourceState::Stopped => ("stopped", None),
    };
    SourceView { name: name.into(), state: state.into(), reason }
}

/// Audio levels, about twenty times a second.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "MetersView.ts")]
pub struct MetersView {
    /// dBFS per channel of the program (−100 is silence).
    pub program_peak: Vec<f64>,
    pub program_rms: Vec<f64>,
    /// Per audio channel, the loudest channel's peak and RMS.
    pub channel_peak: Vec<f64>,
    pub channel_rms: Vec<f64>,
}

impl MetersView {
    pub fn of(program: Option<&MeterReading>, channels: &[Option<MeterReading>]) -> Self {
        let round = |v: f64| (v * 10.0).round() / 10.0;
        Self {
            program_peak: program.map(|r| r.peak_db.iter().copied().map(round).collect()).unwrap_or_default(),
            program_rms: program.map(|r| r.rms_db.iter().copied().map(round).collect()).unwrap_or_default(),
            channel_peak: channels.iter().map(|r| r.as_ref().map_or(-100.0, |r| round(r.max_peak()))).collect(),
            channel_rms: channels.iter().map(|r| r.as_ref().map_or(-100.0, |r| round(r.max_rms()))).collect(),
        }
    }
}

/// Something to tell the operator (and, for the serious ones, the desktop's notifications).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "LiveAlert.ts")]
pub struct LiveAlert {
    /// output_down, output_back, output_failed, dropped_frames, clipping, silence, sound_back,
    /// bitrate, source_failed, source_back, program.
    pub kind: String,
    /// warn or error (info for "back" news).
    pub severity: String,
    pub subject: String,
    /// One sentence, English; the UI translates known kinds.
    pub message: String,
    #[ts(type = "number")]
    pub at_ms: i64,
}

pub(crate) fn engine_alert(alert: &Alert, at_ms: i64) -> LiveAlert {
    match alert {
        Alert::Sound { channel, alert } => {
            let (kind, severity, message) = match alert {
                SoundAlert::Clipping { peak_db } => {
                    ("clipping", "warn", format!("{channel} is clipping (peaks at {peak_db:.1} dB): lower its gain"))
                }
                SoundAlert::Silence { seconds } => {
                    ("silence", "warn", format!("{channel} has been silent for {seconds} s"))
                }
                SoundAlert::SoundBack => ("sound_back", "info", format!("{channel} has sound again")),
            };
            LiveAlert { kind: kind.into(), severity: severity.into(), subject: channel.clone(), message, at_ms }
        }
        Alert::DroppedFrames { output, percent, severe } => LiveAlert {
            kind: "dropped_frames".into(),
            severity: if *severe { "error" } else { "warn" }.into(),
            subject: output.clone(),
            message: format!("{output} dropped {percent:.1} % of its frames: the connection cannot keep up"),
            at_ms,
        },
        Alert::Program { message } => LiveAlert {
            kind: "program".into(),
            severity: "error".into(),
            subject: "program".into(),
            message: message.clone(),
            at_ms,
        },
    }
}

/// The stats' sources, with their states, for the status.
pub(crate) fn status_of(
    stats: &EngineStats,
    outputs: &[(String, OutputState)],
    show_id: Option<String>,
    started_ms: i64,
    slots: Vec<String>,
    channels: Vec<String>,
) -> LiveStatus {
    let outputs = stats
        .outputs
        .iter()
        .map(|report| {
            let state =
                outputs.iter().find(|(id, _)| *id == report.id).map(|(_, s)| s.clone()).unwrap_or(OutputState::Idle);
            output_view(report, &state)
        })
        .collect();
    LiveStatus {
        phase: LivePhase::Live,
        show_id,
        started_ms: Some(started_ms),
        slots,
        layout: Some(stats.layout.into()),
        encoder: serde_json::to_value(stats.encoder).ok().and_then(|v| v.as_str().map(str::to_owned)),
        encoder_fps: stats.encoder_fps,
        bitrate_kbps: stats.bitrate_kbps,
        cpu_percent: stats.cpu_percent,
        rss_mb: stats.rss_mb,
        outputs,
        sources: stats.sources.iter().map(|s| source_view(&s.name, &s.state)).collect(),
        channels,
    }
}
