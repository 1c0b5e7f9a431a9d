//! Before the show: is the path to each ingest open, how much upload is there, do the microphones
//! and cameras deliver. Each check ends green, amber or red with a sentence saying why.
//!
//! The connection and bandwidth tests publish to the destination for a few seconds. Where the host
//! has a test mode (Twitch's `?bandwidthtest=true`), it is used; elsewhere the report says plainly
//! that the test stream may be visible if the event is already public.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::destination::Target;
use crate::engine::Engine;
use crate::spec::{EngineSpec, OutputSpec, SourceKind, SourceSpec};

/// Green, amber, red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// e.g. "Main (YouTube): publish accepted".
    pub name: String,
    pub status: Status,
    pub detail: String,
}

impl Check {
    fn new(name: impl Into<String>, status: Status, detail: impl Into<String>) -> Self {
        Self { name: name.into(), status, detail: showdesk_platform::redact(&detail.into()).into_owned() }
    }
}

/// One rung of the bandwidth ladder.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BandwidthStep {
    pub target_kbps: u32,
    /// What actually left for the server, on average.
    pub sent_kbps: u32,
    /// The largest backlog seen.
    pub max_queue_ms: u64,
    pub held: bool,
}

/// What the bandwidth test found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandwidthResult {
    pub steps: Vec<BandwidthStep>,
    /// 75 % of the highest rate that held, never above the profile's bitrate.
    pub recommended_kbps: Option<u32>,
    pub private: bool,
}

/// A rate held when the backlog stayed small and most of it got out.
pub fn step_held(target_kbps: u32, sent_kbps: u32, max_queue_ms: u64) -> bool {
    max_queue_ms < 500 && u64::from(sent_kbps) * 100 >= u64::from(target_kbps) * 80
}

/// 75 % of the best rate that held (headroom for bad moments), capped at what the show wants.
pub fn recommend(steps: &[BandwidthStep], wanted_kbps: u32) -> Option<u32> {
    let best = steps.iter().filter(|s| s.held).map(|s| s.target_kbps).max()?;
    Some((best * 3 / 4).min(wanted_kbps).max(300))
}

/// The stream key for a test publish, and whether the host promises to keep it off the air.
fn test_target(target: &Target) -> (Target, bool) {
    match target {
        Target::Rtmp(rtmp) if rtmp.host.ends_with(".twitch.tv") || rtmp.host.ends_with("contribute.live-video.net") => {
            let mut test = rtmp.clone();
            let key = test.stream.expose().to_owned();
            let separator = if key.contains('?') { '&' } else { '?' };
            test.stream = showdesk_platform::redact::Secret::new(format!("{key}{separator}bandwidthtest=true"));
            (Target::Rtmp(test), true)
        }
        other => (other.clone(), false),
    }
}

/// A one-destination spec pushing an incompressible picture (snow), so the encoder really fills the
/// rate under test.
fn test_spec(base: &EngineSpec, output: &OutputSpec, target: Target, kbps: u32) -> EngineSpec {
    let mut spec = base.clone();
    spec.sources = vec![
        SourceSpec { name: "Test picture".into(), kind: SourceKind::TestPattern { pattern: "snow".into() } },
        SourceSpec { name: "Test tone".into(), kind: SourceKind::Tone { frequency_hz: 440 } },
    ];
    spec.outputs = vec![OutputSpec { target, ..output.clone() }];
    spec.recording = None;
    spec.preview = false;
    spec.dynamic_bitrate = false;
    spec.video.bitrate_kbps = kbps;
    spec.video.min_bitrate_kbps = kbps;
    spec
}

/// DNS, TCP and publish for one destination.
pub async fn test_connection(base: &EngineSpec, output: &OutputSpec) -> Vec<Check> {
    let mut checks = Vec::new();
    let (host, port) = output.target.host_port();
    let label = |what: &str| format!("{}: {what}", output.name);
    if host.is_empty() {
        checks.push(Check::new(label("listening"), Status::Pass, format!("waits for the host to call on port {port}")));
        return checks;
    }
    match tokio::net::lookup_host((host.as_str(), port)).await {
        Ok(mut addresses) => match addresses.next() {
            Some(address) => {
                checks.push(Check::new(label("name resolves"), Status::Pass, format!("{host} → {}", address.ip())))
            }
            None => {
                checks.push(Check::new(label("name resolves"), Status::Fail, format!("{host} has no address")));
                return checks;
            }
        },
        Err(err) => {
            checks.push(Check::new(label("name resolves"), Status::Fail, format!("{host}: {err}")));
            return checks;
        }
    }
    if matches!(output.target, Target::Rtmp(_)) {
        let connect =
            tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect((host.as_str(), port))).await;
        match connect {
            Ok(Ok(_)) => {
                checks.push(Check::new(label("server answers"), Status::Pass, format!("TCP {host}:{port} open")))
            }
            Ok(Err(err)) => {
                checks.push(Check::new(label("server answers"), Status::Fail, format!("TCP {host}:{port}: {err}")));
                return checks;
            }
            Err(_) => {
                checks.push(Check::new(
                    label("server answers"),
                    Status::Fail,
                    format!("TCP {host}:{port}: no answer in 5 s (a firewall?)"),
                ));
                return checks;
            }
        }
    }
    let (target, private) = test_target(&output.target);
    let spec = test_spec(base, output, target, 1000);
    checks.push(match publish_briefly(spec, &output.id).await {
        Ok(took) => Check::new(
            label("publish accepted"),
            Status::Pass,
            format!(
                "live after {} ms{}",
                took.as_millis(),
                if private { " (test mode: not shown to viewers)" } else { "" }
            ),
        ),
        Err(why) => Check::new(label("publish accepted"), Status::Fail, why),
    });
    if !private {
        checks.push(Check::new(
            label("test stays private"),
            Status::Warn,
            "this host has no test mode: the few seconds of test picture may be visible if the event is already public",
        ));
    }
    checks
}

async fn publish_briefly(spec: EngineSpec, id: &str) -> Result<Duration, String> {
    let started = Instant::now();
    let engine = Engine::start(spec).await.map_err(|err| err.to_string())?;
    let outcome = loop {
        match engine.output_state(id) {
            Some(crate::output::OutputState::Live) => break Ok(started.elapsed()),
            Some(crate::output::OutputState::Failed { reason }) => break Err(reason),
            Some(crate::output::OutputState::Reconnecting { reason, .. })
                if started.elapsed() > Duration::from_secs(3) =>
            {
                break Err(reason);
            }
            _ if started.elapsed() > Duration::from_secs(15) => break Err("not live after 15 s".into()),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    engine.stop().await;
    outcome
}

/// Pushes rising bitrates to one destination for `step` each and measures what gets through.
pub async fn bandwidth(
    base: &EngineSpec,
    output: &OutputSpec,
    ladder_kbps: &[u32],
    step: Duration,
) -> Result<BandwidthResult, String> {
    let (target, private) = test_target(&output.target);
    let first = ladder_kbps.first().copied().unwrap_or(1000);
    let engine = Arc::new(Engine::start(test_spec(base, output, target, first)).await.map_err(|err| err.to_string())?);
    engine.run_background();
    let mut steps = Vec::new();
    let live_by = Instant::now() + Duration::from_secs(15);
    while engine.output_state(&output.id) != Some(crate::output::OutputState::Live) {
        if Instant::now() > live_by {
            engine.stop().await;
            return Err(format!("{} did not go live for the bandwidth test", output.name));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for &kbps in ladder_kbps {
        engine.set_bitrate_kbps(kbps);
        // Let the encoder settle on the new rate, then measure.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let start = output_bytes(&engine, &output.id);
        let measure_from = Instant::now();
        let mut max_queue_ms = 0;
        while measure_from.elapsed() < step {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Some(stats) = engine.stats().and_then(|s| s.outputs.into_iter().find(|o| o.id == output.id)) {
                max_queue_ms = max_queue_ms.max(stats.stats.queue_ms);
            }
        }
        let sent = output_bytes(&engine, &output.id).saturating_sub(start);
        let sent_kbps = (sent as f64 * 8.0 / 1000.0 / measure_from.elapsed().as_secs_f64()) as u32;
        let held = step_held(kbps, sent_kbps, max_queue_ms);
        steps.push(BandwidthStep { target_kbps: kbps, sent_kbps, max_queue_ms, held });
        if !held {
            break;
        }
    }
    engine.stop().await;
    Ok(BandwidthResult { recommended_kbps: recommend(&steps, base.video.bitrate_kbps), steps, private })
}

/// Every source delivers: each video source at the program's size and rate, each audio source with
/// sound that is neither silent nor clipping. Listens `listen` to each.
pub async fn check_sources(base: &EngineSpec, listen: Duration) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Err(err) = crate::gst_log::init() {
        checks.push(Check::new("Media engine", Status::Fail, format!("GStreamer could not start: {err}")));
        return checks;
    }
    for source in base.sources.iter().filter(|s| s.kind.has_video()) {
        checks.push(check_video_source(base, source, listen).await);
    }
    let audio: Vec<SourceSpec> = base.sources.iter().filter(|s| s.kind.has_audio()).cloned().collect();
    if audio.is_empty() {
        checks.push(Check::new("Sound", Status::Warn, "no microphone or audio source: the show will be silent"));
        return checks;
    }
    let mut spec = base.clone();
    spec.sources = audio.clone();
    spec.outputs.clear();
    spec.recording = None;
    spec.preview = false;
    let engine = match Engine::start(spec).await {
        Ok(engine) => engine,
        Err(err) => {
            checks.push(Check::new("Sound", Status::Fail, err.to_string()));
            return checks;
        }
    };
    let mut events = engine.subscribe();
    let mut peak = vec![crate::meters::FLOOR_DB; audio.len()];
    let mut loudest_rms = vec![crate::meters::FLOOR_DB; audio.len()];
    let mut clipped = vec![0u32; audio.len()];
    let until = Instant::now() + listen;
    while let Ok(Ok(event)) = tokio::time::timeout(until.saturating_duration_since(Instant::now()), events.recv()).await
    {
        if let crate::engine::EngineEvent::Meters(meters) = event {
            for (index, reading) in meters.channels.iter().enumerate() {
                let Some(reading) = reading else { continue };
                peak[index] = peak[index].max(reading.max_peak());
                loudest_rms[index] = loudest_rms[index].max(reading.max_rms());
                clipped[index] += u32::from(reading.max_peak() >= crate::meters::CLIP_DB);
            }
        }
    }
    engine.stop().await;
    for (index, source) in audio.iter().enumerate() {
        let name = format!("{}: sound", source.name);
        checks.push(if loudest_rms[index] < crate::meters::SILENCE_DB {
            Check::new(name, Status::Warn, "silent: check that the microphone is on, plugged in and not muted")
        } else if clipped[index] > 0 {
            Check::new(name, Status::Warn, format!("clipping (peaks at {:.1} dB): lower the input gain", peak[index]))
        } else {
            Check::new(
                name,
                Status::Pass,
                format!("peaks at {:.1} dB, loudest average {:.1} dB", peak[index], loudest_rms[index]),
            )
        });
    }
    checks
}

async fn check_video_source(base: &EngineSpec, source: &SourceSpec, listen: Duration) -> Check {
    use gstreamer::prelude::*;
    let name = format!("{}: picture", source.name);
    let outputs = crate::program::sources::SourceOutputs {
        video_channel: Some(format!("preflight-{}-{}", std::process::id(), crate::profile_safe(&source.name))),
        audio_channel: source.kind.has_audio().then(|| format!("preflight-a-{}", std::process::id())),
        format: base.video.format,
        thumbnails: None,
    };
    let pipeline = match crate::program::sources::build(source, &outputs) {
        Ok(pipeline) => pipeline,
        Err(err) => return Check::new(name, Status::Fail, err.to_string()),
    };
    let frames = Arc::new(std::sync::atomic::AtomicU64::new(0));
    if let Some(pad) = pipeline.by_name("video-sink").and_then(|sink| sink.static_pad("sink")) {
        let counter = Arc::clone(&frames);
        pad.add_probe(gstreamer::PadProbeType::BUFFER, move |_, _| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            gstreamer::PadProbeReturn::Ok
        });
    }
    if pipeline.set_state(gstreamer::State::Playing).is_err() {
        return Check::new(name, Status::Fail, "the source would not start");
    }
    let bus = pipeline.bus();
    let started = Instant::now();
    let mut failure = None;
    while started.elapsed() < listen {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(message) = bus.as_ref().and_then(|bus| bus.pop_filtered(&[gstreamer::MessageType::Error])) {
            if let gstreamer::MessageView::Error(error) = message.view() {
                failure = Some(error.error().to_string());
            }
            break;
        }
    }
    let fps = frames.load(std::sync::atomic::Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    drop(pipeline);
    let format = base.video.format;
    match failure {
        Some(reason) => Check::new(name, Status::Fail, reason),
        None if fps < f64::from(format.fps) * 0.8 => Check::new(
            name,
            Status::Warn,
            format!(
                "only {fps:.1} frames per second of the {} wanted: check the light, the cable or the camera's mode",
                format.fps
            ),
        ),
        None => {
            Check::new(name, Status::Pass, format!("{}x{} at {fps:.1} frames per second", format.width, format.height))
        }
    }
}

fn output_bytes(engine: &Engine, id: &str) -> u64 {
    engine.stats().and_then(|s| s.outputs.into_iter().find(|o| o.id == id)).map_or(0, |o| o.stats.bytes_sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(target_kbps: u32, sent_kbps: u32, max_queue_ms: u64) -> BandwidthStep {
        BandwidthStep { target_kbps, sent_kbps, max_queue_ms, held: step_held(target_kbps, sent_kbps, max_queue_ms) }
    }

    #[test]
    fn a_rate_holds_when_it_gets_out_without_a_backlog() {
        assert!(step_held(2500, 2450, 40));
        assert!(!step_held(2500, 1500, 40), "only 60 % got out");
        assert!(!step_held(2500, 2500, 900), "it got out, but a backlog built up");
    }

    #[test]
    fn the_recommendation_keeps_a_quarter_in_reserve_and_never_exceeds_the_show() {
        let steps = [step(1500, 1490, 10), step(3000, 2950, 30), step(4500, 2600, 1200)];
        assert_eq!(recommend(&steps, 6000), Some(2250));
        assert_eq!(recommend(&steps, 2000), Some(2000));
        assert_eq!(recommend(&[step(1500, 400, 3000)], 2500), None);
    }

    #[test]
    fn twitch_gets_its_test_mode_and_others_are_told_the_truth() -> Result<(), crate::destination::DestinationError> {
        let twitch = Target::parse("rtmp://live-cdg.twitch.tv/app", "live_123_abc")?.target;
        let (test, private) = test_target(&twitch);
        assert!(private);
        let Target::Rtmp(rtmp) = test else { panic!("rtmp") };
        assert_eq!(rtmp.stream.expose(), "live_123_abc?bandwidthtest=true");
        let other = Target::parse("rtmp://ingest.example.com/live", "key")?.target;
        assert!(!test_target(&other).1);
        Ok(())
    }
}
