//! This installation, the rehearsal stack and its drill.

use showdesk_control::{AppInfo, RehearsalStatus};

use super::{Reply, Service, body};

#[tauri::command]
pub fn app_info(service: Service<'_>) -> Reply<AppInfo> {
    Ok(service.app_info())
}

#[tauri::command]
pub fn rehearsal_status(service: Service<'_>) -> Reply<RehearsalStatus> {
    Ok(service.rehearsal().status())
}

#[tauri::command]
pub fn rehearsal_start(service: Service<'_>) -> Reply<RehearsalStatus> {
    service.rehearsal().start();
    Ok(service.rehearsal().status())
}

/// Stopping waits for every service to exit: off the main thread. The drill goes first; the
/// wiring goes with the stack (see events.rs).
#[tauri::command]
pub async fn rehearsal_stop(service: Service<'_>) -> Reply<RehearsalStatus> {
    service.stop_drill().await;
    let rehearsal = service.inner().clone();
    tauri::async_runtime::spawn_blocking(move || rehearsal.rehearsal().stop())
        .await
        .map_err(|err| body(showdesk_control::ControlError::Internal(err.to_string())))?;
    Ok(service.rehearsal().status())
}

/// The drill on or off (it needs the rehearsal running and wired).
#[tauri::command]
pub async fn drill_set(service: Service<'_>, on: bool) -> Reply<()> {
    if on {
        service.start_drill().await.map_err(body)
    } else {
        service.stop_drill().await;
        Ok(())
    }
}

/// Whether the drill runs (it may have been started by `--drill`, not by this window).
#[tauri::command]
pub async fn drill_status(service: Service<'_>) -> Reply<bool> {
    Ok(service.drill_report().await.is_some())
}
