//! The show goes out: to a real nginx-rtmp, checked with ffprobe and /stat, and to the disk.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use showdesk_media::engine::Engine;
use showdesk_testkit::NginxRtmp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_reaches_the_ingest_as_8_bit_h264_and_aac_and_is_recorded() -> TestResult {
    let ingest = NginxRtmp::start()?;
    let recordings = tempfile::tempdir()?;
    let spec = small_show(vec![("main", rtmp(&ingest.server_url(), "showkey"))], Some(recordings.path()));
    let engine = Arc::new(Engine::start(spec).await?);
    let mut events = engine.subscribe();
    engine.run_background();
    wait_for_output(&mut events, "main", "live", Duration::from_secs(20)).await?;

    // The ingest sees a publisher and its stream is what players expect.
    assert!(ingest.stat_xml()?.contains("<publishing/>"));
    let probe = ffprobe_streams(&ingest.stream_url("showkey"))?;
    let streams = probe["streams"].as_array().ok_or("no streams")?;
    let video = streams.iter().find(|s| s["codec_type"] == "video").ok_or("no video stream")?;
    let audio = streams.iter().find(|s| s["codec_type"] == "audio").ok_or("no audio stream")?;
    assert_eq!(video["codec_name"], "h264");
    assert_eq!(video["pix_fmt"], "yuv420p", "8-bit 4:2:0, never 4:4:4");
    assert!(matches!(video["profile"].as_str(), Some("High" | "Main")), "{video}");
    assert_eq!(audio["codec_name"], "aac");

    // Stats are sampled twice a second: a few may pass before the first bytes are counted.
    let mut main = None;
    for _ in 0..6 {
        let stats = next_stats(&mut events).await?;
        main = stats.outputs.into_iter().find(|o| o.id == "main" && o.stats.bytes_sent > 0);
        if main.is_some() {
            break;
        }
    }
    let main = main.ok_or("the main output never counted a byte sent")?;
    assert_eq!(main.stats.state, "live");
    assert!(main.stats.bitrate_bps > 0);
    assert!(main.display.ends_with("/live/****"), "{}", main.display);
    tokio::time::sleep(Duration::from_secs(2)).await;

    let report = engine.stop().await;
    let file = report.recording.ok_or("no recording")?;
    let probe = ffprobe_streams(&file.to_string_lossy())?;
    let duration: f64 = probe["format"]["duration"].as_str().and_then(|d| d.parse().ok()).ok_or("no duration")?;
    assert!(duration > 2.0, "the recording lasts {duration} s");
    let times = video_frame_times(&file)?;
    assert!(times.len() > 60, "{} frames", times.len());
    Ok(())
}
