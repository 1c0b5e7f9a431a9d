//! Tauri commands: each one line over the control service.

use showdesk_control::{AppInfo, ControlService, ErrorBody, RehearsalStatus};
use tauri::State;

#[tauri::command]
pub fn app_info(service: State<'_, ControlService>) -> Result<AppInfo, ErrorBody> {
    Ok(service.app_info())
}

#[tauri::command]
pub fn rehearsal_status(service: State<'_, ControlService>) -> Result<RehearsalStatus, ErrorBody> {
    Ok(service.rehearsal().status())
}

#[tauri::command]
pub fn rehearsal_start(service: State<'_, ControlService>) -> Result<RehearsalStatus, ErrorBody> {
    service.rehearsal().start();
    Ok(service.rehearsal().status())
}

/// Stopping waits for every service to exit: off the main thread.
#[tauri::command]
pub async fn rehearsal_stop(service: State<'_, ControlService>) -> Result<RehearsalStatus, ErrorBody> {
    service.rehearsal().stop();
    Ok(service.rehearsal().status())
}
