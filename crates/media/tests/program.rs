//! The program while live: cuts, picture-in-picture and slates without a glitch; a failing source
//! replaced by the no-signal slate and back when it returns; preview frames and meters flowing.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use showdesk_media::engine::{Engine, EngineEvent};
use showdesk_media::layout::{Corner, Layout};
use showdesk_media::program::SourceState;
use showdesk_media::spec::{SlateKind, SourceKind, SourceSpec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cuts_picture_in_picture_and_slates_keep_time_continuous() -> TestResult {
    let recordings = tempfile::tempdir()?;
    let mut spec = small_show(vec![], Some(recordings.path()));
    spec.sources
        .insert(1, SourceSpec { name: "Ball".into(), kind: SourceKind::TestPattern { pattern: "ball".into() } });
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    assert_eq!(engine.slots(), ["Pattern", "Ball", "Slate"]);
    wait_for_state(&engine, "recording", "live", Duration::from_secs(20)).await?;

    let started = Instant::now();
    type Step = Box<dyn Fn(&Engine) -> Result<(), showdesk_media::MediaError>>;
    let steps: Vec<Step> = vec![
        Box::new(|e| e.set_layout(Layout::Single { slot: 1 })),
        Box::new(|e| {
            e.set_layout(Layout::PictureInPicture { main: 0, inset: 1, corner: Corner::BottomRight, size_percent: 30 })
        }),
        Box::new(|e| e.show_slate(SlateKind::BeRightBack)),
        // Dynamic bitrate and the preflight's ladder change the encoder's rate while live.
        Box::new(|e| {
            e.set_bitrate_kbps(400);
            Ok(())
        }),
        Box::new(|e| e.show_slate(SlateKind::Countdown)),
        Box::new(|e| e.set_layout(Layout::Single { slot: 0 })),
    ];
    for step in &steps {
        step(&engine)?;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    assert!(engine.set_layout(Layout::Single { slot: 7 }).is_err(), "a slot that does not exist is refused");
    let elapsed = started.elapsed().as_secs_f64();
    let report = engine.stop().await;
    let times = video_frame_times(&report.recording.ok_or("no recording")?)?;
    let gap = times.windows(2).map(|pair| pair[1] - pair[0]).fold(0.0, f64::max);
    assert!(gap < 0.1, "a {gap:.3} s gap in the program around the cuts");
    assert!(times.windows(2).all(|pair| pair[1] > pair[0]), "timestamps went backwards");
    assert!(times.len() as f64 >= elapsed * 30.0 * 0.9, "{} frames in {elapsed:.1} s", times.len());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_file_shows_the_slate_and_recovers_when_the_file_arrives() -> TestResult {
    let media = tempfile::tempdir()?;
    let clip = media.path().join("intro.mkv");
    let recordings = tempfile::tempdir()?;
    let mut spec = small_show(vec![], Some(recordings.path()));
    spec.sources
        .push(SourceSpec { name: "Intro clip".into(), kind: SourceKind::File { path: clip.clone(), looped: true } });
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    let mut events = engine.subscribe();
    let failed = wait_for_event(&mut events, Duration::from_secs(15), "the clip to fail", |event| {
        matches!(event, EngineEvent::Source(source) if source.name == "Intro clip" && matches!(source.state, SourceState::Failed { .. }))
    })
    .await?;
    let EngineEvent::Source(source) = failed else { return Err("not a source event".into()) };
    assert!(matches!(&source.state, SourceState::Failed { reason } if reason.contains("intro.mkv")), "{source:?}");

    // The program goes on meanwhile; the clip appears; the source comes back by itself.
    let status = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x180:rate=30",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=660",
        ])
        .args(["-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"])
        .arg(&clip)
        .status()?;
    assert!(status.success(), "ffmpeg could not make the test clip");
    wait_for_event(&mut events, Duration::from_secs(15), "the clip to come back", |event| {
        matches!(event, EngineEvent::Source(source) if source.name == "Intro clip" && source.state == SourceState::Active)
    })
    .await?;
    engine.set_layout(Layout::Single { slot: 1 })?;
    tokio::time::sleep(Duration::from_secs(3)).await; // longer than the clip: it loops
    let stats = engine.stats().ok_or("no stats")?;
    let clip_state = stats.sources.iter().find(|s| s.name == "Intro clip").map(|s| s.state.clone());
    assert_eq!(clip_state, Some(SourceState::Active), "the looped clip is still playing");
    let report = engine.stop().await;
    let times = video_frame_times(&report.recording.ok_or("no recording")?)?;
    let gap = times.windows(2).map(|pair| pair[1] - pair[0]).fold(0.0, f64::max);
    assert!(gap < 0.1, "the program paused for {gap:.3} s while the source failed");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_file_fails_cleanly_and_the_rest_plays_on() -> TestResult {
    let media = tempfile::tempdir()?;
    let clip = media.path().join("broken.mp4");
    std::fs::write(&clip, b"\x00\x00\x00\x18ftypmp42 this is not a video at all")?;
    let mut spec = small_show(vec![], None);
    spec.sources.push(SourceSpec { name: "Broken".into(), kind: SourceKind::File { path: clip, looped: false } });
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    let mut events = engine.subscribe();
    wait_for_event(&mut events, Duration::from_secs(15), "the broken file to fail", |event| {
        matches!(event, EngineEvent::Source(source) if source.name == "Broken" && matches!(source.state, SourceState::Failed { .. }))
    })
    .await?;
    let stats = next_stats(&mut events).await?;
    assert!(stats.encoder_fps > 20.0, "the program keeps encoding: {} fps", stats.encoder_fps);
    engine.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_frames_and_meters_flow() -> TestResult {
    let engine = Arc::new(Engine::start(small_show(vec![], None)).await?);
    engine.run_background();
    let mut preview = engine.subscribe_preview();
    let mut events = engine.subscribe();
    let mut frames = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    while frames < 10 && Instant::now() < deadline {
        if let Ok(Ok(frame)) = tokio::time::timeout(Duration::from_secs(2), preview.recv()).await {
            assert!(frame.jpeg.starts_with(&[0xFF, 0xD8]), "a JPEG");
            assert_eq!((frame.width, frame.height), (640, 360));
            frames += 1;
        }
    }
    assert_eq!(frames, 10, "preview frames");
    // Each source with a picture has its thumbnail, tagged with its program slot.
    let mut thumbnails = engine.subscribe_thumbnails();
    let thumbnail = tokio::time::timeout(Duration::from_secs(5), thumbnails.recv()).await??;
    assert!(thumbnail.frame.jpeg.starts_with(&[0xFF, 0xD8]), "a JPEG thumbnail");
    assert_eq!((thumbnail.slot, thumbnail.frame.width, thumbnail.frame.height), (0, 256, 144));
    assert_eq!(engine.slots().first(), Some(&thumbnail.source), "slot 0 is named after its source");
    let meters = wait_for_event(
        &mut events,
        Duration::from_secs(5),
        "meters with sound",
        |event| matches!(event, EngineEvent::Meters(m) if m.program.as_ref().is_some_and(|p| p.max_rms() > -40.0)),
    )
    .await?;
    let EngineEvent::Meters(meters) = meters else { return Err("not meters".into()) };
    assert_eq!(meters.channels.len(), 1, "one audio channel: the tone");
    engine.set_audio(0, 0.0, true)?;
    wait_for_event(
        &mut events,
        Duration::from_secs(5),
        "the muted channel to go quiet",
        |event| matches!(event, EngineEvent::Meters(m) if m.program.as_ref().is_some_and(|p| p.max_rms() < -60.0)),
    )
    .await?;
    assert!(engine.set_audio(0, 40.0, false).is_err(), "+40 dB is refused");
    assert!(engine.set_audio(5, 0.0, false).is_err(), "a channel that does not exist is refused");
    engine.stop().await;
    Ok(())
}
