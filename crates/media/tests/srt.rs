//! SRT in both modes: we call a listening host, or a host calls us — and a listener nobody calls
//! never blocks anything else.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use showdesk_media::engine::Engine;
use showdesk_testkit::{PortLease, Protocol, SrtPeer, SrtPeerOptions};

async fn received_at_least(peer: &SrtPeer, bytes: u64, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    while peer.received_bytes() < bytes {
        if Instant::now() >= deadline {
            return Err(format!("the SRT peer received {} bytes", peer.received_bytes()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

fn assert_ts_has_h264_and_aac(peer: &SrtPeer) -> TestResult {
    let probe = ffprobe_streams(&peer.received_path().to_string_lossy())?;
    let codecs: Vec<&str> =
        probe["streams"].as_array().into_iter().flatten().filter_map(|s| s["codec_name"].as_str()).collect();
    assert!(codecs.contains(&"h264") && codecs.contains(&"aac"), "{codecs:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_mode_with_a_passphrase_reaches_the_listening_host() -> TestResult {
    let passphrase = "correct-horse-battery";
    let peer = SrtPeer::listener(&SrtPeerOptions { passphrase: Some(passphrase.into()), latency_ms: Some(120) })?;
    let url = format!("{}?passphrase={passphrase}&latency=120", peer.url());
    let spec = small_show(vec![("srt", rtmp(&url, ""))], None);
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    wait_for_state(&engine, "srt", "live", Duration::from_secs(20)).await?;
    received_at_least(&peer, 200_000, Duration::from_secs(20)).await?;
    engine.stop().await;
    assert_ts_has_h264_and_aac(&peer)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_nobody_calls_blocks_nothing_and_goes_live_when_called() -> TestResult {
    let port = PortLease::new(Protocol::Udp)?;
    let recordings = tempfile::tempdir()?;
    let url = format!("srt://127.0.0.1:{}?mode=listener", port.port());
    let spec = small_show(vec![("srt", rtmp(&url, ""))], Some(recordings.path()));
    let engine = Arc::new(Engine::start(spec).await?);
    engine.run_background();
    wait_for_state(&engine, "recording", "live", Duration::from_secs(20)).await?;
    // The recording grows while nobody calls (on a loaded machine the first seconds come slowly:
    // wait for the growth, up to a limit, rather than a fixed time).
    let waited = std::time::Instant::now();
    let grown = loop {
        let bytes = engine
            .stats()
            .and_then(|stats| stats.outputs.iter().find(|o| o.id == "recording").map(|o| o.stats.bytes_sent))
            .unwrap_or(0);
        if bytes > 20_000 || waited.elapsed() > Duration::from_secs(20) {
            break bytes;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(grown > 20_000, "the recording keeps growing while nobody calls: {grown} bytes");
    assert_eq!(engine.output_state("srt").map(|s| s.name()), Some("connecting"), "waiting for a caller");

    let peer = SrtPeer::caller(port.port(), &SrtPeerOptions::default())?;
    wait_for_state(&engine, "srt", "live", Duration::from_secs(20)).await?;
    received_at_least(&peer, 100_000, Duration::from_secs(20)).await?;
    engine.stop().await;
    assert_ts_has_h264_and_aac(&peer)?;
    Ok(())
}
