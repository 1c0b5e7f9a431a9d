//! Audience: where viewer counts come from and the time series they make. Sources hold no secret,
//! only a reference to one (an auth header's value lives in the keyring).

use async_trait::async_trait;
use serde::Serialize;

use crate::{PgStore, SqliteStore, StoreError};

/// How a host reported its audience at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AudienceState {
    Online,
    Offline,
    /// The host answered but cannot say (nginx-rtmp just reloaded), or did not answer.
    Unknown,
}

impl AudienceState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Offline => "offline",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Online, Self::Offline, Self::Unknown].into_iter().find(|s| s.as_str() == text)
    }
}

/// A configured viewer-count source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudienceSourceRecord {
    pub id: String,
    pub show_id: String,
    /// `nginx_rtmp`, `owncast`, `mediamtx`, `json`.
    pub kind: String,
    /// The connector's settings as JSON, without secrets.
    pub config: serde_json::Value,
    pub created_ms: i64,
}

/// One reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AudienceSample {
    pub at_ms: i64,
    pub state: AudienceState,
    /// Only when online.
    pub viewers: Option<i64>,
}

/// A show's audience now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudienceSummary {
    /// The latest reading of each source, by source id.
    pub latest: Vec<(String, AudienceSample)>,
    pub peak_viewers: Option<i64>,
}

#[async_trait]
pub trait AudienceStore {
    async fn save_audience_source(&self, source: &AudienceSourceRecord) -> Result<(), StoreError>;
    async fn audience_sources(&self, show_id: &str) -> Result<Vec<AudienceSourceRecord>, StoreError>;
    async fn record_audience_sample(
        &self,
        source_id: &str,
        show_id: &str,
        sample: &AudienceSample,
    ) -> Result<(), StoreError>;
    async fn audience_summary(&self, show_id: &str) -> Result<AudienceSummary, StoreError>;
    /// A show's readings since `since_ms`, oldest first, for the report and the chart.
    async fn audience_series(&self, show_id: &str, since_ms: i64) -> Result<Vec<AudienceSample>, StoreError>;
}

fn sample(state: &str, at_ms: i64, viewers: Option<i64>) -> Result<AudienceSample, StoreError> {
    let state = AudienceState::parse(state).ok_or_else(|| StoreError::Corrupt(format!("audience state {state:?}")))?;
    Ok(AudienceSample { at_ms, state, viewers })
}

macro_rules! audience_impl {
    ($store:ty) => {
        #[async_trait]
        impl AudienceStore for $store {
            async fn save_audience_source(&self, source: &AudienceSourceRecord) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO audience_sources (id, show_id, kind, config, created_ms) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (id) DO UPDATE SET show_id = excluded.show_id, kind = excluded.kind, \
                     config = excluded.config",
                )
                .bind(&source.id)
                .bind(&source.show_id)
                .bind(&source.kind)
                .bind(source.config.to_string())
                .bind(source.created_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audience_sources(&self, show_id: &str) -> Result<Vec<AudienceSourceRecord>, StoreError> {
                let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT id, show_id, kind, config, created_ms FROM audience_sources WHERE show_id = $1 ORDER BY id",
                )
                .bind(show_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, show_id, kind, config, created_ms)| {
                        let config = serde_json::from_str(&config)
                            .map_err(|err| StoreError::Corrupt(format!("audience source {id}: {err}")))?;
                        Ok(AudienceSourceRecord { id, show_id, kind, config, created_ms })
                    })
                    .collect()
            }

            async fn record_audience_sample(
                &self,
                source_id: &str,
                show_id: &str,
                sample: &AudienceSample,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO audience_samples (source_id, show_id, at_ms, state, viewers) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(source_id)
                .bind(show_id)
                .bind(sample.at_ms)
                .bind(sample.state.as_str())
                .bind(sample.viewers)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audience_summary(&self, show_id: &str) -> Result<AudienceSummary, StoreError> {
                let latest: Vec<(String, i64, String, Option<i64>)> = sqlx::query_as(
                    "SELECT s.source_id, s.at_ms, s.state, s.viewers FROM audience_samples s \
                     WHERE s.id IN (SELECT MAX(id) FROM audience_samples WHERE show_id = $1 GROUP BY source_id) \
                     ORDER BY s.source_id",
                )
                .bind(show_id)
                .fetch_all(&self.pool)
                .await?;
                let (peak_viewers,): (Option<i64>,) =
                    sqlx::query_as("SELECT MAX(viewers) FROM audience_samples WHERE show_id = $1")
                        .bind(show_id)
                        .fetch_one(&self.pool)
                        .await?;
                Ok(AudienceSummary {
                    latest: latest
                        .into_iter()
                        .map(|(source, at_ms, state, viewers)| Ok((source, sample(&state, at_ms, viewers)?)))
                        .collect::<Result<_, StoreError>>()?,
                    peak_viewers,
                })
            }

            async fn audience_series(&self, show_id: &str, since_ms: i64) -> Result<Vec<AudienceSample>, StoreError> {
                let rows: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
                    "SELECT at_ms, state, viewers FROM audience_samples WHERE show_id = $1 AND at_ms >= $2 \
                     ORDER BY at_ms, id",
                )
                .bind(show_id)
                .bind(since_ms)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|(at_ms, state, viewers)| sample(&state, at_ms, viewers)).collect()
            }
        }
    };
}

audience_impl!(SqliteStore);
audience_impl!(PgStore);
