//! The show on air through the control service: commands while live, and the stream log the
//! after-show report reads.

use std::time::Duration;

use showdesk_control::ControlService;
use showdesk_control::live::views::{LayoutView, LivePhase};
use showdesk_media::destination::Target;
use showdesk_media::spec::{
    AudioSettings, EncoderChoice, EngineSpec, Language, OutputSpec, RecordingSpec, SlateKind, SourceKind, SourceSpec,
    VideoPreset, VideoSettings,
};
use showdesk_platform::AppDirs;
use showdesk_testkit::NginxRtmp;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn spec(url: &str, recordings: &std::path::Path) -> Result<EngineSpec, Box<dyn std::error::Error>> {
    let mut format = VideoPreset::P720p30.format();
    (format.width, format.height) = (320, 180);
    Ok(EngineSpec {
        show_title: "Session show".into(),
        show_starts_at: None,
        language: Language::Fr,
        video: VideoSettings {
            format,
            bitrate_kbps: 600,
            min_bitrate_kbps: 200,
            encoder: EncoderChoice::X264,
            speed_preset: "ultrafast".into(),
        },
        audio: AudioSettings { bitrate_kbps: 128 },
        sources: vec![
            SourceSpec { name: "Pattern".into(), kind: SourceKind::TestPattern { pattern: "smpte".into() } },
            SourceSpec { name: "Tone".into(), kind: SourceKind::Tone { frequency_hz: 440 } },
        ],
        outputs: vec![OutputSpec {
            id: "main".into(),
            name: "Main".into(),
            target: Target::parse(url, "session")?.target,
        }],
        recording: Some(RecordingSpec { folder: recordings.to_path_buf(), base_name: "session".into() }),
        preview: true,
        dynamic_bitrate: true,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_commands_and_the_stream_log() -> TestResult {
    let mut ingest = NginxRtmp::start()?;
    let home = tempfile::tempdir()?;
    let service = ControlService::open(AppDirs::under(home.path())).await?;
    assert_eq!(service.live_status().await.phase, LivePhase::Off);
    assert!(service.end_show().await.is_err(), "nothing to end");

    service.go_live(spec(&ingest.server_url(), &home.path().join("videos"))?, Some("fight-night".into())).await?;
    assert!(service.go_live(spec(&ingest.server_url(), home.path())?, None).await.is_err(), "only one show at a time");
    let mut alerts = service.live_alerts().await.ok_or("no alerts while live")?;
    // Live soon; the status names the slots and the channels.
    let mut status = service.live_status().await;
    for _ in 0..100 {
        if status.outputs.iter().any(|o| o.id == "main" && o.state == "live") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = service.live_status().await;
    }
    assert_eq!(status.phase, LivePhase::Live);
    assert_eq!(status.slots, ["Pattern", "Slate"]);
    assert_eq!(status.channels, ["Tone"]);
    assert!(status.outputs.iter().any(|o| o.id == "main" && o.state == "live"), "{status:?}");

    // Commands reach the engine; bad ones are refused with a reason.
    service.show_slate(SlateKind::BeRightBack).await?;
    let layout = LayoutView::Single { slot: 0 }.to_layout().ok_or("layout")?;
    service.set_layout(layout).await?;
    assert!(service.set_audio(3, 0.0, false).await.is_err());
    service.set_audio(0, -6.0, false).await?;

    // An ingest restart: the alerts say the output went down and came back.
    ingest.stop();
    tokio::time::sleep(Duration::from_millis(500)).await;
    ingest.start_again()?;
    let mut kinds = Vec::new();
    while !(kinds.contains(&"output_down".to_owned()) && kinds.contains(&"output_back".to_owned())) {
        let alert = tokio::time::timeout(Duration::from_secs(15), alerts.recv()).await??;
        kinds.push(alert.kind);
    }
    tokio::time::sleep(Duration::from_secs(11)).await; // one stream sample at least

    let end = service.end_show().await?;
    assert!(end.stop.recording.is_some());
    assert_eq!(service.live_status().await.phase, LivePhase::Off);
    let store = service.store();
    let sessions = store.live_sessions(Some("fight-night")).await?;
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].ended_ms.is_some() && sessions[0].recording_path.is_some());
    let samples = store.stream_samples(end.session_id).await?;
    assert!(
        samples.iter().any(|s| s.output_id == "main") && samples.iter().any(|s| s.output_id == "recording"),
        "{samples:?}"
    );
    let events = store.stream_events(end.session_id).await?;
    assert!(events.iter().any(|e| e.kind == "output_state" && e.detail["state"] == "reconnecting"), "{events:?}");
    assert!(events.iter().any(|e| e.kind == "source_state"));
    Ok(())
}
