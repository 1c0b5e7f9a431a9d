use std::process::ExitCode;

use showdesk_control::AppInfo;
use showdesk_platform::AppDirs;

use super::print_json;

/// Prints what this installation is. Exits 1 when Showdesk cannot run here (a needed GStreamer
/// element is missing, a folder cannot be written), so scripts can check.
pub fn run(dirs: &AppDirs, json: bool) -> ExitCode {
    let info = AppInfo::gather(dirs);
    let complete = info.missing_media_elements.is_empty();
    let writable = info.unwritable_folders.is_empty();
    if json {
        if let Err(code) = print_json(&info) {
            return code;
        }
    } else {
        say!("Showdesk {}", info.version);
        say!("  data     {}", info.data_dir);
        say!("  config   {}", info.config_dir);
        say!("  logs     {}", info.log_dir);
        say!("  videos   {}", info.videos_dir);
        say!("  media    {}", info.gstreamer);
        if complete {
            say!("           every element the engine needs is present");
        } else {
            say!("           missing elements (install the package named):");
            for element in &info.missing_media_elements {
                say!("             {element}");
            }
        }
        for problem in &info.unwritable_folders {
            say!("  problem  {problem}");
        }
    }
    if complete && writable { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
