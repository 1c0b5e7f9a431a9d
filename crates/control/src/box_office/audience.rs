//! Viewer counts: sources configured per show (secrets only as keyring references), polled on
//! demand (the shell every few seconds), each reading stored as the show's time series.

use std::collections::HashMap;

use serde_json::{Value, json};
use showdesk_connectors::audience::json::JsonPoller;
use showdesk_connectors::audience::mediamtx::MediaMtxPoller;
use showdesk_connectors::audience::nginx_rtmp::NginxRtmpPoller;
use showdesk_connectors::audience::owncast::OwncastPoller;
use showdesk_connectors::audience::{AudienceError, AudienceReading};
use showdesk_store::{AudienceSample, AudienceSourceRecord, AudienceState, StoreError, now_ms};
use tokio::sync::Mutex;

use super::{AudienceReadingView, AudienceSourceInput, BoxOffice};
use crate::ControlError;

#[derive(Debug)]
enum Poller {
    NginxRtmp(NginxRtmpPoller),
    Owncast(OwncastPoller),
    MediaMtx(MediaMtxPoller),
    Json(JsonPoller),
}

impl Poller {
    async fn poll(&mut self) -> Result<AudienceReading, AudienceError> {
        match self {
            Self::NginxRtmp(poller) => poller.poll().await,
            Self::Owncast(poller) => poller.poll().await,
            Self::MediaMtx(poller) => poller.poll().await,
            Self::Json(poller) => poller.poll().await,
        }
    }
}

/// The live pollers, by source id (nginx-rtmp's keeps state across polls: the worker it saw last).
#[derive(Debug, Default)]
pub struct AudiencePollers {
    pollers: Mutex<HashMap<String, Poller>>,
}

fn text(config: &Value, key: &str) -> String {
    config[key].as_str().unwrap_or_default().to_owned()
}

impl BoxOffice {
    /// Adds (or replaces) a viewer-count source. Its secret, when it has one, must have been given
    /// with `provide_secret` under the reference named here.
    pub async fn add_audience_source(&self, actor: &str, input: &AudienceSourceInput) -> Result<(), ControlError> {
        let (id, show_id, kind, config) = match input {
            AudienceSourceInput::NginxRtmp { id, show_id, stat_url, app, stream_key_ref } => (
                id,
                show_id,
                "nginx_rtmp",
                json!({ "stat_url": stat_url, "app": app, "stream_key_ref": stream_key_ref }),
            ),
            AudienceSourceInput::Owncast { id, show_id, base_url } => {
                (id, show_id, "owncast", json!({ "base_url": base_url }))
            }
            AudienceSourceInput::Mediamtx { id, show_id, api_url, path } => {
                (id, show_id, "mediamtx", json!({ "api_url": api_url, "path": path }))
            }
            AudienceSourceInput::Json { id, show_id, url, pointer, auth_header, auth_secret_ref } => (
                id,
                show_id,
                "json",
                json!({ "url": url, "pointer": pointer, "auth_header": auth_header, "auth_secret_ref": auth_secret_ref }),
            ),
        };
        let result = async {
            if self.store.show(show_id).await?.is_none() {
                return Err(StoreError::NotFound { what: "show", id: show_id.clone() }.into());
            }
            let poller = self.build_poller(kind, &config)?;
            let record = AudienceSourceRecord {
                id: id.clone(),
                show_id: show_id.clone(),
                kind: kind.to_owned(),
                config: config.clone(),
                created_ms: now_ms(),
            };
            self.store.save_audience_source(&record).await?;
            self.audience.pollers.lock().await.insert(id.clone(), poller);
            Ok(())
        }
        .await;
        self.audit(actor, "audience.add_source", &format!("audience:{id}"), config.clone(), &result).await;
        result
    }

    fn build_poller(&self, kind: &str, config: &Value) -> Result<Poller, ControlError> {
        Ok(match kind {
            "nginx_rtmp" => Poller::NginxRtmp(NginxRtmpPoller::new(
                &text(config, "stat_url"),
                &text(config, "app"),
                self.secret(&text(config, "stream_key_ref"))?,
            )?),
            "owncast" => Poller::Owncast(OwncastPoller::new(&text(config, "base_url"))?),
            "mediamtx" => Poller::MediaMtx(MediaMtxPoller::new(&text(config, "api_url"), &text(config, "path"))?),
            "json" => {
                let auth = match (config["auth_header"].as_str(), config["auth_secret_ref"].as_str()) {
                    (Some(header), Some(reference)) if !header.is_empty() => Some((header, self.secret(reference)?)),
                    _ => None,
                };
                Poller::Json(JsonPoller::new(&text(config, "url"), &text(config, "pointer"), auth)?)
            }
            other => return Err(AudienceError::Config(format!("unknown audience source kind {other:?}")).into()),
        })
    }

    /// Reads every source of a show once and stores the readings. A source that cannot be read
    /// counts as unknown (never as 0 viewers).
    pub async fn poll_audience(&self, show_id: &str) -> Result<Vec<AudienceReadingView>, ControlError> {
        let sources = self.store.audience_sources(show_id).await?;
        let mut pollers = self.audience.pollers.lock().await;
        let mut views = Vec::new();
        for source in sources {
            if !pollers.contains_key(&source.id) {
                pollers.insert(source.id.clone(), self.build_poller(&source.kind, &source.config)?);
            }
            let Some(poller) = pollers.get_mut(&source.id) else { continue };
            let now = now_ms();
            let (sample, detail) = match poller.poll().await {
                Ok(AudienceReading::Online { viewers }) => {
                    let viewers = i64::try_from(viewers).unwrap_or(i64::MAX);
                    (AudienceSample { at_ms: now, state: AudienceState::Online, viewers: Some(viewers) }, None)
                }
                Ok(AudienceReading::Offline) => {
                    (AudienceSample { at_ms: now, state: AudienceState::Offline, viewers: None }, None)
                }
                Ok(AudienceReading::Unknown { reason }) => {
                    (AudienceSample { at_ms: now, state: AudienceState::Unknown, viewers: None }, Some(reason))
                }
                Err(err) => {
                    tracing::warn!(source = source.id, code = err.code(), "viewer count unavailable");
                    (AudienceSample { at_ms: now, state: AudienceState::Unknown, viewers: None }, Some(err.to_string()))
                }
            };
            self.store.record_audience_sample(&source.id, show_id, &sample).await?;
            views.push(AudienceReadingView {
                source_id: source.id.clone(),
                state: sample.state.as_str().to_owned(),
                viewers: sample.viewers,
                detail: detail.map(|d| showdesk_platform::redact(&d).into_owned()),
            });
        }
        Ok(views)
    }

    /// Viewers over the show as `[ms, viewers]` points for the audience chart, one per
    /// `AUDIENCE_BUCKET_MS` (the highest reading in it); `None` where no source could tell, so the
    /// chart shows a gap rather than a fall to zero.
    pub async fn audience_series(&self, show_id: &str) -> Result<Vec<(i64, Option<i64>)>, ControlError> {
        Ok(bucket_audience(&self.store.audience_series(show_id, 0).await?, AUDIENCE_BUCKET_MS))
    }
}

/// The chart's resolution: a reading every five seconds is what the shell polls.
pub const AUDIENCE_BUCKET_MS: i64 = 5_000;

/// Samples (oldest first) into buckets of `bucket_ms`: the highest online count of each; a bucket
/// with only offline or unknown readings is `None`.
fn bucket_audience(samples: &[AudienceSample], bucket_ms: i64) -> Vec<(i64, Option<i64>)> {
    let mut points: Vec<(i64, Option<i64>)> = Vec::new();
    for sample in samples {
        let start = sample.at_ms - sample.at_ms.rem_euclid(bucket_ms);
        let viewers = (sample.state == AudienceState::Online).then_some(sample.viewers).flatten();
        match points.last_mut() {
            Some((at, seen)) if *at == start => *seen = (*seen).max(viewers),
            _ => points.push((start, viewers)),
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(at_ms: i64, state: AudienceState, viewers: Option<i64>) -> AudienceSample {
        AudienceSample { at_ms, state, viewers }
    }

    #[test]
    fn buckets_keep_the_highest_count_and_unknown_stays_a_gap() {
        let samples = [
            sample(1_000, AudienceState::Online, Some(3)),
            sample(4_000, AudienceState::Online, Some(5)),
            sample(6_000, AudienceState::Unknown, None),
            sample(11_000, AudienceState::Offline, None),
            sample(12_000, AudienceState::Online, Some(0)),
        ];
        assert_eq!(bucket_audience(&samples, 5_000), [(0, Some(5)), (5_000, None), (10_000, Some(0))]);
        assert!(bucket_audience(&[], 5_000).is_empty());
    }
}
