//! Source pipelines: each source of the show runs in its own pipeline and hands its frames and
//! samples to the program through an inter channel. A source that fails (camera unplugged, file
//! missing, decoder error) is replaced in its slot by a "no signal" slate and retried; the program
//! never notices more than a change of picture.

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::MediaError;
use crate::elements::{
    OwnedPipeline, add_chain, capsfilter, enum_nicks, link, make, raw_audio_caps, raw_video_caps, set_from_str,
};
use crate::spec::{SourceKind, SourceSpec, VideoFormat};

/// videotestsrc patterns that do not move.
const STILL_PATTERNS: &[&str] = &[
    "smpte",
    "smpte75",
    "smpte100",
    "bar",
    "colors",
    "checkers-1",
    "checkers-2",
    "checkers-4",
    "checkers-8",
    "circular",
    "black",
    "white",
    "red",
    "green",
    "blue",
    "solid-color",
    "gradient",
    "pinwheel",
    "spokes",
];

/// How long a failed source waits before it is tried again.
pub const RETRY_EVERY: Duration = Duration::from_secs(3);
/// A source counts as healthy after running this long without an error.
const HEALTHY_AFTER: Duration = Duration::from_millis(700);

/// Where a source is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SourceState {
    Starting,
    Active,
    /// Replaced by the "no signal" slate; retried every few seconds.
    Failed {
        reason: String,
    },
    /// A file played once reached its end.
    Finished,
    Stopped,
}

/// A change of a source's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceEvent {
    pub index: usize,
    pub name: String,
    pub state: SourceState,
}

/// Where a source delivers: its inter channels.
#[derive(Debug, Clone)]
pub struct SourceOutputs {
    pub video_channel: Option<String>,
    pub audio_channel: Option<String>,
    pub format: VideoFormat,
    /// Where the source's thumbnails go (none in the preflight's camera check).
    pub thumbnails: Option<super::ThumbnailFeed>,
}

/// Supervises one source. Dropping the stop sender (or sending true) stops it.
#[derive(Debug)]
pub struct SourceRunner;

impl SourceRunner {
    /// Starts supervising `spec` in a tokio task; `slate` builds the no-signal slate pipeline for the
    /// video channel. Returns the stop switch.
    pub fn spawn(
        index: usize,
        spec: SourceSpec,
        outputs: SourceOutputs,
        no_signal_text: String,
        events: mpsc::UnboundedSender<SourceEvent>,
    ) -> watch::Sender<bool> {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(supervise(index, spec, outputs, no_signal_text, events, stop_rx));
        stop_tx
    }
}

async fn supervise(
    index: usize,
    spec: SourceSpec,
    outputs: SourceOutputs,
    no_signal_text: String,
    events: mpsc::UnboundedSender<SourceEvent>,
    mut stop: watch::Receiver<bool>,
) {
    let report = |state: SourceState| {
        let _ = events.send(SourceEvent { index, name: spec.name.clone(), state });
    };
    report(SourceState::Starting);
    loop {
        let outcome = match precheck(&spec.kind).and_then(|()| build(&spec, &outputs)) {
            Ok(pipeline) => run(&pipeline, &spec.kind, &report, &mut stop).await,
            Err(err) => Outcome::Failed(err.to_string()),
        };
        match outcome {
            Outcome::Stopped => break,
            Outcome::Finished => {
                report(SourceState::Finished);
                let _ = stop.changed().await;
                break;
            }
            Outcome::Failed(reason) => {
                let reason = showdesk_platform::redact(&reason).into_owned();
                tracing::warn!(source = %spec.name, "source failed, showing the no-signal slate: {reason}");
                report(SourceState::Failed { reason });
                let slate = outputs
                    .video_channel
                    .as_ref()
                    .and_then(|channel| slate_pipeline(channel, outputs.format, &no_signal_text).ok());
                if let Some(slate) = &slate {
                    let _ = slate.set_state(gst::State::Playing);
                }
                let stopped = tokio::select! {
                    () = tokio::time::sleep(RETRY_EVERY) => false,
                    _ = stop.changed() => true,
                };
                drop(slate);
                if stopped || *stop.borrow() {
                    break;
                }
            }
        }
    }
    report(SourceState::Stopped);
}

enum Outcome {
    Stopped,
    Finished,
    Failed(String),
}

/// Runs a source pipeline until it fails, ends or is stopped.
async fn run(
    pipeline: &OwnedPipeline,
    kind: &SourceKind,
    report: &impl Fn(SourceState),
    stop: &mut watch::Receiver<bool>,
) -> Outcome {
    let Some(bus) = pipeline.bus() else { return Outcome::Failed("the source pipeline has no bus".into()) };
    let mut messages = bus.stream();
    if pipeline.set_state(gst::State::Playing).is_err() {
        let detail = first_error(&bus).unwrap_or_else(|| "it would not start".into());
        let _ = pipeline.set_state(gst::State::Null);
        return Outcome::Failed(detail);
    }
    let looped = matches!(kind, SourceKind::File { looped: true, .. });
    let healthy = tokio::time::sleep(HEALTHY_AFTER);
    tokio::pin!(healthy);
    let mut reported_active = false;
    let outcome = loop {
        tokio::select! {
            () = &mut healthy, if !reported_active => {
                reported_active = true;
                report(SourceState::Active);
            }
            _ = stop.changed() => break Outcome::Stopped,
            message = messages.next() => {
                let Some(message) = message else { break Outcome::Failed("the source pipeline's bus closed".into()) };
                match message.view() {
                    gst::MessageView::Error(error) => break Outcome::Failed(error.error().to_string()),
                    gst::MessageView::Eos(_) if looped => {
                        let rewound = pipeline.seek_simple(gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT, gst::ClockTime::ZERO);
                        if rewound.is_err() {
                            break Outcome::Failed("the file could not be looped (seek refused)".into());
                        }
                    }
                    gst::MessageView::Eos(_) => break Outcome::Finished,
                    _ => {}
                }
            }
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    outcome
}

fn first_error(bus: &gst::Bus) -> Option<String> {
    bus.pop_filtered(&[gst::MessageType::Error]).and_then(|message| match message.view() {
        gst::MessageView::Error(error) => Some(error.error().to_string()),
        _ => None,
    })
}

/// Cheap checks before building: a missing file or device fails fast with a clear reason.
fn precheck(kind: &SourceKind) -> Result<(), MediaError> {
    match kind {
        SourceKind::File { path, .. } | SourceKind::Image { path } if !path.is_file() => {
            Err(MediaError::SourceUnavailable(format!("{} does not exist or is not a file", path.display())))
        }
        SourceKind::Camera { device: Some(device) } if device.starts_with('/') && !Path::new(device).exists() => {
            Err(MediaError::SourceUnavailable(format!("the camera {device} is not connected")))
        }
        _ => Ok(()),
    }
}

/// Builds the pipeline of one source, ending in its inter channels.
pub fn build(spec: &SourceSpec, outputs: &SourceOutputs) -> Result<OwnedPipeline, MediaError> {
    let pipeline = gst::Pipeline::with_name(&format!("source-{}", spec.name));
    let video_sink = |pipeline: &gst::Pipeline| -> Result<gst::Element, MediaError> {
        let channel = outputs
            .video_channel
            .as_ref()
            .ok_or_else(|| MediaError::Build("no video channel for this source".into()))?;
        let convert = make("videoconvertscale", "video-convert")?;
        let rate = make("videorate", "video-rate")?;
        let caps = capsfilter("video-caps", &raw_video_caps(outputs.format))?;
        let sink = make("intervideosink", "video-sink")?;
        sink.set_property("channel", channel);
        match &outputs.thumbnails {
            Some(feed) => {
                let tee = make("tee", "video-tee")?;
                add_chain(pipeline, &[&convert, &rate, &caps, &tee, &sink])?;
                feed.attach(pipeline, &tee)?;
            }
            None => add_chain(pipeline, &[&convert, &rate, &caps, &sink])?,
        }
        Ok(convert)
    };
    let audio_sink = |pipeline: &gst::Pipeline| -> Result<gst::Element, MediaError> {
        let channel = outputs
            .audio_channel
            .as_ref()
            .ok_or_else(|| MediaError::Build("no audio channel for this source".into()))?;
        let convert = make("audioconvert", "audio-convert")?;
        let resample = make("audioresample", "audio-resample")?;
        let caps = capsfilter("audio-caps", &raw_audio_caps())?;
        let sink = make("interaudiosink", "audio-sink")?;
        sink.set_property("channel", channel);
        add_chain(pipeline, &[&convert, &resample, &caps, &sink])?;
        Ok(convert)
    };
    match &spec.kind {
        SourceKind::TestPattern { pattern } => {
            let source = make("videotestsrc", "pattern")?;
            set_from_str(&source, "pattern", pattern).map_err(|_| MediaError::BadValue {
                element: "test pattern".into(),
                property: "pattern".into(),
                value: format!("{pattern} (one of: {})", enum_nicks(&source, "pattern").join(", ")),
            })?;
            let sink = video_sink(&pipeline)?;
            if STILL_PATTERNS.contains(&pattern.as_str()) {
                // A still pattern is drawn once and repeated: videotestsrc would redraw every frame
                // (a few percent of a core at 720p, for a picture that never changes).
                source.set_property("num-buffers", 1i32);
                let caps = capsfilter("pattern-caps", &raw_video_caps(outputs.format))?;
                let freeze = make("imagefreeze", "pattern-freeze")?;
                freeze.set_property("is-live", true);
                add_chain(&pipeline, &[&source, &caps, &freeze])?;
                link(&freeze, &sink)?;
            } else {
                source.set_property("is-live", true);
                pipeline.add(&source).map_err(|err| MediaError::Build(err.to_string()))?;
                link(&source, &sink)?;
            }
        }
        SourceKind::Tone { frequency_hz } => {
            let source = make("audiotestsrc", "tone")?;
            source.set_property("is-live", true);
            source.set_property("freq", f64::from(*frequency_hz));
            source.set_property("volume", 0.25f64);
            let sink = audio_sink(&pipeline)?;
            pipeline.add(&source).map_err(|err| MediaError::Build(err.to_string()))?;
            link(&source, &sink)?;
        }
        SourceKind::Camera { device } => {
            let source = make("v4l2src", "camera")?;
            if let Some(device) = device {
                source.set_property("device", device);
            }
            let decode = make("decodebin", "camera-decode")?;
            let sink = video_sink(&pipeline)?;
            add_chain(&pipeline, &[&source, &decode])?;
            link_decoded(&decode, Some(sink), None);
        }
        SourceKind::Microphone { device } => {
            let source = match device {
                Some(device) => {
                    let source = make("pulsesrc", "microphone")?;
                    source.set_property("device", device);
                    source
                }
                None => make("autoaudiosrc", "microphone")?,
            };
            let sink = audio_sink(&pipeline)?;
            pipeline.add(&source).map_err(|err| MediaError::Build(err.to_string()))?;
            link(&source, &sink)?;
        }
        SourceKind::File { path, .. } => {
            let uri = gst::glib::filename_to_uri(path, None)
                .map_err(|_| MediaError::SourceUnavailable(format!("{} is not a usable file path", path.display())))?;
            let decode = make("uridecodebin", "file-decode")?;
            decode.set_property("uri", uri.as_str());
            pipeline.add(&decode).map_err(|err| MediaError::Build(err.to_string()))?;
            let video = outputs.video_channel.is_some().then(|| video_sink(&pipeline)).transpose()?;
            let audio = outputs.audio_channel.is_some().then(|| audio_sink(&pipeline)).transpose()?;
            link_decoded(&decode, video, audio);
        }
        SourceKind::Image { path } => {
            let source = make("filesrc", "image-file")?;
            source.set_property("location", path.as_path());
            let decode = make("decodebin", "image-decode")?;
            let freeze = make("imagefreeze", "image-freeze")?;
            freeze.set_property("is-live", true);
            let sink = video_sink(&pipeline)?;
            add_chain(&pipeline, &[&source, &decode])?;
            pipeline.add(&freeze).map_err(|err| MediaError::Build(err.to_string()))?;
            link(&freeze, &sink)?;
            link_decoded(&decode, Some(freeze), None);
        }
    }
    Ok(OwnedPipeline(pipeline))
}

/// Links a decodebin's pads as they appear: the first video pad to `video`, the first audio pad to
/// `audio`; other streams are left unlinked (decodebin drops them).
fn link_decoded(decode: &gst::Element, video: Option<gst::Element>, audio: Option<gst::Element>) {
    decode.connect_pad_added(move |_, pad| {
        let caps = pad.current_caps().or_else(|| Some(pad.query_caps(None)));
        let Some(name) = caps.as_ref().and_then(|caps| caps.structure(0)).map(|s| s.name().to_string()) else { return };
        let target = if name.starts_with("video/") {
            video.as_ref()
        } else if name.starts_with("audio/") {
            audio.as_ref()
        } else {
            None
        };
        if let Some(sink_pad) = target.and_then(|element| element.static_pad("sink")).filter(|pad| !pad.is_linked())
            && let Err(err) = pad.link(&sink_pad)
        {
            tracing::warn!("cannot link a decoded {name} stream: {err:?}");
        }
    });
}

/// A slate: a dark card with centred text, into a video channel. Cheap (solid colour + cached text).
pub fn slate_pipeline(channel: &str, format: VideoFormat, text: &str) -> Result<OwnedPipeline, MediaError> {
    let pipeline = gst::Pipeline::with_name(&format!("slate-{channel}"));
    let source = make("videotestsrc", "slate-background")?;
    source.set_property("is-live", true);
    source.set_property_from_str("pattern", "solid-color");
    source.set_property("foreground-color", 0xff_14_18_20u32);
    let caps = capsfilter("slate-caps", &raw_video_caps(format))?;
    let overlay = make("textoverlay", "slate-text")?;
    overlay.set_property("text", text);
    overlay.set_property_from_str("valignment", "center");
    overlay.set_property_from_str("halignment", "center");
    overlay.set_property_from_str("line-alignment", "center");
    overlay.set_property("font-desc", format!("Sans Bold {}", format.height / 16));
    overlay.set_property("shaded-background", false);
    let sink = make("intervideosink", "slate-sink")?;
    sink.set_property("channel", channel);
    add_chain(&pipeline, &[&source, &caps, &overlay, &sink])?;
    Ok(OwnedPipeline(pipeline))
}

/// Updates the text of a running slate pipeline (the countdown ticks without a rebuild).
pub fn set_slate_text(pipeline: &gst::Pipeline, text: &str) {
    if let Some(overlay) = pipeline.by_name("slate-text") {
        overlay.set_property("text", text);
    }
}
