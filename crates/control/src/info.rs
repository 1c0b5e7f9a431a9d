//! What this installation is, for the window's footer, `showdesk info` and diagnostics.

use serde::Serialize;
use showdesk_platform::AppDirs;
use ts_rs::TS;

/// Version, folders and media capabilities.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "AppInfo.ts")]
pub struct AppInfo {
    pub version: String,
    /// Whether every folder is under one chosen root (`SHOWDESK_HOME`, `--home`: tests, rehearsal).
    pub isolated_home: bool,
    pub data_dir: String,
    pub config_dir: String,
    pub log_dir: String,
    pub videos_dir: String,
    /// e.g. "GStreamer 1.22.0", or why GStreamer could not start.
    pub gstreamer: String,
    /// GStreamer elements the engine needs and this machine lacks, with their package.
    pub missing_media_elements: Vec<String>,
    /// Folders Showdesk cannot write to, each with the reason.
    pub unwritable_folders: Vec<String>,
}

impl AppInfo {
    pub fn gather(dirs: &AppDirs) -> Self {
        let (gstreamer, missing_media_elements) = match showdesk_media::probe() {
            Ok(probe) => {
                let missing = probe.missing().map(|check| format!("{} ({})", check.element, check.package)).collect();
                (probe.version, missing)
            }
            Err(err) => (err.to_string(), Vec::new()),
        };
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            isolated_home: dirs.isolated,
            data_dir: dirs.data.display().to_string(),
            config_dir: dirs.config.display().to_string(),
            log_dir: dirs.logs.display().to_string(),
            videos_dir: dirs.videos.display().to_string(),
            gstreamer,
            missing_media_elements,
            unwritable_folders: dirs.unwritable().iter().map(ToString::to_string).collect(),
        }
    }
}
