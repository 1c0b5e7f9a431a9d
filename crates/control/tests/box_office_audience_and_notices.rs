//! The box office's audience and pre-show use cases through the control service: a real
//! nginx-rtmp with a real publisher and player feeds the dashboard's viewers (and the shared-ticket
//! alert); the stream key is given by reference and never stored; the risk notices for a show.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use showdesk_control::BoxOffice;
use showdesk_control::box_office::{AudienceSourceInput, ForecastInput, MoneyView, NewShowInput};
use showdesk_testkit::NginxRtmp;

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(program: &str, args: &[&str]) -> std::io::Result<Running> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Running)
}

async fn box_office() -> Result<(tempfile::TempDir, BoxOffice), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?;
    Ok((dir, BoxOffice::new(store)))
}

fn new_show(starts_at_ms: i64) -> NewShowInput {
    NewShowInput {
        title: "Fight night".into(),
        starts_at_ms,
        ends_at_ms: starts_at_ms + 7_200_000,
        price: MoneyView { minor: 1500, currency: "EUR".into() },
        capacity: 2000,
        watch_url: None,
    }
}

#[tokio::test]
async fn viewers_reach_the_dashboard_and_more_viewers_than_tickets_raise_an_alert() -> TestResult {
    let (dir, box_office) = box_office().await?;
    let show = box_office.create_show("producer", &new_show(1_742_068_800_000)).await?;
    let ingest = NginxRtmp::start()?;
    let key = "stream_key_for_audience_7e2f";
    box_office.provide_secret("keyring:ingest-key", key);
    let source = AudienceSourceInput::NginxRtmp {
        id: "ingest".into(),
        show_id: show.id.clone(),
        stat_url: ingest.stat_url(),
        app: "live".into(),
        stream_key_ref: "keyring:ingest-key".into(),
    };
    box_office.add_audience_source("producer", &source).await?;

    let url = ingest.stream_url(key);
    let _publisher = spawn(
        "ffmpeg",
        &[
            "-nostdin",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=15",
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
            "-f",
            "flv",
            &url,
        ],
    )?;
    let _player = spawn("ffmpeg", &["-nostdin", "-i", &url, "-f", "null", "-"])?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let readings = box_office.poll_audience(&show.id).await?;
        if readings.first().and_then(|r| r.viewers) == Some(1) {
            break;
        }
        assert!(Instant::now() < deadline, "no viewer after a minute: {readings:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let dashboard = box_office.dashboard(&show.id).await?;
    assert_eq!(
        (dashboard.viewers_now, dashboard.viewers_peak, dashboard.audience_state.as_str()),
        (Some(1), Some(1), "online")
    );
    assert!(
        dashboard.alerts.iter().any(|a| a.kind == "viewers_exceed_tickets"),
        "1 viewer, 0 tickets: {:?}",
        dashboard.alerts
    );

    // The key was given by reference: the database holds the reference, never the key.
    drop(box_office);
    let mut found = false;
    for entry in std::fs::read_dir(dir.path())? {
        let bytes = std::fs::read(entry?.path())?;
        found |= bytes.windows(key.len()).any(|w| w == key.as_bytes());
    }
    assert!(!found, "the stream key reached the database");
    Ok(())
}

#[tokio::test]
async fn an_audience_source_without_its_secret_is_refused_with_a_code() -> TestResult {
    let (_dir, box_office) = box_office().await?;
    let show = box_office.create_show("producer", &new_show(1_742_068_800_000)).await?;
    let source = AudienceSourceInput::NginxRtmp {
        id: "ingest".into(),
        show_id: show.id,
        stat_url: "http://127.0.0.1:9/stat".into(),
        app: "live".into(),
        stream_key_ref: "keyring:missing".into(),
    };
    let err = box_office.add_audience_source("producer", &source).await.err().ok_or("accepted")?;
    assert_eq!(err.code(), "not_ready");
    Ok(())
}

#[tokio::test]
async fn the_pre_show_notices_quote_volume_peak_and_window() -> TestResult {
    let (_dir, box_office) = box_office().await?;
    let starts = 1_742_068_800_000; // 2025-03-15 20:00 UTC
    let show = box_office.create_show("producer", &new_show(starts)).await?;
    assert_eq!(show.id, "fight-night-2025-03-15");
    let notice = box_office
        .risk_notice(&ForecastInput {
            show_id: show.id,
            sell_through_percent: 80,
            on_sale_from_ms: starts - 14 * 86_400_000,
            rush_share_percent: 50,
            rush_window_minutes: 60,
        })
        .await?;
    assert_eq!((notice.expected_orders, notice.expected_volume.minor), (1600, 2_400_000));
    assert_eq!((notice.peak_orders_per_minute, notice.peak_confirmations_per_hour), (40, 800));
    assert_eq!(notice.rush_ends_ms - notice.rush_starts_ms, 3_600_000);
    assert!(notice.processor_letter.contains("24000.00 EUR"), "{}", notice.processor_letter);
    assert!(notice.processor_letter.contains("2025-03-15 20:00"));
    assert!(notice.mail_provider_letter.contains("800 per hour"));
    Ok(())
}
