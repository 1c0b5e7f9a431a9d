use std::process::ExitCode;

use showdesk_control::AppInfo;
use showdesk_platform::AppDirs;

use super::print_json;

/// Prints what this installation is. Exits 1 when the media engine cannot run here (a needed
/// GStreamer element is missing), so scripts can check.
pub fn run(dirs: &AppDirs, json: bool) -> ExitCode {
    let info = AppInfo::gather(dirs);
    let complete = info.missing_media_elements.is_empty();
    if json {
        if let Err(code) = print_json(&info) {
            return code;
        }
    } else {
        println!("Showdesk {}", info.version);
        println!("  data     {}", info.data_dir);
        println!("  config   {}", info.config_dir);
        println!("  logs     {}", info.log_dir);
        println!("  videos   {}", info.videos_dir);
        println!("  media    {}", info.gstreamer);
        if complete {
            println!("           every element the engine needs is present");
        } else {
            println!("           missing elements (install the package named):");
            for element in &info.missing_media_elements {
                println!("             {element}");
            }
        }
    }
    if complete { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
