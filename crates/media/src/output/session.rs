//! One session of one output: its own pipeline, from the program's encoded streams to the network or
//! the disk, watched until it ends.
//!
//! ```text
//! appsrc(video) ─ h264parse ─ caps ─ queue ─┐
//!                                           ├─ flvmux ─ rtmp2sink         (RTMP, RTMPS)
//! appsrc(audio) ─ aacparse ─ queue ─────────┘  mpegtsmux ─ srtsink        (SRT)
//!                                              matroskamux ─ filesink     (recording)
//! ```
//! The consumer pipeline shares the program's clock and base time, so running times line up; a
//! new session waits for a keyframe (and asks the encoder for one) and the parsers resend the codec
//! headers, so every session starts decodable.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_utils::streamproducer::ConsumerSettings;
use gstreamer_utils::{ConsumptionLink, StreamProducer};
use serde::Serialize;
use tokio::sync::mpsc;

use super::state::{FailureKind, OutputState, Reconnect, classify};
use super::{OutputCommand, OutputShared, lock};
use crate::MediaError;
use crate::destination::{RtmpTarget, SrtMode, SrtTarget};
use crate::elements::{add_chain, capsfilter, link, make, set, set_from_str};
use crate::program::Program;

/// Past this much queued video, new frames are dropped until the queue drains (OBS drops at 700 ms).
pub const DROP_AT_MS: u64 = 700;
/// Sending resumes (at the next keyframe) once the queue is below this.
pub const RESUME_AT_MS: u64 = 200;
/// How often stats are sampled.
const TICK: Duration = Duration::from_millis(500);
/// How long a stop waits for the muxer to finish (a recording writes its index).
const EOS_TIMEOUT: Duration = Duration::from_secs(5);

/// What an output sends to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputKind {
    Rtmp(RtmpTarget),
    Srt(SrtTarget),
    Recording { folder: PathBuf, base_name: String },
}

impl OutputKind {
    /// The masked form for the UI and logs.
    pub fn display(&self) -> String {
        match self {
            Self::Rtmp(target) => target.display(),
            Self::Srt(target) => target.display(),
            Self::Recording { folder, .. } => folder.display().to_string(),
        }
    }

    /// Where a TCP probe can tell that the server is back.
    pub fn tcp_endpoint(&self) -> Option<(String, u16)> {
        match self {
            Self::Rtmp(target) => Some((target.host.clone(), target.port)),
            _ => None,
        }
    }

    pub fn is_network(&self) -> bool {
        !matches!(self, Self::Recording { .. })
    }
}

/// Numbers a session samples (also used by preflight).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SessionStats {
    pub bytes_sent: u64,
    pub queue_ms: u64,
    pub srt_rtt_ms: Option<f64>,
    pub srt_loss_percent: Option<f64>,
}

/// How a session ended.
#[derive(Debug)]
pub enum SessionEnd {
    Stopped,
    Failed { message: String, kind: FailureKind, live_for: Option<Duration> },
}

pub struct Session {
    pipeline: gst::Pipeline,
    kind: OutputKind,
    video_src: gst_app::AppSrc,
    audio_src: gst_app::AppSrc,
    video_link: Option<ConsumptionLink>,
    audio_link: Option<ConsumptionLink>,
    sink: gst::Element,
    buffers_at_sink: Arc<AtomicU64>,
    caller_connected: Arc<AtomicBool>,
    /// Woken when data may have started to go out, so "live" is reported at once, not at the next tick.
    maybe_live: Arc<tokio::sync::Notify>,
    program: Arc<Program>,
    shared: Arc<Mutex<OutputShared>>,
    file: Option<PathBuf>,
}

impl Session {
    pub fn start(
        kind: &OutputKind,
        program: &Arc<Program>,
        part: u32,
        shared: Arc<Mutex<OutputShared>>,
    ) -> Result<Self, MediaError> {
        let pipeline = gst::Pipeline::with_name("output");
        let video_src = appsrc("video-in")?;
        let audio_src = appsrc("audio-in")?;
        let video_parse = make("h264parse", "video-parse")?;
        video_parse.set_property("config-interval", -1i32);
        let video_queue = make("queue", "video-queue")?;
        let audio_parse = make("aacparse", "audio-parse")?;
        let audio_queue = make("queue", "audio-queue")?;
        let stream_format = if matches!(kind, OutputKind::Srt(_)) { "byte-stream" } else { "avc" };
        let video_caps = capsfilter(
            "video-format",
            &gst::Caps::builder("video/x-h264").field("stream-format", stream_format).field("alignment", "au").build(),
        )?;
        let mut file = None;
        let (muxer, sink) = match kind {
            OutputKind::Rtmp(target) => {
                let muxer = make("flvmux", "mux")?;
                muxer.set_property("streamable", true);
                set_from_str(&muxer, "start-time-selection", "first")?;
                (muxer, rtmp_sink(target)?)
            }
            OutputKind::Srt(target) => {
                let muxer = make("mpegtsmux", "mux")?;
                muxer.set_property("alignment", 7i32);
                set_from_str(&muxer, "start-time-selection", "first")?;
                (muxer, srt_sink(target)?)
            }
            OutputKind::Recording { folder, base_name } => {
                let muxer = make("matroskamux", "mux")?;
                muxer.set_property("offset-to-zero", true);
                muxer.set_property("writing-app", "Showdesk");
                let path = recording_path(folder, base_name, part)?;
                let sink = make("filesink", "sink")?;
                sink.set_property("location", path.as_path());
                file = Some(path);
                (muxer, sink)
            }
        };
        sink.set_property("sync", false);
        pipeline
            .add_many([video_src.upcast_ref::<gst::Element>(), audio_src.upcast_ref(), &muxer, &sink])
            .map_err(|err| MediaError::Build(err.to_string()))?;
        add_chain(&pipeline, &[&video_parse, &video_caps, &video_queue])?;
        add_chain(&pipeline, &[&audio_parse, &audio_queue])?;
        link(video_src.upcast_ref(), &video_parse)?;
        link(audio_src.upcast_ref(), &audio_parse)?;
        link(&video_queue, &muxer)?;
        link(&audio_queue, &muxer)?;
        link(&muxer, &sink)?;

        let buffers_at_sink = Arc::new(AtomicU64::new(0));
        let maybe_live = Arc::new(tokio::sync::Notify::new());
        if let Some(pad) = sink.static_pad("sink") {
            let (counter, notify) = (Arc::clone(&buffers_at_sink), Arc::clone(&maybe_live));
            // Header buffers (the FLV header, codec data) are skipped by rtmp2sink without waiting for
            // the connection; a media buffer waits for it. So: the second media buffer reaching the
            // sink means the first one was sent, after the server accepted the publish.
            // (mpegtsmux pushes buffer lists: a list counts when it holds media.)
            pad.add_probe(gst::PadProbeType::BUFFER | gst::PadProbeType::BUFFER_LIST, move |_, info| {
                let header = |buffer: &gst::BufferRef| buffer.flags().contains(gst::BufferFlags::HEADER);
                let is_header = match &info.data {
                    Some(gst::PadProbeData::Buffer(buffer)) => header(buffer),
                    Some(gst::PadProbeData::BufferList(list)) => list.iter().all(header),
                    _ => true,
                };
                if !is_header && counter.fetch_add(1, Ordering::Relaxed) < 2 {
                    notify.notify_one();
                }
                gst::PadProbeReturn::Ok
            });
        }
        let caller_connected = Arc::new(AtomicBool::new(false));
        if matches!(kind, OutputKind::Srt(target) if target.mode != SrtMode::Caller) {
            let (flag, notify) = (Arc::clone(&caller_connected), Arc::clone(&maybe_live));
            sink.connect("caller-added", false, move |_| {
                flag.store(true, Ordering::Relaxed);
                notify.notify_one();
                None
            });
        }

        // Same clock and base time as the program: running times line up across pipelines.
        let (clock, base_time) = program.clock_and_base_time();
        if let (Some(clock), Some(base_time)) = (clock, base_time) {
            pipeline.use_clock(Some(&clock));
            pipeline.set_base_time(base_time);
            pipeline.set_start_time(gst::ClockTime::NONE);
        }
        let settings = ConsumerSettings { max_time: 2 * gst::ClockTime::SECOND, ..ConsumerSettings::default() };
        let video_link = program
            .video
            .add_consumer_with(&video_src, settings.clone())
            .map_err(|err| MediaError::Build(format!("cannot feed the output: {err}")))?;
        let audio_link = program
            .audio
            .add_consumer_with(&audio_src, settings)
            .map_err(|err| MediaError::Build(format!("cannot feed the output: {err}")))?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|_| MediaError::State("the output pipeline would not start".into()))?;
        Ok(Self {
            pipeline,
            kind: kind.clone(),
            video_src,
            audio_src,
            video_link: Some(video_link),
            audio_link: Some(audio_link),
            sink,
            buffers_at_sink,
            caller_connected,
            maybe_live,
            program: Arc::clone(program),
            shared,
            file,
        })
    }

    /// Whether data is really going out.
    fn is_live(&self) -> bool {
        match &self.kind {
            // A second buffer at the sink means the first one was rendered: connected and publishing.
            OutputKind::Rtmp(_) => self.buffers_at_sink.load(Ordering::Relaxed) >= 2,
            OutputKind::Srt(target) if target.mode != SrtMode::Caller => self.caller_connected.load(Ordering::Relaxed),
            OutputKind::Srt(_) => self.buffers_at_sink.load(Ordering::Relaxed) >= 2,
            OutputKind::Recording { .. } => self.buffers_at_sink.load(Ordering::Relaxed) >= 1,
        }
    }

    pub fn sample(&self) -> SessionStats {
        let queue_ms = self.video_src.current_level_time().mseconds();
        let mut stats = SessionStats { queue_ms, ..SessionStats::default() };
        match &self.kind {
            OutputKind::Rtmp(_) => {
                if let Ok(structure) = self.sink.property_value("stats").get::<gst::Structure>() {
                    stats.bytes_sent = structure.get::<u64>("out-bytes-total").unwrap_or(0);
                }
            }
            OutputKind::Srt(_) => {
                if let Ok(structure) = self.sink.property_value("stats").get::<gst::Structure>() {
                    read_srt_stats(&structure, &mut stats);
                }
            }
            OutputKind::Recording { .. } => {
                stats.bytes_sent = self.file.as_ref().and_then(|f| std::fs::metadata(f).ok()).map_or(0, |m| m.len());
            }
        }
        stats
    }

    /// Watches the session until it ends. `publish` reports state changes.
    pub async fn run(
        mut self,
        commands: &mut mpsc::UnboundedReceiver<OutputCommand>,
        publish: impl Fn(OutputState),
        policy: &mut Reconnect,
    ) -> SessionEnd {
        let Some(bus) = self.pipeline.bus() else {
            return SessionEnd::Failed { message: "no bus".into(), kind: FailureKind::Local, live_for: None };
        };
        let mut messages = bus.stream();
        let mut tick = tokio::time::interval(TICK);
        let mut live_since: Option<Instant> = None;
        let mut last = (Instant::now(), 0u64);
        let mut dropping = false;
        let (mut frames_at_live, mut pushed_at_live) = (0u64, 0u64);
        if let Some(file) = &self.file {
            lock(&self.shared).stats.file = Some(file.display().to_string());
        }
        let maybe_live = Arc::clone(&self.maybe_live);
        let end = loop {
            tokio::select! {
                () = maybe_live.notified(), if live_since.is_none() => {
                    if self.is_live() {
                        live_since = Some(Instant::now());
                        frames_at_live = self.program.frames_encoded();
                        pushed_at_live = self.video_link.as_ref().map_or(0, ConsumptionLink::pushed);
                        policy.went_live();
                        publish(OutputState::Live);
                    }
                }
                _ = tick.tick() => {
                    if live_since.is_none() && self.is_live() {
                        live_since = Some(Instant::now());
                        frames_at_live = self.program.frames_encoded();
                        pushed_at_live = self.video_link.as_ref().map_or(0, ConsumptionLink::pushed);
                        policy.went_live();
                        publish(OutputState::Live);
                    }
                    let sample = self.sample();
                    // Congestion: stop queueing when too far behind, resume at a keyframe once drained.
                    if let Some(link) = &self.video_link {
                        if !dropping && sample.queue_ms >= DROP_AT_MS {
                            dropping = true;
                            link.set_discard(true);
                            tracing::warn!(output = %self.kind.display(), queue_ms = sample.queue_ms, "output congested: dropping frames");
                        } else if dropping && sample.queue_ms <= RESUME_AT_MS {
                            dropping = false;
                            link.set_discard(false);
                        }
                    }
                    let now = Instant::now();
                    let elapsed = now.duration_since(last.0).as_secs_f64().max(0.001);
                    let bitrate = (sample.bytes_sent.saturating_sub(last.1) as f64 * 8.0 / elapsed) as u64;
                    last = (now, sample.bytes_sent);
                    let (sent, dropped) = self.frames_since(live_since.map(|_| (frames_at_live, pushed_at_live)));
                    let mut shared = lock(&self.shared);
                    let total_sent = shared.frames_sent + sent;
                    let total_dropped = shared.frames_dropped + dropped;
                    let live_total = shared.live_total + live_since.map_or(Duration::ZERO, |since| since.elapsed());
                    let stats = &mut shared.stats;
                    stats.bitrate_bps = bitrate;
                    stats.bytes_sent = sample.bytes_sent;
                    stats.queue_ms = sample.queue_ms;
                    stats.srt_rtt_ms = sample.srt_rtt_ms;
                    stats.srt_loss_percent = sample.srt_loss_percent;
                    stats.live_seconds = live_total.as_secs();
                    stats.dropped_percent = if total_sent + total_dropped == 0 { 0.0 } else { total_dropped as f64 * 100.0 / (total_sent + total_dropped) as f64 };
                }
                command = commands.recv() => match command {
                    Some(OutputCommand::RetryNow) => {}
                    Some(OutputCommand::Stop) | None => {
                        self.finish().await;
                        break SessionEnd::Stopped;
                    }
                },
                message = messages.next() => {
                    let Some(message) = message else {
                        break SessionEnd::Failed { message: "the output's bus closed".into(), kind: FailureKind::Local, live_for: live_since.map(|s| s.elapsed()) };
                    };
                    match message.view() {
                        gst::MessageView::Error(error) => {
                            let text = error.error().to_string();
                            break SessionEnd::Failed { kind: classify(&text), message: text, live_for: live_since.map(|s| s.elapsed()) };
                        }
                        gst::MessageView::Eos(_) => {
                            break SessionEnd::Failed { message: "the stream ended".into(), kind: FailureKind::Dropped, live_for: live_since.map(|s| s.elapsed()) };
                        }
                        _ => {}
                    }
                }
            }
        };
        let (sent, dropped) = self.frames_since(live_since.map(|_| (frames_at_live, pushed_at_live)));
        {
            let mut shared = lock(&self.shared);
            shared.frames_sent += sent;
            shared.frames_dropped += dropped;
            shared.live_total += live_since.map_or(Duration::ZERO, |since| since.elapsed());
        }
        self.teardown();
        end
    }

    /// Frames sent and dropped since the session went live.
    fn frames_since(&self, at_live: Option<(u64, u64)>) -> (u64, u64) {
        let Some((frames_at_live, pushed_at_live)) = at_live else { return (0, 0) };
        let produced = self.program.frames_encoded().saturating_sub(frames_at_live);
        let pushed = self.video_link.as_ref().map_or(0, ConsumptionLink::pushed).saturating_sub(pushed_at_live);
        (pushed.min(produced), produced.saturating_sub(pushed))
    }

    /// A clean end: no more input, EOS through the muxer (a recording writes its index), then stop.
    async fn finish(&mut self) {
        self.video_link = None;
        self.audio_link = None;
        let _ = self.video_src.end_of_stream();
        let _ = self.audio_src.end_of_stream();
        if let Some(bus) = self.pipeline.bus() {
            let mut messages = bus.stream();
            let _ = tokio::time::timeout(EOS_TIMEOUT, async {
                while let Some(message) = messages.next().await {
                    if matches!(message.view(), gst::MessageView::Eos(_) | gst::MessageView::Error(_)) {
                        break;
                    }
                }
            })
            .await;
        }
    }

    fn teardown(&mut self) {
        // Disconnect from the program first so nothing is pushed into a stopping pipeline.
        self.video_link = None;
        self.audio_link = None;
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.teardown();
    }
}

fn appsrc(name: &str) -> Result<gst_app::AppSrc, MediaError> {
    let source = make("appsrc", name)?.downcast::<gst_app::AppSrc>().map_err(|_| MediaError::Build("appsrc".into()))?;
    StreamProducer::configure_consumer_with(
        &source,
        ConsumerSettings { max_time: 2 * gst::ClockTime::SECOND, ..ConsumerSettings::default() },
    );
    Ok(source)
}

fn rtmp_sink(target: &RtmpTarget) -> Result<gst::Element, MediaError> {
    let sink = make("rtmp2sink", "sink")?;
    set_from_str(&sink, "scheme", target.scheme.as_str())?;
    set(&sink, "host", &target.host)?;
    set(&sink, "port", u32::from(target.port))?;
    set(&sink, "application", &target.application)?;
    set(&sink, "stream", target.stream.expose())?;
    if let Some(user) = &target.username {
        set(&sink, "username", user)?;
    }
    if let Some(password) = &target.password {
        set(&sink, "password", password.expose())?;
    }
    set(&sink, "async-connect", true)?;
    Ok(sink)
}

fn srt_sink(target: &SrtTarget) -> Result<gst::Element, MediaError> {
    let sink = make("srtsink", "sink")?;
    set(&sink, "uri", target.element_uri())?;
    // Our supervisor reconnects (and reports it); a listener never blocks the pipeline waiting.
    set(&sink, "auto-reconnect", false)?;
    set(&sink, "wait-for-connection", false)?;
    if let Some(stream_id) = &target.stream_id {
        set(&sink, "streamid", stream_id.expose())?;
    }
    if let Some(passphrase) = &target.passphrase {
        set(&sink, "passphrase", passphrase.expose())?;
    }
    if let Some(latency) = target.latency_ms {
        set(&sink, "latency", latency)?;
    }
    Ok(sink)
}

fn read_srt_stats(structure: &gst::StructureRef, stats: &mut SessionStats) {
    // A caller's stats are flat; a listener's list each connected caller.
    let flat = |s: &gst::StructureRef, stats: &mut SessionStats| {
        if let Ok(bytes) = s.get::<u64>("bytes-sent-total") {
            stats.bytes_sent += bytes;
        }
        if let Ok(rtt) = s.get::<f64>("rtt-ms") {
            stats.srt_rtt_ms = Some(rtt);
        }
        let sent = s.get::<i64>("packets-sent").ok().or_else(|| s.get::<i32>("packets-sent").ok().map(i64::from));
        let lost =
            s.get::<i32>("packets-sent-lost").ok().map(i64::from).or_else(|| s.get::<i64>("packets-sent-lost").ok());
        if let (Some(sent), Some(lost)) = (sent, lost)
            && sent > 0
        {
            stats.srt_loss_percent = Some(lost as f64 * 100.0 / sent as f64);
        }
    };
    flat(structure, stats);
    if let Ok(callers) = structure.get::<gst::glib::ValueArray>("callers") {
        for caller in callers.iter() {
            if let Ok(caller) = caller.get::<gst::Structure>() {
                flat(&caller, stats);
            }
        }
    }
}

/// `<folder>/<base>.mkv`, or `<base> (part N).mkv`; never overwrites an existing file.
pub fn recording_path(folder: &Path, base_name: &str, part: u32) -> Result<PathBuf, MediaError> {
    std::fs::create_dir_all(folder)
        .map_err(|err| MediaError::Io(format!("cannot create the recording folder {}: {err}", folder.display())))?;
    let stem = if part <= 1 { base_name.to_owned() } else { format!("{base_name} (part {part})") };
    let mut path = folder.join(format!("{stem}.mkv"));
    let mut copy = 2;
    while path.exists() {
        path = folder.join(format!("{stem} ({copy}).mkv"));
        copy += 1;
    }
    Ok(path)
}
