//! The show on air: go live, end the show, cuts, slates, sound, "retry now", and the two streams
//! streams the program view lives on (meters, preview frames, the sources' thumbnails).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde::Serialize;
use showdesk_control::ControlService;
use showdesk_control::live::views::{LayoutView, LiveStatus, MetersView};
use showdesk_media::engine::{Engine, EngineEvent};
use showdesk_media::program::PreviewFrame;
use showdesk_media::spec::SlateKind;
use tauri::ipc::Channel;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::{Reply, Service, body, invalid};

#[tauri::command]
pub async fn live_status(service: Service<'_>) -> Reply<LiveStatus> {
    Ok(service.live_status().await)
}

/// Goes live with the saved profile; the status comes back once the engine runs.
#[tauri::command]
pub async fn go_live(service: Service<'_>, show_id: Option<String>) -> Reply<LiveStatus> {
    let show_id = show_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
    service.go_live_with_profile(show_id).await.map_err(body)?;
    let status = service.live_status().await;
    service.support().set_show_live(true);
    Ok(status)
}

/// Ends the show: every output stops and the recording is finalised before this returns. A
/// rehearsal drill ends with it (its buyers and viewers rehearse a show that is on): the crew
/// rehearses the after-show on figures that stopped moving.
#[tauri::command]
pub async fn end_show(service: Service<'_>) -> Reply<LiveStatus> {
    service.end_show().await.map_err(body)?;
    service.support().set_show_live(false);
    if let Some(drill) = service.stop_drill().await {
        tracing::info!(purchases = drill.purchases, "the show ended: the rehearsal drill stopped with it");
    }
    Ok(service.live_status().await)
}

#[tauri::command]
pub async fn set_layout(service: Service<'_>, layout: LayoutView) -> Reply<()> {
    let layout = layout
        .to_layout()
        .ok_or_else(|| invalid("layout.corner", "top_left, top_right, bottom_left or bottom_right"))?;
    service.set_layout(layout).await.map_err(body)
}

#[tauri::command]
pub async fn show_slate(service: Service<'_>, kind: String) -> Reply<()> {
    let kind = slate_kind(&kind)?;
    service.show_slate(kind).await.map_err(body)
}

fn slate_kind(kind: &str) -> Reply<SlateKind> {
    Ok(match kind {
        "countdown" => SlateKind::Countdown,
        "starting_soon" => SlateKind::StartingSoon,
        "be_right_back" => SlateKind::BeRightBack,
        "ended" => SlateKind::Ended,
        other => {
            return Err(invalid(
                "kind",
                format!("{other:?} is not a slate (countdown, starting_soon, be_right_back, ended)"),
            ));
        }
    })
}

/// The gain range the mixer accepts, in dB.
const GAIN_RANGE_DB: std::ops::RangeInclusive<f64> = -60.0..=24.0;

#[tauri::command]
pub async fn set_audio(service: Service<'_>, channel: usize, gain_db: f64, muted: bool) -> Reply<()> {
    if !gain_db.is_finite() || !GAIN_RANGE_DB.contains(&gain_db) {
        return Err(invalid("gainDb", format!("{gain_db} dB is outside −60…+24 dB")));
    }
    service.set_audio(channel, gain_db, muted).await.map_err(body)
}

#[tauri::command]
pub async fn retry_output(service: Service<'_>, output_id: String) -> Reply<()> {
    service.retry_output(output_id.trim()).await.map_err(body)
}

/// Levels, about twenty times a second while live; nothing while off.
#[tauri::command]
pub fn subscribe_meters(service: Service<'_>, channel: Channel<MetersView>) -> Reply<()> {
    let service = service.inner().clone();
    tauri::async_runtime::spawn(follow_engine(service, Engine::subscribe, move |event| match event {
        EngineEvent::Meters(meters) => channel.send(MetersView::of(meters.program.as_ref(), &meters.channels)).is_ok(),
        _ => true,
    }));
    Ok(())
}

/// A program frame as the window receives it (JPEG, base64 for the channel's JSON).
#[derive(Debug, Clone, Serialize)]
pub struct PreviewFrameView {
    pub jpeg_base64: String,
    pub width: i32,
    pub height: i32,
}

impl PreviewFrameView {
    fn of(frame: &PreviewFrame) -> Self {
        Self {
            jpeg_base64: base64::engine::general_purpose::STANDARD.encode(frame.jpeg.as_slice()),
            width: frame.width,
            height: frame.height,
        }
    }
}

/// A source's thumbnail: the program slot it fills (the number of its cut key, minus one).
#[derive(Debug, Clone, Serialize)]
pub struct ThumbnailView {
    pub slot: usize,
    pub source: String,
    #[serde(flatten)]
    pub frame: PreviewFrameView,
}

/// Program frames, about ten a second while live. The engine encodes them only while this
/// subscription (or another) holds a receiver.
#[tauri::command]
pub fn subscribe_preview(service: Service<'_>, channel: Channel<PreviewFrameView>) -> Reply<()> {
    let service = service.inner().clone();
    tauri::async_runtime::spawn(follow_engine(service, Engine::subscribe_preview, move |frame| {
        channel.send(PreviewFrameView::of(frame)).is_ok()
    }));
    Ok(())
}

/// Every source's thumbnail, about four a second each while live.
#[tauri::command]
pub fn subscribe_thumbnails(service: Service<'_>, channel: Channel<ThumbnailView>) -> Reply<()> {
    let service = service.inner().clone();
    tauri::async_runtime::spawn(follow_engine(service, Engine::subscribe_thumbnails, move |thumbnail| {
        let view = ThumbnailView {
            slot: thumbnail.slot,
            source: thumbnail.source.clone(),
            frame: PreviewFrameView::of(&thumbnail.frame),
        };
        channel.send(view).is_ok()
    }));
    Ok(())
}

/// Follows whichever engine is on air, show after show, handing each item of the stream
/// `subscribe` opens to `forward` until it returns false (the window is gone). A slow window skips
/// items; it never slows the show.
async fn follow_engine<T: Clone + Send + 'static>(
    service: Arc<ControlService>,
    subscribe: fn(&Engine) -> broadcast::Receiver<T>,
    forward: impl Fn(&T) -> bool + Send + 'static,
) {
    loop {
        let engine = wait_for_engine(&service).await;
        let mut items = subscribe(&engine);
        // Holding the engine would keep its senders (and so this loop) alive after the show.
        let engine = Arc::downgrade(&engine);
        loop {
            match tokio::time::timeout(Duration::from_secs(1), items.recv()).await {
                Ok(Ok(item)) => {
                    if !forward(&item) {
                        return;
                    }
                }
                Ok(Err(RecvError::Lagged(_))) => {}
                Ok(Err(RecvError::Closed)) => break,
                Err(_) if !still_on_air(&service, &engine).await => break,
                Err(_) => {}
            }
        }
    }
}

/// The engine on air, waiting for one as long as it takes (the window lives across shows).
async fn wait_for_engine(service: &ControlService) -> Arc<Engine> {
    loop {
        if let Ok(engine) = service.live_engine().await {
            return engine;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Whether `engine` is still the one on air (a new show gets a new engine).
async fn still_on_air(service: &ControlService, engine: &std::sync::Weak<Engine>) -> bool {
    match (service.live_engine().await, engine.upgrade()) {
        (Ok(now), Some(followed)) => Arc::ptr_eq(&now, &followed),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slates_are_named_as_the_window_names_them() {
        for (name, kind) in [
            ("countdown", SlateKind::Countdown),
            ("starting_soon", SlateKind::StartingSoon),
            ("be_right_back", SlateKind::BeRightBack),
            ("ended", SlateKind::Ended),
        ] {
            assert_eq!(slate_kind(name).ok(), Some(kind));
        }
        let refused = slate_kind("no_signal").err().map(|e| e.code);
        assert_eq!(refused.as_deref(), Some("invalid"), "no_signal is the engine's, not the operator's");
    }
}
