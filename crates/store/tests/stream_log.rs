//! The stream log through the `Store` trait, on SQLite and on a real PostgreSQL.

use std::sync::Arc;

use serde_json::json;
use showdesk_store::{Store, StoreError, StreamEvent, StreamSample};
use showdesk_testkit::Postgres;

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn stream_log_behaviour(store: Arc<dyn Store>) -> Result<(), StoreError> {
    let first = store.start_live_session(Some("fight-night"), 1_000).await?;
    let second = store.start_live_session(Some("fight-night"), 5_000).await?;
    store.start_live_session(None, 2_000).await?;
    let sample = |at_ms, output: &str, state: &str| StreamSample {
        at_ms,
        output_id: output.into(),
        state: state.into(),
        bitrate_bps: 2_500_000,
        dropped_percent: 0.5,
        reconnects: 1,
        queue_ms: 40,
        live_seconds: at_ms / 1000,
    };
    store.record_stream_samples(first, &[sample(2_000, "main", "live"), sample(2_000, "recording", "live")]).await?;
    store.record_stream_samples(first, &[sample(3_000, "main", "reconnecting")]).await?;
    store
        .record_stream_event(
            first,
            &StreamEvent {
                at_ms: 2_500,
                kind: "output_state".into(),
                subject: "main".into(),
                detail: json!({ "state": "reconnecting" }),
            },
        )
        .await?;
    store.end_live_session(first, 4_000, Some("/videos/fight night.mkv")).await?;

    let sessions = store.live_sessions(Some("fight-night")).await?;
    assert_eq!(sessions.iter().map(|s| s.id).collect::<Vec<_>>(), [first, second]);
    assert_eq!(
        (sessions[0].ended_ms, sessions[0].recording_path.as_deref()),
        (Some(4_000), Some("/videos/fight night.mkv"))
    );
    assert_eq!(sessions[1].ended_ms, None);
    assert_eq!(store.live_sessions(None).await?.len(), 1);
    let samples = store.stream_samples(first).await?;
    assert_eq!(samples.len(), 3);
    assert_eq!((samples[2].state.as_str(), samples[2].dropped_percent), ("reconnecting", 0.5));
    let events = store.stream_events(first).await?;
    assert_eq!(events[0].detail["state"], "reconnecting");
    assert!(matches!(store.end_live_session(999_999, 1, None).await, Err(StoreError::NotFound { .. })));
    Ok(())
}

#[tokio::test]
async fn stream_log_on_sqlite() -> TestResult {
    let dir = tempfile::tempdir()?;
    stream_log_behaviour(showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?).await?;
    Ok(())
}

#[tokio::test]
async fn stream_log_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    stream_log_behaviour(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await?;
    Ok(())
}
