//! The engine: the program, its sources and every output behind one handle, with commands (cut,
//! picture-in-picture, slates, gain, retry) and events (state changes, alerts, meters, stats).
//! Runs on the caller's tokio runtime.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};

use crate::MediaError;
use crate::destination::Target;
use crate::elements::OwnedPipeline;
use crate::layout::Layout;
use crate::meters::{MeterReading, SoundAlert, SoundWatch};
use crate::output::{BitrateChange, BitrateController, OutputEvent, OutputHandle, OutputKind, OutputStats, lock};
use crate::process_stats::{CpuSampler, rss_mib};
use crate::program::sources::{SourceOutputs, set_slate_text, slate_pipeline};
use crate::program::{
    EncoderKind, PROGRAM_LEVEL, PreviewFrame, Program, SourceEvent, SourceRunner, SourceState, SourceThumbnail,
    ThumbnailFeed, slate_text,
};
use crate::spec::{EngineSpec, SlateKind};

/// The id of the recording among the outputs.
pub const RECORDING_ID: &str = "recording";

/// Something worth telling the operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    /// Clipping, silence, sound back — on a channel (its name) or the program.
    Sound { channel: String, alert: SoundAlert },
    /// An output's health by its dropped frames: warn at 1 %, error at 5 %.
    DroppedFrames { output: String, percent: f64, severe: bool },
    /// The program pipeline itself reported an error.
    Program { message: String },
}

/// What the engine tells its listeners.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EngineEvent {
    Output(OutputEvent),
    Source(SourceEvent),
    Alert(Alert),
    Bitrate(BitrateChange),
    /// Every second.
    Stats(EngineStats),
    /// About 20 times a second: the program's and each channel's levels.
    Meters(MetersSnapshot),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetersSnapshot {
    pub program: Option<MeterReading>,
    /// By audio channel index.
    pub channels: Vec<Option<MeterReading>>,
}

/// One output in the stats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputReport {
    pub id: String,
    pub name: String,
    /// "rtmp", "srt" or "recording".
    pub kind: &'static str,
    /// Masked destination or the recording's folder.
    pub display: String,
    /// "ok", "warn" (≥ 1 % dropped) or "error" (≥ 5 %).
    pub health: &'static str,
    pub stats: OutputStats,
}

/// The engine's numbers, every second.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineStats {
    pub uptime_s: u64,
    pub encoder: EncoderKind,
    pub encoder_fps: f64,
    pub bitrate_kbps: u32,
    pub cpu_percent: f64,
    pub rss_mb: f64,
    pub layout: Layout,
    pub sources: Vec<SourceEvent>,
    pub outputs: Vec<OutputReport>,
}

/// What a stopped engine leaves.
#[derive(Debug, Clone, Serialize)]
pub struct StopReport {
    pub recording: Option<PathBuf>,
    pub outputs: Vec<OutputReport>,
}

/// What the once-a-second work remembers between ticks.
struct TickState {
    started: Instant,
    cpu: CpuSampler,
    controller: BitrateController,
    last_frames: (Instant, u64),
    health: HashMap<String, &'static str>,
    second: bool,
}

impl TickState {
    fn new(engine: &std::sync::Weak<Engine>) -> Self {
        let (target, floor, frames) = engine
            .upgrade()
            .map(|e| (e.spec.video.bitrate_kbps, e.spec.video.min_bitrate_kbps, e.program.frames_encoded()))
            .unwrap_or((2500, 500, 0));
        Self {
            started: Instant::now(),
            cpu: CpuSampler::default(),
            controller: BitrateController::new(target, floor),
            last_frames: (Instant::now(), frames),
            health: HashMap::new(),
            second: false,
        }
    }
}

struct SlateSlot {
    kind: SlateKind,
    pipeline: OwnedPipeline,
}

/// The running engine.
pub struct Engine {
    spec: EngineSpec,
    program: Arc<Program>,
    outputs: Vec<OutputHandle>,
    stopped: std::sync::atomic::AtomicBool,
    ticker: Mutex<Option<tokio::task::JoinHandle<()>>>,
    source_stops: Vec<watch::Sender<bool>>,
    sources: Arc<Mutex<Vec<SourceEvent>>>,
    slate: Mutex<Option<SlateSlot>>,
    layout: Mutex<Layout>,
    events: broadcast::Sender<EngineEvent>,
    preview: broadcast::Sender<PreviewFrame>,
    thumbnails: broadcast::Sender<SourceThumbnail>,
    stats: Arc<Mutex<Option<EngineStats>>>,
    background: Vec<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("outputs", &self.outputs.len()).finish_non_exhaustive()
    }
}

impl Engine {
    /// Builds and starts everything in `spec`. Must be called inside a tokio runtime.
    pub async fn start(spec: EngineSpec) -> Result<Self, MediaError> {
        crate::gst_log::init().map_err(|err| MediaError::Init(err.to_string()))?;
        static INSTANCE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let instance =
            format!("show{}-{}", std::process::id(), INSTANCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let (events, _) = broadcast::channel(1024);
        // Preview and thumbnails are only encoded while someone holds a receiver (see `tap`).
        let (preview, _) = broadcast::channel(4);
        let (thumbnails, _) = broadcast::channel(16);
        let preview_tap = crate::program::tap::into_broadcast(preview.clone(), |frame| frame);
        let program = Arc::new(Program::build(&spec, &instance, Some(preview_tap))?);
        program.start()?;

        let mut background = Vec::new();
        let meters =
            Arc::new(Mutex::new(MetersSnapshot { program: None, channels: vec![None; program.audio_channels.len()] }));
        background.push(tokio::spawn(watch_program_bus(
            Arc::clone(&program),
            spec.clone(),
            events.clone(),
            Arc::clone(&meters),
        )));

        // Sources.
        let (source_tx, mut source_rx) = mpsc::unbounded_channel::<SourceEvent>();
        let sources = Arc::new(Mutex::new(Vec::new()));
        let mut source_stops = Vec::new();
        let (mut video_slot, mut audio_channel) = (0, 0);
        let now = unix_now();
        for (index, source) in spec.sources.iter().enumerate() {
            let outputs = SourceOutputs {
                video_channel: source.kind.has_video().then(|| program.video_channels[video_slot].clone()),
                audio_channel: source.kind.has_audio().then(|| program.audio_channels[audio_channel].clone()),
                format: program.format,
                thumbnails: source.kind.has_video().then(|| ThumbnailFeed {
                    slot: video_slot,
                    source: source.name.clone(),
                    sender: thumbnails.clone(),
                }),
            };
            video_slot += usize::from(source.kind.has_video());
            audio_channel += usize::from(source.kind.has_audio());
            let text = slate_text(SlateKind::NoSignal, spec.language, "", &source.name, None, now);
            lock(&sources).push(SourceEvent { index, name: source.name.clone(), state: SourceState::Starting });
            source_stops.push(SourceRunner::spawn(index, source.clone(), outputs, text, source_tx.clone()));
        }
        {
            let (sources, events) = (Arc::clone(&sources), events.clone());
            background.push(tokio::spawn(async move {
                while let Some(event) = source_rx.recv().await {
                    if let Some(slot) = lock(&sources).get_mut(event.index) {
                        *slot = event.clone();
                    }
                    let _ = events.send(EngineEvent::Source(event));
                }
            }));
        }

        // Outputs, each its own pipeline.
        let (output_tx, mut output_rx) = mpsc::unbounded_channel::<OutputEvent>();
        let mut outputs = Vec::new();
        for output in &spec.outputs {
            let kind = match &output.target {
                Target::Rtmp(target) => OutputKind::Rtmp(target.clone()),
                Target::Srt(target) => OutputKind::Srt(target.clone()),
            };
            outputs.push(OutputHandle::spawn(
                output.id.clone(),
                output.name.clone(),
                kind,
                Arc::clone(&program),
                output_tx.clone(),
            ));
        }
        if let Some(recording) = &spec.recording {
            let kind =
                OutputKind::Recording { folder: recording.folder.clone(), base_name: recording.base_name.clone() };
            outputs.push(OutputHandle::spawn(
                RECORDING_ID.into(),
                "Recording".into(),
                kind,
                Arc::clone(&program),
                output_tx.clone(),
            ));
        }
        {
            let events = events.clone();
            background.push(tokio::spawn(async move {
                while let Some(event) = output_rx.recv().await {
                    let _ = events.send(EngineEvent::Output(event));
                }
            }));
        }

        let engine = Self {
            spec,
            program,
            outputs,
            stopped: std::sync::atomic::AtomicBool::new(false),
            ticker: Mutex::new(None),
            source_stops,
            sources,
            slate: Mutex::new(None),
            layout: Mutex::new(Layout::Single { slot: 0 }),
            events,
            preview,
            thumbnails,
            stats: Arc::new(Mutex::new(None)),
            background,
        };
        Ok(engine)
    }

    /// Starts the once-a-second work (stats, dynamic bitrate, health alerts, countdown). Separate from
    /// `start` because it needs the engine behind an `Arc`.
    pub fn run_background(self: &Arc<Self>) {
        // A weak handle: the ticks never keep a stopped or dropped engine alive.
        let engine = Arc::downgrade(self);
        let task = tokio::spawn(async move {
            let mut state = TickState::new(&engine);
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let Some(engine) = engine.upgrade() else { break };
                if engine.stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                engine.tick(&mut state);
            }
        });
        *lock(&self.ticker) = Some(task);
    }

    fn tick(&self, state: &mut TickState) {
        // Dynamic bitrate: the worst live network output decides.
        let live: Vec<OutputStats> = self
            .outputs
            .iter()
            .filter(|o| o.kind.is_network())
            .map(OutputHandle::stats)
            .filter(|s| s.state == "live")
            .collect();
        if let Some(worst) = live.iter().max_by_key(|s| s.queue_ms).filter(|_| self.spec.dynamic_bitrate) {
            let sent_kbps = u32::try_from(worst.bitrate_bps / 1000).ok();
            if let Some(change) = state.controller.observe(state.started.elapsed(), worst.queue_ms, sent_kbps) {
                self.program.set_bitrate_kbps(change.to_kbps);
                tracing::info!(
                    from = change.from_kbps,
                    to = change.to_kbps,
                    queue_ms = change.queue_ms,
                    "dynamic bitrate"
                );
                let _ = self.events.send(EngineEvent::Bitrate(change));
            }
        }
        state.second = !state.second;
        if !state.second {
            return;
        }
        self.tick_slate();
        let frames = self.program.frames_encoded();
        let elapsed = state.last_frames.0.elapsed().as_secs_f64().max(0.001);
        let fps = (frames.saturating_sub(state.last_frames.1)) as f64 / elapsed;
        state.last_frames = (Instant::now(), frames);
        let outputs = self.output_reports();
        for output in &outputs {
            let before = state.health.insert(output.id.clone(), output.health).unwrap_or("ok");
            if output.health != "ok" && output.health != before {
                let _ = self.events.send(EngineEvent::Alert(Alert::DroppedFrames {
                    output: output.name.clone(),
                    percent: output.stats.dropped_percent,
                    severe: output.health == "error",
                }));
            }
        }
        let stats = EngineStats {
            uptime_s: state.started.elapsed().as_secs(),
            encoder: self.program.encoder_kind(),
            encoder_fps: (fps * 10.0).round() / 10.0,
            bitrate_kbps: state.controller.current_kbps(),
            cpu_percent: (state.cpu.sample() * 10.0).round() / 10.0,
            rss_mb: (rss_mib() * 10.0).round() / 10.0,
            layout: *lock(&self.layout),
            sources: lock(&self.sources).clone(),
            outputs,
        };
        *lock(&self.stats) = Some(stats.clone());
        let _ = self.events.send(EngineEvent::Stats(stats));
    }

    fn output_reports(&self) -> Vec<OutputReport> {
        self.outputs
            .iter()
            .map(|output| {
                let stats = output.stats();
                let health = if stats.dropped_percent >= 5.0 {
                    "error"
                } else if stats.dropped_percent >= 1.0 {
                    "warn"
                } else {
                    "ok"
                };
                let kind = match output.kind {
                    OutputKind::Rtmp(_) => "rtmp",
                    OutputKind::Srt(_) => "srt",
                    OutputKind::Recording { .. } => "recording",
                };
                OutputReport {
                    id: output.id.clone(),
                    name: output.name.clone(),
                    kind,
                    display: output.display.clone(),
                    health,
                    stats,
                }
            })
            .collect()
    }

    /// Where an output is now.
    pub fn output_state(&self, id: &str) -> Option<crate::output::OutputState> {
        self.outputs.iter().find(|o| o.id == id).map(OutputHandle::state)
    }

    /// Events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    /// Program frames from now on (encoded only while a receiver exists).
    pub fn subscribe_preview(&self) -> broadcast::Receiver<PreviewFrame> {
        self.preview.subscribe()
    }

    /// Every source's thumbnails from now on (encoded only while a receiver exists).
    pub fn subscribe_thumbnails(&self) -> broadcast::Receiver<SourceThumbnail> {
        self.thumbnails.subscribe()
    }

    /// The latest stats (None before the first second).
    pub fn stats(&self) -> Option<EngineStats> {
        lock(&self.stats).clone()
    }

    /// The names of the video slots, in order: sources with video, then "Slate".
    pub fn slots(&self) -> Vec<String> {
        let mut names: Vec<String> =
            self.spec.sources.iter().filter(|s| s.kind.has_video()).map(|s| s.name.clone()).collect();
        names.push("Slate".into());
        names
    }

    /// The names of the audio channels, in order: the sources with sound.
    pub fn channels(&self) -> Vec<String> {
        self.spec.sources.iter().filter(|s| s.kind.has_audio()).map(|s| s.name.clone()).collect()
    }

    /// Where every output is now.
    pub fn output_states(&self) -> Vec<(String, crate::output::OutputState)> {
        self.outputs.iter().map(|o| (o.id.clone(), o.state())).collect()
    }

    /// A cut or a picture-in-picture. Leaving the slate slot stops the slate.
    pub fn set_layout(&self, layout: Layout) -> Result<(), MediaError> {
        self.program.set_layout(layout)?;
        *lock(&self.layout) = layout;
        let slate_visible = match layout {
            Layout::Single { slot } => slot == self.program.slate_slot(),
            Layout::PictureInPicture { main, inset, .. } => {
                main == self.program.slate_slot() || inset == self.program.slate_slot()
            }
        };
        if !slate_visible && let Some(slate) = lock(&self.slate).take() {
            let _ = slate.pipeline.set_state(gst::State::Null);
        }
        Ok(())
    }

    /// Cuts to a slate (countdown, starting soon, be right back, ended).
    pub fn show_slate(&self, kind: SlateKind) -> Result<(), MediaError> {
        let text =
            slate_text(kind, self.spec.language, &self.spec.show_title, "", self.spec.show_starts_at, unix_now());
        {
            let mut slate = lock(&self.slate);
            match slate.as_mut() {
                Some(running) => {
                    running.kind = kind;
                    set_slate_text(&running.pipeline, &text);
                }
                None => {
                    let channel = &self.program.video_channels[self.program.slate_slot()];
                    let pipeline = slate_pipeline(channel, self.program.format, &text)?;
                    pipeline
                        .set_state(gst::State::Playing)
                        .map_err(|_| MediaError::State("the slate would not start".into()))?;
                    *slate = Some(SlateSlot { kind, pipeline });
                }
            }
        }
        self.program.set_layout(Layout::Single { slot: self.program.slate_slot() })?;
        *lock(&self.layout) = Layout::Single { slot: self.program.slate_slot() };
        Ok(())
    }

    fn tick_slate(&self) {
        if let Some(slate) = lock(&self.slate).as_ref().filter(|slate| slate.kind == SlateKind::Countdown) {
            let text = slate_text(
                SlateKind::Countdown,
                self.spec.language,
                &self.spec.show_title,
                "",
                self.spec.show_starts_at,
                unix_now(),
            );
            set_slate_text(&slate.pipeline, &text);
        }
    }

    /// Sets the encoder's bitrate (the bandwidth test; dynamic bitrate does this by itself).
    pub fn set_bitrate_kbps(&self, kbps: u32) {
        self.program.set_bitrate_kbps(kbps);
    }

    /// Gain (dB) and mute of an audio channel.
    pub fn set_audio(&self, channel: usize, gain_db: f64, muted: bool) -> Result<(), MediaError> {
        self.program.set_audio(channel, gain_db, muted)
    }

    /// "Retry now" on an output.
    pub fn retry(&self, output_id: &str) -> Result<(), MediaError> {
        let output = self
            .outputs
            .iter()
            .find(|o| o.id == output_id)
            .ok_or_else(|| MediaError::BadCommand(format!("no output {output_id:?}")))?;
        let _ = output.commands.send(crate::output::OutputCommand::RetryNow);
        Ok(())
    }

    /// Stops every output (a recording is finalised), the sources and the program. Idempotent.
    pub async fn stop(&self) -> StopReport {
        self.stopped.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(ticker) = lock(&self.ticker).take() {
            ticker.abort();
        }
        let outputs_before = self.output_reports();
        for output in &self.outputs {
            output.stop(Duration::from_secs(8)).await;
        }
        for stop in &self.source_stops {
            let _ = stop.send(true);
        }
        if let Some(slate) = lock(&self.slate).take() {
            let _ = slate.pipeline.set_state(gst::State::Null);
        }
        self.program.stop();
        for task in &self.background {
            task.abort();
        }
        let recording =
            self.outputs.iter().find(|o| o.id == RECORDING_ID).and_then(|o| o.stats().file).map(PathBuf::from);
        let mut outputs = self.output_reports();
        for (after, before) in outputs.iter_mut().zip(outputs_before) {
            after.stats.bitrate_bps = before.stats.bitrate_bps;
        }
        StopReport { recording, outputs }
    }
}

impl Drop for Engine {
    /// An engine dropped without `stop` (an error path, a panic) still leaves nothing running: the
    /// outputs and sources are told to stop and the program goes to NULL at once.
    fn drop(&mut self) {
        for output in &self.outputs {
            let _ = output.commands.send(crate::output::OutputCommand::Stop);
        }
        for stop in &self.source_stops {
            let _ = stop.send(true);
        }
        if let Some(slate) = lock(&self.slate).take() {
            let _ = slate.pipeline.set_state(gst::State::Null);
        }
        self.program.stop();
        for task in &self.background {
            task.abort();
        }
    }
}

async fn watch_program_bus(
    program: Arc<Program>,
    spec: EngineSpec,
    events: broadcast::Sender<EngineEvent>,
    meters: Arc<Mutex<MetersSnapshot>>,
) {
    let Some(bus) = program.pipeline.bus() else { return };
    let mut messages = bus.stream();
    let started = Instant::now();
    let names: Vec<String> = spec.sources.iter().filter(|s| s.kind.has_audio()).map(|s| s.name.clone()).collect();
    let mut watches: HashMap<String, SoundWatch> = HashMap::new();
    let mut last_sent = Instant::now();
    while let Some(message) = messages.next().await {
        match message.view() {
            gst::MessageView::Element(element) => {
                let (Some(structure), Some(source)) = (element.structure(), message.src()) else { continue };
                let Some(reading) = MeterReading::from_level_message(structure) else { continue };
                let source = source.name().to_string();
                let channel_name = if source == PROGRAM_LEVEL {
                    lock(&meters).program = Some(reading.clone());
                    "program".to_owned()
                } else if let Some(index) = source.strip_prefix("level-ch").and_then(|i| i.parse::<usize>().ok()) {
                    if let Some(slot) = lock(&meters).channels.get_mut(index) {
                        *slot = Some(reading.clone());
                    }
                    names.get(index).cloned().unwrap_or(source)
                } else {
                    continue;
                };
                if let Some(alert) =
                    watches.entry(channel_name.clone()).or_default().observe(started.elapsed(), &reading)
                {
                    let _ = events.send(EngineEvent::Alert(Alert::Sound { channel: channel_name, alert }));
                }
                if last_sent.elapsed() >= Duration::from_millis(45) {
                    last_sent = Instant::now();
                    let _ = events.send(EngineEvent::Meters(lock(&meters).clone()));
                }
            }
            gst::MessageView::Error(error) => {
                let message = showdesk_platform::redact(&error.error().to_string()).into_owned();
                tracing::error!("program pipeline error: {message}");
                let _ = events.send(EngineEvent::Alert(Alert::Program { message }));
            }
            _ => {}
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
