//! The show on air: going live from an engine spec, the commands while live, ending the show. While
//! live, a recorder writes the outputs' health (every 10 s) and every state change and alert to the
//! stream log, which the after-show report reads.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use showdesk_media::engine::{Engine, EngineEvent, StopReport};
use showdesk_media::layout::Layout;
use showdesk_media::spec::{EngineSpec, SlateKind};
use showdesk_store::{Store, StreamEvent, StreamSample, now_ms};
use tokio::sync::broadcast;

use super::views::{LiveAlert, LiveStatus, engine_alert, status_of};
use crate::{ControlError, ControlService};

/// How often the outputs' health is written to the stream log.
const SAMPLE_EVERY: Duration = Duration::from_secs(10);

/// A show on air.
pub struct LiveShow {
    pub engine: Arc<Engine>,
    pub session_id: i64,
    pub show_id: Option<String>,
    pub started_ms: i64,
    recorder: tokio::task::JoinHandle<()>,
    alerts: broadcast::Sender<LiveAlert>,
}

impl std::fmt::Debug for LiveShow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveShow").field("session_id", &self.session_id).field("show_id", &self.show_id).finish()
    }
}

/// What ending the show leaves.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EndOfShow {
    pub session_id: i64,
    pub stop: StopReport,
}

impl ControlService {
    /// Goes live with `spec`; `show_id` ties the session to a box-office show (for the report).
    pub async fn go_live(&self, spec: EngineSpec, show_id: Option<String>) -> Result<(), ControlError> {
        let mut live = self.live.lock().await;
        if live.is_some() {
            return Err(ControlError::NotReady("the show is already live".into()));
        }
        let engine = Arc::new(Engine::start(spec).await?);
        engine.run_background();
        let started_ms = now_ms();
        let session_id = self.store().start_live_session(show_id.as_deref(), started_ms).await?;
        let alerts = self.alert_sender();
        let recorder = tokio::spawn(record(Arc::clone(self.store()), session_id, engine.subscribe(), alerts.clone()));
        tracing::info!(session_id, "live");
        *live = Some(LiveShow { engine, session_id, show_id, started_ms, recorder, alerts });
        Ok(())
    }

    /// Ends the show: every output stops (the recording is finalised) and the session is closed.
    pub async fn end_show(&self) -> Result<EndOfShow, ControlError> {
        let Some(show) = self.live.lock().await.take() else {
            return Err(ControlError::NotReady("the show is not live".into()));
        };
        let stop = show.engine.stop().await;
        // Let the recorder write the last states, then stop it.
        tokio::time::sleep(Duration::from_millis(200)).await;
        show.recorder.abort();
        let recording = stop.recording.as_ref().map(|p| p.display().to_string());
        self.store().end_live_session(show.session_id, now_ms(), recording.as_deref()).await?;
        tracing::info!(session_id = show.session_id, "show ended");
        Ok(EndOfShow { session_id: show.session_id, stop })
    }

    /// The running engine, for commands and events.
    pub async fn live_engine(&self) -> Result<Arc<Engine>, ControlError> {
        self.live
            .lock()
            .await
            .as_ref()
            .map(|show| Arc::clone(&show.engine))
            .ok_or_else(|| ControlError::NotReady("the show is not live".into()))
    }

    /// Alerts from the show on air (dropped frames, sound, outputs down and back).
    pub async fn live_alerts(&self) -> Option<broadcast::Receiver<LiveAlert>> {
        self.live.lock().await.as_ref().map(|show| show.alerts.subscribe())
    }

    /// The show on air now (or `off`).
    pub async fn live_status(&self) -> LiveStatus {
        let live = self.live.lock().await;
        let Some(show) = live.as_ref() else { return LiveStatus::off() };
        let engine = &show.engine;
        match engine.stats() {
            Some(stats) => status_of(
                &stats,
                &engine.output_states(),
                show.show_id.clone(),
                show.started_ms,
                engine.slots(),
                engine.channels(),
            ),
            None => LiveStatus {
                phase: super::views::LivePhase::Live,
                show_id: show.show_id.clone(),
                started_ms: Some(show.started_ms),
                slots: engine.slots(),
                channels: engine.channels(),
                ..LiveStatus::off()
            },
        }
    }

    pub async fn set_layout(&self, layout: Layout) -> Result<(), ControlError> {
        Ok(self.live_engine().await?.set_layout(layout)?)
    }

    pub async fn show_slate(&self, kind: SlateKind) -> Result<(), ControlError> {
        Ok(self.live_engine().await?.show_slate(kind)?)
    }

    pub async fn set_audio(&self, channel: usize, gain_db: f64, muted: bool) -> Result<(), ControlError> {
        Ok(self.live_engine().await?.set_audio(channel, gain_db, muted)?)
    }

    pub async fn retry_output(&self, output_id: &str) -> Result<(), ControlError> {
        Ok(self.live_engine().await?.retry(output_id)?)
    }
}

/// Writes the show's health and events to the stream log, and turns engine events into alerts.
async fn record(
    store: Arc<dyn Store>,
    session_id: i64,
    mut events: broadcast::Receiver<EngineEvent>,
    alerts: broadcast::Sender<LiveAlert>,
) {
    let mut last_sample: Option<std::time::Instant> = None;
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => break,
        };
        let at_ms = now_ms();
        let logged = match &event {
            EngineEvent::Stats(stats) => {
                if last_sample.is_some_and(|t| t.elapsed() < SAMPLE_EVERY) {
                    continue;
                }
                last_sample = Some(std::time::Instant::now());
                let samples: Vec<StreamSample> = stats
                    .outputs
                    .iter()
                    .map(|o| StreamSample {
                        at_ms,
                        output_id: o.id.clone(),
                        state: o.stats.state.clone(),
                        bitrate_bps: o.stats.bitrate_bps as i64,
                        dropped_percent: o.stats.dropped_percent,
                        reconnects: i64::from(o.stats.reconnects),
                        queue_ms: o.stats.queue_ms as i64,
                        live_seconds: o.stats.live_seconds as i64,
                    })
                    .collect();
                store.record_stream_samples(session_id, &samples).await
            }
            EngineEvent::Output(output) => {
                let alert = match &output.state {
                    showdesk_media::output::OutputState::Reconnecting { attempt: 1, reason } => {
                        Some(("output_down", "error", format!("{} is off the air: {reason}", output.id)))
                    }
                    showdesk_media::output::OutputState::Failed { reason } => {
                        Some(("output_failed", "error", format!("{} stopped trying: {reason}", output.id)))
                    }
                    showdesk_media::output::OutputState::Live => {
                        Some(("output_back", "info", format!("{} is on the air", output.id)))
                    }
                    _ => None,
                };
                if let Some((kind, severity, message)) = alert {
                    let _ = alerts.send(LiveAlert {
                        kind: kind.into(),
                        severity: severity.into(),
                        subject: output.id.clone(),
                        message,
                        at_ms,
                    });
                }
                let detail = serde_json::to_value(&output.state).unwrap_or_default();
                store
                    .record_stream_event(
                        session_id,
                        &StreamEvent { at_ms, kind: "output_state".into(), subject: output.id.clone(), detail },
                    )
                    .await
            }
            EngineEvent::Alert(alert) => {
                let alert = engine_alert(alert, at_ms);
                let detail = json!({ "kind": alert.kind, "severity": alert.severity, "message": alert.message });
                let subject = alert.subject.clone();
                let _ = alerts.send(alert);
                store
                    .record_stream_event(session_id, &StreamEvent { at_ms, kind: "alert".into(), subject, detail })
                    .await
            }
            EngineEvent::Bitrate(change) => {
                let detail =
                    json!({ "from_kbps": change.from_kbps, "to_kbps": change.to_kbps, "queue_ms": change.queue_ms });
                store
                    .record_stream_event(
                        session_id,
                        &StreamEvent { at_ms, kind: "bitrate".into(), subject: "encoder".into(), detail },
                    )
                    .await
            }
            EngineEvent::Source(source) => {
                let detail = serde_json::to_value(&source.state).unwrap_or_default();
                store
                    .record_stream_event(
                        session_id,
                        &StreamEvent { at_ms, kind: "source_state".into(), subject: source.name.clone(), detail },
                    )
                    .await
            }
            EngineEvent::Meters(_) => continue,
        };
        if let Err(err) = logged {
            tracing::warn!("the stream log could not be written: {err}");
        }
    }
}
