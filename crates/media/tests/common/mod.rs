//! Helpers shared by the media tests: a small show spec, ffprobe, waiting.

#![allow(dead_code)] // each test file uses a different part

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use showdesk_media::destination::Target;
use showdesk_media::engine::{EngineEvent, EngineStats};
use showdesk_media::spec::{
    AudioSettings, EncoderChoice, EngineSpec, Language, OutputSpec, RecordingSpec, SourceKind, SourceSpec, VideoPreset,
    VideoSettings,
};
use tokio::sync::broadcast;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Logs to the test's output when SHOWDESK_LOG is set (e.g. SHOWDESK_LOG=debug).
pub fn trace() {
    if let Ok(filter) = std::env::var("SHOWDESK_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    }
}

/// A small, cheap show: 320×180 at 30 fps (the tests check behaviour, not picture size), a test
/// pattern and a tone.
pub fn small_show(outputs: Vec<(&str, Target)>, recording: Option<&Path>) -> EngineSpec {
    trace();
    let mut format = VideoPreset::P720p30.format();
    format.width = 320;
    format.height = 180;
    EngineSpec {
        show_title: "Test show".into(),
        show_starts_at: None,
        language: Language::En,
        video: VideoSettings {
            format,
            bitrate_kbps: 600,
            min_bitrate_kbps: 200,
            encoder: EncoderChoice::X264,
            speed_preset: "superfast".into(),
        },
        audio: AudioSettings { bitrate_kbps: 128 },
        sources: vec![
            SourceSpec { name: "Pattern".into(), kind: SourceKind::TestPattern { pattern: "smpte".into() } },
            SourceSpec { name: "Tone".into(), kind: SourceKind::Tone { frequency_hz: 440 } },
        ],
        outputs: outputs
            .into_iter()
            .map(|(id, target)| OutputSpec { id: id.into(), name: id.into(), target })
            .collect(),
        recording: recording
            .map(|folder| RecordingSpec { folder: folder.to_path_buf(), base_name: "test show".into() }),
        preview: true,
        dynamic_bitrate: true,
    }
}

pub fn rtmp(url: &str, key: &str) -> Target {
    match Target::parse(url, key) {
        Ok(parsed) => parsed.target,
        Err(err) => panic!("bad test URL {url}: {err}"),
    }
}

/// Stream facts from ffprobe: (codec, pix_fmt or sample rate, profile) per stream, plus duration.
pub fn ffprobe_streams(input: &str) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-rw_timeout", "10000000", "-show_streams", "-show_format", "-of", "json"])
        .arg(input)
        .output()?;
    if !output.status.success() {
        return Err(format!("ffprobe {input}: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// Decodes the whole file and returns the video frames' presentation times (seconds), or an error
/// naming what ffmpeg could not read.
pub fn video_frame_times(file: &Path) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0"])
        .arg(file)
        .output()?;
    if !output.status.success() {
        return Err(format!("ffprobe frames: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.trim().trim_end_matches(',').parse().ok())
        .collect())
}

/// Waits for an event matching `wanted`, returning it; fails after `timeout`.
pub async fn wait_for_event(
    events: &mut broadcast::Receiver<EngineEvent>,
    timeout: Duration,
    what: &str,
    mut wanted: impl FnMut(&EngineEvent) -> bool,
) -> Result<EngineEvent, String> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(event)) if wanted(&event) => return Ok(event),
            Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(err)) => return Err(format!("event channel closed waiting for {what}: {err}")),
            Err(_) => return Err(format!("timed out after {timeout:?} waiting for {what}")),
        }
    }
}

/// Waits until the output is in `state`.
pub async fn wait_for_output(
    events: &mut broadcast::Receiver<EngineEvent>,
    id: &str,
    state: &str,
    timeout: Duration,
) -> Result<EngineEvent, String> {
    wait_for_event(
        events,
        timeout,
        &format!("{id} {state}"),
        |event| matches!(event, EngineEvent::Output(output) if output.id == id && output.state.name() == state),
    )
    .await
}

pub async fn next_stats(events: &mut broadcast::Receiver<EngineEvent>) -> Result<EngineStats, String> {
    match wait_for_event(events, Duration::from_secs(5), "stats", |e| matches!(e, EngineEvent::Stats(_))).await? {
        EngineEvent::Stats(stats) => Ok(stats),
        _ => Err("not stats".into()),
    }
}

/// Polls the engine until the output is in `state`.
pub async fn wait_for_state(
    engine: &showdesk_media::engine::Engine,
    id: &str,
    state: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let now = engine.output_state(id).map(|s| s.name());
        if now == Some(state) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("{id} is {now:?} after {timeout:?}, not {state}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
