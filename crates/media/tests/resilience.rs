//! The show must not stop: ingest restarts (C05), dead destinations, refused keys, servers that
//! keep dropping us — each output alone, the recording never touched.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use showdesk_media::engine::{Engine, EngineEvent};
use showdesk_media::output::OutputState;
use showdesk_testkit::{NginxOptions, NginxRtmp, PortLease, Protocol, PublishHook};

/// The largest gap between consecutive video frames of a recording, in seconds.
fn largest_gap(times: &[f64]) -> f64 {
    times.windows(2).map(|pair| pair[1] - pair[0]).fold(0.0, f64::max)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c05_ingest_restarts_three_times_in_ten_seconds_and_the_recording_has_no_gap() -> TestResult {
    let mut ingest = NginxRtmp::start()?;
    let recordings = tempfile::tempdir()?;
    let spec = small_show(vec![("main", rtmp(&ingest.server_url(), "show"))], Some(recordings.path()));
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    let mut events = engine.subscribe();
    wait_for_output(&mut events, "main", "live", Duration::from_secs(20)).await?;

    let mut back_after = Vec::new();
    let cycle_start = Instant::now();
    for down_ms in [800u64, 1200, 600] {
        ingest.stop();
        wait_for_output(&mut events, "main", "reconnecting", Duration::from_secs(10)).await?;
        tokio::time::sleep(Duration::from_millis(down_ms)).await;
        ingest.start_again()?;
        let up = Instant::now();
        wait_for_output(&mut events, "main", "live", Duration::from_secs(10)).await?;
        back_after.push(up.elapsed());
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    eprintln!("three restarts in {:?}; back on air after {back_after:?}", cycle_start.elapsed());
    assert!(ingest.stat_xml()?.contains("<publishing/>"), "publishing again after the last restart");

    let report = engine.stop().await;
    let main = report.outputs.iter().find(|o| o.id == "main").ok_or("no main output")?;
    assert!(main.stats.reconnects >= 3, "{:?}", main.stats);
    let recording = report.outputs.iter().find(|o| o.id == "recording").ok_or("no recording output")?;
    assert_eq!(recording.stats.reconnects, 0, "the recording never noticed");
    let file = report.recording.ok_or("no recording")?;
    let times = video_frame_times(&file)?;
    let gap = largest_gap(&times);
    assert!(gap <= 0.5, "the recording has a {gap:.3} s gap");
    assert!(times.windows(2).all(|pair| pair[1] > pair[0]), "timestamps go backwards");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_destination_never_touches_the_live_one_or_the_recording() -> TestResult {
    let ingest = NginxRtmp::start()?;
    let dead = PortLease::new(Protocol::Tcp)?;
    let recordings = tempfile::tempdir()?;
    let spec = small_show(
        vec![
            ("main", rtmp(&ingest.server_url(), "show")),
            ("backup", rtmp(&format!("rtmp://127.0.0.1:{}/live", dead.port()), "show")),
        ],
        Some(recordings.path()),
    );
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    let mut events = engine.subscribe();
    wait_for_state(&engine, "main", "live", Duration::from_secs(20)).await?;
    wait_for_state(&engine, "backup", "reconnecting", Duration::from_secs(10)).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stats = next_stats(&mut events).await?;
    let state = |id: &str| stats.outputs.iter().find(|o| o.id == id).map(|o| o.stats.state.clone());
    assert_eq!(state("main").as_deref(), Some("live"));
    assert_eq!(state("backup").as_deref(), Some("reconnecting"));
    assert_eq!(state("recording").as_deref(), Some("live"));
    let report = engine.stop().await;
    let times = video_frame_times(&report.recording.ok_or("no recording")?)?;
    assert!(largest_gap(&times) <= 0.1, "gap {}", largest_gap(&times));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_key_fails_at_once_says_why_and_retry_now_works_once_fixed() -> TestResult {
    let hook = PublishHook::start(&["wrongkey"])?;
    let ingest = NginxRtmp::start_with(&NginxOptions { on_publish: Some(hook.url()) })?;
    let spec = small_show(vec![("main", rtmp(&ingest.server_url(), "wrongkey"))], None);
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    let mut events = engine.subscribe();
    let failed = wait_for_output(&mut events, "main", "failed", Duration::from_secs(15)).await?;
    let EngineEvent::Output(output) = failed else { return Err("not an output event".into()) };
    let OutputState::Failed { reason } = output.state else { return Err("not failed".into()) };
    assert!(reason.contains("stream key"), "{reason}");
    assert!(!reason.contains("wrongkey"), "the key must not appear in the reason: {reason}");
    assert_eq!(hook.calls().len(), 1, "no retry after a refusal");

    hook.set_refused(&[]);
    engine.retry("main")?;
    wait_for_output(&mut events, "main", "live", Duration::from_secs(15)).await?;
    engine.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_keeps_dropping_the_stream_stops_the_retries() -> TestResult {
    let ingest = NginxRtmp::start()?;
    let spec = small_show(vec![("main", rtmp(&ingest.server_url(), "revoked"))], None);
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    let mut events = engine.subscribe();
    for _ in 0..3 {
        wait_for_output(&mut events, "main", "live", Duration::from_secs(20)).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        ingest.drop_publisher("revoked")?;
    }
    let failed = wait_for_output(&mut events, "main", "failed", Duration::from_secs(15)).await?;
    let EngineEvent::Output(output) = failed else { return Err("not an output event".into()) };
    assert!(matches!(&output.state, OutputState::Failed { reason } if reason.contains("likely wrong")), "{output:?}");
    engine.stop().await;
    Ok(())
}
