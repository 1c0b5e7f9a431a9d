//! The stream log: each live session of a show, its outputs' health sampled over time and the
//! events that happened on air. Written while live; read by the after-show report.

use async_trait::async_trait;
use serde::Serialize;

use crate::{PgStore, SqliteStore, StoreError};

/// One time the show was on air.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveSession {
    pub id: i64,
    pub show_id: Option<String>,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub recording_path: Option<String>,
}

/// One output's health at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamSample {
    pub at_ms: i64,
    pub output_id: String,
    pub state: String,
    pub bitrate_bps: i64,
    pub dropped_percent: f64,
    pub reconnects: i64,
    pub queue_ms: i64,
    pub live_seconds: i64,
}

/// Something that happened on air.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamEvent {
    pub at_ms: i64,
    /// output_state, alert, bitrate, source_state.
    pub kind: String,
    pub subject: String,
    /// JSON, never a secret.
    pub detail: serde_json::Value,
}

/// The stream log repository.
#[async_trait]
pub trait StreamLog {
    async fn start_live_session(&self, show_id: Option<&str>, started_ms: i64) -> Result<i64, StoreError>;
    async fn end_live_session(&self, id: i64, ended_ms: i64, recording_path: Option<&str>) -> Result<(), StoreError>;
    async fn record_stream_samples(&self, session_id: i64, samples: &[StreamSample]) -> Result<(), StoreError>;
    async fn record_stream_event(&self, session_id: i64, event: &StreamEvent) -> Result<(), StoreError>;
    /// A show's sessions, oldest first (`None`: sessions not tied to a show).
    async fn live_sessions(&self, show_id: Option<&str>) -> Result<Vec<LiveSession>, StoreError>;
    async fn stream_samples(&self, session_id: i64) -> Result<Vec<StreamSample>, StoreError>;
    async fn stream_events(&self, session_id: i64) -> Result<Vec<StreamEvent>, StoreError>;
}

type SessionRow = (i64, Option<String>, i64, Option<i64>, Option<String>);
type SampleRow = (i64, String, String, i64, f64, i64, i64, i64);
type EventRow = (i64, String, String, String);

macro_rules! stream_log_impl {
    ($store:ty) => {
        #[async_trait]
        impl StreamLog for $store {
            async fn start_live_session(&self, show_id: Option<&str>, started_ms: i64) -> Result<i64, StoreError> {
                let (id,): (i64,) =
                    sqlx::query_as("INSERT INTO live_sessions (show_id, started_ms) VALUES ($1, $2) RETURNING id")
                        .bind(show_id)
                        .bind(started_ms)
                        .fetch_one(&self.pool)
                        .await?;
                Ok(id)
            }

            async fn end_live_session(&self, id: i64, ended_ms: i64, recording_path: Option<&str>) -> Result<(), StoreError> {
                let updated = sqlx::query("UPDATE live_sessions SET ended_ms = $1, recording_path = $2 WHERE id = $3")
                    .bind(ended_ms)
                    .bind(recording_path)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                if updated.rows_affected() == 0 {
                    return Err(StoreError::NotFound { what: "live session", id: id.to_string() });
                }
                Ok(())
            }

            async fn record_stream_samples(&self, session_id: i64, samples: &[StreamSample]) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                for sample in samples {
                    sqlx::query(
                        "INSERT INTO stream_samples (session_id, at_ms, output_id, state, bitrate_bps, dropped_percent, \
                         reconnects, queue_ms, live_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(session_id)
                    .bind(sample.at_ms)
                    .bind(&sample.output_id)
                    .bind(&sample.state)
                    .bind(sample.bitrate_bps)
                    .bind(sample.dropped_percent)
                    .bind(sample.reconnects)
                    .bind(sample.queue_ms)
                    .bind(sample.live_seconds)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn record_stream_event(&self, session_id: i64, event: &StreamEvent) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO stream_events (session_id, at_ms, kind, subject, detail) VALUES ($1, $2, $3, $4, $5)")
                    .bind(session_id)
                    .bind(event.at_ms)
                    .bind(&event.kind)
                    .bind(&event.subject)
                    .bind(event.detail.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn live_sessions(&self, show_id: Option<&str>) -> Result<Vec<LiveSession>, StoreError> {
                let rows: Vec<SessionRow> = match show_id {
                    Some(show) => {
                        sqlx::query_as(
                            "SELECT id, show_id, started_ms, ended_ms, recording_path FROM live_sessions \
                             WHERE show_id = $1 ORDER BY started_ms, id",
                        )
                        .bind(show)
                        .fetch_all(&self.pool)
                        .await?
                    }
                    None => {
                        sqlx::query_as(
                            "SELECT id, show_id, started_ms, ended_ms, recording_path FROM live_sessions \
                             WHERE show_id IS NULL ORDER BY started_ms, id",
                        )
                        .fetch_all(&self.pool)
                        .await?
                    }
                };
                Ok(rows
                    .into_iter()
                    .map(|(id, show_id, started_ms, ended_ms, recording_path)| LiveSession {
                        id,
                        show_id,
                        started_ms,
                        ended_ms,
                        recording_path,
                    })
                    .collect())
            }

            async fn stream_samples(&self, session_id: i64) -> Result<Vec<StreamSample>, StoreError> {
                let rows: Vec<SampleRow> = sqlx::query_as(
                    "SELECT at_ms, output_id, state, bitrate_bps, dropped_percent, reconnects, queue_ms, live_seconds \
                     FROM stream_samples WHERE session_id = $1 ORDER BY at_ms, output_id",
                )
                .bind(session_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(at_ms, output_id, state, bitrate_bps, dropped_percent, reconnects, queue_ms, live_seconds)| {
                        StreamSample { at_ms, output_id, state, bitrate_bps, dropped_percent, reconnects, queue_ms, live_seconds }
                    })
                    .collect())
            }

            async fn stream_events(&self, session_id: i64) -> Result<Vec<StreamEvent>, StoreError> {
                let rows: Vec<EventRow> = sqlx::query_as(
                    "SELECT at_ms, kind, subject, detail FROM stream_events WHERE session_id = $1 ORDER BY at_ms",
                )
                .bind(session_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(at_ms, kind, subject, detail)| {
                        let detail = serde_json::from_str(&detail)
                            .map_err(|err| StoreError::Corrupt(format!("stream event detail: {err}")))?;
                        Ok(StreamEvent { at_ms, kind, subject, detail })
                    })
                    .collect()
            }
        }
    };
}

stream_log_impl!(SqliteStore);
stream_log_impl!(PgStore);
