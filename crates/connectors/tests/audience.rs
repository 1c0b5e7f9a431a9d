//! Viewer counts: a real nginx-rtmp (from the testkit) with a real publisher (ffmpeg) and real
//! players pulling (ffmpeg and GStreamer); recorded Owncast and MediaMTX replies served locally;
//! the generic JSON poller with its auth header.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Recorded, fixture};
use showdesk_connectors::audience::json::JsonPoller;
use showdesk_connectors::audience::mediamtx::MediaMtxPoller;
use showdesk_connectors::audience::nginx_rtmp::NginxRtmpPoller;
use showdesk_connectors::audience::owncast::OwncastPoller;
use showdesk_connectors::audience::{AudienceError, AudienceReading};
use showdesk_platform::redact::Secret;
use showdesk_testkit::NginxRtmp;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A child process killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(program: &str, args: &[&str]) -> Result<Running, std::io::Error> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Running)
}

/// Polls until `want` holds (the players take a moment to connect): waits on state, not on time.
async fn poll_until(
    poller: &mut NginxRtmpPoller,
    want: impl Fn(&AudienceReading) -> bool,
) -> Result<AudienceReading, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let reading = poller.poll().await?;
        if want(&reading) {
            return Ok(reading);
        }
        if Instant::now() > deadline {
            return Err(format!("still {reading:?} after a minute").into());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn nginx_rtmp_counts_players_not_the_publisher_and_is_unknown_after_a_reload() -> TestResult {
    let ingest = NginxRtmp::start()?;
    let key = "showtime_key_4c1d0e9f";
    let url = ingest.stream_url(key);
    let mut poller = NginxRtmpPoller::new(&ingest.stat_url(), "live", Secret::new(key))?;
    assert_eq!(poller.poll().await?, AudienceReading::Offline, "nothing published yet");

    let _publisher = spawn(
        "ffmpeg",
        &[
            "-nostdin",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=15",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            "15",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-f",
            "flv",
            &url,
        ],
    )?;
    assert_eq!(
        poll_until(&mut poller, |r| r.viewers().is_some()).await?,
        AudienceReading::Online { viewers: 0 },
        "the publisher is not a viewer"
    );

    let ffmpeg_player = spawn("ffmpeg", &["-nostdin", "-i", &url, "-f", "null", "-"])?;
    let location = format!("location={url}");
    let _gst_player = spawn("gst-launch-1.0", &["-q", "rtmp2src", &location, "!", "fakesink"])?;
    assert_eq!(poll_until(&mut poller, |r| r.viewers() == Some(2)).await?, AudienceReading::Online { viewers: 2 });
    drop(ffmpeg_player);
    assert_eq!(poll_until(&mut poller, |r| r.viewers() == Some(1)).await?, AudienceReading::Online { viewers: 1 });

    // A reload: the stream keeps flowing through the old worker, the new one reports nothing.
    ingest.reload()?;
    let after = poll_until(&mut poller, |r| !matches!(r, AudienceReading::Online { .. })).await?;
    assert!(matches!(after, AudienceReading::Unknown { .. }), "after a reload the count is unknown, not 0: {after:?}");
    Ok(())
}

#[tokio::test]
async fn owncast_online_without_count_is_zero_and_offline_is_offline() -> TestResult {
    let server = Recorded::start(|_, n| {
        let name = ["owncast_online.json", "owncast_online_without_count.json", "owncast_offline.json"][n.min(2)];
        (200, fixture(&format!("audience/{name}")))
    })
    .await;
    let poller = OwncastPoller::new(&server.base_url)?;
    assert_eq!(poller.poll().await?, AudienceReading::Online { viewers: 42 });
    assert_eq!(poller.poll().await?, AudienceReading::Online { viewers: 0 });
    assert_eq!(poller.poll().await?, AudienceReading::Offline, "not the 42 from before it went offline");
    assert!(server.requests().iter().all(|r| r.path() == "/api/status"));
    Ok(())
}

#[tokio::test]
async fn mediamtx_follows_every_page_counts_readers_and_never_reads_the_config() -> TestResult {
    let server = Recorded::start(|request, _| match (request.path(), request.field("page").as_deref()) {
        ("/v3/paths/list", Some("0")) => (200, fixture("audience/mediamtx_paths_page0.json")),
        ("/v3/paths/list", Some("1")) => (200, fixture("audience/mediamtx_paths_page1.json")),
        _ => (404, "{}".into()),
    })
    .await;
    assert_eq!(
        MediaMtxPoller::new(&server.base_url, "live/show")?.poll().await?,
        AudienceReading::Online { viewers: 2 }
    );
    assert_eq!(
        MediaMtxPoller::new(&server.base_url, "")?.poll().await?,
        AudienceReading::Online { viewers: 3 },
        "every ready path"
    );
    assert_eq!(
        MediaMtxPoller::new(&server.base_url, "live/show2")?.poll().await?,
        AudienceReading::Offline,
        "on page 1, not ready"
    );
    let requests = server.requests();
    assert!(requests.iter().all(|r| !r.path().contains("config")));
    assert_eq!(requests.iter().filter(|r| r.field("page").as_deref() == Some("1")).count(), 3, "every page, each time");
    Ok(())
}

#[tokio::test]
async fn json_url_with_a_pointer_and_a_secret_auth_header() -> TestResult {
    let server = Recorded::start(|request, _| match request.header("x-api-key") {
        Some("viewers_token_1a2b3c") => (200, r#"{"data": {"live": {"viewers": "17"}}}"#.into()),
        _ => (401, "{}".into()),
    })
    .await;
    let url = format!("{}/stats", server.base_url);
    let poller = JsonPoller::new(&url, "/data/live/viewers", Some(("X-Api-Key", Secret::new("viewers_token_1a2b3c"))))?;
    assert_eq!(poller.poll().await?, AudienceReading::Online { viewers: 17 });
    let refused = JsonPoller::new(&url, "/data/live/viewers", None)?.poll().await;
    assert_eq!(refused, Err(AudienceError::Http { status: 401 }));
    Ok(())
}
