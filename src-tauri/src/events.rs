//! What the window hears without asking: the rehearsal stack's status, the live status every
//! second, every alert (also as a desktop notification when it matters), and support news. Each
//! is forwarded from the control service's broadcast to a typed Tauri event.

use std::sync::Arc;

use serde::Serialize;
use showdesk_control::{ControlService, RehearsalPhase};
use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::notifications::Notifier;

/// Event names; ui/src/lib/backend/tauri.ts listens to the same.
pub const REHEARSAL_STATUS: &str = "rehearsal-status";
pub const LIVE_STATUS: &str = "live-status";
pub const ALERT: &str = "alert";
pub const SUPPORT: &str = "support";

/// Starts every forwarder; they live as long as the app.
/// `drill`: once the rehearsal is wired, go live on it and start the drill (`--drill`).
pub fn forward_all(app: &AppHandle, service: &Arc<ControlService>, notifier: Notifier, drill: bool) {
    forward(app.clone(), LIVE_STATUS, service.subscribe_live_status(), |_| {});
    forward(app.clone(), ALERT, service.subscribe_alerts(), move |alert| notifier.notify(alert));
    forward(app.clone(), SUPPORT, service.support().subscribe(), |_| {});
    forward_rehearsal(app.clone(), Arc::clone(service), drill);
}

fn forward<T: Clone + Serialize + Send + 'static>(
    app: AppHandle,
    event: &'static str,
    mut receiver: broadcast::Receiver<T>,
    also: impl Fn(&T) + Send + 'static,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            match receiver.recv().await {
                Ok(payload) => {
                    also(&payload);
                    if let Err(err) = app.emit(event, &payload) {
                        tracing::warn!(event, "cannot send to the window: {err}");
                    }
                }
                // The window missed some while busy; the next one carries the state.
                Err(RecvError::Lagged(skipped)) => tracing::debug!(event, skipped, "window behind"),
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// The rehearsal's status goes to the window; when the stack comes up, the app is wired to it
/// (Stripe, mailbox, a "Rehearsal" show on sale); when it goes, the saved connections come back.
fn forward_rehearsal(app: AppHandle, service: Arc<ControlService>, drill: bool) {
    let weak = Arc::downgrade(&service);
    service.rehearsal().subscribe(move |status| {
        if let Err(err) = app.emit(REHEARSAL_STATUS, status) {
            tracing::warn!("cannot send the rehearsal status to the window: {err}");
        }
        let Some(service) = weak.upgrade() else { return };
        let app = app.clone();
        match status.phase {
            RehearsalPhase::Running if service.rehearsal_wiring().is_none() => {
                tauri::async_runtime::spawn(async move {
                    let wired = service.wire_rehearsal().await;
                    if wired.is_ok() {
                        // Said again once wired: the window reloads what the wiring changed.
                        let _ = app.emit(REHEARSAL_STATUS, service.rehearsal().status());
                    }
                    let drilled = match wired {
                        Ok(_) if drill => go_live_and_drill(&service).await,
                        other => other.map(drop),
                    };
                    if let Err(err) = drilled {
                        let body = err.to_body();
                        tracing::error!(code = body.code, "the rehearsal could not be wired: {}", body.message);
                    }
                });
            }
            RehearsalPhase::Off | RehearsalPhase::Stopped | RehearsalPhase::Failed
                if service.rehearsal_wiring().is_some() =>
            {
                service.unwire_rehearsal();
                tauri::async_runtime::spawn(async move {
                    service.restore_connections().await;
                });
            }
            _ => {}
        }
    });
}

async fn go_live_and_drill(service: &Arc<ControlService>) -> Result<(), showdesk_control::ControlError> {
    service.go_live_with_profile(None).await?;
    service.support().set_show_live(true);
    service.start_drill().await
}
