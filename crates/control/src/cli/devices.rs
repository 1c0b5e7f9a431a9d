use std::process::ExitCode;

use super::{fail, print_json};

pub fn run(json: bool) -> ExitCode {
    let devices = match showdesk_media::devices::list() {
        Ok(devices) => devices,
        Err(err) => return fail(&err.to_string()),
    };
    if json {
        return print_json(&devices).map_or_else(|code| code, |()| ExitCode::SUCCESS);
    }
    if devices.is_empty() {
        say!("No camera or microphone found.");
    }
    for device in &devices {
        say!("{:<11} {}", device.kind, device.name);
        if let Some(path) = &device.device {
            say!("            device = {path:?}");
        }
        if !device.formats.is_empty() {
            say!("            {}", device.formats);
        }
    }
    ExitCode::SUCCESS
}
